"""Directory groups and their aliases.

Storage: `kind="group"`, id = a Google-style 15-character group id; the primary address and every
alias are keys of kind `email` -> `group:<id>` (shared with users, so one lookup finds any clash).
`directMembersCount` is counted from the stored members on every read, so it can never drift.
Creating a group also creates its Groups Settings document; deleting it removes its members, its
memberships in other groups and its settings.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import (
    Call,
    alnum_id,
    body_dict,
    etag,
    groupssettings,
    handles,
    page,
    require,
)
from workspace_coach.sandbox.resources.directory_users import EMAIL_RE, email_owner
from workspace_coach.sandbox.store import Store

KIND = "admin#directory#group"
NAME_MAX = 73
DESCRIPTION_MAX = 4096
MAX_RESULTS = 200


# -- lookups used across the sandbox -------------------------------------------------------------

def find_group(store: Store, tenant: str, key: str | None) -> dict[str, Any] | None:
    """A group by id, primary email or alias (case-insensitive), as Google resolves groupKey."""
    if not key:
        return None
    if "@" not in key:
        return store.get("group", tenant, key)
    owner = store.key_lookup("email", tenant, key)
    if owner and owner.startswith("group:"):
        return store.get("group", tenant, owner[6:])
    return None


def get_group(call: Call, key: str) -> dict[str, Any]:
    group = find_group(call.store, call.tenant_id, key)
    if group is None:
        raise errors.not_found("Resource Not Found: groupKey")
    return group


def public(store: Store, tenant: str, group: dict[str, Any]) -> dict[str, Any]:
    out = dict(group)
    out["directMembersCount"] = str(store.count("member", tenant, group["id"]))
    if not out.get("aliases"):
        out.pop("aliases", None)
    out["etag"] = etag(out)
    return out


def _new_id() -> str:
    return "0" + alnum_id(1, "0123456789") + alnum_id(13)


def _check_email(call: Call, email: Any, field: str = "email") -> str:
    if not isinstance(email, str) or not EMAIL_RE.match(email.strip().lower()):
        raise errors.invalid(f"Invalid Input: {field}")
    email = email.strip().lower()
    if email.split("@", 1)[1] not in call.tenant()["domains"]:
        raise errors.forbidden()
    return email


def _check_text(body: dict[str, Any]) -> None:
    name = body.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > NAME_MAX):
        raise errors.invalid("Invalid Input: name")
    description = body.get("description")
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise errors.invalid("Invalid Input: description")


# -- handlers -------------------------------------------------------------------------------------

@handles("directory.groups.insert")
def insert(call: Call) -> dict[str, Any]:
    body = body_dict(call)
    require(body, "email")
    email = _check_email(call, body["email"])
    _check_text(body)
    if email_owner(call.store, call.tenant_id, email):
        raise errors.duplicate()
    group: dict[str, Any] = {
        "kind": KIND,
        "id": _new_id(),
        "email": email,
        "name": body.get("name") or email.split("@")[0],
        "description": body.get("description") or "",
        "adminCreated": True,
    }
    call.store.put("group", call.tenant_id, group["id"], group)
    call.store.key_set("email", call.tenant_id, email, f"group:{group['id']}")
    groupssettings.create_settings(call.store, call.tenant_id, group)
    call.admin_event("CREATE_GROUP", "GROUP_SETTINGS", GROUP_EMAIL=email)
    return public(call.store, call.tenant_id, group)


@handles("directory.groups.get")
def get(call: Call) -> dict[str, Any]:
    return public(call.store, call.tenant_id, get_group(call, call.params["groupKey"]))


@handles("directory.groups.update", "directory.groups.patch")
def update(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    body = body_dict(call)
    _check_text(body)
    tenant = call.tenant_id
    old_email = group["email"]
    new_email = body.get("email")
    if new_email and new_email.strip().lower() != old_email:
        new_email = _check_email(call, new_email)
        owner = email_owner(call.store, tenant, new_email)
        if owner and owner != f"group:{group['id']}":
            raise errors.duplicate()
        # As for users, the old address keeps delivering as an alias.
        if new_email in group.get("aliases", []):
            group["aliases"].remove(new_email)
        group.setdefault("aliases", []).append(old_email)
        call.store.key_set("email", tenant, new_email, f"group:{group['id']}")
        group["email"] = new_email
        call.admin_event("CHANGE_GROUP_EMAIL", "GROUP_SETTINGS", GROUP_EMAIL=old_email,
                         NEW_VALUE=new_email)
    if body.get("name") is not None and body["name"] != group["name"]:
        group["name"] = body["name"]
        call.admin_event("CHANGE_GROUP_NAME", "GROUP_SETTINGS", GROUP_EMAIL=group["email"],
                         NEW_VALUE=body["name"])
    if "description" in body and (body["description"] or "") != group.get("description", ""):
        group["description"] = body["description"] or ""
        call.admin_event("CHANGE_GROUP_DESCRIPTION", "GROUP_SETTINGS",
                         GROUP_EMAIL=group["email"])
    call.store.put("group", tenant, group["id"], group)
    groupssettings.sync_group(call.store, tenant, old_email, group)
    return public(call.store, tenant, group)


@handles("directory.groups.delete")
def delete(call: Call) -> None:
    from workspace_coach.sandbox.resources.directory_members import remove_memberships_of

    group = get_group(call, call.params["groupKey"])
    tenant = call.tenant_id
    call.store.delete_children("member", tenant, group["id"])
    remove_memberships_of(call.store, tenant, group["id"])
    for address in [group["email"], *group.get("aliases", [])]:
        call.store.key_delete("email", tenant, address)
    groupssettings.delete_settings(call.store, tenant, group["email"])
    call.store.delete("group", tenant, group["id"])
    call.admin_event("DELETE_GROUP", "GROUP_SETTINGS", GROUP_EMAIL=group["email"])


# -- list and query -----------------------------------------------------------------------------

_TERM_RE = re.compile(r"^(?P<field>[A-Za-z]+)(?P<op>[:=])(?P<value>.+)$")


def _text_match(candidate: str, value: str, op: str) -> bool:
    candidate, value = candidate.lower(), value.lower()
    if value.endswith("*"):
        return candidate.startswith(value[:-1])
    return candidate == value


def _query_filter(call: Call, query: str) -> Any:
    """Google's group search: `email:`, `name:`, `memberKey=` clauses, `*` as a prefix wildcard."""
    try:
        terms = shlex.split(query)
    except ValueError:
        raise errors.invalid("Invalid Input: query") from None
    checks = []
    for term in terms:
        found = _TERM_RE.match(term)
        if not found:
            raise errors.invalid(f"Invalid Input: query ({term})")
        field, op, value = found["field"], found["op"], found["value"].strip("'\"")
        if field == "email":
            checks.append(lambda g, v=value, o=op: any(
                _text_match(a, v, o) for a in [g["email"], *g.get("aliases", [])]))
        elif field == "name":
            checks.append(lambda g, v=value, o=op: _text_match(g.get("name", ""), v, o))
        elif field == "memberKey":
            parents = _groups_of(call, value)
            checks.append(lambda g, p=parents: g["id"] in p)
        else:
            raise errors.invalid(f"Invalid Input: query ({term})")
    return lambda g: all(check(g) for check in checks)


def _groups_of(call: Call, key: str) -> set[str]:
    """Ids of the groups that `key` (a user, group or external address) belongs to directly."""
    from workspace_coach.sandbox.resources.directory_members import member_id_for_key

    member_id = member_id_for_key(call.store, call.tenant_id, key)
    if member_id is None:
        return set()
    rows = call.store.execute(
        "SELECT parent FROM objects WHERE kind='member' AND tenant=? AND id=parent || ':' || ?",
        (call.tenant_id, member_id)).fetchall()
    return {r[0] for r in rows}


@handles("directory.groups.list")
def list_groups(call: Call) -> dict[str, Any]:
    params = call.params
    if not (params.get("customer") or params.get("domain") or params.get("userKey")):
        raise errors.bad_request("Bad Request")
    if params.get("customer"):
        call.resolve_customer(params["customer"])
    groups = call.store.list("group", call.tenant_id)
    if params.get("domain"):
        domain = params["domain"].lower()
        call.check_domain(domain)
        groups = [g for g in groups if g["email"].endswith("@" + domain)]
    if params.get("userKey"):
        parents = _groups_of(call, params["userKey"])
        groups = [g for g in groups if g["id"] in parents]
    if params.get("query"):
        keep = _query_filter(call, params["query"])
        groups = [g for g in groups if keep(g)]
    groups.sort(key=lambda g: g["email"], reverse=params.get("sortOrder") == "DESCENDING")
    size = min(params.get("maxResults") or MAX_RESULTS, MAX_RESULTS)
    items, token = page(groups, size, params.get("pageToken"))
    result: dict[str, Any] = {"kind": "admin#directory#groups", "etag": '"sandbox"'}
    if items:
        result["groups"] = [public(call.store, call.tenant_id, g) for g in items]
    if token:
        result["nextPageToken"] = token
    return result


# -- aliases -----------------------------------------------------------------------------------

def _alias(group: dict[str, Any], alias: str) -> dict[str, Any]:
    return {"kind": "admin#directory#alias", "id": group["id"], "primaryEmail": group["email"],
            "alias": alias, "etag": etag({"g": group["id"], "a": alias})}


@handles("directory.groups.aliases.insert")
def alias_insert(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    body = body_dict(call)
    require(body, "alias")
    alias = _check_email(call, body["alias"], "alias")
    if email_owner(call.store, call.tenant_id, alias):
        raise errors.duplicate()
    group.setdefault("aliases", []).append(alias)
    call.store.put("group", call.tenant_id, group["id"], group)
    call.store.key_set("email", call.tenant_id, alias, f"group:{group['id']}")
    call.admin_event("CHANGE_GROUP_SETTING", "GROUP_SETTINGS", GROUP_EMAIL=group["email"],
                     SETTING_NAME="ALIAS", NEW_VALUE=alias)
    return _alias(group, alias)


@handles("directory.groups.aliases.list")
def alias_list(call: Call) -> dict[str, Any]:
    group = get_group(call, call.params["groupKey"])
    result: dict[str, Any] = {"kind": "admin#directory#aliases", "etag": '"sandbox"'}
    if group.get("aliases"):
        result["aliases"] = [_alias(group, a) for a in group["aliases"]]
    return result


@handles("directory.groups.aliases.delete")
def alias_delete(call: Call) -> None:
    group = get_group(call, call.params["groupKey"])
    alias = call.params["alias"].lower()
    if alias not in group.get("aliases", []):
        raise errors.not_found("Resource Not Found: alias")
    group["aliases"].remove(alias)
    call.store.put("group", call.tenant_id, group["id"], group)
    call.store.key_delete("email", call.tenant_id, alias)
    call.admin_event("CHANGE_GROUP_SETTING", "GROUP_SETTINGS", GROUP_EMAIL=group["email"],
                     SETTING_NAME="ALIAS", OLD_VALUE=alias)
