"""Drive v3 permissions on files and shared drives, through googleapiclient (and its batch)."""

from __future__ import annotations

import json
import uuid

import pytest
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from tests.sandbox.schema import assert_matches_schema
from tests.sandbox.test_drive_drives import add_user, clients_as, new_drive, reason

DOC = "application/vnd.google-apps.document"
FULL = "id,type,role,emailAddress,domain,allowFileDiscovery,displayName"


@pytest.fixture
def drive(admin_clients):
    return admin_clients.service("drive")


def my_file(drive, name: str = "회의록") -> dict:
    return drive.files().create(body={"name": name, "mimeType": DOC}).execute()


def drive_events(sandbox, actor: str) -> list[tuple[str, dict]]:
    rows = sandbox.app.store.execute(
        "SELECT name, params FROM events WHERE app='drive' AND actor=? AND event_type='acl_change'"
        " ORDER BY id", (actor,)).fetchall()
    return [(name, json.loads(params)) for name, params in rows]


def test_share_a_file_with_each_type(drive, directory, tenant, sandbox):
    colleague = add_user(directory, tenant, "minji.kim")
    item = my_file(drive)
    user = drive.permissions().create(fileId=item["id"], sendNotificationEmail=False, body={
        "type": "user", "role": "writer", "emailAddress": colleague}).execute()
    assert set(user) == {"kind", "id", "type", "role", "emailAddress"}
    assert user["role"] == "writer" and user["id"].isdigit()
    group = drive.permissions().create(fileId=item["id"], body={
        "type": "group", "role": "reader", "emailAddress": f"staff@{tenant.domain}"}).execute()
    domain = drive.permissions().create(fileId=item["id"], body={
        "type": "domain", "role": "commenter", "domain": tenant.domain}).execute()
    anyone = drive.permissions().create(fileId=item["id"], body={
        "type": "anyone", "role": "reader"}).execute()
    assert anyone["id"] == "anyoneWithLink"
    assert domain["id"].endswith("k") and group["id"].isdigit()
    listed = drive.permissions().list(fileId=item["id"], fields=f"permissions({FULL})").execute()
    by_type = {p["type"]: p for p in listed["permissions"] if p["role"] != "owner"}
    assert by_type["user"]["emailAddress"] == colleague
    assert by_type["user"]["displayName"] == "서연 이"
    assert by_type["domain"] == {"id": domain["id"], "type": "domain", "role": "commenter",
                                 "domain": tenant.domain, "allowFileDiscovery": False,
                                 "displayName": tenant.domain}
    owners = [p for p in listed["permissions"] if p["role"] == "owner"]
    assert [o["emailAddress"] for o in owners] == [tenant.admin]
    for permission in listed["permissions"]:
        assert_matches_schema("drive", "Permission", permission)
    events = drive_events(sandbox, tenant.admin)
    assert ("change_user_access", colleague, ["can_edit"]) in [
        (n, p.get("target_user"), p.get("new_value")) for n, p in events]
    visibility = [p["new_value"] for n, p in events if n == "change_document_visibility"]
    assert ["people_with_link"] in visibility and ["people_within_domain_with_link"] in visibility


def test_sharing_twice_updates_instead_of_duplicating(drive, tenant):
    item = my_file(drive)
    first = drive.permissions().create(fileId=item["id"], body={
        "type": "user", "role": "reader", "emailAddress": "guest@partner.example.com"}).execute()
    second = drive.permissions().create(fileId=item["id"], body={
        "type": "user", "role": "writer", "emailAddress": "GUEST@partner.example.com"}).execute()
    assert first["id"] == second["id"]
    listed = drive.permissions().list(fileId=item["id"]).execute()["permissions"]
    assert [p["role"] for p in listed if p["id"] == first["id"]] == ["writer"]
    assert len(listed) == 2
    got = drive.permissions().get(fileId=item["id"], permissionId=first["id"]).execute()
    assert got["role"] == "writer"
    updated = drive.permissions().update(fileId=item["id"], permissionId=first["id"],
                                         body={"role": "commenter"}).execute()
    assert updated["role"] == "commenter"
    drive.permissions().delete(fileId=item["id"], permissionId=first["id"]).execute()
    with pytest.raises(HttpError) as gone:
        drive.permissions().get(fileId=item["id"], permissionId=first["id"]).execute()
    assert gone.value.resp.status == 404 and reason(gone.value) == "notFound"


def test_roles_google_refuses(drive):
    item = my_file(drive)
    with pytest.raises(HttpError) as organizer:
        drive.permissions().create(fileId=item["id"], body={
            "type": "user", "role": "organizer", "emailAddress": "a@example.com"}).execute()
    assert organizer.value.resp.status == 403
    assert reason(organizer.value) == "organizerOnNonTeamDriveNotSupported"
    with pytest.raises(HttpError) as owner:
        drive.permissions().create(fileId=item["id"], body={
            "type": "user", "role": "owner", "emailAddress": "a@example.com"}).execute()
    assert owner.value.resp.status == 403 and reason(owner.value) == "forbidden"
    shared = new_drive(drive, "공용")
    with pytest.raises(HttpError) as top_folder:
        drive.permissions().create(fileId=shared["id"], supportsAllDrives=True, body={
            "type": "anyone", "role": "reader"}).execute()
    assert reason(top_folder.value) == "cannotShareTeamDriveTopFolderWithAnyoneOrDomains"
    with pytest.raises(HttpError) as without_flag:
        drive.permissions().list(fileId=shared["id"]).execute()
    assert without_flag.value.resp.status == 404


def test_last_organizer_stays(drive, directory, tenant):
    shared = new_drive(drive, "운영")
    me = drive.permissions().list(fileId=shared["id"], supportsAllDrives=True
                                  ).execute()["permissions"][0]
    with pytest.raises(HttpError) as removal:
        drive.permissions().delete(fileId=shared["id"], permissionId=me["id"],
                                   supportsAllDrives=True).execute()
    assert removal.value.resp.status == 403 and reason(removal.value) == "cannotDeletePermission"
    with pytest.raises(HttpError) as downgrade:
        drive.permissions().update(fileId=shared["id"], permissionId=me["id"],
                                   supportsAllDrives=True, body={"role": "writer"}).execute()
    assert downgrade.value.resp.status == 403
    assert reason(downgrade.value) == "cannotUpdatePermission"
    other = add_user(directory, tenant, "hana.choi")
    drive.permissions().create(fileId=shared["id"], supportsAllDrives=True, body={
        "type": "user", "role": "organizer", "emailAddress": other}).execute()
    changed = drive.permissions().update(fileId=shared["id"], permissionId=me["id"],
                                         supportsAllDrives=True, body={"role": "writer"}).execute()
    assert changed["role"] == "writer"


def test_domain_users_only_refuses_outsiders(drive, tenant):
    shared = new_drive(drive, "내부 전용")
    drive.drives().update(driveId=shared["id"],
                          body={"restrictions": {"domainUsersOnly": True}}).execute()
    with pytest.raises(HttpError) as outsider:
        drive.permissions().create(fileId=shared["id"], supportsAllDrives=True, body={
            "type": "user", "role": "reader", "emailAddress": "friend@gmail.com"}).execute()
    assert outsider.value.resp.status == 403
    assert reason(outsider.value) == "teamDriveDomainUsersOnlyRestriction"
    item = drive.files().create(supportsAllDrives=True, body={
        "name": "보고서", "mimeType": DOC, "parents": [shared["id"]]}).execute()
    with pytest.raises(HttpError) as link:
        drive.permissions().create(fileId=item["id"], supportsAllDrives=True, body={
            "type": "anyone", "role": "reader"}).execute()
    assert reason(link.value) == "teamDriveDomainUsersOnlyRestriction"
    inside = drive.permissions().create(fileId=shared["id"], supportsAllDrives=True, body={
        "type": "user", "role": "reader", "emailAddress": f"someone@{tenant.domain}"}).execute()
    assert inside["role"] == "reader"
    listed = drive.permissions().list(fileId=item["id"], supportsAllDrives=True,
                                      fields="permissions(id,role,permissionDetails)").execute()
    assert {p["role"] for p in listed["permissions"]} == {"organizer", "reader"}
    assert all(p["permissionDetails"][0]["inherited"] for p in listed["permissions"])


def test_list_paging_and_readers_cannot_share(drive, directory, tenant):
    item = my_file(drive)
    reader = add_user(directory, tenant, "reader.one")
    drive.permissions().create(fileId=item["id"], body={
        "type": "user", "role": "reader", "emailAddress": reader}).execute()
    for i in range(4):
        drive.permissions().create(fileId=item["id"], body={
            "type": "user", "role": "reader", "emailAddress": f"p{i}@partner.example.com"}
        ).execute()
    ids, token = [], None
    while True:
        page = drive.permissions().list(fileId=item["id"], pageSize=2, pageToken=token).execute()
        ids += [p["id"] for p in page["permissions"]]
        token = page.get("nextPageToken")
        if not token:
            break
    assert len(ids) == len(set(ids)) == 6
    as_reader = clients_as(tenant, reader).service("drive")
    assert as_reader.files().get(fileId=item["id"]).execute()["id"] == item["id"]
    with pytest.raises(HttpError) as denied:
        as_reader.permissions().create(fileId=item["id"], body={
            "type": "user", "role": "writer", "emailAddress": reader}).execute()
    assert denied.value.resp.status == 403 and reason(denied.value) == "insufficientFilePermissions"


def test_batch_of_permission_creates(admin_clients, drive):
    shared = new_drive(drive, f"배치 {uuid.uuid4().hex[:6]}")
    results: dict[str, object] = {}

    def collect(request_id, response, exception):
        results[request_id] = exception or response

    batch = BatchHttpRequest(callback=collect, batch_uri=admin_clients.batch_uri("drive"))
    for i in range(100):
        batch.add(drive.permissions().create(
            fileId=shared["id"], supportsAllDrives=True, sendNotificationEmail=False,
            body={"type": "user", "role": "writer", "emailAddress": f"m{i}@partner.example.com"}))
    batch.execute()
    assert len(results) == 100
    assert all(isinstance(r, dict) and r["role"] == "writer" for r in results.values())
    members = drive.permissions().list(fileId=shared["id"], supportsAllDrives=True,
                                       pageSize=100).execute()
    assert len(members["permissions"]) == 100 and "nextPageToken" in members
    too_big = BatchHttpRequest(callback=collect, batch_uri=admin_clients.batch_uri("drive"))
    for i in range(101):
        too_big.add(drive.permissions().get(fileId=shared["id"], permissionId=str(i),
                                            supportsAllDrives=True))
    with pytest.raises(HttpError) as refused:
        too_big.execute()
    assert refused.value.resp.status == 400
    assert reason(refused.value) == "batchSizeTooLarge"


@pytest.mark.parametrize("value", [False, True])
def test_send_notification_email_is_refused_for_domain_and_anyone(drive, tenant, value):
    # Google allows the flag only for users and groups, whatever its value.
    item = my_file(drive)
    for body in ({"type": "domain", "role": "reader", "domain": tenant.domain},
                 {"type": "anyone", "role": "reader"}):
        with pytest.raises(HttpError) as refused:
            drive.permissions().create(fileId=item["id"], sendNotificationEmail=value,
                                       body=body).execute()
        assert refused.value.resp.status == 403 and reason(refused.value) == "forbidden"
        assert "only applicable for permissions of type 'user' or 'group'" in str(refused.value)
        assert drive.permissions().create(fileId=item["id"], body=body).execute()["id"]
