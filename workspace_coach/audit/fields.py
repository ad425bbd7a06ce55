"""Which Reports API fields the audit keeps, under which names, and what privacy allows.

**Drifted names.** Google renamed several usage parameters (its documentation says
`accounts:timestamp_last_login`; responses and parsers in the wild still see
`accounts:last_login_time`). Both are accepted and stored under today's name (`report_fields.RENAMED`).

**Without per-person consent** (`per_person_insights` absent or false in the connection
profile) a user's usage figures are stored only for the parameters the security and hygiene
checks need (`USER_PARAMETERS_FOR_CHECKS`): 2SV enrolment and enforcement, passkeys and security
keys, admin status, creation and last login (inactive users and admins), suspended and archived,
the number of authorised OAuth apps, less-secure-app access, password strength, and files the
person made public by link or shared outside. Activity (mail, Drive, Chat counts) is then only
kept at customer level. With consent, every user parameter is stored.

**Activity events** keep metadata only: the parameters in `ACTIVITY_PARAMETERS` for their
application. Titles (`doc_title`, `event_title`), room names, display names and guest lists are
content or beyond what scores and checks need, and are never stored.
"""

from __future__ import annotations

USER_PARAMETERS_FOR_CHECKS: frozenset[str] = frozenset({
    "accounts:is_2sv_enrolled",
    "accounts:is_2sv_enforced",
    "accounts:num_passkeys_enrolled",
    "accounts:num_security_keys",
    "accounts:is_super_admin",
    "accounts:is_delegated_admin",
    "accounts:timestamp_creation",
    "accounts:timestamp_last_login",
    "accounts:is_suspended",
    "accounts:is_archived",
    "accounts:num_authorized_apps",
    "accounts:is_less_secure_apps_access_allowed",
    "accounts:password_strength",
    "drive:num_owned_items_with_visibility_anyone_with_link_added",
    "drive:num_owned_items_with_visibility_shared_externally_added",
})

ACTIVITY_APPS: tuple[str, ...] = ("login", "drive", "meet", "calendar", "chat", "token", "admin")

ACTIVITY_PARAMETERS: dict[str, frozenset[str]] = {
    "login": frozenset({"login_type", "login_challenge_method", "login_failure_type",
                        "is_suspicious", "is_second_factor"}),
    "drive": frozenset({"doc_id", "doc_type", "owner", "owner_is_shared_drive",
                        "shared_drive_id", "visibility", "visibility_change", "new_value",
                        "old_value", "target_user", "target_domain", "primary_event"}),
    "meet": frozenset({"conference_id", "organizer_email", "calendar_event_id", "device_type",
                       "is_external", "duration_seconds", "video_send_seconds",
                       "screencast_send_seconds", "audio_send_seconds"}),
    "calendar": frozenset({"event_id", "calendar_id", "organizer_calendar_id"}),
    "chat": frozenset({"room_id", "conversation_ownership"}),
    "token": frozenset({"client_id", "app_name", "client_type", "scope"}),
    "admin": frozenset({"USER_EMAIL", "GROUP_EMAIL", "ROLE_NAME", "ORG_UNIT_NAME",
                        "SETTING_NAME", "APPLICATION_NAME", "NEW_VALUE", "OLD_VALUE",
                        "DOMAIN_NAME", "PRIVILEGE_NAME"}),
}

_ACTIVITY_VALUE_KEYS = ("value", "intValue", "boolValue", "multiValue", "multiIntValue")


def activity_params(app: str, parameters: list[dict]) -> dict[str, object]:
    """An event's allowlisted parameters as {name: value}; ints as ints."""
    allowed = ACTIVITY_PARAMETERS.get(app, frozenset())
    out: dict[str, object] = {}
    for p in parameters or []:
        name = p.get("name")
        if name not in allowed:
            continue
        for key in _ACTIVITY_VALUE_KEYS:
            if key in p:
                value = p[key]
                if key == "intValue":
                    value = int(value)
                elif key == "multiIntValue":
                    value = [int(v) for v in value]
                out[name] = value
                break
    return out
