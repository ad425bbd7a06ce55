"""Fixtures for the audit: a database engine on SQLite and on PostgreSQL, and a simulated
tenant with a pinned sandbox clock."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tests.sandbox.activity_world import build_tenant, pin_clock, simulate
from workspace_coach.storage.db import make_engine


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    """An empty database: a SQLite file, or a schema of its own on the PostgreSQL server (so
    tests never see each other's rows or anyone else's tables)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
        yield engine
        engine.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    schema = f"wc_audit_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    engine = make_engine(f"{url}{sep}options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            # a connection a test left open in a transaction would make the drop wait for ever;
            # fail the teardown instead, naming the cause
            conn.execute(sa.text("SET LOCAL lock_timeout = '60s'"))
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="module")
def world(sandbox, tmp_path_factory):
    """24 people in two org units and two groups, 30 Korean days of `mixed` activity, the
    sandbox clock pinned (newest report date 2025-06-17, partial); consent recorded."""
    pin_clock(sandbox)
    domain = f"audit-{uuid.uuid4().hex[:8]}.example.kr"
    profile = build_tenant(sandbox, tmp_path_factory.mktemp("audit"), domain, people=24)
    simulate(sandbox, profile.domain, days=30, seed=5, profile="mixed")
    profile = profile.model_copy(update={"per_person_insights": True})
    yield profile
    pin_clock(sandbox, None)
