"""A score's `inputs`: the full form a coach reads, and the compact form of trend points.

Every stored score carries what it was computed from (docs/scoring.md, "Stored form"):

- **full** (the newest point of each scope, what a coach explains; and every `--json` score):
  `{"indicators": [{"id", "label", "numerator", "denominator", "share", "target", "weight",
  "points"}, ...], "people": P, "days": K}`; for `overall`:
  `{"categories": {category: {"value": v, "weight": w}}, "people": P, "days": K}`.
- **compact** (every older point of the trend): `{"v": 1, "n": [...], "d": [...],
  "people": P, "days": K}` with the numerators and denominators of the category's indicators
  in the fixed order of `category_indicators(category)`; for `overall`: `{"v": 1, "c": [...],
  "people": P, "days": K}` with the category values in `SCORED` order. Labels, targets and
  weights are the published definitions (`indicators.INDICATORS`, `categories.CATEGORY_WEIGHTS`),
  so repeating them on 180 points per scope and category only made runs heavy to store:
  the full form was about a kilobyte a point.

`expand()` turns either form into the full one, with the same shares and points the scoring
computed (the same IEEE divisions), so readers never see the difference; `is_compact()` tells
them apart. The marker `"v"` is the compact format's version.
"""

from __future__ import annotations

from typing import Any

from workspace_coach.audit.categories import CATEGORY_WEIGHTS, SCORED
from workspace_coach.audit.indicators import Indicator, by_category

COMPACT_VERSION = 1

_BY_CATEGORY: dict[str, tuple[Indicator, ...]] = {c: tuple(by_category(c)) for c in SCORED}


def category_indicators(category: str) -> tuple[Indicator, ...]:
    """The indicators of a category in the order compact inputs list them."""
    return _BY_CATEGORY[category]


def is_compact(inputs: Any) -> bool:
    return isinstance(inputs, dict) and inputs.get("v") == COMPACT_VERSION


def indicator_item(ind: Indicator, numerator: int, denominator: int) -> dict[str, Any]:
    """One indicator of full inputs: share = numerator / denominator, points =
    100 * min(1, share / target); both None without data."""
    share = numerator / denominator if denominator > 0 else None
    points = 100.0 * min(1.0, share / ind.target) if share is not None else None
    return {"id": ind.id, "label": ind.label, "numerator": numerator,
            "denominator": denominator, "share": share, "target": ind.target,
            "weight": ind.weight, "points": points}


def compact_category(numerators: list[int], denominators: list[int], people: int, days: int
                     ) -> dict[str, Any]:
    return {"v": COMPACT_VERSION, "n": numerators, "d": denominators, "people": people,
            "days": days}


def compact_overall(values: list[float | None], people: int, days: int) -> dict[str, Any]:
    return {"v": COMPACT_VERSION, "c": values, "people": people, "days": days}


def expand(category: str, inputs: dict[str, Any] | None) -> dict[str, Any]:
    """The full form of a score's inputs (full inputs are returned as they are)."""
    if not is_compact(inputs):
        return inputs or {}
    assert inputs is not None
    people, days = inputs.get("people"), inputs.get("days")
    if category == "overall":
        values = list(inputs.get("c") or [])
        return {"categories": {c: {"value": values[k] if k < len(values) else None,
                                   "weight": CATEGORY_WEIGHTS[c]}
                               for k, c in enumerate(SCORED)},
                "people": people, "days": days}
    items = [indicator_item(ind, int(n), int(d)) for ind, n, d in zip(
        _BY_CATEGORY.get(category, ()), inputs.get("n") or [], inputs.get("d") or [],
        strict=False)]
    return {"indicators": items, "people": people, "days": days}
