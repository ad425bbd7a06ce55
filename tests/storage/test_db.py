"""The database layer works the same on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from workspace_coach.errors import ConfigError
from workspace_coach.storage.db import make_engine


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'coach.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_korean_text_and_foreign_keys_round_trip(engine):
    meta = sa.MetaData()
    clients = sa.Table("t_clients", meta, sa.Column("id", sa.Integer, primary_key=True),
                       sa.Column("name", sa.String(200), nullable=False))
    notes = sa.Table("t_notes", meta, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("client_id", sa.ForeignKey("t_clients.id"), nullable=False),
                     sa.Column("body", sa.Text))
    meta.drop_all(engine)
    meta.create_all(engine)
    try:
        with engine.begin() as conn:
            conn.execute(clients.insert(), [{"id": 1, "name": "해살 협동조합"}])
            conn.execute(notes.insert(), [{"client_id": 1, "body": "2단계 인증 안내 🙂"}])
        with engine.connect() as conn:
            assert conn.execute(sa.select(clients.c.name)).scalar_one() == "해살 협동조합"
            assert conn.execute(sa.select(notes.c.body)).scalar_one() == "2단계 인증 안내 🙂"
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(notes.insert(), [{"client_id": 99, "body": "orphan"}])
    finally:
        meta.drop_all(engine)


def test_unsupported_database_is_a_clear_error():
    with pytest.raises(ConfigError, match="unsupported database 'mysql'"):
        make_engine("mysql://u:p@localhost/db")
