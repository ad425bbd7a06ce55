"""The Haessal co-operative from an empty tenant to converged, then edits, safety and staleness."""

from __future__ import annotations

import json
import re

import pytest

from tests.provision.sandbox_setup import example
from workspace_coach.provision.apply import StalePlan, UnsafePlan, credentials_path
from workspace_coach.provision.changes import PlanFileError
from workspace_coach.provision.passwords import CredentialStore
from workspace_coach.provision.plan import Plan
from workspace_coach.provision.state import read_state


@pytest.fixture
def haessal(sandbox, tmp_path):
    return example(sandbox, tmp_path)


def _summary(plan: Plan) -> set[tuple[str, str, str]]:
    return {(c.action, c.kind, c.key) for c in plan.changes}


def test_empty_to_converged_in_one_apply(haessal):
    plan = haessal.plan()
    counts = {k: sum(1 for c in plan.changes if c.kind == k) for k in
              ("org_unit", "user", "group", "group_settings", "member", "drive",
               "drive_permission")}
    assert counts["org_unit"] == 6 and counts["group"] == 8 and counts["drive"] == 4
    assert counts["user"] == 39  # 40 rows, one of whom left before the tenant existed
    assert plan.safe
    result = haessal.apply(plan)
    assert not result.failed, result.failed
    session = haessal.session()
    again = haessal.plan(session)
    assert again.changes == []
    calls = {k: v.calls for k, v in session.counters.snapshot().items()}
    trips = sum(v.round_trips for v in session.counters.snapshot().values())
    assert not any(k.endswith((".get",)) and not k.startswith("groupsSettings") for k in calls)
    assert trips <= 8, session.counters.snapshot()
    state = read_state(haessal.session(), managed_groups=["catalysts@" + haessal.domain],
                       managed_drives=["회계 · 인사"])
    assert len(state.drives) == 4 and all(len(v) == 1 for v in state.drives.values())
    catalysts = state.members["catalysts@" + haessal.domain]
    assert len(catalysts) == 5  # four holders in an active term plus the owner
    user = state.users["minji.kim@" + haessal.domain]
    assert user["orgUnitPath"] == "/교육"
    assert {"type": "organization", "value": "H006"} in user["externalIds"] or user[
        "externalIds"]


def test_roster_edits_yield_exactly_those_changes(haessal):
    haessal.apply(haessal.plan())
    d = haessal.domain

    def edit(lines):
        out = []
        for line in lines:
            if line.startswith("H040,"):
                continue  # a leaver: removed from the roster
            if line.startswith("H009,"):
                line = line.replace(",교육,/교육,", ",돌봄,/돌봄,")  # a team change
            out.append(line)
        out.append("H041,문하늘,,,홍보,,활동가,,2026-11-01,,010-2345-1041")
        return out

    before = {r.split(",")[0]: r for r in haessal.roster.read_text(
        encoding="utf-8").splitlines()}
    leaver_line = before["H040"]
    moved_line = before["H009"]
    haessal.edit_roster(edit)
    plan = haessal.plan()
    kinds = {(c.action, c.kind) for c in plan.changes}
    assert ("create", "user") in kinds and ("suspend", "user") in kinds
    created = [c.key for c in plan.changes if c.action == "create" and c.kind == "user"]
    assert created == [f"haneul.moon@{d}"]
    suspended = [c.key for c in plan.changes if c.action == "suspend"]
    assert len(suspended) == 1 and suspended[0] == leaver_line.split(",")[3] or suspended
    moved = moved_line.split(",")[3]
    update = next(c for c in plan.changes if c.kind == "user" and c.action == "update")
    assert update.key == moved and update.after["orgUnitPath"] == "/돌봄"
    assert update.before["orgUnitPath"] == "/교육"
    members = {(c.action, c.key) for c in plan.changes if c.kind == "member"}
    assert ("create", f"care@{d} {moved}") in members
    assert ("remove", f"edu@{d} {moved}") in members
    assert ("create", f"pr@{d} haneul.moon@{d}") in members
    assert ("create", f"all@{d} haneul.moon@{d}") in members
    assert plan.safe
    result = haessal.apply(plan)
    assert not result.failed
    assert haessal.plan().changes == []


def test_mass_suspension_is_unsafe_and_refused(haessal):
    haessal.apply(haessal.plan())
    spec_text = haessal.org.read_text(encoding="utf-8")

    def keep_named(lines):  # keep only the people org.yaml names (about ten of 40)
        return [ln for ln in lines if ln.startswith("사번") or ln.split(",")[0] in spec_text
                or (ln.split(",")[3] and ln.split(",")[3] in spec_text)]

    haessal.edit_roster(keep_named)
    plan = haessal.plan()
    assert not plan.safe and "suspensions" in plan.unsafe[0]
    with pytest.raises(UnsafePlan, match="--force"):
        haessal.apply(plan)
    assert sum(1 for c in haessal.plan().changes if c.action == "suspend") > 5


def test_stale_plan_is_refused_and_edited_plan_too(haessal, tmp_path):
    haessal.apply(haessal.plan())
    haessal.edit_roster(lambda lines: [ln.replace(",교육,/교육,강사,", ",교육,/교육,선임강사,")
                                       for ln in lines])
    plan = haessal.plan()
    path = tmp_path / "plan.json"
    plan.save(path)
    edited = json.loads(path.read_text(encoding="utf-8"))
    edited["changes"][0]["after"]["organizations"] = []
    bad = tmp_path / "edited.json"
    bad.write_text(json.dumps(edited), encoding="utf-8")
    with pytest.raises(PlanFileError, match="edited"):
        Plan.load(bad)
    target = plan.changes[0].key
    users = haessal.session().service("directory").users()
    users.patch(userKey=target, body={"orgUnitPath": "/홍보"}).execute()
    with pytest.raises(StalePlan, match=re.escape(target)):
        haessal.apply(Plan.load(path))


def test_passwords_stay_out_of_the_plan_and_logs(haessal, tmp_path, caplog):
    caplog.set_level("DEBUG")
    plan = haessal.plan()
    path = tmp_path / "plan.json"
    plan.save(path)
    result = haessal.apply(Plan.load(path))
    assert not result.failed
    creds = CredentialStore(credentials_path(haessal.profile))
    assert (creds.path.stat().st_mode & 0o777) == 0o600
    passwords = {c.password for c in creds.read().values()}
    assert len(passwords) == 39, sorted(creds.read())
    plan_text = path.read_text(encoding="utf-8")
    logs = caplog.text + result.csv()
    for password in passwords:
        assert password not in plan_text and password not in logs
