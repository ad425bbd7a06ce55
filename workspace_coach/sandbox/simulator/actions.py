"""What a person does for themselves, with no Admin API to do it for them: sign in, turn on
2-Step Verification, authorise a third-party app, allow less secure apps.

`POST /_sandbox/user-actions {"domain", "email", "action", "at"?, ...}` (control API, never
Google's surface) records the same audit events the simulator writes, so the Reports API and the
Directory API show the action as Google would:

- `login`: a `login_success` login event; the user's `lastLoginTime` moves forward;
- `enroll_2sv`: a `2sv_enroll` login event; `isEnrolledIn2Sv` becomes true;
- `authorize_app` (`client_id`, `app_name`): a token `authorize` event; the app counts in
  `accounts:num_authorized_apps` from that date on, and Directory `tokens.list` shows it;
- `create_event` (`summary`?): the person organises a calendar event (the sandbox has no
  Calendar API; a data transfer moves these to a successor);
- `allow_less_secure_apps`: the person's own "Less secure app access" switch is turned on, so
  `accounts:is_less_secure_apps_access_allowed` reports true (Google has since turned this access
  off for Workspace; old tenants and reports still carry the figure).

`at` (RFC 3339, default the sandbox's now) places the action in the past, e.g. a last sign-in
four months ago; it may not be in the future.
"""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox import errors, events
from workspace_coach.sandbox.resources import alnum_id
from workspace_coach.sandbox.resources.datatransfer import EVENT_KIND
from workspace_coach.sandbox.resources.directory_security import save_token
from workspace_coach.sandbox.resources.directory_users import find_user
from workspace_coach.sandbox.simulator import clock
from workspace_coach.sandbox.store import Store

ACTIONS = ("login", "enroll_2sv", "authorize_app", "allow_less_secure_apps", "create_event")
SETTINGS_KIND = "user_setting"


def less_secure_apps_allowed(store: Store, tenant: str) -> set[str]:
    """Ids of the users who turned less secure app access on."""
    return {s["userId"] for s in store.list(SETTINGS_KIND, tenant)
            if s.get("lessSecureApps")}


def perform(store: Store, tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    action = data.get("action")
    if action not in ACTIONS:
        raise errors.invalid(f"Unknown action {action!r}; known: {', '.join(ACTIONS)}")
    if not data.get("email"):
        raise errors.required("email")
    user = find_user(store, tenant, str(data["email"]))
    if user is None:
        raise errors.not_found(f"No user {data['email']} in this tenant")
    now = clock.now(store)
    when = clock.parse_instant(str(data["at"])) if data.get("at") else now
    if when > now:
        raise errors.invalid("at must not be in the future")
    stamp = events.rfc3339(when)
    email, uid = user["primaryEmail"], user["id"]
    if action == "login":
        events.record(store, tenant, "login", email, "login", "login_success", {
            "login_type": "google_password", "login_challenge_method": (
                ["password", "google_prompt"] if user.get("isEnrolledIn2Sv") else ["password"]),
            "is_suspicious": False}, when=when, actor_id=uid)
        if stamp > user.get("lastLoginTime", ""):
            user["lastLoginTime"] = stamp
    elif action == "enroll_2sv":
        events.record(store, tenant, "login", email, "2sv_change", "2sv_enroll", {}, when=when,
                      actor_id=uid)
        user["isEnrolledIn2Sv"] = True
    elif action == "authorize_app":
        for key in ("client_id", "app_name"):
            if not data.get(key):
                raise errors.required(key)
        scope = ["openid", "https://www.googleapis.com/auth/userinfo.email"]
        events.record(store, tenant, "token", email, "auth", "authorize", {
            "client_id": str(data["client_id"]), "app_name": str(data["app_name"]),
            "client_type": "WEB", "scope": scope}, when=when, actor_id=uid)
        save_token(store, tenant, uid, str(data["client_id"]), str(data["app_name"]), scope)
    elif action == "create_event":
        event_id = alnum_id(26)
        store.put(EVENT_KIND, tenant, event_id, {"id": event_id, "_owner": email,
                                                 "summary": str(data.get("summary") or "")})
    else:
        store.put(SETTINGS_KIND, tenant, uid, {"userId": uid, "lessSecureApps": True})
    store.put("user", tenant, uid, user)
    return {"email": email, "action": action, "at": stamp}
