"""The security and hygiene checks against two sandbox tenants built for them: a clean one
where every check passes, and a dirty one where every check fails, each made through the real
Admin SDK, Drive and Groups Settings calls (what a person does for themselves, such as turning
on 2SV or authorising an app, through the sandbox's user actions), then collected into SQLite
and PostgreSQL and evaluated."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import make_tenant
from tests.sandbox.activity_world import pin_clock, simulate
from workspace_coach.audit.checks import (
    CHECKS,
    OAUTH_APPS_PER_PERSON,
    PACIFIC,
    evaluate_checks,
    store_outcomes,
)
from workspace_coach.audit.collect import collect
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.session import GoogleSession
from workspace_coach.severity import SEVERITIES
from workspace_coach.storage import models as m

STRONG = "correct horse battery"


def act(sandbox, domain: str, email: str, action: str, **extra: Any) -> None:
    answer = requests.post(sandbox.url + "_sandbox/user-actions", timeout=10, json={
        "domain": domain, "email": email, "action": action, **extra})
    assert answer.status_code == 201, answer.text


def ago(**delta: float) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def add_user(directory, email: str, password: str = STRONG, **extra: Any) -> dict[str, Any]:
    return directory.users().insert(body={
        "primaryEmail": email, "name": {"givenName": "서연", "familyName": "이"},
        "password": password, **extra}).execute()


def begin(sandbox, out, label: str):
    """A tenant whose reports have a past: one simulated day long ago (before any check's window)
    so the usage reports of recent dates exist; everyone is created after it, so nothing about
    them is random."""
    profile = make_tenant(sandbox, out, f"{label}-{uuid.uuid4().hex[:8]}.example.kr")
    long_ago = (dt.date.today() - dt.timedelta(days=200)).isoformat()
    simulate(sandbox, profile.domain, days=1, until=long_ago, seed=3, profile="thriving")
    clients = GoogleClients(profile, scopes.PROVISION)
    return profile, clients.service("directory"), clients.service("drive"), \
        clients.service("groupssettings")


def new_drive(drive, name: str) -> dict[str, Any]:
    return drive.drives().create(requestId=uuid.uuid4().hex, body={"name": name}).execute()


def share(drive, item: str, **body: Any) -> dict[str, Any]:
    return drive.permissions().create(fileId=item, supportsAllDrives=True, body=body).execute()


def build_clean(sandbox, out):
    profile, directory, drive, _settings = begin(sandbox, out, "clean")
    d = profile.domain
    recovery = {"recoveryEmail": "owner@naver.com", "recoveryPhone": "+821012345678"}
    directory.users().patch(userKey=profile.admin, body=recovery).execute()
    people = [profile.admin]
    for name in ("boss1", "boss2"):
        add_user(directory, f"{name}@{d}", **recovery)
        directory.users().makeAdmin(userKey=f"{name}@{d}", body={"status": True}).execute()
        people.append(f"{name}@{d}")
    for name in ("staff1", "staff2", "staff3"):
        add_user(directory, f"{name}@{d}")
        people.append(f"{name}@{d}")
    for email in people:
        act(sandbox, d, email, "enroll_2sv")
        act(sandbox, d, email, "login")
    act(sandbox, d, f"staff1@{d}", "authorize_app", client_id="1-zoom.apps", app_name="Zoom",
        at=ago(days=2))
    group = directory.groups().insert(body={"email": f"team@{d}", "name": "팀"}).execute()
    directory.members().insert(groupKey=group["id"], body={"email": f"staff1@{d}"}).execute()
    team = new_drive(drive, "팀 드라이브")
    drive.drives().update(driveId=team["id"], useDomainAdminAccess=True,
                          body={"restrictions": {"domainUsersOnly": True}}).execute()
    share(drive, team["id"], type="user", role="organizer", emailAddress=f"boss1@{d}")
    share(drive, team["id"], type="user", role="writer", emailAddress=f"staff2@{d}")
    return profile


def build_dirty(sandbox, out):
    profile, directory, drive, settings = begin(sandbox, out, "dirty")
    d = profile.domain
    # five super admins (too many), one of them without 2SV, recovery info or a recent sign-in
    for name in ("boss1", "boss2", "boss3", "lax"):
        add_user(directory, f"{name}@{d}")
        directory.users().makeAdmin(userKey=f"{name}@{d}", body={"status": True}).execute()
    for email in (profile.admin, f"boss1@{d}", f"boss2@{d}", f"boss3@{d}"):
        act(sandbox, d, email, "enroll_2sv")
        act(sandbox, d, email, "login")
    act(sandbox, d, f"lax@{d}", "login", at=ago(days=40))
    add_user(directory, f"dormant45@{d}")
    act(sandbox, d, f"dormant45@{d}", "login", at=ago(days=45))
    add_user(directory, f"dormant120@{d}")
    act(sandbox, d, f"dormant120@{d}", "login", at=ago(days=120))
    add_user(directory, f"gone@{d}", suspended=True)
    add_user(directory, f"weak@{d}", password="password1")
    add_user(directory, f"legacy@{d}")
    act(sandbox, d, f"legacy@{d}", "allow_less_secure_apps")
    add_user(directory, f"appfan@{d}")
    for n in range(OAUTH_APPS_PER_PERSON + 1):
        act(sandbox, d, f"appfan@{d}", "authorize_app", client_id=f"{n}-app.apps",
            app_name=f"App {n}", at=ago(days=2))
    # a file opened to anyone with the link
    doc = drive.files().create(body={"name": "회원 명단",
                                     "mimeType": "application/vnd.google-apps.spreadsheet"}
                               ).execute()
    share(drive, doc["id"], type="anyone", role="reader")
    # a shared drive that lets files out, with an outside member
    out_drive = new_drive(drive, "외부 협력")
    share(drive, out_drive["id"], type="user", role="writer", emailAddress="partner@gmail.com")
    # a shared drive whose only organizer leaves the organisation
    add_user(directory, f"leaver@{d}")
    orphan = new_drive(drive, "고아 드라이브")
    share(drive, orphan["id"], type="user", role="organizer", emailAddress=f"leaver@{d}")
    mine = next(p for p in drive.permissions().list(
        fileId=orphan["id"], supportsAllDrives=True,
        fields="permissions(id,emailAddress)").execute()["permissions"]
        if p["emailAddress"] == profile.admin)
    drive.permissions().delete(fileId=orphan["id"], permissionId=mine["id"],
                               supportsAllDrives=True).execute()
    directory.users().delete(userKey=f"leaver@{d}").execute()
    # a group anyone can join, open to outside members
    group = directory.groups().insert(body={"email": f"open@{d}", "name": "열린 그룹"}).execute()
    settings.groups().patch(groupUniqueId=group["email"], body={
        "allowExternalMembers": "true", "whoCanJoin": "ANYONE_CAN_JOIN"}).execute()
    directory.members().insert(groupKey=group["id"],
                               body={"email": "friend@daum.net"}).execute()
    return profile


@pytest.fixture(scope="module")
def tenants(sandbox, tmp_path_factory):
    pin_clock(sandbox, None)  # API calls stamp events with the real time: keep reports on it
    root = tmp_path_factory.mktemp("checks")
    return {"clean": build_clean(sandbox, root / "clean"),
            "dirty": build_dirty(sandbox, root / "dirty")}


_RESULTS: dict[tuple[int, str], dict[str, Any]] = {}


def results(tenants, engine) -> dict[str, Any]:
    """Collect both tenants into `engine`'s database and evaluate (once per database kind and
    sandbox: the outcomes are plain values, reused by every check's test)."""
    key = (id(tenants), engine.dialect.name)
    if key not in _RESULTS:
        today = dt.datetime.now(PACIFIC).date()
        found: dict[str, Any] = {}
        for label, profile in tenants.items():
            report = collect(profile, engine, days=3,
                             session=GoogleSession(GoogleClients(profile, scopes.AUDIT)))
            with engine.begin() as conn:
                client_id = conn.execute(sa.select(m.Client.id).where(
                    m.Client.slug == profile.name)).scalar_one()
                outcomes = evaluate_checks(conn, client_id, today)
                stored = store_outcomes(conn, report.run_id, client_id, outcomes)
                rows = conn.execute(sa.select(m.CheckResult.__table__).where(
                    m.CheckResult.run_id == report.run_id)).all()
            found[label] = {"profile": profile, "outcomes": {o.check_id: o for o in outcomes},
                            "stored": stored, "rows": {r.check_id: r for r in rows}}
        _RESULTS[key] = found
    return _RESULTS[key]


def affected_ids(outcome) -> set[str]:
    return {a["id"] for a in outcome.affected}


#: What each check must name on the dirty tenant (local parts of addresses; drive/file names
#: are looked up by the test).
EXPECTED = {
    "super-admins-count": {"admin", "boss1", "boss2", "boss3", "lax"},
    "admins-without-2sv": {"lax"},
    "admins-without-recovery": {"admin", "boss1", "boss2", "boss3", "lax"},
    "inactive-users-30d": {"dormant45", "lax"},
    "inactive-users-90d": {"dormant120"},
    "inactive-admins": {"lax"},
    "suspended-users-licensed": {"gone"},
    "less-secure-apps-allowed": {"legacy"},
    "weak-passwords": {"weak"},
    "groups-open-to-external": {"open"},
}


@pytest.mark.parametrize("check_id", [c.id for c in CHECKS])
def test_each_check_fails_on_the_dirty_tenant_and_passes_on_the_clean_one(tenants, engine,
                                                                          check_id):
    found = results(tenants, engine)
    clean, dirty = found["clean"]["outcomes"][check_id], found["dirty"]["outcomes"][check_id]
    assert clean.status == "pass", (check_id, clean.affected)
    assert clean.affected == []
    assert dirty.status == "fail", check_id
    assert dirty.affected_count == len(dirty.affected) > 0
    assert all(a["type"] in ("user", "group", "drive", "app", "file") and a["id"]
               for a in dirty.affected)
    if check_id in EXPECTED:
        domain = found["dirty"]["profile"].domain
        named = {a["id"].split("@")[0] for a in dirty.affected
                 if a["id"].endswith("@" + domain)}
        assert named == EXPECTED[check_id], check_id


def test_what_the_affected_objects_say(tenants, engine):
    dirty = results(tenants, engine)["dirty"]
    outcomes, domain = dirty["outcomes"], dirty["profile"].domain
    supers = outcomes["super-admins-count"]
    assert supers.counts["super_admins"] == 5 and "at most 4" in supers.affected[0]["detail"]
    drives = {a["detail"].split(":")[0]: a for a in
              outcomes["shared-drive-external-sharing"].affected}
    assert set(drives) == {"외부 협력", "고아 드라이브"}  # the orphan allows outside sharing too
    assert "1 member(s) outside" in drives["외부 협력"]["detail"]
    assert "shared outside" in drives["외부 협력"]["detail"]
    orphan = outcomes["shared-drives-without-organizer"].affected
    assert [a["detail"].split(":")[0] for a in orphan] == ["고아 드라이브"]
    public = outcomes["files-public-by-link"].affected
    assert [a["type"] for a in public] == ["file"]
    assert "people_with_link" in public[0]["detail"] and f"admin@{domain}" in public[0]["detail"]
    apps = outcomes["many-oauth-apps"]
    assert {a["id"] for a in apps.affected if a["type"] == "user"} == {f"appfan@{domain}"}
    assert apps.counts["distinct_apps"] == OAUTH_APPS_PER_PERSON + 1
    assert outcomes["inactive-users-90d"].affected[0]["detail"].startswith("last sign-in")
    assert "external members allowed" in outcomes["groups-open-to-external"].affected[0][
        "detail"] and "1 external member(s)" in outcomes["groups-open-to-external"].affected[0][
        "detail"]
    # file names are never stored or shown
    assert not any("회원 명단" in a["detail"] for o in outcomes.values() for a in o.affected)


def test_outcomes_are_stored_one_row_per_check_with_details(tenants, engine):
    dirty = results(tenants, engine)["dirty"]
    rows = dirty["rows"]
    assert dirty["stored"] == len(CHECKS) == len(rows)
    for check in CHECKS:
        row = rows[check.id]
        outcome = dirty["outcomes"][check.id]
        assert (row.status, row.severity, row.reference) == (
            outcome.status, check.severity, check.reference)
        assert row.affected_count == len(row.affected) == outcome.affected_count
        assert row.affected == outcome.affected
        assert set(row.details) >= {"title", "why", "fix", "console_path"}
        assert row.details["title"] == check.title


def test_a_single_super_admin_is_too_few(sandbox, tmp_path, engine):
    pin_clock(sandbox, None)
    profile = make_tenant(sandbox, tmp_path / "lonely")
    collect(profile, engine, days=1, session=GoogleSession(GoogleClients(profile, scopes.AUDIT)))
    with engine.connect() as conn:
        outcomes = {o.check_id: o for o in evaluate_checks(conn, 1, dt.datetime.now(
            PACIFIC).date())}
    supers = outcomes["super-admins-count"]
    assert supers.status == "fail" and supers.counts["super_admins"] == 1
    assert supers.affected == [{"type": "user", "id": profile.admin,
                                "detail": "only 1 super admin(s); at least 2 needed"}]
    # nothing collected to judge: no groups, no shared drives, no usage yet
    for check_id in ("groups-open-to-external", "shared-drives-without-organizer",
                     "shared-drive-external-sharing", "weak-passwords",
                     "less-secure-apps-allowed", "users-without-2sv"):
        assert outcomes[check_id].status == "not_applicable", check_id


def test_a_figure_the_edition_does_not_report_is_not_available_never_a_pass(tenants, engine):
    """Reports that arrive without a check's figure (an edition that does not report it) make
    the check `not_available`, shown as such in both languages; it neither passes nor fails."""
    profile = tenants["clean"]
    collect(profile, engine, days=3, session=GoogleSession(GoogleClients(profile, scopes.AUDIT)))
    missing = ("accounts:password_strength", "accounts:is_less_secure_apps_access_allowed",
               "accounts:num_authorized_apps",
               "drive:num_owned_items_with_visibility_anyone_with_link_added")
    with engine.begin() as conn:
        client_id = conn.execute(sa.select(m.Client.id).where(
            m.Client.slug == profile.name)).scalar_one()
        conn.execute(sa.delete(m.UsageValue).where(m.UsageValue.client_id == client_id,
                                                   m.UsageValue.parameter.in_(missing)))
        outcomes = {o.check_id: o for o in evaluate_checks(
            conn, client_id, dt.datetime.now(PACIFIC).date())}
    for check_id in ("weak-passwords", "less-secure-apps-allowed"):
        assert outcomes[check_id].status == "not_available", check_id
    # the figures that did arrive still judge their checks
    assert outcomes["users-without-2sv"].status == "pass"
    from workspace_coach.severity import STATUS_LABELS

    assert STATUS_LABELS["not_available"]["ko"] and STATUS_LABELS["not_available"]["en"]


def test_every_check_is_defined_in_both_languages():
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    for check in CHECKS:
        assert check.severity in SEVERITIES
        assert check.reference.startswith(("CIS GWS ", "Google SMB checklist"))
        assert check.console_path.startswith("Admin console > ")
        for text in (check.title, check.why, check.fix):
            assert text["en"] and text["ko"]
            assert any("\uac00" <= ch <= "\ud7a3" for ch in text["ko"]), check.id
    assert next(c for c in CHECKS if c.id == "admins-without-2sv").severity == "critical"


def test_docs_list_every_check():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "checks.md").read_text(encoding="utf-8")
    for check in CHECKS:
        assert f"| `{check.id}` | {check.reference} | {check.severity} | {check.title['ko']} / "\
               f"{check.title['en']} |" in text, check.id
        assert check.console_path in text, check.id
