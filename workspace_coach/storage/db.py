"""Where the coach's database is and how to connect to it.

SQLite in the data directory by default (one file per coach); PostgreSQL when WC_DATABASE_URL
says so (`postgresql+psycopg://user:password@host/db`). Both through SQLAlchemy, so the rest of
the package never knows which one it has.
"""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from workspace_coach.errors import ConfigError
from workspace_coach.paths import data_dir


def database_url() -> str:
    return os.environ.get("WC_DATABASE_URL") or f"sqlite:///{data_dir() / 'coach.sqlite3'}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for the coach's database; SQLite gets foreign keys and a busy timeout."""
    url = url or database_url()
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - any unparsable URL is the same mistake to the user
        raise ConfigError(f"WC_DATABASE_URL is not a database URL: {url.split('@')[-1]}") from None
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # WAL's own advice: a commit then survives a killed process (not a power cut)
            # without waiting for the disk each time
            cursor.execute("PRAGMA synchronous=NORMAL")
            # a collect writes millions of rows into a few large indexes; SQLite's default
            # 2 MiB page cache would read their pages back from the OS again and again
            cursor.execute("PRAGMA cache_size=-65536")
            cursor.close()

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ConfigError(f"unsupported database {parsed.get_backend_name()!r}: use SQLite or "
                      "PostgreSQL")
