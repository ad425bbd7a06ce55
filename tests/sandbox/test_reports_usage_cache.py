"""Usage reports are remembered per date, and forgotten when what they are made of changes:
events of that date or earlier (history such as the last login reaches back), or the directory.
Read through googleapiclient, before and after each change."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from tests.sandbox.activity_world import (
    LATEST,
    build_tenant,
    customer,
    pin_clock,
    reports,
    simulate,
    user_reports,
    values,
)
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.sandbox import events, tenants
from workspace_coach.timezones import PACIFIC

DAY = "2025-06-12"


@pytest.fixture(scope="module")
def world(sandbox, tmp_path_factory):
    pin_clock(sandbox)
    profile = build_tenant(sandbox, tmp_path_factory.mktemp("cache"), "usage-cache.example.kr",
                           people=6, teams=False)
    simulate(sandbox, profile.domain, days=10, seed=5, profile="thriving")
    tenant_id = tenants.find_by_domain(sandbox.app.store, profile.domain)["id"]
    yield profile, reports(profile), tenant_id
    pin_clock(sandbox, None)


def _created(service, email: str, day: str = DAY) -> int:
    rows = user_reports(service, day, parameters="drive:num_items_created")
    return next(values(r)["drive:num_items_created"] for r in rows
                if r["entity"]["userEmail"] == email)


def _create_doc(sandbox, tenant_id: str, email: str, user_id: str, day: str, n: int) -> None:
    moment = datetime.combine(datetime.fromisoformat(day).date(), time(10), PACIFIC)
    events.record(sandbox.app.store, tenant_id, "drive", email, "create", "create",
                  {"doc_id": f"cache-{n}", "doc_type": "document"},
                  when=moment, actor_id=user_id, unique_key=f"cache-{day}-{n}")


def test_events_of_the_date_change_its_report_later_ones_do_not(sandbox, world):
    profile, service, tenant_id = world
    email = f"user00@{profile.domain}"
    user_id = GoogleClients(profile, scopes.PROVISION).service("directory").users().get(
        userKey=email).execute()["id"]
    before = _created(service, email)
    assert _created(service, email) == before  # asked again: the same answer
    _create_doc(sandbox, tenant_id, email, user_id, DAY, 1)
    assert _created(service, email) == before + 1
    next_day = (datetime.fromisoformat(DAY) + timedelta(days=1)).date().isoformat()
    next_before = _created(service, email, next_day)
    _create_doc(sandbox, tenant_id, email, user_id, next_day, 2)
    assert _created(service, email) == before + 1
    assert _created(service, email, next_day) == next_before + 1


def test_an_earlier_login_changes_a_later_report(sandbox, world):
    profile, service, tenant_id = world
    email = f"user01@{profile.domain}"
    directory = GoogleClients(profile, scopes.PROVISION).service("directory")
    user_id = directory.users().get(userKey=email).execute()["id"]

    def last_login() -> str:
        rows = user_reports(service, LATEST, parameters="accounts:timestamp_last_login")
        return next(values(r)["accounts:timestamp_last_login"] for r in rows
                    if r["entity"]["userEmail"] == email)

    first = last_login()
    moment = datetime.combine(datetime.fromisoformat(LATEST).date(), time(23, 30), PACIFIC)
    events.record(sandbox.app.store, tenant_id, "login", email, "login", "login_success",
                  {"login_type": "google_password"}, when=moment, actor_id=user_id,
                  unique_key="cache-login")
    assert last_login() != first
    assert last_login().startswith(events.rfc3339(moment)[:19])


def test_a_directory_change_reaches_cached_reports(world):
    profile, service, _ = world
    email = f"user02@{profile.domain}"
    directory = GoogleClients(profile, scopes.PROVISION).service("directory")
    before = customer(service, DAY, parameters="accounts:num_suspended_users")
    rows = user_reports(service, DAY, parameters="accounts:is_suspended")
    assert not next(values(r)["accounts:is_suspended"] for r in rows
                    if r["entity"]["userEmail"] == email)
    directory.users().update(userKey=email, body={"suspended": True}).execute()
    after = customer(service, DAY, parameters="accounts:num_suspended_users")
    assert after["accounts:num_suspended_users"] == before["accounts:num_suspended_users"] + 1
    rows = user_reports(service, DAY, parameters="accounts:is_suspended")
    assert next(values(r)["accounts:is_suspended"] for r in rows
                if r["entity"]["userEmail"] == email)
