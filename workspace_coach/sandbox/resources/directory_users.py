"""Directory users and their aliases.

Storage conventions shared with the other directory modules:
- users are `kind="user"`, id = Google's 21-digit id; deleted users move to `kind="deleted_user"`;
- every address (primary email, alias) of a user or group is a key of kind `email` whose value is
  `user:<id>` or `group:<id>`, so a clash across users, groups and aliases is one lookup;
- password hashes live apart (`kind="password"`) so no listing can ever return them.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import (
    Call,
    body_dict,
    etag,
    handles,
    next_page_token,
    now_rfc3339,
    numeric_id,
    page,
    page_offset,
    require,
)
from workspace_coach.sandbox.store import Store

EMAIL_RE = re.compile(r"^[a-z0-9._%+'\-]{1,64}@[a-z0-9.\-]+\.[a-z]{2,}$")
NAME_MAX = 60
EPOCH = "1970-01-01T00:00:00.000Z"
HASH_FUNCTIONS = {"MD5", "SHA-1", "crypt"}
MUTABLE = (
    "name", "suspended", "suspensionReason", "orgUnitPath", "changePasswordAtNextLogin",
    "includeInGlobalAddressList", "ipWhitelisted", "emails", "phones", "externalIds",
    "organizations", "relations", "addresses", "languages", "locations", "keywords", "gender",
    "notes", "websites", "customSchemas", "recoveryEmail", "recoveryPhone", "archived",
    "ims", "posixAccounts", "sshPublicKeys",
)


# -- lookups used across the sandbox -------------------------------------------------------------

def find_user(store: Store, tenant: str, key: str | None) -> dict[str, Any] | None:
    """A user by id, primary email or alias (case-insensitive), as Google resolves userKey."""
    if not key:
        return None
    if key.isdigit():
        return store.get("user", tenant, key)
    owner = store.key_lookup("email", tenant, key)
    if owner and owner.startswith("user:"):
        return store.get("user", tenant, owner[5:])
    return None


def get_user(call: Call, key: str) -> dict[str, Any]:
    user = find_user(call.store, call.tenant_id, key)
    if user is None:
        raise errors.not_found("Resource Not Found: userKey")
    return user


def is_admin(store: Store, tenant: str, email: str) -> bool:
    user = find_user(store, tenant, email)
    return bool(user and user.get("isAdmin") and not user.get("suspended"))


def email_owner(store: Store, tenant: str, email: str) -> str | None:
    return store.key_lookup("email", tenant, email)


def orgunit_exists(store: Store, tenant: str, path: str) -> bool:
    return path == "/" or store.key_lookup("orgunit_path", tenant, path) is not None


def _check_email(call: Call, email: str, field: str) -> str:
    email = email.strip().lower()
    if not EMAIL_RE.match(email):
        raise errors.invalid(f"Invalid Input: {field}")
    if not _tenant_owns(call, email):
        raise errors.invalid(f"Invalid Input: {field} (domain not owned by the customer)")
    return email


def _tenant_owns(call: Call, email: str) -> bool:
    return email.split("@", 1)[1] in call.tenant()["domains"]


def _check_name(name: dict[str, Any]) -> None:
    for part in ("givenName", "familyName"):
        value = name.get(part)
        if value is None:
            continue
        if not isinstance(value, str) or not value.strip():
            raise errors.invalid(f"Invalid Input: {part}")
        if len(value) > NAME_MAX or "<" in value or ">" in value or "=" in value[:1]:
            raise errors.invalid(f"Invalid Given/Family Name: {part}")


#: Passwords people pick first; Google flags these (and short, uniform ones) as weak.
COMMON_PASSWORDS = frozenset({
    "password", "password1", "password123", "12345678", "123456789", "1234567890", "qwerty123",
    "qwertyuiop", "iloveyou", "11111111", "00000000", "abcd1234", "1q2w3e4r", "1q2w3e4r5t",
    "qwer1234", "asdf1234", "admin123", "welcome1", "letmein1", "sunshine", "princess",
})


def password_strength(password: str) -> str:
    """What the usage report's `accounts:password_strength` says about a password set in plain
    text: WEAK for a common password, or one under 12 characters that mixes fewer than three of
    lower case, upper case, digits and symbols; STRONG otherwise. Google does not publish its
    rule; this one follows its password advice (long, or varied, and not a common choice)."""
    classes = sum(any(test(c) for c in password) for test in (
        str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum()))
    if password.lower() in COMMON_PASSWORDS or (len(password) < 12 and classes < 3):
        return "WEAK"
    return "STRONG"


def _store_password(call: Call, user_id: str, body: dict[str, Any]) -> None:
    password = body.get("password")
    if password is None:
        return
    function = body.get("hashFunction")
    if function is None:
        if not isinstance(password, str) or not password.isascii() or not 8 <= len(password) <= 100:
            raise errors.invalid("Invalid Password")
        stored = "sha256:" + hashlib.sha256(password.encode()).hexdigest()
        strength = password_strength(password)
    else:
        if function not in HASH_FUNCTIONS:
            raise errors.invalid("Invalid Input: hashFunction")
        if function == "crypt" and not re.match(r"^(\$(1|5|6)\$(rounds=\d+\$)?[./A-Za-z0-9]+\$"
                                                r"[./A-Za-z0-9]+|[./A-Za-z0-9]{13})$", password):
            raise errors.invalid("Invalid Password")
        stored = f"{function}:{password}"
        strength = "STRONG"  # a hash says nothing about the password behind it
    call.store.put("password", call.tenant_id, user_id, {"hash": stored, "strength": strength})


def _public(user: dict[str, Any]) -> dict[str, Any]:
    return user if "etag" in user else {**user, "etag": etag(user)}


def _save(call: Call, user: dict[str, Any]) -> None:
    """Store a user with a fresh etag (computed once per change, not per read)."""
    user.pop("etag", None)
    user["etag"] = etag(user)
    call.store.put("user", call.tenant_id, user["id"], user)


def _full_name(name: dict[str, Any]) -> str:
    return f"{name.get('givenName', '')} {name.get('familyName', '')}".strip()


# -- handlers -------------------------------------------------------------------------------------

@handles("directory.users.insert")
def insert(call: Call) -> dict[str, Any]:
    body = body_dict(call)
    require(body, "primaryEmail", "name.givenName", "name.familyName", "password")
    email = _check_email(call, body["primaryEmail"], "primaryEmail")
    _check_name(body["name"])
    if email_owner(call.store, call.tenant_id, email):
        raise errors.duplicate()
    org_unit = body.get("orgUnitPath") or "/"
    if not orgunit_exists(call.store, call.tenant_id, org_unit):
        raise errors.invalid("Invalid Input: INVALID_OU_ID")
    user_id = numeric_id()
    name = {k: body["name"][k] for k in ("givenName", "familyName", "displayName")
            if k in body["name"]}
    name["fullName"] = _full_name(name)
    user: dict[str, Any] = {
        "kind": "admin#directory#user",
        "id": user_id,
        "primaryEmail": email,
        "name": name,
        "isAdmin": False,
        "isDelegatedAdmin": False,
        "lastLoginTime": EPOCH,
        "creationTime": now_rfc3339(),
        "agreedToTerms": False,
        "suspended": False,
        "archived": False,
        "changePasswordAtNextLogin": bool(body.get("changePasswordAtNextLogin", False)),
        "ipWhitelisted": False,
        "emails": [{"address": email, "primary": True}],
        "customerId": call.tenant_id,
        "orgUnitPath": org_unit,
        "isMailboxSetup": True,
        "isEnrolledIn2Sv": False,
        "isEnforcedIn2Sv": False,
        "includeInGlobalAddressList": bool(body.get("includeInGlobalAddressList", True)),
    }
    for key in MUTABLE:
        if key in body and key not in ("name", "orgUnitPath"):
            user[key] = body[key]
    _store_password(call, user_id, body)
    _save(call, user)
    call.store.key_set("email", call.tenant_id, email, f"user:{user_id}")
    call.admin_event("CREATE_USER", "USER_SETTINGS", USER_EMAIL=email)
    if user["suspended"]:
        call.admin_event("SUSPEND_USER", "USER_SETTINGS", USER_EMAIL=email)
    return _public(user)


@handles("directory.users.get")
def get(call: Call) -> dict[str, Any]:
    return _public(get_user(call, call.params["userKey"]))


@handles("directory.users.update", "directory.users.patch")
def update(call: Call) -> dict[str, Any]:
    user = get_user(call, call.params["userKey"])
    body = body_dict(call)
    tenant = call.tenant_id
    email = user["primaryEmail"]
    if "name" in body:
        _check_name(body["name"] or {})
        name = dict(user["name"])
        for part in ("givenName", "familyName", "displayName"):
            if part in (body["name"] or {}):
                if name.get(part) != body["name"][part] and part != "displayName":
                    event = "CHANGE_FIRST_NAME" if part == "givenName" else "CHANGE_LAST_NAME"
                    call.admin_event(event, "USER_SETTINGS", USER_EMAIL=email)
                name[part] = body["name"][part]
        name["fullName"] = _full_name(name)
        body = {**body, "name": name}
    new_email = body.get("primaryEmail")
    if new_email and new_email.lower() != email:
        new_email = _check_email(call, new_email, "primaryEmail")
        owner = email_owner(call.store, tenant, new_email)
        if owner and owner != f"user:{user['id']}":
            raise errors.duplicate()
        # Google keeps the old address as an alias after a rename.
        user.setdefault("aliases", []).append(email)
        call.store.key_set("email", tenant, new_email, f"user:{user['id']}")
        user["primaryEmail"] = new_email
        user["emails"] = [{"address": new_email, "primary": True}]
        call.admin_event("RENAME_USER", "USER_SETTINGS", USER_EMAIL=email, NEW_VALUE=new_email)
    if "orgUnitPath" in body and body["orgUnitPath"] != user["orgUnitPath"]:
        if not orgunit_exists(call.store, tenant, body["orgUnitPath"]):
            raise errors.invalid("Invalid Input: INVALID_OU_ID")
        call.admin_event("MOVE_USER_TO_ORG_UNIT", "USER_SETTINGS", USER_EMAIL=email,
                         ORG_UNIT_NAME=user["orgUnitPath"], NEW_VALUE=body["orgUnitPath"])
    if "suspended" in body and bool(body["suspended"]) != user["suspended"]:
        call.admin_event("SUSPEND_USER" if body["suspended"] else "UNSUSPEND_USER",
                         "USER_SETTINGS", USER_EMAIL=email)
    if "password" in body:
        _store_password(call, user["id"], body)
        call.admin_event("CHANGE_PASSWORD", "USER_SETTINGS", USER_EMAIL=email)
    for key in MUTABLE:
        if key in body:
            user[key] = body[key]
    _save(call, user)
    return _public(user)


@handles("directory.users.delete")
def delete(call: Call) -> None:
    user = get_user(call, call.params["userKey"])
    tenant = call.tenant_id
    if user["primaryEmail"] == call.principal.email:
        raise errors.invalid("Cannot delete the calling admin")
    for address in [user["primaryEmail"], *user.get("aliases", [])]:
        call.store.key_delete("email", tenant, address)
    from workspace_coach.sandbox.resources.directory_members import remove_memberships_of
    from workspace_coach.sandbox.resources.drive_permissions import remove_drive_memberships

    remove_memberships_of(call.store, tenant, user["id"])
    remove_drive_memberships(call, user["primaryEmail"])
    call.store.delete("user", tenant, user["id"])
    user["deletionTime"] = now_rfc3339()
    call.store.put("deleted_user", tenant, user["id"], user)
    call.admin_event("DELETE_USER", "USER_SETTINGS", USER_EMAIL=user["primaryEmail"])


@handles("directory.users.undelete")
def undelete(call: Call) -> None:
    tenant = call.tenant_id
    user = call.store.get("deleted_user", tenant, call.params["userKey"])
    if user is None:
        raise errors.not_found("Resource Not Found: userKey")
    if email_owner(call.store, tenant, user["primaryEmail"]):
        raise errors.duplicate()
    body = body_dict(call)
    user.pop("deletionTime", None)
    user.pop("aliases", None)
    user["orgUnitPath"] = body.get("orgUnitPath") or user.get("orgUnitPath", "/")
    call.store.delete("deleted_user", tenant, user["id"])
    _save(call, user)
    call.store.key_set("email", tenant, user["primaryEmail"], f"user:{user['id']}")
    call.admin_event("UNDELETE_USER", "USER_SETTINGS", USER_EMAIL=user["primaryEmail"])


@handles("directory.users.makeAdmin")
def make_admin(call: Call) -> None:
    user = get_user(call, call.params["userKey"])
    body = body_dict(call)
    require(body, "status")
    status = bool(body["status"])
    if status != user["isAdmin"]:
        user["isAdmin"] = status
        _save(call, user)
        call.admin_event("GRANT_ADMIN_PRIVILEGE" if status else "REVOKE_ADMIN_PRIVILEGE",
                         "DELEGATED_ADMIN_SETTINGS", USER_EMAIL=user["primaryEmail"],
                         ROLE_NAME="_SEED_ADMIN_ROLE")


# -- list and query ----------------------------------------------------------------------------

_TERM_RE = re.compile(r"^(?P<field>[A-Za-z.]+)(?P<op>[:=])(?P<value>.*)$")


def _matches(user: dict[str, Any], term: str) -> bool:
    found = _TERM_RE.match(term)
    if not found:
        text = term.lower().strip("'\"")
        return text in user["primaryEmail"] or text in user["name"].get("fullName", "").lower()
    field, op, value = found["field"], found["op"], found["value"].strip("'\"")
    lowered = value.lower()

    def text_match(candidate: str) -> bool:
        candidate = candidate.lower()
        if lowered.endswith("*"):
            return candidate.startswith(lowered[:-1])
        return candidate == lowered if op == "=" else candidate.startswith(lowered)

    if field == "email":
        addresses = [user["primaryEmail"], *user.get("aliases", [])]
        return any(text_match(a) or (op == ":" and text_match(a.split("@")[0]))
                   for a in addresses)
    if field in ("givenName", "familyName"):
        return text_match(user["name"].get(field, ""))
    if field == "name":
        return text_match(user["name"].get("fullName", "")) or any(
            text_match(part) for part in user["name"].get("fullName", "").split())
    if field == "orgUnitPath":
        path = user.get("orgUnitPath", "/")
        return path.lower() == lowered or (op == ":" and path.lower().startswith(
            lowered.rstrip("/") + "/"))
    if field in ("isSuspended", "isAdmin", "isEnrolledIn2Sv", "isEnforcedIn2Sv",
                 "isDelegatedAdmin", "isMailboxSetup"):
        key = {"isSuspended": "suspended"}.get(field, field)
        if lowered not in ("true", "false"):
            raise errors.invalid(f"Invalid Input: query ({term})")
        return bool(user.get(key)) == (lowered == "true")
    if field == "externalId":
        return any(text_match(e.get("value", "")) for e in user.get("externalIds", []) or [])
    raise errors.invalid(f"Invalid Input: query ({term})")


def _query_terms(query: str) -> list[str]:
    try:
        return shlex.split(query, posix=False)
    except ValueError:
        raise errors.invalid("Invalid Input: query") from None


_ORDER_KEYS = {
    "email": lambda u: u["primaryEmail"],
    "givenName": lambda u: u["name"].get("givenName", "").lower(),
    "familyName": lambda u: u["name"].get("familyName", "").lower(),
}


@handles("directory.users.list")
def list_users(call: Call) -> dict[str, Any]:
    params = call.params
    tenant = call.tenant_id
    if not params.get("customer") and not params.get("domain"):
        raise errors.bad_request("Bad Request")
    if params.get("customer"):
        call.resolve_customer(params["customer"])
    kind = "deleted_user" if params.get("showDeleted") in (True, "true") else "user"
    size = params.get("maxResults", 100)
    if not (params.get("domain") or params.get("query") or params.get("orderBy")):
        # The common unfiltered walk pages in SQL instead of reading every user.
        start = page_offset(params.get("pageToken"))
        items = call.store.list_slice(kind, tenant, start, size)
        token = next_page_token(start + size, call.store.count(kind, tenant))
        return _user_page(items, token)
    users = call.store.list(kind, tenant)
    if params.get("domain"):
        domain = params["domain"].lower()
        call.check_domain(domain)
        users = [u for u in users if u["primaryEmail"].endswith("@" + domain)]
    if params.get("query"):
        terms = _query_terms(params["query"])
        users = [u for u in users if all(_matches(u, t) for t in terms)]
    if params.get("orderBy"):
        users.sort(key=_ORDER_KEYS[params["orderBy"]],
                   reverse=params.get("sortOrder") == "DESCENDING")
    items, token = page(users, size, params.get("pageToken"))
    return _user_page(items, token)


def _user_page(items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {"kind": "admin#directory#users", "etag": '"sandbox"',
                              "users": [_public(u) for u in items]}
    if token:
        result["nextPageToken"] = token
    return result


# -- aliases -----------------------------------------------------------------------------------

@handles("directory.users.aliases.insert")
def alias_insert(call: Call) -> dict[str, Any]:
    user = get_user(call, call.params["userKey"])
    body = body_dict(call)
    require(body, "alias")
    alias = _check_email(call, body["alias"], "alias")
    if email_owner(call.store, call.tenant_id, alias):
        raise errors.duplicate()
    user.setdefault("aliases", []).append(alias)
    _save(call, user)
    call.store.key_set("email", call.tenant_id, alias, f"user:{user['id']}")
    call.admin_event("ADD_NICKNAME", "USER_SETTINGS", USER_EMAIL=user["primaryEmail"],
                     USER_NICKNAME=alias)
    return {"kind": "admin#directory#alias", "id": user["id"], "primaryEmail":
            user["primaryEmail"], "alias": alias, "etag": etag({"a": alias})}


@handles("directory.users.aliases.list")
def alias_list(call: Call) -> dict[str, Any]:
    user = get_user(call, call.params["userKey"])
    return {
        "kind": "admin#directory#aliases",
        "aliases": [{"kind": "admin#directory#alias", "id": user["id"],
                     "primaryEmail": user["primaryEmail"], "alias": a}
                    for a in user.get("aliases", [])],
    }


@handles("directory.users.aliases.delete")
def alias_delete(call: Call) -> None:
    user = get_user(call, call.params["userKey"])
    alias = call.params["alias"].lower()
    if alias not in user.get("aliases", []):
        raise errors.not_found("Resource Not Found: alias")
    user["aliases"].remove(alias)
    _save(call, user)
    call.store.key_delete("email", call.tenant_id, alias)
    call.admin_event("REMOVE_NICKNAME", "USER_SETTINGS", USER_EMAIL=user["primaryEmail"],
                     USER_NICKNAME=alias)
