"""Recommendations from stored scores, checks and coaching sessions: their order, the gap
arithmetic, and a mapping to curriculum modules that exist."""

from __future__ import annotations

import datetime as dt
import re

from tests.audit.stored import (
    NEWEST,
    add_check,
    add_client,
    add_run,
    add_scores,
    add_session,
    category_inputs,
    indicator,
    migrate,
)
from workspace_coach.audit.categories import CATEGORIES
from workspace_coach.audit.checks import CHECKS
from workspace_coach.audit.recommend import (
    CATEGORY_ADVICE,
    CHECK_ADVICE,
    INDICATOR_ADVICE,
    MAX_GAPS,
    curriculum_modules,
    module_title,
    recommendations,
)

#: Every check the checks module defines.
ISSUE_CHECK_IDS = {check.id for check in CHECKS}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_every_mapped_module_and_item_exists_in_the_curricula():
    modules = curriculum_modules()
    assert modules, "no curricula found"
    advice = {**{f"category {k}": v for k, v in CATEGORY_ADVICE.items()},
              **{f"check {k}": v for k, v in CHECK_ADVICE.items()},
              **{f"indicator {k}": v for k, v in INDICATOR_ADVICE.items()}}
    for name, entry in advice.items():
        assert entry.modules and entry.actions, name
        for ref in entry.modules:
            module = modules.get(f"{ref.track}/{ref.module}")
            assert module is not None, f"{name}: no module {ref.key}"
            assert ref.item is None or ref.item in module["items"], f"{name}: no item {ref.key}"
        for action in entry.actions:
            assert HANGUL.search(action["ko"]) and action["en"].strip(), name


def test_every_category_and_every_check_of_the_issue_has_advice():
    assert set(CATEGORY_ADVICE) == set(CATEGORIES) - {"overall"}
    assert set(CHECK_ADVICE) == ISSUE_CHECK_IDS


def _collaboration() -> dict:
    # Two indicators: shares 0.2 and 0.4 of targets 1.0 and 0.5 (points 20 and 80).
    return {"indicators": [
        indicator("editors", "편집자", "Editors", 4, 20, 1.0, 3.0),
        indicator("sharers", "공유자", "Sharers", 8, 20, 0.5, 1.0)], "people": 20, "days": 28}


def test_order_checks_losses_gaps_then_minor_checks_and_gains(engine):
    migrate(engine)
    session = NEWEST - dt.timedelta(days=21)
    then = {"activation": 95.0, "communication": 70.0, "meetings": 80.0, "collaboration": 30.0,
            "teamwork": 90.0, "mobility": 50.0, "security": 85.0}
    now = {**then, "communication": 72.0, "meetings": 60.0, "mobility": 61.0,
           "collaboration": 33.0}
    with engine.begin() as conn:
        cid = add_client(conn, "haessal", 24)
        older = add_run(conn, cid)
        add_scores(conn, cid, older, {**then, "overall": 70.0}, date=session)
        run = add_run(conn, cid)
        add_scores(conn, cid, run, {**then, "overall": 70.0}, date=session)  # same date, newer run
        add_scores(conn, cid, run, {**now, "overall": 66.0},
                   inputs={"collaboration": _collaboration()})
        add_check(conn, cid, run, "weak-passwords", "low", affected=[{"type": "user", "id": "a"}])
        add_check(conn, cid, run, "admins-without-2sv", "critical",
                  affected=[{"type": "user", "id": "boss@haessal.example.kr"}])
        add_check(conn, cid, run, "files-public-by-link", "medium",
                  affected=[{"type": "file", "id": f"f{n}"} for n in range(3)])
        add_check(conn, cid, run, "super-admins-count", "high", status="pass")
        add_session(conn, cid, session - dt.timedelta(days=40))
        add_session(conn, cid, session)
        add_session(conn, cid, NEWEST + dt.timedelta(days=3))  # after the newest score: ignored
    recs = recommendations(engine, cid)
    kinds = [(r.kind, r.subject) for r in recs]
    assert kinds[0] == ("check", "admins-without-2sv")
    assert kinds[1] == ("loss", "meetings")
    gaps = [r for r in recs if r.kind == "gap"]
    assert [r.kind for r in recs] == (["check", "loss"] + ["gap"] * len(gaps)
                                      + ["check", "check", "gain"])
    assert kinds[-3:] == [("check", "files-public-by-link"), ("check", "weak-passwords"),
                          ("gain", "mobility")]
    # communication moved 2 points only; super-admins-count passed.
    assert "communication" not in {r.subject for r in recs if r.kind in ("gain", "loss")}
    assert "super-admins-count" not in {r.subject for r in recs}
    loss = recs[1]
    assert (loss.previous, loss.value, loss.since) == (80.0, 60.0, session)
    assert "80 → 60 (-20.0)" in loss.detail["en"] and "코칭 이후" in loss.detail["ko"]
    # Gaps: seven equally weighted categories (overall inputs), so one category is worth 1/7
    # of the overall score. Editors: (100 - 20) x 3/4 x 1/7 = 8.57 points; collaboration's
    # sharers: (100 - 80) x 1/4 x 1/7 = 0.71; security's one indicator: (100 - 85) / 7 = 2.14.
    by_subject = {r.subject: r for r in gaps}
    assert gaps[0].subject == "editors" and gaps[0].impact == 8.6
    assert gaps[0].detail["en"] == "Content collaboration: Editors 4/20 (20%, target 100%)"
    assert gaps[0].title == {"ko": "편집자", "en": "Editors"}
    assert [g.impact for g in gaps] == sorted((g.impact for g in gaps), reverse=True)
    assert len(gaps) == MAX_GAPS
    assert "sharers" not in by_subject  # 0.7 points, below the five biggest
    assert all(g.category != "meetings" for g in gaps)  # already a loss
    critical = recs[0]
    assert critical.severity == "critical" and critical.detail["en"] == "1 affected"
    assert critical.actions[-1] == {"ko": "관리 콘솔에서 설정을 바꾸세요.",
                                    "en": "Change the setting in the Admin console."}
    for rec in recs:
        assert rec.modules and rec.actions
        for ref in rec.modules:
            assert module_title(ref, "ko") != ref.key and module_title(ref, "en") != ref.key


def test_without_a_coaching_session_there_are_no_gains_or_losses(engine):
    migrate(engine)
    with engine.begin() as conn:
        cid = add_client(conn, "solo", 8)
        run = add_run(conn, cid)
        add_scores(conn, cid, run, {"activation": 90.0, "security": 40.0, "overall": 65.0},
                   date=NEWEST - dt.timedelta(days=30))
        add_scores(conn, cid, run, {"activation": 40.0, "security": 41.0, "overall": 40.5})
    recs = recommendations(engine, cid)
    assert {r.kind for r in recs} == {"gap"}
    assert [r.category for r in recs] == ["activation", "security"]
    assert recs[0].impact == round((100 - 40) / 2, 1)  # two categories with a score


def test_category_weights_from_overall_inputs(engine):
    migrate(engine)
    with engine.begin() as conn:
        cid = add_client(conn, "weighted", 8)
        run = add_run(conn, cid)
        values = {"activation": 50.0, "meetings": 50.0}
        add_scores(conn, cid, run, {**values, "overall": 50.0}, inputs={
            "overall": {"categories": {"activation": {"value": 50.0, "weight": 1},
                                       "meetings": {"value": 50.0, "weight": 3}}},
            "activation": category_inputs(50.0), "meetings": category_inputs(50.0)})
    recs = recommendations(engine, cid)
    assert [(r.category, r.impact) for r in recs] == [("meetings", 37.5), ("activation", 12.5)]


def test_a_client_with_nothing_stored_gets_nothing(engine):
    migrate(engine)
    with engine.begin() as conn:
        cid = add_client(conn, "empty", 3)
    assert recommendations(engine, cid) == []
