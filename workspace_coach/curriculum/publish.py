"""Publish each trainee's checklist as a Google Sheet, and sync ticks both ways.

`publish()`, per trainee:

1. finds the client's training shared drive by name (default "교육 Training") or creates it
   (Drive API, `scopes.PUBLISH`, as the profile's admin, who becomes its only organizer; its
   files are restricted to the organisation's users);
2. finds the trainee's sheet: the id in `published_sheets`, else a file in the drive whose
   `appProperties` say this track and this person (so a crash between creating the file and
   recording it never leads to a second sheet), else creates it there with those
   `appProperties`; records it at once;
3. writes the checklist through gspread: one row per item (module, Korean and English title,
   help link, "I did it" checkbox, "verified" checkbox, date, evidence, flag, item id), the tick
   boxes as BOOLEAN data validation; a trainee's ticks already in the sheet are kept; the
   sheet is protected but for the "I did it" boxes, so the trainee can only tick;
4. shares it with the trainee as **writer** (a commenter cannot tick a box) and with the coach
   as **commenter** when the coach is someone other than the publishing admin (the admin
   already reaches every sheet as the drive's organizer; permissions in a shared drive only
   ever add access). Any other direct permission on the sheet is removed: shared with the
   trainee only.

`sync()` reads each published sheet back: a tick that differs from the trainee's current
self-attestation becomes a new `self` mark (by the trainee, at the sync time); then the
evidence columns are rewritten from the audit store.

Every text written is passed through `safe_cell` and sent as USER_ENTERED, so nothing a
curriculum or a person wrote can run as a formula. Publishing needs the client's per-person
consent: each sheet shows one person's evidence to the coach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.curriculum.marks import current_marks, record_mark
from workspace_coach.curriculum.progress import (
    PersonProgress,
    evaluate_people,
    load_directory,
    trainees,
)
from workspace_coach.curriculum.schema import Curriculum
from workspace_coach.errors import UserError
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.drives import quote, shared_drive
from workspace_coach.google.session import GoogleSession
from workspace_coach.safe_text import safe_cell
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import client_by_slug
from workspace_coach.storage.upsert import upsert

SPREADSHEET = "application/vnd.google-apps.spreadsheet"
DRIVE_NAME = "교육 Training"
APP_KEY = "workspaceCoach"  # appProperties: {workspaceCoach: checklist, track, person}
WORKSHEET = "체크리스트 Checklist"
HEADER_ROW = 3  # 1-based row of the column headings; items start below it
COLUMNS = ("모듈 Module", "항목", "Item", "도움말 Help", "내가 했어요 I did it",
           "확인됨 Verified", "확인 날짜 Date", "근거 Evidence", "알림 Flag", "id")
SELF_COL, VERIFIED_COL, ID_COL = 4, 5, 9  # 0-based
PROTECTION = "Workspace Coach: 항목은 보호됨, '내가 했어요'만 체크 / items protected, tick only"


@dataclass
class SheetResult:
    person: str
    spreadsheet_id: str
    created: bool
    url: str


@dataclass
class PublishReport:
    drive_id: str
    drive_created: bool
    sheets: list[SheetResult] = field(default_factory=list)


@dataclass
class SyncReport:
    sheets: int = 0
    marks_added: int = 0
    missing: list[str] = field(default_factory=list)  # people whose sheet is gone


def _clients(profile: ConnectionProfile) -> GoogleClients:
    return GoogleClients(profile, scopes.PUBLISH)


def _text(value: object) -> str:
    return safe_cell(value)


# -- the training drive and the sheets -------------------------------------------------------

def ensure_drive(session: GoogleSession, name: str = DRIVE_NAME) -> tuple[str, bool]:
    """(drive id, created?): the training shared drive, created for domain users only."""
    return shared_drive(session, name, restrictions={"domainUsersOnly": True})


def _find_sheet(session: GoogleSession, drive_id: str, track: str, person: str, *,
                fresh: bool = False) -> str | None:
    """The oldest sheet in the drive tagged for this track and person (a re-run after a kill
    between create and record finds the sheet the killed run made)."""
    drive = session.service("drive")
    q = (f"appProperties has {{ key='{APP_KEY}' and value='checklist' }} and "
         f"appProperties has {{ key='track' and value={quote(track)} }} and "
         f"appProperties has {{ key='person' and value={quote(person)} }} and trashed = false")
    found = session.execute(drive.files().list(
        q=q, corpora="drive", driveId=drive_id, includeItemsFromAllDrives=True,
        supportsAllDrives=True, orderBy="createdTime", fields="files(id)"),
        what=f"find {person}'s sheet", fresh=fresh) or {}
    files = found.get("files") or []
    return files[0]["id"] if files else None


def _alive(session: GoogleSession, file_id: str) -> bool:
    from workspace_coach.google.retry import GoogleApiError

    try:
        item = session.execute(session.service("drive").files().get(
            fileId=file_id, supportsAllDrives=True, fields="id,trashed"), what="a checklist sheet")
    except GoogleApiError as exc:
        if exc.status == 404:
            return False
        raise
    return not (item or {}).get("trashed")


def _sheet_name(curriculum: Curriculum, person: str) -> str:
    return f"{curriculum.title.ko} {curriculum.title.en} - {person}"


def _ensure_sheet(session: GoogleSession, conn: sa.Connection, client_id: int, drive_id: str,
                  curriculum: Curriculum, person: str, *, fresh_drive: bool = False
                  ) -> tuple[str, bool]:
    """(sheet id, created?). `fresh_drive`: the drive was created by this run, so Drive may
    still answer 404 for it."""
    row = conn.execute(sa.select(m.PublishedSheet.spreadsheet_id).where(
        m.PublishedSheet.client_id == client_id, m.PublishedSheet.track == curriculum.id,
        m.PublishedSheet.person_email == person)).scalar()
    if row and _alive(session, row):
        return row, False
    found = _find_sheet(session, drive_id, curriculum.id, person, fresh=fresh_drive)
    created = found is None
    if found is None:
        made = session.execute(session.service("drive").files().create(
            supportsAllDrives=True, fields="id", body={
                "name": _sheet_name(curriculum, person), "mimeType": SPREADSHEET,
                "parents": [drive_id],
                "appProperties": {APP_KEY: "checklist", "track": curriculum.id,
                                  "person": person}}), what=f"create {person}'s sheet",
            fresh=fresh_drive)
        found = made["id"]
    now = dt.datetime.now(dt.UTC)
    upsert(conn, m.PublishedSheet.__table__, [{
        "client_id": client_id, "track": curriculum.id, "person_email": person,
        "spreadsheet_id": found, "drive_id": drive_id, "published_at": now,
        "synced_at": None}], ["client_id", "track", "person_email"])
    return found, created


def _share(session: GoogleSession, file_id: str, person: str, coach: str | None,
           publisher: str, *, fresh: bool = False) -> None:
    """Trainee writer, coach commenter, nobody else directly. `fresh`: the drive was made
    moments ago, and Google answers 404 for its files' sharing until it is ready everywhere."""
    drive = session.service("drive")
    wanted = {person: "writer"}
    if coach and coach.lower() != publisher.lower():
        wanted[coach.lower()] = "commenter"
    listed = session.execute(drive.permissions().list(
        fileId=file_id, supportsAllDrives=True,
        fields="permissions(id,type,role,emailAddress,permissionDetails)"),
        what="the sheet's permissions", fresh=fresh) or {}
    have: dict[str, dict[str, Any]] = {}
    for p in listed.get("permissions") or []:
        details = p.get("permissionDetails") or []
        direct = not details or any(not d.get("inherited") for d in details)
        if not direct:
            continue
        address = (p.get("emailAddress") or "").lower()
        if address in wanted and p.get("type") == "user":
            have[address] = p
            continue
        if p.get("role") in ("owner", "organizer"):
            continue
        session.execute(drive.permissions().delete(fileId=file_id, permissionId=p["id"],
                                                   supportsAllDrives=True),
                        what="remove a permission", fresh=fresh)
    for address, role in wanted.items():
        if have.get(address, {}).get("role") == role:
            continue
        session.execute(drive.permissions().create(
            fileId=file_id, supportsAllDrives=True, sendNotificationEmail=False,
            body={"type": "user", "role": role, "emailAddress": address}),
            what=f"share with {address}", fresh=fresh)


# -- sheet content ---------------------------------------------------------------------------

def _evidence_cells(progress: PersonProgress) -> dict[str, list[Any]]:
    """{item id: [verified, date, evidence, flag]} for the evidence columns."""
    out = {}
    for entry in progress.items:
        verified = entry.status in ("done", "overridden_done")
        date = entry.resolved.on.isoformat() if verified and entry.resolved.on else ""
        if entry.status == "done" and entry.evidence.proof is not None:
            proof = entry.evidence.proof.describe()
        elif entry.status in ("overridden_done", "overridden_not_done"):
            proof = f"코치 coach: {entry.resolved.by}" + (
                f" - {entry.resolved.note}" if entry.resolved.note else "")
        else:
            proof = ""
        flag = " / ".join(f"{f.text.ko} {f.text.en} ({f.proof.on.isoformat()})"
                          for f in entry.evidence.flags)
        out[entry.item.id] = [verified, _text(date), _text(proof), _text(flag)]
    return out


def _rows(curriculum: Curriculum, progress: PersonProgress, ticks: dict[str, bool]
          ) -> list[list[Any]]:
    evidence = _evidence_cells(progress)
    rows = []
    for module, item in curriculum.items():
        link = item.link or f"{item.howto.ko} / {item.howto.en}"  # type: ignore[union-attr]
        rows.append([_text(f"{module.title.ko} / {module.title.en}"), _text(item.title.ko),
                     _text(item.title.en), _text(link), bool(ticks.get(item.id, False)),
                     *evidence[item.id], _text(item.id)])
    return rows


def _read_ticks(values: list[list[Any]]) -> dict[str, bool]:
    """{item id: ticked} from the sheet's "I did it" column (`values`: the sheet's cells)."""
    out = {}
    for row in values[HEADER_ROW:]:
        if len(row) > ID_COL and row[ID_COL]:
            out[row[ID_COL]] = str(row[SELF_COL]).strip().upper() == "TRUE"
    return out


def _protection(spreadsheet: Any, sheet_id: int, last: int, editor: str, *,
                created: bool) -> dict[str, Any]:
    """The request that protects the whole checklist but its "I did it" boxes: the trainee
    (a writer of the file) can only tick; the publishing admin stays an editor. Updated in
    place on a re-publish, so the sheet never carries two protections of ours."""
    protected: dict[str, Any] = {
        "range": {"sheetId": sheet_id}, "description": PROTECTION, "warningOnly": False,
        "unprotectedRanges": [{"sheetId": sheet_id, "startRowIndex": HEADER_ROW,
                               "endRowIndex": last, "startColumnIndex": SELF_COL,
                               "endColumnIndex": SELF_COL + 1}],
        "editors": {"users": [editor]}}
    # a new sheet carries no protection yet: one Sheets read saved per trainee
    for existing in [] if created else spreadsheet.list_protected_ranges(sheet_id):
        if existing.get("description") == PROTECTION:
            protected["protectedRangeId"] = existing["protectedRangeId"]
            return {"updateProtectedRange": {
                "protectedRange": protected,
                "fields": "range,description,warningOnly,unprotectedRanges,editors"}}
    return {"addProtectedRange": {"protectedRange": protected}}


def _write(spreadsheet: Any, curriculum: Curriculum, person: str, rows: list[list[Any]],
           editor: str, *, created: bool = False) -> Any:
    """Three Sheets writes for a sheet published before, two for a new one: Sheets allows 60
    writes a minute per user, so every write saved is a second saved per trainee."""
    worksheet = spreadsheet.sheet1
    head = [[_text(f"{curriculum.title.ko} 체크리스트 · {curriculum.title.en} checklist"),
             _text(person)],
            [_text("할 일을 마치면 '내가 했어요'를 체크하세요. '확인됨'은 Google 기록으로 "
                   "확인된 항목입니다. / Tick 'I did it' when you have done an item; "
                   "'Verified' means Google's records show it.")],
            [_text(c) for c in COLUMNS]]
    last = HEADER_ROW + len(rows)
    if not created:  # rows left over from a longer checklist; a new sheet has none
        worksheet.batch_clear([f"A{last + 1}:J{max(last + 1, worksheet.row_count)}"])
    worksheet.update(head + rows, "A1", value_input_option="USER_ENTERED")
    sheet_id = worksheet.id
    boolean = {"condition": {"type": "BOOLEAN"}, "strict": True}
    # the worksheet's title goes with the formatting, in the same write
    title = [] if worksheet.title == WORKSHEET else [{"updateSheetProperties": {
        "properties": {"sheetId": sheet_id, "title": WORKSHEET}, "fields": "title"}}]
    spreadsheet.batch_update({"requests": title + [
        {"setDataValidation": {"range": {
            "sheetId": sheet_id, "startRowIndex": HEADER_ROW, "endRowIndex": last,
            "startColumnIndex": col, "endColumnIndex": col + 1}, "rule": boolean}}
        for col in (SELF_COL, VERIFIED_COL)] + [
        {"updateSheetProperties": {"properties": {
            "sheetId": sheet_id, "gridProperties": {"frozenRowCount": HEADER_ROW}},
            "fields": "gridProperties.frozenRowCount"}},
        {"repeatCell": {"range": {"sheetId": sheet_id, "startRowIndex": HEADER_ROW - 1,
                                  "endRowIndex": HEADER_ROW},
                        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold"}},
        _protection(spreadsheet, sheet_id, last, editor, created=created),
    ]})
    return worksheet


# -- publish and sync ------------------------------------------------------------------------

def _people(conn: sa.Connection, client_id: int, curriculum: Curriculum, team: str | None,
            people: Sequence[str] | None) -> list[str]:
    directory = load_directory(conn, client_id)
    emails = trainees(curriculum, directory)
    if team is not None:
        _, _, members = directory.team_members(team)
        emails = [e for e in emails if e in members]
    if people is not None:
        wanted = {p.lower() for p in people}
        unknown = wanted - set(directory.people)
        if unknown:
            raise UserError(f"no person '{min(unknown)}' in the newest directory snapshot")
        emails = [e for e in emails if e in wanted]
    return emails


def _consent(client: sa.Row, what: str) -> None:
    if not client.per_person_insights:
        raise UserError(f"'{client.slug}' has not consented to per-person insights: {what} "
                        "shows each trainee's evidence, so it needs per_person_insights: true")


def publish(profile: ConnectionProfile, engine: Engine, curriculum: Curriculum, *,
            team: str | None = None, people: Sequence[str] | None = None,
            coach: str | None = None, drive_name: str = DRIVE_NAME,
            as_of: dt.datetime | None = None, start: dt.datetime | None = None,
            clients: GoogleClients | None = None, session: GoogleSession | None = None,
            advance: Callable[[str], None] | None = None) -> PublishReport:
    """Create or update every trainee's sheet (of `team`, or `people`); see the docstring.

    `session` (else one over `clients`) carries the limiter and retry policy for every call,
    gspread's included."""
    session = session or GoogleSession(clients or _clients(profile))
    with engine.connect() as conn:
        client = client_by_slug(conn, profile.name)
        _consent(client, "publishing")
        emails = _people(conn, client.id, curriculum, team, people)
        progress = {p.email: p for p in evaluate_people(conn, client.id, curriculum, emails,
                                                        as_of=as_of, start=start)}
    drive_id, drive_created = ensure_drive(session, drive_name)
    report = PublishReport(drive_id, drive_created)
    gc = session.gspread()
    for email in emails:
        with engine.begin() as conn:
            file_id, created = _ensure_sheet(session, conn, client.id, drive_id, curriculum,
                                             email, fresh_drive=drive_created)
        with session.fresh(created):  # a sheet made seconds ago may not be found at once
            spreadsheet = gc.open_by_key(file_id)
            ticks = {} if created else _read_ticks(spreadsheet.sheet1.get_all_values())
            for item in progress[email].items:  # marks recorded elsewhere (CLI, dashboard)
                if item.item.id not in ticks and item.marks.self_mark is not None:
                    ticks[item.item.id] = item.marks.self_mark.status == "done"
            _write(spreadsheet, curriculum, email, _rows(curriculum, progress[email], ticks),
                   profile.admin, created=created)
            _share(session, file_id, email, coach or profile.admin, profile.admin)
        report.sheets.append(SheetResult(email, file_id, created, spreadsheet.url))
        if advance:
            advance(email)
    return report


def sync(profile: ConnectionProfile, engine: Engine, curriculum: Curriculum, *,
         as_of: dt.datetime | None = None, start: dt.datetime | None = None,
         clients: GoogleClients | None = None, session: GoogleSession | None = None,
         advance: Callable[[str], None] | None = None) -> SyncReport:
    """Read self-ticks back into marks, then rewrite the evidence columns of every sheet."""
    session = session or GoogleSession(clients or _clients(profile))
    gc = session.gspread()
    report = SyncReport()
    with engine.connect() as conn:
        client = client_by_slug(conn, profile.name)
        _consent(client, "syncing")
        sheets = conn.execute(sa.select(m.PublishedSheet.__table__).where(
            m.PublishedSheet.client_id == client.id,
            m.PublishedSheet.track == curriculum.id).order_by(m.PublishedSheet.person_email)
        ).all()
    item_ids = {item.id for _, item in curriculum.items()}
    for sheet in sheets:
        email = sheet.person_email
        if not _alive(session, sheet.spreadsheet_id):
            report.missing.append(email)
            continue
        spreadsheet = gc.open_by_key(sheet.spreadsheet_id)
        worksheet = spreadsheet.sheet1
        values = worksheet.get_all_values()
        ticks = _read_ticks(values)
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:
            mine = current_marks(conn, client.id, curriculum.id, [email])
            for item_id, ticked in ticks.items():
                if item_id not in item_ids:
                    continue
                current = mine.get((email, item_id))
                was = current is not None and current.self_mark is not None and \
                    current.self_mark.status == "done"
                if ticked != was:
                    record_mark(conn, client.id, curriculum, item_id, email, kind="self",
                                status="done" if ticked else "not_done", marked_by=email,
                                note="sheet", at=now)
                    report.marks_added += 1
            progress = evaluate_people(conn, client.id, curriculum, [email], as_of=as_of,
                                       start=start)[0]
            evidence = _evidence_cells(progress)
            updates = []
            for index, row in enumerate(values[HEADER_ROW:], HEADER_ROW + 1):
                if len(row) > ID_COL and row[ID_COL] in evidence:
                    updates.append({"range": f"F{index}:I{index}",
                                    "values": [evidence[row[ID_COL]]]})
            if updates:
                worksheet.batch_update(updates, value_input_option="USER_ENTERED")
            conn.execute(sa.update(m.PublishedSheet).where(m.PublishedSheet.id == sheet.id)
                         .values(synced_at=now))
        report.sheets += 1
        if advance:
            advance(email)
    return report

