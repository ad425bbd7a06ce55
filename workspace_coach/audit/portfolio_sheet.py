"""The portfolio report as a Google Sheet in the "Workspace Coach" shared drive of the
connection it is given (the coach's or the programme's own organisation, not a client's).

Like the audit report sheet (`report_sheet`): the shared drive is found or created, the
spreadsheet is found by its `appProperties` (`workspaceCoach=portfolio-report`) so a re-run
updates the same file, and worksheets "Clients", "Scores" and "Programme" are each cleared,
sized and written in one update with `valueInputOption=RAW`. Every text cell also went through
`safe_text.safe_cell` (`portfolio_report.safe_rows`), so a formula-looking name stays text even
when the sheet is exported and opened elsewhere. The file's title and properties name no client.

Scopes: `scopes.PUBLISH` (Drive and Sheets), capability `report-sheet`.
"""

from __future__ import annotations

from typing import Literal

from workspace_coach.audit.portfolio import Portfolio
from workspace_coach.audit.portfolio_report import portfolio_tables, safe_rows
from workspace_coach.audit.report_sheet import (
    SHEET_MIME,
    PublishedReport,
    _write,
    coach_drive,
)
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.session import GoogleSession

APP_PROPERTIES = {"workspaceCoach": "portfolio-report"}
TITLE = "Workspace Coach 포트폴리오 보고서 · Portfolio report"
WORKSHEETS = {"Clients": "clients", "Scores": "scores", "Programme": "programme"}


def _find(session: GoogleSession, drive_id: str) -> str | None:
    files = session.service("drive").files()
    found = session.list_all(
        files.list, "files", what="portfolio spreadsheet", corpora="drive", driveId=drive_id,
        includeItemsFromAllDrives=True, supportsAllDrives=True, pageSize=100,
        q=f"mimeType = '{SHEET_MIME}' and trashed = false",
        fields="nextPageToken, files(id, name, createdTime, appProperties)")
    mine = sorted((f for f in found if all((f.get("appProperties") or {}).get(k) == v
                                           for k, v in APP_PROPERTIES.items())),
                  key=lambda f: f.get("createdTime") or "")
    return mine[0]["id"] if mine else None


def publish_portfolio_sheet(profile: ConnectionProfile, data: Portfolio,
                            lang: Literal["ko", "en"] | None = None, *,
                            session: GoogleSession | None = None) -> PublishedReport:
    """Write the portfolio into the profile's "Workspace Coach" shared drive (module doc)."""
    session = session or GoogleSession(GoogleClients(profile, scopes.PUBLISH))
    drive_id, fresh_drive = coach_drive(session)
    with session.fresh(fresh_drive):
        spreadsheet_id = _find(session, drive_id)
    created = spreadsheet_id is None
    if spreadsheet_id is None:
        request = session.service("drive").files().create(
            body={"name": TITLE, "mimeType": SHEET_MIME, "parents": [drive_id],
                  "appProperties": APP_PROPERTIES},
            supportsAllDrives=True, fields="id")
        spreadsheet_id = session.execute(request, what=TITLE, fresh=fresh_drive)["id"]
    tables = portfolio_tables(data)
    with session.fresh(created):
        spreadsheet = session.gspread().open_by_key(spreadsheet_id)
        rows = {}
        for title, key in WORKSHEETS.items():
            header, *body = safe_rows(tables[key])
            rows[title] = _write(spreadsheet, title, (header, body), lang)
        if created:
            for ws in spreadsheet.worksheets():
                if ws.title not in WORKSHEETS:
                    spreadsheet.del_worksheet(ws)
    return PublishedReport(spreadsheet_id, spreadsheet.url, drive_id, created, rows)
