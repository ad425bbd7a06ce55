"""gspread end to end against the sandbox: the unmodified library, redirected by transport only."""

from __future__ import annotations

import uuid

import gspread
import pytest

from tests.sandbox.test_drive_drives import add_user, clients_as
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients


@pytest.fixture
def clients(tenant):
    return GoogleClients(tenant, scopes.PUBLISH)


@pytest.fixture
def gc(clients):
    return clients.gspread()


def test_create_fill_read_and_append(gc):
    sh = gc.create("동아리 회원 명단")
    assert sh.title == "동아리 회원 명단" and sh.sheet1.title == "Sheet1"
    ws = sh.add_worksheet(title="2025년 회원", rows=50, cols=5)
    ws.update([["이름", "학년", "회비 납부"], ["김민지", 2, True], ["박지훈", "3", "FALSE"]],
              "A1")
    assert ws.get_all_values() == [["이름", "학년", "회비 납부"], ["김민지", "2", "TRUE"],
                                   ["박지훈", "3", "FALSE"]]
    records = ws.get_all_records()
    assert records == [{"이름": "김민지", "학년": 2, "회비 납부": "TRUE"},
                       {"이름": "박지훈", "학년": 3, "회비 납부": "FALSE"}]
    ws.append_rows([["최하은", 1, False], ["정도윤", 4, True]], value_input_option="USER_ENTERED")
    assert ws.row_count == 52
    assert ws.col_values(1) == ["이름", "김민지", "박지훈", "최하은", "정도윤"]
    ws.append_row(["강서준", 2, "=1+1"], value_input_option="USER_ENTERED")
    assert ws.acell("C6").value == "2"
    assert ws.acell("C6", value_render_option="FORMULA").value == "=1+1"
    assert ws.get("A2:B2") == [["김민지", "2"]]


def test_rename_delete_and_reopen(gc):
    sh = gc.create("작업 시트")
    extra = sh.add_worksheet(title="임시", rows=10, cols=3)
    extra.update_title("보관함")
    assert [w.title for w in sh.worksheets()] == ["Sheet1", "보관함"]
    sh.del_worksheet(extra)
    assert [w.title for w in sh.worksheets()] == ["Sheet1"]
    with pytest.raises(gspread.WorksheetNotFound):
        sh.worksheet("보관함")
    again = gc.open_by_key(sh.id)
    assert again.title == "작업 시트"
    again.sheet1.update_acell("B2", "안녕")
    assert gc.open_by_key(sh.id).sheet1.acell("B2").value == "안녕"
    assert gc.open("작업 시트").id == sh.id
    with pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key("1" + "x" * 43)
    gc.del_spreadsheet(sh.id)
    with pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key(sh.id)


def test_share_and_list_files(gc, clients, directory, tenant):
    sh = gc.create(f"공유 테스트 {uuid.uuid4().hex[:6]}")
    member = add_user(directory, tenant, "sharing.target")
    sh.share(member, perm_type="user", role="writer", notify=False)
    perms = sh.list_permissions()
    assert {(p["emailAddress"], p["role"]) for p in perms if p.get("emailAddress")} == {
        (tenant.admin, "owner"), (member, "writer")}
    theirs = clients_as(tenant, member).gspread()
    listed = theirs.list_spreadsheet_files()
    assert [f["id"] for f in listed] == [sh.id]
    assert set(listed[0]) == {"id", "name", "createdTime", "modifiedTime"}
    theirs.open_by_key(sh.id).sheet1.update([["편집됨"]], "A1")
    assert sh.sheet1.acell("A1").value == "편집됨"
    mine = gc.list_spreadsheet_files(title=sh.title)
    assert [f["id"] for f in mine] == [sh.id]


def test_create_in_shared_drive_folder(gc, clients):
    drive = clients.service("drive")
    shared = drive.drives().create(requestId=str(uuid.uuid4()), body={"name": "행정"}).execute()
    folder = drive.files().create(supportsAllDrives=True, body={
        "name": "2025", "mimeType": "application/vnd.google-apps.folder",
        "parents": [shared["id"]]}).execute()
    sh = gc.create("예산안", folder_id=folder["id"])
    item = drive.files().get(fileId=sh.id, supportsAllDrives=True,
                             fields="driveId,parents").execute()
    assert item == {"driveId": shared["id"], "parents": [folder["id"]]}
    in_folder = gc.list_spreadsheet_files(folder_id=folder["id"])
    assert [f["name"] for f in in_folder] == ["예산안"]
    sh.sheet1.update([["항목", "금액"], ["인건비", 1200000]], "A1")
    assert sh.sheet1.get_all_records() == [{"항목": "인건비", "금액": 1200000}]
    assert sh.get_lastUpdateTime() >= sh.creationTime


def test_resize_grows_and_shrinks_the_grid(gc):
    sh = gc.create("크기 조절")
    ws = sh.add_worksheet(title="표", rows=3, cols=3)
    ws.update([["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]], "A1")
    ws.resize(rows=2, cols=2)  # gspread masks "gridProperties/rowCount,gridProperties/..."
    again = gc.open_by_key(sh.id).worksheet("표")
    assert (again.row_count, again.col_count) == (2, 2)
    assert again.get_all_values() == [["a", "b"], ["d", "e"]]
    again.resize(rows=5)
    again.update([["x"]], "A5")
    assert gc.open_by_key(sh.id).worksheet("표").col_values(1) == ["a", "d", "", "", "x"]
