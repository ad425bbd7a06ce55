"""The sandbox's state: Google objects as JSON documents in SQLite.

One registry, like moto's backends: every resource module reads and writes through `Store`, and
`reset()` empties it. A file keeps tenants across restarts; `:memory:` is for tests. One
connection guarded by a lock keeps every request's changes atomic: a handler that raises leaves
nothing half-written. That lock serialises every call, so what each call looks up before its
handler runs (its token, whether its user is an admin, the project's disabled APIs) is kept by
`remember` until the next write: one process owns the database, as the object sequence and the
figures cache already assume.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: Event columns in the order `add_events` takes them.
EVENT_COLUMNS = ("tenant", "app", "time", "day", "actor", "actor_id", "event_type", "name",
                 "params", "ip", "unique_key")
INSERT_EVENT = (f"INSERT OR IGNORE INTO events ({', '.join(EVENT_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})")
#: How much the figures cache holds, counted in people (a customer report counts one).
CACHE_WEIGHT = 20_000
#: Most lookups `remember` keeps (tokens, admins, projects); past it they start over.
REMEMBER_LIMIT = 10_000

SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    kind    TEXT NOT NULL,
    tenant  TEXT NOT NULL,
    id      TEXT NOT NULL,
    parent  TEXT NOT NULL DEFAULT '',
    seq     INTEGER NOT NULL,
    created REAL NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (kind, tenant, id)
);
CREATE INDEX IF NOT EXISTS objects_parent ON objects (kind, tenant, parent, seq);
CREATE TABLE IF NOT EXISTS keys (
    kind    TEXT NOT NULL,
    tenant  TEXT NOT NULL,
    key     TEXT NOT NULL,
    id      TEXT NOT NULL,
    PRIMARY KEY (kind, tenant, key)
);
CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant      TEXT NOT NULL,
    app         TEXT NOT NULL,
    time        TEXT NOT NULL,
    day         TEXT NOT NULL,
    actor       TEXT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    event_type  TEXT NOT NULL,
    name        TEXT NOT NULL,
    params      TEXT NOT NULL,
    ip          TEXT NOT NULL DEFAULT '',
    unique_key  TEXT
);
CREATE INDEX IF NOT EXISTS events_app_time ON events (tenant, app, time);
CREATE INDEX IF NOT EXISTS events_day ON events (tenant, day);
CREATE UNIQUE INDEX IF NOT EXISTS events_unique ON events (tenant, unique_key);
-- usage reports replay history per person ("last login before D", "last Drive use before D"):
-- this index answers those GROUP BY actor_id queries without reading the rows
CREATE INDEX IF NOT EXISTS events_actor ON events (tenant, app, actor_id, name, time);
CREATE TABLE IF NOT EXISTS tokens (
    token     TEXT PRIMARY KEY,
    tenant    TEXT NOT NULL,
    principal TEXT NOT NULL,
    scopes    TEXT NOT NULL,
    expires   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class Store:
    """Documents keyed by (kind, tenant, id), with an optional parent and unique secondary keys."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:" else "PRAGMA "
                           "journal_mode=MEMORY")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)
        self._lock = threading.RLock()
        self._depth = 0
        self._seq = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM objects").fetchone()[0]
        # figures derived from a tenant's events and documents, per report date (`cached`)
        self._cache: OrderedDict[tuple, tuple[int, Any]] = OrderedDict()
        self._cache_weight = 0
        # bumped after every write (and rollback): a remembered lookup is only as new as it
        self._generation = 0
        self._remembered: dict[tuple, tuple[int, Any]] = {}

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All-or-nothing: nested calls join the outer transaction."""
        with self._lock:
            if self._depth == 0:
                self._conn.execute("BEGIN")
            self._depth += 1
            try:
                yield self
            except BaseException:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("ROLLBACK")
                    self._generation += 1  # lookups made inside may have seen undone writes
                raise
            else:
                self._depth -= 1
                if self._depth == 0:
                    self._conn.execute("COMMIT")

    def execute(self, sql: str, params: tuple | list = ()) -> sqlite3.Cursor:
        with self._lock:
            cursor = self._conn.execute(sql, params)
            if sql.lstrip()[:6].upper() != "SELECT":
                self._generation += 1
            return cursor

    def executemany(self, sql: str, rows: Any) -> None:
        with self._lock:
            self._conn.executemany(sql, rows)
            self._generation += 1

    def remember(self, key: tuple, compute: Callable[[], T]) -> T:
        """`compute()` for `key`, again without computing until anything is written.

        For the small lookups every call makes. Writes bump the generation after they run,
        under the lock; it is read here before computing, so a write racing with the
        computation leaves an entry already out of date, and a lookup that sees the new
        generation waits for the writer's lock and reads what it wrote."""
        generation = self._generation
        hit = self._remembered.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        value = compute()
        if len(self._remembered) >= REMEMBER_LIMIT:
            self._remembered.clear()
        self._remembered[key] = (generation, value)
        return value

    # -- documents ------------------------------------------------------------------------------

    def get(self, kind: str, tenant: str, id: str) -> dict[str, Any] | None:
        row = self.execute(
            "SELECT data FROM objects WHERE kind=? AND tenant=? AND id=?", (kind, tenant, id)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def created_at(self, kind: str, tenant: str, id: str) -> float | None:
        row = self.execute(
            "SELECT created FROM objects WHERE kind=? AND tenant=? AND id=?", (kind, tenant, id)
        ).fetchone()
        return row[0] if row else None

    def put(self, kind: str, tenant: str, id: str, data: dict[str, Any], parent: str = "") -> None:
        """Insert or replace; a replaced document keeps its position in listings."""
        with self._lock:
            existing = self._conn.execute(
                "SELECT seq, created FROM objects WHERE kind=? AND tenant=? AND id=?",
                (kind, tenant, id),
            ).fetchone()
            if existing:
                seq, created = existing
            else:
                self._seq += 1
                seq, created = self._seq, time.time()
            self._conn.execute(
                "INSERT OR REPLACE INTO objects (kind, tenant, id, parent, seq, created, data) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, tenant, id, parent, seq, created, json.dumps(data, ensure_ascii=False)),
            )
            self._generation += 1
            self.forget(tenant)

    def delete(self, kind: str, tenant: str, id: str) -> bool:
        with self._lock:
            cur = self._conn.execute(
                "DELETE FROM objects WHERE kind=? AND tenant=? AND id=?", (kind, tenant, id)
            )
            self._conn.execute(
                "DELETE FROM keys WHERE kind=? AND tenant=? AND id=?", (kind, tenant, id)
            )
            self._generation += 1
            self.forget(tenant)
            return cur.rowcount > 0

    def delete_children(self, kind: str, tenant: str, parent: str) -> int:
        with self._lock:
            ids = [r[0] for r in self._conn.execute(
                "SELECT id FROM objects WHERE kind=? AND tenant=? AND parent=?",
                (kind, tenant, parent),
            )]
            for id in ids:
                self.delete(kind, tenant, id)
            return len(ids)

    def list(self, kind: str, tenant: str, parent: str | None = None) -> list[dict[str, Any]]:
        """Documents of a kind in creation order, optionally only the children of `parent`."""
        if parent is None:
            rows = self.execute(
                "SELECT data FROM objects WHERE kind=? AND tenant=? ORDER BY seq", (kind, tenant)
            )
        else:
            rows = self.execute(
                "SELECT data FROM objects WHERE kind=? AND tenant=? AND parent=? ORDER BY seq",
                (kind, tenant, parent),
            )
        return [json.loads(r[0]) for r in rows.fetchall()]

    def list_slice(self, kind: str, tenant: str, offset: int, limit: int) -> list[dict[str, Any]]:
        """One page of a kind in creation order, without reading the rest."""
        rows = self.execute(
            "SELECT data FROM objects WHERE kind=? AND tenant=? ORDER BY seq LIMIT ? OFFSET ?",
            (kind, tenant, limit, offset),
        )
        return [json.loads(r[0]) for r in rows.fetchall()]

    def count(self, kind: str, tenant: str, parent: str | None = None) -> int:
        if parent is None:
            sql, args = "SELECT COUNT(*) FROM objects WHERE kind=? AND tenant=?", (kind, tenant)
        else:
            sql = "SELECT COUNT(*) FROM objects WHERE kind=? AND tenant=? AND parent=?"
            args = (kind, tenant, parent)
        return self.execute(sql, args).fetchone()[0]

    # -- secondary keys (emails, aliases, request ids) ------------------------------------------

    def key_lookup(self, kind: str, tenant: str, key: str) -> str | None:
        row = self.execute(
            "SELECT id FROM keys WHERE kind=? AND tenant=? AND key=?", (kind, tenant, key.lower())
        ).fetchone()
        return row[0] if row else None

    def key_set(self, kind: str, tenant: str, key: str, id: str) -> None:
        self.execute(
            "INSERT OR REPLACE INTO keys (kind, tenant, key, id) VALUES (?, ?, ?, ?)",
            (kind, tenant, key.lower(), id),
        )

    def key_delete(self, kind: str, tenant: str, key: str) -> None:
        self.execute(
            "DELETE FROM keys WHERE kind=? AND tenant=? AND key=?", (kind, tenant, key.lower())
        )

    # -- the event log, and figures derived from it -------------------------------------------

    def add_events(self, rows: Sequence[tuple]) -> None:
        """Append events (tuples in `EVENT_COLUMNS` order); a row whose `unique_key` is already
        there is skipped. Figures cached for their dates and later ones are forgotten."""
        if not rows:
            return
        with self._lock:
            # events answer no lookup `remember` keeps, so they leave its generation alone
            self._conn.executemany(INSERT_EVENT, rows)
            first: dict[str, str] = {}
            for row in rows:
                tenant, day = row[0], row[3]
                if day < first.get(tenant, "9999"):
                    first[tenant] = day
            for tenant, day in first.items():
                self.forget(tenant, day)

    def cached(self, key: tuple[str, str, Any], compute: Callable[[], T], weight: int = 1) -> T:
        """`compute()` for key (tenant, Pacific date, what), kept until the tenant's documents
        change, its events on or before that date change, or the store is reset. Usage reports
        read every event up to their date (last login, last Drive use), hence "or before"."""
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit[1]
            value = compute()
            if weight <= CACHE_WEIGHT:
                self._cache[key] = (weight, value)
                self._cache_weight += weight
                while self._cache_weight > CACHE_WEIGHT:
                    _, (dropped, _) = self._cache.popitem(last=False)
                    self._cache_weight -= dropped
            return value

    def forget(self, tenant: str = "", since_day: str = "") -> None:
        """Drop cached figures of `tenant` (all tenants for ""), or only those of dates from
        `since_day` on. Anything that changes events outside `add_events` must call this."""
        with self._lock:
            for key in [k for k in self._cache
                        if (not tenant or k[0] == tenant) and k[1] >= since_day]:
                self._cache_weight -= self._cache.pop(key)[0]

    # -- settings and lifecycle -----------------------------------------------------------------

    def meta_get(self, key: str) -> Any:
        row = self.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def meta_set(self, key: str, value: Any) -> None:
        self.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                     (key, json.dumps(value)))

    def reset(self, tenant: str | None = None) -> None:
        """Forget everything (or one tenant's objects, keys, events and tokens)."""
        self.forget(tenant or "")
        with self.transaction():
            for table in ("objects", "keys", "events", "tokens"):
                if tenant is None:
                    self._conn.execute(f"DELETE FROM {table}")
                else:
                    self._conn.execute(f"DELETE FROM {table} WHERE tenant=?", (tenant,))
            if tenant is None:
                self._conn.execute("DELETE FROM meta")
                self._conn.execute("DELETE FROM objects WHERE kind='tenant'")
            self._generation += 1

    def close(self) -> None:
        with self._lock:
            self._conn.close()
