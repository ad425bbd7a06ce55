"""Evidence rules against a collected store: an item is done exactly when the evidence exists,
with its date and proof; negative evidence flags; matching rules for every operator."""

from __future__ import annotations

import datetime as dt

import pytest

from workspace_coach.curriculum.evidence import (
    PACIFIC,
    Event,
    EvidenceStore,
    Figure,
    compare,
    evaluate_item,
)
from workspace_coach.curriculum.schema import Item
from workspace_coach.curriculum.tracks import load_track

TRACK = load_track("new-member")
ITEMS = {item.id: item for _, item in TRACK.items()}


def test_share_for_comment_is_done_exactly_when_the_share_happened(world):
    before, after = world.seen["before"], world.seen["shared"]
    start, end = world.moments.marks["share"]
    assert not before["share-for-comment"].done and before["share-for-comment"].count == 0
    done = after["share-for-comment"]
    assert done.done and done.count == 1
    assert start - dt.timedelta(seconds=1) <= done.done_at <= end + dt.timedelta(seconds=1)
    assert done.done_on == done.done_at.astimezone(PACIFIC).date()
    proof = done.proof
    assert (proof.application, proof.event) == ("drive", "change_user_access")
    assert dict(proof.params) == {"new_value": ["can_comment"]}
    assert "change_user_access" in proof.describe() and "can_comment" in proof.describe()
    # the Doc made just before: create-doc proven by the create event, not by the share
    created = after["create-doc"]
    assert created.done and created.proof.event == "create"
    assert created.done_at <= done.done_at
    assert not before["create-doc"].done
    # items the trainee never did stay not yet; the colleague (no activity) has nothing
    assert not after["meet-with-video"].done and not after["send-chat-message"].done


def test_not_before_the_evidence_even_with_everything_collected(world):
    from tests.curriculum.conftest import as_user  # noqa: F401 (same world, later store)
    from workspace_coach.curriculum.progress import evaluate_people
    from workspace_coach.storage.clients import client_by_slug

    with world.engine.connect() as conn:
        client = client_by_slug(conn, world.profile.name)
        start, _ = world.moments.marks["share"]
        early = evaluate_people(conn, client.id, TRACK, [world.trainee],
                                as_of=start - dt.timedelta(seconds=2))[0]
        late = evaluate_people(conn, client.id, TRACK, [world.trainee])[0]
        colleague = evaluate_people(conn, client.id, TRACK, [world.colleague])[0]
    status = {e.item.id: e.status for e in early.items}
    assert status["share-for-comment"] == "not_yet"
    assert {e.item.id: e.status for e in late.items}["share-for-comment"] == "done"
    assert {e.item.id: e.status for e in colleague.items}["share-for-comment"] == "not_yet"
    # window since start: a start after the share leaves it undone
    with world.engine.connect() as conn:
        later = evaluate_people(conn, client.id, TRACK, [world.trainee],
                                start=world.stages["shared"])[0]
    assert {e.item.id: e.status for e in later.items}["share-for-comment"] == "not_yet"


def test_public_link_after_done_flags_the_item(world):
    item = "share-with-people-not-links"
    shared, public = world.seen["shared"][item], world.seen["public"][item]
    assert shared.done and shared.flags == ()
    assert public.done and public.done_at == shared.done_at
    (flag,) = public.flags
    start, end = world.moments.marks["public"]
    assert flag.proof.event == "change_document_visibility"
    assert start - dt.timedelta(seconds=1) <= flag.proof.at <= end + dt.timedelta(seconds=1)
    assert flag.proof.at > public.done_at
    assert "링크" in flag.text.ko and "public link" in flag.text.en


def _event(minutes: int, app: str, name: str, **params) -> Event:
    return Event(dt.datetime(2025, 6, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes), app,
                 name, params, minutes)


def test_rules_conditions_min_count_and_latest():
    phone = ITEMS["join-from-phone"]
    store = EvidenceStore(1, collected_apps=frozenset({"meet", "drive", "login"}),
                          stored_parameters=frozenset({"accounts:is_2sv_enrolled"}))
    store.events["a@x"] = [
        _event(1, "meet", "call_ended", device_type="web", video_send_seconds=300),
        _event(2, "meet", "call_ended", device_type="ios", video_send_seconds=0),
        _event(3, "meet", "call_ended", device_type="android", video_send_seconds="42"),
    ]
    as_of = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    result = evaluate_item(phone, store, "a@x", as_of=as_of)
    assert result.done and result.proof.event_id == 3 and result.count == 1
    twice = Item.model_validate({**phone.model_dump(), "evidence": {
        **phone.evidence.model_dump(), "min_count": 2}})
    assert not evaluate_item(twice, store, "a@x", as_of=as_of).done
    # 2SV from usage, `latest` completion: done only while the newest report matches
    own = load_track("admin")
    own_2sv = {i.id: i for _, i in own.items()}["own-2sv"]
    days = [dt.date(2025, 6, 20) + dt.timedelta(days=i) for i in range(5)]
    flips = [False, True, True, False, True]
    store.figures["a@x"] = {"accounts:is_2sv_enrolled": [
        Figure(d, "accounts:is_2sv_enrolled", v) for d, v in zip(days, flips, strict=True)]}
    on_24 = dt.datetime(2025, 6, 25, 12, tzinfo=dt.UTC)
    done = evaluate_item(own_2sv, store, "a@x", as_of=on_24)
    assert done.done and done.done_on == days[4]
    # on 2025-06-23 (Pacific) the newest report says off: not done, though it was on before
    off = evaluate_item(own_2sv, store, "a@x", as_of=dt.datetime(2025, 6, 23, 20, tzinfo=dt.UTC))
    assert not off.done and off.count == 2
    run = evaluate_item(own_2sv, store, "a@x", as_of=dt.datetime(2025, 6, 22, 20, tzinfo=dt.UTC))
    assert run.done and run.done_on == days[1]  # the first day of the unbroken run
    # data the store does not hold: no_data, not "not yet"
    mail = ITEMS["send-first-email"]
    assert evaluate_item(mail, store, "a@x", as_of=as_of).no_data


@pytest.mark.parametrize(("actual", "op", "value", "expected"), [
    (["can_view", "can_comment"], "==", "can_comment", True),
    (["can_view"], "in", ["can_comment", "can_edit"], False),
    ("people_with_link", "in", ["people_with_link", "public_on_the_web"], True),
    ("web", "not in", ["android", "ios"], True),
    ("42", ">", 0, True),
    (0, ">", 0, False),
    ("true", "==", True, True),
    (True, "==", "true", True),
    (None, "!=", "x", True),
    (None, "==", "x", False),
    ("abc", ">", 3, False),
])
def test_compare(actual, op, value, expected):
    assert compare(actual, op, value) is expected
