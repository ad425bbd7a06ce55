"""Admin Data Transfer API: applications and transfers of a person's data to another.

Two applications, with Google's ids and parameters: Drive and Docs (`PRIVACY_LEVEL`, PRIVATE
and/or SHARED, SHARED when not given) and Calendar (`RELEASE_RESOURCES`). A transfer is stored
with the realism clock's time of request; it answers `inProgress` until `transfer_ms` has passed,
and the first read after that carries it out (once) and answers `completed`: the old owner's
My Drive files of the chosen privacy levels change owner (the old owner stays on as a writer,
as with a Drive ownership transfer), and their calendar events change organiser.

Calendar has no API in the sandbox: events are `kind="calendar_event"` records with an `_owner`,
made by the `create_event` user action, enough for a transfer to move.

Storage: transfers are `kind="data_transfer"`, doc shaped like `DataTransfer` plus `_requested`
(realism clock seconds) and `_done`.
"""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import (
    Call,
    admin_list,
    alnum_id,
    body_dict,
    etag,
    handles,
    now_rfc3339,
)
from workspace_coach.sandbox.resources.directory_users import find_user
from workspace_coach.sandbox.resources.drive_access import permission_id_for

DRIVE_APP = "55656082996"
CALENDAR_APP = "435070579839"
APPLICATIONS: tuple[dict[str, Any], ...] = (
    {"id": DRIVE_APP, "name": "Drive and Docs",
     "transferParams": [{"key": "PRIVACY_LEVEL", "value": ["PRIVATE", "SHARED"]}]},
    {"id": CALENDAR_APP, "name": "Calendar",
     "transferParams": [{"key": "RELEASE_RESOURCES", "value": ["TRUE"]}]},
)
KIND = "data_transfer"
EVENT_KIND = "calendar_event"


def _application(app: dict[str, Any]) -> dict[str, Any]:
    doc = {"kind": "admin#datatransfer#ApplicationResource", **app}
    doc["etag"] = etag(doc)
    return doc


@handles("datatransfer.applications.list")
def applications_list(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params.get("customerId"))
    return admin_list(call, "admin#datatransfer#applicationsList", "applications",
                      [_application(a) for a in APPLICATIONS])


@handles("datatransfer.applications.get")
def applications_get(call: Call) -> dict[str, Any]:
    for app in APPLICATIONS:
        if app["id"] == call.params["applicationId"]:
            return _application(app)
    raise errors.not_found("Resource Not Found: applicationId")


def _user_by_id(call: Call, user_id: Any, field: str) -> dict[str, Any]:
    user = find_user(call.store, call.tenant_id, str(user_id or "")) if user_id else None
    if user is None or not str(user_id).isdigit():
        raise errors.invalid(f"Invalid Input: {field}")
    return user


@handles("datatransfer.transfers.insert")
def transfers_insert(call: Call) -> dict[str, Any]:
    body = body_dict(call)
    old = _user_by_id(call, body.get("oldOwnerUserId"), "oldOwnerUserId")
    new = _user_by_id(call, body.get("newOwnerUserId"), "newOwnerUserId")
    if old["id"] == new["id"]:
        raise errors.invalid("Invalid Input: newOwnerUserId")
    known = {a["id"] for a in APPLICATIONS}
    apps = []
    for item in body.get("applicationDataTransfers") or []:
        if str(item.get("applicationId")) not in known:
            raise errors.invalid("Invalid Input: applicationId")
        apps.append({"applicationId": str(item["applicationId"]),
                     "applicationTransferParams": item.get("applicationTransferParams") or []})
    if not apps:
        raise errors.required("applicationDataTransfers")
    transfer: dict[str, Any] = {
        "kind": "admin#datatransfer#DataTransfer", "id": alnum_id(40),
        "oldOwnerUserId": old["id"], "newOwnerUserId": new["id"],
        "applicationDataTransfers": apps, "requestTime": now_rfc3339(),
        "_requested": call.realism.ready_clock(), "_done": False,
    }
    call.store.put(KIND, call.tenant_id, transfer["id"], transfer)
    return _render(call, transfer)


def _render(call: Call, transfer: dict[str, Any]) -> dict[str, Any]:
    """The transfer as Google shows it now, carrying it out first if its time has come."""
    if not transfer["_done"] and call.realism.transfer_done(transfer["_requested"]):
        _carry_out(call, transfer)
        transfer["_done"] = True
        call.store.put(KIND, call.tenant_id, transfer["id"], transfer)
    status = "completed" if transfer["_done"] else "inProgress"
    out = {k: v for k, v in transfer.items() if not k.startswith("_")}
    out["overallTransferStatusCode"] = status
    out["applicationDataTransfers"] = [{**a, "applicationTransferStatus": status}
                                       for a in transfer["applicationDataTransfers"]]
    out["etag"] = etag(out)
    return out


def _params(app: dict[str, Any], key: str) -> list[str]:
    for param in app.get("applicationTransferParams") or []:
        if param.get("key") == key:
            return [str(v) for v in param.get("value") or []]
    return []


def _carry_out(call: Call, transfer: dict[str, Any]) -> None:
    tenant = call.tenant_id
    old = call.store.get("user", tenant, transfer["oldOwnerUserId"])
    new = call.store.get("user", tenant, transfer["newOwnerUserId"])
    if old is None or new is None:  # deleted since the request; nothing left to move
        return
    for app in transfer["applicationDataTransfers"]:
        if app["applicationId"] == DRIVE_APP:
            levels = set(_params(app, "PRIVACY_LEVEL")) or {"SHARED"}
            _move_files(call, old["primaryEmail"], new["primaryEmail"], levels)
        else:
            for event in call.store.list(EVENT_KIND, tenant):
                if event.get("_owner") == old["primaryEmail"]:
                    event["_owner"] = new["primaryEmail"]
                    call.store.put(EVENT_KIND, tenant, event["id"], event)


def _move_files(call: Call, old: str, new: str, levels: set[str]) -> None:
    tenant = call.tenant_id
    old_id = permission_id_for("user", old, False, call.store, tenant)
    new_id = permission_id_for("user", new, False, call.store, tenant)
    for item in call.store.list("file", tenant):
        if item.get("_owner") != old or item.get("driveId"):
            continue
        others = [p for p in call.store.list("permission", tenant, parent=item["id"])
                  if p["id"] != old_id]
        if ("SHARED" if others else "PRIVATE") not in levels:
            continue
        owner = call.store.get("permission", tenant, f"{item['id']}:{old_id}")
        if owner is not None:
            owner["role"] = "writer"
            call.store.put("permission", tenant, f"{item['id']}:{old_id}", owner,
                           parent=item["id"])
        call.store.put("permission", tenant, f"{item['id']}:{new_id}", {
            "kind": "drive#permission", "id": new_id, "type": "user", "role": "owner",
            "emailAddress": new, "deleted": False}, parent=item["id"])
        item["_owner"] = new
        call.store.put("file", tenant, item["id"], item, parent="")


@handles("datatransfer.transfers.get")
def transfers_get(call: Call) -> dict[str, Any]:
    transfer = call.store.get(KIND, call.tenant_id, call.params["dataTransferId"])
    if transfer is None:
        raise errors.not_found("Resource Not Found: dataTransferId")
    return _render(call, transfer)


@handles("datatransfer.transfers.list")
def transfers_list(call: Call) -> dict[str, Any]:
    params = call.params
    call.resolve_customer(params.get("customerId"))
    items = [_render(call, t) for t in call.store.list(KIND, call.tenant_id)]
    for name in ("oldOwnerUserId", "newOwnerUserId"):
        if params.get(name):
            items = [t for t in items if t[name] == params[name]]
    if params.get("status"):
        items = [t for t in items if t["overallTransferStatusCode"] == params["status"]]
    items.sort(key=lambda t: (t["requestTime"], t["id"]))
    return admin_list(call, "admin#datatransfer#dataTransfersList", "dataTransfers", items)
