"""Directory users.signOut and tokens (the OAuth grants a person gave third-party apps).

Tokens are `kind="oauth_token"`, id `<user id>:<client id>`, parent the user id, made by the
`authorize_app` user action (a person's own consent; no Admin API grants one). Deleting one
revokes the app's access and writes the token `revoke` activity event Google's Reports API shows.
A sign-out is kept as a `kind="sign_out"` record per user (time of the last one); Google's
answer to it is empty.
"""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox import errors, events
from workspace_coach.sandbox.resources import Call, etag, handles, now_rfc3339
from workspace_coach.sandbox.resources.directory_users import get_user

TOKEN_KIND = "oauth_token"
SIGN_OUT_KIND = "sign_out"


def save_token(store: Any, tenant: str, user_id: str, client_id: str, app_name: str,
               scopes: list[str]) -> None:
    """Record a person's grant to an app (used by the `authorize_app` user action)."""
    store.put(TOKEN_KIND, tenant, f"{user_id}:{client_id}", {
        "kind": "admin#directory#token", "clientId": client_id, "displayText": app_name,
        "scopes": list(scopes), "userKey": user_id, "anonymous": False, "nativeApp": False,
    }, parent=user_id)


def _public(token: dict[str, Any]) -> dict[str, Any]:
    return {**token, "etag": etag(token)}


@handles("directory.users.signOut")
def sign_out(call: Call) -> None:
    user = get_user(call, call.params["userKey"])
    call.store.put(SIGN_OUT_KIND, call.tenant_id, user["id"], {"at": now_rfc3339()})


@handles("directory.tokens.list")
def tokens_list(call: Call) -> dict[str, Any]:
    user = get_user(call, call.params["userKey"])
    items = [_public(t) for t in call.store.list(TOKEN_KIND, call.tenant_id, parent=user["id"])]
    out: dict[str, Any] = {"kind": "admin#directory#tokenList", "etag": '"sandbox"'}
    if items:  # Google leaves `items` out when the person authorised no app
        out["items"] = items
    return out


def _token(call: Call) -> tuple[dict[str, Any], dict[str, Any]]:
    user = get_user(call, call.params["userKey"])
    token = call.store.get(TOKEN_KIND, call.tenant_id, f"{user['id']}:{call.params['clientId']}")
    if token is None:
        raise errors.not_found("Resource Not Found: clientId")
    return user, token


@handles("directory.tokens.get")
def tokens_get(call: Call) -> dict[str, Any]:
    return _public(_token(call)[1])


@handles("directory.tokens.delete")
def tokens_delete(call: Call) -> None:
    user, token = _token(call)
    call.store.delete(TOKEN_KIND, call.tenant_id, f"{user['id']}:{token['clientId']}")
    events.record(call.store, call.tenant_id, "token", user["primaryEmail"], "auth", "revoke", {
        "client_id": token["clientId"], "app_name": token["displayText"], "client_type": "WEB",
        "scope": token["scopes"]}, actor_id=user["id"])
