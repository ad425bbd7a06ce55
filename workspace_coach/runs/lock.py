"""One run at a time: a row in the coach's database (`run_locks`), so it works the same on
SQLite and PostgreSQL and whichever machine runs the schedule.

A lock is left behind when its process dies without cleaning up (killed, power lost). It counts
as stale, and is taken over, when it was taken on this machine by a process that no longer
exists, or when it is older than `STALE_AFTER` (a run on another machine cannot be checked).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from workspace_coach.errors import UserError
from workspace_coach.storage import models as m
from workspace_coach.storage.migrations import upgrade
from workspace_coach.timezones import as_utc

#: Longer than any nightly run of every client; a lock this old on another machine is stale.
STALE_AFTER = dt.timedelta(hours=12)


class RunLocked(UserError):
    """Another run of the same command holds the lock."""

    exit_code = 3


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    acquired_at: dt.datetime


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def is_stale(holder: Holder, now: dt.datetime, *, host: str,
             alive: Callable[[int], bool] = _alive) -> bool:
    if holder.host == host and not alive(holder.pid):
        return True
    return now - as_utc(holder.acquired_at) > STALE_AFTER


def _holder(conn: sa.Connection, name: str) -> Holder | None:
    row = conn.execute(sa.select(m.RunLock.host, m.RunLock.pid, m.RunLock.acquired_at)
                       .where(m.RunLock.name == name)).first()
    return Holder(row.host, row.pid, row.acquired_at) if row else None


def _locked_message(what: str, holder: Holder) -> str:
    since = holder.acquired_at.strftime("%Y-%m-%d %H:%M")
    return (f"another `{what}` is running (pid {holder.pid} on {holder.host}, since {since} "
            f"UTC); this one stops / 다른 `{what}` 실행이 진행 중이라 (pid {holder.pid}, "
            f"{holder.host}, {since} UTC부터) 이번 실행은 멈춥니다")


@contextmanager
def run_lock(engine: Engine, name: str, what: str, *, host: str | None = None,
             pid: int | None = None, now: Callable[[], dt.datetime] | None = None,
             alive: Callable[[int], bool] = _alive) -> Iterator[None]:
    """Hold the lock `name` for the block, or raise `RunLocked` naming who holds it. `what`
    names the command in the message; `host`, `pid`, `now` and `alive` are for tests."""
    host = host or socket.gethostname()
    pid = pid or os.getpid()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    upgrade(engine)
    for _ in range(2):
        stamp = clock()
        try:
            with engine.begin() as conn:
                conn.execute(sa.insert(m.RunLock).values(name=name, host=host, pid=pid,
                                                         acquired_at=stamp))
            break
        except IntegrityError:
            with engine.begin() as conn:
                holder = _holder(conn, name)
                if holder is None:
                    continue  # released meanwhile
                if not is_stale(holder, stamp, host=host, alive=alive):
                    raise RunLocked(_locked_message(what, holder)) from None
                # take over only the lock we judged stale, not one taken meanwhile
                conn.execute(sa.delete(m.RunLock).where(
                    m.RunLock.name == name, m.RunLock.host == holder.host,
                    m.RunLock.pid == holder.pid))
    else:
        with engine.connect() as conn:
            holder = _holder(conn, name)
        raise RunLocked(_locked_message(what, holder or Holder(host, pid, clock())))
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(m.RunLock).where(
                m.RunLock.name == name, m.RunLock.host == host, m.RunLock.pid == pid))
