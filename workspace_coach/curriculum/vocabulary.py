"""What evidence rules may refer to: Reports API events, their parameters and usage parameters.

The names follow Google's Reports API appendix (activities per application, user usage
parameters) and cover everything the sandbox serves (see docs/sandbox.md, "Activity and the
simulator"). Each parameter has a type, so lint can refuse `>` on a string or a string value on a
number; some string parameters list their known values, so a typo such as `can_coment` is caught.

Types: `int` (intValue / an int64 string), `bool`, `str`, `datetime` (RFC 3339), `list` (a
multiValue of strings: a condition on it matches if any element does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ParamType = Literal["int", "bool", "str", "datetime", "list"]

NUMERIC_OPS = frozenset({">", ">=", "<", "<="})
EQUALITY_OPS = frozenset({"==", "!="})
SET_OPS = frozenset({"in", "not in"})
OPERATORS = ("==", "!=", ">", ">=", "<", "<=", "in", "not in")

# Which operators make sense for which type.
OPS_FOR_TYPE: dict[str, frozenset[str]] = {
    "int": EQUALITY_OPS | NUMERIC_OPS | SET_OPS,
    "bool": EQUALITY_OPS,
    "str": EQUALITY_OPS | SET_OPS,
    "list": EQUALITY_OPS | SET_OPS,
    "datetime": frozenset(),  # timestamps are for the evaluator's windows, not for conditions
}


@dataclass(frozen=True)
class Param:
    type: ParamType
    values: tuple[str, ...] = ()  # known values of a str/list parameter (empty: free text)


def _p(type_: ParamType, *values: str) -> Param:
    return Param(type_, tuple(values))


# -- activities ---------------------------------------------------------------------------------

ROLES = ("none", "can_view", "can_comment", "can_edit", "can_organize", "can_manage", "owner",
         "can_view_if_link", "can_comment_if_link", "can_edit_if_link")
VISIBILITIES = ("private", "people_within_domain_with_link", "public_in_the_domain",
                "people_with_link", "public_on_the_web", "shared_internally",
                "shared_externally", "unknown")
DOC_TYPES = ("document", "spreadsheet", "presentation", "form", "drawing", "folder", "pdf",
             "msword", "msexcel", "mspowerpoint", "image", "video", "audio", "text", "zip",
             "unknown")

_LOGIN = {
    "login_type": _p("str", "google_password", "saml", "reauth", "exchange", "unknown"),
    "login_challenge_method": _p("list", "password", "google_prompt", "idv_preregistered_phone",
                                 "internal_two_factor", "backup_code", "security_key",
                                 "passkey", "totp", "offline_otp", "login_challenge_method_none",
                                 "unknown"),
    "login_failure_type": _p("str", "login_failure_invalid_password",
                             "login_failure_invalid_second_factor",
                             "login_failure_account_disabled", "login_failure_unknown"),
    "is_suspicious": _p("bool"),
    "is_second_factor": _p("bool"),
    "login_timestamp": _p("int"),
    "affected_email_address": _p("str"),
}

_DRIVE_DOC = {
    "doc_id": _p("str"), "doc_title": _p("str"), "doc_type": _p("str", *DOC_TYPES),
    "owner": _p("str"), "owner_is_shared_drive": _p("bool"), "shared_drive_id": _p("str"),
    "owner_is_team_drive": _p("bool"), "team_drive_id": _p("str"),
    "primary_event": _p("bool"), "billable": _p("bool"),
    "visibility": _p("str", *VISIBILITIES), "actor_is_collaborator_account": _p("bool"),
    "originating_app_id": _p("str"),
}
_DRIVE_ACL = {
    **_DRIVE_DOC,
    "target_user": _p("str"), "target_domain": _p("str"),
    "new_value": _p("list", *ROLES, *VISIBILITIES),
    "old_value": _p("list", *ROLES, *VISIBILITIES),
    "visibility_change": _p("str", "external", "internal", "none"),
    "old_visibility": _p("str", *VISIBILITIES),
}
_DRIVE_MOVE = {**_DRIVE_DOC, "source_folder_id": _p("list"), "source_folder_title": _p("list"),
               "destination_folder_id": _p("list"), "destination_folder_title": _p("list")}

_MEET = {
    "meeting_code": _p("str"), "conference_id": _p("str"), "organizer_email": _p("str"),
    "calendar_event_id": _p("str"), "endpoint_id": _p("str"),
    "device_type": _p("str", "web", "android", "ios", "meet_hardware", "jamboard",
                      "pstn_in", "sip", "chromebox"),
    "identifier": _p("str"), "identifier_type": _p("str", "email_address", "phone_number"),
    "display_name": _p("str"), "is_external": _p("bool"),
    "duration_seconds": _p("int"), "video_send_seconds": _p("int"),
    "video_recv_seconds": _p("int"), "screencast_send_seconds": _p("int"),
    "screencast_recv_seconds": _p("int"), "audio_send_seconds": _p("int"),
    "audio_recv_seconds": _p("int"), "location_country": _p("str"),
    "location_region": _p("str"), "ip_address": _p("str"),
}

_CALENDAR = {
    "event_id": _p("str"), "event_title": _p("str"), "calendar_id": _p("str"),
    "organizer_calendar_id": _p("str"), "event_guest": _p("list"), "api_kind": _p("str"),
    "user_agent": _p("str"), "recipient_email": _p("str"),
    "event_response_status": _p("str", "accepted", "declined", "tentative", "needs_action"),
}

_CHAT = {
    "room_id": _p("str"), "room_name": _p("str"), "message_id": _p("str"),
    "conversation_ownership": _p("str", "internal", "external"),
    "conversation_type": _p("str", "direct_message", "space", "group_direct_message"),
    "attachment_name": _p("str"), "retention_state": _p("str"),
}

_TOKEN = {
    "client_id": _p("str"), "app_name": _p("str"),
    "client_type": _p("str", "WEB", "NATIVE_ANDROID", "NATIVE_IOS", "NATIVE_DESKTOP",
                      "NATIVE_CHROME_EXTENSION", "TYPE_UNSPECIFIED"),
    "scope": _p("list"), "api_name": _p("str"), "method_name": _p("str"),
    "num_response_bytes": _p("int"),
}

_ADMIN = {name: _p("str") for name in (
    "USER_EMAIL", "GROUP_EMAIL", "ORG_UNIT_NAME", "NEW_VALUE", "OLD_VALUE", "SETTING_NAME",
    "APPLICATION_NAME", "ROLE_NAME", "ROLE_ID", "GROUP_MEMBER_ROLE", "DOMAIN_NAME",
    "USER_NICKNAME", "DOC_OWNER", "DESTINATION_USER_EMAIL", "PRIVILEGE_NAME",
    "ORG_UNIT_PATH")}

_ADMIN_EVENTS = (
    # users
    "CREATE_USER", "DELETE_USER", "UNDELETE_USER", "SUSPEND_USER", "UNSUSPEND_USER",
    "RENAME_USER", "CHANGE_PASSWORD", "CHANGE_PASSWORD_ON_NEXT_LOGIN", "CHANGE_FIRST_NAME",
    "CHANGE_LAST_NAME", "MOVE_USER_TO_ORG_UNIT", "ADD_NICKNAME", "REMOVE_NICKNAME",
    "ARCHIVE_USER", "UNARCHIVE_USER", "CHANGE_RECOVERY_EMAIL", "CHANGE_RECOVERY_PHONE",
    "USER_SIGNOUT", "RESET_SIGNIN_COOKIES", "TOGGLE_AUTOMATIC_CONTACT_SHARING",
    "TURN_OFF_2_STEP_VERIFICATION", "UNENROLL_USER_FROM_STRONG_AUTHENTICATION",
    "GENERATE_2SV_SCRATCH_CODES", "REVOKE_3LO_TOKEN", "REVOKE_SECURITY_KEY",
    # admin roles
    "GRANT_ADMIN_PRIVILEGE", "REVOKE_ADMIN_PRIVILEGE", "ASSIGN_ROLE", "UNASSIGN_ROLE",
    "CREATE_ROLE", "DELETE_ROLE",
    # groups
    "CREATE_GROUP", "DELETE_GROUP", "CHANGE_GROUP_EMAIL", "CHANGE_GROUP_NAME",
    "CHANGE_GROUP_DESCRIPTION", "CHANGE_GROUP_SETTING", "ADD_GROUP_MEMBER",
    "REMOVE_GROUP_MEMBER", "UPDATE_GROUP_MEMBER", "UPDATE_GROUP_MEMBER_DELIVERY_SETTINGS",
    # org units
    "CREATE_ORG_UNIT", "REMOVE_ORG_UNIT", "EDIT_ORG_UNIT_NAME", "EDIT_ORG_UNIT_DESCRIPTION",
    "MOVE_ORG_UNIT",
    # security and application settings
    "ENFORCE_STRONG_AUTHENTICATION", "ALLOW_STRONG_AUTHENTICATION",
    "CHANGE_ALLOWED_TWO_STEP_VERIFICATION_METHODS",
    "CHANGE_TWO_STEP_VERIFICATION_ENROLLMENT_PERIOD_DURATION",
    "CHANGE_TWO_STEP_VERIFICATION_FREQUENCY", "CHANGE_APPLICATION_SETTING",
    "CREATE_APPLICATION_SETTING", "DELETE_APPLICATION_SETTING",
    # Drive (DOCS_SETTINGS)
    "TRANSFER_DOCUMENT_OWNERSHIP", "DRIVE_DATA_RESTORE",
)

ACTIVITIES: dict[str, dict[str, dict[str, Param]]] = {
    "login": {
        "login_success": _LOGIN, "login_failure": _LOGIN, "login_challenge": _LOGIN,
        "login_verification": _LOGIN, "logout": _LOGIN, "suspicious_login": _LOGIN,
        "suspicious_login_less_secure_app": _LOGIN, "suspicious_programmatic_login": _LOGIN,
        "2sv_enroll": {}, "2sv_disable": {}, "password_edit": {}, "recovery_email_edit": {},
        "recovery_phone_edit": {}, "recovery_secret_qa_edit": {}, "titanium_enroll": {},
        "titanium_unenroll": {}, "account_disabled_password_leak": _LOGIN,
        "account_disabled_hijacked": _LOGIN, "gov_attack_warning": _LOGIN,
    },
    "drive": {
        **{name: _DRIVE_DOC for name in (
            "create", "upload", "edit", "view", "preview", "print", "download", "copy",
            "delete", "trash", "untrash", "rename", "create_comment", "edit_comment",
            "delete_comment", "reply_to_comment", "resolve_comment", "reopen_comment",
            "create_suggestion", "accept_suggestion", "reject_suggestion")},
        **{name: _DRIVE_ACL for name in (
            "change_user_access", "change_document_visibility", "change_document_access_scope",
            "change_owner", "change_acl_editors", "shared_drive_membership_change")},
        **{name: _DRIVE_MOVE for name in ("move", "add_to_folder", "remove_from_folder")},
    },
    "meet": {name: _MEET for name in (
        "call_ended", "invitation_sent", "knocking_accepted", "knocking_denied",
        "presentation_started", "presentation_stopped", "abuse_report_submitted")},
    "calendar": {name: _CALENDAR for name in (
        "create_event", "change_event", "delete_event", "restore_event",
        "change_event_start_time", "change_event_title", "change_event_guest_response",
        "add_event_guest", "remove_event_guest", "create_calendar", "change_calendar_acls")},
    "chat": {name: _CHAT for name in (
        "message_posted", "message_edited", "message_deleted", "attachment_uploaded",
        "attachment_download", "reaction_added", "room_created", "room_deleted",
        "room_name_updated", "add_user", "remove_user", "invite_user")},
    "token": {name: _TOKEN for name in ("authorize", "revoke", "request")},
    "admin": {name: _ADMIN for name in _ADMIN_EVENTS},
}
APPLICATIONS = tuple(ACTIVITIES)

# -- usage (user level, userUsageReport) --------------------------------------------------------

_DOC_KINDS = ("documents", "spreadsheets", "presentations")
USAGE: dict[str, Param] = {
    **{f"accounts:{n}": _p("bool") for n in (
        "is_2sv_enrolled", "is_2sv_enforced", "is_suspended", "is_archived", "disabled",
        "is_super_admin", "is_delegated_admin", "is_less_secure_apps_access_allowed")},
    **{f"accounts:{n}": _p("int") for n in (
        "num_authorized_apps", "num_security_keys", "num_passkeys_enrolled", "used_quota_in_mb",
        "total_quota_in_mb", "used_quota_in_percentage", "gmail_used_quota_in_mb",
        "drive_used_quota_in_mb")},
    "accounts:password_strength": _p("str", "STRONG", "WEAK"),
    **{f"accounts:{n}": _p("str") for n in (
        "first_name", "last_name", "admin_set_name", "domain_name")},
    **{f"accounts:{n}": _p("datetime") for n in (
        "timestamp_creation", "timestamp_last_login", "creation_time", "last_login_time")},
    **{f"gmail:{n}": _p("int") for n in (
        "num_emails_sent", "num_emails_received", "num_emails_exchanged")},
    **{f"gmail:{n}": _p("datetime") for n in (
        "timestamp_last_interaction", "timestamp_last_access", "timestamp_last_webmail",
        "last_interaction_time", "last_access_time", "last_webmail_time")},
    **{f"drive:{n}": _p("int") for n in (
        "num_items_created", "num_items_edited", "num_items_viewed", "num_items_commented",
        "num_google_forms_created",
        "num_owned_items_with_visibility_shared_externally_added",
        "num_owned_items_with_visibility_shared_internally_added",
        "num_owned_items_with_visibility_anyone_with_link_added")},
    **{f"drive:num_google_{k}_{v}": _p("int") for k in _DOC_KINDS
       for v in ("created", "edited", "viewed")},
    "drive:timestamp_last_active_usage": _p("datetime"),
    "drive:last_active_usage_time": _p("datetime"),
    "chat:num_28day_messages_and_reactions_sent": _p("int"),
    "chat:num_28day_spaces_created": _p("int"),
}
USAGE_APPLICATIONS = ("accounts", "gmail", "drive", "chat")


def activity_param(application: str, event: str, name: str) -> Param | None:
    return ACTIVITIES.get(application, {}).get(event, {}).get(name)
