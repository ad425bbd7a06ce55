"""`workspace_coach.resources`: the shipped curricula, examples and dashboard are found through
the package, and a coach's own curricula replace the shipped ones everywhere they are read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workspace_coach import resources
from workspace_coach.coaching.agenda import load_curricula
from workspace_coach.curriculum.tracks import load_track
from workspace_coach.demo.clients import CLIENTS
from workspace_coach.errors import UserError

REPO = Path(__file__).resolve().parents[1]


def test_shipped_files_are_the_repository_folders():
    # In a checkout the package's folders are the top-level ones people edit, not copies.
    assert resources.shipped_curricula().resolve() == REPO / "curricula"
    assert resources.examples().resolve() == REPO / "examples"
    assert resources.dashboard_app().resolve() == REPO / "dashboards" / "app.py"
    for client in CLIENTS:
        assert client.org_file.is_file() and client.roster_file.is_file()


def test_own_curricula_replace_the_shipped_ones(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch):
    # set (empty = unset) so that the teardown puts back whatever was there before
    monkeypatch.setenv(resources.CURRICULA_ENV, "")
    assert set(load_curricula()) == {"admin", "new-member", "offboarding"}
    own = tmp_path / "own"
    own.mkdir()
    shutil.copy(resources.shipped_curricula() / "admin.yaml", own)

    assert set(load_curricula(own)) == {"admin"}
    with pytest.raises(UserError, match=r"no track 'new-member' \(known: admin\)"):
        load_track("new-member", own)

    # what `--curricula` on demo and dashboard does: this process and the ones it starts
    resources.use_curricula(own)
    assert set(load_curricula()) == {"admin"}
    assert resources.curricula() == own.resolve()


def test_missing_own_curricula_is_one_clear_error(tmp_path: Path):
    with pytest.raises(UserError, match="--curricula .*nope: no such file or folder"):
        resources.curricula(tmp_path / "nope")


def test_demo_refuses_missing_own_curricula_before_starting_anything(tmp_path: Path):
    result = subprocess.run([sys.executable, "-m", "workspace_coach.cli.main", "demo",
                             "--curricula", "nope", "--no-dashboard"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "COLUMNS": "200",
                                 "WC_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: --curricula nope: no such file or folder")
    assert not (tmp_path / "data" / "demo").exists()
