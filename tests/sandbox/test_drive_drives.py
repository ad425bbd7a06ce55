"""Shared drives (Drive v3 drives.*) through googleapiclient against the sandbox."""

from __future__ import annotations

import uuid

import pytest
import requests
from googleapiclient.errors import HttpError

from tests.conftest import make_tenant
from tests.sandbox.schema import assert_matches_schema
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.sandbox.server import start


def reason(exc: HttpError) -> str:
    return exc.error_details[0]["reason"]


def add_user(directory, tenant, local: str, given: str = "서연", family: str = "이") -> str:
    email = f"{local}@{tenant.domain}"
    directory.users().insert(body={"primaryEmail": email, "password": "Sandbox-pass-123",
                                   "name": {"givenName": given, "familyName": family}}).execute()
    return email


def clients_as(tenant, email: str, scope=scopes.PUBLISH) -> GoogleClients:
    """Clients impersonating another user of the tenant (domain-wide delegation)."""
    return GoogleClients(tenant.model_copy(update={"admin": email}), scope)


@pytest.fixture
def drive(admin_clients):
    return admin_clients.service("drive")


def new_drive(drive, name: str, request_id: str | None = None) -> dict:
    return drive.drives().create(requestId=request_id or str(uuid.uuid4()),
                                 body={"name": name}).execute()


def test_create_get_and_shape(drive, tenant):
    created = new_drive(drive, "재무팀")
    assert created["id"].startswith("0A") and created["name"] == "재무팀"
    assert created["capabilities"]["canManageMembers"] is True
    assert created["restrictions"]["domainUsersOnly"] is False
    assert_matches_schema("drive", "Drive", created)
    got = drive.drives().get(driveId=created["id"]).execute()
    assert got["id"] == created["id"] and got["hidden"] is False
    members = drive.permissions().list(fileId=created["id"], supportsAllDrives=True,
                                       fields="permissions(id,role,emailAddress,type)").execute()
    assert members["permissions"] == [{"id": members["permissions"][0]["id"], "role": "organizer",
                                       "emailAddress": tenant.admin, "type": "user"}]
    partial = drive.drives().get(driveId=created["id"], fields="id,name").execute()
    assert partial == {"id": created["id"], "name": "재무팀"}


def test_a_repeated_request_id_answers_409_and_makes_no_second_drive(drive):
    # Google: "If the shared drive already exists a 409 error will be returned", also for the
    # very request that made it; the caller then finds the drive by name.
    request_id = str(uuid.uuid4())
    first = new_drive(drive, "총무", request_id)
    with pytest.raises(HttpError) as again:
        new_drive(drive, "총무", request_id)
    assert again.value.resp.status == 409 and reason(again.value) == "teamDriveAlreadyExists"
    listed = drive.drives().list(q="name = '총무'").execute()["drives"]
    assert [d["id"] for d in listed] == [first["id"]]
    with pytest.raises(HttpError) as changed:
        new_drive(drive, "다른 이름", request_id)
    assert changed.value.resp.status == 409 and reason(changed.value) == "teamDriveAlreadyExists"
    drive.drives().delete(driveId=first["id"]).execute()
    with pytest.raises(HttpError) as deleted:  # a requestId is used once, even after a delete
        new_drive(drive, "총무", request_id)
    assert deleted.value.resp.status == 409


def test_list_paging_and_query(drive):
    ids = [new_drive(drive, f"팀 {i}")["id"] for i in range(5)]
    seen, token, pages = [], None, 0
    while True:
        page = drive.drives().list(pageSize=2, pageToken=token).execute()
        assert set(page["drives"][0]) == {"kind", "id", "name"}  # Drive's default fields
        seen += [d["id"] for d in page["drives"]]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    assert seen == ids and pages == 3
    drive.drives().hide(driveId=ids[1]).execute()
    hidden = drive.drives().list(q="hidden = true", fields="drives(id,hidden)").execute()
    assert hidden["drives"] == [{"id": ids[1], "hidden": True}]
    assert drive.drives().unhide(driveId=ids[1]).execute()["hidden"] is False
    both = drive.drives().list(q="name contains '팀' and (name = '팀 3' or name = '팀 4')"
                               ).execute()["drives"]
    assert [d["id"] for d in both] == ids[3:]
    counted = drive.drives().list(q="memberCount = 1 and createdTime > '2000-01-01T00:00:00'"
                                  ).execute()["drives"]
    assert len(counted) == 5
    with pytest.raises(HttpError) as too_big:
        drive.drives().list(pageSize=101).execute()
    assert too_big.value.resp.status == 400
    with pytest.raises(HttpError) as bad_q:
        drive.drives().list(q="name ~ 'x'").execute()
    assert bad_q.value.resp.status == 400 and reason(bad_q.value) == "invalid"


def test_update_restrictions_and_name(drive):
    made = new_drive(drive, "영업")
    updated = drive.drives().update(driveId=made["id"], body={
        "name": "영업팀", "restrictions": {"domainUsersOnly": True,
                                          "copyRequiresWriterPermission": True}}).execute()
    assert updated["name"] == "영업팀"
    assert updated["restrictions"] == {
        "adminManagedRestrictions": False, "copyRequiresWriterPermission": True,
        "domainUsersOnly": True, "driveMembersOnly": False,
        "sharingFoldersRequiresOrganizerPermission": False}
    assert drive.drives().get(driveId=made["id"]).execute()["restrictions"]["domainUsersOnly"]
    with pytest.raises(HttpError) as admin_only:
        drive.drives().update(driveId=made["id"], body={
            "restrictions": {"adminManagedRestrictions": True}}).execute()
    assert admin_only.value.resp.status == 403
    managed = drive.drives().update(driveId=made["id"], useDomainAdminAccess=True, body={
        "restrictions": {"adminManagedRestrictions": True}}).execute()
    assert managed["restrictions"]["adminManagedRestrictions"] is True


def test_delete_refused_while_items_remain(drive):
    made = new_drive(drive, "임시")
    item = drive.files().create(supportsAllDrives=True, body={
        "name": "메모", "mimeType": "application/vnd.google-apps.document",
        "parents": [made["id"]]}).execute()
    with pytest.raises(HttpError) as busy:
        drive.drives().delete(driveId=made["id"]).execute()
    assert busy.value.resp.status == 403
    assert reason(busy.value) == "cannotDeleteResourceWithChildren"
    drive.files().update(fileId=item["id"], supportsAllDrives=True,
                         body={"trashed": True}).execute()
    drive.drives().delete(driveId=made["id"]).execute()  # trashed items do not count
    with pytest.raises(HttpError) as gone:
        drive.drives().get(driveId=made["id"]).execute()
    assert gone.value.resp.status == 404
    assert str(gone.value.error_details[0]["message"]) == f"Shared drive not found: {made['id']}"


def test_domain_admin_access_and_membership(drive, directory, tenant):
    email = add_user(directory, tenant, "jiho.park")
    user_drive = clients_as(tenant, email).service("drive")
    theirs = new_drive(user_drive, "지호의 드라이브")
    mine = [d["id"] for d in drive.drives().list().execute()["drives"]]
    assert theirs["id"] not in mine
    with pytest.raises(HttpError) as hidden:
        drive.drives().get(driveId=theirs["id"]).execute()
    assert hidden.value.resp.status == 404
    everything = drive.drives().list(useDomainAdminAccess=True).execute()["drives"]
    assert theirs["id"] in [d["id"] for d in everything]
    assert drive.drives().get(driveId=theirs["id"],
                              useDomainAdminAccess=True).execute()["name"] == "지호의 드라이브"
    with pytest.raises(HttpError) as not_admin:
        user_drive.drives().list(useDomainAdminAccess=True).execute()
    assert not_admin.value.resp.status == 403


def test_tenant_isolation(drive, sandbox, tmp_path):
    made = new_drive(drive, "기밀")
    other = make_tenant(sandbox, tmp_path / "other")
    foreign = GoogleClients(other, scopes.PUBLISH).service("drive")
    with pytest.raises(HttpError) as unseen:
        foreign.drives().get(driveId=made["id"]).execute()
    assert unseen.value.resp.status == 404
    assert foreign.drives().list().execute()["drives"] == []


def test_new_drive_not_ready_for_updates(tmp_path):
    running = start(":memory:")
    try:
        profile = make_tenant(running, tmp_path / "slow")
        answer = requests.put(running.url + "_sandbox/config", json={"drive_ready_ms": 60000})
        assert answer.status_code == 200
        slow = GoogleClients(profile, scopes.PUBLISH).service("drive")
        made = new_drive(slow, "느림")
        assert slow.drives().get(driveId=made["id"]).execute()["id"] == made["id"]
        with pytest.raises(HttpError) as early:
            slow.drives().update(driveId=made["id"], body={"name": "빠름"}).execute()
        assert early.value.resp.status == 404 and reason(early.value) == "notFound"
        assert early.value.error_details[0]["message"] == f"Shared drive not found: {made['id']}"
        with pytest.raises(HttpError) as member:
            slow.permissions().create(fileId=made["id"], supportsAllDrives=True, body={
                "type": "user", "role": "reader", "emailAddress": "x@example.com"}).execute()
        assert member.value.resp.status == 404
    finally:
        running.stop()
