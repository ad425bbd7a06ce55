"""Drive v3 permissions on files and shared drives (`files/{fileId}/permissions`).

`fileId` may be a file or a shared drive id (membership of a shared drive is a permission on the
drive). Google's rules kept here: organizer/fileOrganizer only on shared drives, no anyone/domain
on a shared drive itself, owner only through `transferOwnership` inside the tenant, the drive's
`domainUsersOnly` / `driveMembersOnly` restrictions, and a shared drive never loses its last
organizer. A principal has one stable permission id, so sharing twice updates the first grant.
Every change records a Drive audit event (change_user_access / change_document_visibility).
"""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call, body_dict, handles, page
from workspace_coach.sandbox.resources.drive_access import (
    FOLDER,
    ROLE_RANK,
    actor,
    display_name,
    doc_type,
    drive_event,
    file_not_found,
    file_role,
    get_drive,
    get_file,
    insufficient_file_permissions,
    permission_id_for,
    tenant_domains,
)

TYPES = ("user", "group", "domain", "anyone")
DEFAULT_FIELDS = ("kind", "id", "type", "role", "emailAddress", "domain", "allowFileDiscovery")
ACCESS = {"owner": "owner", "organizer": "can_manage", "fileOrganizer": "can_organize",
          "writer": "can_edit", "commenter": "can_comment", "reader": "can_view"}


class Target:
    """What a permission hangs on: a shared drive or a file (maybe inside a shared drive)."""

    def __init__(self, call: Call, need: str) -> None:
        self.id = call.params["fileId"]
        admin = bool(call.params.get("useDomainAdminAccess"))
        drive = call.store.get("drive", call.tenant_id, self.id)
        self.file: dict[str, Any] | None = None
        if drive is not None:
            if not (call.params.get("supportsAllDrives") or call.params.get("supportsTeamDrives")):
                raise file_not_found(self.id)
            mutate = need != "reader"
            try:
                self.drive, self.role = get_drive(call, self.id, admin, ready_check=mutate)
            except errors.GoogleError as exc:
                if exc.code == 404:
                    raise file_not_found(self.id) from None
                raise
            if ROLE_RANK[self.role] < ROLE_RANK[need]:
                raise insufficient_file_permissions()
            self.is_drive = True
            return
        self.is_drive = False
        self.file, self.role = get_file(call, self.id, need="reader")
        self.drive = (call.store.get("drive", call.tenant_id, self.file["driveId"])
                      if self.file.get("driveId") else None)
        if admin and actor(call).admin and self.drive is not None:
            self.role = "organizer"
        if ROLE_RANK[self.role] < ROLE_RANK[need]:
            raise insufficient_file_permissions()
        if need != "reader" and self.drive is not None and not call.realism.drive_ready(
                call.store.created_at("drive", call.tenant_id, self.drive["id"])):
            raise file_not_found(self.id)

    @property
    def drive_id(self) -> str | None:
        return self.drive["id"] if self.drive else None

    def title(self) -> str:
        return self.drive["name"] if self.is_drive else self.file["name"]  # type: ignore[index]

    def kind(self) -> str:
        return "shared_drive" if self.is_drive else doc_type(self.file["mimeType"])  # type: ignore[index]


def _key(target: str, permission_id: str) -> str:
    return f"{target}:{permission_id}"


def _stored(call: Call, target: Target) -> list[dict[str, Any]]:
    return call.store.list("permission", call.tenant_id, parent=target.id)


def visible_permissions(call: Call, target: Target) -> list[dict[str, Any]]:
    """Direct permissions, plus a shared drive's members on its items (marked inherited)."""
    merged: dict[str, dict[str, Any]] = {}
    if target.drive is not None and not target.is_drive:
        for member in call.store.list("permission", call.tenant_id, parent=target.drive["id"]):
            copy = dict(member)
            copy["permissionDetails"] = [{"permissionType": "member", "role": member["role"],
                                          "inherited": True,
                                          "inheritedFrom": target.drive["id"]}]
            merged[member["id"]] = copy
    for own in _stored(call, target):
        if own["id"] in merged:
            base = merged[own["id"]]
            base["permissionDetails"] = base["permissionDetails"] + own.get(
                "permissionDetails", [])
            if ROLE_RANK[own["role"]] > ROLE_RANK[base["role"]]:
                base["role"] = own["role"]
        else:
            merged[own["id"]] = dict(own)
    return list(merged.values())


def _public(call: Call, permission: dict[str, Any]) -> dict[str, Any]:
    if call.fields:
        return permission
    return {k: permission[k] for k in DEFAULT_FIELDS if k in permission}


def _check_role_for_target(call: Call, target: Target, kind: str, role: str) -> None:
    if target.drive is None:
        if role == "organizer":
            raise errors.GoogleError(403, "organizerOnNonTeamDriveNotSupported",
                                     "The organizer role is only supported on shared drives.")
        if role == "fileOrganizer":
            raise errors.GoogleError(403, "fileOrganizerOnNonTeamDriveNotSupported",
                                     "The fileOrganizer role is only supported on shared drives.")
        return
    if role == "owner":
        raise errors.GoogleError(403, "ownerOnTeamDriveItemNotSupported",
                                 "Shared drive items cannot have an owner.")
    if target.is_drive and kind in ("domain", "anyone"):
        raise errors.GoogleError(
            403, "cannotShareTeamDriveTopFolderWithAnyoneOrDomains",
            "A shared drive itself cannot be shared with anyone or with a whole domain.")
    if not target.is_drive and role == "organizer":
        raise errors.GoogleError(403, "organizerOnNonTeamDriveItemNotSupported",
                                 "The organizer role is only supported on the shared drive itself.")


def _check_restrictions(call: Call, target: Target, kind: str, address: str) -> None:
    if target.drive is None:
        return
    restrictions = target.drive["restrictions"]
    domains = tenant_domains(call)
    if restrictions.get("domainUsersOnly"):
        outside = (kind == "anyone" or (kind == "domain" and address not in domains) or
                   (kind in ("user", "group") and address.split("@")[-1] not in domains))
        if outside:
            raise errors.GoogleError(
                403, "teamDriveDomainUsersOnlyRestriction",
                "The user does not have permission to share this item outside the shared "
                "drive's domain.")
    if restrictions.get("driveMembersOnly") and not target.is_drive:
        member = any(p.get("emailAddress", "").lower() == address
                     for p in call.store.list("permission", call.tenant_id,
                                              parent=target.drive["id"]))
        if not member:
            raise errors.GoogleError(
                403, "teamDriveTeamMembersOnlyRestriction",
                "Items in this shared drive can only be shared with its members.")
    if (target.file is not None and target.file["mimeType"] == FOLDER and
            restrictions.get("sharingFoldersRequiresOrganizerPermission") and
            target.role != "organizer"):
        raise insufficient_file_permissions()


def _organizers(call: Call, target: Target) -> list[dict[str, Any]]:
    return [p for p in _stored(call, target) if p["role"] == "organizer"]


def _last_organizer(call: Call, target: Target, permission: dict[str, Any], new_role: str | None,
                    reason: str) -> None:
    if not target.is_drive or permission["role"] != "organizer" or new_role == "organizer":
        return
    if len(_organizers(call, target)) <= 1:
        raise errors.GoogleError(403, reason,
                                 "The shared drive must have at least one organizer.")


def _record(call: Call, target: Target, permission: dict[str, Any], old: str | None,
            new: str | None) -> None:
    params: dict[str, Any] = {
        "doc_id": target.id, "doc_title": target.title(), "doc_type": target.kind(),
        "owner_is_shared_drive": target.drive is not None,
        "shared_drive_id": target.drive_id,
        "owner": None if target.drive is not None else (target.file or {}).get("_owner"),
        "primary_event": True, "billable": True,
    }
    kind = permission["type"]
    if kind in ("user", "group"):
        address = permission["emailAddress"]
        external = address.split("@")[-1] not in tenant_domains(call)
        params.update({"target_user": address,
                       "new_value": [ACCESS[new] if new else "none"],
                       "old_value": [ACCESS[old] if old else "none"],
                       "visibility_change": "external" if external else "internal",
                       "visibility": "shared_externally" if external else "shared_internally"})
        drive_event(call, "acl_change", "change_user_access", **params)
        return
    if kind == "anyone":
        visible = "public_on_the_web" if permission.get("allowFileDiscovery") else \
            "people_with_link"
    else:
        visible = "public_in_the_domain" if permission.get("allowFileDiscovery") else \
            "people_within_domain_with_link"
    params.update({"new_value": [visible if new else "private"],
                   "old_value": [visible if old else "private"],
                   "visibility_change": "external" if kind == "anyone" else "internal",
                   "visibility": visible if new else "private"})
    drive_event(call, "acl_change", "change_document_visibility", **params)


def _transfer_ownership(call: Call, target: Target, address: str) -> None:
    """The new owner takes over; the previous owner stays on as a writer (Drive's behaviour)."""
    if not call.params.get("transferOwnership"):
        raise errors.GoogleError(
            403, "forbidden", "The transferOwnership parameter must be enabled when the "
            "permission role is 'owner'.")
    if address.split("@")[-1] not in tenant_domains(call) or target.role != "owner":
        raise errors.GoogleError(
            403, "ownershipChangeAcrossDomainNotPermitted",
            "Bad Request. User message: \"Ownership can only be transferred to another user in "
            "the same organization as the current owner.\"")
    assert target.file is not None
    for permission in _stored(call, target):
        if permission["role"] == "owner":
            permission["role"] = "writer"
            call.store.put("permission", call.tenant_id, _key(target.id, permission["id"]),
                           permission, parent=target.id)
    target.file["_owner"] = address
    call.store.put("file", call.tenant_id, target.file["id"], target.file,
                   parent=target.file.get("driveId") or "")


@handles("drive.permissions.create")
def create(call: Call) -> dict[str, Any]:
    target = Target(call, "writer")
    body = body_dict(call)
    kind, role = body.get("type"), body.get("role")
    if not kind:
        raise errors.required("type")
    if not role:
        raise errors.required("role")
    if kind not in TYPES:
        raise errors.invalid(f"The permission type field is invalid: {kind}")
    if kind not in ("user", "group") and "sendNotificationEmail" in call.params:
        # Refused whatever its value: the flag exists only for people and groups.
        raise errors.GoogleError(
            403, "forbidden", "The sendNotificationEmail parameter is only applicable for "
            "permissions of type 'user' or 'group', and must not be disabled for ownership "
            "transfers.", extra={"location": "sendNotificationEmail",
                                 "locationType": "parameter"})
    if role not in ROLE_RANK:
        raise errors.invalid(f"The permission role field is invalid: {role}")
    address = ""
    if kind in ("user", "group"):
        address = str(body.get("emailAddress") or "").strip().lower()
        if not address:
            raise errors.GoogleError(400, "invalidSharingRequest",
                                     "Bad Request. User message: \"You must provide an email "
                                     "address for this permission type.\"")
        if "@" not in address or " " in address:
            raise errors.GoogleError(400, "invalid", "Invalid email address.")
    elif kind == "domain":
        address = str(body.get("domain") or "").strip().lower()
        if not address:
            raise errors.required("domain")
    _check_role_for_target(call, target, kind, role)
    _check_restrictions(call, target, kind, address)
    discover = bool(body.get("allowFileDiscovery", False)) if kind in ("domain", "anyone") else False
    permission_id = permission_id_for(kind, address, discover, call.store, call.tenant_id)
    key = _key(target.id, permission_id)
    existing = call.store.get("permission", call.tenant_id, key)
    if role == "owner":
        _transfer_ownership(call, target, address)
    permission: dict[str, Any] = existing or {"kind": "drive#permission", "id": permission_id,
                                              "type": kind}
    old_role = existing["role"] if existing else None
    if existing is not None:
        _last_organizer(call, target, existing, role, "cannotUpdatePermission")
    permission["role"] = role
    if kind in ("user", "group"):
        permission["emailAddress"] = address
        permission["displayName"] = display_name(call, address)
    elif kind == "domain":
        permission["domain"] = address
        permission["displayName"] = address
    if kind in ("domain", "anyone"):
        permission["allowFileDiscovery"] = discover
    if body.get("expirationTime"):
        permission["expirationTime"] = body["expirationTime"]
    permission["deleted"] = False
    if target.drive is not None:
        permission["permissionDetails"] = [{
            "permissionType": "member" if target.is_drive else "file", "role": role,
            "inherited": False}]
    call.store.put("permission", call.tenant_id, key, permission, parent=target.id)
    if old_role != role:
        _record(call, target, permission, old_role, role)
    return _public(call, permission)


@handles("drive.permissions.list")
def list_permissions(call: Call) -> dict[str, Any]:
    target = Target(call, "reader")
    items = visible_permissions(call, target)
    size = call.params.get("pageSize") or (100 if target.drive is not None else max(len(items), 1))
    chunk, token = page(items, size, call.params.get("pageToken"))
    result: dict[str, Any] = {"kind": "drive#permissionList",
                              "permissions": [_public(call, p) for p in chunk]}
    if token:
        result["nextPageToken"] = token
    return result


def _find(call: Call, target: Target) -> dict[str, Any]:
    wanted = call.params["permissionId"]
    for permission in visible_permissions(call, target):
        if permission["id"] == wanted:
            return permission
    raise errors.GoogleError(404, "notFound", f"Permission not found: {wanted}.",
                             extra={"locationType": "parameter", "location": "permissionId"})


@handles("drive.permissions.get")
def get(call: Call) -> dict[str, Any]:
    target = Target(call, "reader")
    return _public(call, _find(call, target))


def _direct(call: Call, target: Target, permission: dict[str, Any]) -> dict[str, Any]:
    stored = call.store.get("permission", call.tenant_id, _key(target.id, permission["id"]))
    if stored is None:
        raise errors.GoogleError(403, "cannotModifyInheritedTeamDrivePermission",
                                 "The permission is inherited from the shared drive and cannot "
                                 "be changed on this item.")
    return stored


@handles("drive.permissions.update")
def update(call: Call) -> dict[str, Any]:
    target = Target(call, "writer")
    permission = _direct(call, target, _find(call, target))
    body = body_dict(call)
    role = body.get("role") or permission["role"]
    if role not in ROLE_RANK:
        raise errors.invalid(f"The permission role field is invalid: {role}")
    if permission["role"] == "owner" and role != "owner":
        raise errors.GoogleError(403, "cannotRemoveOwner",
                                 "The owner of a file cannot be removed or downgraded; transfer "
                                 "ownership first.")
    _check_role_for_target(call, target, permission["type"], role)
    _last_organizer(call, target, permission, role, "cannotUpdatePermission")
    old_role = permission["role"]
    if role == "owner" and old_role != "owner":
        _transfer_ownership(call, target, permission.get("emailAddress", ""))
    permission["role"] = role
    if "expirationTime" in body:
        permission["expirationTime"] = body["expirationTime"]
    if call.params.get("removeExpiration"):
        permission.pop("expirationTime", None)
    if permission.get("permissionDetails"):
        permission["permissionDetails"] = [{**d, "role": role} for d in
                                           permission["permissionDetails"]]
    call.store.put("permission", call.tenant_id, _key(target.id, permission["id"]), permission,
                   parent=target.id)
    if old_role != role:
        _record(call, target, permission, old_role, role)
    return _public(call, permission)


@handles("drive.permissions.delete")
def delete(call: Call) -> None:
    target = Target(call, "writer")
    permission = _direct(call, target, _find(call, target))
    if permission["role"] == "owner":
        raise errors.GoogleError(403, "cannotRemoveOwner", "The owner of a file cannot be removed.")
    _last_organizer(call, target, permission, None, "cannotDeletePermission")
    call.store.delete("permission", call.tenant_id, _key(target.id, permission["id"]))
    _record(call, target, permission, permission["role"], None)


def remove_drive_memberships(call: Call, email: str) -> int:
    """A deleted account leaves every shared drive it belonged to, as in Drive: its files in
    shared drives stay, and a drive whose only organizer it was is left with none (Google's
    "shared drives without managers"). Returns how many memberships were removed."""
    email = email.lower()
    removed = 0
    for drive in call.store.list("drive", call.tenant_id):
        for permission in call.store.list("permission", call.tenant_id, parent=drive["id"]):
            if permission.get("type") == "user" and \
                    permission.get("emailAddress", "").lower() == email:
                call.store.delete("permission", call.tenant_id, _key(drive["id"],
                                                                     permission["id"]))
                removed += 1
    return removed


def has_sharing(call: Call, item: dict[str, Any]) -> bool:
    """A file is `shared` once anyone besides its owner has a permission on it."""
    return any(p["role"] != "owner" for p in
               call.store.list("permission", call.tenant_id, parent=item["id"]))


__all__ = ["file_role", "has_sharing", "remove_drive_memberships", "visible_permissions"]
