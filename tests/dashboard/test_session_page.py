"""Recording a coaching session in the dashboard: agenda, notes and follow-ups land in the
database, bad follow-ups write nothing, history edits persist, and a sandbox client's simulator
learns the session's date."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tests.conftest import make_tenant
from tests.dashboard.conftest import run_app
from workspace_coach.sandbox.coaching import coaching_sessions
from workspace_coach.storage import models as m


def stored_sessions(db, slug: str) -> list:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(m.CoachingSession).where(
            m.CoachingSession.client_id == db.clients[slug].client_id)
            .order_by(m.CoachingSession.id)).all()


def follow_ups(db, session_id: int) -> list:
    with db.engine.connect() as conn:
        return conn.execute(sa.select(m.FollowUp).where(m.FollowUp.session_id == session_id)
                            .order_by(m.FollowUp.id)).all()


def test_agenda_proposes_gaps_gains_and_failing_checks(use_db):
    at = run_app("session", client="haessal", lang="en")
    boxes = [c.label for c in at.checkbox if c.key and c.key.startswith("agenda-")]
    assert boxes[0].startswith("**Check** · Admins without 2-Step Verification")
    assert any(b.startswith("**Gap** · Lift") for b in boxes)
    captions = "\n".join(c.value for c in at.caption)
    assert "Curriculum modules: Enforcing 2-Step Verification (`admin/enforce-2sv`)" in captions
    assert "Evidence: " in captions


def test_recording_a_session_with_notes_and_follow_ups(use_db):
    before = len(stored_sessions(use_db, "haessal"))
    at = run_app("session", client="haessal", lang="en")
    agenda = [c for c in at.checkbox if c.key and c.key.startswith("agenda-")]
    agenda[1].uncheck()
    day = dt.date.today() - dt.timedelta(days=1)
    at.date_input(key="session-date").set_value(day)
    at.text_input(key="session-title").input("둘째 세션: 공유 드라이브")
    at.text_area(key="session-notes").input("팀별 공유 드라이브를 만들기로 함.\n다음엔 Meet.")
    at.text_input(key="fu-text-0").input("팀 드라이브 3개 만들기")
    at.text_input(key="fu-owner-0").input("admin@haessal.kr")
    at.date_input(key="fu-due-0").set_value(day + dt.timedelta(days=14))
    at.text_input(key="fu-text-1").input("2단계 인증 안내 메일 보내기")
    next(b for b in at.button if b.label == "Save the session").click().run()
    assert not at.exception
    assert "Session saved." in [s.value for s in at.success]

    rows = stored_sessions(use_db, "haessal")
    assert len(rows) == before + 1
    saved = rows[-1]
    assert saved.held_on == day and saved.title == "둘째 세션: 공유 드라이브"
    assert saved.notes.startswith("팀별 공유 드라이브")
    assert len(saved.agenda) == len(agenda) - 1
    assert saved.agenda[0]["kind"] == "check" and saved.agenda[0]["title"]["ko"]
    actions = follow_ups(use_db, saved.id)
    assert [(f.text, f.owner, f.due_on) for f in actions] == [
        ("팀 드라이브 3개 만들기", "admin@haessal.kr", day + dt.timedelta(days=14)),
        ("2단계 인증 안내 메일 보내기", None, None)]
    # the history lists it first, and the form is empty again
    assert at.expander[0].label == f"{day.isoformat()} · 둘째 세션: 공유 드라이브"
    assert at.text_input(key="fu-text-0").value == ""

    # tick a follow-up done and edit the notes from the history
    box = at.checkbox(key=f"fu-done-{actions[0].id}")
    box.check().run()
    assert follow_ups(use_db, saved.id)[0].done
    at.text_area(key=f"notes-{saved.id}").input("메모 고침")
    at.button(key=f"save-notes-{saved.id}").click().run()
    assert stored_sessions(use_db, "haessal")[-1].notes == "메모 고침"

    # the overview now compares with this session
    at = run_app("overview", client="haessal", lang="en")
    assert any(f"last session ({day.isoformat()})" in s.value for s in at.subheader)


def test_a_follow_up_without_an_action_writes_nothing(use_db):
    before = len(stored_sessions(use_db, "saessak"))
    at = run_app("session", client="saessak", lang="en")
    at.text_input(key="fu-owner-0").input("someone@saessak.kr")
    next(b for b in at.button if b.label == "Save the session").click().run()
    assert [e.value for e in at.error] == ["follow-up 1: the action is empty"]
    assert len(stored_sessions(use_db, "saessak")) == before
    assert at.text_input(key="fu-owner-0").value == "someone@saessak.kr"  # kept as typed


def test_more_follow_up_rows(use_db):
    at = run_app("session", client="saessak", lang="en")
    assert len([w for w in at.text_input if w.key and w.key.startswith("fu-text-")]) == 3
    at.button(key="session-more-rows").click().run()
    assert len([w for w in at.text_input if w.key and w.key.startswith("fu-text-")]) == 4


def test_a_sandbox_clients_simulator_learns_the_session_date(use_db, sandbox, tmp_path):
    profile = make_tenant(sandbox, tmp_path / "coached")
    at = run_app("clients", lang="en")
    at.text_input(key="add-profile").input(str(profile.source))
    next(b for b in at.button if b.label == "Add").click().run()
    assert not at.exception
    assert f"Added {profile.name} ({profile.domain})." in [s.value for s in at.success]

    at = run_app("session", client=profile.name, lang="en")
    day = dt.date(2025, 6, 2)
    at.date_input(key="session-date").set_value(day)
    next(b for b in at.button if b.label == "Save the session").click().run()
    assert "The sandbox simulator was told the session's date too." in [
        i.value for i in at.info]
    assert [s["date"] for s in coaching_sessions(sandbox.url, profile.domain)] == ["2025-06-02"]
