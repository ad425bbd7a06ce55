"""Sheets batchUpdate requests that shape a sheet: merges, the basic filter, sorting, row and
column properties and groups, named ranges, copy / cut and paste, moving rows or columns, and
duplicating a sheet.

Ranges are GridRanges (0-based, half open, a missing bound meaning the grid's edge); what the
sheet keeps is reported back by spreadsheets.get as Google does (`merges`, `basicFilter`,
`rowGroups`, `columnGroups`, `namedRanges`, grid data's `rowMetadata`).
"""

from __future__ import annotations

import copy
import secrets
from functools import cmp_to_key
from typing import Any

from workspace_coach.sandbox.resources import alnum_id
from workspace_coach.sandbox.resources.sheets_cells import render
from workspace_coach.sandbox.resources.sheets_spreadsheets import (
    REQUESTS,
    SPARSE,
    _find_sheet,
    _grid_bounds,
    _invalid,
    _new_sheet_id,
    _reindex,
    _unique_title,
)


def _full(sheet: dict[str, Any], rng: dict[str, Any]) -> dict[str, Any]:
    """A GridRange with every bound spelled out, as Google reports merges and filters."""
    r0, r1, c0, c1 = _grid_bounds(sheet, rng)
    return {"sheetId": sheet["properties"]["sheetId"], "startRowIndex": r0, "endRowIndex": r1,
            "startColumnIndex": c0, "endColumnIndex": c1}


def _overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a["startRowIndex"] < b["endRowIndex"] and b["startRowIndex"] < a["endRowIndex"]
            and a["startColumnIndex"] < b["endColumnIndex"]
            and b["startColumnIndex"] < a["endColumnIndex"])


PARTIAL = "You must select all cells in a merged region to merge or unmerge them."


def _inside(inner: dict[str, Any], outer: dict[str, Any]) -> bool:
    return (outer["startRowIndex"] <= inner["startRowIndex"] and
            inner["endRowIndex"] <= outer["endRowIndex"] and
            outer["startColumnIndex"] <= inner["startColumnIndex"] and
            inner["endColumnIndex"] <= outer["endColumnIndex"])


# -- merges ---------------------------------------------------------------------------------------

def merge_cells(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "mergeCells")
    whole = _full(sheet, rng)
    kind = req.get("mergeType") or "MERGE_ALL"
    if kind not in ("MERGE_ALL", "MERGE_COLUMNS", "MERGE_ROWS"):
        raise _invalid(i, "mergeCells", f"Invalid value at 'merge_type' ({kind})")
    if kind == "MERGE_ALL":
        pieces = [whole]
    elif kind == "MERGE_COLUMNS":  # each column merged on its own
        pieces = [{**whole, "startColumnIndex": c, "endColumnIndex": c + 1}
                  for c in range(whole["startColumnIndex"], whole["endColumnIndex"])]
    else:
        pieces = [{**whole, "startRowIndex": r, "endRowIndex": r + 1}
                  for r in range(whole["startRowIndex"], whole["endRowIndex"])]
    pieces = [p for p in pieces if (p["endRowIndex"] - p["startRowIndex"]) *
              (p["endColumnIndex"] - p["startColumnIndex"]) > 1]
    merges = sheet.setdefault("merges", [])
    # merges wholly inside the new range give way to it; one that only partly overlaps it
    # makes the request fail, as for unmergeCells
    for m in merges:
        if _overlaps(whole, m) and not _inside(m, whole):
            raise _invalid(i, "mergeCells", PARTIAL)
    merges[:] = [m for m in merges if not _inside(m, whole)]
    for piece in pieces:
        # a merged cell keeps only its top-left value
        for key in list(sheet["cells"]):
            r, c = map(int, key.split(":"))
            if (piece["startRowIndex"] <= r < piece["endRowIndex"] and
                    piece["startColumnIndex"] <= c < piece["endColumnIndex"] and
                    (r, c) != (piece["startRowIndex"], piece["startColumnIndex"])):
                del sheet["cells"][key]
        merges.append(piece)
    return {}


def unmerge_cells(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "unmergeCells")
    whole = _full(sheet, rng)
    if any(_overlaps(m, whole) and not _inside(m, whole) for m in sheet.get("merges") or []):
        raise _invalid(i, "unmergeCells", PARTIAL)
    sheet["merges"] = [m for m in sheet.get("merges") or [] if not _overlaps(m, whole)]
    return {}


# -- basic filter ---------------------------------------------------------------------------------

def set_basic_filter(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    given = copy.deepcopy(req.get("filter") or {})
    rng = given.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "setBasicFilter")
    given["range"] = _full(sheet, rng)
    sheet["basicFilter"] = given
    return {}


def clear_basic_filter(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    sheet = _find_sheet(doc, req.get("sheetId"), i, "clearBasicFilter")
    sheet.pop("basicFilter", None)
    return {}


# -- sorting --------------------------------------------------------------------------------------

def _rank(value: Any) -> tuple[int, Any]:
    """Sheets' order: numbers, then text (case-insensitive), then booleans; blanks always last
    (they are kept apart by the caller)."""
    if isinstance(value, bool):
        return 2, value
    if isinstance(value, (int, float)):
        return 0, value
    return 1, str(value).lower()


def sort_range(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet = _find_sheet(doc, rng.get("sheetId"), i, "sortRange")
    r0, r1, c0, c1 = _grid_bounds(sheet, rng)
    specs = req.get("sortSpecs") or []
    for spec in specs:
        index = spec.get("dimensionIndex")
        if index is None or not c0 <= int(index) < c1:
            raise _invalid(i, "sortRange", "Sort spec dimension index is outside the range.")
    cells = sheet["cells"]

    def value(r: int, c: int) -> Any:
        return render(cells.get(f"{r}:{c}"), "UNFORMATTED_VALUE", cells)

    def compare(a: int, b: int) -> int:
        for spec in specs:
            c = int(spec["dimensionIndex"])
            va, vb = value(a, c), value(b, c)
            if va == "" or vb == "":  # blanks last in either order
                if va != vb:
                    return 1 if va == "" else -1
                continue
            ka, kb = _rank(va), _rank(vb)
            if ka != kb:
                order = -1 if ka < kb else 1
                return -order if spec.get("sortOrder") == "DESCENDING" else order
        return 0  # a stable sort keeps ties in place

    order = sorted(range(r0, r1), key=cmp_to_key(compare))
    for name in SPARSE:
        store = sheet.get(name) or {}
        moved = {}
        for key, item in store.items():
            r, c = map(int, key.split(":"))
            if r0 <= r < r1 and c0 <= c < c1:
                continue
            moved[key] = item
        for new_r, old_r in enumerate(order, r0):
            for c in range(c0, c1):
                item = store.get(f"{old_r}:{c}")
                if item is not None:
                    moved[f"{new_r}:{c}"] = item
        sheet[name] = moved
    return {}


# -- rows and columns -----------------------------------------------------------------------------

def _dimension_range(doc: dict[str, Any], rng: dict[str, Any], i: int, kind: str
                     ) -> tuple[dict[str, Any], str, int, int]:
    sheet = _find_sheet(doc, rng.get("sheetId"), i, kind)
    dimension = rng.get("dimension") or "ROWS"
    if dimension not in ("ROWS", "COLUMNS"):
        raise _invalid(i, kind, "range.dimension must be ROWS or COLUMNS")
    grid = sheet["properties"]["gridProperties"]
    limit = grid["rowCount"] if dimension == "ROWS" else grid["columnCount"]
    start, end = int(rng.get("startIndex", 0)), int(rng.get("endIndex", limit))
    if not 0 <= start < end or end > limit:
        raise _invalid(i, kind, f"Invalid dimension range: [{start}, {end})")
    return sheet, dimension, start, end


def update_dimension_properties(doc: dict[str, Any], req: dict[str, Any], i: int
                                ) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension_range(
        doc, req.get("range") or {}, i, "updateDimensionProperties")
    given = req.get("properties") or {}
    fields = [f.strip() for f in (req.get("fields") or "").split(",") if f.strip()]
    if not fields:
        raise _invalid(i, "updateDimensionProperties", "At least one field must be specified.")
    names = list(given) if "*" in fields else fields
    dims = sheet.setdefault("dims", {}).setdefault(dimension, {})
    for index in range(start, end):
        props = dims.setdefault(str(index), {"pixelSize": 21 if dimension == "ROWS" else 100})
        for name in names:
            if given.get(name) not in (None, False):
                props[name] = given[name]
            else:
                props.pop(name, None)
    return {}


def move_dimension(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    sheet, dimension, start, end = _dimension_range(doc, req.get("source") or {}, i,
                                                    "moveDimension")
    dest = int(req.get("destinationIndex", 0))
    axis = 0 if dimension == "ROWS" else 1
    grid = sheet["properties"]["gridProperties"]
    count = grid["rowCount"] if axis == 0 else grid["columnCount"]
    order = [k for k in range(count) if not start <= k < end]
    at = dest if dest <= start else dest - (end - start)
    order[at:at] = list(range(start, end))
    new_of = {old: new for new, old in enumerate(order)}
    for name in SPARSE:
        moved = {}
        for key, item in (sheet.get(name) or {}).items():
            pos = list(map(int, key.split(":")))
            pos[axis] = new_of[pos[axis]]
            moved[f"{pos[0]}:{pos[1]}"] = item
        sheet[name] = moved
    return {}


def _groups(sheet: dict[str, Any], dimension: str) -> list[dict[str, Any]]:
    return sheet.setdefault("rowGroups" if dimension == "ROWS" else "columnGroups", [])


def _depths(groups: list[dict[str, Any]]) -> None:
    for group in groups:
        a, b = group["range"]["startIndex"], group["range"]["endIndex"]
        group["depth"] = sum(1 for g in groups if g["range"]["startIndex"] <= a and
                             b <= g["range"]["endIndex"])
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))


def add_dimension_group(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet, dimension, start, end = _dimension_range(doc, rng, i, "addDimensionGroup")
    groups = _groups(sheet, dimension)
    for group in groups:
        if (group["range"]["startIndex"], group["range"]["endIndex"]) == (start, end):
            raise _invalid(i, "addDimensionGroup", "The group already exists.")
    groups.append({"range": {"sheetId": sheet["properties"]["sheetId"],
                             "dimension": dimension, "startIndex": start, "endIndex": end},
                   "depth": 1})
    _depths(groups)
    return {"addDimensionGroup": {"dimensionGroups": copy.deepcopy(groups)}}


def delete_dimension_group(doc: dict[str, Any], req: dict[str, Any], i: int
                           ) -> dict[str, Any]:
    rng = req.get("range") or {}
    sheet, dimension, start, end = _dimension_range(doc, rng, i, "deleteDimensionGroup")
    groups = _groups(sheet, dimension)
    for group in groups:
        if (group["range"]["startIndex"], group["range"]["endIndex"]) == (start, end):
            groups.remove(group)
            break
    else:
        raise _invalid(i, "deleteDimensionGroup", "No group found in the given range.")
    _depths(groups)
    return {"deleteDimensionGroup": {"dimensionGroups": copy.deepcopy(groups)}}


# -- named ranges ---------------------------------------------------------------------------------

def add_named_range(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    given = copy.deepcopy(req.get("namedRange") or {})
    name = given.get("name") or ""
    named = doc.setdefault("namedRanges", [])
    if not name or any(n["name"].lower() == name.lower() for n in named):
        raise _invalid(i, "addNamedRange", f"Named range with name '{name}' already exists."
                       if name else "A named range must have a name.")
    _find_sheet(doc, (given.get("range") or {}).get("sheetId"), i, "addNamedRange")
    given.setdefault("namedRangeId", alnum_id(12))
    named.append(given)
    return {"addNamedRange": {"namedRange": copy.deepcopy(given)}}


def delete_named_range(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    named = doc.get("namedRanges") or []
    kept = [n for n in named if n.get("namedRangeId") != req.get("namedRangeId")]
    if len(kept) == len(named):
        raise _invalid(i, "deleteNamedRange",
                       f"No named range with id: {req.get('namedRangeId')}")
    doc["namedRanges"] = kept
    return {}


# -- copy, cut and paste --------------------------------------------------------------------------

_PASTED = {"PASTE_NORMAL": SPARSE, "PASTE_VALUES": ("cells",), "PASTE_FORMAT": ("formats",),
           "PASTE_NO_BORDERS": SPARSE}


def _block(sheet: dict[str, Any], bounds: tuple[int, int, int, int], kinds: tuple[str, ...]
           ) -> dict[str, dict[tuple[int, int], Any]]:
    r0, r1, c0, c1 = bounds
    out: dict[str, dict[tuple[int, int], Any]] = {}
    for name in kinds:
        out[name] = {}
        for key, item in (sheet.get(name) or {}).items():
            r, c = map(int, key.split(":"))
            if r0 <= r < r1 and c0 <= c < c1:
                out[name][(r - r0, c - c0)] = copy.deepcopy(item)
    return out


def _paste(sheet: dict[str, Any], block: dict[str, dict[tuple[int, int], Any]],
           bounds: tuple[int, int, int, int], size: tuple[int, int]) -> None:
    """Paste a block of `size` (rows, columns), tiled over `bounds` as the UI does."""
    r0, r1, c0, c1 = bounds
    height, width = size
    grid = sheet["properties"]["gridProperties"]
    for name, items in block.items():
        store = sheet.setdefault(name, {})
        for r in range(r0, min(r1, grid["rowCount"])):
            for c in range(c0, min(c1, grid["columnCount"])):
                item = items.get(((r - r0) % height, (c - c0) % width))
                if item is None:
                    store.pop(f"{r}:{c}", None)
                else:
                    store[f"{r}:{c}"] = copy.deepcopy(item)


def copy_paste(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    src_rng, dst_rng = req.get("source") or {}, req.get("destination") or {}
    src = _find_sheet(doc, src_rng.get("sheetId"), i, "copyPaste")
    dst = _find_sheet(doc, dst_rng.get("sheetId"), i, "copyPaste")
    kinds = _PASTED.get(req.get("pasteType") or "PASTE_NORMAL", SPARSE)
    s0, s1, t0, t1 = _grid_bounds(src, src_rng)
    block = _block(src, (s0, s1, t0, t1), kinds)
    d0, d1, e0, e1 = _grid_bounds(dst, dst_rng)
    height, width = s1 - s0, t1 - t0
    # a destination smaller than the source still receives the whole source
    d1, e1 = max(d1, d0 + height), max(e1, e0 + width)
    _paste(dst, block, (d0, d1, e0, e1), (height, width))
    return {}


def cut_paste(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    src_rng, dest = req.get("source") or {}, req.get("destination") or {}
    src = _find_sheet(doc, src_rng.get("sheetId"), i, "cutPaste")
    dst = _find_sheet(doc, dest.get("sheetId"), i, "cutPaste")
    kinds = _PASTED.get(req.get("pasteType") or "PASTE_NORMAL", SPARSE)
    s0, s1, t0, t1 = _grid_bounds(src, src_rng)
    block = _block(src, (s0, s1, t0, t1), kinds)
    for name in kinds:
        for key in list(src.get(name) or {}):
            r, c = map(int, key.split(":"))
            if s0 <= r < s1 and t0 <= c < t1:
                del src[name][key]
    r, c = int(dest.get("rowIndex", 0)), int(dest.get("columnIndex", 0))
    _paste(dst, block, (r, r + s1 - s0, c, c + t1 - t0), (s1 - s0, t1 - t0))
    return {}


# -- duplicating a sheet --------------------------------------------------------------------------

def duplicate_sheet(doc: dict[str, Any], req: dict[str, Any], i: int) -> dict[str, Any]:
    source = _find_sheet(doc, req.get("sourceSheetId"), i, "duplicateSheet")
    title = req.get("newSheetName") or f"Copy of {source['properties']['title']}"
    _unique_title(doc, title, i, "duplicateSheet")
    sheet_id = req.get("newSheetId")
    if sheet_id is None:
        sheet_id = _new_sheet_id(doc["sheets"])
    elif any(s["properties"]["sheetId"] == int(sheet_id) for s in doc["sheets"]):
        raise _invalid(i, "duplicateSheet", f"Sheet with id {sheet_id} already exists.")
    copied = copy.deepcopy(source)
    copied["properties"].update({"sheetId": int(sheet_id), "title": title})
    # protected ranges get fresh ids; everything else that names the sheet follows it
    for protected in copied.get("protectedRanges") or []:
        protected["protectedRangeId"] = secrets.randbelow(2**31 - 2) + 1
    for rng in [*(copied.get("merges") or []), *(
            [copied["basicFilter"]["range"]] if copied.get("basicFilter") else [])]:
        rng["sheetId"] = int(sheet_id)
    at = req.get("insertSheetIndex")
    doc["sheets"].insert(int(at) if at is not None else len(doc["sheets"]), copied)
    _reindex(doc)
    return {"duplicateSheet": {"properties": copy.deepcopy(copied["properties"])}}


def auto_resize_dimensions(doc: dict[str, Any], req: dict[str, Any], i: int
                           ) -> dict[str, Any]:
    """Widths (or heights) fitted to the longest text, estimated at 7 px a character (the
    default 10 pt Arial) plus padding; rows fit their lines at 21 px each."""
    rng = req.get("dimensions") or {}
    sheet, dimension, start, end = _dimension_range(doc, rng, i, "autoResizeDimensions")
    cells = sheet["cells"]
    dims = sheet.setdefault("dims", {}).setdefault(dimension, {})
    axis = 0 if dimension == "ROWS" else 1
    sizes: dict[int, int] = {}
    for key, cell in cells.items():
        pos = tuple(map(int, key.split(":")))
        if start <= pos[axis] < end:
            text = str(render(cell, "FORMATTED_VALUE", cells))
            size = 21 * (text.count("\n") + 1) if axis == 0 else \
                7 * max(len(line) for line in text.split("\n")) + 10
            sizes[pos[axis]] = max(sizes.get(pos[axis], 0), size)
    for index in range(start, end):
        props = dims.setdefault(str(index), {})
        props["pixelSize"] = sizes.get(index, 21 if axis == 0 else 100)
    return {}


REQUESTS.update({
    "autoResizeDimensions": auto_resize_dimensions,
    "mergeCells": merge_cells, "unmergeCells": unmerge_cells,
    "setBasicFilter": set_basic_filter, "clearBasicFilter": clear_basic_filter,
    "sortRange": sort_range, "updateDimensionProperties": update_dimension_properties,
    "moveDimension": move_dimension, "addDimensionGroup": add_dimension_group,
    "deleteDimensionGroup": delete_dimension_group, "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range, "copyPaste": copy_paste, "cutPaste": cut_paste,
    "duplicateSheet": duplicate_sheet,
})
