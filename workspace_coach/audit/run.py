"""`workspace-coach audit run`: score a collected client, from the store, in one transaction.

A run needs no API call. It finds the client by its connection profile's name (a client never
collected is a clear error), records an `audit_runs` row of kind "score", then runs its steps
(`_steps`) in one transaction so a failed run leaves nothing half-written:

1. scores (`score_step`): every category and overall for the organisation, every org unit and
   group of at least the minimum size (and "others"), one point per date of the trend, and
   per person for the newest date when the client consented (see `score.py`);
2. checks (`check_step`): every security and hygiene check of `checks.CHECKS`, evaluated as of
   the newest day the store knows about (the newest usage date or activity event, whichever is
   later, so a replayed or delayed store is judged on its own clock), written to
   `check_results`.

Scores of earlier runs of the client are replaced: every run holds the whole trend, so the
newest run is all a reader needs (`latest.newest_runs` picks it for every reader).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.audit import checks, score
from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.indicators import INDICATORS
from workspace_coach.errors import UserError
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.memory import gc_paused
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import client_by_slug
from workspace_coach.storage.migrations import upgrade
from workspace_coach.storage.upsert import insert_rows
from workspace_coach.timezones import PACIFIC, as_utc

#: How far back the trend arrow looks.
COMPARE_DAYS = 28


@dataclass
class RunContext:
    """What every step of a run gets: one connection (one transaction) and the run's facts."""

    conn: sa.Connection
    client_id: int
    run_id: int
    as_of: dt.date                # the newest scored date (Pacific)
    window: int
    data: score.ScoringData
    now: dt.datetime


@dataclass
class RunReport:
    client: str
    run_id: int
    as_of: dt.date
    window: int
    first_date: dt.date
    scores: list[score.ScoreValue] = field(default_factory=list)
    events_counted: list[dt.date] = field(default_factory=list)
    checks: list[checks.CheckOutcome] = field(default_factory=list)
    seconds: float = 0.0
    compute_seconds: float = 0.0   # of `seconds`: computing the scores (with event counts)
    write_seconds: float = 0.0     # of `seconds`: replacing the stored scores

    def latest(self, scope_type: str | None = None) -> list[score.ScoreValue]:
        return [s for s in self.scores if s.date == self.as_of
                and (scope_type is None or s.scope_type == scope_type)]

    def value(self, scope: tuple[str, str], category: str, day: dt.date) -> float | None:
        for s in self._index().get((scope, category), []):
            if s.date == day:
                return s.value
        return None

    def trend(self, scope: tuple[str, str], category: str) -> list[tuple[dt.date, float | None]]:
        return [(s.date, s.value) for s in self._index().get((scope, category), [])]

    def before(self, scope: tuple[str, str], category: str, days: int = COMPARE_DAYS
               ) -> float | None:
        """The value `days` earlier (or the newest point before that), for the arrow."""
        target = self.as_of - dt.timedelta(days=days)
        earlier = [(d, v) for d, v in self.trend(scope, category) if d <= target]
        return earlier[-1][1] if earlier else None

    def _index(self) -> dict[tuple[tuple[str, str], str], list[score.ScoreValue]]:
        if not hasattr(self, "_by"):
            by: dict[tuple[tuple[str, str], str], list[score.ScoreValue]] = {}
            for s in sorted(self.scores, key=lambda s: s.date):
                by.setdefault(((s.scope_type, s.scope_key), s.category), []).append(s)
            self._by = by
        return self._by

    def to_json(self) -> dict[str, Any]:
        """Every newest score with its inputs, and every scope's trend (values only)."""
        trends: dict[str, dict[str, list[list[Any]]]] = {}
        for (scope, category), points in sorted(self._index().items()):
            if scope[0] == "person":
                continue
            trends.setdefault(f"{scope[0]}:{scope[1]}", {})[category] = [
                [p.date.isoformat(), p.value] for p in points]
        return {
            "client": self.client, "run_id": self.run_id, "date": self.as_of.isoformat(),
            "window_days": self.window, "categories": {c: CATEGORY_LABELS[c] for c in CATEGORIES},
            "indicators": [{"id": i.id, "category": i.category, "label": i.label,
                            "source": i.source, "target": i.target, "weight": i.weight,
                            "rule": i.rule} for i in INDICATORS],
            "scores": [s.to_dict() for s in self.latest()],
            "trend": trends,
            "checks": [{**o.row(self.run_id, 0), "client_id": None} for o in self.checks],
        }


def _client(conn: sa.Connection, profile: ConnectionProfile) -> int:
    client_id = client_by_slug(conn, profile.name).id
    # the profile is the current record of consent and minimum size, as in a collect
    conn.execute(sa.update(m.Client).where(m.Client.id == client_id).values(
        per_person_insights=profile.per_person_insights,
        min_group_size=profile.min_group_size))
    return client_id


_SCORE_COLUMNS = ("run_id", "client_id", "scope_type", "scope_key", "category", "date",
                  "window_days", "value", "inputs")


def score_step(ctx: RunContext) -> dict[str, Any]:
    """Compute and store every score of the run; replace earlier runs' scores."""
    began = time.perf_counter()
    values = score.compute(ctx.conn, ctx.data, window=ctx.window, now=ctx.now)
    computed = time.perf_counter()
    s = m.Score.__table__
    ctx.conn.execute(sa.delete(s).where(s.c.client_id == ctx.client_id,
                                        s.c.run_id != ctx.run_id))
    run_id, client_id = ctx.run_id, ctx.client_id
    with gc_paused():
        insert_rows(ctx.conn, s, _SCORE_COLUMNS, [
            (run_id, client_id, v.scope_type, v.scope_key, v.category, v.date, v.window_days,
             v.value, v.inputs) for v in values])
    return {"scores": len(values), "values": values,
            "compute_seconds": round(computed - began, 3),
            "write_seconds": round(time.perf_counter() - computed, 3)}


def checks_as_of(conn: sa.Connection, client_id: int, newest_usage: dt.date) -> dt.date:
    """The day the checks judge: activity events run about two days ahead of usage reports."""
    newest_event = conn.execute(sa.select(sa.func.max(m.ActivityEvent.time)).where(
        m.ActivityEvent.client_id == client_id)).scalar()
    if newest_event is None:
        return newest_usage
    return max(newest_usage, as_utc(newest_event).astimezone(PACIFIC).date())


def check_step(ctx: RunContext) -> dict[str, Any]:
    """Evaluate every check and store its outcome with the run."""
    as_of = checks_as_of(ctx.conn, ctx.client_id, ctx.as_of)
    outcomes = checks.evaluate_checks(ctx.conn, ctx.client_id, as_of)
    stored = checks.store_outcomes(ctx.conn, ctx.run_id, ctx.client_id, outcomes)
    return {"checks": stored, "checks_as_of": as_of.isoformat(),
            "failing": sorted(o.check_id for o in outcomes if o.status == "fail"),
            "outcomes": outcomes}


def _steps(ctx: RunContext) -> dict[str, Any]:
    """The steps of a run, in order, in the run's transaction."""
    return {"score": score_step(ctx), "checks": check_step(ctx)}


def run_audit(profile: ConnectionProfile, engine: Engine, *, window: int = score.WINDOW,
              trend_days: int = score.TREND_DAYS, now: dt.datetime | None = None
              ) -> RunReport:
    """Score the client of `profile` from what collects stored."""
    if not 7 <= window <= score.WINDOW_MAX:
        raise UserError(f"--window must be between 7 and {score.WINDOW_MAX} days")
    if not 1 <= trend_days <= 450:
        raise UserError("--trend-days must be between 1 and 450")
    started = time.monotonic()
    upgrade(engine)
    now = now or dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        client_id = _client(conn, profile)
        data = score.prepare(conn, client_id, consent=profile.per_person_insights,
                             min_size=profile.min_group_size, trend_days=trend_days)
        if data is None:
            raise UserError(f"client {profile.name!r} has no usage reports stored yet: run "
                            "`workspace-coach audit collect --connection ...` first")
        run_id = conn.execute(sa.insert(m.AuditRun).values(
            client_id=client_id, kind="score", started_at=now, status="running",
            first_date=data.trend_dates[0], last_date=data.trend_dates[-1],
            snapshot_id=data.snapshot_id, details={}).returning(m.AuditRun.id)).scalar_one()
        ctx = RunContext(conn, client_id, run_id, data.trend_dates[-1], window, data, now)
        done = _steps(ctx)
        values = done["score"].pop("values")
        outcomes = done["checks"].pop("outcomes")
        conn.execute(sa.update(m.AuditRun).where(m.AuditRun.id == run_id).values(
            finished_at=dt.datetime.now(dt.UTC), status="ok", rows_added=len(values),
            details={"window_days": window, "trend_days": trend_days,
                     "events_counted": [d.isoformat() for d in data.events_counted],
                     **{k: v for k, v in done.items()}}))
    return RunReport(profile.name, run_id, ctx.as_of, window, data.trend_dates[0], values,
                     data.events_counted, outcomes, time.monotonic() - started,
                     done["score"]["compute_seconds"], done["score"]["write_seconds"])
