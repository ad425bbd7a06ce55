"""The coaching logic apart from any screen: agenda proposals, progress from marks, sessions,
client summaries and coach assignment, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.dashboard.demo_data import NOW, build
from workspace_coach.coaching import access, agenda, clients, marks, scores, sessions
from workspace_coach.coaching.checks import CheckView, newest_checks
from workspace_coach.errors import UserError
from workspace_coach.storage import models as m

TODAY = dt.date(2025, 6, 19)


def score(category: str, value: float | None, change: float | None = None,
          indicators: list[scores.Indicator] | None = None) -> scores.CategoryScore:
    return scores.CategoryScore(category, TODAY, value, change, indicators or [])


def indicator(ident: str, share: float, target: float) -> scores.Indicator:
    return scores.Indicator(ident, {"ko": ident, "en": ident}, share * 10, 10, share, target,
                            1.0, 100 * share / target)


def test_agenda_puts_serious_checks_first_then_gaps_then_gains():
    curricula = agenda.load_curricula()
    checks = [CheckView("admins-without-2sv", None, "critical", "fail", 2,
                        title={"ko": "관리자 2SV", "en": "Admin 2SV"}),
              CheckView("old-tokens", None, "low", "fail", 4),
              CheckView("single-super-admin", None, "high", "pass", 0)]
    values = [score("activation", 90, change=12), score("meetings", 30, change=-4,
                                                        indicators=[indicator("meet", 0.2, 0.6),
                                                                    indicator("cal", 0.5, 0.5)]),
              score("security", 45, change=3), score("mobility", None),
              score("overall", 40, change=20)]
    items = agenda.propose(values, checks=checks, curricula=curricula)
    assert [(i.kind, i.key) for i in items] == [
        ("check", "admins-without-2sv"), ("gap", "meetings"), ("gap", "security"),
        ("gain", "activation"), ("gain", "security")]
    meetings = items[1]
    assert [e["indicator"] for e in meetings.evidence] == ["meet"]   # the met one is no gap
    assert [(mod.track, mod.module) for mod in meetings.modules] == [
        ("new-member", "calendar-meet")]
    assert meetings.modules[0].title["ko"] and meetings.modules[0].title["en"]
    assert items[0].modules[0].module == "enforce-2sv"
    # against the last session's values, a gain is measured from then
    since = {"activation": score("activation", 89), "security": score("security", 30)}
    gains = [i for i in agenda.propose(values, since=since, curricula=curricula)
             if i.kind == "gain"]
    assert [(i.key, i.delta) for i in gains] == [("security", 15.0)]


def test_agenda_links_only_modules_that_exist():
    items = agenda.propose([score("teamwork", 20)], curricula={})
    assert items[0].modules == []


def test_access_by_assignment():
    known = [clients.ClientInfo(i, slug, f"{slug}.kr", None, False, 5, None)
             for i, slug in enumerate(["a", "b", "c"])]
    table = access.assignments({"Kim@Coach.kr": ["a", "c"], "lead@coach.kr": "*",
                                "bad@coach.kr": 3})
    assert [c.slug for c in access.visible_clients(known, "kim@coach.KR", table)] == ["a", "c"]
    assert len(access.visible_clients(known, "lead@coach.kr", table)) == 3
    assert access.visible_clients(known, "bad@coach.kr", table) == []
    assert access.visible_clients(known, None, table) == []


def test_summaries_trend_arrows(engine):
    demo = build(engine, slug="trend", people=10, days=60, seed=3, units={}, groups={},
                 newest=TODAY)
    info = clients.get_client(engine, "trend")
    with engine.begin() as conn:   # make the last 28 days flat, then a clear rise
        conn.execute(sa.update(m.Score).where(m.Score.client_id == demo.client_id,
                                              m.Score.category == "overall").values(value=50))
        conn.execute(sa.update(m.Score).where(
            m.Score.client_id == demo.client_id, m.Score.category == "overall",
            m.Score.date == TODAY).values(value=51.5))
    summary = clients.summaries(engine, [info], today=TODAY)[0]
    assert (summary.overall, summary.overall_change, summary.arrow) == (51.5, 1.5, "→")
    assert summary.open_critical == 1
    assert summary.days_since_session == 40
    with engine.begin() as conn:
        conn.execute(sa.update(m.Score).where(
            m.Score.client_id == demo.client_id, m.Score.category == "overall",
            m.Score.date == TODAY).values(value=44))
    assert clients.summaries(engine, [info], today=TODAY)[0].arrow == "↓"


def test_marks_override_decides_and_small_teams_fold(engine):
    demo = build(engine, slug="marks", people=12, days=1, seed=4, marks=False,
                 units={"/a": 6, "/b": 4, "/c": 2}, groups={})
    client = clients.get_client(engine, "marks")
    later = NOW + dt.timedelta(days=1)
    rows = []
    for i in range(12):
        email = f"user{i:04d}@marks.kr"
        rows.append(dict(client_id=demo.client_id, track="new-member", item_id="first-sign-in",
                         person_email=email, kind="self", status="done", marked_by=email,
                         marked_at=later))
    # a coach said "not done" earlier than the trainee's own later "done": the coach decides
    rows.append(dict(client_id=demo.client_id, track="new-member", item_id="first-sign-in",
                     person_email="user0000@marks.kr", kind="override", status="not_done",
                     marked_by="coach@x.kr", marked_at=NOW))
    with engine.begin() as conn:
        conn.execute(sa.insert(m.CurriculumMark), rows)
    frame = marks.module_progress(engine, client, agenda.load_curricula())
    module = frame[frame["module"] == "account-security"].set_index("team")
    # /a has 6 people; /b (4) and /c (2) fold into "others" (6)
    assert set(module.index) == {"*", "/a", "others"}
    assert module.loc["*", "done"] == 11 and module.loc["*", "people"] == 12
    assert module.loc["/a", "done"] == 5 and module.loc["others", "done"] == 6
    assert marks.person_progress(engine, client, agenda.load_curricula()) is None


def test_sessions_validate_before_writing(engine):
    build(engine, slug="sess", people=5, days=1, sessions=False, checks=False, marks=False,
          units={}, groups={})
    client = clients.get_client(engine, "sess")
    with pytest.raises(UserError, match="needs a title"):
        sessions.create_session(engine, client, held_on=TODAY, title="  ")
    with pytest.raises(UserError, match="follow-up 2: the action is empty"):
        sessions.create_session(engine, client, held_on=TODAY, title="x", follow_ups=[
            sessions.FollowUpDraft("ok"), sessions.FollowUpDraft("", owner="a@b.kr")])
    assert sessions.list_sessions(engine, client.id) == []
    recorded = sessions.create_session(
        engine, client, held_on=TODAY, title="첫 세션", notes="메모",
        follow_ups=[sessions.FollowUpDraft("할 일", "a@b.kr", TODAY), sessions.FollowUpDraft("")])
    assert not recorded.simulator_told and recorded.simulator_problem is None  # no profile
    [saved] = sessions.list_sessions(engine, client.id)
    assert (saved.title, saved.notes, [f.text for f in saved.follow_ups]) == (
        "첫 세션", "메모", ["할 일"])
    assert newest_checks(engine, client.id) == []
