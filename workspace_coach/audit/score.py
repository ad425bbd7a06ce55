"""Scores 0-100 per category and scope, computed from daily team counts; formulas in one place.

For an indicator, a scope and a window of `window` dates ending on date T:

    share  = sum of count / sum of people, over the window's working days with data
    points = 100 * min(1, share / target)

that is, the daily share of the scope's people who met the indicator, averaged over working
days (weighted by head-count). It is computable from the stored counts alone (no per-person
rows) and comparable between clients of any size: a 5-person office and a 300-person school are
measured the same way. Weekends and the days nobody works would only dilute the share, so they
are left out: a Pacific date (Google's report date) is a working day when the client's local
date at Pacific noon is Monday to Friday (for Korea: Pacific Sunday to Thursday, the dates that
hold most of the Korean working day).

    category = weighted mean of its indicators' points (indicators without data left out)
    overall  = weighted mean of the category values (`CATEGORY_WEIGHTS`)

Values are rounded to one decimal; `inputs` keeps the unrounded shares and points, so every
stored value can be recomputed exactly from its JSON (docs/scoring.md has a worked example).
The newest point of each scope carries the full inputs; older trend points carry compact ones
(numerators and denominators only, `inputs.py`), which recompute the same way.

Speed: a 10,000-person client has about 540,000 stored team counts for 180 dates; they are read
in one query into arrays (`read_counts`) and every window of every scope is a difference of
cumulative sums over dates (`dense_scores`); the newest dates' 28-day event facts read only
what they need (`rolling.py`), so a run computes in under two seconds (`bench/audit_bench.py`).

Where the counts come from: usage-based indicators were counted at collect time
(`teams.usage_team_rows`); event-based ones are counted here from `activity_events` with the
newest directory snapshot, and stored in `team_usage` too, so a date's events are read once
(dates within `SETTLE_DAYS` of the newest activity collected are counted again on every run, as
late Meet and Calendar events may still arrive); the snapshot indicator (recovery information)
is one share per scope. Dates Google still marks partial are not scored.

Per-person scores (`person` / email) exist only when the client consented, for the newest date
only: a coach needs today's picture of a person, not a history of them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa

from workspace_coach.audit.categories import CATEGORY_WEIGHTS, SCORED
from workspace_coach.audit.indicators import (
    BY_ID,
    EVENT_IDS,
    EVENT_NAMES,
    INDICATORS,
    LOOKBACK,
    PACIFIC,
    SNAPSHOT_IDS,
    USAGE_IDS,
    USAGE_PARAMETERS,
    Event,
    Indicator,
    by_category,
    event_indicators,
    pacific_date,
    usage_indicators,
)
from workspace_coach.audit.inputs import (
    category_indicators,
    compact_category,
    compact_overall,
    indicator_item,
)
from workspace_coach.audit.rolling import rolling_facts, utc_start
from workspace_coach.audit.teams import PERSON, Scope, Scopes, count_rows, replace_team_rows
from workspace_coach.audit.teams import snapshot_scopes as _snapshot_scopes
from workspace_coach.memory import gc_paused
from workspace_coach.storage import models as m
from workspace_coach.storage.snapshots import newest_snapshot
from workspace_coach.storage.upsert import upsert

WINDOW = 28
TREND_DAYS = 180
#: Where the clients work: decides which Pacific dates are working days (see module docstring).
WORKDAY_ZONE = ZoneInfo("Asia/Seoul")
#: Event counts of a date are final once the date is this many days older than the newest
#: activity collected (Meet and Calendar events arrive up to a day late).
SETTLE_DAYS = 2
EVENT_COUNTS = "event_counts"  # collect_state kind: dates whose event counts are stored


# -- the formulas (pure) -------------------------------------------------------------------------

def is_workday(day: dt.date, zone: ZoneInfo = WORKDAY_ZONE) -> bool:
    """Whether a Pacific report date is a working day where the client works."""
    noon = dt.datetime.combine(day, dt.time(12), PACIFIC)
    return noon.astimezone(zone).weekday() < 5


def share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


def points(share_value: float | None, target: float) -> float | None:
    """100 * min(1, share / target)."""
    if share_value is None:
        return None
    return 100.0 * min(1.0, share_value / target)


def weighted_mean(items: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the values that are not None, rounded to one decimal; None if none."""
    total = weights = 0.0
    for value, weight in items:
        if value is None:
            continue
        total += weight * value
        weights += weight
    return round(total / weights, 1) if weights else None


def indicator_input(ind: Indicator, numerator: int, denominator: int) -> dict[str, Any]:
    return indicator_item(ind, numerator, denominator)


def category_score(category: str, sums: Mapping[str, tuple[int, int]], people: int,
                   days: int) -> tuple[float | None, dict[str, Any]]:
    """A category's value and inputs from {indicator id: (numerator, denominator)}."""
    items = [indicator_input(ind, *sums.get(ind.id, (0, 0))) for ind in by_category(category)]
    value = weighted_mean((i["points"], i["weight"]) for i in items)
    return value, {"indicators": items, "people": people, "days": days}


def overall_score(values: Mapping[str, float | None], people: int, days: int
                  ) -> tuple[float | None, dict[str, Any]]:
    cats = {c: {"value": values.get(c), "weight": CATEGORY_WEIGHTS[c]} for c in SCORED}
    value = weighted_mean((v["value"], v["weight"]) for v in cats.values())
    return value, {"categories": cats, "people": people, "days": days}


# -- daily counts to windowed scores -------------------------------------------------------------

#: {scope: {indicator id: {date: (count, people)}}}
Counts = dict[Scope, dict[str, dict[dt.date, tuple[int, int]]]]


@dataclass(slots=True)
class ScoreValue:
    """One score: what `scores` stores (and `--json` writes)."""

    scope_type: str
    scope_key: str
    category: str
    date: dt.date
    window_days: int
    value: float | None
    inputs: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"scope_type": self.scope_type, "scope_key": self.scope_key,
                "category": self.category, "date": self.date.isoformat(),
                "window_days": self.window_days, "value": self.value, "inputs": self.inputs}


@dataclass
class Dense:
    """Daily counts as arrays: `count[s, i, d]` and `people[s, i, d]` for scope `scopes[s]`,
    indicator `DAILY_IDS[i]` and date `dates[d]`."""

    scopes: list[Scope]
    dates: list[dt.date]
    count: np.ndarray
    people: np.ndarray

    @classmethod
    def from_counts(cls, counts: Counts, dates: Sequence[dt.date]) -> Dense:
        dates = sorted(dates)
        index = {d: i for i, d in enumerate(dates)}
        scopes = sorted(counts)
        shape = (len(scopes), len(DAILY_IDS), len(dates))
        c, p = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
        for s, scope in enumerate(scopes):
            for ind, per_day in counts[scope].items():
                r = ROW_OF.get(ind)
                if r is None:
                    continue
                for d, (count, people) in per_day.items():
                    j = index.get(d)
                    if j is not None:
                        c[s, r, j], p[s, r, j] = count, people
        return cls(scopes, dates, c, p)


DAILY_IDS: tuple[str, ...] = tuple(i.id for i in INDICATORS if i.source != "snapshot")
ROW_OF: dict[str, int] = {ind: r for r, ind in enumerate(DAILY_IDS)}
#: Every indicator, category by category in the order of compact inputs; `_SLICES[category]`
#: is the category's (start, stop) in it.
_ORDER: tuple[Indicator, ...] = tuple(i for c in SCORED for i in category_indicators(c))
_SLICES: dict[str, tuple[int, int]] = {}
for _c in SCORED:
    _at = _SLICES[SCORED[SCORED.index(_c) - 1]][1] if _SLICES else 0
    _SLICES[_c] = (_at, _at + len(category_indicators(_c)))
_TARGETS = np.array([i.target for i in _ORDER])
_WEIGHTS = [i.weight for i in _ORDER]
CATEGORIES_OUT: tuple[str, ...] = (*SCORED, "overall")


def window_scores(counts: Counts, snapshot: Mapping[Scope, Mapping[str, tuple[int, int]]],
                  dates: Sequence[dt.date], trend_dates: Sequence[dt.date], window: int,
                  zone: ZoneInfo = WORKDAY_ZONE) -> list[ScoreValue]:
    """Every category and overall, for every scope in `counts` and every date of
    `trend_dates`, over the working days among `dates` (the dates with data) in the window."""
    return dense_scores(Dense.from_counts(counts, dates), snapshot, trend_dates, window, zone)


def dense_scores(dense: Dense, snapshot: Mapping[Scope, Mapping[str, tuple[int, int]]],
                 trend_dates: Sequence[dt.date], window: int,
                 zone: ZoneInfo = WORKDAY_ZONE) -> list[ScoreValue]:
    """`window_scores` on arrays (what the store reader builds).

    Every window sum is a difference of cumulative sums over dates, for all scopes, indicators
    and trend dates at once; category and overall values are weighted means taken in the same
    order and with the same IEEE operations as `weighted_mean`, so they equal the formula
    applied value by value (tests/audit/test_score_fast.py holds the two side by side). The
    newest point of each scope gets full inputs, older trend points compact ones (`inputs.py`).
    """
    dates = dense.dates
    index = {d: i for i, d in enumerate(dates)}
    ends = np.array([index[t] for t in trend_dates if t in index], dtype=np.int64)
    if not dense.scopes or not len(ends):
        return []
    starts = np.array([bisect.bisect_left(dates, dates[j] - dt.timedelta(days=window - 1))
                       for j in ends], dtype=np.int64)
    work = np.array([is_workday(d, zone) for d in dates], dtype=np.int64)
    n_scopes, n_trend = len(dense.scopes), len(ends)

    def window_sum(daily: np.ndarray) -> np.ndarray:
        """Sums over each trend date's window along the last axis (dates)."""
        cum = np.zeros((*daily.shape[:-1], daily.shape[-1] + 1), dtype=np.int64)
        np.cumsum(daily, axis=-1, out=cum[..., 1:])
        return cum[..., ends + 1] - cum[..., starts]

    head = dense.people.max(axis=1)                     # [scope, date] head-count
    days = window_sum((head > 0) * work)                # [scope, trend] working days with data
    heads = head * work
    people = np.stack([heads[:, s:j + 1].max(axis=1) for s, j in zip(starts, ends,
                                                                        strict=True)], axis=1)
    num_daily = window_sum(dense.count * work)          # [scope, daily indicator, trend]
    den_daily = window_sum(dense.people * work)
    # every indicator in category order (_ORDER); the snapshot one is constant over dates
    num = np.zeros((n_scopes, len(_ORDER), n_trend), dtype=np.int64)
    den = np.zeros_like(num)
    for q, ind in enumerate(_ORDER):
        r = ROW_OF.get(ind.id)
        if r is not None:
            num[:, q], den[:, q] = num_daily[:, r], den_daily[:, r]
        else:
            pairs = [snapshot.get(scope, {}).get(ind.id, (0, 0)) for scope in dense.scopes]
            num[:, q] = np.array([n for n, _ in pairs], dtype=np.int64)[:, None]
            den[:, q] = np.array([d for _, d in pairs], dtype=np.int64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        pts = 100.0 * np.minimum(1.0, (num / den) / _TARGETS[None, :, None])
        values = np.full((n_scopes, len(CATEGORIES_OUT), n_trend), np.nan)
        for k, category in enumerate(SCORED):
            total = np.zeros((n_scopes, n_trend))
            weights = np.zeros((n_scopes, n_trend))
            for q in range(*_SLICES[category]):
                ok = den[:, q] > 0
                total = total + np.where(ok, _WEIGHTS[q] * pts[:, q], 0.0)
                weights = weights + np.where(ok, _WEIGHTS[q], 0.0)
            values[:, k] = _rounded(np.where(weights > 0, total / weights, np.nan))
        total = np.zeros((n_scopes, n_trend))
        weights = np.zeros((n_scopes, n_trend))
        for k, category in enumerate(SCORED):
            ok = ~np.isnan(values[:, k])
            total = total + np.where(ok, CATEGORY_WEIGHTS[category] * values[:, k], 0.0)
            weights = weights + np.where(ok, CATEGORY_WEIGHTS[category], 0.0)
        values[:, -1] = _rounded(np.where(weights > 0, total / weights, np.nan))

    value_o = values.astype(object)
    value_o[np.isnan(values)] = None                    # no value
    with gc_paused():
        return _score_values(dense.scopes, [dates[j] for j in ends.tolist()], window, value_o,
                             num, den, days, people)


def _score_values(scopes: Sequence[Scope], trend: Sequence[dt.date], window: int,
                  values: np.ndarray, num: np.ndarray, den: np.ndarray, days: np.ndarray,
                  people: np.ndarray) -> list[ScoreValue]:
    """The `ScoreValue`s of `dense_scores`' arrays ([scope, category or indicator, trend]):
    full inputs for each scope's newest point, compact ones before it."""
    value_l = values.transpose(0, 2, 1).tolist()        # [scope][trend][category]
    # each category's numerators and denominators as the lists compact inputs hold
    cat_n = [num[:, q0:q1].transpose(0, 2, 1).tolist() for q0, q1 in _SLICES.values()]
    cat_d = [den[:, q0:q1].transpose(0, 2, 1).tolist() for q0, q1 in _SLICES.values()]
    days_l, people_l = days.tolist(), people.tolist()
    cats = list(enumerate(SCORED))
    out: list[ScoreValue] = []
    add, make = out.append, ScoreValue
    for k, (scope_type, scope_key) in enumerate(scopes):
        days_k, people_k, values_k = days_l[k], people_l[k], value_l[k]
        points_at = [t for t, n_days in enumerate(days_k) if n_days > 0]
        if not points_at:
            continue
        newest = points_at.pop()
        for t in points_at:
            day, n_days, n_people, vals = trend[t], days_k[t], people_k[t], values_k[t]
            for c, category in cats:
                add(make(scope_type, scope_key, category, day, window, vals[c],
                         compact_category(cat_n[c][k][t], cat_d[c][k][t], n_people, n_days)))
            add(make(scope_type, scope_key, "overall", day, window, vals[-1],
                     compact_overall(vals[:-1], n_people, n_days)))
        t = newest
        day, n_days, n_people, vals = trend[t], days_k[t], people_k[t], values_k[t]
        for c, category in cats:
            items = [indicator_item(ind, n, d) for ind, n, d in zip(
                category_indicators(category), cat_n[c][k][t], cat_d[c][k][t], strict=True)]
            add(make(scope_type, scope_key, category, day, window, vals[c],
                     {"indicators": items, "people": n_people, "days": n_days}))
        add(make(scope_type, scope_key, "overall", day, window, vals[-1],
                 overall_score(dict(zip(SCORED, vals, strict=False)), n_people, n_days)[1]))
    return out


def _rounded(values: np.ndarray) -> np.ndarray:
    """Python's `round(x, 1)` element by element, without a Python call per element.

    NumPy's `round` multiplies by ten and rounds half to even, which differs from Python's
    correctly rounded `round` only where ten times the value lies within rounding error of a
    half: those few are rounded by Python itself. Elsewhere `rint(10x) / 10` is the double
    nearest to the right decimal, which is what `round` returns."""
    tens = values * 10.0
    out = np.rint(tens) / 10.0
    with np.errstate(invalid="ignore"):
        near = np.abs(tens - np.floor(tens) - 0.5) < 1e-6
    flat_in, flat_out = values.ravel(), out.reshape(-1)
    for i in np.flatnonzero(near.ravel()).tolist():
        flat_out[i] = round(float(flat_in[i]), 1)
    return out


# -- reading the store ---------------------------------------------------------------------------

@dataclass
class ScoringData:
    """What one scoring needs from the store."""

    client_id: int
    consent: bool
    min_size: int
    dates: list[dt.date]                 # usage dates with complete data, oldest first
    trend_dates: list[dt.date]
    snapshot_id: int
    scopes: Scopes
    snapshot: dict[Scope, dict[str, tuple[int, int]]] = field(default_factory=dict)
    events_counted: list[dt.date] = field(default_factory=list)


def scored_dates(conn: sa.Connection, client_id: int) -> list[dt.date]:
    """User usage dates collected and no longer partial (all of them if every one is)."""
    cs = m.CollectState
    rows = conn.execute(sa.select(cs.date, cs.partial).where(
        cs.client_id == client_id, cs.kind == "user_usage").order_by(cs.date)).all()
    complete = [r.date for r in rows if not r.partial]
    return complete or [r.date for r in rows]


_DAY_CACHE: dict[str, dt.date] = {}


def _day(value: Any) -> dt.date:
    """A stored date (SQLite gives text, PostgreSQL a date), without per-row parsing costs."""
    if isinstance(value, dt.date):
        return value
    found = _DAY_CACHE.get(value)
    if found is None:
        found = _DAY_CACHE[value] = dt.date.fromisoformat(value)
    return found


_HOUR_CACHE: dict[str, dt.date] = {}


def _event_day(value: Any) -> dt.date:
    """The Pacific date of a stored event time (SQLite: naive UTC text; PostgreSQL: aware)."""
    if not isinstance(value, str):
        return pacific_date(value)  # type: ignore[return-value]
    hour = value[:13]  # 'YYYY-MM-DD HH': every instant of a UTC hour has one Pacific date
    found = _HOUR_CACHE.get(hour)
    if found is None:
        found = _HOUR_CACHE[hour] = pacific_date(dt.datetime.fromisoformat(hour + ":00:00"))
    return found


def load_events(conn: sa.Connection, client_id: int, first: dt.date, last: dt.date
                ) -> list[Event]:
    """The events the event-based indicators read, Pacific dates `first` .. `last`."""
    e = m.ActivityEvent
    names = sorted({n for v in EVENT_NAMES.values() for n in v})
    rows = _driver_rows(conn, sa.select(
        e.actor_email, sa.type_coerce(e.time, sa.String), e.app, e.event_name,
        sa.type_coerce(e.params, sa.String)).where(
        e.client_id == client_id, e.app.in_(list(EVENT_NAMES)), e.event_name.in_(names),
        e.time >= utc_start(first), e.time < utc_start(last + dt.timedelta(days=1))))
    kept = [row for row in rows if row[0] and row[3] in EVENT_NAMES[row[2]]]
    # SQLite hands back the JSON text, PostgreSQL's driver the decoded value; tens of
    # thousands of small texts decode faster as one array than one by one
    texts = [row[4] for row in kept if isinstance(row[4], str)]
    decoded = iter(json.loads("[" + ",".join(texts) + "]") if texts else ())
    out = []
    for actor, when, app, name, params in kept:
        given = next(decoded) if isinstance(params, str) else params
        out.append(Event(actor.lower(), _event_day(when), app, name, given or {}))
    return out


def _settled(conn: sa.Connection, client_id: int) -> dt.date | None:
    """The newest date whose event counts are final."""
    cs = m.CollectState
    marks = dict(conn.execute(sa.select(cs.kind, sa.func.max(cs.watermark)).where(
        cs.client_id == client_id,
        cs.kind.in_([f"activities:{app}" for app in EVENT_NAMES])).group_by(cs.kind)).all())
    if len(marks) < len(EVENT_NAMES) or None in marks.values():
        return None
    return min(pacific_date(v) for v in marks.values()) - dt.timedelta(days=SETTLE_DAYS)


def _population(scopes: Scopes) -> list[str]:
    """Who event-based counts are shares of: the newest snapshot's active accounts (creation
    times are not a reliable start: migrated and re-created accounts have recent ones)."""
    return list(scopes.of_person)


def count_events(conn: sa.Connection, data: ScoringData, window: int, now: dt.datetime
                 ) -> None:
    """Store the event-based team counts of every needed date not counted yet."""
    cs = m.CollectState
    done = set(conn.execute(sa.select(cs.date).where(
        cs.client_id == data.client_id, cs.kind == EVENT_COUNTS)).scalars())
    first = data.trend_dates[0] - dt.timedelta(days=window - 1)
    todo = [d for d in data.dates if d >= first and d not in done]
    if not todo:
        return
    with gc_paused():
        events = load_events(conn, data.client_id, todo[0], todo[-1])
        met_by_day = event_indicators(events, todo,
                                      rolling_facts(conn, data.client_id, todo, events))
    rows: list[dict[str, Any]] = []
    for day in todo:
        met: dict[str, set[str]] = defaultdict(set)
        for ind, actors in met_by_day.get(day, {}).items():
            for actor in actors:
                met[actor].add(ind)
        rows += count_rows(data.scopes, data.client_id, day, met,
                           _population(data.scopes), EVENT_IDS)
    replace_team_rows(conn, data.client_id, todo, EVENT_IDS, rows)
    settled = _settled(conn, data.client_id)
    final = [d for d in todo if settled is not None and d <= settled]
    upsert(conn, cs.__table__, [{
        "client_id": data.client_id, "kind": EVENT_COUNTS, "date": d, "partial": False,
        "fetched_at": now, "fetches": 1, "watermark": None, "warnings": []} for d in final],
        ["client_id", "kind", "date"])
    data.events_counted = todo


WINDOW_MAX = 90  # the longest window a run may ask for


def _driver_rows(conn: sa.Connection, query: sa.Select) -> list[tuple[Any, ...]]:
    """A query's rows as the driver's plain tuples: half a million team counts are read on
    every run, and wrapping each in a result row cost as much as the query itself. The
    columns must need no conversion (text, numbers; a date comes back as text or a date)."""
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


#: A stored count's people and count as one integer: people * _PACK + count + _PACK / 2.
#: Both columns are 32-bit integers, so the sum fits 64 bits and unpacks exactly (the high
#: half is people, the low half the count shifted to be positive).
_PACK = 1 << 32


def read_counts(conn: sa.Connection, data: ScoringData, first: dt.date) -> Dense:
    """Stored team counts from `first` on, as arrays.

    Half a million counts are read on every run of a 10,000-person client, and a row per count
    cost more than the scoring itself (each one a tuple of six Python objects). So the database
    groups them: one row per (date, scope) with the indicator ids and the counts joined into
    two strings in the same order, which NumPy parses in one call. Each count travels as one
    number, its people and count packed (`_PACK`): half the figures to write out and parse.
    The indicator strings repeat from row to row and are decoded once each. An index holds
    every column read (schema 0006), so the table itself is not visited."""
    t = m.TeamUsage
    dates = [d for d in data.dates if d >= first]
    packed = sa.cast(sa.cast(t.people, sa.BigInteger) * _PACK + t.count + _PACK // 2,
                     sa.String)
    rows = _driver_rows(conn, sa.select(
        sa.type_coerce(t.date, sa.String), t.scope_type, t.scope_key,
        sa.func.aggregate_strings(t.indicator, " "), sa.func.aggregate_strings(packed, " "))
        .where(t.client_id == data.client_id, t.date >= first)
        .group_by(t.date, t.scope_type, t.scope_key))
    index = {d: i for i, d in enumerate(dates)}
    scope_ids: dict[Scope, int] = {}
    layouts: dict[str, np.ndarray] = {}
    scope_of, date_of, row_of, texts = [], [], [], []
    for day, scope_type, scope_key, inds, figures in rows:
        j = index.get(_day(day))
        if j is None:
            continue
        layout = layouts.get(inds)
        if layout is None:
            layout = layouts[inds] = np.array([ROW_OF.get(i, -1) for i in inds.split(" ")],
                                              dtype=np.int64)
        scope_of.append(scope_ids.setdefault((scope_type, scope_key), len(scope_ids)))
        date_of.append(j)
        row_of.append(layout)
        texts.append(figures)
    found = list(scope_ids)
    scopes = sorted(found)
    shape = (len(scopes), len(DAILY_IDS), len(dates))
    c, p = np.zeros(shape, dtype=np.int64), np.zeros(shape, dtype=np.int64)
    if texts:
        numbers = np.fromstring(" ".join(texts), dtype=np.int64, sep=" ")
        widths = np.array([len(r) for r in row_of], dtype=np.int64)
        position = {sc: k for k, sc in enumerate(scopes)}
        rank = np.array([position[sc] for sc in found], dtype=np.int64)
        k = np.repeat(rank[np.array(scope_of, dtype=np.int64)], widths)
        j = np.repeat(np.array(date_of, dtype=np.int64), widths)
        r = np.concatenate(row_of)
        people_a, count_a = numbers >> 32, (numbers & (_PACK - 1)) - _PACK // 2
        # a minimum raised since the counts were stored still applies
        ok = (r >= 0) & (people_a >= data.min_size)
        c[k[ok], r[ok], j[ok]] = count_a[ok]
        p[k[ok], r[ok], j[ok]] = people_a[ok]
    keep = [k for k in range(len(scopes)) if p[k].any()]
    return Dense([scopes[k] for k in keep], dates, c[keep], p[keep])


def snapshot_counts(recovery: set[str], scopes: Scopes
                    ) -> dict[Scope, dict[str, tuple[int, int]]]:
    """{scope: {"recovery_info": (people with recovery email or phone, people)}}, given the
    snapshot's people with recovery info (`with_recovery`)."""
    return {scope: {"recovery_info": (len(who & recovery), len(who))}
            for scope, who in scopes.members.items()}


def with_recovery(conn: sa.Connection, snapshot_id: int) -> set[str]:
    """Emails with a recovery email or phone in a snapshot."""
    p = m.Person
    return {email.lower() for email, mail, phone in conn.execute(
        sa.select(p.email, p.has_recovery_email, p.has_recovery_phone)
        .where(p.snapshot_id == snapshot_id)) if mail or phone}


def person_counts(conn: sa.Connection, data: ScoringData, days: Sequence[dt.date]) -> Counts:
    """Daily indicator facts per consenting client's person (people = 1 on a day the person
    was in the usage report, or existed for event-based ones), for `days`."""
    u = m.UsageValue
    figures: dict[tuple[str, dt.date], dict[str, Any]] = defaultdict(dict)
    if days:
        for key, day, name, i, b, t, s in conn.execute(
                sa.select(u.entity_key, u.date, u.parameter, u.int_value, u.bool_value,
                          u.datetime_value, u.string_value).where(
                    u.client_id == data.client_id, u.entity_type == "user",
                    u.date.between(days[0], days[-1]),
                    u.parameter.in_(sorted(USAGE_PARAMETERS)))):
            email = data.scopes.email_of_id.get(key, key.lower())
            figures[(email, day)][name] = next((v for v in (i, b, t, s) if v is not None), None)
    counts: Counts = defaultdict(lambda: defaultdict(dict))
    people = data.scopes.of_person
    for (email, day), values in figures.items():
        if email not in people:
            continue
        met = usage_indicators(values, day)
        for ind in USAGE_IDS:
            counts[(PERSON, email)][ind][day] = (int(ind in met), 1)
    if days:
        events = load_events(conn, data.client_id, days[0] - dt.timedelta(days=LOOKBACK - 1),
                             days[-1])
        by_day = event_indicators(events, days)
        for day in days:
            for email in _population(data.scopes):
                met_ids = {ind for ind, who in by_day.get(day, {}).items() if email in who}
                for ind in EVENT_IDS:
                    hit = int(ind in met_ids)
                    counts[(PERSON, email)][ind][day] = (
                        1 - hit if BY_ID[ind].negative else hit, 1)
    return {k: dict(v) for k, v in counts.items()}


def prepare(conn: sa.Connection, client_id: int, *, consent: bool, min_size: int,
            trend_days: int = TREND_DAYS) -> ScoringData | None:
    """What scoring needs, or None when nothing was collected."""
    dates = scored_dates(conn, client_id)
    snapshot_id = newest_snapshot(conn, client_id)
    if not dates or snapshot_id is None:
        return None
    trend = [d for d in dates if d > dates[-1] - dt.timedelta(days=trend_days)]
    with gc_paused():  # the directory's people and memberships
        scopes = _snapshot_scopes(conn, snapshot_id, min_size)
    return ScoringData(client_id, consent, min_size, dates, trend, snapshot_id, scopes)


def compute(conn: sa.Connection, data: ScoringData, *, window: int = WINDOW,
            now: dt.datetime | None = None) -> list[ScoreValue]:
    """Every score of a run: counts events not counted yet (and stores those counts), then
    scores every scope for every trend date, and people (newest date) with consent."""
    if not 1 <= window <= WINDOW_MAX:
        raise ValueError(f"window must be 1..{WINDOW_MAX} days")
    now = now or dt.datetime.now(dt.UTC)
    # one pause for the whole run: the collector's passes between its steps cost a tenth of it
    with gc_paused():
        count_events(conn, data, window, now)
        first = data.trend_dates[0] - dt.timedelta(days=window - 1)
        dense = read_counts(conn, data, first)
        recovery = with_recovery(conn, data.snapshot_id)
        data.snapshot = snapshot_counts(recovery, data.scopes)
        dates = dense.dates
        out = dense_scores(dense, data.snapshot, data.trend_dates, window)
        if data.consent:
            last = data.trend_dates[-1]
            days = [d for d in dates if d > last - dt.timedelta(days=window)]
            people = person_counts(conn, data, days)
            snap = {s: {"recovery_info": (int(s[1] in recovery), 1)} for s in people}
            out += window_scores(people, snap, days, [last], window)
    return out


__all__ = ["CATEGORY_WEIGHTS", "SNAPSHOT_IDS", "ScoreValue", "ScoringData", "category_score",
           "compute", "indicator_input", "is_workday", "overall_score", "points",
           "prepare", "share", "weighted_mean", "window_scores"]
