"""Apply under faults and eventual consistency, and apply killed at random points then re-run.

Each test uses a sandbox of its own (the realism knobs are per sandbox)."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import configure_sandbox
from tests.provision.sandbox_setup import example, quick_retry
from workspace_coach.provision.apply import journal_path
from workspace_coach.provision.state import employee_id_of, person_key_of, read_state

FAULTS = ["backend503", "internal500", "rate429", "user_rate403", "drop"]




def _assert_converged_without_duplicates(haessal) -> None:
    session = haessal.session(retry=quick_retry())
    spec = haessal.spec()
    state = read_state(session, managed_groups=[g.email for g in spec.groups],
                       managed_drives=[d.name for d in spec.shared_drives])
    people = Counter(employee_id_of(u) or person_key_of(u) for u in state.users.values()
                     if employee_id_of(u) or person_key_of(u))
    assert all(n == 1 for n in people.values()), people.most_common(3)
    assert len(people) == 39
    assert {name: len(d) for name, d in state.drives.items()} == {
        d.name: 1 for d in spec.shared_drives}
    for group, members in state.members.items():
        assert len(members) == len({m.get("id") for m in members.values()}), group
    assert haessal.plan(session).changes == []


def test_one_apply_converges_under_faults_and_slow_readiness(own_sandbox, tmp_path):
    haessal = example(own_sandbox, tmp_path)
    configure_sandbox(own_sandbox, fault_rate=0.1, fault_kinds=FAULTS, user_ready_ms=1500,
               drive_ready_ms=1500, seed=7)
    session = haessal.session(retry=quick_retry())
    result = haessal.apply(haessal.plan(session), session)
    assert not result.failed, result.failed
    configure_sandbox(own_sandbox)
    _assert_converged_without_duplicates(haessal)


def _apply_command(haessal) -> list[str]:
    return [sys.executable, "-m", "workspace_coach.cli.main", "provision", "apply",
            "--connection", str(haessal.profile.source), "--org", str(haessal.org),
            "--roster", str(haessal.roster), "--yes"]


def _started_drive_step(journal: Path) -> bool:
    if not journal.exists():
        return False
    try:
        with sqlite3.connect(journal, timeout=1) as db:
            return db.execute("select 1 from steps where ident like 'drive|%' and "
                              "status = 'started'").fetchone() is not None
    except sqlite3.Error:
        return False


def _steps(journal: Path) -> int:
    if not journal.exists():
        return 0
    try:
        with sqlite3.connect(journal, timeout=1) as db:
            return db.execute("select count(*) from steps").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("trial", range(10))
def test_killed_apply_reruns_to_convergence(own_sandbox, tmp_path, trial):
    haessal = example(own_sandbox, tmp_path)
    configure_sandbox(own_sandbox, user_ready_ms=300, drive_ready_ms=300, latency_ms=5)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    journal = journal_path(haessal.profile)
    process = subprocess.Popen(_apply_command(haessal), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    # Kill once the journal holds a random number of step records (so kills land in every
    # phase, including mid-step), or, in trial 0, as soon as a shared-drive step has started.
    target = random.Random(trial).randint(1, 300)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (_started_drive_step(journal) if trial == 0 else _steps(journal) >= target):
            break
        time.sleep(0.005)
    assert process.poll() is None, "apply finished before it could be killed"
    process.kill()
    process.wait()
    if trial == 0:
        assert _started_drive_step(journal)
    rerun = subprocess.run(_apply_command(haessal), env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    configure_sandbox(own_sandbox)
    _assert_converged_without_duplicates(haessal)
