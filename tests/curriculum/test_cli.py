"""`workspace-coach curriculum lint` as a coach runs it: exit codes, one line per problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "workspace_coach.cli.main", "curriculum", "lint"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=60,
                          env={**os.environ, "COLUMNS": "200"})


def test_shipped_curricula_pass_with_a_summary():
    result = run()
    assert result.returncode == 0, result.stderr
    assert "new-member" in result.stdout and "admin" in result.stdout
    assert "self-attested" in result.stdout and "2 curriculum files clean" in result.stdout


def test_problems_exit_1_one_line_each(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\ntitle: {ko: 가}\naudience: member\nmodules: []\n",
                   encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [\n", encoding="utf-8")
    result = run("bad.yaml", "broken.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "bad.yaml:3: title.en: missing the English text (en)",
        "bad.yaml:5: modules: List should have at least 1 item after validation, not 0",
        "broken.yaml:2: (yaml): not valid YAML: expected the node content, but found '<stream "
        "end>'",
        "error: 3 problems in the curricula",
    ]
    assert "Traceback" not in result.stderr


def test_missing_path(tmp_path: Path):
    result = run("nope", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "nope:1: (file): no such file or folder"
    assert "Traceback" not in result.stderr
