"""Sheets v4 spreadsheets and values through googleapiclient against the sandbox."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.schema import assert_matches_schema
from tests.sandbox.test_drive_drives import add_user, clients_as
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients


@pytest.fixture
def clients(tenant):
    return GoogleClients(tenant, scopes.PUBLISH)


@pytest.fixture
def sheets(clients):
    return clients.service("sheets")


def test_create_is_a_drive_file(sheets, clients):
    made = sheets.spreadsheets().create(body={"properties": {"title": "출석부"}}).execute()
    assert_matches_schema("sheets", "Spreadsheet", made)
    props = made["sheets"][0]["properties"]
    assert props == {"sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID",
                     "gridProperties": {"rowCount": 1000, "columnCount": 26}}
    item = clients.service("drive").files().get(fileId=made["spreadsheetId"],
                                                fields="name,mimeType,ownedByMe").execute()
    assert item == {"name": "출석부", "mimeType": "application/vnd.google-apps.spreadsheet",
                    "ownedByMe": True}
    got = sheets.spreadsheets().get(spreadsheetId=made["spreadsheetId"]).execute()
    assert got["properties"]["title"] == "출석부"


def test_values_raw_and_user_entered(sheets):
    sid = sheets.spreadsheets().create(body={"properties": {"title": "값"}}).execute()[
        "spreadsheetId"]
    values = sheets.spreadsheets().values()
    raw = values.update(spreadsheetId=sid, range="Sheet1!A1", valueInputOption="RAW",
                        body={"values": [["이름", "점수", "통과"], ["김민지", "90", "TRUE"]]}
                        ).execute()
    assert raw["updatedRange"] == "Sheet1!A1:C2" and raw["updatedCells"] == 6
    values.update(spreadsheetId=sid, range="Sheet1!A3:C4", valueInputOption="USER_ENTERED",
                  body={"values": [["이서연", "85.5", "false"], ["합계", "=SUM(B2:B3)", "'007"]]}
                  ).execute()
    shown = values.get(spreadsheetId=sid, range="Sheet1").execute()
    assert shown["range"] == "Sheet1!A1:Z1000" and shown["majorDimension"] == "ROWS"
    assert shown["values"] == [["이름", "점수", "통과"], ["김민지", "90", "TRUE"],
                               ["이서연", "85.5", "FALSE"], ["합계", "85.5", "007"]]
    plain = values.get(spreadsheetId=sid, range="B2:C4", valueRenderOption="UNFORMATTED_VALUE"
                       ).execute()["values"]
    assert plain == [["90", "TRUE"], [85.5, False], [85.5, "007"]]  # RAW kept strings
    formulas = values.get(spreadsheetId=sid, range="B4", valueRenderOption="FORMULA").execute()
    assert formulas["values"] == [["=SUM(B2:B3)"]]
    columns = values.get(spreadsheetId=sid, range="A1:B2", majorDimension="COLUMNS").execute()
    assert columns["values"] == [["이름", "김민지"], ["점수", "90"]]
    assert_matches_schema("sheets", "ValueRange", columns)
    with pytest.raises(HttpError) as too_far:
        values.update(spreadsheetId=sid, range="Sheet1!A1001", valueInputOption="RAW",
                      body={"values": [["x"]]}).execute()
    assert too_far.value.resp.status == 400
    with pytest.raises(HttpError) as no_sheet:
        values.get(spreadsheetId=sid, range="없는시트!A1").execute()
    assert no_sheet.value.resp.status == 400


def test_batch_calls_append_and_clear(sheets):
    sid = sheets.spreadsheets().create(body={"properties": {"title": "배치"}}).execute()[
        "spreadsheetId"]
    added = sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": [
        {"addSheet": {"properties": {"title": "월간 보고", "gridProperties": {
            "rowCount": 5, "columnCount": 3}}}}]}).execute()
    sheet_id = added["replies"][0]["addSheet"]["properties"]["sheetId"]
    values = sheets.spreadsheets().values()
    done = values.batchUpdate(spreadsheetId=sid, body={"valueInputOption": "USER_ENTERED", "data": [
        {"range": "'월간 보고'!A1", "values": [["월", "건수"], ["1월", "3"]]},
        {"range": "Sheet1!A1", "values": [["x"]]}]}).execute()
    assert done["totalUpdatedCells"] == 5 and done["totalUpdatedSheets"] == 2
    appended = values.append(spreadsheetId=sid, range="'월간 보고'!A1",
                             valueInputOption="USER_ENTERED", insertDataOption="INSERT_ROWS",
                             body={"values": [["2월", "4"], ["3월", "5"]]}).execute()
    assert appended["tableRange"] == "'월간 보고'!A1:B2"
    assert appended["updates"]["updatedRange"] == "'월간 보고'!A3:B4"
    got = values.batchGet(spreadsheetId=sid, ranges=["'월간 보고'!A:B", "Sheet1!A1"],
                          valueRenderOption="UNFORMATTED_VALUE").execute()
    assert got["valueRanges"][0]["values"][-1] == ["3월", 5]
    assert got["valueRanges"][1]["values"] == [["x"]]
    meta = sheets.spreadsheets().get(spreadsheetId=sid).execute()
    grid = next(s for s in meta["sheets"] if s["properties"]["sheetId"] == sheet_id)
    assert grid["properties"]["gridProperties"]["rowCount"] == 7
    cleared = values.clear(spreadsheetId=sid, range="'월간 보고'!A2:B").execute()
    assert cleared["clearedRange"] == "'월간 보고'!A2:B7"
    left = values.get(spreadsheetId=sid, range="'월간 보고'").execute()["values"]
    assert left == [["월", "건수"]]
    values.batchClear(spreadsheetId=sid, body={"ranges": ["Sheet1"]}).execute()
    assert "values" not in values.get(spreadsheetId=sid, range="Sheet1").execute()


def test_batch_update_requests(sheets):
    sid = sheets.spreadsheets().create(body={"properties": {"title": "요청"}}).execute()[
        "spreadsheetId"]
    requests = sheets.spreadsheets()
    requests.batchUpdate(spreadsheetId=sid, body={"requests": [
        {"updateSheetProperties": {"properties": {"sheetId": 0, "title": "명단",
                                                  "gridProperties": {"frozenRowCount": 1}},
                                   "fields": "title,gridProperties.frozenRowCount"}},
        {"appendDimension": {"sheetId": 0, "dimension": "COLUMNS", "length": 4}},
        {"setDataValidation": {"range": {"sheetId": 0, "startRowIndex": 1, "startColumnIndex": 2,
                                         "endColumnIndex": 3},
                               "rule": {"condition": {"type": "BOOLEAN"}}}},
        {"repeatCell": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 3,
                                  "startColumnIndex": 2, "endColumnIndex": 3},
                        "cell": {"userEnteredValue": {"boolValue": False}},
                        "fields": "userEnteredValue"}},
        {"updateCells": {"start": {"sheetId": 0, "rowIndex": 0, "columnIndex": 0},
                         "rows": [{"values": [{"userEnteredValue": {"stringValue": "이름"}},
                                              {"userEnteredValue": {"numberValue": 3}}]}],
                         "fields": "userEnteredValue"}},
    ]}).execute()
    meta = requests.get(spreadsheetId=sid).execute()["sheets"][0]["properties"]
    assert meta["title"] == "명단"
    assert meta["gridProperties"] == {"rowCount": 1000, "columnCount": 30, "frozenRowCount": 1}
    got = requests.values().get(spreadsheetId=sid, range="명단!A1:C3").execute()["values"]
    assert got == [["이름", "3"], ["", "", "FALSE"], ["", "", "FALSE"]]
    with pytest.raises(HttpError) as last:
        requests.batchUpdate(spreadsheetId=sid, body={"requests": [
            {"deleteSheet": {"sheetId": 0}}]}).execute()
    assert last.value.resp.status == 400
    with pytest.raises(HttpError) as twice:
        requests.batchUpdate(spreadsheetId=sid, body={"requests": [
            {"addSheet": {"properties": {"title": "명단"}}}]}).execute()
    assert "already exists" in str(twice.value)
    grid = requests.get(spreadsheetId=sid, includeGridData=True,
                        fields="sheets(data(rowData(values(formattedValue))))").execute()
    assert grid["sheets"][0]["data"][0]["rowData"][0]["values"][0] == {"formattedValue": "이름"}


def test_access_follows_drive_permissions(sheets, directory, tenant):
    sid = sheets.spreadsheets().create(body={"properties": {"title": "비공개"}}).execute()[
        "spreadsheetId"]
    other = add_user(directory, tenant, "viewer.kim")
    theirs = clients_as(tenant, other).service("sheets")
    with pytest.raises(HttpError) as denied:
        theirs.spreadsheets().get(spreadsheetId=sid).execute()
    assert denied.value.resp.status == 403
    admin_drive = GoogleClients(tenant, scopes.PUBLISH).service("drive")
    admin_drive.permissions().create(fileId=sid, body={
        "type": "user", "role": "reader", "emailAddress": other}).execute()
    assert theirs.spreadsheets().get(spreadsheetId=sid).execute()["spreadsheetId"] == sid
    with pytest.raises(HttpError) as read_only:
        theirs.spreadsheets().values().update(spreadsheetId=sid, range="A1",
                                              valueInputOption="RAW",
                                              body={"values": [["x"]]}).execute()
    assert read_only.value.resp.status == 403
    with pytest.raises(HttpError) as missing:
        sheets.spreadsheets().get(spreadsheetId="1doesnotexist").execute()
    assert missing.value.resp.status == 404


def test_grid_data_reports_data_validation_on_every_covered_cell(sheets):
    made = sheets.spreadsheets().create(body={"properties": {"title": "체크"}}).execute()
    sid = made["spreadsheetId"]
    rule = {"condition": {"type": "BOOLEAN"}, "strict": True}
    sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": [
        {"setDataValidation": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 3,
                                         "startColumnIndex": 1, "endColumnIndex": 2},
                               "rule": rule}}]}).execute()
    sheets.spreadsheets().values().update(spreadsheetId=sid, range="A1:B2",
                                          valueInputOption="USER_ENTERED",
                                          body={"values": [["항목", "완료"], ["a", "TRUE"]]}
                                          ).execute()
    got = sheets.spreadsheets().get(spreadsheetId=sid, includeGridData=True).execute()
    rows = got["sheets"][0]["data"][0]["rowData"]
    assert "dataValidation" not in rows[0]["values"][1]
    assert rows[1]["values"][1]["dataValidation"] == rule
    assert rows[1]["values"][1]["effectiveValue"] == {"boolValue": True}
    assert rows[2]["values"][1] == {"dataValidation": rule}  # empty, yet validated
    assert_matches_schema("sheets", "Spreadsheet", got)
    sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": [
        {"setDataValidation": {"range": {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 3,
                                         "startColumnIndex": 1, "endColumnIndex": 2}}}]}
                                      ).execute()
    got = sheets.spreadsheets().get(spreadsheetId=sid, includeGridData=True).execute()
    assert not any("dataValidation" in cell for row in got["sheets"][0]["data"][0]["rowData"]
                   for cell in row.get("values", []))
