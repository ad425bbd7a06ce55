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
    assert "self-attested" in result.stdout and "3 curriculum files clean" in result.stdout


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
        ("broken.yaml:2: (yaml): not valid YAML: expected the node content, but found '<stream "
        "end>'"),
        "error: 3 problems in the curricula",
    ]
    assert "Traceback" not in result.stderr


def test_missing_path(tmp_path: Path):
    result = run("nope", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "nope:1: (file): no such file or folder"
    assert "Traceback" not in result.stderr


def _own_curricula(tmp_path: Path) -> Path:
    """A coach's own folder holding only a copy of the shipped admin track."""
    from workspace_coach import resources

    own = tmp_path / "own"
    own.mkdir()
    shipped = resources.shipped_curricula() / "admin.yaml"
    (own / "admin.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    return own


def test_curricula_option_and_variable_point_at_a_coachs_own(tmp_path: Path):
    own = _own_curricula(tmp_path)
    for args, extra in ((["--curricula", str(own)], {}), ([], {"WC_CURRICULA": str(own)})):
        result = subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=tmp_path,
                                timeout=60, env={**os.environ, "COLUMNS": "200", **extra})
        assert result.returncode == 0, result.stderr
        assert "admin" in result.stdout and "new-member" not in result.stdout
        assert "1 curriculum file clean" in result.stdout


def test_curricula_option_missing_folder_is_one_line(tmp_path: Path):
    result = run("--curricula", "nope", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: --curricula nope: no such file or folder")


def test_track_commands_read_the_chosen_curricula(tmp_path: Path):
    # `progress` loads the track before it needs a connection or data, so the wrong track in the
    # coach's own folder is the first thing it reports.
    own = _own_curricula(tmp_path)
    result = subprocess.run([sys.executable, "-m", "workspace_coach.cli.main", "curriculum",
                             "progress", "--track", "new-member", "--curricula", str(own),
                             "--connection", str(tmp_path / "none.yaml")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "COLUMNS": "200",
                                 "WC_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "no track 'new-member' (known: admin)" in result.stderr, result.stderr
