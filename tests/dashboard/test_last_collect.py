"""The Clients page shows each client's last collect: when, its result, data up to which date,
and the error line of a failed one (from `client_runs`)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.dashboard.conftest import run_app
from tests.dashboard.test_pages import texts
from workspace_coach.storage import models as m


def _run(conn, client_id: int, started: dt.datetime, status: str, until: dt.date | None,
         error: str | None = None) -> None:
    conn.execute(sa.insert(m.ClientRun).values(
        batch="b", client_id=client_id, kind="collect", started_at=started,
        finished_at=started + dt.timedelta(minutes=3), status=status, error=error,
        data_until=until))


def test_clients_page_shows_each_clients_last_collect(use_db):
    haessal, saessak = use_db.clients["haessal"], use_db.clients["saessak"]
    night = dt.datetime(2025, 6, 19, 18, 0, tzinfo=dt.UTC)   # 03:00 in Korea
    with use_db.engine.begin() as conn:
        _run(conn, haessal.client_id, night - dt.timedelta(days=1), "failed", None, "old")
        _run(conn, haessal.client_id, night, "ok", dt.date(2025, 6, 17))
        _run(conn, saessak.client_id, night, "failed", dt.date(2025, 6, 16),
             "a Google call failed: HTTP 403 accessNotConfigured")
        # a sync is not a collect
        conn.execute(sa.insert(m.ClientRun).values(
            batch="b", client_id=saessak.client_id, kind="sync", started_at=night
            + dt.timedelta(hours=1), status="ok", data_until=None))
    try:
        shown = texts(run_app("clients"))
        assert "마지막 수집 2025-06-20 03:00 · 성공 · 데이터 기준일 2025-06-17" in shown
        assert "마지막 수집 2025-06-20 03:00 · 실패 · 데이터 기준일 2025-06-16" in shown
        assert "a Google call failed: HTTP 403 accessNotConfigured" in shown
        assert "old" not in shown.split("\n")
        assert "아직 수집한 적 없음" in shown                       # the client just added
    finally:
        with use_db.engine.begin() as conn:
            conn.execute(sa.delete(m.ClientRun))
