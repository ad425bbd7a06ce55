"""Peer benchmark: a client's scores against the coach's other clients of a similar size.

How the cohort is built (published in docs/reports.md):

- **Size band** from the client's newest directory snapshot: active people (not suspended, not
  archived), in bands 1-19, 20-49, 50-149, 150-499 and 500+ (`SIZE_BANDS`).
- **Peers** are the *other* clients in the same database and band, excluding the client itself
  (as Microsoft's Adoption Score does), that have an organisation score for the category in
  their newest scoring run, dated at most `MAX_AGE_DAYS` before the client's own, so a former
  client's old figures do not count. Every client is compared on its newest run whatever window
  it scored (a peer scored over 14 days still counts); `window_days` and `peer_windows` say
  which windows were compared, so a report can say so when they differ.
- **Shown** only when at least `MIN_COHORT` (5) peers are in the cohort for that category;
  otherwise `shown` is false and `reason` says why (`no-directory`, `no-score`,
  `cohort-too-small`).

What is shown never identifies a peer: no names, no minimum or maximum, no single peer's value
on purpose; only the cohort size, the median and the quartiles (Python's `statistics.quantiles`,
"exclusive" method, so the quartiles of a small cohort are interpolated between two peers), and
the client's percentile rank among the peers (the share of peers below it, ties counted half).
Figures are rounded to one decimal like the scores.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa

from workspace_coach.audit.categories import CATEGORIES
from workspace_coach.audit.latest import connect, org_scores, people_counts

MIN_COHORT = 5
MAX_AGE_DAYS = 180

#: (label, lowest, highest) of each size band; None means no upper bound.
SIZE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("1-19", 1, 19),
    ("20-49", 20, 49),
    ("50-149", 50, 149),
    ("150-499", 150, 499),
    ("500+", 500, None),
)

Reason = Literal["no-directory", "no-score", "cohort-too-small"]

REASONS: dict[str, dict[str, str]] = {
    "no-directory": {"ko": "디렉터리 정보가 아직 수집되지 않았습니다.",
                     "en": "The directory has not been collected yet."},
    "no-score": {"ko": "이 항목의 점수가 아직 없습니다.",
                 "en": "There is no score for this category yet."},
    "cohort-too-small": {"ko": f"비슷한 규모의 다른 고객이 {MIN_COHORT}곳 미만이라 비교하지 "
                               "않습니다.",
                         "en": f"Fewer than {MIN_COHORT} other clients of a similar size, so "
                               "no comparison is shown."},
}


def size_band(people: int) -> str | None:
    """The band label for a head-count; None for an organisation with no active people."""
    for label, low, high in SIZE_BANDS:
        if people >= low and (high is None or people <= high):
            return label
    return None


@dataclass(frozen=True)
class CategoryBenchmark:
    """One category's comparison. Peer figures are None unless `shown`."""

    category: str
    shown: bool
    reason: Reason | None
    cohort_size: int
    value: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    percentile: float | None = None


@dataclass(frozen=True)
class Benchmark:
    """A client's benchmark: its band, and per category the comparison or why none is shown."""

    client_id: int
    people: int | None
    band: str | None
    shown: bool
    reason: Reason | None
    categories: dict[str, CategoryBenchmark] = field(default_factory=dict)
    window_days: int | None = None               # the window of the client's own scores
    peer_windows: tuple[int, ...] = ()           # the windows of the peer scores compared


def _percentile(value: float, peers: list[float]) -> float:
    below = sum(1 for v in peers if v < value)
    equal = sum(1 for v in peers if v == value)
    return round(100 * (below + 0.5 * equal) / len(peers), 1)


def _compare(category: str, value: float | None, peers: list[float]) -> CategoryBenchmark:
    if value is None:
        return CategoryBenchmark(category, False, "no-score", len(peers))
    if len(peers) < MIN_COHORT:
        return CategoryBenchmark(category, False, "cohort-too-small", len(peers), value)
    q1, median, q3 = statistics.quantiles(peers, n=4, method="exclusive")
    return CategoryBenchmark(category, True, None, len(peers), value, round(median, 1),
                             round(q1, 1), round(q3, 1), _percentile(value, peers))


def benchmark(db: sa.Engine | sa.Connection, client_id: int) -> Benchmark:
    """Compare each category's newest organisation score with the client's size-band peers."""
    with connect(db) as conn:
        counts = people_counts(conn)
        people = counts.get(client_id)
        band = size_band(people) if people is not None else None
        if band is None:
            return Benchmark(client_id, people, None, False, "no-directory")
        peer_ids = [cid for cid, n in counts.items()
                    if cid != client_id and size_band(n) == band]
        scores = org_scores(conn, [client_id, *peer_ids])
    own = scores.get(client_id, {})
    if not own:
        return Benchmark(client_id, people, band, False, "no-score")
    window = next(iter(own.values())).window_days
    categories: dict[str, CategoryBenchmark] = {}
    windows: set[int] = set()
    for category in CATEGORIES:
        mine = own.get(category)
        if mine is None:
            categories[category] = _compare(category, None, [])
            continue
        oldest = mine.date - dt.timedelta(days=MAX_AGE_DAYS)
        peers = [scores[p][category] for p in peer_ids
                 if category in scores.get(p, {}) and scores[p][category].date >= oldest]
        windows.update(p.window_days for p in peers if p.value is not None)
        categories[category] = _compare(category, mine.value,
                                        [float(p.value) for p in peers if p.value is not None])
    shown = any(c.shown for c in categories.values())
    reason: Reason | None = None
    if not shown:
        reason = "cohort-too-small" if any(c.reason == "cohort-too-small"
                                           for c in categories.values()) else "no-score"
    return Benchmark(client_id, people, band, shown, reason, categories, window,
                     tuple(sorted(windows)))
