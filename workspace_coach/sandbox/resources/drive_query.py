"""Drive's search query language (`q` of files.list and drives.list), a practical subset.

`name = 'x'`, `name contains 'x'`, `mimeType = '...'`, `'<id>' in parents` (and gspread's
`parents in "<id>"`), `trashed = false`, `hidden = true`, `memberCount > 2`,
`createdTime > '2024-01-01T00:00:00'`, `appProperties has { key='k' and value='v' }` (also
`properties`), combined with `and`, `or`, `not` and parentheses. Strings take single or double
quotes with backslash escapes. Anything else is Google's 400 `Invalid Value`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from workspace_coach.sandbox import errors

_TOKEN = re.compile(r"""\s*(?:(?P<str>'(?:\\.|[^'\\])*'|"(?:\\.|[^"\\])*")|(?P<op><=|>=|!=|=|<|>)|"""
                    r"""(?P<paren>[(){}])|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<num>-?\d+(?:\.\d+)?))""")
KEYWORD_OPS = {"contains", "in", "has"}


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Entry:
    """`{ key='k' and value='v' }`: one entry of a file's properties or appProperties."""

    key: str
    value: str


@dataclass(frozen=True)
class Compare:
    left: Literal | Field
    op: str
    right: Literal | Field | Entry


@dataclass(frozen=True)
class BoolOp:
    op: str  # and / or / not
    items: tuple[Any, ...]


def invalid_query() -> errors.GoogleError:
    return errors.GoogleError(400, "invalid", "Invalid Value",
                              extra={"locationType": "parameter", "location": "q"})


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            raise invalid_query()
        pos = found.end()
        kind = found.lastgroup
        assert kind is not None
        out.append((kind, found.group(kind)))
    return out


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def parse(text: str) -> Any:
    tokens = _tokens(text)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise invalid_query()
        pos += 1
        return tokens[pos - 1]

    def operand() -> Literal | Field:
        kind, value = take()
        if kind == "str":
            return Literal(_unquote(value))
        if kind == "num":
            return Literal(float(value) if "." in value else int(value))
        if kind == "word":
            if value.lower() in ("true", "false"):
                return Literal(value.lower() == "true")
            return Field(value)
        raise invalid_query()

    def comparison() -> Any:
        nxt = peek()
        if nxt == ("paren", "("):
            take()
            inner = disjunction()
            if take() != ("paren", ")"):
                raise invalid_query()
            return inner
        if nxt and nxt[0] == "word" and nxt[1].lower() == "not":
            take()
            return BoolOp("not", (comparison(),))
        left = operand()
        kind, op = take()
        if kind == "word" and op.lower() in KEYWORD_OPS:
            op = op.lower()
        elif kind != "op":
            raise invalid_query()
        if op == "has":
            return Compare(left, op, entry())
        return Compare(left, op, operand())

    def entry() -> Entry:
        """`{ key = 'k' and value = 'v' }`, the only right-hand side `has` takes."""
        if take() != ("paren", "{"):
            raise invalid_query()
        found: dict[str, str] = {}
        for i, name in enumerate(("key", "value")):
            if i and take() != ("word", "and"):
                raise invalid_query()
            word, eq, (kind, raw) = take(), take(), take()
            if word != ("word", name) or eq != ("op", "=") or kind != "str":
                raise invalid_query()
            found[name] = _unquote(raw)
        if take() != ("paren", "}"):
            raise invalid_query()
        return Entry(found["key"], found["value"])

    def conjunction() -> Any:
        items = [comparison()]
        while peek() and peek()[0] == "word" and peek()[1].lower() == "and":  # type: ignore[index]
            take()
            items.append(comparison())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def disjunction() -> Any:
        items = [conjunction()]
        while peek() and peek()[0] == "word" and peek()[1].lower() == "or":  # type: ignore[index]
            take()
            items.append(conjunction())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    tree = disjunction()
    if pos != len(tokens):
        raise invalid_query()
    return tree


Resolver = Callable[[str], Any]


def _value(node: Literal | Field | Entry, resolve: Resolver) -> Any:
    if isinstance(node, Entry):
        return node
    return node.value if isinstance(node, Literal) else resolve(node.name)


def _contains(haystack: Any, needle: Any, field: str) -> bool:
    if not isinstance(haystack, str) or not isinstance(needle, str):
        raise invalid_query()
    hay, want = haystack.lower(), needle.lower()
    if field == "name":
        # Drive matches name terms by prefix: of the whole name or of any word in it.
        return hay.startswith(want) or any(word.startswith(want)
                                           for word in re.split(r"[\s._\-]+", hay))
    return want in hay


def evaluate(tree: Any, resolve: Resolver) -> bool:
    if isinstance(tree, BoolOp):
        if tree.op == "not":
            return not evaluate(tree.items[0], resolve)
        results = (evaluate(item, resolve) for item in tree.items)
        return all(results) if tree.op == "and" else any(results)
    left, right = _value(tree.left, resolve), _value(tree.right, resolve)
    op = tree.op
    if op == "in":
        if isinstance(right, list):
            return left in right
        if isinstance(left, list):  # `parents in 'id'`, as gspread writes it
            return right in left
        raise invalid_query()
    if op == "contains":
        field = tree.left.name if isinstance(tree.left, Field) else ""
        return _contains(left, right, field)
    if op == "has":
        if not isinstance(left, dict) or not isinstance(right, Entry):
            raise invalid_query()
        return left.get(right.key) == right.value
    if op == "=":
        return left == right
    if op == "!=":
        return left != right
    if type(left) is not type(right) and not (isinstance(left, (int, float))
                                              and isinstance(right, (int, float))):
        raise invalid_query()
    return {"<": left < right, "<=": left <= right, ">": left > right,
            ">=": left >= right}[op]


def matcher(text: str | None, fields: dict[str, Callable[[dict[str, Any]], Any]]
            ) -> Callable[[dict[str, Any]], bool]:
    """Compile `q` into a predicate over documents; `fields` maps query names to getters."""
    if not text or not text.strip():
        return lambda doc: True
    tree = parse(text)

    def predicate(doc: dict[str, Any]) -> bool:
        def resolve(name: str) -> Any:
            getter = fields.get(name)
            if getter is None:
                raise invalid_query()
            return getter(doc)

        return evaluate(tree, resolve)

    return predicate
