"""Read what an audit stored, the way the readers (benchmark, recommendations, reports) need it.

Which scores are "the newest": those of the client's newest successful scoring run
(`newest_runs`: kind "score", status "ok"), on the window that run scored, whatever it is (a
`--window 14` run is as current as a 28-day one). A run replaces earlier runs' scores, so there
is one such run per client; every reader (report, benchmark, recommendations, the dashboard and
coaching) goes through `newest_runs`, and each score carries its `window_days` so what shows it
can say which window it is.

- `org_scores`: each category's newest organisation score per client from that client's newest
  run, optionally as it stood on or before a given date.
- `trend`: a client's organisation scores per date from its newest scoring run.
- `team_scores`: the newest score of each stored org unit and group scope. Scopes are stored
  already folded (small teams under "others"); scopes whose `inputs.people` is under the
  client's minimum group size are dropped here as well, and `person` scopes are never read.
- `latest_checks`: the check results of the client's newest run that has any.
- `people_counts`: active people (not suspended, not archived) in each client's newest
  directory snapshot.
- `stored_as_of`: the newest run started and finished, for caches to key on.

Every function takes a `Connection`; `connect()` turns an `Engine` or a `Connection` into one,
so callers such as the dashboard can pass whichever they hold.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workspace_coach.audit.inputs import expand
from workspace_coach.severity import check_rank
from workspace_coach.storage.models import (
    AuditRun,
    CheckResult,
    DirectorySnapshot,
    Person,
    Score,
)
from workspace_coach.timezones import as_utc

TEAM_SCOPES = ("org_unit", "group")


@contextlib.contextmanager
def connect(db: sa.Engine | sa.Connection) -> Iterator[sa.Connection]:
    """A connection for reading: the given one, or a new one from an engine (closed after)."""
    if isinstance(db, sa.Connection):
        yield db
        return
    with db.connect() as conn:
        yield conn


@dataclass(frozen=True)
class StoredScore:
    """One stored score row, as readers use it."""

    client_id: int
    scope_type: str
    scope_key: str
    category: str
    date: dt.date
    run_id: int
    window_days: int
    value: float | None
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoredRun:
    """A client's newest successful scoring run and the window (days) it scored."""

    id: int
    client_id: int
    window_days: int


def newest_runs(conn: sa.Connection, client_ids: Iterable[int] | None = None
                ) -> dict[int, ScoredRun]:
    """{client id: its newest finished ("ok") scoring run that stored scores}, whatever its
    window. A run replaces the scores of earlier runs, so this is the run every reader shows."""
    # Asked per run (a handful) rather than grouped over every score row: the run's smallest
    # window comes straight from the scores index, so this costs the same at any size.
    window = (sa.select(sa.func.min(Score.window_days)).where(Score.run_id == AuditRun.id)
              .scalar_subquery())
    query = sa.select(AuditRun.client_id, AuditRun.id, window).where(
        AuditRun.kind == "score", AuditRun.status == "ok")
    if client_ids is not None:
        query = query.where(AuditRun.client_id.in_(list(client_ids)))
    out: dict[int, ScoredRun] = {}
    for client_id, run_id, window_days in conn.execute(query):
        if window_days is None:  # a run whose scores a newer run has replaced
            continue
        if client_id not in out or run_id > out[client_id].id:
            # a run scores one window; the shortest is taken should one ever hold several
            out[client_id] = ScoredRun(int(run_id), int(client_id), int(window_days))
    return out


def newest_run(conn: sa.Connection, client_id: int) -> ScoredRun | None:
    """The client's newest successful scoring run (see `newest_runs`), None before the first."""
    return newest_runs(conn, [client_id]).get(client_id)


def _score(row: Any) -> StoredScore:
    # older trend points store compact inputs: readers always get the full form
    return StoredScore(row.client_id, row.scope_type, row.scope_key, row.category, row.date,
                       row.run_id, row.window_days, row.value, expand(row.category, row.inputs))


_COLUMNS = (Score.client_id, Score.scope_type, Score.scope_key, Score.category, Score.date,
            Score.run_id, Score.window_days, Score.value, Score.inputs)


def _of(run: ScoredRun) -> list[Any]:
    """The conditions selecting a run's scores (its own window only). The run names the client:
    asking for the client too would steer SQLite's planner to the client index (every score the
    client has) instead of the run's own (`ix_scores_run_window_scope`)."""
    return [Score.run_id == run.id, Score.window_days == run.window_days]


def _newest(rows: Iterable[Any]) -> dict[tuple[Any, ...], StoredScore]:
    """Per (client, scope type, scope key, category): the row of the newest date."""
    best: dict[tuple[Any, ...], StoredScore] = {}
    for row in rows:
        key = (row.client_id, row.scope_type, row.scope_key, row.category)
        seen = best.get(key)
        if seen is None or row.date > seen.date:
            best[key] = _score(row)
    return best


def _newest_rows(conn: sa.Connection, wanted: list[Any], keys: tuple[Any, ...]
                 ) -> Iterable[StoredScore]:
    """Among the `wanted` scores, the row of the newest date of each `keys` combination. The
    dates come from the index; then only rows of those dates are read and their inputs decoded.
    Two plain queries rather than a join on a grouped subquery: a database that has not yet
    gathered statistics on freshly written scores (PostgreSQL before its autoanalyze) can pick
    a nested loop over every score for the join, which takes minutes."""
    newest = {tuple(row[:-1]): row[-1] for row in conn.execute(
        sa.select(*keys, sa.func.max(Score.date)).where(*wanted).group_by(*keys))}
    if not newest:
        return []
    names = [key.key for key in keys]
    rows = conn.execute(sa.select(*_COLUMNS).where(
        *wanted, Score.date.in_(sorted(set(newest.values())))))
    return _newest(row for row in rows
                   if newest.get(tuple(getattr(row, n) for n in names)) == row.date).values()


def org_scores(conn: sa.Connection, client_ids: Iterable[int] | None = None, *,
               on_or_before: dt.date | None = None, with_value: bool = True
               ) -> dict[int, dict[str, StoredScore]]:
    """{client id: {category: newest org score of its newest run}}; only scores with a value
    unless asked. Each client's scores come from its own newest run, on that run's window
    (`StoredScore.window_days` says which)."""
    runs = newest_runs(conn, client_ids)
    if not runs:
        return {}
    wanted = [Score.scope_type == "org",
              sa.or_(*(sa.and_(*_of(run)) for run in runs.values()))]
    if with_value:
        wanted.append(Score.value.is_not(None))
    if on_or_before is not None:
        wanted.append(Score.date <= on_or_before)
    out: dict[int, dict[str, StoredScore]] = {}
    for score in _newest_rows(conn, wanted, (Score.client_id, Score.category)):
        out.setdefault(score.client_id, {})[score.category] = score
    return out


def trend(conn: sa.Connection, client_id: int) -> dict[str, list[tuple[dt.date, float | None]]]:
    """{category: [(date, value), ...]} of the organisation, from the newest scoring run."""
    run = newest_run(conn, client_id)
    out: dict[str, list[tuple[dt.date, float | None]]] = {}
    if run is None:
        return out
    rows = conn.execute(sa.select(Score.category, Score.date, Score.value).where(
        *_of(run), Score.scope_type == "org").order_by(Score.date))
    for category, date, value in rows:
        out.setdefault(category, []).append((date, value))
    return out


def team_scores(conn: sa.Connection, client_id: int, min_group_size: int
                ) -> dict[tuple[str, str], dict[str, StoredScore]]:
    """{(scope type, scope key): {category: newest score}} for org units and groups."""
    run = newest_run(conn, client_id)
    if run is None:
        return {}
    wanted = [*_of(run), Score.scope_type.in_(TEAM_SCOPES)]
    out: dict[tuple[str, str], dict[str, StoredScore]] = {}
    for score in _newest_rows(conn, wanted, (Score.scope_type, Score.scope_key, Score.category)):
        people = score.inputs.get("people")
        # Stored scopes are folded already; this guards against a scope that slipped through.
        if isinstance(people, int) and people < min_group_size:
            continue
        out.setdefault((score.scope_type, score.scope_key), {})[score.category] = score
    return dict(sorted(out.items(), key=lambda kv: (kv[0][0], kv[0][1] == "others", kv[0][1])))


#: The newest audit run any client started, and the newest finish time of any run.
StoredAsOf = tuple[int | None, dt.datetime | None]


def stored_as_of(conn: sa.Connection) -> StoredAsOf:
    """What the stored figures are as of: it changes when any collect or scoring run starts or
    finishes, so a reader that caches (the dashboard) keys on it and shows a new run at once."""
    row = conn.execute(sa.select(sa.func.max(AuditRun.id), sa.func.max(AuditRun.finished_at))
                       ).one()
    return row[0], row[1]


@dataclass(frozen=True)
class StoredCheck:
    check_id: str
    reference: str | None
    severity: str
    status: str
    affected_count: int
    affected: list[Any]
    details: dict[str, Any]
    run_id: int


def latest_checks(conn: sa.Connection, client_id: int) -> list[StoredCheck]:
    """The newest run's check results: failing first, then by severity and id."""
    run = newest_check_run(conn, client_id)
    if run is None:
        return []
    rows = conn.execute(sa.select(CheckResult.__table__).where(
        CheckResult.run_id == run, CheckResult.client_id == client_id))
    checks = [StoredCheck(r.check_id, r.reference, r.severity, r.status, r.affected_count or 0,
                          r.affected or [], r.details or {}, r.run_id) for r in rows]
    return sorted(checks, key=lambda c: check_rank(c.status, c.severity, c.check_id))


def newest_check_run(conn: sa.Connection, client_id: int) -> int | None:
    """The client's newest run that stored check results."""
    return conn.execute(sa.select(sa.func.max(CheckResult.run_id)).where(
        CheckResult.client_id == client_id)).scalar()


def check_runs(conn: sa.Connection, client_id: int) -> list[tuple[int, dt.datetime]]:
    """(run id, started, in UTC) of every run of the client that stored check results, oldest
    first."""
    rows = conn.execute(
        sa.select(AuditRun.id, AuditRun.started_at)
        .where(AuditRun.id.in_(sa.select(CheckResult.run_id)
                               .where(CheckResult.client_id == client_id)))
        .order_by(AuditRun.id)).all()
    return [(int(r), as_utc(s)) for r, s in rows]


def people_counts(conn: sa.Connection) -> dict[int, int]:
    """{client id: active people in its newest directory snapshot}."""
    newest = (sa.select(DirectorySnapshot.client_id, sa.func.max(DirectorySnapshot.id).label("s"))
              .group_by(DirectorySnapshot.client_id).subquery())
    query = (sa.select(newest.c.client_id, sa.func.count(Person.id))
             .select_from(newest)
             .outerjoin(Person, sa.and_(Person.snapshot_id == newest.c.s,
                                        Person.suspended.is_(False), Person.archived.is_(False)))
             .group_by(newest.c.client_id))
    return {int(cid): int(n) for cid, n in conn.execute(query)}
