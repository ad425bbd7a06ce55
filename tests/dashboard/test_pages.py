"""Every dashboard page rendered by the real entry point (AppTest) over the demo database: the
figures shown are the ones written, in Korean and English, and clients without data get empty
states instead of errors."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.dashboard.conftest import open_page, run_app
from workspace_coach.coaching.scores import CATEGORY_LABELS
from workspace_coach.dashboards.i18n import MESSAGES
from workspace_coach.storage import models as m

PAGES = ("clients", "overview", "teams", "security", "curriculum", "session", "provisioning")


def texts(at) -> str:
    """Everything markdown-like the page wrote, as one string to search."""
    parts = []
    for kind in ("title", "subheader", "caption", "markdown", "info", "success", "warning",
                 "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return "\n".join(parts)


def charts(at) -> list:
    return list(at.get("vega_lite_chart"))


def newest_overall(db, slug: str) -> float:
    demo = db.clients[slug]
    with db.engine.connect() as conn:
        return conn.execute(sa.select(m.Score.value).where(
            m.Score.client_id == demo.client_id, m.Score.scope_type == "org",
            m.Score.category == "overall", m.Score.date == demo.newest)).scalar_one()


def test_clients_lists_every_client_with_its_figures(use_db):
    at = run_app("clients")
    assert at.title[0].value == MESSAGES["clients.title"]["ko"]
    overall = [mt for mt in at.metric if mt.label == MESSAGES["clients.overall"]["ko"]]
    assert len(overall) == 3  # empty, haessal, saessak (by slug)
    assert overall[1].value.startswith(f"{newest_overall(use_db, 'haessal'):.0f}")
    assert overall[0].value == "–"
    critical = [mt.value for mt in at.metric if mt.label == MESSAGES["clients.critical"]["ko"]]
    assert critical == ["0", "1", "1"]
    since = [mt.value for mt in at.metric if mt.label == MESSAGES["clients.since_session"]["ko"]]
    days = (dt.date.today() - use_db.clients["haessal"].session_day).days
    assert since == ["세션 없음", f"{days}일 전", f"{days}일 전"]


def test_language_switch_is_shared_by_every_page(use_db):
    at = run_app("clients", client="haessal")
    at.radio(key="lang").set_value("en").run()
    assert at.title[0].value == "Your clients"
    open_page(at, "security")
    assert at.title[0].value == "Security checks"
    assert "Critical" in [mt.label for mt in at.metric]
    at.radio(key="lang").set_value("ko").run()
    assert at.title[0].value == "보안 점검"


def test_open_button_shows_that_clients_overview(use_db):
    at = run_app("clients")
    at.button(key="open-saessak").click().run()
    assert not at.exception
    assert at.title[0].value == "새싹 사회적기업 개요"
    assert at.selectbox(key="client").value == "saessak"


def test_overview_explains_scores_and_draws_the_trend(use_db):
    at = run_app("overview", client="haessal", lang="en")
    labels = [mt.label for mt in at.metric]
    assert labels == [CATEGORY_LABELS[c]["en"] for c in CATEGORY_LABELS]
    overall = next(mt for mt in at.metric if mt.label == "Overall")
    assert overall.value == f"{newest_overall(use_db, 'haessal'):.0f}"
    page = texts(at)
    assert "Activation ·" in page and "How the scores were computed" in page
    tables = [d.value for d in at.dataframe]
    indicator_tables = [t for t in tables if "Indicator" in t.columns]
    assert any("Signed in within 28 days" in set(t["Indicator"]) for t in indicator_tables)
    assert len(charts(at)) == 1
    assert MESSAGES["overview.benchmark_empty"]["en"] in page
    session_day = use_db.clients["haessal"].session_day.isoformat()
    assert f"What changed since the last session ({session_day})" in page
    changes = next(t for t in tables if "Change" in t.columns)
    assert len(changes) == 8


def test_teams_heatmap_respects_the_minimum_group_size(use_db):
    at = run_app("teams", client="haessal", lang="en")
    assert len(charts(at)) == 1
    table = at.dataframe[0].value
    assert set(table.index) == {"/교육", "/사업", "/운영"}   # /이사회 has 3 people
    at.radio(key="teams-scope").set_value("group").run()
    table = at.dataframe[0].value
    assert set(table.index) == {"events@haessal.kr", "finance@haessal.kr"}


def test_security_filters_by_severity_status_and_text(use_db):
    at = run_app("security", client="haessal", lang="en")
    heads = [e.label for e in at.expander]
    assert len(heads) == 3 and heads[0].startswith("Critical · Admins without 2-Step")
    assert "Have every admin turn on 2SV." in texts(at)
    at.multiselect(key="sec-severity").set_value(["critical"]).run()
    assert len(at.expander) == 1
    at.multiselect(key="sec-severity").set_value(["low", "critical"]).run()
    at.multiselect(key="sec-status").set_value(["pass"]).run()
    assert [e.label for e in at.expander] == ["Low · Users without recovery info · Passing"]
    at.multiselect(key="sec-status").set_value(["fail", "pass"]).run()
    at.text_input(key="sec-search").input("user0000").run()
    assert len(at.expander) == 1


def test_curriculum_progress_and_consent(use_db):
    at = run_app("curriculum", client="haessal", lang="en")
    assert len(charts(at)) == 2  # modules for the whole organisation, and by team
    assert MESSAGES["curriculum.no_consent"]["en"] in texts(at)
    at = run_app("curriculum", client="saessak", lang="en")
    people = at.dataframe[-1].value
    # every active person of the 24 is a new-member trainee; the one admin also takes the admin
    # track (progress now comes from evidence too, not only from who has marks)
    assert "account-security" in people.columns
    assert len(people.loc["new-member"]) == 24 and len(people.loc["admin"]) == 1


@pytest.mark.parametrize("page", PAGES)
def test_a_client_without_data_gets_empty_states(use_db, page):
    at = run_app(page, client="empty", lang="en")
    assert not at.exception
    page_text = texts(at)
    expected = {"overview": "No scores yet", "teams": "No team scores",
                "security": "No check results yet", "curriculum": "Nothing to judge curriculum progress on yet",
                "session": "No session recorded yet",
                "provisioning": "No connection profile is recorded"}
    if page in expected:
        assert expected[page] in page_text
    assert not charts(at)


def test_pages_need_a_client(tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("WC_DATABASE_URL", f"sqlite:///{tmp_path / 'none.sqlite3'}")
    st.cache_data.clear()
    at = run_app("clients", lang="en")
    assert "No clients yet" in texts(at)
    open_page(at, "overview")
    assert MESSAGES["common.pick_client"]["en"] in texts(at)
    st.cache_data.clear()
