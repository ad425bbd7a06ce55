"""Reports from stored results: the HTML page, the CSV files and the Google Sheet written
through gspread into a sandbox tenant's shared drive."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from typer.testing import CliRunner

from tests.audit.stored import (
    NEWEST,
    add_check,
    add_client,
    add_run,
    add_scores,
    add_session,
    category_inputs,
    indicator,
    migrate,
    uniform,
)
from tests.audit.test_cli import run as run_cli
from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.report import render_html
from workspace_coach.audit.report_data import gather
from workspace_coach.audit.report_rows import csv_text, tables, write_csv
from workspace_coach.audit.report_sheet import DRIVE_NAME, publish_sheet
from workspace_coach.cli.main import app as cli
from workspace_coach.errors import UserError
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.storage.db import make_engine

EVIL_NAME = "<script>alert('x')</script> 해살 협동조합"
FORMULA_TITLE = "=HYPERLINK(\"http://evil.example\",\"클릭\")"


def populate(engine, slug: str = "haessal") -> int:
    """A client with scores (org, teams, a too-small team, a person), a trend, checks with
    hostile text, a coaching session and five peers of its size."""
    migrate(engine)
    session_day = NEWEST - dt.timedelta(days=14)
    with engine.begin() as conn:
        cid = add_client(conn, slug, 24, display_name=EVIL_NAME)
        run = add_run(conn, cid)
        for back in range(20, 0, -1):
            day = NEWEST - dt.timedelta(days=back)
            add_scores(conn, cid, run, uniform(40.0 + back), date=day)
        values = {**uniform(50.0), "meetings": 30.0, "security": 45.0}
        add_scores(conn, cid, run, values, inputs={
            "collaboration": {"indicators": [
                indicator("editors", "+편집자", "-Editors", 4, 20, 1.0, 3.0),
                indicator("sharers", "@공유자", "Sharers", 8, 20, 0.5, 1.0)],
                "people": 20, "days": 28}})
        add_scores(conn, cid, run, uniform(61.0), scope_type="org_unit", scope_key="/교육",
                   people=12)
        add_scores(conn, cid, run, uniform(33.0), scope_type="group",
                   scope_key="=cmd|' /C calc'!A0@evil.example.kr", people=6)
        add_scores(conn, cid, run, uniform(44.0), scope_type="group", scope_key="others",
                   people=5)
        add_scores(conn, cid, run, {"activation": 77.0}, scope_type="group",
                   scope_key="tiny-team@haessal.example.kr",
                   inputs={"activation": category_inputs(77.0, people=3)})
        add_scores(conn, cid, run, {"activation": 12.0}, scope_type="person",
                   scope_key="someone@haessal.example.kr")
        add_check(conn, cid, run, "admins-without-2sv", "critical",
                  affected=[{"type": "user", "id": "boss@haessal.example.kr"}],
                  title=(FORMULA_TITLE, FORMULA_TITLE))
        add_check(conn, cid, run, "files-public-by-link", "medium",
                  affected=[{"type": "file", "id": "=1+1"}],
                  fix=("<b>링크</b> 공유를 끄세요", "Turn off <b>link</b> sharing"))
        add_check(conn, cid, run, "super-admins-count", "high", status="pass")
        add_session(conn, cid, session_day)
        for n in range(5):
            peer = add_client(conn, f"peer-{n}", 20 + n, display_name=f"비밀 고객 {n}")
            add_scores(conn, peer, add_run(conn, peer), uniform(30.0 + 9 * n))
    return cid


SECTIONS = ("scores", "trend", "teams", "checks", "benchmark", "recommendations")


def _no_resource_loads(page: str) -> None:
    assert "<script" not in page.lower()
    assert not re.search(r"\b(src|href|xlink:href)\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link\b|@import|url\(", page, re.IGNORECASE)
    assert not re.search(r"https?://(?!evil\.example)", page)  # only the escaped hostile text


def test_html_has_every_section_escapes_and_loads_nothing(engine):
    cid = populate(engine)
    page = render_html(engine, cid)
    for section in SECTIONS:
        assert f'<section id="{section}">' in page
    _no_resource_loads(page)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; 해살 협동조합" in page
    assert "&lt;b&gt;링크&lt;/b&gt;" in page and "<b>" not in page
    assert "@page { size: A4" in page
    # Charts: category bars and one trend line per category, as inline SVG.
    assert page.count('<svg class="chart"') == 1
    assert page.count('<svg class="spark"') == len(CATEGORIES)
    assert page.count("<polyline") == len(CATEGORIES)
    # Both languages by default.
    assert "Google Workspace 활용 진단 보고서" in page and "Google Workspace adoption report" in page
    # Teams: stored folded scopes only; a scope under the minimum size and people never shown.
    teams = page[page.index('<section id="teams">'):page.index('<section id="checks">')]
    assert "/교육" in teams and "Others (small teams combined)" in teams
    assert "5명 미만인 조직 단위와 그룹은" in teams  # the client's own minimum size
    assert "tiny-team" not in page and "someone@" not in page
    # Checks by severity with the fix of failing ones; the benchmark is shown (five peers).
    checks = page[page.index('<section id="checks">'):]
    assert checks.index('data-check="admins-without-2sv"') < checks.index(
        'data-check="files-public-by-link"') < checks.index('data-check="super-admins-count"')
    assert "Admin console &gt; Security" in checks
    bench = page[page.index('<section id="benchmark">'):]
    assert "20-49" in bench and "비밀 고객" not in page
    recs = page[page.index('<section id="recommendations">'):page.index('<section id="scores">')]
    assert recs.index('data-kind="check"') < recs.index('data-kind="loss"') < recs.index(
        'data-kind="gap"')
    assert "2단계 인증 의무화" in recs and "Enforcing 2-Step Verification" in recs


@pytest.mark.parametrize("lang,present,absent", [
    ("ko", "조직 점수", "Organisation scores"),
    ("en", "Organisation scores", "조직 점수"),
])
def test_html_in_one_language(engine, lang, present, absent):
    cid = populate(engine)
    page = render_html(engine, cid, lang)
    assert present in page and absent not in page
    assert f'<html lang="{lang}">' in page
    _no_resource_loads(page)


def test_html_without_scores_still_renders(engine):
    migrate(engine)
    with engine.begin() as conn:
        cid = add_client(conn, "new-client", 7)
    page = render_html(engine, cid, "en")
    for section in SECTIONS:
        assert f'<section id="{section}">' in page
    assert "There is no score for this category yet." in page


DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_is_formula_safe_and_survives_excel(engine, tmp_path):
    cid = populate(engine)
    paths = write_csv(gather(engine, cid), tmp_path / "out")
    assert [p.name for p in paths] == [f"haessal-{n}.csv" for n in
                                       ("scores", "checks", "recommendations", "benchmark")]
    seen_escaped = set()
    for path in paths:
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
        text = raw.decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(DANGEROUS), (path.name, cell)
                if cell.startswith("'"):
                    seen_escaped.add(cell[1:2])
    assert {"=", "+", "-", "@"} <= seen_escaped
    scores = list(csv.DictReader(io.StringIO(paths[0].read_text(encoding="utf-8-sig"))))
    editors = next(r for r in scores if r["indicator"] == "editors")
    assert (editors["numerator"], editors["denominator"], editors["indicator_ko"],
            editors["indicator_en"]) == ("4", "20", "'+편집자", "'-Editors")
    assert editors["category_ko"] == CATEGORY_LABELS["collaboration"]["ko"] and editors["scope_key"] == "*"
    scopes = {(r["scope_type"], r["scope_key"]) for r in scores}
    assert scopes == {("org", "*"), ("org_unit", "/교육"), ("group", "others"),
                      ("group", "'=cmd|' /C calc'!A0@evil.example.kr")}
    overall = [r for r in scores if r["scope_type"] == "org" and r["category"] == "overall"]
    assert {r["indicator"] for r in overall} == set(CATEGORIES) - {"overall"}
    checks = list(csv.DictReader(io.StringIO(paths[1].read_text(encoding="utf-8-sig"))))
    assert checks[0]["title_ko"] == "'" + FORMULA_TITLE and checks[1]["affected"] == "'=1+1"


def test_csv_cells_keep_numbers_and_neutralise_text():
    header = ["a", "b", "c", "d", "e"]
    text = csv_text((header, [[-3.5, "-3.5", "=SUM(A1)", None, True]]))
    assert text.splitlines()[1] == "-3.5,'-3.5,'=SUM(A1),,true"


@pytest.fixture
def sqlite_engine(tmp_path):
    """One database is enough where the output, not the SQL, is under test."""
    engine = make_engine(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    yield engine
    engine.dispose()


def test_cli_writes_html_and_csv(sqlite_engine, tmp_path):
    engine = sqlite_engine
    populate(engine, slug="haessal")
    profile = tmp_path / "connection.yaml"
    profile.write_text("name: haessal\ndomain: haessal.example.kr\nadmin: a@haessal.example.kr\n"
                       "credentials: sa.json\n", encoding="utf-8")
    env = {"WC_DATABASE_URL": str(engine.url), "WC_DATA_DIR": str(tmp_path / "data")}
    runner = CliRunner()
    out = tmp_path / "report.html"
    done = runner.invoke(cli, ["audit", "report", "--connection", str(profile), "--out",
                               str(out), "--lang", "ko"], env=env)
    assert done.exit_code == 0, done.output
    assert out.exists() and "조직 점수" in out.read_text(encoding="utf-8")
    folder = tmp_path / "csv"
    done = runner.invoke(cli, ["audit", "report", "--connection", str(profile), "--format", "csv",
                               "--out", str(folder)], env=env)
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"haessal-{n}.csv" for n in ("scores", "checks", "recommendations", "benchmark"))
    other = tmp_path / "other.yaml"
    other.write_text(profile.read_text(encoding="utf-8").replace("name: haessal", "name: nobody"),
                     encoding="utf-8")
    missing = runner.invoke(cli, ["audit", "report", "--connection", str(other)], env=env)
    assert isinstance(missing.exception, UserError)
    assert "'nobody' is not in the coach's database" in str(missing.exception)
    # As a person sees a mistake: one line, no traceback.
    bad = run_cli("audit", "report", "--connection", str(profile), "--format", "pdf", env=env)
    assert bad.returncode == 1 and len(bad.stderr.strip().splitlines()) == 1
    assert "--format 'pdf': use html, csv or sheet" in bad.stderr


def _report_files(clients: GoogleClients, drive_id: str) -> list[dict]:
    files = clients.service("drive").files().list(
        corpora="drive", driveId=drive_id, includeItemsFromAllDrives=True,
        supportsAllDrives=True, q="trashed = false",
        fields="files(id, name, mimeType, appProperties)").execute()
    return files.get("files", [])


def test_sheet_in_the_shared_drive_updated_in_place(sqlite_engine, tenant):
    engine = sqlite_engine
    cid = populate(engine, slug=tenant.name)
    first = publish_sheet(tenant, engine, cid, "ko")
    assert first.created
    clients = GoogleClients(tenant, scopes.PUBLISH)
    drives = clients.service("drive").drives().list(fields="drives(id, name)").execute()
    assert [d["id"] for d in drives["drives"] if d["name"] == DRIVE_NAME] == [first.drive_id]
    files = _report_files(clients, first.drive_id)
    assert [f["id"] for f in files] == [first.spreadsheet_id]
    assert files[0]["appProperties"] == {"workspaceCoach": "audit-report", "client": tenant.name}

    gc = clients.gspread()
    sheet = gc.open_by_key(first.spreadsheet_id)
    assert [ws.title for ws in sheet.worksheets()] == ["Scores", "Checks", "Recommendations"]
    data = tables(gather(engine, cid))
    scores = sheet.worksheet("Scores").get_all_values()
    assert scores[0][:3] == ["고객", "날짜", "기간(일)"]
    assert len(scores) == 1 + len(data["scores"][1]) == first.rows["Scores"] + 1
    checks = sheet.worksheet("Checks")
    assert checks.get_all_values()[1][5] == FORMULA_TITLE
    # Stored as text, not as a formula: Sheets' own record of what was entered.
    grid = clients.service("sheets").spreadsheets().get(
        spreadsheetId=first.spreadsheet_id, ranges=["Checks!F2"], includeGridData=True).execute()
    entered = [cell["userEnteredValue"]
               for s in grid["sheets"] if s["properties"]["title"] == "Checks"
               for row in s["data"][0]["rowData"] for cell in row.get("values", [])
               if "userEnteredValue" in cell]
    assert {"stringValue": FORMULA_TITLE} in entered
    assert not [e for e in entered if "formulaValue" in e]

    # A person renames the file and adds a worksheet of their own; then a new check appears.
    clients.service("drive").files().update(fileId=first.spreadsheet_id, supportsAllDrives=True,
                                            body={"name": "우리 보고서"}).execute()
    sheet.add_worksheet("메모", rows=5, cols=2).update([["코치 메모"]], "A1")
    with engine.begin() as conn:
        run = add_run(conn, cid)
        for check in ("less-secure-apps-allowed", "weak-passwords", "many-oauth-apps", "inactive-users-90d"):
            add_check(conn, cid, run, check, "high")
    again = publish_sheet(tenant, engine, cid, "en")
    assert not again.created and again.spreadsheet_id == first.spreadsheet_id
    assert again.drive_id == first.drive_id
    assert len(_report_files(clients, first.drive_id)) == 1
    sheet = gc.open_by_key(first.spreadsheet_id)
    assert [ws.title for ws in sheet.worksheets()] == ["Scores", "Checks", "Recommendations",
                                                       "메모"]
    rows = sheet.worksheet("Checks").get_all_values()
    # Four checks where there were three: the worksheet grew to fit (and shrinks likewise).
    assert rows[0][0] == "Check id" and [r[0] for r in rows[1:]] == [
        "inactive-users-90d", "less-secure-apps-allowed", "many-oauth-apps", "weak-passwords"]
    assert sheet.worksheet("Checks").row_count == 5
    assert sheet.worksheet("메모").acell("A1").value == "코치 메모"


def test_cli_sheet_created_then_updated(sqlite_engine, tenant, tmp_path):
    populate(sqlite_engine, slug=tenant.name)
    env = {"WC_DATABASE_URL": str(sqlite_engine.url), "WC_DATA_DIR": str(tmp_path / "data")}
    args = ["audit", "report", "--connection", str(tenant.source), "--format", "sheet"]
    runner = CliRunner()
    first = runner.invoke(cli, args, env=env)
    assert first.exit_code == 0, first.output
    assert "report sheet created (Scores " in first.output
    url = first.output.strip().splitlines()[-1].strip()
    again = runner.invoke(cli, [*args, "--lang", "en"], env=env)
    assert again.exit_code == 0, again.output
    assert "report sheet updated" in again.output and url in again.output
    wrong = runner.invoke(cli, [*args, "--out", str(tmp_path / "x")], env=env)
    assert isinstance(wrong.exception, UserError) and "--out is for html and csv" in str(
        wrong.exception)
