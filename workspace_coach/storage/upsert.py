"""Idempotent bulk writes that behave the same on SQLite and PostgreSQL.

Both dialects spell `INSERT ... ON CONFLICT` the same way in SQLAlchemy; this module picks the
dialect's `insert` and removes duplicate keys within one write first (PostgreSQL refuses to
touch the same row twice in one statement). `insert_rows` is the plain insert of many new rows
(a scoring run's two hundred thousand scores) without SQLAlchemy's per-row parameter handling.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
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
    key = itemgetter(*keys)
    return list({key(row): row for row in rows}.values())


def insert_new(conn: sa.Connection, table: sa.Table, rows: Iterable[dict[str, Any]],
               keys: Sequence[str]) -> None:
    """Insert rows whose `keys` are not stored yet; existing rows are left as they are."""
    batch = _unique(rows, keys)
    if not batch:
        return
    stmt = _insert(conn, table).on_conflict_do_nothing(index_elements=list(keys))
    _execute_many(conn, stmt, table, list(batch[0]), batch)


def upsert(conn: sa.Connection, table: sa.Table, rows: Iterable[dict[str, Any]],
           keys: Sequence[str]) -> None:
    """Insert rows, or update every other column of the row already stored under `keys`."""
    batch = _unique(rows, keys)
    if not batch:
        return
    columns = [c for c in batch[0] if c not in keys]
    stmt = _insert(conn, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={c: stmt.excluded[c] for c in columns}
    ) if columns else stmt.on_conflict_do_nothing(index_elements=list(keys))
    _execute_many(conn, stmt, table, list(batch[0]), batch)


def _execute_many(conn: sa.Connection, stmt: Any, table: sa.Table, columns: Sequence[str],
                  rows: Sequence[dict[str, Any]]) -> None:
    """`stmt` for every row through the driver's executemany, compiled once: a collect writes
    hundreds of thousands of usage figures, and SQLAlchemy's per-row parameter handling would
    cost more than the database's own work (see `insert_rows`). Rows must share `columns`."""
    dialect = conn.dialect
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    names = list(compiled.positiontup or []) if compiled.positional else list(columns)
    processors = [table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in names]
    hashable = [not isinstance(table.c[c].type, sa.JSON) for c in names]
    values = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
    sql = str(compiled)
    for start in range(0, len(rows), CHUNK):
        # column by column: only the columns with a bind processor get Python work per value
        part = [values(row) for row in rows[start:start + CHUNK]]
        if any(processors):
            cells = list(zip(*part, strict=True))
            part = list(zip(*(_bound(cells[k], process, hashable[k])
                              for k, process in enumerate(processors)), strict=True))
        params: list[Any] = part if compiled.positional else [
            dict(zip(names, p, strict=True)) for p in part]
        conn.exec_driver_sql(sql, params)


def _bound(values: Sequence[Any], process: Any, hashable: bool) -> Sequence[Any]:
    """`values` through a column's bind processor; a write's dates repeat, so each distinct
    value is processed once."""
    if process is None:
        return values
    if not hashable:
        return [None if v is None else process(v) for v in values]
    done: dict[Any, Any] = {None: None}
    return [done[v] if v in done else done.setdefault(v, process(v)) for v in values]


def insert_rows(conn: sa.Connection, table: sa.Table, columns: Sequence[str],
                rows: Sequence[Sequence[Any]], chunk: int = 20_000) -> int:
    """Insert `rows` (values in the order of `columns`) with the driver's executemany.

    Each value goes through its column type's bind processor for the connection's dialect
    (JSON serialised, dates formatted for SQLite), as `conn.execute(insert, dicts)` does, but
    column by column instead of through the per-row parameter machinery, which costs more
    than the database's own work on large writes. Returns the number of rows written."""
    dialect = conn.dialect
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=list(columns))
    processors = {c: table.c[c].type.dialect_impl(dialect).bind_processor(dialect)
                  for c in columns}
    names = list(compiled.positiontup or []) if compiled.positional else list(columns)
    where = {c: k for k, c in enumerate(columns)}
    sql = str(compiled)
    for start in range(0, len(rows), chunk):
        part = list(zip(*rows[start:start + chunk], strict=True))
        bound = []
        for name in names:
            values, process = part[where[name]], processors[name]
            bound.append(values if process is None else
                         [None if v is None else process(v) for v in values])
        params: list[Any] = list(zip(*bound, strict=True))
        if not compiled.positional:
            params = [dict(zip(names, p, strict=True)) for p in params]
        conn.exec_driver_sql(sql, params)
    return len(rows)
