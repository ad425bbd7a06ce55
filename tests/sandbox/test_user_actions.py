"""What people do for themselves (sign in, 2SV, app grants, less secure apps), password strength
and deleted organizers, as the Directory, Reports and Drive APIs show them."""

from __future__ import annotations

import datetime as dt
import uuid

import requests

from tests.sandbox.activity_world import activities, param, pin_clock, reports, simulate, values
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients


def act(sandbox, domain: str, **body) -> requests.Response:
    return requests.post(sandbox.url + "_sandbox/user-actions", timeout=10,
                         json={"domain": domain, **body})


def newest_usage(sandbox, profile, email: str) -> dict:
    """The user's figures on the newest date the usage report has (two Pacific days ago)."""
    day = requests.get(sandbox.url + "_sandbox/clock", timeout=10).json()[
        "latest_usage_report_date"]
    page = reports(profile).userUsageReport().get(userKey=email, date=day).execute()
    return values(page["usageReports"][0])


def test_user_actions_show_in_directory_reports_and_activities(sandbox, tenant, directory):
    pin_clock(sandbox, None)
    long_ago = (dt.date.today() - dt.timedelta(days=200)).isoformat()
    simulate(sandbox, tenant.domain, days=1, until=long_ago)   # reports exist from then on
    email = f"minji@{tenant.domain}"
    directory.users().insert(body={"primaryEmail": email, "password": "password1",
                                   "name": {"givenName": "민지", "familyName": "김"}}).execute()
    strong = f"jun@{tenant.domain}"
    directory.users().insert(body={"primaryEmail": strong, "password": "correct horse battery",
                                   "name": {"givenName": "준", "familyName": "박"}}).execute()
    login_at = (dt.datetime.now(dt.UTC) - dt.timedelta(days=45)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for body in ({"action": "login", "at": login_at}, {"action": "enroll_2sv"},
                 {"action": "authorize_app", "client_id": "9-notion.apps", "app_name": "Notion",
                  "at": login_at},
                 {"action": "allow_less_secure_apps"}):
        answer = act(sandbox, tenant.domain, email=email, **body)
        assert answer.status_code == 201, answer.text

    user = directory.users().get(userKey=email).execute()
    assert user["lastLoginTime"].startswith(login_at[:19]) and user["isEnrolledIn2Sv"] is True
    service = reports(tenant)
    logins = activities(service, "login", user=email)
    assert {e["name"] for i in logins for e in i["events"]} == {"login_success", "2sv_enroll"}
    grants = activities(service, "token", user=email, startTime=login_at)
    assert [param(e, "app_name") for i in grants for e in i["events"]] == ["Notion"]
    figures = newest_usage(sandbox, tenant, email)
    assert figures["accounts:is_less_secure_apps_access_allowed"] is True
    assert figures["accounts:password_strength"] == "WEAK"
    assert figures["accounts:num_authorized_apps"] == 1
    other = newest_usage(sandbox, tenant, strong)
    assert other["accounts:password_strength"] == "STRONG"
    assert other["accounts:is_less_secure_apps_access_allowed"] is False
    # a new password changes the strength
    directory.users().patch(userKey=email, body={"password": "Seoul-Busan 2025!"}).execute()
    assert newest_usage(sandbox, tenant, email)["accounts:password_strength"] == "STRONG"


def test_user_actions_refuse_bad_input(sandbox, tenant):
    assert act(sandbox, tenant.domain, email=tenant.admin, action="fly").status_code == 400
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert act(sandbox, tenant.domain, email=tenant.admin, action="login",
               at=future).status_code == 400
    assert act(sandbox, tenant.domain, email=f"nobody@{tenant.domain}",
               action="login").status_code == 404
    assert act(sandbox, tenant.domain, email=tenant.admin,
               action="authorize_app").status_code == 400


def test_a_deleted_organizer_leaves_the_drive_without_one(tenant, directory):
    drive = GoogleClients(tenant, scopes.PROVISION).service("drive")
    leaver = f"leaver@{tenant.domain}"
    directory.users().insert(body={"primaryEmail": leaver, "password": "correct horse battery",
                                   "name": {"givenName": "하늘", "familyName": "최"}}).execute()
    made = drive.drives().create(requestId=uuid.uuid4().hex, body={"name": "행사"}).execute()
    drive.permissions().create(fileId=made["id"], supportsAllDrives=True, body={
        "type": "user", "role": "organizer", "emailAddress": leaver}).execute()
    mine = next(p for p in drive.permissions().list(
        fileId=made["id"], supportsAllDrives=True,
        fields="permissions(id,emailAddress)").execute()["permissions"]
        if p["emailAddress"] == tenant.admin)
    drive.permissions().delete(fileId=made["id"], permissionId=mine["id"],
                               supportsAllDrives=True).execute()
    orphans = {"useDomainAdminAccess": True, "q": "organizerCount = 0",
               "fields": "drives(id,name)"}
    assert drive.drives().list(**orphans).execute()["drives"] == []

    directory.users().delete(userKey=leaver).execute()
    assert drive.drives().list(**orphans).execute()["drives"] == [
        {"id": made["id"], "name": "행사"}]
    left = drive.permissions().list(fileId=made["id"], supportsAllDrives=True,
                                    useDomainAdminAccess=True).execute()["permissions"]
    assert left == []
