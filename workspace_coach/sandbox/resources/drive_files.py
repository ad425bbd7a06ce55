"""Drive v3 files, metadata only: create, get, list (with `q`, corpora and paging), update, delete.

A file lives in a user's My Drive (owned by its creator, who holds an `owner` permission) or in a
shared drive (`driveId`; the drive owns it). It is visible to users with a permission on it or an
ancestor folder, or with a membership of its shared drive. Shared drive items need
`supportsAllDrives=true`, as at Google. Without `fields=` Drive answers only kind, id, name and
mimeType; with it, the whole File is available. A Google Sheets file also gets spreadsheet content
(one sheet "Sheet1", 1000 x 26) so the Sheets API can open it at once.
"""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call, body_dict, handles, page
from workspace_coach.sandbox.resources.drive_access import (
    FOLDER,
    ROLE_RANK,
    SPREADSHEET,
    actor,
    display_name,
    doc_type,
    drive_event,
    drive_not_found,
    drive_role,
    file_id,
    file_not_found,
    file_role,
    get_file,
    insufficient_file_permissions,
    my_drive_root,
    permission_id_for,
    stamp,
)
from workspace_coach.sandbox.resources.drive_query import matcher

DEFAULT_FIELDS = ("kind", "id", "name", "mimeType")
LINKS = {
    "application/vnd.google-apps.document": "https://docs.google.com/document/d/{}/edit?usp=drivesdk",
    SPREADSHEET: "https://docs.google.com/spreadsheets/d/{}/edit?usp=drivesdk",
    "application/vnd.google-apps.presentation":
        "https://docs.google.com/presentation/d/{}/edit?usp=drivesdk",
    "application/vnd.google-apps.form": "https://docs.google.com/forms/d/{}/edit?usp=drivesdk",
    FOLDER: "https://drive.google.com/drive/folders/{}",
}
MUTABLE = ("name", "description", "starred", "properties", "appProperties",
           "copyRequiresWriterPermission", "writersCanShare", "folderColorRgb")


def _all_drives(call: Call) -> bool:
    return bool(call.params.get("supportsAllDrives") or call.params.get("supportsTeamDrives"))


def _save(call: Call, item: dict[str, Any]) -> None:
    call.store.put("file", call.tenant_id, item["id"], item, parent=item.get("driveId") or "")


def _capabilities(item: dict[str, Any], role: str) -> dict[str, bool]:
    rank = ROLE_RANK[role]
    in_drive = bool(item.get("driveId"))
    folder = item["mimeType"] == FOLDER
    can_delete = rank >= ROLE_RANK["fileOrganizer"] if in_drive else role == "owner"
    return {
        "canAddChildren": folder and rank >= ROLE_RANK["writer"],
        "canComment": rank >= ROLE_RANK["commenter"],
        "canCopy": not folder,
        "canDelete": can_delete,
        "canDownload": True,
        "canEdit": rank >= ROLE_RANK["writer"],
        "canListChildren": folder,
        "canReadRevisions": rank >= ROLE_RANK["writer"],
        "canRename": rank >= ROLE_RANK["writer"],
        "canShare": rank >= ROLE_RANK["writer"],
        "canTrash": can_delete,
        "canUntrash": can_delete,
    }


def render(call: Call, item: dict[str, Any], role: str) -> dict[str, Any]:
    """The File as Google returns it to this caller (default fields unless `fields=`)."""
    if not call.fields:
        return {k: item[k] for k in DEFAULT_FIELDS}
    from workspace_coach.sandbox.resources.drive_permissions import has_sharing

    out = {k: v for k, v in item.items() if not k.startswith("_")}
    me = actor(call).email
    owner = item.get("_owner")
    out["ownedByMe"] = owner == me
    if owner:
        out["owners"] = [{"kind": "drive#user", "displayName": display_name(call, owner),
                          "emailAddress": owner, "me": owner == me,
                          "permissionId": permission_id_for("user", owner, False, call.store,
                                                            call.tenant_id)}]
    out["shared"] = has_sharing(call, item) or bool(item.get("driveId"))
    out["capabilities"] = _capabilities(item, role)
    out["permissionIds"] = [p["id"] for p in
                            call.store.list("permission", call.tenant_id, parent=item["id"])]
    return out


def _resolve_parent(call: Call, parent: str) -> tuple[str, str | None]:
    """(parent id, drive id) for a new child; the caller must be able to add to it."""
    root = my_drive_root(call)
    if parent in ("root", root):
        return root, None
    drive = call.store.get("drive", call.tenant_id, parent)
    if drive is not None:
        if not _all_drives(call):
            raise file_not_found(parent)
        role = drive_role(call, drive)
        if role is None:
            raise file_not_found(parent)
        if not call.realism.drive_ready(call.store.created_at("drive", call.tenant_id, parent)):
            raise file_not_found(parent)  # Google's answer while a new shared drive propagates
        if ROLE_RANK[role] < ROLE_RANK["writer"]:
            raise insufficient_file_permissions()
        return parent, parent
    folder, role = get_file(call, parent)
    if folder["mimeType"] != FOLDER:
        raise errors.GoogleError(400, "badRequest", "The specified parent is not a folder.")
    if ROLE_RANK[role] < ROLE_RANK["writer"]:
        raise insufficient_file_permissions()
    return parent, folder.get("driveId")


def _event(call: Call, name: str, item: dict[str, Any]) -> None:
    drive_event(call, "access", name, doc_id=item["id"], doc_title=item["name"],
                doc_type=doc_type(item["mimeType"]), owner=item.get("_owner"),
                owner_is_shared_drive=bool(item.get("driveId")),
                shared_drive_id=item.get("driveId"),
                visibility="shared_internally" if item.get("driveId") else "private",
                primary_event=True, billable=True)


def new_file(call: Call, name: str, mime: str, parent: str | None,
             extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create a file for the caller (also used by sheets.spreadsheets.create)."""
    parent_id, drive = _resolve_parent(call, parent or "root")
    now = stamp()
    new_id = file_id()
    item: dict[str, Any] = {
        "kind": "drive#file", "id": new_id, "name": name, "mimeType": mime,
        "parents": [parent_id], "createdTime": now, "modifiedTime": now,
        "trashed": False, "explicitlyTrashed": False, "starred": False, "version": "1",
        "spaces": ["drive"], "viewersCanCopyContent": True, "writersCanShare": True,
        "copyRequiresWriterPermission": False,
        "iconLink": f"https://drive-thirdparty.googleusercontent.com/16/type/{mime}",
        "webViewLink": LINKS.get(mime, "https://drive.google.com/file/d/{}/view?usp=drivesdk")
        .format(new_id),
    }
    if drive:
        item["driveId"] = drive
    for key, value in (extra or {}).items():
        if key in MUTABLE and value is not None:
            item[key] = value
    who = actor(call)
    if not drive:
        item["_owner"] = who.email
        owner_id = permission_id_for("user", who.email, False, call.store, call.tenant_id)
        call.store.put("permission", call.tenant_id, f"{new_id}:{owner_id}", {
            "kind": "drive#permission", "id": owner_id, "type": "user", "role": "owner",
            "emailAddress": who.email, "displayName": display_name(call, who.email),
            "deleted": False}, parent=new_id)
    _save(call, item)
    if mime == SPREADSHEET:
        from workspace_coach.sandbox.resources.sheets_spreadsheets import create_content

        create_content(call, new_id, name)
    _event(call, "create", item)
    return item


@handles("drive.files.create")
def create(call: Call) -> dict[str, Any]:
    body = body_dict(call)
    parents = body.get("parents") or []
    if len(parents) > 1:
        raise errors.GoogleError(403, "teamDrivesParentLimit" if _all_drives(call) else
                                 "cannotAddParent",
                                 "A file can only have a single parent.")
    mime = body.get("mimeType") or "application/octet-stream"
    item = new_file(call, body.get("name") or "Untitled", mime,
                    parents[0] if parents else None, body)
    return render(call, item, "organizer" if item.get("driveId") else "owner")


@handles("drive.files.copy")
def copy_file(call: Call) -> dict[str, Any]:
    """A copy of a file the caller can read, named "Copy of <name>" unless the body names it,
    in the original's folder unless the body gives parents; a spreadsheet's content (sheets,
    values, formats, notes, protections) is copied with it."""
    import copy

    source, _role = get_file(call, call.params["fileId"])
    body = body_dict(call)
    parents = body.get("parents") or source.get("parents") or []
    if len(parents) > 1:
        raise errors.GoogleError(403, "cannotAddParent", "A file can only have a single parent.")
    name = body.get("name") or f"Copy of {source['name']}"
    extra = {k: v for k, v in source.items() if k in MUTABLE and k not in ("name", "parents")}
    extra.update(body)
    item = new_file(call, name, source["mimeType"], parents[0] if parents else None, extra)
    content = call.store.get("spreadsheet", call.tenant_id, source["id"])
    if content is not None:
        from workspace_coach.sandbox.resources.sheets_spreadsheets import URL

        duplicate = copy.deepcopy(content)
        duplicate.update({"spreadsheetId": item["id"], "spreadsheetUrl": URL.format(item["id"])})
        duplicate["properties"]["title"] = name
        call.store.put("spreadsheet", call.tenant_id, item["id"], duplicate)
    return render(call, item, "organizer" if item.get("driveId") else "owner")


@handles("drive.files.get")
def get(call: Call) -> dict[str, Any]:
    item, role = get_file(call, call.params["fileId"])
    return render(call, item, role)


# -- list -----------------------------------------------------------------------------------------

def _emails_with(call: Call, item: dict[str, Any], minimum: str) -> list[str]:
    return [p.get("emailAddress", "").lower() for p in
            call.store.list("permission", call.tenant_id, parent=item["id"])
            if ROLE_RANK[p["role"]] >= ROLE_RANK[minimum] and p.get("emailAddress")]


def _query_fields(call: Call) -> dict[str, Any]:
    me = actor(call).email
    root = my_drive_root(call)

    def with_me(emails: list[str]) -> list[str]:
        return emails + (["me"] if me in emails else [])

    def parents(item: dict[str, Any]) -> list[str]:
        found = list(item.get("parents") or [])
        return found + (["root"] if root in found else [])

    return {
        "name": lambda i: i["name"],
        "mimeType": lambda i: i["mimeType"],
        "parents": parents,
        "trashed": lambda i: bool(i.get("trashed")),
        "starred": lambda i: bool(i.get("starred")),
        "createdTime": lambda i: i["createdTime"],
        "modifiedTime": lambda i: i["modifiedTime"],
        "description": lambda i: i.get("description", ""),
        "fullText": lambda i: f"{i['name']} {i.get('description', '')}",
        "owners": lambda i: with_me([i["_owner"]] if i.get("_owner") else []),
        "writers": lambda i: with_me(_emails_with(call, i, "writer")),
        "readers": lambda i: with_me(_emails_with(call, i, "reader")),
        "sharedWithMe": lambda i: not i.get("driveId") and i.get("_owner") != me,
        "properties": lambda i: dict(i.get("properties") or {}),
        "appProperties": lambda i: dict(i.get("appProperties") or {}),
    }


def _list_checks(call: Call) -> tuple[set[str], str | None]:
    params = call.params
    corpora = set((params.get("corpora") or params.get("corpus") or "user").split(","))
    drive = params.get("driveId") or params.get("teamDriveId")
    if ("drive" in corpora) != bool(drive):
        raise errors.GoogleError(
            400, "invalid", "The driveId parameter must be specified if and only if corpora is "
            "set to drive.", extra={"locationType": "parameter", "location": "driveId"})
    all_items = params.get("includeItemsFromAllDrives") or params.get("includeTeamDriveItems")
    if all_items and not _all_drives(call):
        raise errors.GoogleError(
            400, "invalid", "The includeItemsFromAllDrives parameter can only be set to true "
            "when supportsAllDrives is also true.",
            extra={"locationType": "parameter", "location": "includeItemsFromAllDrives"})
    if corpora & {"drive", "allDrives"} and not all_items:
        raise errors.GoogleError(
            400, "invalid", "The includeItemsFromAllDrives parameter must be set to true when "
            "corpora is drive or allDrives.",
            extra={"locationType": "parameter", "location": "includeItemsFromAllDrives"})
    return corpora, drive


_ORDER = {"name": lambda i: i["name"].lower(), "createdTime": lambda i: i["createdTime"],
          "modifiedTime": lambda i: i["modifiedTime"], "folder": lambda i: i["mimeType"] != FOLDER,
          "starred": lambda i: not i.get("starred"), "name_natural": lambda i: i["name"].lower()}


def _order(items: list[tuple[dict[str, Any], str]], order_by: str | None) -> None:
    if not order_by:
        return
    for term in reversed([t.strip() for t in order_by.split(",") if t.strip()]):
        name, _, direction = term.partition(" ")
        key = _ORDER.get(name)
        if key is None:
            raise errors.GoogleError(400, "invalid", "Invalid Value",
                                     extra={"locationType": "parameter", "location": "orderBy"})
        items.sort(key=lambda pair, k=key: k(pair[0]), reverse=direction.lower() == "desc")


@handles("drive.files.list")
def list_files(call: Call) -> dict[str, Any]:
    _corpora, drive = _list_checks(call)
    include_drives = bool(call.params.get("includeItemsFromAllDrives")
                          or call.params.get("includeTeamDriveItems"))
    if drive:
        doc = call.store.get("drive", call.tenant_id, drive)
        if doc is None or drive_role(call, doc) is None:
            raise drive_not_found(drive)
        candidates = call.store.list("file", call.tenant_id, parent=drive)
    else:
        candidates = call.store.list("file", call.tenant_id)
    predicate = matcher(call.params.get("q"), _query_fields(call))
    rows: list[tuple[dict[str, Any], str]] = []
    for item in candidates:
        if item.get("driveId") and not include_drives:
            continue
        role = file_role(call, item, discovery=True)
        if role is None or not predicate(item):
            continue
        rows.append((item, role))
    _order(rows, call.params.get("orderBy"))
    chunk, token = page(rows, call.params.get("pageSize", 100), call.params.get("pageToken"))
    result: dict[str, Any] = {"kind": "drive#fileList", "incompleteSearch": False,
                              "files": [render(call, item, role) for item, role in chunk]}
    if token:
        result["nextPageToken"] = token
    return result


# -- update and delete ----------------------------------------------------------------------------

def _trash(call: Call, item: dict[str, Any], role: str, trashed: bool) -> None:
    if not _capabilities(item, role)["canTrash"]:
        raise insufficient_file_permissions()
    item["trashed"] = trashed
    item["explicitlyTrashed"] = trashed
    if trashed:
        item["trashedTime"] = stamp()
        item["trashingUser"] = {"kind": "drive#user", "emailAddress": actor(call).email,
                                "displayName": display_name(call, actor(call).email)}
    else:
        item.pop("trashedTime", None)
        item.pop("trashingUser", None)
    for child in _children(call, item["id"]):
        if not child.get("explicitlyTrashed"):
            child["trashed"] = trashed
            _save(call, child)


def _children(call: Call, folder: str) -> list[dict[str, Any]]:
    rows = call.store.execute(
        "SELECT id FROM objects WHERE kind='file' AND tenant=? AND data LIKE ?",
        (call.tenant_id, f'%"{folder}"%')).fetchall()
    out = []
    for (child_id,) in rows:
        child = call.store.get("file", call.tenant_id, child_id)
        if child and folder in (child.get("parents") or []):
            out.append(child)
    return out


@handles("drive.files.update")
def update(call: Call) -> dict[str, Any]:
    item, role = get_file(call, call.params["fileId"], need="writer")
    body = body_dict(call)
    old_name = item["name"]
    for key in MUTABLE:
        if key in body and body[key] is not None:
            item[key] = body[key]
    if "trashed" in body and bool(body["trashed"]) != bool(item.get("trashed")):
        _trash(call, item, role, bool(body["trashed"]))
    add = [p for p in (call.params.get("addParents") or "").split(",") if p]
    root = my_drive_root(call)
    remove = [root if p == "root" else p
              for p in (call.params.get("removeParents") or "").split(",") if p]
    if add or remove:
        remaining = [p for p in item["parents"] if p not in remove]
        if len(remaining) + len(add) > 1:
            raise errors.GoogleError(403, "teamDrivesParentLimit" if item.get("driveId") else
                                     "cannotAddParent", "A file can only have a single parent.")
        if add:
            parent_id, drive = _resolve_parent(call, add[0])
            if drive != item.get("driveId"):
                if not _capabilities(item, role)["canDelete"]:
                    raise insufficient_file_permissions()
                call.store.delete("file", call.tenant_id, item["id"])
                if drive:
                    item["driveId"] = drive
                    item.pop("_owner", None)
                else:
                    item.pop("driveId", None)
                    item["_owner"] = actor(call).email
            remaining = [parent_id]
        item["parents"] = remaining
    item["modifiedTime"] = stamp()
    item["version"] = str(int(item.get("version", "1")) + 1)
    _save(call, item)
    if item["name"] != old_name:
        if item["mimeType"] == SPREADSHEET:
            from workspace_coach.sandbox.resources.sheets_spreadsheets import rename_content

            rename_content(call, item["id"], item["name"])
        _event(call, "rename", item)
    return render(call, item, role)


def delete_tree(call: Call, item: dict[str, Any]) -> None:
    """Delete a file, its permissions, its spreadsheet content and (for folders) its children."""
    if item["mimeType"] == FOLDER:
        for child in _children(call, item["id"]):
            delete_tree(call, child)
    call.store.delete_children("permission", call.tenant_id, item["id"])
    call.store.delete("spreadsheet", call.tenant_id, item["id"])
    call.store.delete("file", call.tenant_id, item["id"])


@handles("drive.files.delete")
def delete(call: Call) -> None:
    item, role = get_file(call, call.params["fileId"])
    if not _capabilities(item, role)["canDelete"]:
        raise insufficient_file_permissions()
    delete_tree(call, item)
    _event(call, "delete", item)
