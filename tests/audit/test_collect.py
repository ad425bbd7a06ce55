"""Collect against the sandbox's simulated tenants, through the real client libraries, into
SQLite and PostgreSQL: what a backfill stores, what a repeated collect (does not) fetch, partial
dates, drifted field names, consent and scopes."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import requests
import sqlalchemy as sa

from tests.sandbox.activity_world import LATEST, activities, pin_clock, reports, user_reports
from tests.sandbox.activity_world import values as typed
from workspace_coach.audit import collect as collect_module
from workspace_coach.audit.collect import collect, usage_rows
from workspace_coach.audit.fields import USER_PARAMETERS_FOR_CHECKS
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.session import GoogleSession
from workspace_coach.storage import models as m
from workspace_coach.timezones import PACIFIC

DAYS = 30
LATEST_DAY = dt.date.fromisoformat(LATEST)
FIRST_DAY = LATEST_DAY - dt.timedelta(days=DAYS - 1)
DAY = dt.date(2025, 6, 12)
USER_USAGE = "reports.userUsageReport.get"
CUSTOMER_USAGE = "reports.customerUsageReports.get"
ACTIVITIES = "reports.activities.list"


def session_for(profile):
    return GoogleSession(GoogleClients(profile, scopes.AUDIT))


def count(engine, model, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model).where(*where)
                            ).scalar_one()


def stored_values(engine, day: dt.date, entity_type: str) -> dict[tuple[str, str], object]:
    """{(entity key, parameter): the one value column that is set}."""
    u = m.UsageValue
    with engine.connect() as conn:
        rows = conn.execute(sa.select(u.entity_key, u.parameter, u.int_value, u.bool_value,
                                      u.datetime_value, u.string_value)
                            .where(u.date == day, u.entity_type == entity_type)).all()
    out = {}
    for key, parameter, *typed_values in rows:
        set_values = [v for v in typed_values if v is not None]
        assert len(set_values) == 1, (key, parameter)
        out[(key, parameter)] = set_values[0]
    return out


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive UTC, PostgreSQL an aware time in the session's zone."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def activity_window_start() -> str:
    start = dt.datetime.combine(FIRST_DAY, dt.time(), PACIFIC).astimezone(dt.UTC)
    return start.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_backfill_stores_every_date_once_with_one_call_per_date(world, engine):
    session = session_for(world)
    report = collect(world, engine, days=DAYS, session=session)

    assert report.window == (FIRST_DAY, LATEST_DAY) and report.latest_available == LATEST_DAY
    assert report.dates_fetched == [FIRST_DAY + dt.timedelta(days=i) for i in range(DAYS)]
    assert report.dates_partial == [LATEST_DAY] and report.dates_refetched == []
    # one call per date per page (24 people fit one page), plus one to learn the newest date
    assert report.calls[USER_USAGE] == DAYS
    assert report.calls[CUSTOMER_USAGE] == DAYS + 1
    service = reports(world)
    expected_events = {}
    for app in collect_module.ACTIVITY_APPS:
        items = activities(service, app, startTime=activity_window_start())
        expected_events[app] = sum(len(i["events"]) for i in items)
        assert report.events_seen[app] == len(items)
    pages = sum(max(1, math.ceil(n / 1000)) for n in report.events_seen.values())
    assert report.calls[ACTIVITIES] == pages
    assert all(method.startswith(("reports.", "directory.", "groupsSettings.groups.get",
                                  "drive.drives.list", "drive.permissions.list"))
               for method in report.calls)
    assert report.calls["groupsSettings.groups.get"] == 2          # one per group
    assert count(engine, m.GroupSettings) == 2

    # the directory snapshot
    assert report.new_snapshot
    assert count(engine, m.Person) == 24
    assert count(engine, m.Person, m.Person.is_admin) == 1
    assert count(engine, m.OrgUnit) == 2
    assert count(engine, m.Group) == 2 and count(engine, m.GroupMember) == 16
    # usage: the stored figures are Google's, typed
    figures = {(r["entity"]["profileId"], k): v
               for r in user_reports(service, DAY.isoformat()) for k, v in typed(r).items()}
    stored = stored_values(engine, DAY, "user")
    assert set(stored) == set(figures)
    for key, value in figures.items():
        if isinstance(stored[key], dt.datetime):
            assert utc(stored[key]) == dt.datetime.fromisoformat(value)
        else:
            assert stored[key] == value, key
    customer = stored_values(engine, DAY, "customer")
    assert customer[(next(iter(customer))[0], "accounts:num_users")] == 24
    # the partial date kept what Google gave (accounts) and nothing else
    partial = {p for _, p in stored_values(engine, LATEST_DAY, "user")}
    assert partial and all(p.startswith("accounts:") for p in partial)
    # activity events: every event once, metadata only
    for app, n in expected_events.items():
        assert count(engine, m.ActivityEvent, m.ActivityEvent.app == app) == n, app
    with engine.connect() as conn:
        keys = set()
        for params in conn.execute(sa.select(m.ActivityEvent.params)).scalars():
            keys |= set(params)
    assert keys and not keys & {"doc_title", "event_title", "room_name", "display_name",
                                "event_guest", "identifier"}
    # state: every date fetched, only the newest partial; one run recorded
    assert count(engine, m.CollectState, m.CollectState.kind == "user_usage") == DAYS
    with engine.connect() as conn:
        partial_dates = conn.execute(sa.select(m.CollectState.date).where(
            m.CollectState.partial)).scalars().all()
        run = conn.execute(sa.select(m.AuditRun.status, m.AuditRun.api_calls,
                                     m.AuditRun.rows_added)).one()
    assert set(partial_dates) == {LATEST_DAY}
    assert run == ("ok", report.total_calls, report.total_rows) and report.total_rows > 0


def test_second_collect_adds_nothing_and_fetches_only_the_partial_date(world, engine):
    collect(world, engine, days=DAYS, session=session_for(world))
    session = session_for(world)
    again = collect(world, engine, days=DAYS, session=session)

    assert again.total_rows == 0, again.rows_added
    assert not again.new_snapshot
    assert again.dates_fetched == again.dates_refetched == [LATEST_DAY]
    assert again.calls[USER_USAGE] == 1            # the partial date again
    assert again.calls[CUSTOMER_USAGE] == 2        # the newest-date probe and the partial date
    assert again.calls[ACTIVITIES] == len(collect_module.ACTIVITY_APPS)
    directory = {k: v for k, v in again.calls.items() if k.startswith("directory.")}
    assert directory == {"directory.users.list": 1, "directory.roles.list": 1,
                         "directory.roleAssignments.list": 1, "directory.orgunits.list": 1,
                         "directory.groups.list": 1, "directory.members.list": 2}
    assert session.counters.snapshot()[USER_USAGE].calls == 1
    assert count(engine, m.AuditRun) == 2


def test_partial_date_is_fetched_again_until_complete(world, engine, sandbox):
    first = collect(world, engine, days=DAYS, session=session_for(world))
    assert first.dates_partial == [LATEST_DAY]
    before = {p for _, p in stored_values(engine, LATEST_DAY, "user")}
    assert "gmail:num_emails_sent" not in before
    pin_clock(sandbox, "2025-06-21T03:00:00Z")     # a day later: 06-17 complete, 06-18 partial
    try:
        later = collect(world, engine, days=DAYS, session=session_for(world))
    finally:
        pin_clock(sandbox)
    next_day = LATEST_DAY + dt.timedelta(days=1)
    assert later.latest_available == next_day
    assert later.dates_fetched == [LATEST_DAY, next_day]
    assert later.dates_refetched == [LATEST_DAY]
    assert later.dates_partial == [next_day]
    assert later.calls[USER_USAGE] == 2
    after = {p for _, p in stored_values(engine, LATEST_DAY, "user")}
    assert {"gmail:num_emails_sent", "drive:num_items_created"} <= after
    with engine.connect() as conn:
        state = dict(conn.execute(sa.select(m.CollectState.date, m.CollectState.partial).where(
            m.CollectState.kind == "user_usage",
            m.CollectState.date >= LATEST_DAY)).all())
        fetches = conn.execute(sa.select(m.CollectState.fetches).where(
            m.CollectState.kind == "user_usage", m.CollectState.date == LATEST_DAY)).scalar()
    assert state == {LATEST_DAY: False, next_day: True}
    assert fetches == 2
    # and now that it is complete, a third collect leaves it alone
    third = collect(world, engine, days=DAYS, session=session_for(world))
    assert LATEST_DAY not in third.dates_fetched


def test_dates_not_yet_available_are_skipped_without_error(world, engine):
    report = collect(world, engine, since=LATEST_DAY + dt.timedelta(days=1),
                     session=session_for(world))
    assert report.dates_fetched == [] and USER_USAGE not in report.calls
    assert report.calls[CUSTOMER_USAGE] == 1
    # a "today" inside the lag: the probe date itself is refused, the newest date found
    report = collect(world, engine, days=2, today=dt.date(2025, 6, 18),
                     session=session_for(world))
    assert report.latest_available == LATEST_DAY
    assert report.dates_fetched == [LATEST_DAY - dt.timedelta(days=1), LATEST_DAY]


@pytest.fixture
def wording(sandbox):
    """Make the sandbox refuse too-late dates in one of Google's wordings, for one test."""
    def use(name: str) -> None:
        answer = requests.patch(sandbox.url + "_sandbox/config",
                                json={"late_date_wording": name}, timeout=10)
        assert answer.status_code == 200, answer.text
    yield use
    use("later_than")


@pytest.mark.parametrize("name", ["later_than", "start_date", "last_reported"])
def test_every_too_late_wording_finds_the_newest_date_without_error(world, engine, wording,
                                                                    name):
    wording(name)
    today = LATEST_DAY + dt.timedelta(days=2)  # Google's usual lag
    report = collect(world, engine, days=3, today=today, session=session_for(world))
    assert report.latest_available == LATEST_DAY
    assert report.dates_fetched == [LATEST_DAY - dt.timedelta(days=i) for i in (2, 1, 0)]
    # a date past the newest inside the window is skipped, whatever the words
    later = collect(world, engine, since=LATEST_DAY + dt.timedelta(days=1), today=today,
                    session=session_for(world))
    assert later.dates_fetched == [] and USER_USAGE not in later.calls
    # a wording without a date costs one probe per day stepped back
    assert later.calls[CUSTOMER_USAGE] == (3 if name == "last_reported" else 1)


def test_a_date_google_never_completes_is_not_fetched_forever(world, engine, sandbox):
    first = collect(world, engine, days=DAYS, session=session_for(world))
    assert first.dates_partial == [LATEST_DAY]
    with engine.begin() as conn:  # as if Google had left it partial for good
        conn.execute(sa.update(m.CollectState).where(
            m.CollectState.kind.in_(("user_usage", "customer_usage")),
            m.CollectState.date == LATEST_DAY - dt.timedelta(days=1)).values(partial=True))
    stale = LATEST_DAY + dt.timedelta(days=collect_module.PARTIAL_REFETCH_DAYS - 1)
    pin_clock(sandbox, f"{stale + dt.timedelta(days=3)}T03:00:00Z")  # newest date: `stale`
    try:
        later = collect(world, engine, days=DAYS, session=session_for(world))
    finally:
        pin_clock(sandbox)
    assert later.latest_available == stale
    # the newest partial date is still young enough to ask again; the one before is not
    assert LATEST_DAY in later.dates_refetched
    assert LATEST_DAY - dt.timedelta(days=1) not in later.dates_fetched
    assert later.dates_left_partial == [LATEST_DAY - dt.timedelta(days=1)]


def test_old_and_new_parameter_names_are_stored_under_one_name(world, engine):
    collect(world, engine, days=DAYS, session=session_for(world))
    service = reports(world)
    old = user_reports(service, DAY.isoformat(), parameters=(
        "accounts:last_login_time,accounts:creation_time,gmail:last_interaction_time,"
        "drive:last_active_usage_time"))
    assert {p["name"] for r in old for p in r["parameters"]} == {
        "accounts:last_login_time", "accounts:creation_time", "gmail:last_interaction_time",
        "drive:last_active_usage_time"}
    rows = usage_rows(old, client_id=1, day=DAY)
    assert {r["parameter"] for r in rows} == {
        "accounts:timestamp_last_login", "accounts:timestamp_creation",
        "gmail:timestamp_last_interaction", "drive:timestamp_last_active_usage"}
    stored = stored_values(engine, DAY, "user")
    for row in rows:
        assert utc(stored[(row["entity_key"], row["parameter"])]) == row["datetime_value"]
    # both names in one answer: one row
    both = user_reports(service, DAY.isoformat(),
                        parameters="accounts:last_login_time,accounts:timestamp_last_login")
    rows = usage_rows(both, client_id=1, day=DAY)
    assert len({(r["entity_key"], r["parameter"]) for r in rows}) == len(both)


def test_without_consent_only_the_checks_parameters_are_stored_per_person(world, engine):
    private = world.model_copy(update={"per_person_insights": False})
    report = collect(private, engine, days=DAYS, session=session_for(private))
    with engine.connect() as conn:
        per_person = set(conn.execute(sa.select(m.UsageValue.parameter).where(
            m.UsageValue.entity_type == "user").distinct()).scalars())
        customer = set(conn.execute(sa.select(m.UsageValue.parameter).where(
            m.UsageValue.entity_type == "customer").distinct()).scalars())
        consent = conn.execute(sa.select(m.Client.per_person_insights)).scalar_one()
    assert per_person <= USER_PARAMETERS_FOR_CHECKS
    assert {"accounts:is_2sv_enrolled", "accounts:timestamp_last_login",
            "accounts:num_authorized_apps",
            "drive:num_owned_items_with_visibility_anyone_with_link_added"} <= per_person
    assert "gmail:num_emails_sent" not in per_person
    assert {"gmail:num_emails_sent", "meet:num_meetings"} <= customer  # organisation level
    assert consent is False and report.calls[USER_USAGE] == DAYS


def test_only_read_only_scopes_are_asked_for(world, engine, monkeypatch):
    asked = []

    class Recording(GoogleClients):
        def __init__(self, profile, wanted):
            asked.append(tuple(wanted))
            super().__init__(profile, wanted)

    monkeypatch.setattr(collect_module, "GoogleClients", Recording)
    collect(world, engine, days=2)
    assert asked == [scopes.AUDIT]
    # Groups Settings has no read-only scope: the one exception, and it is only read with
    assert all(scope.endswith(".readonly") for scope in asked[0]
               if scope not in scopes.READ_WRITE_FOR_READING)
    assert scopes.READ_WRITE_FOR_READING == {"https://www.googleapis.com/auth/apps.groups.settings"}


def test_a_directory_change_takes_a_new_snapshot(world, engine, sandbox):
    collect(world, engine, days=2, session=session_for(world))
    directory = GoogleClients(world, scopes.PROVISION).service("directory")
    email = f"newcomer@{world.domain}"
    directory.users().insert(body={"primaryEmail": email, "name": {"givenName": "하늘",
                             "familyName": "김"}, "password": "correct horse battery"}
                             ).execute()
    try:
        report = collect(world, engine, days=2, session=session_for(world))
        assert report.new_snapshot and report.rows_added["people"] == 25
        with engine.connect() as conn:
            latest = conn.execute(sa.select(sa.func.max(m.DirectorySnapshot.id))).scalar_one()
            emails = set(conn.execute(sa.select(m.Person.email).where(
                m.Person.snapshot_id == latest)).scalars())
        assert email in emails
    finally:
        directory.users().delete(userKey=email).execute()


@pytest.mark.parametrize("bad", [{"days": 0}, {"days": 3, "since": DAY}])
def test_user_mistakes_are_user_errors(world, engine, bad):
    from workspace_coach.errors import UserError

    with pytest.raises(UserError):
        collect(world, engine, **bad)


def test_one_call_per_date_per_page(world, engine, monkeypatch):
    monkeypatch.setattr(collect_module, "USAGE_PAGE", 10)   # 24 people: three pages a date
    report = collect(world, engine, days=3, session=session_for(world))
    assert report.calls[USER_USAGE] == 3 * 3
    assert report.calls[CUSTOMER_USAGE] == 3 + 1
    assert count(engine, m.UsageValue, m.UsageValue.entity_type == "user",
                 m.UsageValue.parameter == "accounts:is_2sv_enrolled") == 24 * 3


def test_dates_before_the_data_begins_are_complete_and_empty(world, engine):
    report = collect(world, engine, days=45, session=session_for(world))
    assert len(report.dates_fetched) == 45 and report.dates_partial == [LATEST_DAY]
    empty = [d for d in report.dates_fetched if not stored_values(engine, d, "customer")]
    # the simulated past begins inside the window: the dates before it are empty, not partial
    assert empty and empty == report.dates_fetched[:len(empty)] and max(empty) <= FIRST_DAY
    again = collect(world, engine, days=45, session=session_for(world))
    assert again.dates_fetched == [LATEST_DAY] and again.total_rows == 0
