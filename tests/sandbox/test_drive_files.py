"""Drive v3 files (metadata only) through googleapiclient: visibility, q, corpora and paging."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.schema import assert_matches_schema
from tests.sandbox.test_drive_drives import add_user, clients_as, new_drive, reason

DOC = "application/vnd.google-apps.document"
SHEET = "application/vnd.google-apps.spreadsheet"
FOLDER = "application/vnd.google-apps.folder"


@pytest.fixture
def drive(admin_clients):
    return admin_clients.service("drive")


def test_create_get_default_and_full_fields(drive, tenant):
    made = drive.files().create(body={"name": "2025 예산", "mimeType": SHEET}).execute()
    assert set(made) == {"kind", "id", "name", "mimeType"} and len(made["id"]) == 44
    full = drive.files().get(fileId=made["id"], fields="*").execute()
    assert full["ownedByMe"] is True and full["owners"][0]["emailAddress"] == tenant.admin
    assert full["webViewLink"].startswith("https://docs.google.com/spreadsheets/d/")
    assert full["trashed"] is False and full["shared"] is False and len(full["parents"]) == 1
    assert_matches_schema("drive", "File", full)
    picked = drive.files().get(fileId=made["id"], fields="id,parents,capabilities(canEdit)"
                               ).execute()
    assert picked["capabilities"] == {"canEdit": True}
    with pytest.raises(HttpError) as missing:
        drive.files().get(fileId="1nope").execute()
    assert missing.value.resp.status == 404 and reason(missing.value) == "notFound"


def test_folders_queries_and_updates(drive):
    folder = drive.files().create(body={"name": "인사", "mimeType": FOLDER}).execute()
    inside = [drive.files().create(body={"name": n, "mimeType": DOC, "parents": [folder["id"]]}
                                   ).execute() for n in ("채용 계획", "채용 공고", "연봉표")]
    outside = drive.files().create(body={"name": "채용 메모", "mimeType": DOC}).execute()
    in_folder = drive.files().list(q=f"'{folder['id']}' in parents and trashed = false"
                                   ).execute()["files"]
    assert [f["id"] for f in in_folder] == [f["id"] for f in inside]
    hiring = drive.files().list(q="name contains '채용' and mimeType = '" + DOC + "'",
                                orderBy="name").execute()["files"]
    assert [f["name"] for f in hiring] == ["채용 계획", "채용 공고", "채용 메모"]
    exact = drive.files().list(q="name = '연봉표' or name = '채용 메모'").execute()["files"]
    assert {f["id"] for f in exact} == {inside[2]["id"], outside["id"]}
    roots = drive.files().list(q="'root' in parents and not mimeType = '" + FOLDER + "'"
                               ).execute()["files"]
    assert [f["id"] for f in roots] == [outside["id"]]
    renamed = drive.files().update(fileId=inside[0]["id"], body={"name": "채용 계획 v2",
                                                                  "trashed": True},
                                   fields="name,trashed").execute()
    assert renamed == {"name": "채용 계획 v2", "trashed": True}
    active = drive.files().list(q=f"'{folder['id']}' in parents and trashed = false"
                                ).execute()["files"]
    assert len(active) == 2
    moved = drive.files().update(fileId=outside["id"], addParents=folder["id"],
                                 removeParents="root", fields="parents").execute()
    assert moved["parents"] == [folder["id"]]
    drive.files().delete(fileId=folder["id"]).execute()
    with pytest.raises(HttpError):
        drive.files().get(fileId=outside["id"]).execute()
    with pytest.raises(HttpError) as bad:
        drive.files().list(q="name === 'x'").execute()
    assert bad.value.resp.status == 400


def test_paging_up_to_a_thousand(drive):
    folder = drive.files().create(body={"name": "많음", "mimeType": FOLDER}).execute()
    for i in range(7):
        drive.files().create(body={"name": f"f{i}", "parents": [folder["id"]]}).execute()
    names, token, pages = [], None, 0
    while True:
        page = drive.files().list(q=f"'{folder['id']}' in parents", pageSize=3,
                                  pageToken=token, fields="nextPageToken,files(name)").execute()
        names += [f["name"] for f in page["files"]]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    assert names == [f"f{i}" for i in range(7)] and pages == 3
    with pytest.raises(HttpError):
        drive.files().list(pageSize=1001).execute()


def test_shared_drive_items_and_corpora(drive, directory, tenant):
    shared = new_drive(drive, "마케팅")
    item = drive.files().create(supportsAllDrives=True, fields="id,driveId,parents", body={
        "name": "캠페인", "mimeType": DOC, "parents": [shared["id"]]}).execute()
    assert item["driveId"] == shared["id"] and item["parents"] == [shared["id"]]
    with pytest.raises(HttpError) as no_flag:
        drive.files().get(fileId=item["id"]).execute()
    assert no_flag.value.resp.status == 404
    plain = drive.files().list(q="name = '캠페인'").execute()["files"]
    assert plain == []
    in_drive = drive.files().list(corpora="drive", driveId=shared["id"],
                                  includeItemsFromAllDrives=True, supportsAllDrives=True
                                  ).execute()["files"]
    assert [f["id"] for f in in_drive] == [item["id"]]
    everywhere = drive.files().list(corpora="allDrives", includeItemsFromAllDrives=True,
                                    supportsAllDrives=True, q="name = '캠페인'").execute()
    assert [f["id"] for f in everywhere["files"]] == [item["id"]]
    with pytest.raises(HttpError) as no_drive_id:
        drive.files().list(corpora="drive", includeItemsFromAllDrives=True,
                           supportsAllDrives=True).execute()
    assert no_drive_id.value.resp.status == 400
    outsider = clients_as(tenant, add_user(directory, tenant, "outsider")).service("drive")
    with pytest.raises(HttpError) as not_member:
        outsider.files().get(fileId=item["id"], supportsAllDrives=True).execute()
    assert not_member.value.resp.status == 404


def test_visibility_between_users(drive, directory, tenant):
    colleague = add_user(directory, tenant, "dohyun.kang", "도현", "강")
    theirs = clients_as(tenant, colleague).service("drive")
    private = drive.files().create(body={"name": "내 메모", "mimeType": DOC}).execute()
    shared = drive.files().create(body={"name": "공유 메모", "mimeType": DOC}).execute()
    drive.permissions().create(fileId=shared["id"], body={
        "type": "user", "role": "commenter", "emailAddress": colleague}).execute()
    visible = theirs.files().list(fields="files(id,ownedByMe)").execute()["files"]
    assert visible == [{"id": shared["id"], "ownedByMe": False}]
    with pytest.raises(HttpError) as hidden:
        theirs.files().get(fileId=private["id"]).execute()
    assert hidden.value.resp.status == 404
    with pytest.raises(HttpError) as read_only:
        theirs.files().update(fileId=shared["id"], body={"name": "바꿈"}).execute()
    assert read_only.value.resp.status == 403
    with_me = theirs.files().list(q="sharedWithMe = true").execute()["files"]
    assert [f["id"] for f in with_me] == [shared["id"]]
    team_drive = new_drive(drive, "전사")
    drive.permissions().create(fileId=team_drive["id"], supportsAllDrives=True, body={
        "type": "user", "role": "writer", "emailAddress": colleague}).execute()
    made = theirs.files().create(supportsAllDrives=True, body={
        "name": "도현의 문서", "parents": [team_drive["id"]], "mimeType": DOC}).execute()
    seen = drive.files().list(corpora="drive", driveId=team_drive["id"], supportsAllDrives=True,
                              includeItemsFromAllDrives=True).execute()["files"]
    assert [f["id"] for f in seen] == [made["id"]]
    with pytest.raises(HttpError) as writer_delete:
        theirs.files().delete(fileId=made["id"], supportsAllDrives=True).execute()
    assert writer_delete.value.resp.status == 403


def test_query_app_properties_has(drive):
    """`appProperties has { key='k' and value='v' }` finds a file by its app's own keys (how an
    app finds a file it made even if it lost the id)."""
    tagged = drive.files().create(body={
        "name": "체크리스트", "mimeType": SHEET,
        "appProperties": {"track": "new-member", "person": "minji@x.kr"},
        "properties": {"kind": "checklist"}}).execute()
    drive.files().create(body={"name": "체크리스트", "mimeType": SHEET,
                               "appProperties": {"track": "admin",
                                                 "person": "minji@x.kr"}}).execute()

    def ids(q):
        return [f["id"] for f in drive.files().list(q=q, fields="files(id)").execute()["files"]]

    both = ("appProperties has { key='track' and value='new-member' } and "
            "appProperties has {key='person' and value='minji@x.kr'} and trashed = false")
    assert ids(both) == [tagged["id"]]
    assert ids("properties has { key='kind' and value='checklist' }") == [tagged["id"]]
    assert ids("appProperties has { key='track' and value='nothing' }") == []
    assert len(ids("not appProperties has { key='track' and value='admin' } and "
                   "name = '체크리스트'")) == 1
    got = drive.files().get(fileId=tagged["id"], fields="appProperties").execute()
    assert got == {"appProperties": {"track": "new-member", "person": "minji@x.kr"}}
    for bad in ("appProperties has 'track'", "appProperties has { key='track' }",
                "appProperties has { value='x' and key='track' }", ("name has { key='a' and "
                "value='b' }")):
        with pytest.raises(HttpError) as failed:
            drive.files().list(q=bad).execute()
        assert failed.value.resp.status == 400, bad
