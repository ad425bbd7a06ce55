"""Directory group members.

Storage: `kind="member"`, id = `<group_id>:<member_id>`, parent = group_id; the document is the
discovery "Member" shape. A member is a tenant user (type USER), a tenant group (type GROUP, role
MEMBER only), the whole customer (type CUSTOMER) or an outside address (type USER, with a stable
id kept as a key of kind `external_member`). Outside addresses are accepted only when the group's
settings say `allowExternalMembers: "true"` (Google's announced behaviour for internal groups).

Eventual consistency: with the realism knob `user_ready_ms`, a user created moments ago cannot be
added yet and Google's 412 conditionNotMet "User creation is not complete." comes back; with
`group_ready_ms`, a group created moments ago is not found by members.insert yet (404 notFound
"Resource Not Found: groupKey", as clients adding members right after groups.insert report).
"""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import (
    Call,
    body_dict,
    etag,
    groupssettings,
    handles,
    numeric_id,
    page,
)
from workspace_coach.sandbox.resources.directory_groups import find_group, get_group
from workspace_coach.sandbox.resources.directory_users import EMAIL_RE, find_user
from workspace_coach.sandbox.store import Store

KIND = "admin#directory#member"
ROLES = ("OWNER", "MANAGER", "MEMBER")
DELIVERY = ("ALL_MAIL", "DAILY", "DIGEST", "DISABLED", "NONE")
MAX_RESULTS = 200


def remove_memberships_of(store: Store, tenant: str, member_id: str) -> int:
    """Take a deleted user or group out of every group it belonged to; returns how many."""
    rows = store.execute(
        "SELECT id FROM objects WHERE kind='member' AND tenant=? AND id=parent || ':' || ?",
        (tenant, member_id)).fetchall()
    for (row_id,) in rows:
        store.delete("member", tenant, row_id)
    return len(rows)


def member_id_for_key(store: Store, tenant: str, key: str) -> str | None:
    """The member id a memberKey/userKey stands for: user, group, or known outside address."""
    user = find_user(store, tenant, key)
    if user:
        return user["id"]
    group = find_group(store, tenant, key)
    if group:
        return group["id"]
    if "@" in key:
        return store.key_lookup("external_member", tenant, key)
    return None


def _resolve_new(call: Call, group: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Who is being added: the member document's identity fields."""
    store, tenant = call.store, call.tenant_id
    key = (body.get("email") or body.get("id") or "").strip()
    if not key:
        raise errors.GoogleError(400, "required", "Missing required field: memberKey")
    if key == tenant or body.get("type") == "CUSTOMER":
        if key != tenant:
            raise errors.invalid("Invalid Input: memberKey")
        return {"id": tenant, "type": "CUSTOMER"}
    user = find_user(store, tenant, key)
    if user:
        if not call.realism.user_ready(store.created_at("user", tenant, user["id"])):
            raise errors.condition_not_met("User creation is not complete.")
        status = "SUSPENDED" if user.get("suspended") else "ACTIVE"
        return {"id": user["id"], "email": user["primaryEmail"], "type": "USER",
                "status": status}
    child = find_group(store, tenant, key)
    if child:
        if child["id"] == group["id"] or _contains(store, tenant, child["id"], group["id"]):
            raise errors.condition_not_met("Cyclic memberships not allowed")
        return {"id": child["id"], "email": child["email"], "type": "GROUP", "status": "ACTIVE"}
    email = key.lower()
    if "@" not in email or not EMAIL_RE.match(email):
        raise errors.not_found("Resource Not Found: memberKey")
    if email.split("@", 1)[1] in call.tenant()["domains"]:
        raise errors.not_found("Resource Not Found: memberKey")
    if not groupssettings.allows_external(store, tenant, group["email"]):
        raise errors.invalid("Invalid Input: memberKey (the group does not allow external "
                             "members: set allowExternalMembers to \"true\")")
    member_id = store.key_lookup("external_member", tenant, email)
    if member_id is None:
        member_id = numeric_id()
        store.key_set("external_member", tenant, email, member_id)
    return {"id": member_id, "email": email, "type": "USER", "status": "ACTIVE"}


def _contains(store: Store, tenant: str, group_id: str, wanted: str,
              seen: set[str] | None = None) -> bool:
    """Whether `wanted` is a member of `group_id`, directly or through nested groups."""
    seen = seen if seen is not None else set()
    if group_id in seen:
        return False
    seen.add(group_id)
    for member in store.list("member", tenant, group_id):
        if member["id"] == wanted:
            return True
        if member["type"] == "GROUP" and _contains(store, tenant, member["id"], wanted, seen):
            return True
    return False


def _check_role(value: Any) -> str:
    if value not in ROLES:
        raise errors.invalid("Invalid Input: role")
    return value


def _public(member: dict[str, Any]) -> dict[str, Any]:
    out = dict(member)
    out["etag"] = etag(out)
    return out


def _get_member(call: Call, group: dict[str, Any], key: str) -> dict[str, Any]:
    member_id = member_id_for_key(call.store, call.tenant_id, key) or key
    member = call.store.get("member", call.tenant_id, f"{group['id']}:{member_id}")
    if member is None:
        raise errors.not_found("Resource Not Found: memberKey")
    return member


# -- handlers -------------------------------------------------------------------------------------

@handles("directory.members.insert")
def insert(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    if not call.realism.group_ready(call.store.created_at("group", call.tenant_id, group["id"])):
        raise errors.not_found("Resource Not Found: groupKey")
    body = body_dict(call)
    role = _check_role(body.get("role") or "MEMBER")
    identity = _resolve_new(call, group, body)
    if identity["type"] in ("GROUP", "CUSTOMER") and role != "MEMBER":
        raise errors.invalid("Invalid Input: memberKey")
    delivery = body.get("delivery_settings") or "ALL_MAIL"
    if delivery not in DELIVERY:
        raise errors.invalid("Invalid Input: delivery_settings")
    row_id = f"{group['id']}:{identity['id']}"
    if call.store.get("member", call.tenant_id, row_id):
        raise errors.duplicate("Member already exists.")
    member = {"kind": KIND, **identity, "role": role, "delivery_settings": delivery}
    call.store.put("member", call.tenant_id, row_id, member, parent=group["id"])
    call.admin_event("ADD_GROUP_MEMBER", "GROUP_SETTINGS", GROUP_EMAIL=group["email"],
                     USER_EMAIL=identity.get("email", identity["id"]), GROUP_MEMBER_ROLE=role)
    return _public(member)


@handles("directory.members.get")
def get(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    return _public(_get_member(call, group, call.params["memberKey"]))


@handles("directory.members.update", "directory.members.patch")
def update(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    member = _get_member(call, group, call.params["memberKey"])
    body = body_dict(call)
    if "role" in body and body["role"] != member["role"]:
        role = _check_role(body["role"])
        if member["type"] != "USER" and role != "MEMBER":
            raise errors.invalid("Invalid Input: memberKey")
        member["role"] = role
        call.admin_event("UPDATE_GROUP_MEMBER", "GROUP_SETTINGS", GROUP_EMAIL=group["email"],
                         USER_EMAIL=member.get("email", member["id"]), GROUP_MEMBER_ROLE=role)
    if "delivery_settings" in body and body["delivery_settings"] != member["delivery_settings"]:
        if body["delivery_settings"] not in DELIVERY:
            raise errors.invalid("Invalid Input: delivery_settings")
        member["delivery_settings"] = body["delivery_settings"]
        call.admin_event("UPDATE_GROUP_MEMBER_DELIVERY_SETTINGS", "GROUP_SETTINGS",
                         GROUP_EMAIL=group["email"], USER_EMAIL=member.get("email", member["id"]),
                         NEW_VALUE=member["delivery_settings"])
    call.store.put("member", call.tenant_id, f"{group['id']}:{member['id']}", member,
                   parent=group["id"])
    return _public(member)


@handles("directory.members.delete")
def delete(call: Call) -> None:
    group = get_group(call, call.params["groupKey"])
    member = _get_member(call, group, call.params["memberKey"])
    call.store.delete("member", call.tenant_id, f"{group['id']}:{member['id']}")
    call.admin_event("REMOVE_GROUP_MEMBER", "GROUP_SETTINGS", GROUP_EMAIL=group["email"],
                     USER_EMAIL=member.get("email", member["id"]))


@handles("directory.members.hasMember")
def has_member(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    key = call.params["memberKey"]
    member_id = member_id_for_key(call.store, call.tenant_id, key)
    if member_id is None:
        if "@" not in key or key.lower().split("@", 1)[1] in call.tenant()["domains"]:
            raise errors.not_found("Resource Not Found: memberKey")
        return {"isMember": False}
    return {"isMember": _contains(call.store, call.tenant_id, group["id"], member_id)}


@handles("directory.members.list")
def list_members(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    params = call.params
    members = call.store.list("member", call.tenant_id, group["id"])
    if params.get("includeDerivedMembership"):
        members = _derived(call.store, call.tenant_id, group["id"])
    if params.get("roles"):
        wanted = {r.strip().upper() for r in params["roles"].split(",") if r.strip()}
        if not wanted <= set(ROLES):
            raise errors.invalid("Invalid Input: roles")
        members = [m for m in members if m["role"] in wanted]
    size = min(params.get("maxResults") or MAX_RESULTS, MAX_RESULTS)
    items, token = page(members, size, params.get("pageToken"))
    result: dict[str, Any] = {"kind": "admin#directory#members", "etag": '"sandbox"'}
    if items:
        result["members"] = [_public(m) for m in items]
    if token:
        result["nextPageToken"] = token
    return result


def _derived(store: Store, tenant: str, group_id: str) -> list[dict[str, Any]]:
    """Direct members plus the members of nested groups, each once (the direct entry wins)."""
    out: dict[str, dict[str, Any]] = {}
    stack, seen = [group_id], set()
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.add(current)
        for member in store.list("member", tenant, current):
            out.setdefault(member["id"], member)
            if member["type"] == "GROUP":
                stack.append(member["id"])
    return list(out.values())
