"""`workspace-coach audit collect` as a person runs it."""

from __future__ import annotations

import os
import subprocess
import sys

CLI = [sys.executable, "-m", "workspace_coach.cli.main"]


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], check=False, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "160", **env})


def test_collect_prints_what_it_fetched_and_a_rerun_adds_nothing(world, tmp_path):
    profile = tmp_path / "connection.yaml"
    world.save(profile)
    (tmp_path / "service-account.json").write_bytes(world.credentials_path.read_bytes())
    env = {"WC_DATA_DIR": str(tmp_path / "data"), "WC_DATABASE_URL": ""}
    first = run("audit", "collect", "--connection", str(profile), "--days", "5", env=env)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "2025-06-13 .. 2025-06-17 (5)" in out
    assert "still partial     2025-06-17" in out
    assert "reports.userUsageReport.get 5" in out
    assert (tmp_path / "data" / "coach.sqlite3").exists()
    again = run("audit", "collect", "--connection", str(profile), "--days", "5", env=env)
    assert again.returncode == 0, again.stderr
    assert "rows added        0" in again.stdout
    assert "fetched again     2025-06-17" in again.stdout


def test_user_mistakes_are_one_line(world, tmp_path):
    env = {"WC_DATA_DIR": str(tmp_path / "data")}
    for args, message in (
        (["--since", "last week"], "error: --since 'last week' is not a date (YYYY-MM-DD)"),
        (["--days", "3", "--since", "2025-06-01"], "error: give either --days or --since"),
    ):
        result = run("audit", "collect", "--connection", str(world.source), *args, env=env)
        assert result.returncode == 1
        assert result.stderr.strip().startswith(message), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    missing = run("audit", "collect", "--connection", str(tmp_path / "nope.yaml"), env=env)
    assert missing.returncode == 1 and "connection profile not found" in missing.stderr
