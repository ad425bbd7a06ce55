"""Where each key and list item of a YAML file stands, so a problem can name its line.

The curriculum linter and the org.yaml reader both compose the YAML to nodes, record each path's
1-based line here (and the duplicate keys PyYAML would silently merge), then map pydantic's
error locations back to lines with `line_of`.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Duplicate:
    """A key given twice in one mapping: where the second is, and the line of the first."""

    line: int
    loc: Loc
    first: int


def format_loc(loc: Loc, whole: str = "(file)") -> str:
    """("groups", 2, "email") -> "groups[2].email"; the empty path is `whole`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or whole


def record_lines(node: yaml.Node) -> tuple[dict[Loc, int], list[Duplicate]]:
    """{path: 1-based line} for each key and list item below `node`, and the duplicate keys
    (a duplicate's own subtree is not recorded: its first occurrence keeps the lines)."""
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}
    duplicates: list[Duplicate] = []

    def walk(node: yaml.Node, path: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                sub = (*path, key)
                if key in seen:
                    duplicates.append(Duplicate(line, sub, seen[key]))
                    continue
                seen[key] = line
                lines[sub] = line
                walk(value_node, sub)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                sub = (*path, index)
                lines[sub] = item.start_mark.line + 1
                walk(item, sub)

    walk(node, ())
    return lines, duplicates


def line_of(lines: dict[Loc, int], loc: Loc) -> int:
    """The line of `loc`, or of its nearest recorded parent (1 if none)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1
