"""Five people leave: transfers, removals, sign-outs, revocations and suspensions, each once,
also under faults and after a kill; then the successors own the files."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import requests

from tests.conftest import configure_sandbox
from tests.provision.leaving_world import World, leaving_world
from tests.provision.sandbox_setup import quick_retry
from tests.provision.test_apply_reliability import FAULTS, _apply_command
from tests.sandbox.test_drive_drives import clients_as
from workspace_coach.provision.apply import journal_path
from workspace_coach.provision.render import leaver_steps


def _calls(sandbox) -> dict[str, int]:
    return requests.get(sandbox.url + "_sandbox/stats", timeout=10).json()["calls"]


def _assert_offboarded(world: World, sandbox) -> None:
    haessal = world.haessal
    directory = haessal.session().service("directory")
    transfers = haessal.session().service("datatransfer").transfers()
    for email in world.leavers:
        user = directory.users().get(userKey=email).execute()
        assert user["suspended"] and user["includeInGlobalAddressList"] is False, email
        assert "items" not in directory.tokens().list(userKey=email).execute(), email
        assert "groups" not in directory.groups().list(userKey=email).execute(), email
        made = transfers.list(oldOwnerUserId=user["id"]).execute()["dataTransfers"]
        assert [t["overallTransferStatusCode"] for t in made] == ["completed"], email
    for email, ids in world.files.items():
        drive = clients_as(haessal.profile, world.successor_of(email)).service("drive")
        for file_id in ids:
            owners = drive.files().get(fileId=file_id, fields="owners").execute()["owners"]
            assert [o["emailAddress"] for o in owners] == [world.successor_of(email)]
    # The sandbox has no Calendar API: its calendar events are read from its store.
    owners = {json.loads(row[0])["_owner"] for row in sandbox.app.store.execute(
        "SELECT data FROM objects WHERE kind='calendar_event'").fetchall()}
    assert world.email("mikyung.lee") in owners
    assert world.email("sangcheol.han") not in owners
    assert haessal.plan(haessal.session(retry=quick_retry())).changes == []


def test_five_leavers_plan_shows_each_step_in_order(sandbox, tmp_path):
    world = leaving_world(sandbox, tmp_path)
    plan = world.haessal.plan()
    steps = leaver_steps(plan)
    assert sorted(steps) == world.leavers
    app_user = world.email("dareum.nam")
    assert [s.split(" ")[0].rstrip(",") for s in steps[app_user]] == [
        "transfer", "leave", "leave", "leave", "sign", "revoke", "suspend"]
    assert f"leave group book-club@{world.haessal.domain} · 그룹에서 제외" in steps[app_user]
    assert steps[world.email("jihun.park")][0].startswith(
        f"transfer Drive files and calendar to {world.email('jaewon.shim')}")
    kinds = {(c.kind, c.action) for c in plan.changes}
    assert {("transfer", "create"), ("member", "remove"), ("signout", "create"),
            ("token", "remove"), ("user", "suspend")} <= kinds
    assert plan.safe, plan.unsafe


def test_apply_under_faults_runs_each_step_once(own_sandbox, tmp_path):
    world = leaving_world(own_sandbox, tmp_path)
    configure_sandbox(own_sandbox, transfer_ms=300)
    session = world.haessal.session(retry=quick_retry())
    plan = world.haessal.plan(session)
    before = _calls(own_sandbox)
    configure_sandbox(own_sandbox, fault_rate=0.1, fault_kinds=FAULTS, transfer_ms=300, seed=3)
    result = world.haessal.apply(plan, session)
    assert not result.failed, result.failed
    configure_sandbox(own_sandbox, transfer_ms=300)
    after = _calls(own_sandbox)
    for method in ("datatransfer.transfers.insert", "directory.users.signOut"):
        assert after.get(method, 0) - before.get(method, 0) == 5, method
    assert after.get("directory.tokens.delete", 0) - before.get("directory.tokens.delete", 0) == 1
    _assert_offboarded(world, own_sandbox)


def _started(journal: Path, kind: str) -> bool:
    if not journal.exists():
        return False
    try:
        with sqlite3.connect(journal, timeout=1) as db:
            return db.execute("select 1 from steps where ident like ? and status = 'started'",
                              (f"{kind}|%",)).fetchone() is not None
    except sqlite3.Error:
        return False


def test_apply_killed_during_the_transfers_resumes_without_a_second_transfer(own_sandbox,
                                                                             tmp_path):
    world = leaving_world(own_sandbox, tmp_path)
    configure_sandbox(own_sandbox, transfer_ms=1500, latency_ms=5)
    haessal = world.haessal
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    journal = journal_path(haessal.profile)
    process = subprocess.Popen(_apply_command(haessal), env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if _started(journal, "transfer"):
            time.sleep(0.3)  # some inserts reach Google, none completes yet
            break
        time.sleep(0.005)
    assert process.poll() is None, "apply finished before it could be killed"
    process.kill()
    process.wait()
    rerun = subprocess.run(_apply_command(haessal), env=env, capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    assert _calls(own_sandbox).get("datatransfer.transfers.insert") == 5
    _assert_offboarded(world, own_sandbox)


def _offboarded(sandbox, tmp_path) -> World:
    world = leaving_world(sandbox, tmp_path)
    session = world.haessal.session(retry=quick_retry())
    result = world.haessal.apply(world.haessal.plan(session), session)
    assert not result.failed, result.failed
    return world


def _records(world: World) -> dict:
    from workspace_coach.provision.journal import Journal

    journal = Journal(journal_path(world.haessal.profile))
    try:
        return journal.leavers(world.haessal.domain)
    finally:
        journal.close()


def test_deletion_waits_for_the_grace_period_the_spec_and_the_thresholds(sandbox, tmp_path):
    world = _offboarded(sandbox, tmp_path)
    haessal = world.haessal
    records = _records(world)
    assert sorted(records) == world.leavers
    now = dt.datetime.now(dt.UTC)
    soon = haessal.plan(allow_delete=True, leaver_records=records, now=now)
    assert not [c for c in soon.changes if c.action == "remove"]
    grace = [w for w in soon.warnings if "grace period" in w]
    assert len(grace) == 5 and all(len(w.splitlines()) == 1 for w in grace)
    later = now + dt.timedelta(days=31)
    refused = haessal.plan(allow_delete=True, leaver_records=records, now=later)
    assert sum("allow_deletion: true" in w for w in refused.warnings) == 5
    assert not [c for c in refused.changes if c.action == "remove"]
    haessal.org.write_text(haessal.org.read_text(encoding="utf-8").replace(
        "allow_deletion: false", "allow_deletion: true"), encoding="utf-8")
    without_flag = haessal.plan(leaver_records=records, now=later)
    assert not [c for c in without_flag.changes if c.action == "remove"]
    deleting = haessal.plan(allow_delete=True, leaver_records=records, now=later)
    assert sorted(c.key for c in deleting.changes if c.action == "remove") == world.leavers
    assert any("5 deletions exceed the limit" in u for u in deleting.unsafe)


def test_a_returner_is_unsuspended_and_gets_their_groups_back(sandbox, tmp_path):
    world = _offboarded(sandbox, tmp_path)
    haessal = world.haessal
    email = world.email("hyunju.jung")
    directory = haessal.session().service("directory")
    assert "groups" not in directory.groups().list(userKey=email).execute()
    groups_then = _records(world)[email]["groups"]
    assert f"book-club@{haessal.domain}" in groups_then

    def back(lines: list[str]) -> list[str]:
        return [line.replace("2026-01-31", "") if line.startswith("H003,") else line
                for line in lines]

    haessal.edit_roster(back)
    session = haessal.session(retry=quick_retry())
    plan = haessal.plan(session, leaver_records=_records(world))
    assert [(c.action, c.after) for c in plan.changes if c.key == email] == [
        ("update", {"suspended": False, "includeInGlobalAddressList": True})]
    assert f"book-club@{haessal.domain} {email}" in {c.key for c in plan.changes
                                                     if c.kind == "member"}
    result = haessal.apply(plan, session)
    assert not result.failed, result.failed
    user = directory.users().get(userKey=email).execute()
    assert not user["suspended"] and user["includeInGlobalAddressList"] is True
    now_in = {g["email"] for g in directory.groups().list(userKey=email).execute()["groups"]}
    assert set(groups_then) <= now_in
    assert email not in _records(world)

