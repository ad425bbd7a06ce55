"""activities.list through googleapiclient, and its agreement with the usage reports."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.activity_world import activities as fetch
from tests.sandbox.activity_world import (
    build_tenant,
    customer,
    param,
    pin_clock,
    reports,
    simulate,
    user_reports,
    values,
)
from tests.sandbox.schema import assert_matches_schema
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients

PACIFIC = ZoneInfo("America/Los_Angeles")
DAYS = ("2025-06-10", "2025-06-11", "2025-06-12", "2025-06-16")


def pacific_window(day: str) -> tuple[str, str]:
    start = datetime.fromisoformat(day).replace(tzinfo=PACIFIC)
    end = start + timedelta(days=1)
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    return (start.astimezone(UTC).strftime(fmt),
            (end.astimezone(UTC) - timedelta(milliseconds=1)).strftime(fmt))


@pytest.fixture(scope="module")
def world(sandbox, tmp_path_factory):
    pin_clock(sandbox)
    profile = build_tenant(sandbox, tmp_path_factory.mktemp("act"), "activity-rep.example.kr",
                           people=24)
    simulate(sandbox, profile.domain, days=21, seed=11, profile="thriving")
    yield profile, reports(profile)
    pin_clock(sandbox, None)


def test_drive_listing_has_googles_shape_newest_first(world):
    profile, service = world
    page = service.activities().list(userKey="all", applicationName="drive",
                                     maxResults=50).execute()
    assert_matches_schema("reports", "Activities", page)
    assert page["kind"] == "admin#reports#activities" and len(page["items"]) == 50
    times = [item["id"]["time"] for item in page["items"]]
    assert times == sorted(times, reverse=True)
    item = page["items"][0]
    assert item["kind"] == "admin#reports#activity"
    assert item["id"]["applicationName"] == "drive"
    assert int(item["id"]["uniqueQualifier"]) > 0
    assert item["actor"]["email"].endswith("@" + profile.domain)
    assert item["actor"]["profileId"].isdigit() and item["actor"]["callerType"] == "USER"
    assert item["ipAddress"]
    event = item["events"][0]
    assert event["type"] in ("access", "acl_change")
    assert param(event, "doc_id") and isinstance(param(event, "owner_is_shared_drive"), bool)


def test_paging_walks_everything_once(world):
    _, service = world
    start, end = pacific_window("2025-06-12")
    small = fetch(service, "login", startTime=start, endTime=end, maxResults=7)
    whole = fetch(service, "login", startTime=start, endTime=end)
    assert len(small) == len(whole) > 7
    assert [i["id"]["uniqueQualifier"] for i in small] == [
        i["id"]["uniqueQualifier"] for i in whole]
    assert len({i["id"]["uniqueQualifier"] for i in whole}) == len(whole)


def test_event_name_filters_and_time_window(world):
    _, service = world
    start, end = pacific_window("2025-06-11")
    creates = fetch(service, "drive", eventName="create", startTime=start, endTime=end)
    assert creates and all(i["events"][0]["name"] == "create" for i in creates)
    assert all(start <= i["id"]["time"] <= end for i in creates)
    docs = fetch(service, "drive", eventName="create", filters="doc_type==document")
    assert docs and all(param(i["events"][0], "doc_type") == "document" for i in docs)
    others = fetch(service, "drive", eventName="create", filters="doc_type<>document")
    assert others and all(param(i["events"][0], "doc_type") != "document" for i in others)
    every = fetch(service, "drive", eventName="create")
    assert len(docs) + len(others) == len(every)
    comment = fetch(service, "drive", eventName="change_user_access",
                    filters="new_value==can_comment")
    assert comment and all("can_comment" in param(i["events"][0], "new_value") for i in comment)
    long_calls = fetch(service, "meet", filters="duration_seconds>1800")
    assert long_calls and all(param(i["events"][0], "duration_seconds") > 1800
                              for i in long_calls)
    with pytest.raises(HttpError) as caught:
        service.activities().list(userKey="all", applicationName="drive",
                                  startTime=end, endTime=start).execute()
    assert caught.value.resp.status == 400


def test_one_user_and_org_unit(world):
    profile, service = world
    mine = fetch(service, "login", user=f"user05@{profile.domain}")
    assert mine and {i["actor"]["email"] for i in mine} == {f"user05@{profile.domain}"}
    directory = GoogleClients(profile, scopes.AUDIT).service("directory")
    ops = directory.orgunits().get(customerId="my_customer", orgUnitPath="ops").execute()
    scoped = fetch(service, "chat", orgUnitID=ops["orgUnitId"])
    odd = {f"user{i:02d}@{profile.domain}" for i in range(1, 23, 2)}
    assert scoped and {i["actor"]["email"] for i in scoped} <= odd


def test_every_simulated_application_is_listed(world):
    _, service = world
    names = {}
    for app in ("login", "drive", "meet", "calendar", "chat", "token"):
        items = fetch(service, app)
        assert items, app
        names[app] = Counter(i["events"][0]["name"] for i in items)
    assert {"login_success", "2sv_enroll"} <= set(names["login"])
    assert {"create", "edit", "view", "change_user_access"} <= set(names["drive"])
    assert set(names["meet"]) == {"call_ended"}
    assert "create_event" in names["calendar"] and "message_posted" in names["chat"]
    assert "authorize" in names["token"]
    token = fetch(service, "token", eventName="authorize")[0]["events"][0]
    assert token["type"] == "auth" and param(token, "client_id") and param(token, "scope")


def test_admin_events_come_from_real_mutations(sandbox, world):
    profile, service = world
    pin_clock(sandbox, None)
    try:
        directory = GoogleClients(profile, scopes.PROVISION).service("directory")
        directory.users().update(userKey=f"user07@{profile.domain}",
                                 body={"suspended": True}).execute()
        items = fetch(service, "admin", eventName="SUSPEND_USER")
    finally:
        pin_clock(sandbox)
    assert len(items) == 1
    event = items[0]["events"][0]
    assert event["type"] == "USER_SETTINGS"
    assert param(event, "USER_EMAIL") == f"user07@{profile.domain}"
    assert items[0]["actor"]["email"] == profile.admin and items[0]["actor"]["profileId"]


def test_usage_agrees_with_activities(world):
    _, service = world
    for day in DAYS:
        start, end = pacific_window(day)
        created: Counter[str] = Counter()
        viewed: Counter[str] = Counter()
        for item in fetch(service, "drive", startTime=start, endTime=end):
            name = item["events"][0]["name"]
            if name in ("create", "upload"):
                created[item["actor"]["email"]] += 1
            elif name == "view":
                viewed[item["actor"]["email"]] += 1
        logins = defaultdict(str)
        for item in fetch(service, "login", eventName="login_success", endTime=end):
            logins[item["actor"]["email"]] = max(logins[item["actor"]["email"]],
                                                 item["id"]["time"])
        usage = {r["entity"]["userEmail"]: values(r) for r in user_reports(service, day)}
        assert sum(created.values()) > 0
        for email, figures in usage.items():
            assert figures["drive:num_items_created"] == created[email], (day, email)
            assert figures["drive:num_items_viewed"] == viewed[email], (day, email)
            if email in logins:
                assert figures["accounts:timestamp_last_login"] == logins[email]
        calls = fetch(service, "meet", eventName="call_ended", startTime=start, endTime=end)
        totals = customer(service, day)
        assert totals["meet:num_calls"] == len(calls)
        assert totals["meet:num_meetings"] == len({param(c["events"][0], "conference_id")
                                                    for c in calls})
