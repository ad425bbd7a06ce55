"""Directory domains, customers, roles, role assignments and privileges (read side).

These are what an audit reads to learn who administers a tenant. Roles are Google's system roles
with ids stable per tenant; role assignments are derived from users' `isAdmin`, one super-admin
assignment per administrator, so they never disagree with users.makeAdmin.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call, admin_list, etag, handles

SUPER_ADMIN = "_SEED_ADMIN_ROLE"

# (roleName, roleDescription, isSuperAdminRole, privileges as (serviceId, name))
SYSTEM_ROLES: tuple[tuple[str, str, bool, tuple[tuple[str, str], ...]], ...] = (
    (SUPER_ADMIN, "Super Admin", True, (
        ("00haapch16h1ysv", "SUPER_ADMIN"), ("00haapch16h1ysv", "USERS_ALL"),
        ("00haapch16h1ysv", "GROUPS_ALL"), ("00haapch16h1ysv", "ORGANIZATION_UNITS_ALL"),
        ("00haapch16h1ysv", "REPORTS_ACCESS"), ("00haapch16h1ysv", "MANAGE_DOMAINS"))),
    ("_GROUPS_ADMIN_ROLE", "Groups Administrator", False, (
        ("00haapch16h1ysv", "GROUPS_ALL"), ("00haapch16h1ysv", "USERS_RETRIEVE"),
        ("00haapch16h1ysv", "ORGANIZATION_UNITS_RETRIEVE"))),
    ("_USER_MANAGEMENT_ADMIN_ROLE", "User Management Administrator", False, (
        ("00haapch16h1ysv", "USERS_ALL"), ("00haapch16h1ysv", "ORGANIZATION_UNITS_RETRIEVE"))),
    ("_HELP_DESK_ADMIN_ROLE", "Help Desk Administrator", False, (
        ("00haapch16h1ysv", "USERS_RETRIEVE"), ("00haapch16h1ysv", "USERS_RESET_PASSWORD"),
        ("00haapch16h1ysv", "ORGANIZATION_UNITS_RETRIEVE"))),
    ("_SERVICES_ADMIN_ROLE", "Services Administrator", False, (
        ("00haapch16h1ysv", "SERVICES_ALL"),)),
)

PRIVILEGES: tuple[tuple[str, str, str, bool], ...] = (
    # (serviceId, serviceName, privilegeName, isOuScopable)
    ("00haapch16h1ysv", "Admin Console", "SUPER_ADMIN", False),
    ("00haapch16h1ysv", "Admin Console", "USERS_ALL", True),
    ("00haapch16h1ysv", "Admin Console", "USERS_RETRIEVE", True),
    ("00haapch16h1ysv", "Admin Console", "USERS_RESET_PASSWORD", True),
    ("00haapch16h1ysv", "Admin Console", "GROUPS_ALL", False),
    ("00haapch16h1ysv", "Admin Console", "ORGANIZATION_UNITS_ALL", True),
    ("00haapch16h1ysv", "Admin Console", "ORGANIZATION_UNITS_RETRIEVE", True),
    ("00haapch16h1ysv", "Admin Console", "REPORTS_ACCESS", False),
    ("00haapch16h1ysv", "Admin Console", "MANAGE_DOMAINS", False),
    ("00haapch16h1ysv", "Admin Console", "SERVICES_ALL", False),
)


def _stable_number(*parts: str, length: int = 17) -> str:
    digest = int(hashlib.sha1(":".join(parts).encode()).hexdigest(), 16)
    return str(10 ** (length - 1) + digest % (9 * 10 ** (length - 1)))


def role_id(tenant: str, role_name: str) -> str:
    return _stable_number(tenant, "role", role_name)


# -- domains and customers ----------------------------------------------------------------------

def _epoch_ms(rfc3339: str) -> str:
    moment = datetime.fromisoformat(rfc3339)
    return str(int(moment.timestamp() * 1000))


def _domain(tenant: dict[str, Any], name: str) -> dict[str, Any]:
    doc = {"kind": "admin#directory#domain", "domainName": name,
           "isPrimary": name == tenant["customerDomain"], "verified": True,
           "creationTime": _epoch_ms(tenant["creationTime"])}
    doc["etag"] = etag(doc)
    return doc


@handles("directory.domains.list")
def domains_list(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customer"])
    tenant = call.tenant()
    # The discovery document's Domains2 (the list) says `admin#directory#domains`.
    return {"kind": "admin#directory#domains", "etag": '"sandbox"',
            "domains": [_domain(tenant, d) for d in tenant["domains"]]}


@handles("directory.domains.get")
def domains_get(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customer"])
    tenant = call.tenant()
    name = call.params["domainName"].lower()
    if name not in tenant["domains"]:
        raise errors.not_found("Domain not found.")
    return _domain(tenant, name)


@handles("directory.customers.get")
def customers_get(call: Call) -> dict[str, Any]:
    key = call.params["customerKey"]
    if key not in ("my_customer", call.tenant_id):
        raise errors.forbidden()
    tenant = call.tenant()
    doc = {"kind": "admin#directory#customer", "id": call.tenant_id,
           "customerDomain": tenant["customerDomain"],
           "customerCreationTime": tenant["creationTime"],
           "language": tenant.get("language", "en")}
    doc["etag"] = etag(doc)
    return doc


# -- roles and assignments ----------------------------------------------------------------------

def _roles(tenant: str) -> list[dict[str, Any]]:
    out = []
    for name, description, superadmin, privileges in SYSTEM_ROLES:
        doc: dict[str, Any] = {
            "kind": "admin#directory#role", "roleId": role_id(tenant, name), "roleName": name,
            "roleDescription": description, "isSystemRole": True, "isSuperAdminRole": superadmin,
            "rolePrivileges": [{"serviceId": s, "privilegeName": p} for s, p in privileges],
        }
        doc["etag"] = etag(doc)
        out.append(doc)
    return out


@handles("directory.roles.list")
def roles_list(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customer"])
    return admin_list(call, "admin#directory#roles", "items", _roles(call.tenant_id))


@handles("directory.roles.get")
def roles_get(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customer"])
    for role in _roles(call.tenant_id):
        if role["roleId"] == call.params["roleId"]:
            return role
    raise errors.not_found("Role not found")


def _assignments(call: Call) -> list[dict[str, Any]]:
    super_id = role_id(call.tenant_id, SUPER_ADMIN)
    out = []
    for user in call.store.list("user", call.tenant_id):
        if not user.get("isAdmin"):
            continue
        doc = {"kind": "admin#directory#roleAssignment",
               "roleAssignmentId": _stable_number(call.tenant_id, "assignment", user["id"]),
               "roleId": super_id, "assignedTo": user["id"], "assigneeType": "user",
               "scopeType": "CUSTOMER"}
        doc["etag"] = etag(doc)
        out.append(doc)
    return out


@handles("directory.roleAssignments.list")
def assignments_list(call: Call) -> dict[str, Any]:
    from workspace_coach.sandbox.resources.directory_users import find_user

    params = call.params
    call.resolve_customer(params["customer"])
    items = _assignments(call)
    if params.get("userKey"):
        user = find_user(call.store, call.tenant_id, params["userKey"])
        if user is None:
            raise errors.invalid("Invalid Input: userKey")
        items = [a for a in items if a["assignedTo"] == user["id"]]
    if params.get("roleId"):
        if params["roleId"] not in {r["roleId"] for r in _roles(call.tenant_id)}:
            raise errors.invalid("Invalid Input: roleId")
        items = [a for a in items if a["roleId"] == params["roleId"]]
    return admin_list(call, "admin#directory#roleAssignments", "items", items)


@handles("directory.roleAssignments.get")
def assignments_get(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customer"])
    for assignment in _assignments(call):
        if assignment["roleAssignmentId"] == call.params["roleAssignmentId"]:
            return assignment
    raise errors.not_found("Resource Not Found: roleAssignmentId")


@handles("directory.privileges.list")
def privileges_list(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customer"])
    items = []
    for service_id, service_name, name, scopable in PRIVILEGES:
        doc = {"kind": "admin#directory#privilege", "serviceId": service_id,
               "serviceName": service_name, "privilegeName": name, "isOuScopable": scopable}
        doc["etag"] = etag(doc)
        items.append(doc)
    return {"kind": "admin#directory#privileges", "etag": '"sandbox"', "items": items}
