"""The dashboard's cached reads are keyed by what the audit has stored as of: a scoring run that
lands is shown on the next rerun, without waiting for the reads' time-to-live."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import streamlit as st

from tests.dashboard.conftest import DemoDatabase, run_app
from workspace_coach.dashboards import services
from workspace_coach.storage import models as m

NOW = dt.datetime(2025, 6, 21, 3, 0, tzinfo=dt.UTC)


def _overall(at) -> str:
    return next(mt.value for mt in at.metric if mt.label == "Overall")


def _new_run(db: DemoDatabase, slug: str, overall: float) -> None:
    """What a new `audit run` leaves: a finished scoring run whose scores replace the old ones."""
    demo = db.clients[slug]
    with db.engine.begin() as conn:
        old = conn.execute(sa.select(m.Score.__table__).where(
            m.Score.client_id == demo.client_id, m.Score.scope_type == "org",
            m.Score.date == demo.newest)).all()
        run_id = conn.execute(sa.insert(m.AuditRun).values(
            client_id=demo.client_id, kind="score", started_at=NOW, finished_at=NOW,
            status="ok", first_date=demo.newest, last_date=demo.newest)
            .returning(m.AuditRun.id)).scalar_one()
        conn.execute(sa.delete(m.Score).where(m.Score.client_id == demo.client_id))
        conn.execute(sa.insert(m.Score), [
            {"run_id": run_id, "client_id": demo.client_id, "scope_type": "org",
             "scope_key": s.scope_key, "category": s.category, "date": s.date,
             "window_days": s.window_days, "inputs": s.inputs,
             "value": overall if s.category == "overall" else s.value} for s in old])


def test_a_new_scoring_run_shows_on_the_next_rerun(tmp_path, monkeypatch):
    db = DemoDatabase(tmp_path / "coach.sqlite3")
    db.add("haessal", people=12, days=30, units={}, groups={})
    monkeypatch.setenv("WC_DATABASE_URL", db.url)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        before = _overall(run_app("overview", client="haessal", lang="en"))
        assert before != "99"
        _new_run(db, "haessal", 99.0)
        # Stands in for the few seconds "stored as of" is reused; every read cache stays warm.
        services._stored_as_of.clear()
        assert _overall(run_app("overview", client="haessal", lang="en")) == "99"
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        db.engine.dispose()
