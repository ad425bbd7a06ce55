"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from workspace_coach.storage.migrations import config, current, upgrade
from workspace_coach.storage.models import Base


def test_migrated_schema_equals_the_models(engine):
    assert current(engine) is None
    upgrade(engine)
    upgrade(engine)  # a second upgrade is a no-op
    assert current(engine) == "0006"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    tables = set(sa.inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert {"clients", "people", "usage_values", "activity_events", "audit_runs", "scores",
            "check_results", "collect_state"} <= tables


def test_downgrade_removes_everything(engine):
    upgrade(engine)
    command.downgrade(config(engine), "base")
    assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
    assert current(engine) is None


def test_unique_keys_refuse_duplicates(engine):
    import datetime as dt

    import pytest

    from workspace_coach.storage import models as m

    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        client = conn.execute(sa.insert(m.Client).values(
            slug="haessal", domain="haessal.coop.kr", display_name="해살 협동조합",
            per_person_insights=False, min_group_size=5, created_at=now).returning(m.Client.id)
        ).scalar_one()
    row = {"client_id": client, "date": dt.date(2025, 6, 1), "entity_type": "user",
           "entity_key": "1", "parameter": "accounts:is_2sv_enrolled", "bool_value": True}
    with engine.begin() as conn:
        conn.execute(sa.insert(m.UsageValue), [row])
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(m.UsageValue), [row])
    with engine.connect() as conn:
        assert conn.execute(sa.select(m.Client.display_name)).scalar_one() == "해살 협동조합"
