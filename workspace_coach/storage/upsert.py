"""Idempotent bulk writes that behave the same on SQLite and PostgreSQL.

Both dialects spell `INSERT ... ON CONFLICT` the same way in SQLAlchemy; this module picks the
dialect's `insert` and removes duplicate keys within one write first (PostgreSQL refuses to
touch the same row twice in one statement).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

CHUNK = 5_000


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(conn.dialect.name)


def _unique(rows: Iterable[dict[str, Any]], keys: Sequence[str]) -> list[dict[str, Any]]:
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        out[tuple(row[k] for k in keys)] = row
    return list(out.values())


def insert_new(conn: sa.Connection, table: sa.Table, rows: Iterable[dict[str, Any]],
               keys: Sequence[str]) -> None:
    """Insert rows whose `keys` are not stored yet; existing rows are left as they are."""
    batch = _unique(rows, keys)
    for start in range(0, len(batch), CHUNK):
        stmt = _insert(conn, table).on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(stmt, batch[start:start + CHUNK])


def upsert(conn: sa.Connection, table: sa.Table, rows: Iterable[dict[str, Any]],
           keys: Sequence[str]) -> None:
    """Insert rows, or update every other column of the row already stored under `keys`."""
    batch = _unique(rows, keys)
    if not batch:
        return
    columns = [c for c in batch[0] if c not in keys]
    for start in range(0, len(batch), CHUNK):
        stmt = _insert(conn, table)
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
        ) if columns else stmt.on_conflict_do_nothing(index_elements=list(keys))
        conn.execute(stmt, batch[start:start + CHUNK])
