"""`workspace-coach provision validate` as an admin runs it: exit codes, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "workspace_coach.cli.main"]
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "haessal"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "provision", "validate", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=60, env={**os.environ, "COLUMNS": "120"})


def test_example_is_valid_and_summarised():
    result = run("--org", "org.yaml", "--roster", "roster.csv", cwd=EXAMPLE)
    assert result.returncode == 0, result.stderr
    assert "roster.csv (cp949): 40 people · haessal.coop.kr" in result.stdout
    assert "minji.kim2@haessal.coop.kr" in result.stdout
    assert "valid" in result.stdout and "Traceback" not in result.stderr


def test_errors_are_listed_with_exit_code_1(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes("이름,이메일,팀\r\n김민지,nope,교육\r\n이서연,,없는팀\r\n".encode("cp949"))
    org = tmp_path / "org.yaml"
    org.write_text("domain: x.kr\nteams: [{name: 교육}]\n", encoding="utf-8")
    result = run("--org", str(org), "--roster", str(roster))
    assert result.returncode == 1
    assert f"{roster}:2: 이메일: not a valid address" in result.stderr
    assert f"{roster}:3: 팀: unknown team '없는팀'" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == \
        "error: 2 problems in the input; nothing was changed"
    assert "Traceback" not in result.stderr


def test_broken_org_yaml_and_roster_problems_together(tmp_path):
    org = tmp_path / "org.yaml"
    org.write_text("domain: x.kr\ngroups:\n  - email: bad\n    name: G\n", encoding="utf-8")
    roster = tmp_path / "r.csv"
    roster.write_text("이름,이메일\n김민지,a@y.kr\n", encoding="utf-8")
    result = run("--org", str(org), "--roster", str(roster))
    assert result.returncode == 1
    assert f"{org}:3: groups[0].email: not a valid email address: 'bad'" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_file_is_one_line(tmp_path):
    result = run("--roster", "missing.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: missing.csv: roster file not found"


def test_broken_csv_is_one_line(tmp_path):
    roster = tmp_path / "broken.csv"
    roster.write_bytes(b'name,email\r\n"Kim, "Minji",a@x.kr\r\n')
    result = run("--roster", "broken.csv", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: broken.csv:2: not valid CSV")
    assert "Traceback" not in result.stderr


def test_roster_is_required():
    result = run()
    assert result.returncode == 1
    assert result.stderr.strip() == "error: --roster FILE is required (a CSV or XLSX roster of " \
        "people)"
