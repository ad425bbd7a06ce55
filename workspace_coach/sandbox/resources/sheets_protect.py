"""Sheets protected ranges: add / update / delete them, and refuse edits by anyone else.

A protected range (or a protected sheet, its range unbounded, with unprotected holes) may be
edited only by its editors and by whoever owns or manages the file; warning-only protection
lets every writer through. Everyone else's value, note or format write into it gets Google's
400 "You are trying to edit a protected cell or object. ...".
"""

from __future__ import annotations

import copy
import secrets
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call
from workspace_coach.sandbox.resources.drive_access import ROLE_RANK, file_role

PROTECTED = ("You are trying to edit a protected cell or object. Please contact the spreadsheet "
             "owner to remove protection if you need to edit.")


def _invalid(index: int, kind: str, message: str) -> errors.GoogleError:
    return errors.GoogleError(400, "badRequest", f"Invalid requests[{index}].{kind}: {message}")


def _bounds(rng: dict[str, Any], grid: dict[str, Any]) -> tuple[int, int, int, int]:
    return (int(rng.get("startRowIndex", 0)), int(rng.get("endRowIndex", grid["rowCount"])),
            int(rng.get("startColumnIndex", 0)),
            int(rng.get("endColumnIndex", grid["columnCount"])))


def _manages(call: Call, spreadsheet_id: str) -> bool:
    item = call.store.get("file", call.tenant_id, spreadsheet_id)
    role = file_role(call, item) if item else None
    return role is not None and ROLE_RANK[role] >= ROLE_RANK["organizer"]


def _may_edit(call: Call, doc: dict[str, Any], protected: dict[str, Any]) -> bool:
    if protected.get("warningOnly"):
        return True
    users = {u.lower() for u in (protected.get("editors") or {}).get("users") or []}
    return call.principal.email.lower() in users or _manages(call, doc["spreadsheetId"])


def check_edit(call: Call, doc: dict[str, Any], sheet: dict[str, Any],
               bounds: tuple[int, int, int, int]) -> None:
    """Refuse a write into rows r0..r1-1, columns c0..c1-1 that touches a cell protected
    against the caller."""
    r0, r1, c0, c1 = bounds
    grid = sheet["properties"]["gridProperties"]
    for protected in sheet.get("protectedRanges") or []:
        p0, p1, q0, q1 = _bounds(protected.get("range") or {}, grid)
        lo_r, hi_r, lo_c, hi_c = max(r0, p0), min(r1, p1), max(c0, q0), min(c1, q1)
        if lo_r >= hi_r or lo_c >= hi_c or _may_edit(call, doc, protected):
            continue
        holes = [_bounds(u, grid) for u in protected.get("unprotectedRanges") or []]
        for r in range(lo_r, hi_r):
            for c in range(lo_c, hi_c):
                if not any(h0 <= r < h1 and k0 <= c < k1 for h0, h1, k0, k1 in holes):
                    raise errors.GoogleError(400, "badRequest", PROTECTED)


def _all(doc: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(sheet, p) for sheet in doc["sheets"] for p in sheet.get("protectedRanges") or []]


def _sheet_of(doc: dict[str, Any], rng: dict[str, Any], index: int, kind: str
              ) -> dict[str, Any]:
    for sheet in doc["sheets"]:
        if sheet["properties"]["sheetId"] == int(rng.get("sheetId") or 0):
            return sheet
    raise _invalid(index, kind, f"No grid with id: {rng.get('sheetId')}")


def _shown(call: Call, doc: dict[str, Any], protected: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(protected)
    out["requestingUserCanEdit"] = _may_edit(call, doc, protected)
    return out


def add_protected_range(call: Call, doc: dict[str, Any], req: dict[str, Any], i: int
                        ) -> dict[str, Any]:
    # a JSON null is an absent field, as for every proto-backed Google API
    given = {k: copy.deepcopy(v) for k, v in (req.get("protectedRange") or {}).items()
             if v is not None}
    if "range" not in given:
        raise _invalid(i, "addProtectedRange", "A protected range must have a range.")
    sheet = _sheet_of(doc, given["range"], i, "addProtectedRange")
    taken = {p.get("protectedRangeId") for _, p in _all(doc)}
    if given.get("protectedRangeId") in taken:
        raise _invalid(i, "addProtectedRange",
                       f"Duplicate protected range id: {given['protectedRangeId']}")
    if given.get("unprotectedRanges") and any(
            k in given["range"] for k in ("startRowIndex", "endRowIndex", "startColumnIndex",
                                          "endColumnIndex")):
        raise _invalid(i, "addProtectedRange",
                       "Unprotected ranges are only supported on protected sheets.")
    given.setdefault("protectedRangeId", secrets.randbelow(2**31 - 2) + 1)
    given.pop("requestingUserCanEdit", None)
    if given.get("warningOnly"):
        if given.get("editors"):
            raise _invalid(i, "addProtectedRange",
                           "Editors are not supported with warning-only protection.")
    else:
        # the person protecting a range always stays among its editors
        editors = given.setdefault("editors", {})
        users = editors.setdefault("users", [])
        if call.principal.email.lower() not in {u.lower() for u in users}:
            users.append(call.principal.email)
    sheet.setdefault("protectedRanges", []).append(given)
    return {"addProtectedRange": {"protectedRange": _shown(call, doc, given)}}


def _find(doc: dict[str, Any], protected_id: Any, i: int, kind: str
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    for sheet, protected in _all(doc):
        if protected.get("protectedRangeId") == protected_id:
            return sheet, protected
    raise _invalid(i, kind, f"No protected range with id: {protected_id}")


def delete_protected_range(call: Call, doc: dict[str, Any], req: dict[str, Any], i: int
                           ) -> dict[str, Any]:
    sheet, protected = _find(doc, req.get("protectedRangeId"), i, "deleteProtectedRange")
    if not _may_edit(call, doc, protected):
        raise errors.GoogleError(400, "badRequest", PROTECTED)
    sheet["protectedRanges"].remove(protected)
    return {}


def update_protected_range(call: Call, doc: dict[str, Any], req: dict[str, Any], i: int
                           ) -> dict[str, Any]:
    given = req.get("protectedRange") or {}
    fields = req.get("fields", "")
    if not fields:
        raise _invalid(i, "updateProtectedRange", "At least one field must be specified.")
    sheet, protected = _find(doc, given.get("protectedRangeId"), i, "updateProtectedRange")
    if not _may_edit(call, doc, protected):
        raise errors.GoogleError(400, "badRequest", PROTECTED)
    names = [k for k in given if k != "protectedRangeId"] if fields.strip() == "*" else \
        [f.strip().split(".")[0].split("/")[0] for f in fields.split(",") if f.strip()]
    for name in names:
        if name in ("protectedRangeId", "requestingUserCanEdit"):
            continue
        if given.get(name) is not None:
            protected[name] = copy.deepcopy(given[name])
        else:
            protected.pop(name, None)
    if "range" in names:
        target = _sheet_of(doc, protected["range"], i, "updateProtectedRange")
        if target is not sheet:
            sheet["protectedRanges"].remove(protected)
            target.setdefault("protectedRanges", []).append(protected)
    return {}


def as_seen_by(call: Call, doc: dict[str, Any], spreadsheet: dict[str, Any]) -> None:
    """Fill each protected range's `requestingUserCanEdit` for the caller, and hide its editors
    from someone who may not edit it, as Google does."""
    for sheet in spreadsheet.get("sheets") or []:
        for protected in sheet.get("protectedRanges") or []:
            protected["requestingUserCanEdit"] = _may_edit(call, doc, protected)
            if not protected["requestingUserCanEdit"]:
                protected.pop("editors", None)


CALL_REQUESTS = {"addProtectedRange": add_protected_range,
                 "deleteProtectedRange": delete_protected_range,
                 "updateProtectedRange": update_protected_range}
