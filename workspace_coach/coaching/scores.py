"""What the audit's scores say about one client, read from `scores` (see the data contract).

Only the newest successful scoring run counts, whatever window it scored: the audit's one
reader (`workspace_coach.audit.latest.newest_run`) picks it, so the dashboard, the report and the
benchmark always show the same scores. A run writes one value per date of its trend for every
scope, so the newest run alone holds the whole trend; each `CategoryScore` carries its window. Values are 0-100 or None (no data);
`inputs` explains each value (indicators with numerator, denominator, share and target, or for
`overall` the categories with their weights); older trend points store them compactly and are
read back in the full form (`workspace_coach.audit.inputs.expand`).

Teams: the audit already folds units and groups under the client's minimum size into "others";
`team_matrix` drops any scope whose recorded head-count is still under that minimum, so a
mis-folded row can never show a small group.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.inputs import expand
from workspace_coach.audit.latest import ScoredRun, newest_run
from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.storage import models as m


def category_label(category: str, lang: str) -> str:
    return CATEGORY_LABELS.get(category, {}).get(lang, category)
TREND_DAYS = 180
CHANGE_DAYS = 28


@dataclass(frozen=True)
class Indicator:
    id: str
    label: dict[str, str]
    numerator: float | None
    denominator: float | None
    share: float | None
    target: float | None
    weight: float | None
    points: float | None

    @property
    def gap(self) -> float:
        """How far the share is below its target (0 when met or unknown)."""
        if self.share is None or self.target is None:
            return 0.0
        return max(0.0, self.target - self.share)


@dataclass(frozen=True)
class CategoryScore:
    category: str
    date: dt.date
    value: float | None
    change: float | None = None          # points since CHANGE_DAYS earlier
    indicators: list[Indicator] = field(default_factory=list)
    people: int | None = None
    weights: dict[str, float] = field(default_factory=dict)   # overall: category -> weight
    window_days: int | None = None       # the scoring window (days) of the value


@dataclass(frozen=True)
class ScoreChange:
    category: str
    before: float
    after: float
    indicators: list[tuple[Indicator, Indicator]]   # (then, now) for indicators in both

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 1)


def _indicators(inputs: dict[str, Any] | None) -> list[Indicator]:
    out = []
    for raw in (inputs or {}).get("indicators", []) or []:
        if not isinstance(raw, dict) or "id" not in raw:
            continue
        label = raw.get("label") if isinstance(raw.get("label"), dict) else {}
        out.append(Indicator(id=str(raw["id"]),
                             label={"ko": str(label.get("ko") or raw["id"]),
                                    "en": str(label.get("en") or raw["id"])},
                             numerator=raw.get("numerator"), denominator=raw.get("denominator"),
                             share=raw.get("share"), target=raw.get("target"),
                             weight=raw.get("weight"), points=raw.get("points")))
    return out


def _weights(inputs: dict[str, Any] | None) -> dict[str, float]:
    cats = (inputs or {}).get("categories") or {}
    return {c: float(v.get("weight", 0)) for c, v in cats.items() if isinstance(v, dict)}


def _score(run: _Run, category: str, row: Any, change: float | None = None) -> CategoryScore:
    inputs = expand(category, row.inputs)   # older trend points store compact inputs
    return CategoryScore(category=category, date=row.date, value=row.value, change=change,
                         indicators=_indicators(inputs), people=inputs.get("people"),
                         weights=_weights(inputs), window_days=run.window_days)


@dataclass(frozen=True)
class _Run:
    """The client's newest scoring run, as the audit's reader picks it."""

    run: ScoredRun

    @property
    def window_days(self) -> int:
        return self.run.window_days

    def where(self, scope_type: str | None = "org") -> list[Any]:
        # The run names the client; asking for the client too would steer SQLite's planner to
        # the client index (every score the client has) instead of the run's own.
        out = [m.Score.run_id == self.run.id, m.Score.window_days == self.run.window_days]
        return out + ([m.Score.scope_type == scope_type] if scope_type else [])


def _run(conn: sa.Connection, client_id: int) -> _Run | None:
    run = newest_run(conn, client_id)
    return None if run is None else _Run(run)


def _org(run: _Run) -> sa.Select:
    return sa.select(m.Score.category, m.Score.date, m.Score.value, m.Score.inputs).where(
        *run.where())


def _order(category: str) -> int:
    return CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES)


def newest_scores(engine: Engine, client_id: int) -> list[CategoryScore]:
    """Per category, the organisation's newest value with its explanation and 28-day change."""
    with engine.connect() as conn:
        run = _run(conn, client_id)
        if run is None:
            return []
        newest = conn.execute(sa.select(sa.func.max(m.Score.date)).where(*run.where())
                              ).scalar_one()
        if newest is None:
            return []
        then = newest - dt.timedelta(days=CHANGE_DAYS)
        rows = conn.execute(_org(run).where(m.Score.date.in_([newest, then]))).all()
    by_date: dict[tuple[str, dt.date], Any] = {(r.category, r.date): r for r in rows}
    out = []
    for (category, day), row in by_date.items():
        if day != newest:
            continue
        before = by_date.get((category, then))
        change = (round(row.value - before.value, 1)
                  if before is not None and before.value is not None and row.value is not None
                  else None)
        out.append(_score(run, category, row, change))
    return sorted(out, key=lambda s: _order(s.category))


def trend(engine: Engine, client_id: int, days: int = TREND_DAYS) -> pd.DataFrame:
    """The organisation's values over the last `days` dates: columns date, category, value."""
    with engine.connect() as conn:
        run = _run(conn, client_id)
        newest = run and conn.execute(sa.select(sa.func.max(m.Score.date)).where(
            *run.where())).scalar_one()
        if run is None or newest is None:
            return pd.DataFrame(columns=["date", "category", "value"])
        rows = conn.execute(
            sa.select(m.Score.date, m.Score.category, m.Score.value)
            .where(*run.where(), m.Score.date > newest - dt.timedelta(days=days))
            .order_by(m.Score.date)).all()
    frame = pd.DataFrame(rows, columns=["date", "category", "value"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def team_matrix(engine: Engine, client: ClientInfo, scope_type: str) -> pd.DataFrame:
    """Newest value per (org unit or group, category): columns scope, category, value, people.

    Scopes whose head-count is under the client's minimum group size are left out."""
    if scope_type not in ("org_unit", "group"):
        raise ValueError(f"scope_type must be org_unit or group, not {scope_type!r}")
    columns = ["scope", "category", "value", "people"]
    with engine.connect() as conn:
        run = _run(conn, client.id)
        newest = run and conn.execute(sa.select(sa.func.max(m.Score.date)).where(
            *run.where(scope_type))).scalar_one()
        if run is None or newest is None:
            return pd.DataFrame(columns=columns)
        rows = conn.execute(
            sa.select(m.Score.scope_key, m.Score.category, m.Score.value, m.Score.inputs)
            .where(*run.where(scope_type), m.Score.date == newest)).all()
    kept = []
    for scope, category, value, inputs in rows:
        people = (inputs or {}).get("people")
        if isinstance(people, int) and people < client.min_group_size:
            continue
        kept.append((scope, category, value, people))
    frame = pd.DataFrame(kept, columns=columns)
    frame["order"] = frame["category"].map(_order)
    return frame.sort_values(["order", "scope"]).drop(columns="order").reset_index(drop=True)


def values_on(engine: Engine, client_id: int, day: dt.date) -> dict[str, CategoryScore]:
    """The organisation's values on the newest scored date on or before `day`."""
    with engine.connect() as conn:
        run = _run(conn, client_id)
        when = run and conn.execute(sa.select(sa.func.max(m.Score.date)).where(
            *run.where(), m.Score.date <= day)).scalar_one()
        if run is None or when is None:
            return {}
        rows = conn.execute(_org(run).where(m.Score.date == when)).all()
    return {r.category: _score(run, r.category, r) for r in rows}


def changes_since(engine: Engine, client_id: int, day: dt.date) -> list[ScoreChange]:
    """How each category moved from `day` (e.g. the last session) to the newest date, biggest
    improvement first; categories without a value at either end are left out."""
    then = values_on(engine, client_id, day)
    now = {s.category: s for s in newest_scores(engine, client_id)}
    out = []
    for category, current in now.items():
        before = then.get(category)
        if before is None or before.value is None or current.value is None:
            continue
        if before.date >= current.date:
            continue
        old = {i.id: i for i in before.indicators}
        pairs = [(old[i.id], i) for i in current.indicators if i.id in old]
        out.append(ScoreChange(category, before.value, current.value, pairs))
    return sorted(out, key=lambda c: -c.delta)
