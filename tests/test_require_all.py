"""Under WC_REQUIRE_ALL=1 no test may skip, whichever way the skip is asked for: the project's
own conftest runs a small suite of skipping tests in a child pytest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SKIPPING = '''
import pytest

def test_skip_call():
    pytest.skip("not today")

@pytest.mark.skipif(True, reason="never here")
def test_skipif_mark():
    pass

def test_need_helper(postgres_url):
    pass

@pytest.mark.xfail(reason="known", strict=True)
def test_expected_failure():
    assert False

def test_plain():
    pass
'''

SKIPPED_MODULE = '''
import pytest

pytest.skip("the whole module", allow_module_level=True)
'''


def run(tmp_path: Path, require_all: bool) -> dict[str, int]:
    """The child run's outcome counts, e.g. {"passed": 1, "skipped": 4, "xfailed": 1}."""
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_skipping.py").write_text(SKIPPING)
    (tmp_path / "test_module.py").write_text(SKIPPED_MODULE)
    env = {k: v for k, v in os.environ.items()
           if k not in ("WC_REQUIRE_ALL", "WC_TEST_DATABASE_URL", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(ROOT)
    if require_all:
        env["WC_REQUIRE_ALL"] = "1"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-p", "no:xdist", "--continue-on-collection-errors", str(tmp_path)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False, env=env)
    summary = done.stdout.strip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}


@pytest.mark.parametrize("require_all", [False, True])
def test_every_skip_fails_under_require_all(tmp_path, require_all):
    counts = run(tmp_path, require_all)
    if require_all:   # a skip in setup (mark, fixture) or collection reports as an error
        assert "skipped" not in counts, counts
        assert counts.get("failed", 0) + counts.get("errors", counts.get("error", 0)) == 4
        assert (counts["passed"], counts["xfailed"]) == (1, 1), counts
    else:
        assert counts == {"passed": 1, "skipped": 4, "xfailed": 1}, counts
