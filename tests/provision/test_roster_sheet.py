"""`--roster-sheet`: a roster kept in Google Sheets, read with gspread from the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_tenant
from workspace_coach.cli.provision import sheet_id
from workspace_coach.errors import UserError
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients

CLI = [sys.executable, "-m", "workspace_coach.cli.main", "provision"]
ROWS = [["이름", "영문이름", "팀", "조직", "역할"],
        ["김가람", "", "교육", "/교육", "강사"],
        ["이나래", "", "돌봄", "/돌봄", ""],
        ["박하늘", "Haneul Park", "", "", "조합원"]]


def run(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300,
                          check=False,
                          env={**os.environ, "COLUMNS": "140",
                               "PYTHONPATH": str(Path(__file__).resolve().parents[2])})


@pytest.fixture
def profile(sandbox, tmp_path):
    return make_tenant(sandbox, tmp_path / "client")


@pytest.fixture
def sheet(profile):
    book = GoogleClients(profile, scopes.PUBLISH).gspread().create("조합원 명단")
    book.sheet1.update(ROWS, "A1")
    return book


def test_plan_from_a_sheet_url_shows_the_people_to_create(profile, sheet):
    url = f"https://docs.google.com/spreadsheets/d/{sheet.id}/edit#gid=0"
    planned = run("plan", "--connection", profile.source, "--roster-sheet", url)
    assert planned.returncode == 0, planned.stderr
    for local in ("garam.kim", "narae.lee", "haneul.park"):
        assert f"{local}@{profile.domain}" in planned.stdout, planned.stdout
    assert "Traceback" not in planned.stderr
    checked = run("validate", "--connection", profile.source, "--roster-sheet", sheet.id,
                  "--domain", profile.domain)
    assert checked.returncode == 0, checked.stderr
    assert "sheet:조합원 명단: 3 people" in checked.stdout


def test_unknown_sheet_is_a_one_line_error(profile):
    result = run("plan", "--connection", profile.source, "--roster-sheet", "1" + "x" * 43)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not found" in lines[0], result.stderr


def test_sheet_and_file_are_exclusive_and_validate_needs_a_connection(profile, tmp_path):
    roster = tmp_path / "people.csv"
    roster.write_text("이름\n김가람\n", encoding="utf-8")
    both = run("plan", "--connection", profile.source, "--roster", roster,
               "--roster-sheet", "1" + "x" * 43)
    assert both.returncode == 1 and "not both" in both.stderr
    env = {k: v for k, v in os.environ.items() if k != "WC_CONNECTION"}
    alone = subprocess.run([*CLI, "validate", "--roster-sheet", "1" + "x" * 43],
                           capture_output=True, text=True, timeout=120, check=False,
                           env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert alone.returncode == 1 and "needs --connection" in alone.stderr


def test_sheet_ids_from_urls_and_bare_ids():
    key = "1AbC_d-" + "x" * 30
    assert sheet_id(f"https://docs.google.com/spreadsheets/d/{key}/edit?usp=sharing") == key
    assert sheet_id(f"https://docs.google.com/spreadsheets/u/1/d/{key}") == key
    assert sheet_id(f"  {key} ") == key
    with pytest.raises(UserError):
        sheet_id("조합원 명단")
