"""Sheets v4 values: get, update, append, clear and their batch forms.

Ranges are A1 (see sheets_cells). RAW stores strings as given; USER_ENTERED parses numbers,
TRUE/FALSE and keeps `=...` as formulas. Reads render FORMATTED_VALUE (strings),
UNFORMATTED_VALUE or FORMULA, omit trailing empty rows and columns, and honour majorDimension.
"""

from __future__ import annotations

from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.resources import Call, body_dict, handles
from workspace_coach.sandbox.resources.sheets_cells import (
    Span,
    col_letters,
    parse_range,
    quote_title,
    render,
    to_cell,
)
from workspace_coach.sandbox.resources.sheets_protect import check_edit
from workspace_coach.sandbox.resources.sheets_spreadsheets import open_content, save_content


def _guard(call: Call, doc: dict[str, Any], span: Span, values: Any, major: str = "ROWS"
           ) -> None:
    """Refuse a write that reaches a cell protected against the caller."""
    if not isinstance(values, list) or not values:
        return
    height = len(values)
    width = max((len(v) for v in values if isinstance(v, list)), default=0)
    if major == "COLUMNS":
        height, width = width, height
    check_edit(call, doc, span.sheet, (span.r0, span.r0 + height, span.c0, span.c0 + width))


def _grid(span: Span) -> tuple[int, int]:
    grid = span.sheet["properties"]["gridProperties"]
    return grid["rowCount"], grid["columnCount"]


def _exceeds(span: Span, row: int, col: int) -> errors.GoogleError:
    rows, cols = _grid(span)
    return errors.GoogleError(
        400, "badRequest", f"Range ({quote_title(span.title)}!{col_letters(col)}{row + 1}) "
        f"exceeds grid limits. Max rows: {rows}, max columns: {cols}")


def read(span: Span, option: str = "FORMATTED_VALUE", major: str = "ROWS") -> dict[str, Any]:
    """A ValueRange for a span, clamped to the grid, trailing blanks trimmed."""
    rows, cols = _grid(span)
    r1, c1 = min(span.r1, rows - 1), min(span.c1, cols - 1)
    cells = span.sheet["cells"]
    matrix: list[list[Any]] = []
    for r in range(span.r0, r1 + 1):
        matrix.append([render(cells.get(f"{r}:{c}"), option, cells)
                       for c in range(span.c0, c1 + 1)])
    if major == "COLUMNS":
        matrix = [list(col) for col in zip(*matrix, strict=True)] if matrix else []
    for line in matrix:
        while line and line[-1] == "":
            line.pop()
    while matrix and not matrix[-1]:
        matrix.pop()
    out: dict[str, Any] = {"range": span.a1(r1=r1, c1=c1),
                           "majorDimension": "COLUMNS" if major == "COLUMNS" else "ROWS"}
    if matrix:
        out["values"] = matrix
    return out


def write(span: Span, values: list[list[Any]], user_entered: bool, major: str = "ROWS",
          grow: bool = False) -> dict[str, Any]:
    """Write a block at the span's top-left; returns the UpdateValuesResponse counts."""
    if not isinstance(values, list) or any(not isinstance(v, list) for v in values):
        raise errors.invalid("Invalid values: expected a list of lists")
    if major == "COLUMNS":
        width = max((len(v) for v in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    height = len(values)
    width = max((len(v) for v in values), default=0)
    if height == 0 or width == 0:
        return {"updatedRange": span.a1(r1=span.r0, c1=span.c0)}
    last_r, last_c = span.r0 + height - 1, span.c0 + width - 1
    if (span.bounded_rows and last_r > span.r1) or (span.bounded_cols and last_c > span.c1):
        raise errors.GoogleError(
            400, "badRequest", f"Requested writing within range [{span.a1()}], but tried "
            f"writing to {'row [' + str(last_r + 1) + ']' if last_r > span.r1 else 'column [' + col_letters(last_c) + ']'}")
    rows, cols = _grid(span)
    if last_r >= rows or last_c >= cols:
        if not grow:
            raise _exceeds(span, last_r if last_r >= rows else span.r0,
                           last_c if last_c >= cols else span.c0)
        grid = span.sheet["properties"]["gridProperties"]
        grid["rowCount"] = max(rows, last_r + 1)
        grid["columnCount"] = max(cols, last_c + 1)
    cells = span.sheet["cells"]
    written = 0
    for dr, row in enumerate(values):
        for dc, value in enumerate(row):
            if value is None:
                continue
            written += 1
            cell = to_cell(value, user_entered)
            key = f"{span.r0 + dr}:{span.c0 + dc}"
            if cell is None:
                cells.pop(key, None)
            else:
                cells[key] = cell
    return {"updatedRange": span.a1(r1=last_r, c1=last_c), "updatedRows": height,
            "updatedColumns": width, "updatedCells": written}


def _input_option(value: str | None) -> bool:
    if value not in ("RAW", "USER_ENTERED"):
        raise errors.GoogleError(400, "badRequest",
                                 "'valueInputOption' is required but not specified")
    return value == "USER_ENTERED"


def _response(call: Call, doc: dict[str, Any], span: Span, counts: dict[str, Any],
              include: bool, option: str | None) -> dict[str, Any]:
    out = {"spreadsheetId": doc["spreadsheetId"], **counts}
    if include:
        updated = parse_range(doc["sheets"], counts["updatedRange"])
        out["updatedData"] = read(updated, option or "FORMATTED_VALUE")
    return out


@handles("sheets.spreadsheets.values.get")
def get(call: Call) -> dict[str, Any]:
    doc = open_content(call, call.params["spreadsheetId"])
    span = parse_range(doc["sheets"], call.params["range"])
    return read(span, call.params.get("valueRenderOption") or "FORMATTED_VALUE",
                call.params.get("majorDimension") or "ROWS")


@handles("sheets.spreadsheets.values.batchGet")
def batch_get(call: Call) -> dict[str, Any]:
    doc = open_content(call, call.params["spreadsheetId"])
    option = call.params.get("valueRenderOption") or "FORMATTED_VALUE"
    major = call.params.get("majorDimension") or "ROWS"
    ranges = call.params.get("ranges") or []
    return {"spreadsheetId": doc["spreadsheetId"],
            "valueRanges": [read(parse_range(doc["sheets"], r), option, major) for r in ranges]}


@handles("sheets.spreadsheets.values.update")
def update(call: Call) -> dict[str, Any]:
    user_entered = _input_option(call.params.get("valueInputOption"))
    doc = open_content(call, call.params["spreadsheetId"], "writer")
    body = body_dict(call)
    span = parse_range(doc["sheets"], call.params["range"])
    _guard(call, doc, span, body.get("values"), body.get("majorDimension") or "ROWS")
    counts = write(span, body.get("values") or [], user_entered,
                   body.get("majorDimension") or "ROWS")
    save_content(call, doc)
    return _response(call, doc, span, counts, bool(call.params.get("includeValuesInResponse")),
                     call.params.get("responseValueRenderOption"))


@handles("sheets.spreadsheets.values.batchUpdate")
def batch_update(call: Call) -> dict[str, Any]:
    doc = open_content(call, call.params["spreadsheetId"], "writer")
    body = body_dict(call)
    user_entered = _input_option(body.get("valueInputOption"))
    responses = []
    sheets: set[int] = set()
    totals = {"totalUpdatedRows": 0, "totalUpdatedColumns": 0, "totalUpdatedCells": 0}
    for entry in body.get("data") or []:
        span = parse_range(doc["sheets"], entry.get("range", ""))
        _guard(call, doc, span, entry.get("values"), entry.get("majorDimension") or "ROWS")
        counts = write(span, entry.get("values") or [], user_entered,
                       entry.get("majorDimension") or "ROWS")
        responses.append(_response(call, doc, span, counts,
                                   bool(body.get("includeValuesInResponse")),
                                   body.get("responseValueRenderOption")))
        if counts.get("updatedCells"):
            sheets.add(span.sheet["properties"]["sheetId"])
            totals["totalUpdatedRows"] += counts["updatedRows"]
            totals["totalUpdatedColumns"] += counts["updatedColumns"]
            totals["totalUpdatedCells"] += counts["updatedCells"]
    save_content(call, doc)
    out: dict[str, Any] = {"spreadsheetId": doc["spreadsheetId"], **totals,
                           "totalUpdatedSheets": len(sheets)}
    if responses:
        out["responses"] = responses
    return out


def _tables(cells: set[tuple[int, int]]) -> list[set[tuple[int, int]]]:
    """Filled cells grouped into tables: blocks joined side by side or one above another."""
    left, out = set(cells), []
    while left:
        seed = left.pop()
        block, todo = {seed}, [seed]
        while todo:
            r, c = todo.pop()
            for near in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if near in left:
                    left.remove(near)
                    block.add(near)
                    todo.append(near)
        out.append(block)
    return out


def _table_end(span: Span) -> tuple[int, int, int] | None:
    """The last row of the table the append range points into, with its column bounds.

    A single cell names the table it sits in (none if it is empty, so rows just inserted
    empty there, as gspread's insert_rows does, get filled); a wider range holds tables
    separated by empty rows or columns, and the last of them takes the new rows (why two
    appends of a row with a gap in it step to the right, gspread#537)."""
    _rows, cols = _grid(span)
    single = not span.bounded_cols or span.c0 == span.c1
    c_lo, c_hi = (0, cols - 1) if single else (span.c0, span.c1)
    used = {tuple(map(int, key.split(":"))) for key in span.sheet["cells"]}
    used = {(r, c) for r, c in used if r >= span.r0 and c_lo <= c <= c_hi and
            (not span.bounded_rows or r <= span.r1)}
    tables = _tables(used)
    if not tables:
        return None
    if span.r0 == span.r1 and span.c0 == span.c1 and not span.bounded_rows:
        found = [t for t in tables if (span.r0, span.c0) in t]
        if not found:
            return None
        table = found[0]
    else:
        table = max(tables, key=lambda t: (max(r for r, _ in t), min(c for _, c in t)))
    return (max(r for r, _ in table), min(c for _, c in table), max(c for _, c in table))


@handles("sheets.spreadsheets.values.append")
def append(call: Call) -> dict[str, Any]:
    user_entered = _input_option(call.params.get("valueInputOption"))
    doc = open_content(call, call.params["spreadsheetId"], "writer")
    body = body_dict(call)
    span = parse_range(doc["sheets"], call.params["range"])
    values = body.get("values") or []
    if (body.get("majorDimension") or "ROWS") == "COLUMNS":
        width = max((len(v) for v in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    table = _table_end(span)
    out: dict[str, Any] = {"spreadsheetId": doc["spreadsheetId"]}
    if table is None:
        start_row, start_col = span.r0, span.c0
    else:
        last, c_lo, c_hi = table
        start_row, start_col = last + 1, c_lo
        out["tableRange"] = span.a1(r0=span.r0, c0=c_lo, r1=last, c1=c_hi)
    target = Span(span.sheet, start_row, start_col, start_row, start_col, False, False)
    _guard(call, doc, target, values)
    if call.params.get("insertDataOption") == "INSERT_ROWS" and values:
        grid = span.sheet["properties"]["gridProperties"]
        moved = {}
        for key, cell in span.sheet["cells"].items():
            r, c = map(int, key.split(":"))
            moved[f"{r + len(values) if r >= start_row else r}:{c}"] = cell
        span.sheet["cells"] = moved
        grid["rowCount"] += len(values)
    counts = write(target, values, user_entered, grow=True)
    save_content(call, doc)
    out["updates"] = _response(call, doc, target, counts,
                               bool(call.params.get("includeValuesInResponse")),
                               call.params.get("responseValueRenderOption"))
    return out


def _clear(call: Call, doc: dict[str, Any], span: Span) -> str:
    rows, cols = _grid(span)
    r1, c1 = min(span.r1, rows - 1), min(span.c1, cols - 1)
    check_edit(call, doc, span.sheet, (span.r0, r1 + 1, span.c0, c1 + 1))
    cells = span.sheet["cells"]
    for key in list(cells):
        r, c = map(int, key.split(":"))
        if span.r0 <= r <= r1 and span.c0 <= c <= c1:
            del cells[key]
    return span.a1(r1=r1, c1=c1)


@handles("sheets.spreadsheets.values.clear")
def clear(call: Call) -> dict[str, Any]:
    doc = open_content(call, call.params["spreadsheetId"], "writer")
    cleared = _clear(call, doc, parse_range(doc["sheets"], call.params["range"]))
    save_content(call, doc)
    return {"spreadsheetId": doc["spreadsheetId"], "clearedRange": cleared}


@handles("sheets.spreadsheets.values.batchClear")
def batch_clear(call: Call) -> dict[str, Any]:
    doc = open_content(call, call.params["spreadsheetId"], "writer")
    ranges = body_dict(call).get("ranges") or []
    cleared = [_clear(call, doc, parse_range(doc["sheets"], r)) for r in ranges]
    save_content(call, doc)
    return {"spreadsheetId": doc["spreadsheetId"], "clearedRanges": cleared}
