"""The scoring formulas on small hand-made counts, events and directories (no sandbox)."""

from __future__ import annotations

import datetime as dt

import pytest

from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS, CATEGORY_WEIGHTS
from workspace_coach.audit.indicators import (
    INDICATORS,
    Event,
    by_category,
    event_indicators,
    report_figures,
    usage_indicators,
)
from workspace_coach.audit.inputs import expand, is_compact
from workspace_coach.audit.score import is_workday, points, weighted_mean, window_scores
from workspace_coach.audit.teams import build_scopes, count_rows

SUN, MON, FRI, SAT = (dt.date(2025, 6, 15), dt.date(2025, 6, 16), dt.date(2025, 6, 13),
                      dt.date(2025, 6, 14))


def test_categories_labels_and_weights_cover_every_indicator():
    assert CATEGORIES[-1] == "overall" and set(CATEGORY_LABELS) == set(CATEGORIES)
    assert set(CATEGORY_WEIGHTS) == set(CATEGORIES[:-1])
    for category in CATEGORIES[:-1]:
        assert by_category(category), category
    for ind in INDICATORS:
        assert ind.ko and ind.en and 0 < ind.target <= 1 and ind.weight > 0
        assert any("\uac00" <= ch <= "\ud7a3" for ch in ind.ko), ind.id


def test_working_days_are_korean_weekdays_of_pacific_dates():
    # Pacific Sunday holds most of the Korean Monday; Pacific Friday is mostly Korean Saturday
    assert is_workday(SUN) and is_workday(MON)
    assert not is_workday(FRI) and not is_workday(SAT)
    assert [is_workday(SUN + dt.timedelta(days=i)) for i in range(7)] == [
        True, True, True, True, True, False, False]


def test_points_are_capped_and_means_skip_missing_values():
    assert points(0.15, 0.3) == 50.0 and points(0.9, 0.3) == 100.0 and points(None, 0.3) is None
    assert weighted_mean([(50.0, 1.0), (100.0, 3.0), (None, 5.0)]) == 87.5
    assert weighted_mean([(None, 1.0)]) is None


def test_window_share_sums_counts_over_working_days_only():
    org = ("org", "*")
    counts = {org: {
        "signed_in_28d": {SUN: (9, 10), MON: (6, 10), SAT: (0, 10)},
        "signed_in_today": {SUN: (4, 10), MON: (4, 10), SAT: (0, 10)},
    }}
    scores = window_scores(counts, {org: {"recovery_info": (3, 10)}}, [SAT, SUN, MON], [MON],
                           28)
    by = {s.category: s for s in scores}
    act = by["activation"]
    first, second = act.inputs["indicators"]
    # Saturday is left out: (9 + 6) / (10 + 10)
    assert (first["numerator"], first["denominator"], first["share"]) == (15, 20, 0.75)
    assert first["points"] == pytest.approx(100 * 0.75 / 0.98)
    assert (second["numerator"], second["share"]) == (8, 0.4)
    assert second["points"] == pytest.approx(100 * 0.4 / 0.9)
    expected = round((2 * first["points"] + 1 * second["points"]) / 3, 1)
    assert act.value == expected and act.inputs["days"] == 2 and act.inputs["people"] == 10
    # no counts at all: no value, but the indicators are listed with their targets
    assert by["meetings"].value is None
    assert all(i["denominator"] == 0 for i in by["meetings"].inputs["indicators"])
    # security has only the snapshot indicator: 3 of 10 against a target of 1.0
    assert by["security"].value == 30.0
    overall = by["overall"]
    cats = overall.inputs["categories"]
    assert cats["meetings"]["value"] is None and cats["security"]["weight"] == 1.5
    assert overall.value == round((act.value * 1.0 + 30.0 * 1.5) / 2.5, 1)


def test_window_is_rolling():
    org = ("org", "*")
    days = [SUN + dt.timedelta(days=7 * i) for i in range(3)]
    counts = {org: {"sent_mail": {d: (i * 5, 10) for i, d in enumerate(days)}}}
    scores = [s for s in window_scores(counts, {}, days, days, 7)
              if s.category == "communication"]
    shares = [expand(s.category, s.inputs)["indicators"][0]["share"] for s in scores]
    assert shares == [0.0, 0.5, 1.0]  # a 7-day window sees one Sunday each
    # the older points carry compact inputs, the newest the full ones a coach reads
    assert [is_compact(s.inputs) for s in scores] == [True, True, False]
    assert scores[0].inputs == {"v": 1, "n": [0, 0, 0], "d": [10, 0, 0], "people": 10,
                                "days": 1}


def test_usage_indicators_accept_old_names():
    report = {"entity": {"type": "USER", "userEmail": "a@x.kr"}, "parameters": [
        {"name": "accounts:last_login_time", "datetimeValue": "2025-06-16T02:00:00.000Z"},
        {"name": "gmail:num_emails_sent", "intValue": "3"},
        {"name": "accounts:is_2sv_enrolled", "boolValue": True},
        {"name": "accounts:num_authorized_apps", "intValue": "7"},
        {"name": "drive:num_items_created", "intValue": "0"},
    ]}
    met = usage_indicators(report_figures(report), MON)
    # 02:00 UTC on the 16th is the 15th in California: signed in within 28 days, not "today"
    assert met == {"signed_in_28d", "sent_mail", "two_step"}
    assert "signed_in_today" in usage_indicators(report_figures(report), SUN)


def _e(actor: str, app: str, name: str, day: dt.date = MON, **params) -> Event:
    return Event(actor, day, app, name, params)


def test_event_indicators_from_meet_drive_and_chat():
    events = [
        _e("a@x", "meet", "call_ended", conference_id="c1", device_type="web",
           video_send_seconds=10, calendar_event_id="e1"),
        _e("b@x", "meet", "call_ended", conference_id="c1", device_type="ios",
           screencast_send_seconds=5, day=SUN),
        _e("c@x", "meet", "call_ended", conference_id="c2", device_type="web"),
        _e("b@x", "meet", "call_ended", conference_id="c3", device_type="web"),
        _e("a@x", "drive", "edit", owner="b@x"),
        _e("b@x", "drive", "edit", owner="b@x"),
        _e("c@x", "drive", "create", owner="", owner_is_shared_drive=True,
           shared_drive_id="0A1"),
        _e("c@x", "drive", "change_document_visibility", new_value=["people_with_link"],
           day=SUN - dt.timedelta(days=20)),
        _e("a@x", "chat", "message_posted", room_id="dm"),
        _e("b@x", "chat", "message_posted", room_id="dm"),
        _e("a@x", "chat", "message_posted", room_id="space"),
        _e("b@x", "chat", "message_posted", room_id="space", day=SUN),
        _e("c@x", "chat", "message_posted", room_id="space", day=SUN - dt.timedelta(days=3)),
    ]
    got = event_indicators(events, [MON])[MON]
    assert got["scheduled_meeting"] == {"a@x"} and got["video_on"] == {"a@x"}
    assert got["met_others"] == {"a@x"}          # b met a on Sunday; c was alone
    assert "screen_shared" not in got and "mobile_meet" not in got  # b's were on Sunday
    assert got["multi_device_28d"] == {"b@x"}    # ios on Sunday, web on Monday
    assert got["edited_others"] == {"a@x"}       # b edited b's own file
    assert got["shared_drive_work"] == {"c@x"}
    assert got["no_public_links"] == {"c@x"}     # negative: the one who made a link
    assert got["space_posts"] == {"a@x"}         # "dm" has two people, "space" three
    later = SUN + dt.timedelta(days=9)
    assert "no_public_links" not in event_indicators(events, [later])[later]


def directory():
    people = [{"user_id": f"u{i}", "email": f"P{i}@x.kr", "org_unit_path": path,
               "suspended": i == 11, "archived": False}
              for i, path in enumerate(["/교육/초등"] * 3 + ["/교육"] * 3 + ["/행정"] * 3
                                       + ["/"] * 3)]
    groups = [{"group_id": "g1", "email": "Team@x.kr"}, {"group_id": "g2", "email": "b@x.kr"}]
    members = ([{"group_id": "g1", "email": f"p{i}@x.kr", "type": "USER"} for i in range(6)]
               + [{"group_id": "g1", "email": "other@x.kr", "type": "GROUP"}]
               + [{"group_id": "g2", "email": f"p{i}@x.kr", "type": "USER"} for i in (1, 2)])
    return people, groups, members


def test_scopes_nest_org_units_and_fold_small_ones():
    scopes = build_scopes(*directory(), min_size=4)
    # /교육/초등 and /행정 (3 each) are folded into org_unit/others; group b@ (2) is dropped,
    # as "others" of groups would have 2 people
    assert set(scopes.members) == {("org", "*"), ("org_unit", "/교육"), ("org_unit", "others"),
                                   ("group", "team@x.kr")}
    assert len(scopes.members[("org", "*")]) == 11          # the suspended one is not counted
    assert len(scopes.members[("org_unit", "/교육")]) == 6   # includes /교육/초등
    scopes = build_scopes(*directory(), min_size=3)
    assert ("org_unit", "/교육/초등") in scopes.members
    scopes = build_scopes(*directory(), min_size=5)
    assert scopes.members[("org_unit", "others")] == frozenset(
        f"p{i}@x.kr" for i in (0, 1, 2, 6, 7, 8))
    assert ("group", "others") not in scopes.members and ("group", "b@x.kr") not in scopes.members


def test_count_rows_respect_the_minimum_on_each_day():
    scopes = build_scopes(*directory(), min_size=5)
    met = {"p0@x.kr": {"sent_mail"}, "p3@x.kr": {"sent_mail", "two_step"}}
    everyone = [f"p{i}@x.kr" for i in range(11)]
    rows = count_rows(scopes, 1, MON, met, everyone, ["sent_mail", "two_step"])
    by = {(r["scope_type"], r["scope_key"], r["indicator"]): (r["count"], r["people"])
          for r in rows}
    assert by[("org", "*", "sent_mail")] == (2, 11)
    assert by[("org_unit", "/교육", "two_step")] == (1, 6)
    # a day with p0 and p1 absent leaves /교육, the group and "others" with four people each:
    # only the organisation (nine people) is written
    rows = count_rows(scopes, 1, MON, met, everyone[2:], ["sent_mail"])
    assert [(r["scope_type"], r["scope_key"], r["count"], r["people"]) for r in rows] == [
        ("org", "*", 1, 9)]
