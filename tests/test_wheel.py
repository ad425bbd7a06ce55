"""The built wheel works anywhere: `.ci/wheel-check` builds it, installs it into a fresh virtual
environment outside the checkout and, from there, lints the shipped curricula, runs a small demo
from the shipped examples and starts the shipped dashboard, which must answer.

CI runs the script on its own before the suite and deselects this test there (see `.ci/run`);
`make test` elsewhere runs it here. Installing the wheel's dependencies into the fresh
environment takes a minute or two (less with pip's cache)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "wheel-check"


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path):
    result = subprocess.run([str(SCRIPT), sys.executable], capture_output=True, text=True,
                            timeout=600, cwd=tmp_path,
                            env={**os.environ, "TMPDIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "wheel-check: ok (dashboard answered" in result.stdout
