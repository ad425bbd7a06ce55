"""The Portfolio page and the "needs you this week" list on the Clients page show the same
figures as `audit portfolio` and `digest` (one function each, shared)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import streamlit as st

from tests.coaching.test_digest import build as build_needs
from tests.dashboard.conftest import run_app
from tests.dashboard.test_pages import charts, texts
from workspace_coach.audit.portfolio import gather_portfolio
from workspace_coach.coaching.needs import needs_this_week
from workspace_coach.dashboards.i18n import MESSAGES
from workspace_coach.storage.clients import all_clients
from workspace_coach.storage.db import make_engine
from workspace_coach.storage.models import Client


def test_portfolio_page_shows_the_programme_without_hidden_names(use_db):
    with use_db.engine.begin() as conn:
        conn.execute(sa.update(Client).where(Client.slug == "haessal")
                     .values(share_name_in_reports=True))
    try:
        with use_db.engine.connect() as conn:
            clients = all_clients(conn)
        data = gather_portfolio(use_db.engine, clients)
        at = run_app("portfolio")
        assert not at.exception
        assert at.title[0].value == MESSAGES["portfolio.title"]["ko"]
        metrics = {mt.label: mt.value for mt in at.metric}
        assert metrics[MESSAGES["portfolio.sessions"]["ko"]] == str(data.sessions)
        assert metrics[MESSAGES["portfolio.clients"]["ko"]] == "3"
        table = at.dataframe[0].value
        names = list(table[MESSAGES["portfolio.client"]["ko"]])
        assert names == ["해살 협동조합", "고객사 A", "고객사 B"]
        assert "새싹 사회적기업" not in texts(at) and "빈 조직" not in texts(at)
        assert charts(at)
    finally:
        with use_db.engine.begin() as conn:
            conn.execute(sa.update(Client).where(Client.slug == "haessal")
                         .values(share_name_in_reports=False))


def test_clients_page_lists_what_needs_the_coach(tmp_path, monkeypatch):
    # the page computes "this week" from today: the data is built around now
    url = f"sqlite:///{tmp_path / 'coach.sqlite3'}"
    engine = make_engine(url)
    now = dt.datetime.now(dt.UTC)
    build_needs(engine, now)
    with engine.connect() as conn:
        expected = needs_this_week(conn, all_clients(conn), today=now.date(), now=now)
    engine.dispose()
    assert {e.client.slug for e in expected} == {"haessal", "saessak"}
    monkeypatch.setenv("WC_DATABASE_URL", url)
    st.cache_data.clear()
    try:
        at = run_app("clients")
        page = texts(at)
        assert MESSAGES["needs.title"]["ko"] in page
        for entry in expected:
            for need in entry.items:
                assert need.text["ko"] in page, need
        boxes = [str(m.value) for m in at.markdown if str(m.value).startswith("**")]
        assert boxes[:2] == ["**해살 협동조합**", "**새싹 학교**"]
    finally:
        st.cache_data.clear()
