"""Who may see and change what in Drive: shared drives, files and their permissions.

Shared by the drive_* and sheets_* modules. Storage conventions:
- shared drives are `kind="drive"`, id like Google's (`0A...Uk9PVA`), doc shaped like `Drive`;
- files are `kind="file"`, doc shaped like `File` plus private `_`-prefixed keys (owner, root);
- permissions are `kind="permission"`, id `<file or drive id>:<permission id>`, parent = the file or
  drive id, doc shaped like `Permission`. A principal's permission id is stable (Google derives it
  from the account), so granting the same address twice updates one permission.
- each user's My Drive root folder id is a key of kind `drive_root` (user email -> folder id).

A user's role on an item is the highest of: their membership of its shared drive, permissions on
the item and its ancestor folders that name them, a group they belong to, their domain, or anyone.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from workspace_coach.sandbox import errors, events
from workspace_coach.sandbox.resources import Call, now_rfc3339
from workspace_coach.sandbox.resources.directory_users import find_user, is_admin

ROLE_RANK = {"reader": 1, "commenter": 2, "writer": 3, "fileOrganizer": 4, "organizer": 5,
             "owner": 6}
FOLDER = "application/vnd.google-apps.folder"
SPREADSHEET = "application/vnd.google-apps.spreadsheet"
_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


# -- ids ------------------------------------------------------------------------------------------

def drive_id() -> str:
    """Shared drive ids look like `0AJ0dQ6nQhVn8Uk9PVA`."""
    return "0A" + "".join(secrets.choice(string.ascii_letters + string.digits)
                          for _ in range(11)) + "Uk9PVA"


def file_id() -> str:
    """File ids are 44 characters starting with `1` (33 for older files)."""
    return "1" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(43))


def permission_id_for(kind: str, email_or_domain: str, allow_discovery: bool,
                      store: Any = None, tenant: str = "") -> str:
    """Stable ids like Google's: numeric per account, `anyoneWithLink`, domain ids ending in k."""
    if kind == "anyone":
        return "anyone" if allow_discovery else "anyoneWithLink"
    value = email_or_domain.lower()
    if kind == "user" and store is not None:
        user = find_user(store, tenant, value)
        if user is not None:
            return user["id"][:20]
    digits = str(int(hashlib.sha1(f"{kind}:{value}".encode()).hexdigest(), 16))[:20]
    if kind == "domain" and not allow_discovery:
        return digits + "k"
    return digits


# -- who is calling -------------------------------------------------------------------------------

@dataclass
class Actor:
    email: str
    domain: str
    tenant: str
    admin: bool
    user_id: str = ""
    _groups: set[str] | None = field(default=None, repr=False)

    def groups(self, call: Call) -> set[str]:
        """Addresses of the groups the user belongs to (direct membership)."""
        if self._groups is None:
            self._groups = _groups_by_scan(call, self.user_id) if self.user_id else set()
        return self._groups


def _groups_by_scan(call: Call, user_id: str) -> set[str]:
    rows = call.store.execute(
        "SELECT parent FROM objects WHERE kind='member' AND tenant=? AND id LIKE ?",
        (call.tenant_id, f"%:{user_id}"),
    ).fetchall()
    out = set()
    for (group_id,) in rows:
        group = call.store.get("group", call.tenant_id, group_id)
        if group:
            out.add(group["email"].lower())
    return out


def actor(call: Call) -> Actor:
    cached = getattr(call, "_drive_actor", None)
    if cached is not None:
        return cached
    email = call.principal.email.lower()
    user = find_user(call.store, call.tenant_id, email)
    found = Actor(email=email, domain=email.split("@")[-1], tenant=call.tenant_id,
                  admin=is_admin(call.store, call.tenant_id, email),
                  user_id=user["id"] if user else "")
    object.__setattr__(call, "_drive_actor", found)
    return found


def tenant_domains(call: Call) -> list[str]:
    return [d.lower() for d in call.tenant()["domains"]]


def display_name(call: Call, email: str) -> str:
    user = find_user(call.store, call.tenant_id, email)
    if user:
        return user["name"].get("fullName") or email
    group_ref = call.store.key_lookup("email", call.tenant_id, email)
    if group_ref and group_ref.startswith("group:"):
        group = call.store.get("group", call.tenant_id, group_ref[6:])
        if group:
            return group.get("name") or email
    return email.split("@")[0]


# -- roles ----------------------------------------------------------------------------------------

def matches(call: Call, who: Actor, permission: dict[str, Any], discovery: bool = False) -> bool:
    """Whether a permission applies to the actor (for listing, link-only grants do not count)."""
    kind = permission.get("type")
    if kind == "user":
        return permission.get("emailAddress", "").lower() == who.email
    if kind == "group":
        return permission.get("emailAddress", "").lower() in who.groups(call)
    if kind == "domain":
        if discovery and not permission.get("allowFileDiscovery"):
            return False
        return permission.get("domain", "").lower() == who.domain
    if kind == "anyone":
        return not discovery or bool(permission.get("allowFileDiscovery"))
    return False


def best_role(call: Call, who: Actor, target: str, discovery: bool = False) -> str | None:
    best: str | None = None
    for permission in call.store.list("permission", call.tenant_id, parent=target):
        if matches(call, who, permission, discovery) and (
                best is None or ROLE_RANK[permission["role"]] > ROLE_RANK[best]):
            best = permission["role"]
    return best


def _higher(a: str | None, b: str | None) -> str | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if ROLE_RANK[a] >= ROLE_RANK[b] else b


def drive_role(call: Call, drive: dict[str, Any], admin_access: bool = False) -> str | None:
    """The actor's role on a shared drive; an admin using domain admin access acts as organizer."""
    who = actor(call)
    role = best_role(call, who, drive["id"])
    if admin_access and who.admin:
        role = _higher(role, "organizer")
    return role


def file_role(call: Call, file: dict[str, Any], discovery: bool = False) -> str | None:
    """The actor's role on a file: drive membership, then grants on it and its folders."""
    who = actor(call)
    role: str | None = None
    if file.get("driveId"):
        drive = call.store.get("drive", call.tenant_id, file["driveId"])
        if drive:
            role = best_role(call, who, drive["id"])
    seen: set[str] = set()
    current: dict[str, Any] | None = file
    while current is not None and current["id"] not in seen:
        seen.add(current["id"])
        role = _higher(role, best_role(call, who, current["id"], discovery))
        parents = current.get("parents") or []
        current = call.store.get("file", call.tenant_id, parents[0]) if parents else None
    return role


# -- lookups --------------------------------------------------------------------------------------

def drive_not_found(drive: str) -> errors.GoogleError:
    return errors.GoogleError(404, "notFound", f"Shared drive not found: {drive}",
                              extra={"locationType": "parameter", "location": "driveId"})


def file_not_found(item: str) -> errors.GoogleError:
    return errors.GoogleError(404, "notFound", f"File not found: {item}.",
                              extra={"locationType": "parameter", "location": "fileId"})


def insufficient_file_permissions() -> errors.GoogleError:
    return errors.GoogleError(403, "insufficientFilePermissions",
                              "The user does not have sufficient permissions for this file.")


def get_drive(call: Call, drive: str, admin_access: bool = False,
              ready_check: bool = False) -> tuple[dict[str, Any], str]:
    """A shared drive the actor can see, with their role; otherwise Google's 404."""
    doc = call.store.get("drive", call.tenant_id, drive)
    if doc is None:
        raise drive_not_found(drive)
    if admin_access and not actor(call).admin:
        raise errors.GoogleError(
            403, "forbidden", "The user does not have sufficient permissions for this shared "
            "drive; useDomainAdminAccess needs an administrator.")
    role = drive_role(call, doc, admin_access)
    if role is None:
        raise drive_not_found(drive)
    if ready_check and not call.realism.drive_ready(
            call.store.created_at("drive", call.tenant_id, drive)):
        raise drive_not_found(drive)
    return doc, role


def my_drive_root(call: Call, email: str | None = None) -> str:
    """The id of a user's My Drive root folder (made on first use)."""
    email = (email or actor(call).email).lower()
    root = call.store.key_lookup("drive_root", call.tenant_id, email)
    if root is None:
        root = "0A" + "".join(secrets.choice(string.ascii_letters + string.digits)
                              for _ in range(11)) + "Uk9PVA"
        call.store.key_set("drive_root", call.tenant_id, email, root)
    return root


def get_file(call: Call, item: str, *, need: str = "reader") -> tuple[dict[str, Any], str]:
    """A file the actor can access with at least `need`; Google answers 404 when it is invisible
    (also for shared drive items without supportsAllDrives) and 403 when the role is too low."""
    doc = call.store.get("file", call.tenant_id, item)
    if doc is None:
        raise file_not_found(item)
    if doc.get("driveId") and not (call.params.get("supportsAllDrives")
                                   or call.params.get("supportsTeamDrives")):
        raise file_not_found(item)
    role = file_role(call, doc)
    if role is None:
        raise file_not_found(item)
    if ROLE_RANK[role] < ROLE_RANK[need]:
        raise insufficient_file_permissions()
    return doc, role


def drive_has_items(call: Call, drive: str) -> bool:
    rows = call.store.execute(
        "SELECT data FROM objects WHERE kind='file' AND tenant=? AND parent=?",
        (call.tenant_id, drive)).fetchall()
    import json

    return any(not json.loads(r[0]).get("trashed") for r in rows)


# -- events ---------------------------------------------------------------------------------------

def drive_event(call: Call, event_type: str, name: str, **params: object) -> None:
    """A Drive audit event (Reports API application `drive`)."""
    who = actor(call)
    events.record(call.store, call.tenant_id, "drive", who.email, event_type, name,
                  {k: v for k, v in params.items() if v is not None}, actor_id=who.user_id)


DOC_TYPES = {
    "application/vnd.google-apps.document": "document",
    SPREADSHEET: "spreadsheet",
    "application/vnd.google-apps.presentation": "presentation",
    "application/vnd.google-apps.form": "form",
    FOLDER: "folder",
}


def doc_type(mime: str) -> str:
    return DOC_TYPES.get(mime, "unknown")


def stamp() -> str:
    return now_rfc3339()
