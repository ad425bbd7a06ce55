"""The array implementation of scoring against a plain one written from docs/scoring.md.

`score.window_scores` computes every window with cumulative sums over all scopes at once and
gives older trend points compact inputs; `reference` below applies the published formula
value by value, the slow obvious way. On random small worlds (gaps in the dates, weekends,
scopes missing on some days, indicators without data, a snapshot share) both must give the
same scores, the same values to the last bit and the same inputs once expanded.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from workspace_coach.audit.categories import CATEGORY_WEIGHTS, SCORED
from workspace_coach.audit.indicators import INDICATORS, by_category
from workspace_coach.audit.inputs import expand, is_compact
from workspace_coach.audit.score import is_workday, window_scores


def reference(counts, snapshot, dates, trend_dates, window):
    """{(scope, category, date): (value, full inputs)} by the formulas of docs/scoring.md."""
    out = {}
    for scope in sorted(counts):
        per_ind = counts[scope]
        for day in trend_dates:
            span = [d for d in dates if day - dt.timedelta(days=window - 1) <= d <= day
                    and is_workday(d)]
            heads = {d: max((per_ind[i][d][1] for i in per_ind if d in per_ind[i]), default=0)
                     for d in span}
            days = sum(1 for d in span if heads[d] > 0)
            if days == 0:
                continue
            people = max(heads.values())
            values = {}
            for category in SCORED:
                items, total, weights = [], 0.0, 0.0
                for ind in by_category(category):
                    if ind.source == "snapshot":
                        n, d = snapshot.get(scope, {}).get(ind.id, (0, 0))
                    else:
                        got = per_ind.get(ind.id, {})
                        n = sum(got[x][0] for x in span if x in got)
                        d = sum(got[x][1] for x in span if x in got)
                    share = n / d if d > 0 else None
                    points = 100.0 * min(1.0, share / ind.target) if share is not None else None
                    if points is not None:
                        total += ind.weight * points
                        weights += ind.weight
                    items.append({"id": ind.id, "label": ind.label, "numerator": n,
                                  "denominator": d, "share": share, "target": ind.target,
                                  "weight": ind.weight, "points": points})
                value = round(total / weights, 1) if weights else None
                values[category] = value
                out[(scope, category, day)] = (value, {"indicators": items, "people": people,
                                                       "days": days})
            total = weights = 0.0
            for category in SCORED:
                if values[category] is not None:
                    total += CATEGORY_WEIGHTS[category] * values[category]
                    weights += CATEGORY_WEIGHTS[category]
            cats = {c: {"value": values[c], "weight": CATEGORY_WEIGHTS[c]} for c in SCORED}
            out[(scope, "overall", day)] = (round(total / weights, 1) if weights else None,
                                            {"categories": cats, "people": people,
                                             "days": days})
    return out


def world(seed: int):
    rng = random.Random(seed)
    first = dt.date(2025, 3, 2)
    dates = sorted(first + dt.timedelta(days=i) for i in range(70) if rng.random() < 0.85)
    daily = [i.id for i in INDICATORS if i.source != "snapshot"]
    scopes = [("org", "*"), ("org_unit", "/a"), ("org_unit", "others"), ("group", "g@x.kr")]
    counts = {}
    for scope in scopes:
        size = rng.randint(5, 40)
        head = {d: size + rng.randint(-3, 6) for d in dates}   # people join and leave
        gone = rng.random() < 0.3          # a scope missing on a run of days
        per_ind = {}
        for ind in daily:
            if rng.random() < 0.15:        # an indicator this scope never has
                continue
            rate = rng.random()
            per_ind[ind] = {d: (min(head[d], int(head[d] * rate * rng.uniform(0.5, 1.5))),
                                head[d])
                            for k, d in enumerate(dates)
                            if not (gone and 20 <= k < 45) and rng.random() < 0.95}
        counts[scope] = per_ind
    snapshot = {s: {"recovery_info": (rng.randint(0, 5), 5)} for s in scopes[:2]}
    return counts, snapshot, dates


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("window", [7, 28])
def test_fast_scores_equal_the_plain_formula(seed, window):
    counts, snapshot, dates = world(seed)
    trend = dates[10:]
    expected = reference(counts, snapshot, dates, trend, window)
    got = window_scores(counts, snapshot, dates, trend, window)
    by = {((s.scope_type, s.scope_key), s.category, s.date): s for s in got}
    assert len(by) == len(got) and set(by) == set(expected)
    for key, (value, inputs) in expected.items():
        score = by[key]
        assert score.value == value, key
        assert expand(score.category, score.inputs) == inputs, key
    # full inputs for the newest point of each scope only
    newest = {}
    for s in got:
        newest[(s.scope_type, s.scope_key)] = max(newest.get((s.scope_type, s.scope_key), s.date),
                                                  s.date)
    for s in got:
        assert is_compact(s.inputs) == (s.date != newest[(s.scope_type, s.scope_key)]), s
