"""Sheets cell mechanics: A1 ranges, value input (RAW / USER_ENTERED) and rendering.

Cells of a sheet are stored sparsely as `{"<row>:<col>": {"v": value} | {"f": "=formula"}}`
(0-based). Ranges follow Google's A1 notation: `Sheet1!A1:B2`, `'My Sheet'!A:A`, `'시트'!2:3`,
`A1` (first sheet) or a bare sheet name (whole sheet). Formulas are kept as written; a small
evaluator covers arithmetic with cell references and SUM / AVERAGE / COUNT / MIN / MAX.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from typing import Any

from workspace_coach.sandbox import errors

_END = re.compile(r"^([A-Za-z]*)(\d*)$")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_]+$")


def bad_range(text: str) -> errors.GoogleError:
    return errors.GoogleError(400, "badRequest", f"Unable to parse range: {text}")


def col_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    value = 0
    for ch in letters.upper():
        value = value * 26 + ord(ch) - 64
    return value - 1


def quote_title(title: str) -> str:
    if _PLAIN_NAME.match(title) and not re.match(r"^[A-Za-z]{1,3}\d+$", title):
        return title
    return "'" + title.replace("'", "''") + "'"


@dataclass
class Span:
    """A resolved range: the sheet (its stored dict) and inclusive 0-based bounds."""

    sheet: dict[str, Any]
    r0: int
    c0: int
    r1: int
    c1: int
    bounded_rows: bool = True
    bounded_cols: bool = True

    @property
    def title(self) -> str:
        return self.sheet["properties"]["title"]

    def a1(self, r0: int | None = None, c0: int | None = None, r1: int | None = None,
           c1: int | None = None) -> str:
        r0 = self.r0 if r0 is None else r0
        c0 = self.c0 if c0 is None else c0
        r1 = self.r1 if r1 is None else r1
        c1 = self.c1 if c1 is None else c1
        start = f"{col_letters(c0)}{r0 + 1}"
        end = f"{col_letters(c1)}{r1 + 1}"
        return f"{quote_title(self.title)}!{start}" + ("" if (r0, c0) == (r1, c1) else f":{end}")


def _split_sheet(text: str) -> tuple[str | None, str]:
    if text.startswith("'"):
        i = 1
        name = ""
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    name += "'"
                    i += 2
                    continue
                rest = text[i + 1:]
                if rest and not rest.startswith("!"):
                    raise bad_range(text)
                return name, rest[1:] if rest else ""
            name += text[i]
            i += 1
        raise bad_range(text)
    if "!" in text:
        name, _, cells = text.rpartition("!")
        return name, cells
    return None, text


def parse_range(sheets: list[dict[str, Any]], text: str) -> Span:
    """Resolve an A1 range against a spreadsheet's sheets, clamped to the grid."""
    raw = text.strip()
    name, cells = _split_sheet(raw)
    by_title = {s["properties"]["title"]: s for s in sheets}
    if name is None:
        if cells in by_title:
            name, cells = cells, ""
        else:
            name = sheets[0]["properties"]["title"]
    sheet = by_title.get(name)
    if sheet is None:
        raise bad_range(text)
    grid = sheet["properties"]["gridProperties"]
    max_r, max_c = grid["rowCount"] - 1, grid["columnCount"] - 1
    if not cells:
        return Span(sheet, 0, 0, max_r, max_c, False, False)
    start, _, end = cells.partition(":")
    m1, m2 = _END.match(start), _END.match(end) if end else None
    if not m1 or (end and not m2) or start == "":
        raise bad_range(text)
    c0 = col_index(m1[1]) if m1[1] else 0
    r0 = int(m1[2]) - 1 if m1[2] else 0
    if not end:
        if not (m1[1] and m1[2]):
            raise bad_range(text)
        # A single cell names where writing starts, not a bound (as at Google).
        return Span(sheet, r0, c0, r0, c0, False, False)
    assert m2 is not None
    if (not m1[1] and m2[1]) or (not m1[2] and m2[2] and m1[1]) or end == "":
        raise bad_range(text)
    c1 = col_index(m2[1]) if m2[1] else max_c
    r1 = int(m2[2]) - 1 if m2[2] else max_r
    # Google reads a range given corner to corner either way round (D4:A1 is A1:D4)
    if m2[1] and m2[2] and m1[1] and m1[2]:
        r0, r1 = min(r0, r1), max(r0, r1)
        c0, c1 = min(c0, c1), max(c0, c1)
    if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0:
        raise bad_range(text)
    return Span(sheet, r0, c0, min(r1, max_r) if not m2[2] else r1,
                min(c1, max_c) if not m2[1] else c1, bool(m2[2]), bool(m2[1]))


# -- input ----------------------------------------------------------------------------------------

def to_cell(value: Any, user_entered: bool) -> dict[str, Any] | None:
    """A stored cell for an input value; None clears the cell."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, int, float)):
        return {"v": value}
    text = str(value)
    if not user_entered:
        return {"v": text}
    if text.startswith("="):
        return {"f": text}
    if text.startswith("'"):
        return {"v": text[1:]}
    if text.strip().upper() in ("TRUE", "FALSE"):
        return {"v": text.strip().upper() == "TRUE"}
    stripped = text.strip()
    if stripped and any(ch.isdigit() for ch in stripped) and _NUMBER.match(stripped):
        number = float(stripped.replace(",", ""))
        return {"v": int(number) if number.is_integer() and abs(number) < 2**53 else number}
    if re.match(r"^[+-]?\d+(?:\.\d+)?%$", stripped):
        return {"v": float(stripped[:-1]) / 100}
    return {"v": text}


# -- output ---------------------------------------------------------------------------------------

def _number_text(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g") if isinstance(value, float) else str(value)


def render(cell: dict[str, Any] | None, option: str, cells: dict[str, Any]) -> Any:
    if cell is None:
        return ""
    if "f" in cell:
        if option == "FORMULA":
            return cell["f"]
        value = evaluate(cell["f"], cells)
    else:
        value = cell["v"]
    if option == "FORMATTED_VALUE":
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, (int, float)):
            return _number_text(value)
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# -- a small formula evaluator --------------------------------------------------------------------

_REF = re.compile(r"(?<![A-Za-z])\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?")
_FUNCS = {"SUM": sum, "AVERAGE": lambda xs: sum(xs) / len(xs) if xs else 0.0, "COUNT": len,
          "MIN": lambda xs: min(xs) if xs else 0, "MAX": lambda xs: max(xs) if xs else 0}
_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.Div: operator.truediv, ast.Pow: operator.pow}


def _numbers(cells: dict[str, Any], ref: re.Match[str], depth: int) -> list[float]:
    c0, r0 = col_index(ref[1]), int(ref[2]) - 1
    c1, r1 = (col_index(ref[3]), int(ref[4]) - 1) if ref[3] else (c0, r0)
    out: list[float] = []
    for r in range(r0, r1 + 1):
        for c in range(c0, c1 + 1):
            cell = cells.get(f"{r}:{c}")
            if cell is None:
                continue
            value = evaluate(cell["f"], cells, depth + 1) if "f" in cell else cell["v"]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                out.append(value)
    return out


def evaluate(formula: str, cells: dict[str, Any], depth: int = 0) -> Any:
    if depth > 20:
        return "#REF!"
    expr = formula[1:].strip()
    try:
        def function(m: re.Match[str]) -> str:
            values: list[float] = []
            for part in m[2].split(","):
                ref = _REF.fullmatch(part.strip())
                if ref:
                    values += _numbers(cells, ref, depth)
                elif part.strip():
                    values.append(float(_arith(part.strip())))
            return repr(float(_FUNCS[m[1].upper()](values)))

        expr = re.sub(r"\b(SUM|AVERAGE|COUNT|MIN|MAX)\(([^()]*)\)", function, expr,
                      flags=re.IGNORECASE)
        expr = _REF.sub(lambda m: repr(float(sum(_numbers(cells, m, depth)))), expr)
        result = _arith(expr)
    except (ValueError, SyntaxError, ZeroDivisionError, KeyError, TypeError):
        return "#ERROR!"
    return int(result) if float(result).is_integer() else result


def _arith(expr: str) -> float:
    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -walk(node.operand) if isinstance(node.op, ast.USub) else walk(node.operand)
        raise ValueError("unsupported formula")

    return walk(ast.parse(expr.replace("^", "**"), mode="eval"))
