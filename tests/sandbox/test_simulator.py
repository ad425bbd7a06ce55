"""The activity simulator, observed only through the Reports API: determinism, incremental runs,
profiles that differ in every adoption dimension, coaching, holidays and teams."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
import requests
from typer.testing import CliRunner

from tests.sandbox.activity_world import activities as fetch
from tests.sandbox.activity_world import (
    build_tenant,
    by_person,
    coaching,
    customer,
    param,
    pin_clock,
    reports,
    simulate,
    user_reports,
)
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients

DATES = ("2025-06-02", "2025-06-09", "2025-06-12", "2025-06-16")


@pytest.fixture(scope="module", autouse=True)
def pinned(sandbox):
    pin_clock(sandbox)
    yield
    pin_clock(sandbox, None)


def figures(service, days=DATES):
    return {day: by_person(user_reports(service, day)) for day in days}


def stable(per_day):
    """Drop what legitimately differs between tenants (creation time and domain)."""
    return {day: {who: {k: v for k, v in f.items()
                        if k not in ("accounts:timestamp_creation", "accounts:domain_name")}
                  for who, f in people.items()} for day, people in per_day.items()}


def test_same_seed_same_people_same_figures(sandbox, tmp_path):
    a = build_tenant(sandbox, tmp_path / "a", "same-a.example.kr", people=20)
    b = build_tenant(sandbox, tmp_path / "b", "same-b.example.kr", people=20)
    c = build_tenant(sandbox, tmp_path / "c", "same-c.example.kr", people=20)
    for profile, seed in ((a, 5), (b, 5), (c, 6)):
        simulate(sandbox, profile.domain, days=25, seed=seed)
    fa, fb, fc = (stable(figures(reports(p))) for p in (a, b, c))
    assert fa == fb
    assert fa != fc
    assert customer(reports(a), "2025-06-12") == customer(reports(b), "2025-06-12")


def test_incremental_runs_append_and_never_duplicate(sandbox, tmp_path):
    step = build_tenant(sandbox, tmp_path / "s", "step.example.kr", people=16)
    once = build_tenant(sandbox, tmp_path / "o", "once.example.kr", people=16)
    first = simulate(sandbox, step.domain, days=10, until="2025-06-09", seed=2)
    second = simulate(sandbox, step.domain, days=10, until="2025-06-19", seed=2)
    whole = simulate(sandbox, once.domain, days=20, until="2025-06-19", seed=2)
    assert first["days_simulated"][0] == "2025-05-31" and len(second["days_simulated"]) == 10
    assert first["events_written"] + second["events_written"] == whole["events_written"]
    again = simulate(sandbox, step.domain, days=20, until="2025-06-19", seed=2)
    assert again["events_written"] == 0 and len(again["days_skipped"]) == 20
    service_step, service_once = reports(step), reports(once)
    for app in ("drive", "login", "chat"):
        items = fetch(service_step, app)
        keys = [i["id"]["uniqueQualifier"] for i in items]
        assert len(keys) == len(set(keys))
        assert len(items) == len(fetch(service_once, app))
    days = ("2025-06-01", "2025-06-08", "2025-06-15")
    assert stable(figures(service_step, days)) == stable(figures(service_once, days))


def totals(service, days):
    """Adoption figures of a tenant summed over `days`, per person."""
    out: Counter[str] = Counter()
    for day in days:
        for f in by_person(user_reports(service, day)).values():
            out["emails_sent"] += f["gmail:num_emails_sent"]
            out["items_created"] += f["drive:num_items_created"]
            out["shared_internally"] += f[
                "drive:num_owned_items_with_visibility_shared_internally_added"]
            out["commented"] += f["drive:num_items_commented"]
        c = customer(service, day)
        out["logins"] += c["accounts:num_1day_logins"]
        out["chat_messages"] += c["chat:num_1day_messages_posted"]
    last = by_person(user_reports(service, days[-1]))
    out["twosv"] = sum(f["accounts:is_2sv_enrolled"] for f in last.values())
    calls = fetch(service, "meet")
    out["calls"] = len(calls)
    out["video_calls"] = sum(param(c["events"][0], "video_send_seconds") > 0 for c in calls)
    out["phone_calls"] = sum(param(c["events"][0], "device_type") in ("android", "ios")
                             for c in calls)
    out["phone_logins"] = sum(i["ipAddress"].startswith("223.")
                              for i in fetch(service, "login", eventName="login_success"))
    return out


def test_thriving_and_struggling_differ_on_every_dimension(sandbox, tmp_path):
    good = build_tenant(sandbox, tmp_path / "g", "thrive.example.kr", people=30)
    bad = build_tenant(sandbox, tmp_path / "b", "struggle.example.kr", people=30)
    simulate(sandbox, good.domain, days=30, seed=4, profile="thriving")
    simulate(sandbox, bad.domain, days=30, seed=4, profile="struggling")
    days = [(date(2025, 6, 16) - timedelta(days=n)).isoformat() for n in range(0, 21, 3)]
    g, b = totals(reports(good), days), totals(reports(bad), days)
    for dimension in ("emails_sent", "items_created", "shared_internally",
                      "commented", "calls", "video_calls", "chat_messages", "twosv",
                      "phone_calls", "phone_logins"):
        assert g[dimension] > b[dimension] * 1.3, (dimension, g[dimension], b[dimension])
    # email-only and reluctant people still log in: logins separate the profiles least
    assert g["logins"] > b["logins"] * 1.15, (g["logins"], b["logins"])
    assert g["video_calls"] / g["calls"] > b["video_calls"] / max(1, b["calls"])
    struggling_users = by_person(user_reports(reports(bad), days[0]))
    never = [who for who, f in struggling_users.items()
             if f["accounts:timestamp_last_login"] == "1970-01-01T00:00:00.000Z"]
    assert len(never) == 3  # 10 % of 30 people never logged in


def test_coaching_lifts_adoption_after_the_session(sandbox, tmp_path):
    plain = build_tenant(sandbox, tmp_path / "p", "plain.example.kr", people=20)
    coached = build_tenant(sandbox, tmp_path / "c", "coached.example.kr", people=20)
    coaching(sandbox, coached.domain, "2025-06-02")
    for profile in (plain, coached):
        simulate(sandbox, profile.domain, days=40, seed=9, profile="struggling")
    before = ("2025-05-20", "2025-05-26")
    assert stable(figures(reports(plain), before)) == stable(figures(reports(coached), before))
    after = [(date(2025, 6, 3) + timedelta(days=n)).isoformat() for n in range(14)]
    p, c = totals(reports(plain), after), totals(reports(coached), after)
    for dimension in ("items_created", "chat_messages", "twosv", "calls"):
        assert c[dimension] > p[dimension], (dimension, c[dimension], p[dimension])


def test_korean_holidays_and_weekends_are_quiet(sandbox, tmp_path):
    profile = build_tenant(sandbox, tmp_path / "h", "holiday.example.kr", people=20)
    simulate(sandbox, profile.domain, days=14, until="2025-06-08", seed=1, profile="thriving")
    service = reports(profile)

    def logins_on_korean_day(day: str) -> int:
        # a Korean day runs from 15:00 UTC the day before to 15:00 UTC
        start = date.fromisoformat(day) - timedelta(days=1)
        return len(fetch(service, "login", eventName="login_success",
                         startTime=f"{start.isoformat()}T15:00:00Z",
                         endTime=f"{day}T14:59:59Z"))

    workday = logins_on_korean_day("2025-06-05")        # Thursday
    for quiet in ("2025-06-03", "2025-06-06", "2025-06-07"):  # election, Memorial Day, Saturday
        assert logins_on_korean_day(quiet) * 3 < workday, quiet


def test_people_meet_and_share_within_their_teams(sandbox, tmp_path):
    profile = build_tenant(sandbox, tmp_path / "t", "teams.example.kr", people=24)
    simulate(sandbox, profile.domain, days=10, seed=3, profile="thriving")
    directory = GoogleClients(profile, scopes.AUDIT).service("directory")
    team: dict[str, set[str]] = {}
    for user in directory.users().list(customer="my_customer").execute()["users"]:
        team.setdefault(user["primaryEmail"], set()).add(user["orgUnitPath"])
    for group in directory.groups().list(customer="my_customer").execute()["groups"]:
        for m in directory.members().list(groupKey=group["id"]).execute().get("members", []):
            team[m["email"]].add(group["email"])
    service = reports(profile)
    calls = fetch(service, "meet")
    together = [(i["actor"]["email"], param(i["events"][0], "organizer_email")) for i in calls]
    guests = [(who, host) for who, host in together if who != host]
    assert guests and all(team[who] & team[host] for who, host in guests)
    shares = fetch(service, "drive", eventName="change_user_access")
    internal = [(i["actor"]["email"], param(i["events"][0], "target_user")) for i in shares
                if param(i["events"][0], "visibility_change") == "internal"]
    assert internal and all(team[a] & team[b] for a, b in internal)


def test_simulate_command_shows_progress_and_reports(sandbox, tmp_path):
    from workspace_coach.cli.main import app

    profile = build_tenant(sandbox, tmp_path / "cli", "cli-sim.example.kr", people=8,
                           teams=False)
    result = CliRunner().invoke(app, [
        "sandbox", "simulate", "--connection", str(tmp_path / "cli" / "connection.yaml"),
        "--days", "12", "--seed", "1", "--profile", "thriving"])
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "12/12 days" in output and "2025-06-08 .. 2025-06-19 (Korean days)" in output
    state = requests.get(sandbox.url + "_sandbox/coaching-sessions",
                         params={"domain": profile.domain}, timeout=10).json()
    assert state == {"sessions": []}
    logins = fetch(reports(profile), "login", eventName="login_success")
    assert logins and min(i["id"]["time"] for i in logins) >= "2025-06-07T15:00:00.000Z"
    rerun = CliRunner().invoke(app, [
        "sandbox", "simulate", "--connection", str(tmp_path / "cli" / "connection.yaml"),
        "--days", "12", "--seed", "1"])
    assert rerun.exit_code == 0
    assert "0 events written, 12 day(s) already simulated" in " ".join(rerun.output.split())
