"""Directory organizational units.

Storage: `kind="orgunit"`, id = orgUnitId (`id:03ph8a2z...`); the lower-cased path is a key of
kind `orgunit_path` -> orgUnitId. The root `/` is implicit: it has a stable id per tenant and no
stored document. Paths in URLs come relative (`teams/finance`, as googleapiclient expands
`{+orgUnitPath}`) or as an id (`id:03ph8a2z...`); both resolve here.

Google's refusals, as GAM sees them: a duplicate path is 400 "Invalid Ou Id" (GAM treats that
reason as "already exists"), a missing parent 400 "Invalid Parent Orgunit Id", a missing unit 404
"Org unit not found", and deleting a unit that still has users or child units 412 conditionNotMet.
"""

from __future__ import annotations

import hashlib
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call, alnum_id, body_dict, etag, handles, require
from workspace_coach.sandbox.store import Store

KIND = "admin#directory#orgUnit"
NAME_MAX = 255


def root_id(tenant: str) -> str:
    """The root unit's id: stable per tenant, shaped like Google's."""
    return "id:03ph8a2z" + hashlib.sha1(tenant.encode()).hexdigest()[:7]


def _root(call: Call) -> dict[str, Any]:
    return {"kind": KIND, "name": call.tenant()["customerDomain"], "description": "",
            "orgUnitPath": "/", "orgUnitId": root_id(call.tenant_id), "blockInheritance": False}


def find_orgunit(store: Store, tenant: str, key: str) -> dict[str, Any] | None:
    """A stored unit by id (`id:...`) or path (with or without the leading slash)."""
    key = key.strip()
    if key.startswith("id:"):
        return store.get("orgunit", tenant, key)
    path = "/" + key.strip("/")
    unit_id = store.key_lookup("orgunit_path", tenant, path)
    return store.get("orgunit", tenant, unit_id) if unit_id else None


def _resolve(call: Call, key: str | None) -> dict[str, Any] | None:
    """Root included; None when the unit does not exist."""
    key = (key or "").strip()
    if key.strip("/") == "" or key == root_id(call.tenant_id):
        return _root(call)
    return find_orgunit(call.store, call.tenant_id, key)


def _get_unit(call: Call, key: str) -> dict[str, Any]:
    unit = _resolve(call, key)
    if unit is None:
        raise errors.not_found("Org unit not found")
    return unit


def _public(unit: dict[str, Any]) -> dict[str, Any]:
    unit = dict(unit)
    unit["etag"] = etag(unit)
    return unit


def _join(parent_path: str, name: str) -> str:
    return parent_path.rstrip("/") + "/" + name


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip() or "/" in name or len(name) > NAME_MAX:
        raise errors.invalid("Invalid Ou Name")
    return name.strip()


def _parent(call: Call, body: dict[str, Any]) -> dict[str, Any]:
    """The parent named by parentOrgUnitId and/or parentOrgUnitPath (they must agree)."""
    by_id = by_path = None
    if body.get("parentOrgUnitId"):
        by_id = _resolve(call, body["parentOrgUnitId"])
        if by_id is None:
            raise errors.invalid("Invalid Parent Orgunit Id")
    if body.get("parentOrgUnitPath"):
        by_path = _resolve(call, body["parentOrgUnitPath"])
        if by_path is None:
            raise errors.invalid("Invalid Parent Orgunit Id")
    if by_id and by_path and by_id["orgUnitId"] != by_path["orgUnitId"]:
        raise errors.invalid("Invalid Input: Inconsistent Orgunit id and path in request")
    parent = by_id or by_path
    if parent is None:
        raise errors.required("parentOrgUnitPath")
    return parent


def _path_taken(call: Call, path: str, own_id: str | None = None) -> bool:
    owner = call.store.key_lookup("orgunit_path", call.tenant_id, path)
    return owner is not None and owner != own_id


@handles("directory.orgunits.insert")
def insert(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customerId"])
    body = body_dict(call)
    require(body, "name")
    name = _check_name(body["name"])
    parent = _parent(call, body)
    path = _join(parent["orgUnitPath"], name)
    if _path_taken(call, path):
        raise errors.invalid("Invalid Ou Id")
    unit = {
        "kind": KIND,
        "name": name,
        "description": body.get("description") or "",
        "orgUnitPath": path,
        "orgUnitId": "id:03ph8a2z" + alnum_id(7),
        "parentOrgUnitPath": parent["orgUnitPath"],
        "parentOrgUnitId": parent["orgUnitId"],
        "blockInheritance": False,
    }
    call.store.put("orgunit", call.tenant_id, unit["orgUnitId"], unit)
    call.store.key_set("orgunit_path", call.tenant_id, path, unit["orgUnitId"])
    call.admin_event("CREATE_ORG_UNIT", "ORG_SETTINGS", ORG_UNIT_NAME=path)
    return _public(unit)


@handles("directory.orgunits.get")
def get(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customerId"])
    return _public(_get_unit(call, call.params["orgUnitPath"]))


@handles("directory.orgunits.list")
def list_units(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customerId"])
    base = _get_unit(call, call.params.get("orgUnitPath") or "/")
    kind = call.params.get("type") or "children"
    units = call.store.list("orgunit", call.tenant_id)
    prefix = base["orgUnitPath"].rstrip("/").lower() + "/"
    if kind == "children":
        chosen = [u for u in units if u["parentOrgUnitId"] == base["orgUnitId"]]
    else:
        chosen = [u for u in units if u["orgUnitPath"].lower().startswith(prefix)]
        if kind == "allIncludingParent":
            chosen.insert(0, base)
    result: dict[str, Any] = {"kind": "admin#directory#orgUnits", "etag": '"sandbox"'}
    if chosen:
        result["organizationUnits"] = [_public(u) for u in chosen]
    return result


@handles("directory.orgunits.update", "directory.orgunits.patch")
def update(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params["customerId"])
    unit = _get_unit(call, call.params["orgUnitPath"])
    if unit["orgUnitId"] == root_id(call.tenant_id):
        raise errors.invalid("Invalid Input: cannot modify the root organizational unit")
    body = body_dict(call)
    old_path = unit["orgUnitPath"]
    name = _check_name(body["name"]) if body.get("name") is not None else unit["name"]
    parent = unit
    if body.get("parentOrgUnitId") or body.get("parentOrgUnitPath"):
        parent = _parent(call, body)
        if parent["orgUnitPath"] == old_path or parent["orgUnitPath"].lower().startswith(
                old_path.lower() + "/"):
            raise errors.invalid("Invalid Parent Orgunit Id")
    else:
        parent = {"orgUnitPath": unit["parentOrgUnitPath"], "orgUnitId": unit["parentOrgUnitId"]}
    new_path = _join(parent["orgUnitPath"], name)
    if new_path.lower() != old_path.lower() and _path_taken(call, new_path, unit["orgUnitId"]):
        raise errors.invalid("Invalid Ou Id")
    if "description" in body and (body["description"] or "") != unit.get("description", ""):
        unit["description"] = body["description"] or ""
        call.admin_event("EDIT_ORG_UNIT_DESCRIPTION", "ORG_SETTINGS", ORG_UNIT_NAME=old_path)
    if name != unit["name"]:
        call.admin_event("EDIT_ORG_UNIT_NAME", "ORG_SETTINGS", ORG_UNIT_NAME=old_path,
                         NEW_VALUE=name)
    if parent["orgUnitId"] != unit["parentOrgUnitId"]:
        call.admin_event("MOVE_ORG_UNIT", "ORG_SETTINGS", ORG_UNIT_NAME=old_path,
                         NEW_VALUE=parent["orgUnitPath"])
    unit.update(name=name, parentOrgUnitPath=parent["orgUnitPath"],
                parentOrgUnitId=parent["orgUnitId"])
    if new_path != old_path:
        _repath(call, unit, old_path, new_path)
    call.store.put("orgunit", call.tenant_id, unit["orgUnitId"], unit)
    return _public(unit)


def _repath(call: Call, unit: dict[str, Any], old: str, new: str) -> None:
    """A rename or move carries every descendant unit and every user along."""
    store, tenant = call.store, call.tenant_id
    lowered = old.lower()

    def moved(path: str) -> str | None:
        if path.lower() == lowered:
            return new
        if path.lower().startswith(lowered + "/"):
            return new + path[len(old):]
        return None

    store.key_delete("orgunit_path", tenant, old)
    unit["orgUnitPath"] = new
    store.key_set("orgunit_path", tenant, new, unit["orgUnitId"])
    for child in store.list("orgunit", tenant):
        if child["orgUnitId"] == unit["orgUnitId"]:
            continue
        path = moved(child["orgUnitPath"])
        if path is None:
            continue
        store.key_delete("orgunit_path", tenant, child["orgUnitPath"])
        child["orgUnitPath"] = path
        child["parentOrgUnitPath"] = moved(child["parentOrgUnitPath"]) or child[
            "parentOrgUnitPath"]
        store.put("orgunit", tenant, child["orgUnitId"], child)
        store.key_set("orgunit_path", tenant, path, child["orgUnitId"])
    for user in store.list("user", tenant):
        path = moved(user.get("orgUnitPath", "/"))
        if path is not None:
            user["orgUnitPath"] = path
            user.pop("etag", None)
            user["etag"] = etag(user)  # users keep their etag stored, one per change
            store.put("user", tenant, user["id"], user)


@handles("directory.orgunits.delete")
def delete(call: Call) -> None:
    call.resolve_customer(call.params["customerId"])
    unit = _get_unit(call, call.params["orgUnitPath"])
    tenant = call.tenant_id
    if unit["orgUnitId"] == root_id(tenant):
        raise errors.invalid("Invalid Input: cannot delete the root organizational unit")
    path = unit["orgUnitPath"].lower()
    has_children = any(u["parentOrgUnitId"] == unit["orgUnitId"]
                       for u in call.store.list("orgunit", tenant))
    has_users = any(u.get("orgUnitPath", "/").lower() == path
                    for u in call.store.list("user", tenant))
    if has_children or has_users:
        raise errors.condition_not_met(
            "Org unit has users or child org units, so it cannot be deleted.")
    call.store.delete("orgunit", tenant, unit["orgUnitId"])
    call.store.key_delete("orgunit_path", tenant, unit["orgUnitPath"])
    call.admin_event("REMOVE_ORG_UNIT", "ORG_SETTINGS", ORG_UNIT_NAME=unit["orgUnitPath"])
