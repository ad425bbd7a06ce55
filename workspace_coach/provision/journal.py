"""The apply journal: SQLite next to the client's connection profile.

Every step is written as `started` before its call is sent and `done` (or `failed`) after, in
autocommit mode, so a process killed at any moment leaves a journal that says which steps may
have happened. A resumed apply re-reads the tenant and re-checks those steps against it; it also
reuses the shared-drive `requestId`s recorded here, so a drive create that reached Google before
the kill is refused (409) instead of making a second drive, and apply finds the first by name.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

SCHEMA = """
create table if not exists steps (
    id integer primary key,
    run text not null,
    plan text not null,
    ident text not null,
    action text not null,
    status text not null,
    detail text not null default '',
    at real not null
);
create index if not exists steps_plan on steps (plan, ident);
create table if not exists leavers (
    tenant text not null,
    email text not null,
    suspended_at real not null,
    groups text not null default '[]',
    primary key (tenant, email)
);
create table if not exists drive_requests (
    tenant text not null,
    name text not null,
    request_id text not null,
    primary key (tenant, name)
);
"""


class Journal:
    """Thread-safe; one connection in autocommit mode, each write durable on its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=full")
        self._db.executescript(SCHEMA)
        self._lock = threading.Lock()
        self.run = uuid.uuid4().hex

    def close(self) -> None:
        self._db.close()

    def record(self, plan: str, ident: str, action: str, status: str, detail: str = "") -> None:
        with self._lock:
            self._db.execute("insert into steps (run, plan, ident, action, status, detail, at) "
                             "values (?, ?, ?, ?, ?, ?, ?)",
                             (self.run, plan, ident, action, status, detail[:500], time.time()))

    def touched(self, plan: str) -> set[str]:
        """Identities of steps an earlier run of this plan started (done or not)."""
        with self._lock:
            rows = self._db.execute("select distinct ident from steps where plan = ? and "
                                    "run != ?", (plan, self.run)).fetchall()
        return {r[0] for r in rows}

    def unfinished(self, plan: str | None = None) -> set[str]:
        """Steps started by an earlier run and never recorded done or failed."""
        query = ("select ident from steps s where status = 'started' and run != ? and not "
                 "exists (select 1 from steps d where d.run = s.run and d.ident = s.ident and "
                 "d.status != 'started')")
        args: list[str] = [self.run]
        if plan:
            query += " and plan = ?"
            args.append(plan)
        with self._lock:
            return {r[0] for r in self._db.execute(query, args).fetchall()}

    def recently_created(self, seconds: float = 3600) -> set[str]:
        """Objects created (or possibly created) in the last `seconds`: calls on them are
        `fresh` (404/412 mean "not ready yet")."""
        with self._lock:
            rows = self._db.execute("select distinct ident from steps where action = 'create' "
                                    "and at > ?", (time.time() - seconds,)).fetchall()
        return {r[0] for r in rows}

    def drive_request_id(self, tenant: str, name: str, *, renew: bool = False) -> str:
        """The persisted requestId for creating drive `name`: deterministic (uuid5 of tenant
        and name) the first time, a new one only when `renew` (the old one made a drive that
        is gone; the next run may make it again)."""
        with self._lock:
            row = self._db.execute("select request_id from drive_requests where tenant = ? and "
                                   "name = ?", (tenant, name)).fetchone()
            if row and not renew:
                return str(row[0])
            seed = f"{tenant}/{name}" + (f"#{uuid.uuid4().hex}" if renew else "")
            request_id = str(uuid.uuid5(uuid.NAMESPACE_URL, seed))
            self._db.execute("insert or replace into drive_requests values (?, ?, ?)",
                             (tenant, name, request_id))
            return request_id

    def done(self, plan: str) -> set[str]:
        """Identities of steps any run of this plan recorded done."""
        with self._lock:
            rows = self._db.execute("select distinct ident from steps where plan = ? and "
                                    "status = 'done'", (plan,)).fetchall()
        return {r[0] for r in rows}

    def record_leaver(self, tenant: str, email: str, groups: list[str]) -> None:
        """A person was suspended as a leaver: when (for the grace period) and the groups they
        were in (for a return). A second suspension keeps the first date."""
        with self._lock:
            self._db.execute("insert or ignore into leavers values (?, ?, ?, ?)",
                             (tenant, email, time.time(), json.dumps(sorted(groups))))

    def forget_leaver(self, tenant: str, email: str) -> None:
        with self._lock:
            self._db.execute("delete from leavers where tenant = ? and email = ?",
                             (tenant, email))

    def leavers(self, tenant: str) -> dict[str, dict[str, Any]]:
        """email -> {"suspended_at": epoch seconds, "groups": [...]} for this tenant."""
        with self._lock:
            rows = self._db.execute("select email, suspended_at, groups from leavers where "
                                    "tenant = ?", (tenant,)).fetchall()
        return {r[0]: {"suspended_at": r[1], "groups": json.loads(r[2])} for r in rows}

    def counts(self, run: str | None = None) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("select status, count(*) from steps where run = ? group by "
                                    "status", (run or self.run,)).fetchall()
        return {r[0]: r[1] for r in rows}
