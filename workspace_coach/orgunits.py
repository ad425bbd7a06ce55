"""Which org units a person counts in: their own and every parent.

The audit's team scopes and curriculum progress both count heads per unit; both go through
here so a unit's head-count is the same on the Teams heatmap and the Curriculum page.
"""

from __future__ import annotations


def unit_paths(path: str) -> list[str]:
    """The org units a person whose org unit path is `path` belongs to: `/a/b` -> [`/a/b`,
    `/a`]; the root is the organisation, not an org unit scope."""
    parts = [p for p in (path or "/").split("/") if p]
    return ["/" + "/".join(parts[:i]) for i in range(len(parts), 0, -1)]
