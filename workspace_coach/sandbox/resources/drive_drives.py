"""Shared drives (Drive v3 `drives`): create (a requestId is used once: 409 when repeated), list,
update, delete.

The creator becomes the drive's organizer (a permission with the drive as parent). `hidden` is
per user, as in Drive. A drive created less than `drive_ready_ms` ago cannot be changed yet: Google
answers 404 "Shared drive not found" for a while after drives.create, and so does the sandbox.
"""

from __future__ import annotations

import json
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call, body_dict, handles, page
from workspace_coach.sandbox.resources.drive_access import (
    ROLE_RANK,
    actor,
    display_name,
    drive_has_items,
    drive_id,
    drive_role,
    get_drive,
    permission_id_for,
    stamp,
)
from workspace_coach.sandbox.resources.drive_query import matcher

RESTRICTIONS = ("adminManagedRestrictions", "copyRequiresWriterPermission", "domainUsersOnly",
                "driveMembersOnly", "sharingFoldersRequiresOrganizerPermission")
MUTABLE = ("name", "colorRgb", "themeId", "backgroundImageLink")
DEFAULT_COLOR = "#4986e7"
DEFAULT_LIST_FIELDS = ("kind", "id", "name")

_ALL_CAPS = (
    "canAddChildren", "canChangeCopyRequiresWriterPermissionRestriction",
    "canChangeDomainUsersOnlyRestriction", "canChangeDownloadRestriction",
    "canChangeDriveBackground", "canChangeDriveMembersOnlyRestriction",
    "canChangeSharingFoldersRequiresOrganizerPermissionRestriction", "canComment", "canCopy",
    "canDeleteChildren", "canDeleteDrive", "canDownload", "canEdit", "canListChildren",
    "canManageMembers", "canReadRevisions", "canRename", "canRenameDrive",
    "canResetDriveRestrictions", "canShare", "canTrashChildren",
)
_GRANTS = {
    "reader": {"canCopy", "canDownload", "canListChildren"},
    "commenter": {"canCopy", "canDownload", "canListChildren", "canComment"},
    "writer": {"canCopy", "canDownload", "canListChildren", "canComment", "canAddChildren",
               "canEdit", "canReadRevisions", "canRename", "canShare"},
    "fileOrganizer": {"canCopy", "canDownload", "canListChildren", "canComment",
                      "canAddChildren", "canEdit", "canReadRevisions", "canRename", "canShare",
                      "canDeleteChildren", "canTrashChildren"},
}


def capabilities(drive: dict[str, Any], role: str | None, admin_managed_ok: bool) -> dict[str, bool]:
    if role == "organizer":
        granted = set(_ALL_CAPS)
        if drive["restrictions"].get("adminManagedRestrictions") and not admin_managed_ok:
            granted -= {c for c in _ALL_CAPS if c.startswith("canChange") and
                        c.endswith("Restriction")} | {"canResetDriveRestrictions"}
    else:
        granted = set(_GRANTS.get(role or "", set()))
        if drive["restrictions"].get("copyRequiresWriterPermission") and role in (
                "reader", "commenter"):
            granted -= {"canCopy", "canDownload"}
    return {name: name in granted for name in _ALL_CAPS}


def public(call: Call, drive: dict[str, Any], role: str | None,
           admin_access: bool = False) -> dict[str, Any]:
    out = {k: v for k, v in drive.items() if not k.startswith("_")}
    out["hidden"] = actor(call).email in drive.get("_hiddenFor", [])
    out["capabilities"] = capabilities(drive, role, admin_access and actor(call).admin)
    return out


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False)


def _save(call: Call, drive: dict[str, Any]) -> None:
    call.store.put("drive", call.tenant_id, drive["id"], drive)


@handles("drive.drives.create")
def create(call: Call) -> dict[str, Any]:
    body = body_dict(call)
    request_id = call.params.get("requestId")
    if not request_id:
        raise errors.GoogleError(400, "required", "Required parameter: requestId",
                                 extra={"locationType": "parameter", "location": "requestId"})
    who = actor(call)
    key = f"{who.email}:{request_id}"
    if call.store.get("drive_request", call.tenant_id, key) is not None:
        # Google: "If the shared drive already exists a 409 error will be returned" -- also
        # for the very request that made it, and after the drive was deleted: a requestId is
        # used once. The caller finds the drive by name instead.
        raise errors.GoogleError(
            409, "teamDriveAlreadyExists",
            "A shared drive with this requestId already exists.")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise errors.required("name")
    new_id = drive_id()
    drive: dict[str, Any] = {
        "kind": "drive#drive",
        "id": new_id,
        "name": name,
        "colorRgb": body.get("colorRgb") or DEFAULT_COLOR,
        "createdTime": stamp(),
        "hidden": False,
        "restrictions": {name: False for name in RESTRICTIONS},
    }
    for extra in ("themeId", "backgroundImageLink"):
        if body.get(extra):
            drive[extra] = body[extra]
    _save(call, drive)
    call.store.put("drive_request", call.tenant_id, key,
                   {"driveId": new_id, "body": _canonical(body)})
    permission = permission_id_for("user", who.email, False, call.store, call.tenant_id)
    call.store.put("permission", call.tenant_id, f"{new_id}:{permission}", {
        "kind": "drive#permission", "id": permission, "type": "user",
        "emailAddress": who.email, "role": "organizer",
        "displayName": display_name(call, who.email),
        "permissionDetails": [{"permissionType": "member", "role": "organizer",
                               "inherited": False}],
    }, parent=new_id)
    return public(call, drive, "organizer")


@handles("drive.drives.get")
def get(call: Call) -> dict[str, Any]:
    admin = bool(call.params.get("useDomainAdminAccess"))
    drive, role = get_drive(call, call.params["driveId"], admin)
    return public(call, drive, role, admin)


def _member_count(call: Call, drive: dict[str, Any], role: str | None = None) -> int:
    return sum(1 for p in call.store.list("permission", call.tenant_id, parent=drive["id"])
               if role is None or p["role"] == role)


@handles("drive.drives.list")
def list_drives(call: Call) -> dict[str, Any]:
    admin = bool(call.params.get("useDomainAdminAccess"))
    who = actor(call)
    if admin and not who.admin:
        raise errors.GoogleError(
            403, "noListTeamDrivesAdministratorPrivilege",
            "The user does not have administrator privileges to list all shared drives.")
    rows = []
    for drive in call.store.list("drive", call.tenant_id):
        role = drive_role(call, drive, admin)
        if role is not None:
            rows.append((drive, role))
    predicate = matcher(call.params.get("q"), {
        "name": lambda r: r[0]["name"],
        "hidden": lambda r: who.email in r[0].get("_hiddenFor", []),
        "createdTime": lambda r: r[0]["createdTime"],
        "memberCount": lambda r: _member_count(call, r[0]),
        "organizerCount": lambda r: _member_count(call, r[0], "organizer"),
        "orgUnitId": lambda r: r[0].get("orgUnitId", ""),
    })
    rows = [r for r in rows if predicate(r)]
    chunk, token = page(rows, call.params.get("pageSize", 10), call.params.get("pageToken"))
    items = [public(call, d, role, admin) for d, role in chunk]
    if not call.fields:
        items = [{k: d[k] for k in DEFAULT_LIST_FIELDS} for d in items]
    result: dict[str, Any] = {"kind": "drive#driveList", "drives": items}
    if token:
        result["nextPageToken"] = token
    return result


def _need_organizer(role: str) -> None:
    if ROLE_RANK[role] < ROLE_RANK["organizer"]:
        raise errors.GoogleError(
            403, "insufficientFilePermissions",
            "The user does not have sufficient permissions for this file.")


@handles("drive.drives.update")
def update(call: Call) -> dict[str, Any]:
    admin = bool(call.params.get("useDomainAdminAccess"))
    drive, role = get_drive(call, call.params["driveId"], admin, ready_check=True)
    _need_organizer(role)
    body = body_dict(call)
    for key in MUTABLE:
        if key in body and body[key] is not None:
            if key == "name" and not str(body[key]).strip():
                raise errors.invalid("Invalid Value")
            drive[key] = body[key]
    wanted = body.get("restrictions") or {}
    if wanted:
        unknown = set(wanted) - set(RESTRICTIONS)
        if unknown:
            raise errors.invalid(f"Invalid field: restrictions.{min(unknown)}")
        admin_ok = admin and actor(call).admin
        touches_admin = "adminManagedRestrictions" in wanted and bool(
            wanted["adminManagedRestrictions"]) != drive["restrictions"]["adminManagedRestrictions"]
        if (touches_admin or drive["restrictions"]["adminManagedRestrictions"]) and not admin_ok:
            raise errors.GoogleError(
                403, "insufficientAdministratorPrivileges",
                "Only a domain administrator using useDomainAdminAccess can change admin-managed "
                "restrictions of this shared drive.")
        for name, value in wanted.items():
            drive["restrictions"][name] = bool(value)
    _save(call, drive)
    return public(call, drive, role, admin)


@handles("drive.drives.delete")
def delete(call: Call) -> None:
    admin = bool(call.params.get("useDomainAdminAccess"))
    drive, role = get_drive(call, call.params["driveId"], admin, ready_check=True)
    _need_organizer(role)
    allow = bool(call.params.get("allowItemDeletion"))
    if allow and not admin:
        raise errors.GoogleError(
            403, "forbidden", "allowItemDeletion is only supported together with "
            "useDomainAdminAccess.")
    if drive_has_items(call, drive["id"]) and not allow:
        raise errors.GoogleError(403, "cannotDeleteResourceWithChildren",
                                 "This resource cannot be deleted because it has children")
    from workspace_coach.sandbox.resources.drive_files import delete_tree

    for item in call.store.list("file", call.tenant_id, parent=drive["id"]):
        delete_tree(call, item)
    call.store.delete_children("permission", call.tenant_id, drive["id"])
    call.store.delete("drive", call.tenant_id, drive["id"])


def _set_hidden(call: Call, hidden: bool) -> dict[str, Any]:
    drive, role = get_drive(call, call.params["driveId"])
    who = actor(call).email
    hidden_for = [e for e in drive.get("_hiddenFor", []) if e != who]
    if hidden:
        hidden_for.append(who)
    drive["_hiddenFor"] = hidden_for
    _save(call, drive)
    return public(call, drive, role)


@handles("drive.drives.hide")
def hide(call: Call) -> dict[str, Any]:
    return _set_hidden(call, True)


@handles("drive.drives.unhide")
def unhide(call: Call) -> dict[str, Any]:
    return _set_hidden(call, False)
