"""Usage reports through googleapiclient: lag, warnings, typed parameters, paging, filters."""

from __future__ import annotations

from datetime import datetime

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.activity_world import (
    LATEST,
    UNTIL,
    build_tenant,
    customer,
    pin_clock,
    reports,
    simulate,
    user_reports,
    values,
)
from tests.sandbox.schema import assert_matches_schema
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients

DAY = "2025-06-12"   # a Thursday, well inside the simulated month


@pytest.fixture(scope="module")
def world(sandbox, tmp_path_factory):
    pin_clock(sandbox)
    profile = build_tenant(sandbox, tmp_path_factory.mktemp("usage"), "usage-rep.example.kr",
                           people=25)
    result = simulate(sandbox, profile.domain, days=30, seed=3, profile="mixed")
    assert result["days_simulated"][-1] == UNTIL
    yield profile, reports(profile)
    pin_clock(sandbox, None)


def error(exc: HttpError) -> tuple[int, str, str]:
    return exc.resp.status, exc.error_details[0]["reason"], exc.error_details[0]["message"]


def test_dates_after_the_lag_are_refused_with_googles_message(world):
    _, service = world
    with pytest.raises(HttpError) as caught:
        service.userUsageReport().get(userKey="all", date="2025-06-18").execute()
    assert error(caught.value) == (
        400, "invalid",
        f"Data for dates later than {LATEST} is not yet available. Please check back later")
    with pytest.raises(HttpError) as caught:
        service.customerUsageReports().get(date="2025-06-19").execute()
    assert caught.value.resp.status == 400


def test_newest_date_is_partial_with_warnings(world):
    _, service = world
    page = service.userUsageReport().get(userKey="all", date=LATEST).execute()
    assert_matches_schema("reports", "UsageReports", page)
    warned = sorted(w["data"][0]["value"] for w in page["warnings"])
    assert warned == ["chat", "drive", "gmail"]
    for warning in page["warnings"]:
        assert warning["code"] == "PARTIAL_DATA_AVAILABLE"
        assert warning["data"][0]["key"] == "application"
        assert warning["message"].startswith(f"Data for date {LATEST} for application ")
    names = {p["name"] for r in page["usageReports"] for p in r["parameters"]}
    assert "accounts:is_2sv_enrolled" in names
    assert not any(n.startswith(("gmail:", "drive:", "chat:")) for n in names)
    # a day earlier the data is complete
    older = service.userUsageReport().get(userKey="all", date="2025-06-16").execute()
    assert "warnings" not in older


def test_dates_before_the_data_begins_say_so(world):
    _, service = world
    page = service.userUsageReport().get(userKey="all", date="2025-01-02",
                                         parameters="gmail:num_emails_sent").execute()
    assert "usageReports" not in page
    assert page["warnings"] == [{
        "code": "DATA_NOT_AVAILABLE",
        "message": 'Sorry, data for date 2025-01-02 for application "gmail" is not available.',
        "data": [{"key": "application", "value": "gmail"}]}]


def test_parameters_are_typed_like_google(world):
    _, service = world
    page = service.userUsageReport().get(userKey="all", date=DAY).execute()
    assert_matches_schema("reports", "UsageReports", page)
    report = page["usageReports"][0]
    assert report["kind"] == "admin#reports#usageReport" and report["date"] == DAY
    assert set(report["entity"]) == {"customerId", "userEmail", "profileId", "type"}
    assert report["entity"]["type"] == "USER"
    typed = {p["name"]: p for p in report["parameters"]}
    assert set(typed["accounts:is_2sv_enrolled"]) == {"name", "boolValue"}
    assert set(typed["gmail:num_emails_received"]) == {"name", "intValue"}
    assert typed["gmail:num_emails_received"]["intValue"].isdigit()
    assert set(typed["accounts:first_name"]) == {"name", "stringValue"}
    stamp = typed["accounts:timestamp_last_login"]["datetimeValue"]
    datetime.fromisoformat(stamp)
    assert {n.split(":")[0] for n in typed} == {"accounts", "gmail", "drive", "chat"}


def test_paging_covers_every_user_once_in_address_order(world):
    profile, service = world
    first = service.userUsageReport().get(userKey="all", date=DAY, maxResults=7,
                                          parameters="gmail:num_emails_sent").execute()
    assert len(first["usageReports"]) == 7 and first["nextPageToken"]
    pages = user_reports(service, DAY, maxResults=7, parameters="gmail:num_emails_sent")
    emails = [r["entity"]["userEmail"] for r in pages]
    assert len(emails) == 25 == len(set(emails))
    assert emails == sorted(emails)
    assert f"admin@{profile.domain}" in emails
    whole = user_reports(service, DAY, parameters="gmail:num_emails_sent")
    assert [values(r) for r in whole] == [values(r) for r in pages]


def test_parameters_select_and_old_names_still_answer(world):
    _, service = world
    page = service.userUsageReport().get(
        userKey="all", date=DAY,
        parameters="accounts:is_2sv_enrolled,gmail:num_emails_sent,classroom:num_posts_created"
    ).execute()
    for report in page["usageReports"]:
        assert [p["name"] for p in report["parameters"]] == [
            "accounts:is_2sv_enrolled", "gmail:num_emails_sent"]
    both = user_reports(service, DAY,
                        parameters="accounts:last_login_time,accounts:timestamp_last_login")
    for report in both:
        figures = values(report)
        assert figures["accounts:last_login_time"] == figures["accounts:timestamp_last_login"]
    with pytest.raises(HttpError) as caught:
        service.userUsageReport().get(userKey="all", date=DAY, parameters="gmail:num emails").execute()
    assert caught.value.resp.status == 400


def test_filters_keep_only_matching_users(world):
    _, service = world
    everyone = {r["entity"]["userEmail"]: values(r) for r in user_reports(service, DAY)}
    apps = user_reports(service, DAY, filters="accounts:num_authorized_apps>0",
                        parameters="accounts:num_authorized_apps")
    expected = {e for e, f in everyone.items() if f["accounts:num_authorized_apps"] > 0}
    assert {r["entity"]["userEmail"] for r in apps} == expected
    busy = user_reports(service, DAY, filters="gmail:num_emails_sent>=5,accounts:is_2sv_enrolled"
                        "==true")
    expected = {e for e, f in everyone.items()
                if f["gmail:num_emails_sent"] >= 5 and f["accounts:is_2sv_enrolled"]}
    assert {r["entity"]["userEmail"] for r in busy} == expected
    assert 0 < len(expected) < len(everyone)
    quiet = user_reports(service, DAY, filters="drive:num_items_viewed==0")
    assert {r["entity"]["userEmail"] for r in quiet} == {
        e for e, f in everyone.items() if f["drive:num_items_viewed"] == 0}


def test_one_user_and_org_unit_scopes(world):
    profile, service = world
    one = service.userUsageReport().get(userKey=f"user03@{profile.domain}", date=DAY).execute()
    assert [r["entity"]["userEmail"] for r in one["usageReports"]] == [
        f"user03@{profile.domain}"]
    directory = GoogleClients(profile, scopes.AUDIT).service("directory")
    sales = directory.orgunits().get(customerId="my_customer", orgUnitPath="sales").execute()
    scoped = user_reports(service, DAY, orgUnitID=sales["orgUnitId"])
    emails = {r["entity"]["userEmail"] for r in scoped}
    assert emails == {f"user{i:02d}@{profile.domain}" for i in range(0, 24, 2)}
    with pytest.raises(HttpError) as caught:
        service.userUsageReport().get(userKey=f"nobody@{profile.domain}", date=DAY).execute()
    assert caught.value.resp.status == 404


def test_customer_report_adds_up_the_users(world):
    _, service = world
    page = service.customerUsageReports().get(date=DAY).execute()
    assert_matches_schema("reports", "UsageReports", page)
    assert page["usageReports"][0]["entity"]["type"] == "CUSTOMER"
    totals = customer(service, DAY)
    users = [values(r) for r in user_reports(service, DAY)]
    assert totals["accounts:num_users"] == 25
    for name in ("gmail:num_emails_sent", "gmail:num_emails_received", "drive:num_items_created",
                 "drive:num_items_viewed"):
        assert totals[name] == sum(u[name] for u in users), name
    assert totals["accounts:num_users_2sv_enrolled"] == sum(
        u["accounts:is_2sv_enrolled"] for u in users)
    assert totals["drive:num_creators"] == sum(u["drive:num_items_created"] > 0 for u in users)
    assert {n.split(":")[0] for n in totals} == {"accounts", "gmail", "drive", "chat", "meet",
                                                  "calendar"}
    assert 0 < totals["accounts:num_1day_logins"] <= totals["accounts:num_7day_logins"] <= \
        totals["accounts:num_30day_logins"] <= 25
    only = customer(service, DAY, parameters="meet:num_meetings,calendar:num_7day_active_users")
    assert set(only) == {"meet:num_meetings", "calendar:num_7day_active_users"}
