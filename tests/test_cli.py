"""The command line as a person uses it: help on every level, one-line errors, the demo."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

CLI = [sys.executable, "-m", "workspace_coach.cli.main"]


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "COLUMNS": "120", **(env or {})})


@pytest.mark.parametrize("args", [[], ["sandbox"], ["sandbox", "tenant"]])
def test_help_on_every_level(args):
    result = run(*args, "--help")
    assert result.returncode == 0
    assert "Usage:" in result.stdout


def test_user_error_is_one_line_without_traceback(tmp_path):
    result = run("sandbox", "tenant", "create", "--domain", "x.kr", "--out", str(tmp_path),
                 "--endpoint", "http://127.0.0.1:9/")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("error: no sandbox answers at http://127.0.0.1:9/")
    assert len(result.stderr.strip().splitlines()) == 1


def test_bad_connection_profile_is_named(tmp_path):
    from workspace_coach.errors import ConfigError
    from workspace_coach.google.connection import load_profile

    bad = tmp_path / "connection.yaml"
    bad.write_text("name: Not A Slug\ndomain: x.kr\nadmin: a@x.kr\ncredentials: sa.json\n")
    with pytest.raises(ConfigError, match=r"connection.yaml: name: .*slug"):
        load_profile(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_profile(tmp_path / "missing.yaml")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_runs_and_reruns_fast(tmp_path):
    """The command as `make demo` runs it (a background sandbox), on one small client."""
    port = str(_free_port())
    env = {"WC_DATA_DIR": str(tmp_path / "data")}
    args = ("demo", "--port", port, "--days", "7", "--client", "moum", "--no-dashboard")
    try:
        first = run(*args, cwd=tmp_path, env=env)
        assert first.returncode == 0, first.stderr
        assert "Sandbox started" in first.stdout and "Created client" in first.stdout
        assert "applied" in first.stdout and "to create" in first.stdout
        assert "7/7 days" in first.stdout
        assert "7일 로그인" in first.stdout and "Done in" in first.stdout
        assert "moum: overall" in first.stdout and "failing check(s)" in first.stdout
        for secret in ("service-account.json", "provision-credentials.csv"):
            mode = (tmp_path / "clients/moum" / secret).stat().st_mode & 0o777
            assert oct(mode) == "0o600", secret
        assert (tmp_path / "data/coach.sqlite3").exists()
        second = run(*args, cwd=tmp_path, env=env)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stdout and "Reusing client" in second.stdout
        assert "No changes" in second.stdout
        assert "0 day(s) simulated" in second.stdout and "0 rows added" in second.stdout
    finally:
        run("sandbox", "stop", env=env)
