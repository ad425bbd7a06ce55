"""A normal command that meets a connection problem ends in one line pointing at the check."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.connection.conftest import new_tenant
from workspace_coach.cli.main import connection_check_hint
from workspace_coach.google import scopes
from workspace_coach.google.retry import Failure, needs_connection_check

CLI = [sys.executable, "-m", "workspace_coach.cli.main"]


def _run(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "120", "WC_DATA_DIR": str(tmp_path / "data")}
    env.pop("WC_CONNECTION", None)
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, env=env)


def test_collect_with_an_ungranted_scope_ends_in_one_line(sandbox, tmp_path):
    granted = [s for s in scopes.AUDIT if "reports.usage" not in s]
    folder = new_tenant(sandbox, tmp_path, granted_scopes=granted)
    result = _run("audit", "collect", "--connection", str(folder), "--days", "2",
                  tmp_path=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "unauthorized_client" in lines[0]
    assert f"run `workspace-coach connection check --connection {folder}`" in lines[0]
    assert "연결 점검" in lines[0]


def test_plan_as_a_non_admin_ends_in_one_line(sandbox, tmp_path):
    folder = new_tenant(sandbox, tmp_path, non_admin_subject="staff")
    roster = tmp_path / "roster.csv"
    roster.write_text("이름,팀\n김민지,교육\n", encoding="utf-8")
    result = _run("provision", "plan", f"--connection={folder}", "--roster", str(roster),
                  tmp_path=tmp_path)
    assert result.returncode == 1, result.stdout
    line, = result.stderr.strip().splitlines()
    assert "Not Authorized to access this resource/api" in line
    assert f"connection check --connection {folder}`" in line


def test_which_failures_point_at_the_check():
    assert needs_connection_check(Failure("auth", None, "RefreshError", "invalid_grant: x"))
    assert needs_connection_check(Failure("http", 401, "authError", "Invalid Credentials"))
    assert needs_connection_check(Failure("http", 403, "accessNotConfigured", "disabled"))
    assert needs_connection_check(
        Failure("http", 403, "forbidden", "Not Authorized to access this resource/api"))
    assert not needs_connection_check(Failure("http", 403, "forbidden", "Forbidden"))
    assert not needs_connection_check(Failure("http", 403, "userRateLimitExceeded", "slow"))
    assert not needs_connection_check(Failure("http", 409, "duplicate", "exists"))
    assert not needs_connection_check(Failure("transport", None, "timeout", "timed out"))


def test_the_hint_names_the_connection_given():
    assert "--connection clients/a`" in connection_check_hint(["x", "-c", "clients/a"], None)
    assert "--connection b/connection.yaml`" in connection_check_hint(
        ["--connection=b/connection.yaml"], "env")
    assert "--connection env`" in connection_check_hint(["audit"], "env")
    assert "--connection PATH`" in connection_check_hint([], None)


def test_a_roster_sheet_with_the_sheets_api_disabled_points_at_the_check(sandbox, tmp_path):
    # the sheet's id does not matter: the disabled API refuses before looking for it
    folder = new_tenant(sandbox, tmp_path, disabled_services=["sheets.googleapis.com"])
    result = _run("provision", "validate", "--connection", str(folder), "--roster-sheet",
                  "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", tmp_path=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    line, = result.stderr.strip().splitlines()
    assert "accessNotConfigured" in line
    assert f"connection check --connection {folder}`" in line
