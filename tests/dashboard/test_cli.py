"""`workspace-coach dashboard` refuses what it should before starting anything; that it starts
and serves the app is shown by the browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "workspace_coach.cli.main", "dashboard"]


def run(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200", "HOME": str(home),
           "WC_DATABASE_URL": f"sqlite:///{cwd / 'coach.sqlite3'}",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=60)


def test_help_explains_the_options(tmp_path):
    result = run("--help", cwd=tmp_path, home=tmp_path)
    assert result.returncode == 0
    for option in ("--port", "--host", "--database", "--curricula", "8501", "127.0.0.1"):
        assert option in result.stdout


def test_other_hosts_need_sign_in(tmp_path):
    result = run("--host", "0.0.0.0", cwd=tmp_path, home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: --host 0.0.0.0 would let others reach the dashboard")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text("[auth\n", encoding="utf-8")
    broken = run("--host", "0.0.0.0", cwd=tmp_path, home=tmp_path)
    assert broken.returncode == 1 and "secrets.toml: not valid TOML" in broken.stderr


def test_a_bad_database_is_one_line(tmp_path):
    result = run("--database", "mysql://coach@db/coach", cwd=tmp_path, home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == "error: unsupported database 'mysql': use SQLite or PostgreSQL"
    result = run("--port", "70000", cwd=tmp_path, home=tmp_path)
    assert result.returncode == 1 and "--port 70000 is not a port number" in result.stderr


def test_own_curricula_must_exist(tmp_path):
    result = run("--curricula", "nope", cwd=tmp_path, home=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: --curricula nope: no such file or folder")
