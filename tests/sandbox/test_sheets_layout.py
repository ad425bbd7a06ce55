"""What a checklist or report sheet uses beyond values, through unmodified gspread against the
sandbox: merges, notes, formats, protected ranges, row and column inserts, freezing, sorting,
the basic filter, hidden rows, groups, named ranges, copy and paste."""

from __future__ import annotations

import gspread
import pytest

from tests.sandbox.test_drive_drives import add_user, clients_as
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients


@pytest.fixture
def gc(tenant):
    return GoogleClients(tenant, scopes.PUBLISH).gspread()


@pytest.fixture
def ws(gc):
    sheet = gc.create("보고서 Report").sheet1
    sheet.resize(20, 6)
    return sheet


def _meta(ws) -> dict:
    sheets = ws.spreadsheet.fetch_sheet_metadata()["sheets"]
    return next(s for s in sheets if s["properties"]["sheetId"] == ws.id)


def test_merge_and_unmerge(ws):
    ws.update([["제목 Title", "x"], ["y", "z"]], "A1")
    ws.merge_cells("A1:B2")
    assert _meta(ws)["merges"] == [{"sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 2,
                                    "startColumnIndex": 0, "endColumnIndex": 2}]
    assert ws.get_all_values()[:2] == [["제목 Title"]]  # only the top-left value survives
    assert ws.get_values("A1:B2", combine_merged_cells=True) == [["제목 Title"]]
    with pytest.raises(gspread.exceptions.APIError):
        ws.merge_cells("B2:C3")  # overlaps the first merge
    ws.merge_cells("D1:E2", merge_type="MERGE_ROWS")
    assert len(_meta(ws)["merges"]) == 3
    ws.unmerge_cells("A1:E2")
    assert "merges" not in _meta(ws)


def test_notes(ws):
    ws.insert_note("B3", "확인 필요 / check this")
    ws.update_notes({"C4": "두 번째", "A1": "first"})
    assert ws.get_note("B3") == "확인 필요 / check this"
    assert ws.get_notes() == [["first"], [], ["", "확인 필요 / check this"], ["", "", "두 번째"]]
    ws.clear_note("B3")
    assert ws.get_note("B3") == ""
    assert ws.get_note("A1") == "first"


def test_format_freeze_and_hidden_gridlines(ws):
    ws.format("A1:F1", {"textFormat": {"bold": True},
                        "backgroundColor": {"red": 0.9, "green": 0.9, "blue": 0.9}})
    ws.format("A1", {"textFormat": {"italic": True}})
    grid = ws.spreadsheet.fetch_sheet_metadata(
        {"includeGridData": "true", "ranges": [f"'{ws.title}'!A1:B1"]})
    row = grid["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert row[0]["userEnteredFormat"]["textFormat"] == {"italic": True}  # the mask replaced it
    assert row[1]["userEnteredFormat"]["textFormat"] == {"bold": True}
    assert row[1]["effectiveFormat"]["textFormat"]["fontFamily"] == "arial"
    ws.freeze(rows=2, cols=1)
    props = _meta(ws)["properties"]["gridProperties"]
    assert (props["frozenRowCount"], props["frozenColumnCount"]) == (2, 1)
    ws.freeze(0, 0)
    props = _meta(ws)["properties"]["gridProperties"]
    assert "frozenRowCount" not in props and "frozenColumnCount" not in props


def test_insert_and_delete_rows_and_columns_move_everything(ws):
    ws.update([["a1", "b1"], ["a2", "b2"], ["a3", "b3"]], "A1")
    ws.insert_note("A2", "note")
    ws.merge_cells("A3:B3")
    ws.format("A2", {"textFormat": {"bold": True}})
    ws.insert_rows([["new"]], 2, inherit_from_before=True)
    assert ws.get_all_values()[:4] == [["a1", "b1"], ["new", ""], ["a2", "b2"], ["a3", ""]]
    assert ws.get_note("A3") == "note" and ws.row_count == 21
    assert _meta(ws)["merges"][0]["startRowIndex"] == 3
    ws.spreadsheet.batch_update({"requests": [{"insertDimension": {
        "range": {"sheetId": ws.id, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}}]})
    assert ws.get("A1:C1") == [["", "a1", "b1"]]
    ws.delete_rows(1, 2)
    assert ws.get_all_values()[:2] == [["", "a2", "b2"], ["", "a3", ""]]
    assert ws.get_note("B1") == "note"
    ws.delete_columns(1)
    assert ws.get("A1:B1") == [["a2", "b2"]]
    assert _meta(ws)["merges"] == [{"sheetId": ws.id, "startRowIndex": 1, "endRowIndex": 2,
                                    "startColumnIndex": 0, "endColumnIndex": 2}]
    with pytest.raises(gspread.exceptions.APIError, match="inherit"):
        ws.spreadsheet.batch_update({"requests": [{"insertDimension": {
            "range": {"sheetId": ws.id, "dimension": "ROWS", "startIndex": 0, "endIndex": 1},
            "inheritFromBefore": True}}]})


def test_sort_keeps_frozen_header(ws):
    ws.resize(5, 3)
    ws.update([["이름", "점수", "통과"], ["다", 70, True], ["가", 95, False], ["나", 80, True],
               ["라", "", False]], "A1", value_input_option="USER_ENTERED")
    ws.freeze(rows=1)
    ws.sort((2, "des"))
    assert [r[0] for r in ws.get_all_values()] == ["이름", "가", "나", "다", "라"]  # blank last
    ws.sort((3, "asc"), (1, "asc"))
    assert [r[0] for r in ws.get_all_values()] == ["이름", "가", "라", "나", "다"]
    ws.sort((1, "asc"), range="A2:C3")
    assert [r[0] for r in ws.get_all_values()][:3] == ["이름", "가", "라"]


def test_basic_filter(ws):
    ws.set_basic_filter()
    assert _meta(ws)["basicFilter"]["range"] == {
        "sheetId": ws.id, "startRowIndex": 0, "endRowIndex": 20, "startColumnIndex": 0,
        "endColumnIndex": 6}
    ws.set_basic_filter("B1:C5")
    rng = _meta(ws)["basicFilter"]["range"]
    assert (rng["startColumnIndex"], rng["endColumnIndex"], rng["endRowIndex"]) == (1, 3, 5)
    ws.clear_basic_filter()
    assert "basicFilter" not in _meta(ws)


def test_hidden_rows_groups_and_named_ranges(ws):
    ws.hide_rows(2, 4)
    grid = ws.spreadsheet.fetch_sheet_metadata({"includeGridData": "true"})
    meta = grid["sheets"][0]["data"][0]["rowMetadata"]
    assert [bool(m.get("hiddenByUser")) for m in meta[:5]] == [False, False, True, True, False]
    ws.unhide_rows(2, 4)
    ws.add_dimension_group_rows(1, 5)
    ws.add_dimension_group_rows(2, 3)
    groups = ws.list_dimension_group_rows()
    assert [(g["range"]["startIndex"], g["depth"]) for g in groups] == [(1, 1), (2, 2)]
    ws.delete_dimension_group_rows(2, 3)
    assert len(ws.list_dimension_group_rows()) == 1
    ws.define_named_range("A1:B2", "합계범위")
    named = ws.spreadsheet.list_named_ranges()
    assert [n["name"] for n in named] == ["합계범위"]
    ws.delete_named_range(named[0]["namedRangeId"])
    assert ws.spreadsheet.list_named_ranges() == []


def test_copy_cut_and_duplicate(ws):
    ws.update([["a", "b"], ["c", "d"]], "A1")
    ws.copy_range("A1:B2", "D1")
    assert ws.get("D1:E2") == [["a", "b"], ["c", "d"]]
    ws.cut_range("A1:B1", "A5")
    assert ws.get("A1:B1") == [[]] and ws.get("A5:B5") == [["a", "b"]]
    copy = ws.duplicate(new_sheet_name="사본")
    assert copy.title == "사본" and copy.get("D1:E2") == [["a", "b"], ["c", "d"]]


def test_protected_range_refuses_other_writers(ws, gc, directory, tenant):
    member = add_user(directory, tenant, "sheet.writer")
    ws.spreadsheet.share(member, perm_type="user", role="writer", notify=False)
    ws.add_protected_range("A1:B2", editor_users_emails=[tenant.admin],
                           description="머리글 header")
    listed = ws.spreadsheet.list_protected_ranges(ws.id)
    assert [p["description"] for p in listed] == ["머리글 header"]
    assert listed[0]["requestingUserCanEdit"] is True
    theirs = clients_as(tenant, member).gspread().open_by_key(ws.spreadsheet.id).sheet1
    with pytest.raises(gspread.exceptions.APIError, match="protected cell"):
        theirs.update([["바꿈"]], "B2")
    with pytest.raises(gspread.exceptions.APIError, match="protected cell"):
        theirs.insert_note("A1", "note")
    theirs.update([["ok"]], "C3")  # outside the protection
    assert theirs.spreadsheet.list_protected_ranges(ws.id)[0]["requestingUserCanEdit"] is False
    ws.update([["owner"]], "A1")  # an editor of the protection writes as before
    ws.delete_protected_range(listed[0]["protectedRangeId"])
    theirs.update([["바꿈"]], "B2")
    assert ws.acell("B2").value == "바꿈"
    warned = ws.add_protected_range("A1:A2", warning_only=True)
    assert warned["replies"][0]["addProtectedRange"]["protectedRange"]["warningOnly"] is True
    theirs.update([["경고만"]], "A2")  # warning-only protection lets every writer through


def test_merge_over_merges_and_partial_overlaps(ws):
    ws.merge_cells("A1:B2", merge_type="MERGE_ROWS")
    assert len(_meta(ws)["merges"]) == 2
    ws.merge_cells("A1:B2")  # the row merges inside give way
    assert len(_meta(ws)["merges"]) == 1
    with pytest.raises(gspread.exceptions.APIError, match="select all cells in a merged"):
        ws.unmerge_cells("A1:A2")


def test_resize_colors_hiding_and_reversed_ranges(ws):
    ws.update_acell("A1", "가" * 60)
    ws.columns_auto_resize(0, 1)
    meta = ws.spreadsheet.fetch_sheet_metadata({"fields": "sheets.data.columnMetadata"})
    assert meta["sheets"][0]["data"][0]["columnMetadata"][0]["pixelSize"] > 100
    ws.format("B1", {"backgroundColor": {"red": 1}})
    got = ws.spreadsheet.fetch_sheet_metadata({
        "ranges": [f"'{ws.title}'!B1"], "fields": "sheets.data.rowData.values.userEnteredFormat"})
    fmt = got["sheets"][0]["data"][0]["rowData"][0]["values"][0]["userEnteredFormat"]
    assert fmt == {"backgroundColor": {"red": 1}, "backgroundColorStyle": {"rgbColor": {"red": 1}}}
    with pytest.raises(gspread.exceptions.APIError, match="hide all the sheets"):
        ws.hide()
    ws.update([["a", "b"], ["c", "d"]], "A1")
    assert ws.get("B2:A1") == [["a", "b"], ["c", "d"]]


def test_append_goes_below_the_last_table(ws):
    ws.append_row(["x", "", "z"])
    ws.append_row(["x", "", "z"])  # two tables on row 1: the last one (C1) takes the row
    assert ws.row_values(2) == ["", "", "x", "", "z"]
    ws.append_row(["y"], table_range="A1")  # the table at A1 is A1 alone
    assert ws.row_values(2)[0] == "y"


def test_copy_spreadsheet_with_its_content(gc, ws):
    ws.update([["원본"]], "A1")
    ws.insert_note("A1", "메모")
    copied = gc.copy(ws.spreadsheet.id)
    assert copied.title == "Copy of 보고서 Report"
    assert copied.sheet1.acell("A1").value == "원본" and copied.sheet1.get_note("A1") == "메모"
    copied.sheet1.update([["사본"]], "A1")
    assert ws.acell("A1").value == "원본"
    named = gc.copy(ws.spreadsheet.id, title="월간 보고서")
    assert named.title == "월간 보고서"


def test_everything_reported_matches_the_discovery_schema(ws, tenant):
    """All a sheet keeps (merges, filter, protections, groups, named ranges, formats, notes,
    row and column metadata) comes back in the shapes of Google's Spreadsheet schema."""
    from tests.sandbox.schema import assert_matches_schema

    ws.update([["a", 1], ["b", 2]], "A1", value_input_option="USER_ENTERED")
    ws.merge_cells("C1:D2")
    ws.format("A1:B1", {"textFormat": {"bold": True}, "backgroundColor": {"blue": 1}})
    ws.insert_note("A2", "note")
    ws.set_basic_filter("A1:B2")
    ws.add_protected_range("A1:A2", editor_users_emails=[tenant.admin])
    ws.add_dimension_group_columns(0, 2)
    ws.define_named_range("A1:B2", "표")
    ws.freeze(rows=1)
    ws.hide_rows(3, 4)
    sheets = GoogleClients(tenant, scopes.PUBLISH).service("sheets")
    full = sheets.spreadsheets().get(spreadsheetId=ws.spreadsheet.id,
                                     includeGridData=True).execute()
    assert_matches_schema("sheets", "Spreadsheet", full)
    sheet = full["sheets"][0]
    assert {"merges", "basicFilter", "protectedRanges", "columnGroups", "data"} <= set(sheet)
    assert full["namedRanges"][0]["name"] == "표"
    limited = sheets.spreadsheets().get(spreadsheetId=ws.spreadsheet.id, ranges=["A2:B2"],
                                        fields="sheets(properties(title),data)").execute()
    assert_matches_schema("sheets", "Spreadsheet", limited)
    data = limited["sheets"][0]["data"][0]
    assert data["startRow"] == 1 and data["rowData"][0]["values"][0]["note"] == "note"
    assert set(limited["sheets"][0]["properties"]) == {"title"}
