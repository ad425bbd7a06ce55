"""`audit collect --all` as the nightly schedule runs it: every client in the coach's database,
one failing client reported (and recorded) while the others finish, and the lock that keeps two
runs from overlapping."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from tests.audit.test_cli import run
from workspace_coach.audit.collect import ensure_client
from workspace_coach.google.connection import load_profile
from workspace_coach.runs.lock import RunLocked, is_stale, run_lock
from workspace_coach.sandbox.remote import create_tenant_profile
from workspace_coach.storage import models as m
from workspace_coach.storage.db import make_engine
from workspace_coach.storage.migrations import upgrade


@pytest.fixture
def coach(world, sandbox, tmp_path):
    """A coach's database holding two clients: the simulated `world`, and one whose Cloud
    project has the Admin SDK turned off (every Reports call fails)."""
    good = tmp_path / "good" / "connection.yaml"
    world.save(good)
    (good.parent / world.credentials.name).write_bytes(world.credentials_path.read_bytes())
    domain = f"off-{uuid.uuid4().hex[:8]}.example.kr"
    create_tenant_profile(domain, tmp_path / "off", endpoint=sandbox.url,
                          disabled_services=["admin.googleapis.com"])
    url = f"sqlite:///{tmp_path / 'coach.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        for path in (good, tmp_path / "off" / "connection.yaml"):
            ensure_client(conn, load_profile(path), dt.datetime.now(dt.UTC))
    yield engine, {"WC_DATABASE_URL": url}, load_profile(good).name, domain.split(".")[0]
    engine.dispose()


def test_all_reports_the_failing_client_and_finishes_the_others(coach):
    engine, env, good, bad = coach
    result = run("audit", "collect", "--all", "--days", "3", env=env)
    assert result.returncode == 1, result.stderr
    assert f"1 of 2 client(s) failed: {bad}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "1 of 2 client(s) ok" in result.stdout
    with engine.connect() as conn:
        runs = {r.slug: r for r in conn.execute(sa.select(
            m.Client.slug, m.ClientRun.status, m.ClientRun.error, m.ClientRun.data_until,
            m.ClientRun.finished_at).join(m.Client, m.Client.id == m.ClientRun.client_id))}
        dates = conn.execute(sa.select(sa.func.count()).select_from(m.CollectState).where(
            m.CollectState.kind == "user_usage")).scalar_one()
    assert dates == 3                                   # the good client was collected
    assert runs[good].status == "ok" and runs[good].error is None
    assert runs[good].data_until == dt.date(2025, 6, 17) and runs[good].finished_at
    assert runs[bad].status == "failed" and runs[bad].data_until is None
    assert "Admin SDK API" in runs[bad].error and "\n" not in runs[bad].error
    assert f"{bad}" in result.stdout and "failed" in result.stdout


def test_a_second_run_is_refused_while_one_holds_the_lock(coach):
    engine, env, _, _ = coach
    with run_lock(engine, "collect", "audit collect --all"):
        refused = run("audit", "collect", "--all", "--days", "3", env=env)
        # the lock is per command: a sync may run meanwhile, a second collect may not
        with pytest.raises(RunLocked, match="another `audit collect --all` is running"):
            with run_lock(engine, "collect", "audit collect --all", pid=1):
                pass
    assert refused.returncode == 3
    line = refused.stderr.strip()
    assert len(line.splitlines()) == 1
    assert f"pid {os.getpid()} on {socket.gethostname()}" in line and "실행이 진행 중" in line
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(m.ClientRun)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(m.RunLock)).scalar() == 0


def test_a_lock_left_by_a_dead_process_is_taken_over(coach):
    engine, env, _, _ = coach
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with engine.begin() as conn:
        conn.execute(sa.insert(m.RunLock).values(name="collect", host=socket.gethostname(),
                                                 pid=dead.pid,
                                                 acquired_at=dt.datetime.now(dt.UTC)))
    result = run("audit", "collect", "--all", "--days", "2", env=env)
    assert result.returncode == 1 and "is running" not in result.stderr   # ran: one failed
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(m.RunLock)).scalar() == 0


def test_staleness():
    from workspace_coach.runs.lock import Holder

    now = dt.datetime(2025, 6, 20, 3, 0, tzinfo=dt.UTC)
    here = Holder("coach-pc", 4242, now - dt.timedelta(minutes=5))
    assert not is_stale(here, now, host="coach-pc", alive=lambda pid: True)
    assert is_stale(here, now, host="coach-pc", alive=lambda pid: False)
    elsewhere = Holder("server", 4242, now - dt.timedelta(hours=2))
    assert not is_stale(elsewhere, now, host="coach-pc", alive=lambda pid: False)
    assert is_stale(Holder("server", 1, now - dt.timedelta(hours=13)), now, host="coach-pc",
                    alive=lambda pid: True)


def test_a_one_client_collect_is_recorded_too(coach, tmp_path):
    engine, env, good, bad = coach
    ok = run("audit", "collect", "--connection", str(tmp_path / "good" / "connection.yaml"),
             "--days", "2", env=env)
    failed = run("audit", "collect", "--connection", str(tmp_path / "off" / "connection.yaml"),
                 "--days", "2", env=env)
    assert ok.returncode == 0 and failed.returncode == 1
    with engine.connect() as conn:
        runs = dict(conn.execute(sa.select(m.Client.slug, m.ClientRun.status).join(
            m.Client, m.Client.id == m.ClientRun.client_id)).all())
    assert runs == {good: "ok", bad: "failed"}
