"""Sheets v4 spreadsheets: create, get and batchUpdate (the requests gspread sends).

A spreadsheet is also a Drive file: the same id, the Drive file's permissions decide who may read
(reader) or write (writer), and the title follows the file name. Content is `kind="spreadsheet"`:
`{"properties": SpreadsheetProperties, "sheets": [{"properties": SheetProperties,
"cells": {...}, "validations": [...]}]}`.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.discovery import parse_fields
from workspace_coach.sandbox.resources import Call, body_dict, handles
from workspace_coach.sandbox.resources.drive_access import ROLE_RANK, SPREADSHEET, file_role, stamp
from workspace_coach.sandbox.resources.sheets_cells import to_cell
from workspace_coach.sandbox.resources.sheets_protect import (
    CALL_REQUESTS,
    as_seen_by,
    check_edit,
)

DEFAULT_ROWS, DEFAULT_COLS = 1000, 26
URL = "https://docs.google.com/spreadsheets/d/{}/edit"


# -- content --------------------------------------------------------------------------------------

def _sheet(sheet_id: int, title: str, index: int, props: dict[str, Any] | None = None
           ) -> dict[str, Any]:
    props = props or {}
    grid = {"rowCount": DEFAULT_ROWS, "columnCount": DEFAULT_COLS}
    grid.update(props.get("gridProperties") or {})
    properties = {"sheetId": sheet_id, "title": title, "index": index, "sheetType": "GRID",
                  "gridProperties": grid}
    for key in ("hidden", "tabColor", "tabColorStyle", "rightToLeft"):
        if key in props:
            properties[key] = props[key]
    return {"properties": properties, "cells": {}, "validations": []}


def create_content(call: Call, spreadsheet_id: str, title: str,
                   sheets: list[dict[str, Any]] | None = None,
                   properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """Content for a new spreadsheet: the given sheets, or one "Sheet1" of 1000 x 26."""
    props = {"title": title, "locale": "ko_KR", "autoRecalc": "ON_CHANGE",
             "timeZone": "Asia/Seoul",
             "defaultFormat": {"backgroundColor": {"red": 1, "green": 1, "blue": 1},
                               "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
                               "textFormat": {"fontFamily": "arial", "fontSize": 10}}}
    for key in ("locale", "timeZone", "autoRecalc"):
        if properties and properties.get(key):
            props[key] = properties[key]
    made: list[dict[str, Any]] = []
    for i, spec in enumerate(sheets or [{}]):
        given = spec.get("properties") or {}
        sheet_id = given.get("sheetId", 0 if i == 0 else _new_sheet_id(made))
        made.append(_sheet(int(sheet_id), given.get("title") or f"Sheet{i + 1}", i, given))
    doc = {"spreadsheetId": spreadsheet_id, "properties": props, "sheets": made,
           "spreadsheetUrl": URL.format(spreadsheet_id)}
    call.store.put("spreadsheet", call.tenant_id, spreadsheet_id, doc)
    return doc


def rename_content(call: Call, spreadsheet_id: str, title: str) -> None:
    doc = call.store.get("spreadsheet", call.tenant_id, spreadsheet_id)
    if doc is not None:
        doc["properties"]["title"] = title
        call.store.put("spreadsheet", call.tenant_id, spreadsheet_id, doc)


def _new_sheet_id(sheets: list[dict[str, Any]]) -> int:
    taken = {s["properties"]["sheetId"] for s in sheets}
    while True:
        candidate = secrets.randbelow(2**31 - 1) + 1
        if candidate not in taken:
            return candidate


def open_content(call: Call, spreadsheet_id: str, need: str = "reader") -> dict[str, Any]:
    """The spreadsheet if the caller's Drive role allows `need`; Google's 404 / 403 otherwise."""
    item = call.store.get("file", call.tenant_id, spreadsheet_id)
    doc = call.store.get("spreadsheet", call.tenant_id, spreadsheet_id)
    if item is None or doc is None:
        raise errors.GoogleError(404, "notFound", "Requested entity was not found.")
    role = file_role(call, item)
    if role is None or ROLE_RANK[role] < ROLE_RANK[need]:
        raise errors.GoogleError(403, "forbidden", "The caller does not have permission")
    return doc


def save_content(call: Call, doc: dict[str, Any]) -> None:
    """Store content and touch the Drive file's modifiedTime, as an edit does."""
    call.store.put("spreadsheet", call.tenant_id, doc["spreadsheetId"], doc)
    item = call.store.get("file", call.tenant_id, doc["spreadsheetId"])
    if item is not None:
        item["modifiedTime"] = stamp()
        if item["name"] != doc["properties"]["title"]:
            item["name"] = doc["properties"]["title"]
        call.store.put("file", call.tenant_id, item["id"], item,
                       parent=item.get("driveId") or "")


def _defaults_dropped(properties: dict[str, Any]) -> dict[str, Any]:
    """Google leaves out fields at their default (a frozen count of 0, hidden gridlines off)."""
    grid = properties.get("gridProperties") or {}
    for key in ("frozenRowCount", "frozenColumnCount"):
        if not grid.get(key):
            grid.pop(key, None)
    if grid.get("hideGridlines") is False:
        grid.pop("hideGridlines")
    return properties


def _effective(doc: dict[str, Any], entered: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(doc["properties"].get("defaultFormat") or {})

    def deep(into: dict[str, Any], given: dict[str, Any]) -> None:
        for key, value in given.items():
            if isinstance(value, dict) and isinstance(into.get(key), dict):
                deep(into[key], value)
            else:
                into[key] = copy.deepcopy(value)

    deep(merged, entered)
    return merged


def grid_data(doc: dict[str, Any], sheet: dict[str, Any], bounds: tuple[int, int, int, int]
              ) -> dict[str, Any]:
    """GridData for rows r0..r1-1 and columns c0..c1-1: values, formats, notes, validation,
    trailing empty rows and cells left out as Google does."""
    from workspace_coach.sandbox.resources.sheets_cells import render

    r0, r1, c0, c1 = bounds
    rows: dict[int, dict[int, dict[str, Any]]] = {}

    def at(key: str) -> dict[str, Any] | None:
        r, c = map(int, key.split(":"))
        if r0 <= r < r1 and c0 <= c < c1:
            return rows.setdefault(r - r0, {}).setdefault(c - c0, {})
        return None

    cells = sheet["cells"]
    for key, cell in cells.items():
        out = at(key)
        if out is not None:
            out["userEnteredValue"] = {"formulaValue": cell["f"]} if "f" in cell else \
                _typed(cell["v"])
            out["effectiveValue"] = _typed(render(cell, "UNFORMATTED_VALUE", cells))
            out["formattedValue"] = render(cell, "FORMATTED_VALUE", cells)
    for key, fmt in (sheet.get("formats") or {}).items():
        out = at(key)
        if out is not None:
            out["userEnteredFormat"] = copy.deepcopy(fmt)
            out["effectiveFormat"] = _effective(doc, fmt)
    for key, note in (sheet.get("notes") or {}).items():
        out = at(key)
        if out is not None:
            out["note"] = note
    # Google reports a validation rule on every cell it covers, empty cells included
    for validation in sheet["validations"]:
        v0, v1, w0, w1 = validation["bounds"]
        for r in range(max(v0, r0), min(v1, r1)):
            for c in range(max(w0, c0), min(w1, c1)):
                rows.setdefault(r - r0, {}).setdefault(c - c0, {})["dataValidation"] = \
                    copy.deepcopy(validation["rule"])
    row_data = []
    for r in range(max(rows) + 1 if rows else 0):
        cols = rows.get(r, {})
        row_data.append({"values": [cols.get(c, {}) for c in
                                    range(max(cols) + 1 if cols else 0)]}
                        if cols else {})
    data: dict[str, Any] = {"rowData": row_data}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    for dimension, name, lo, hi in (("ROWS", "rowMetadata", r0, r1),
                                    ("COLUMNS", "columnMetadata", c0, c1)):
        dims = (sheet.get("dims") or {}).get(dimension) or {}
        data[name] = [copy.deepcopy(dims.get(str(i)) or {"pixelSize": 21 if name ==
                                                        "rowMetadata" else 100})
                      for i in range(lo, hi)]
    return data


def public(doc: dict[str, Any], grid_data_for: bool | list[Any] = False) -> dict[str, Any]:
    """The Spreadsheet resource. `grid_data_for`: True for every sheet's data, or a list of
    resolved spans (the `ranges` asked for: only their sheets, one GridData per range)."""
    sheets = []
    spans = grid_data_for if isinstance(grid_data_for, list) else None
    for sheet in doc["sheets"]:
        mine = [sp for sp in spans if sp.sheet is sheet] if spans is not None else None
        if mine is not None and not mine:
            continue
        out: dict[str, Any] = {
            "properties": _defaults_dropped(copy.deepcopy(sheet["properties"]))}
        for key in ("merges", "protectedRanges", "rowGroups", "columnGroups"):
            if sheet.get(key):
                out[key] = copy.deepcopy(sheet[key])
        if sheet.get("basicFilter"):
            out["basicFilter"] = copy.deepcopy(sheet["basicFilter"])
        if grid_data_for is True:
            grid = sheet["properties"]["gridProperties"]
            out["data"] = [grid_data(doc, sheet, (0, grid["rowCount"], 0,
                                                  grid["columnCount"]))]
        elif mine:
            grid = sheet["properties"]["gridProperties"]
            out["data"] = [grid_data(doc, sheet, (
                sp.r0, min(sp.r1, grid["rowCount"] - 1) + 1,
                sp.c0, min(sp.c1, grid["columnCount"] - 1) + 1)) for sp in mine]
        sheets.append(out)
    result = {"spreadsheetId": doc["spreadsheetId"],
              "properties": copy.deepcopy(doc["properties"]),
              "sheets": sheets, "spreadsheetUrl": doc["spreadsheetUrl"]}
    if doc.get("namedRanges"):
        result["namedRanges"] = copy.deepcopy(doc["namedRanges"])
    return result


def _typed(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": value}
    return {"stringValue": str(value)}


# -- handlers -------------------------------------------------------------------------------------

@handles("sheets.spreadsheets.create")
def create(call: Call) -> dict[str, Any]:
    """A new spreadsheet is a Google Sheets file in the caller's My Drive."""
    from workspace_coach.sandbox.resources.drive_files import new_file

    body = body_dict(call)
    props = body.get("properties") or {}
    title = props.get("title") or "Untitled spreadsheet"
    titles = [((s.get("properties") or {}).get("title")) for s in body.get("sheets") or []]
    if len([t for t in titles if t]) != len({t for t in titles if t}):
        raise errors.GoogleError(400, "badRequest", "Invalid sheets: duplicate sheet titles.")
    item = new_file(call, title, SPREADSHEET, None)
    doc = create_content(call, item["id"], title, body.get("sheets"), props)
    return public(doc)


@handles("sheets.spreadsheets.get")
def get(call: Call) -> dict[str, Any]:
    """A field mask naming grid data (`sheets.data...`) asks for it, whatever
    includeGridData says; `ranges` limit the sheets and the data to those ranges."""
    doc = open_content(call, call.params["spreadsheetId"])
    out = _get(call, doc)
    as_seen_by(call, doc, out)
    return out


def _get(call: Call, doc: dict[str, Any]) -> dict[str, Any]:
    from workspace_coach.sandbox.resources.sheets_cells import parse_range

    wanted = bool(call.params.get("includeGridData"))
    if call.fields:
        wanted = "data" in (parse_fields(call.fields).get("sheets") or {})
    ranges = call.params.get("ranges") or []
    if isinstance(ranges, str):
        ranges = [ranges]
    if ranges:
        spans = [parse_range(doc["sheets"], r) for r in ranges]
        if not wanted:
            titles = {id(sp.sheet) for sp in spans}
            out = public(doc)
            out["sheets"] = [s for s, sheet in zip(out["sheets"], doc["sheets"], strict=True)
                             if id(sheet) in titles]
            return out
        return public(doc, spans)
    return public(doc, wanted)


def _invalid(index: int, kind: str, message: str) -> errors.GoogleError:
    return errors.GoogleError(400, "badRequest", f"Invalid requests[{index}].{kind}: {message}")


def _find_sheet(doc: dict[str, Any], sheet_id: Any, index: int, kind: str) -> dict[str, Any]:
    for sheet in doc["sheets"]:
        if sheet["properties"]["sheetId"] == int(sheet_id or 0):
            return sheet
    raise _invalid(index, kind, f"No grid with id: {sheet_id}")


def _reindex(doc: dict[str, Any]) -> None:
    for i, sheet in enumerate(doc["sheets"]):
        sheet["properties"]["index"] = i


def _move(doc: dict[str, Any], sheet: dict[str, Any], index: int) -> None:
    doc["sheets"].remove(sheet)
    doc["sheets"].insert(max(0, min(index, len(doc["sheets"]))), sheet)
    _reindex(doc)


def _unique_title(doc: dict[str, Any], title: str, index: int, kind: str,
                  skip: dict[str, Any] | None = None) -> None:
    for sheet in doc["sheets"]:
        if sheet is not skip and sheet["properties"]["title"].lower() == title.lower():
            raise _invalid(index, kind, f'A sheet with the name "{title}" already exists. '
                           "Please enter another name.")


def add_sheet(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    props = req.get("properties") or {}
    title = props.get("title")
    if not title:
        n = len(doc["sheets"]) + 1
        taken = {s["properties"]["title"] for s in doc["sheets"]}
        while f"Sheet{n}" in taken:
            n += 1
        title = f"Sheet{n}"
    _unique_title(doc, title, i, "addSheet")
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = _new_sheet_id(doc["sheets"])
    elif any(s["properties"]["sheetId"] == int(sheet_id) for s in doc["sheets"]):
        raise _invalid(i, "addSheet", f"Sheet with id {sheet_id} already exists.")
    sheet = _sheet(int(sheet_id), title, len(doc["sheets"]), props)
    doc["sheets"].append(sheet)
    if props.get("index") is not None:
        _move(doc, sheet, int(props["index"]))
    return {"addSheet": {"properties": copy.deepcopy(sheet["properties"])}}


def delete_sheet(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    sheet = _find_sheet(doc, req.get("sheetId"), i, "deleteSheet")
    if len(doc["sheets"]) == 1:
        raise _invalid(i, "deleteSheet", "You can't remove all the sheets in a document.")
    doc["sheets"].remove(sheet)
    _reindex(doc)
    return {}


def _masked(fields: str) -> list[str]:
    """The paths of a field mask; Google reads `a/b` (gspread's resize) as `a.b`."""
    if not fields:
        raise errors.GoogleError(400, "badRequest", "Invalid requests: 'fields' is required.")
    return [f.strip().replace("/", ".") for f in fields.split(",") if f.strip()]


def update_sheet_properties(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    props = req.get("properties") or {}
    sheet = _find_sheet(doc, props.get("sheetId"), i, "updateSheetProperties")
    current = sheet["properties"]
    for path in _masked(req.get("fields", "")):
        if path == "*":
            paths = [k for k in props if k != "sheetId"]
        else:
            paths = [path]
        for name in paths:
            head, _, tail = name.partition(".")
            if head == "title":
                _unique_title(doc, props.get("title", ""), i, "updateSheetProperties", sheet)
                current["title"] = props.get("title", current["title"])
            elif head == "index":
                _move(doc, sheet, int(props.get("index", 0)))
            elif head == "gridProperties":
                given = props.get("gridProperties") or {}
                keys = [tail] if tail else list(given)
                for key in keys:
                    if key in given:
                        current["gridProperties"][key] = given[key]
                    else:
                        current["gridProperties"].pop(key, None)
                _trim(sheet)
            elif head in props:
                current[head] = props[head]
            else:
                current.pop(head, None)
    if all(s["properties"].get("hidden") for s in doc["sheets"]):
        raise _invalid(i, "updateSheetProperties",
                       "You can't hide all the sheets in a document.")
    return {}


def _trim(sheet: dict[str, Any]) -> None:
    grid = sheet["properties"]["gridProperties"]
    for name in SPARSE:
        sheet[name] = {k: v for k, v in (sheet.get(name) or {}).items()
                       if int(k.split(":")[0]) < grid["rowCount"] and
                       int(k.split(":")[1]) < grid["columnCount"]}


def update_spreadsheet_properties(doc: dict[str, Any], req: dict[str, Any], i: int
                                  ) -> dict[str, Any]:
    props = req.get("properties") or {}
    for path in _masked(req.get("fields", "")):
        names = list(props) if path == "*" else [path.split(".")[0]]
        for name in names:
            if name in props:
                doc["properties"][name] = props[name]
    return {}


def _dimension(req_range: dict[str, Any]) -> tuple[str, int, int]:
    return req_range.get("dimension", "ROWS"), int(req_range.get("startIndex", 0)), int(
        req_range.get("endIndex", 0))


SPARSE = ("cells", "formats", "notes")  # per-cell maps keyed "<row>:<col>"
RANGED = ("merges", "protectedRanges")  # per-sheet lists of GridRange-bearing objects


def _shift(sheet: dict[str, Any], dimension: str, start: int, delta: int) -> None:
    """Move cells at or after `start` by `delta` rows/columns (dropping deleted ones), and
    stretch or shrink merges, protected ranges, validations, the filter and groups with them,
    as Google does when rows or columns are inserted or deleted."""
    axis = 0 if dimension == "ROWS" else 1
    for name in SPARSE:
        moved: dict[str, Any] = {}
        for key, cell in (sheet.get(name) or {}).items():
            pos = list(map(int, key.split(":")))
            if pos[axis] >= start:
                if delta < 0 and pos[axis] < start - delta:
                    continue
                pos[axis] += delta
            moved[f"{pos[0]}:{pos[1]}"] = cell
        sheet[name] = moved
    dims = (sheet.get("dims") or {}).get(dimension) or {}
    shifted = {}
    for key, props in dims.items():
        i = int(key)
        if i >= start:
            if delta < 0 and i < start - delta:
                continue
            i += delta
        shifted[str(i)] = props
    sheet.setdefault("dims", {})[dimension] = shifted
    lo, hi = ("startRowIndex", "endRowIndex") if axis == 0 else (
        "startColumnIndex", "endColumnIndex")

    def move(rng: dict[str, Any], keys: tuple[str, str] = (lo, hi)) -> bool:
        """Adjust a GridRange in place; False when the deletion removed all of it."""
        lo, hi = keys
        a, b = rng.get(lo), rng.get(hi)
        if delta > 0:
            if a is not None and a >= start:
                rng[lo] = a + delta
            if b is not None and b > start:
                rng[hi] = b + delta
            return True
        gone_to = start - delta
        def at(i: int) -> int:
            return i if i <= start else (start if i <= gone_to else i + delta)
        if a is not None:
            rng[lo] = at(a)
        if b is not None:
            rng[hi] = at(b)
        return a is None or b is None or rng[hi] > rng[lo]

    sheet["merges"] = [m for m in sheet.get("merges") or [] if move(m)]
    kept = []
    for protected in sheet.get("protectedRanges") or []:
        if "range" in protected and not move(protected["range"]):
            continue
        protected["unprotectedRanges"] = [
            u for u in protected.get("unprotectedRanges") or [] if move(u)]
        if not protected["unprotectedRanges"]:
            del protected["unprotectedRanges"]
        kept.append(protected)
    sheet["protectedRanges"] = kept
    validations = []
    for validation in sheet.get("validations") or []:
        r0, r1, c0, c1 = validation["bounds"]
        rng = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0,
               "endColumnIndex": c1}
        if move(rng):
            validation["bounds"] = [rng["startRowIndex"], rng["endRowIndex"],
                                    rng["startColumnIndex"], rng["endColumnIndex"]]
            validations.append(validation)
    sheet["validations"] = validations
    if sheet.get("basicFilter") and not move(sheet["basicFilter"]["range"]):
        del sheet["basicFilter"]
    groups = "rowGroups" if axis == 0 else "columnGroups"
    sheet[groups] = [g for g in sheet.get(groups) or []
                     if move(g["range"], ("startIndex", "endIndex"))]


def _grow(sheet: dict[str, Any], dimension: str, count: int) -> None:
    grid = sheet["properties"]["gridProperties"]
    key = "rowCount" if dimension == "ROWS" else "columnCount"
    grid[key] = grid[key] + count


def append_dimension(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    sheet = _find_sheet(doc, req.get("sheetId"), i, "appendDimension")
    _grow(sheet, req.get("dimension", "ROWS"), int(req.get("length", 0)))
    return {}


def insert_dimension(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "insertDimension")
    dimension, start, end = _dimension(rng)
    if end <= start:
        raise _invalid(i, "insertDimension", "endIndex must be greater than startIndex")
    before = bool(req.get("inheritFromBefore"))
    if before and start == 0:
        raise _invalid(i, "insertDimension",
                       "Cannot inherit properties from before if inserting at the beginning.")
    _shift(sheet, dimension, start, end - start)
    _grow(sheet, dimension, end - start)
    _inherit_formats(sheet, dimension, start, end, start - 1 if before else end)
    return {}


def _inherit_formats(sheet: dict[str, Any], dimension: str, start: int, end: int,
                     source: int) -> None:
    """New rows or columns take the formats of the one before or after them."""
    axis = 0 if dimension == "ROWS" else 1
    formats = sheet.setdefault("formats", {})
    for key, fmt in list(formats.items()):
        pos = list(map(int, key.split(":")))
        if pos[axis] != source:
            continue
        for index in range(start, end):
            pos[axis] = index
            formats[f"{pos[0]}:{pos[1]}"] = copy.deepcopy(fmt)


def delete_dimension(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "deleteDimension")
    dimension, start, end = _dimension(rng)
    _shift(sheet, dimension, start, -(end - start))
    _grow(sheet, dimension, -(end - start))
    return {}


def _grid_bounds(sheet: dict[str, Any], rng: dict[str, Any]) -> tuple[int, int, int, int]:
    grid = sheet["properties"]["gridProperties"]
    return (int(rng.get("startRowIndex", 0)), int(rng.get("endRowIndex", grid["rowCount"])),
            int(rng.get("startColumnIndex", 0)), int(rng.get("endColumnIndex",
                                                            grid["columnCount"])))


def set_data_validation(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "setDataValidation")
    bounds = _grid_bounds(sheet, rng)
    sheet["validations"] = [v for v in sheet["validations"] if v["bounds"] != list(bounds)]
    if req.get("rule"):
        sheet["validations"].append({"bounds": list(bounds), "rule": req["rule"]})
    return {}


def _entered(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if not value:
        return None
    if "formulaValue" in value:
        return {"f": value["formulaValue"]}
    for key in ("stringValue", "numberValue", "boolValue"):
        if key in value:
            return to_cell(value[key], False)
    return None


def _put(sheet: dict[str, Any], r: int, c: int, cell: dict[str, Any] | None) -> None:
    if cell is None:
        sheet["cells"].pop(f"{r}:{c}", None)
    else:
        sheet["cells"][f"{r}:{c}"] = cell


CELL_FIELDS = ("userEnteredValue", "userEnteredFormat", "note")


def _cell_mask(fields: str, i: int, kind: str) -> dict[str, Any]:
    """The CellData fields a request writes: `*`, `note`, `userEnteredFormat(textFormat)`,
    `userEnteredFormat.textFormat.bold`, ..."""
    if not fields:
        raise _invalid(i, kind, "At least one field must be specified.")
    tree = parse_fields(fields)
    if "*" in tree:
        return {name: {} for name in CELL_FIELDS}
    return {k: v for k, v in tree.items() if k in CELL_FIELDS or k == "dataValidation"}


def _masked_copy(target: dict[str, Any], source: dict[str, Any], tree: dict[str, Any]) -> None:
    """Copy what a field mask selects from `source` into `target`; a selected field the
    source lacks is cleared, as Google's field masks do."""
    for key, sub in tree.items():
        if key == "*" or not sub:
            if key == "*":
                target.clear()
                target.update(copy.deepcopy(source))
            elif key in source:
                target[key] = copy.deepcopy(source[key])
            else:
                target.pop(key, None)
            continue
        inner = target.setdefault(key, {})
        _masked_copy(inner, source.get(key) or {}, sub)
        if not inner:
            target.pop(key, None)


def _with_color_styles(fmt: dict[str, Any]) -> dict[str, Any]:
    """Sheets keeps every color twice, as `xColor` and `xColorStyle: {rgbColor}`; setting one
    answers both."""
    for node in (fmt, fmt.get("textFormat") or {}):
        for key in list(node):
            if key.endswith("Color") and isinstance(node[key], dict):
                node.setdefault(key + "Style", {"rgbColor": copy.deepcopy(node[key])})
            elif key.endswith("ColorStyle") and "rgbColor" in (node[key] or {}):
                node.setdefault(key[:-len("Style")], copy.deepcopy(node[key]["rgbColor"]))
    return fmt


def write_cell(sheet: dict[str, Any], r: int, c: int, data: dict[str, Any],
               mask: dict[str, Any]) -> None:
    """Apply one CellData under a mask: value, format and note."""
    key = f"{r}:{c}"
    if "userEnteredValue" in mask:
        _put(sheet, r, c, _entered(data.get("userEnteredValue")))
    if "userEnteredFormat" in mask:
        formats = sheet.setdefault("formats", {})
        current = copy.deepcopy(formats.get(key) or {})
        _masked_copy(current, data.get("userEnteredFormat") or {},
                     mask["userEnteredFormat"] or {"*": {}})
        if current:
            formats[key] = _with_color_styles(current)
        else:
            formats.pop(key, None)
    if "note" in mask:
        notes = sheet.setdefault("notes", {})
        if data.get("note"):
            notes[key] = data["note"]
        else:
            notes.pop(key, None)


def repeat_cell(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "repeatCell")
    mask = _cell_mask(req.get("fields", ""), i, "repeatCell")
    r0, r1, c0, c1 = _grid_bounds(sheet, rng)
    data = req.get("cell") or {}
    for r in range(r0, r1):
        for c in range(c0, c1):
            write_cell(sheet, r, c, data, mask)
    return {}


def update_cells(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    mask = _cell_mask(req.get("fields", ""), i, "updateCells")
    rows = req.get("rows") or []
    if "start" in req:
        start = req["start"]
        sheet = _find_sheet(doc, start.get("sheetId"), i, "updateCells")
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        r1 = r0 + len(rows)
        c1 = c0 + max((len(row.get("values") or []) for row in rows), default=0)
    else:
        rng = req.get("range") or {}
        sheet = _find_sheet(doc, rng.get("sheetId"), i, "updateCells")
        r0, r1, c0, c1 = _grid_bounds(sheet, rng)
    # Within a range, cells the rows do not reach get the masked fields cleared
    for r in range(r0, r1):
        row = rows[r - r0].get("values") or [] if r - r0 < len(rows) else []
        for c in range(c0, c1):
            write_cell(sheet, r, c, row[c - c0] if c - c0 < len(row) else {}, mask)
    return {}


def _no_op(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    """Formatting-only requests: accepted, with no effect on values (the sandbox keeps none)."""
    return {}


REQUESTS: dict[str, Callable[[dict[str, Any], dict[str, Any], int], dict[str, Any]]] = {
    "addSheet": add_sheet, "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "appendDimension": append_dimension, "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension, "setDataValidation": set_data_validation,
    "repeatCell": repeat_cell, "updateCells": update_cells,
    **{name: _no_op for name in (
        "updateBorders", "addConditionalFormatRule")},
}


def _guard(call: Call, doc: dict[str, Any], kind: str, req: dict[str, Any], i: int) -> None:
    """Cell writes into a range protected against the caller are refused before they run."""
    if kind not in ("updateCells", "repeatCell", "sortRange", "mergeCells", "unmergeCells"):
        return
    if kind == "updateCells" and "start" in req:
        start = req["start"]
        rows = req.get("rows") or []
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        bounds = (r0, r0 + len(rows), c0, c0 + max(
            (len(row.get("values") or []) for row in rows), default=0))
        sheet = _find_sheet(doc, start.get("sheetId"), i, kind)
    else:
        rng = req.get("range") or {}
        sheet = _find_sheet(doc, rng.get("sheetId"), i, kind)
        bounds = _grid_bounds(sheet, rng)
    check_edit(call, doc, sheet, bounds)


@handles("sheets.spreadsheets.batchUpdate")
def batch_update(call: Call) -> dict[str, Any]:
    doc = open_content(call, call.params["spreadsheetId"], "writer")
    body = body_dict(call)
    requests = body.get("requests") or []
    if not requests:
        raise errors.GoogleError(400, "badRequest",
                                 "Invalid requests: at least one request is required.")
    replies = []
    for i, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise errors.GoogleError(400, "badRequest",
                                     f"Invalid requests[{i}]: exactly one kind of request is "
                                     "required.")
        kind, payload = next(iter(request.items()))
        payload = payload or {}
        if kind in CALL_REQUESTS:
            replies.append(CALL_REQUESTS[kind](call, doc, payload, i))
            continue
        handler = REQUESTS.get(kind)
        if handler is None:
            raise _invalid(i, kind, "this request kind is not served by the sandbox")
        _guard(call, doc, kind, payload, i)
        replies.append(handler(doc, payload, i))
    save_content(call, doc)
    result: dict[str, Any] = {"spreadsheetId": doc["spreadsheetId"], "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        result["updatedSpreadsheet"] = public(doc)
    return result
