"""`audit portfolio`: every client's change under coaching, with names only where allowed and
no figure of a small team, in the HTML page, the CSV files and the Google Sheet."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests.audit import stored
from tests.conftest import make_tenant
from workspace_coach.audit.portfolio import gather_portfolio, pseudonym
from workspace_coach.audit.portfolio_report import portfolio_html, write_portfolio_csv
from workspace_coach.audit.portfolio_sheet import publish_portfolio_sheet
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.storage.clients import all_clients
from workspace_coach.storage.db import make_engine
from workspace_coach.storage.models import Client, CurriculumMark

CLI = [sys.executable, "-m", "workspace_coach.cli.main"]
BEFORE = stored.NEWEST - dt.timedelta(days=60)
FIRST_SESSION = BEFORE + dt.timedelta(days=1)
#: What must never appear: the hidden client's name, slug and domain, its people, its tiny
#: team's key and that team's figures.
HIDDEN = ("비밀 상점", "secretco", "Tiny-Secret-Team", "41.3", "58.7")
FORMULA_NAME = "=HYPERLINK(1) 가게"


def clients_of(engine) -> list:
    """Every client, read on a connection that is closed again (one left open in a transaction
    would block the PostgreSQL schema's removal at teardown)."""
    with engine.connect() as conn:
        return all_clients(conn)


def _marks(conn: sa.Connection, client_id: int, slug: str, trainees: int) -> None:
    for n in range(trainees):
        conn.execute(sa.insert(CurriculumMark).values(
            client_id=client_id, track="basics", item_id="drive-share", kind="self",
            person_email=f"p{n}@{slug}.example.kr", status="done",
            marked_by=f"p{n}@{slug}.example.kr", marked_at=stored.NOW))


def build(engine: sa.Engine) -> dict[str, int]:
    """Three clients: haessal and a formula-named one share their names, secretco does not
    (and has a two-person team scored, as a mis-folded row would be)."""
    stored.migrate(engine)
    ids, runs = {}, {}
    with engine.begin() as conn:
        for slug, name, named, before, now, trainees in (
                ("haessal", "해살 협동조합", True, 40.0, 62.0, 6),
                ("secretco", "비밀 상점", False, 30.0, 51.0, 2),
                ("formula", FORMULA_NAME, True, 55.0, 60.0, 0)):
            cid = ids[slug] = stored.add_client(conn, slug, 20, display_name=name)
            conn.execute(sa.update(Client).where(Client.id == cid)
                         .values(share_name_in_reports=named))
            run = runs[slug] = stored.add_run(conn, cid)
            stored.add_scores(conn, cid, run, stored.uniform(before), date=BEFORE)
            stored.add_scores(conn, cid, run, stored.uniform(now))
            stored.add_session(conn, cid, FIRST_SESSION)
            stored.add_session(conn, cid, FIRST_SESSION + dt.timedelta(days=21))
            old = stored.add_run(conn, cid, started=dt.datetime(2025, 4, 1, tzinfo=dt.UTC))
            new = stored.add_run(conn, cid)
            stored.add_check(conn, cid, old, "admin-2sv", "critical", "fail",
                             affected=[{"id": f"boss@{slug}.example.kr"}])
            stored.add_check(conn, cid, old, "external-sharing", "high", "fail")
            stored.add_check(conn, cid, new, "admin-2sv", "critical", "pass")
            stored.add_check(conn, cid, new, "external-sharing", "high",
                             "pass" if slug != "formula" else "fail")
            _marks(conn, cid, slug, trainees)
        stored.add_scores(conn, ids["secretco"], runs["secretco"], {"overall": 41.3, "security": 58.7},
                          scope_type="org_unit", scope_key="/Tiny-Secret-Team", people=2)
    return ids


def _assert_nothing_hidden(text: str) -> None:
    for secret in HIDDEN:
        assert secret not in text, secret


def test_portfolio_figures(engine):
    build(engine)
    with engine.connect() as conn:
        data = gather_portfolio(conn, all_clients(conn))
    labels = [c.label["en"] for c in data.clients]
    assert labels == [FORMULA_NAME, "해살 협동조합", "client A"]
    by = {c.label["en"]: c for c in data.clients}
    assert by["client A"].label["ko"] == "고객사 A" and not by["client A"].named
    haessal = by["해살 협동조합"]
    assert (haessal.before_date, haessal.now_date) == (BEFORE, stored.NEWEST)
    assert haessal.before["overall"] == 40.0 and haessal.now["overall"] == 62.0
    assert haessal.change("overall") == 22.0
    assert haessal.sessions == 2 and haessal.items_completed == 6
    assert haessal.fixed == {"critical": 1, "high": 1}
    assert by[FORMULA_NAME].fixed == {"critical": 1, "high": 0}
    assert by["client A"].items_completed is None         # two trainees: under the minimum
    assert data.sessions == 6 and data.items_completed == 6 and data.items_withheld == 2
    assert data.fixed("critical") == 3 and data.fixed("high") == 2
    overall = data.medians["overall"]
    assert (overall.clients, overall.before, overall.now, overall.change) == (3, 40.0, 60.0, 21.0)
    since = gather_portfolio(engine, clients_of(engine), stored.NEWEST)
    assert since.sessions == 0 and all(c.before_date == stored.NEWEST for c in since.clients)
    assert [pseudonym(i)["en"] for i in (0, 25, 26)] == ["client A", "client Z", "client AA"]


def test_html_and_csv_leak_no_hidden_name_or_small_team(engine, tmp_path):
    build(engine)
    with engine.connect() as conn:
        data = gather_portfolio(conn, all_clients(conn))
    html = portfolio_html(data)
    _assert_nothing_hidden(html)
    assert "고객사 A" in html and "client A" in html and "해살 협동조합" in html
    assert "<script" not in html and "=HYPERLINK(1) 가게" in html
    for path in write_portfolio_csv(data, tmp_path / "csv"):
        text = path.read_text(encoding="utf-8-sig")
        _assert_nothing_hidden(text)
        if path.name.endswith("clients.csv"):
            assert "'=HYPERLINK(1) 가게" in text and "client A" in text


def test_cli_writes_the_html_page(tmp_path):
    db = tmp_path / "coach.sqlite3"
    engine = make_engine(f"sqlite:///{db}")
    build(engine)
    engine.dispose()
    env = {**os.environ, "WC_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"}
    page = tmp_path / "p.html"
    result = subprocess.run([*CLI, "audit", "portfolio", "--out", str(page)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "3 clients (1 without their name), 6 sessions" in result.stdout
    _assert_nothing_hidden(page.read_text(encoding="utf-8"))
    bad = subprocess.run([*CLI, "audit", "portfolio", "--since", "last year"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and bad.stderr.strip().startswith("error: --since")


def test_sheet_leaks_no_hidden_name_and_keeps_formulas_as_text(sandbox, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    build(engine)
    data = gather_portfolio(engine, clients_of(engine))
    engine.dispose()
    programme = make_tenant(sandbox, tmp_path / "programme")
    first = publish_portfolio_sheet(programme, data)
    again = publish_portfolio_sheet(programme, data)
    assert first.created and not again.created
    assert again.spreadsheet_id == first.spreadsheet_id
    assert first.rows == {"Clients": 3, "Scores": 24, "Programme": 12}
    sheet = GoogleClients(programme, scopes.PUBLISH).gspread().open_by_key(first.spreadsheet_id)
    assert [ws.title for ws in sheet.worksheets()] == ["Clients", "Scores", "Programme"]
    everything = "\n".join(str(cell) for ws in sheet.worksheets()
                           for row in ws.get_all_values() for cell in row)
    _assert_nothing_hidden(everything)
    _assert_nothing_hidden(sheet.title)
    clients = sheet.worksheet("Clients").get_all_values()
    assert clients[0][0] == "고객 조직 / Client ko"
    assert [row[1] for row in clients[1:]] == ["'" + FORMULA_NAME, "해살 협동조합", "client A"]
    assert Path(tmp_path).exists()
