"""Run one command for every client in the coach's database, a few at a time.

Each client runs on its own thread with its own progress bar; one client's failure is recorded
as one line and never stops the others. Every client's outcome (start, end, result, the error
line, the newest date of data stored) goes to `client_runs`, where `last_runs` and the
dashboard's Clients page read it back.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from workspace_coach.errors import UserError
from workspace_coach.runs.progress import advancer
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import ClientInfo, all_clients, find_client
from workspace_coach.storage.migrations import upgrade

LOG = logging.getLogger(__name__)

#: Clients run at once: each already keeps several calls in flight, and SQLite has one writer.
DEFAULT_PARALLEL = 2

#: `work(client, advance)` does the command for one client and returns a short summary;
#: `advance(n=1, *, description=None, total_more=0)` moves its progress bar.
Work = Callable[[ClientInfo, Callable[..., None]], str]


@dataclass
class Outcome:
    client: ClientInfo
    status: str  # ok | failed
    summary: str = ""
    error: str | None = None
    data_until: dt.date | None = None
    seconds: float = 0.0


def every_client(engine: Engine) -> list[ClientInfo]:
    upgrade(engine)
    with engine.connect() as conn:
        return sorted(all_clients(conn), key=lambda c: c.slug)


def error_line(exc: BaseException) -> str:
    """The one line a person reads for a client's failure (the traceback goes to the log)."""
    from workspace_coach.cli.main import google_failure_line

    if isinstance(exc, UserError):
        return str(exc)
    return google_failure_line(exc) or f"{type(exc).__name__}: {exc}"


def data_until(conn: sa.Connection, client_id: int) -> dt.date | None:
    """The newest date of usage data stored for the client."""
    return conn.execute(sa.select(sa.func.max(m.CollectState.date)).where(
        m.CollectState.client_id == client_id,
        m.CollectState.kind == "user_usage")).scalar()


def record(engine: Engine, *, batch: str, client_id: int, kind: str, started: dt.datetime,
           status: str, error: str | None, run_id: int | None = None) -> int:
    """Insert (or finish, given `run_id`) a client's row in `client_runs`."""
    with engine.begin() as conn:
        values: dict[str, Any] = {
            "status": status, "error": error,
            "finished_at": None if status == "running" else dt.datetime.now(dt.UTC),
            "data_until": data_until(conn, client_id)}
        if run_id is not None:
            conn.execute(sa.update(m.ClientRun).where(m.ClientRun.id == run_id).values(**values))
            return run_id
        return conn.execute(sa.insert(m.ClientRun).values(
            batch=batch, client_id=client_id, kind=kind, started_at=started, **values
        ).returning(m.ClientRun.id)).scalar_one()


def new_batch() -> str:
    return uuid.uuid4().hex[:16]


def run_every_client(engine: Engine, kind: str, work: Work, *, parallel: int = DEFAULT_PARALLEL,
                     console: Console | None = None, clients: list[ClientInfo] | None = None
                     ) -> list[Outcome]:
    """`work` for every client (`clients`, default all of them), `parallel` at a time."""
    if parallel < 1:
        raise UserError("--parallel must be at least 1")
    clients = every_client(engine) if clients is None else clients
    batch = new_batch()
    console = console or Console(stderr=True)
    columns = (TextColumn("{task.description:<24}", markup=False), BarColumn(),
               MofNCompleteColumn(), TextColumn("{task.fields[note]}", markup=False),
               TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        tasks = {c.id: bar.add_task(c.slug, total=None, note="waiting · 대기") for c in clients}

        def one(client: ClientInfo) -> Outcome:
            return _run_one(engine, batch, kind, client, work, bar, tasks[client.id])

        with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="wc-client") as pool:
            return list(pool.map(one, clients))


def _run_one(engine: Engine, batch: str, kind: str, client: ClientInfo, work: Work,
             bar: Progress, task: TaskID) -> Outcome:
    started, began = dt.datetime.now(dt.UTC), time.monotonic()
    run_id = record(engine, batch=batch, client_id=client.id, kind=kind, started=started,
                    status="running", error=None)
    bar.update(task, note="running · 실행 중", total=0)

    advance = advancer(bar, task, field="note")

    outcome = Outcome(client, "ok")
    try:
        outcome.summary = work(client, advance)
    except Exception as exc:  # one client's failure never stops the others
        LOG.debug("%s failed", client.slug, exc_info=True)
        outcome.status, outcome.error = "failed", error_line(exc)
    outcome.seconds = time.monotonic() - began
    record(engine, batch=batch, client_id=client.id, kind=kind, started=started,
           status=outcome.status, error=outcome.error, run_id=run_id)
    with engine.connect() as conn:
        outcome.data_until = data_until(conn, client.id)
    bar.update(task, note="done · 완료" if outcome.status == "ok" else "FAILED · 실패")
    return outcome


@dataclass(frozen=True)
class LastRun:
    kind: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    error: str | None
    data_until: dt.date | None


def last_runs(conn: sa.Connection, kind: str = "collect") -> dict[int, LastRun]:
    """Each client's newest run of `kind`, by client id."""
    newest = sa.select(m.ClientRun.client_id, sa.func.max(m.ClientRun.id).label("id")).where(
        m.ClientRun.kind == kind).group_by(m.ClientRun.client_id).subquery()
    rows = conn.execute(sa.select(m.ClientRun).join(newest, newest.c.id == m.ClientRun.id)).all()
    return {r.client_id: LastRun(r.kind, r.started_at, r.finished_at, r.status, r.error,
                                 r.data_until) for r in rows}


@contextmanager
def recorded(engine: Engine, slug: str, kind: str) -> Iterator[None]:
    """Record a one-client run (no `--all`) in `client_runs` too, so the dashboard's last
    collect is the newest whichever way it ran (a client never stored is not recorded)."""
    started = dt.datetime.now(dt.UTC)
    status, error = "ok", None
    try:
        yield
    except BaseException as exc:
        status, error = "failed", error_line(exc) if isinstance(exc, Exception) else "stopped"
        raise
    finally:
        try:
            with engine.connect() as conn:
                client = find_client(conn, slug)
        except sa.exc.SQLAlchemyError:  # the schema may not exist yet: nothing to record
            client = None
        if client is not None:
            record(engine, batch=new_batch(), client_id=client.id, kind=kind, started=started,
                   status=status, error=error)
