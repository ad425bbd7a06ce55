"""`audit report --format sheet` against a sandbox that fails like Google: faults on every call
(gspread's included) are waited out, and a failure that stays is one line naming the call."""

from __future__ import annotations

import functools

from typer.testing import CliRunner

from tests.audit.test_report import populate, sqlite_engine  # noqa: F401 - fixture
from workspace_coach.audit.report_sheet import publish_sheet
from workspace_coach.cli.main import app as cli
from workspace_coach.google import scopes
from workspace_coach.google import session as session_module
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import GoogleApiError, RetryPolicy
from workspace_coach.google.session import GoogleSession


def no_wait(seconds: float) -> None:
    pass


def test_report_sheet_written_through_faults_once(sqlite_engine, tenant, realism):  # noqa: F811
    cid = populate(sqlite_engine, slug=tenant.name)
    realism(fault_rate=0.3, fault_kinds=["backend503", "rate429", "drop"], seed=5)
    runs, waits = [], []
    for _ in range(2):
        retry = RetryPolicy(sleep=waits.append, rand=lambda: 0.0, max_tries=12)
        session = GoogleSession(GoogleClients(tenant, scopes.PUBLISH), retry=retry,
                                limiter=RateLimiter(sleep=no_wait))
        runs.append((publish_sheet(tenant, sqlite_engine, cid, "ko", session=session), session))
    realism(fault_rate=0.0)
    (first, session), (again, _) = runs
    assert first.created and not again.created
    assert again.spreadsheet_id == first.spreadsheet_id and again.drive_id == first.drive_id
    drive = GoogleClients(tenant, scopes.PUBLISH).service("drive")
    files = drive.files().list(corpora="drive", driveId=first.drive_id,
                               includeItemsFromAllDrives=True, supportsAllDrives=True,
                               q="trashed = false", fields="files(id)").execute()["files"]
    assert [f["id"] for f in files] == [first.spreadsheet_id]
    assert waits  # faults were met and waited out
    calls = session.counters.snapshot()
    assert calls["sheets.spreadsheets.values.update"].calls >= 3  # gspread's, counted by name
    book = GoogleClients(tenant, scopes.PUBLISH).gspread().open_by_key(first.spreadsheet_id)
    assert [ws.title for ws in book.worksheets()] == ["Scores", "Checks", "Recommendations"]


def test_cli_failure_that_stays_is_one_line(sqlite_engine, tenant, tmp_path,  # noqa: F811
                                            realism, monkeypatch):
    populate(sqlite_engine, slug=tenant.name)
    env = {"WC_DATABASE_URL": str(sqlite_engine.url), "WC_DATA_DIR": str(tmp_path / "data")}
    args = ["audit", "report", "--connection", str(tenant.source), "--format", "sheet"]
    monkeypatch.setattr(session_module, "RetryPolicy",
                        functools.partial(RetryPolicy, sleep=no_wait, rand=lambda: 0.0))
    # One Sheets write a minute: the report's second write meets Sheets' 429 until retries end.
    realism(sheets_write_qpm=1)
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code != 0
    error = result.exception
    assert isinstance(error, GoogleApiError), result.output
    text = str(error)
    assert text.startswith("sheets.spreadsheets.") and " for spreadsheet " in text
    assert "failed after 8 tries: HTTP 429" in text and "Write requests per minute per user" in text
    assert "\n" not in text
