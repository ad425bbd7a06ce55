"""Alembic migrations for the coach's database, configured in code (no alembic.ini).

`upgrade(engine)` brings a database to the newest schema; every command that opens the database
calls it first, so a coach never runs a migration by hand. New revisions go in `versions/`.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

HERE = Path(__file__).resolve().parent
#: Alembic's `context` and `op` are module-level proxies: two threads migrating at once (clients
#: of `--all` each starting a collect) would trample each other's configuration.
_LOCK = threading.Lock()


def config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to `revision` (the newest by default) on `engine`'s database."""
    with _LOCK:
        command.upgrade(config(engine), revision)


def current(engine: Engine) -> str | None:
    """The database's revision, or None before the first migration."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
