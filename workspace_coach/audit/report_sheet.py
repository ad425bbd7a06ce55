"""The audit report as a Google Sheet in the client's "Workspace Coach" shared drive.

`publish_sheet(profile, db, client_id, lang)`:

1. finds the shared drive named "Workspace Coach" (the oldest, if several) or creates it
   (Drive API `drives.create`; the connection's admin becomes its manager);
2. finds the report spreadsheet in that drive by its `appProperties`
   (`workspaceCoach=audit-report`, `client=<slug>`), so a re-run updates the same file even if
   someone renamed it, or creates it there (`files.create` with those appProperties);
3. writes worksheets "Scores", "Checks" and "Recommendations" through gspread, each cleared,
   sized and filled in one update with `valueInputOption=RAW`: text that looks like a formula is
   stored as text and never evaluated. Other worksheets a person added are left alone.

Scopes: `scopes.PUBLISH` (Drive and Sheets).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa

from workspace_coach.audit.report_data import ReportData, gather
from workspace_coach.audit.report_rows import Table, tables
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.drives import shared_drive
from workspace_coach.google.session import GoogleSession
from workspace_coach.labels import LABELS

DRIVE_NAME = "Workspace Coach"
SHEET_MIME = "application/vnd.google-apps.spreadsheet"
APP_PROPERTIES = {"workspaceCoach": "audit-report"}
WORKSHEETS = {"Scores": "scores", "Checks": "checks", "Recommendations": "recommendations"}

_CATEGORY, _STATUS, _WHY, _FIX = (LABELS[k]["ko"] for k in ("category", "status", "why", "fix"))

#: Korean header labels for the sheet (the report's words from `labels` where they are shared);
#: English headers are the column ids in words.
HEADERS_KO: dict[str, str] = {
    "client": "고객", "date": "날짜", "window_days": "기간(일)", "scope_type": "범위 유형",
    "scope_key": "범위", "category": f"{_CATEGORY} ID", "category_ko": _CATEGORY,
    "category_en": f"{_CATEGORY}(영문)",
    "value": "점수", "people": "인원", "indicator": "지표 ID", "indicator_ko": "지표",
    "indicator_en": "지표(영문)", "numerator": "분자", "denominator": "분모", "share": "비율",
    "target": "목표", "weight": "가중치", "points": "지표 점수", "check_id": "점검 ID",
    "severity": "심각도", "status": _STATUS, "reference": "기준", "affected_count": "대상 수",
    "title_ko": "제목", "title_en": "제목(영문)", "why_ko": _WHY, "why_en": f"{_WHY}(영문)",
    "fix_ko": _FIX, "fix_en": f"{_FIX}(영문)", "console_path": "관리 콘솔 경로",
    "affected": "대상", "rank": "순위", "kind": "종류", "subject": "대상 ID",
    "impact": "영향(점)", "detail_ko": "내용", "detail_en": "내용(영문)", "modules": "모듈 ID",
    "modules_ko": "교육 모듈", "modules_en": "교육 모듈(영문)", "actions_ko": "실행 방법",
    "actions_en": "실행 방법(영문)",
    # the portfolio report's worksheets (audit/portfolio_sheet.py)
    "client_ko": "고객 조직", "client_en": "고객 조직(영문)", "named": "이름 공개",
    "before_date": "코칭 전 날짜", "now_date": "최근 날짜", "overall_before": "코칭 전 종합",
    "overall_now": "최근 종합", "overall_change": "종합 변화", "sessions": "코칭 세션",
    "items_completed": "완료 항목", "critical_fixed": "해결한 심각 점검",
    "high_fixed": "해결한 높음 점검", "before": "코칭 전", "now": "최근", "change": "변화",
    "measure": "지표 ID", "measure_ko": "지표", "measure_en": "지표(영문)", "clients": "고객 수",
    "total": "합계",
}


@dataclass(frozen=True)
class PublishedReport:
    spreadsheet_id: str
    url: str
    drive_id: str
    created: bool
    rows: dict[str, int]  # worksheet title: data rows written


def _header(columns: list[str], lang: Literal["ko", "en"] | None) -> list[str]:
    def en(col: str) -> str:
        return col.replace("_", " ").capitalize()

    if lang == "en":
        return [en(c) for c in columns]
    if lang == "ko":
        return [HEADERS_KO.get(c, en(c)) for c in columns]
    return [f"{HEADERS_KO.get(c, en(c))} / {en(c)}" for c in columns]


def _value(value: Any) -> Any:
    return "" if value is None else value


def coach_drive(session: GoogleSession) -> tuple[str, bool]:
    """The "Workspace Coach" shared drive's id, created if there is none; (id, created)."""
    return shared_drive(session, DRIVE_NAME)


def _find_report(session: GoogleSession, drive_id: str, slug: str) -> str | None:
    files = session.service("drive").files()
    found = session.list_all(
        files.list, "files", what=f"report spreadsheet of {slug}", corpora="drive",
        driveId=drive_id, includeItemsFromAllDrives=True, supportsAllDrives=True, pageSize=100,
        q=f"mimeType = '{SHEET_MIME}' and trashed = false",
        fields="nextPageToken, files(id, name, createdTime, appProperties)")
    wanted = {**APP_PROPERTIES, "client": slug}
    mine = sorted((f for f in found
                   if all((f.get("appProperties") or {}).get(k) == v for k, v in wanted.items())),
                  key=lambda f: f.get("createdTime") or "")
    return mine[0]["id"] if mine else None


def _create_report(session: GoogleSession, drive_id: str, data: ReportData, fresh_drive: bool
                   ) -> str:
    title = f"Workspace Coach 진단 보고서 - {data.client.name}"
    request = session.service("drive").files().create(
        body={"name": title, "mimeType": SHEET_MIME, "parents": [drive_id],
              "appProperties": {**APP_PROPERTIES, "client": data.client.slug}},
        supportsAllDrives=True, fields="id")
    # A shared drive made moments ago can answer 404 for a while; `fresh` retries that.
    return session.execute(request, what=title, fresh=fresh_drive)["id"]


def _write(spreadsheet: Any, title: str, table: Table, lang: Literal["ko", "en"] | None) -> int:
    import gspread

    columns, rows = table
    values = [_header(columns, lang)] + [[_value(v) for v in row] for row in rows]
    try:
        ws = spreadsheet.worksheet(title)
        ws.clear()
    except gspread.WorksheetNotFound:
        ws = spreadsheet.add_worksheet(title=title, rows=len(values), cols=len(columns))
    ws.resize(rows=len(values), cols=len(columns))
    ws.update(values, "A1", value_input_option=gspread.utils.ValueInputOption.raw)
    return len(rows)


def publish_sheet(profile: ConnectionProfile, db: sa.Engine | sa.Connection, client_id: int,
                  lang: Literal["ko", "en"] | None = None, *,
                  session: GoogleSession | None = None) -> PublishedReport:
    """Write the report into the client's "Workspace Coach" shared drive (see module doc).

    `session` (else a new one) paces and retries every call, gspread's included."""
    data = gather(db, client_id)
    session = session or GoogleSession(GoogleClients(profile, scopes.PUBLISH))
    drive_id, fresh_drive = coach_drive(session)
    with session.fresh(fresh_drive):
        spreadsheet_id = _find_report(session, drive_id, data.client.slug)
    created = spreadsheet_id is None
    if spreadsheet_id is None:
        spreadsheet_id = _create_report(session, drive_id, data, fresh_drive)
    # A spreadsheet made seconds ago may answer 404 for a while: retried as "not yet".
    with session.fresh(created):
        spreadsheet = session.gspread().open_by_key(spreadsheet_id)
        all_tables = tables(data)
        rows = {title: _write(spreadsheet, title, all_tables[key], lang)
                for title, key in WORKSHEETS.items()}
        if created:
            for ws in spreadsheet.worksheets():
                if ws.title not in WORKSHEETS:
                    spreadsheet.del_worksheet(ws)  # the new file's empty "Sheet1"
    return PublishedReport(spreadsheet_id, spreadsheet.url, drive_id, created, rows)
