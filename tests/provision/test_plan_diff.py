"""The diff on a hand-built tenant and wish list, every kind of change at once.

The plan (changes and their order, warnings, unmanaged objects, safety, state digests) is
compared whole with the files in `golden/`, so a change to how any resource type is compared
shows up as a difference here. After a deliberate change of behaviour, write the files again
with `WC_WRITE_GOLDEN=1` and review their diff.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from workspace_coach.provision.apply import Applier
from workspace_coach.provision.changes import PHASE_TITLES, PHASES
from workspace_coach.provision.desired import DesiredState, DesiredUser, desired_user_view
from workspace_coach.provision.diffs import DIFFERS, DiffContext
from workspace_coach.provision.plan import diff
from workspace_coach.provision.render import render_markdown
from workspace_coach.provision.roster import Person
from workspace_coach.provision.spec import Limit, Offboarding, OrgSpec, Safety, Team
from workspace_coach.provision.state import MARKER, TenantState

D = "x.kr"
GOLDEN = Path(__file__).parent / "golden"
NOW = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)


def _person(row: int, name: str, email: str, **extra: Any) -> Person:
    return Person(source="roster.csv", row=row, name=name, given_name=name[1:],
                  family_name=name[0], email=email, employee_id=f"E{row:03}", **extra)


def _user(email: str, *, managed: bool = True, **extra: Any) -> dict[str, Any]:
    orgs = [{"description": MARKER, "department": "교육"}] if managed else []
    return {"id": f"id-{email}", "primaryEmail": email, "orgUnitPath": "/교육",
            "name": {"givenName": "x", "familyName": "y"}, "organizations": orgs, **extra}


def _wanted(person: Person, unit: str, *, current: str | None = None,
            leaver: bool = False) -> DesiredUser:
    email = person.email or ""
    return DesiredUser(person, email, current, desired_user_view(person, email, unit), leaver)


def _member(email: str, role: str = "MEMBER") -> dict[str, Any]:
    return {"email": email, "role": role}


def _perm(pid: str, kind: str, address: str, role: str) -> dict[str, Any]:
    key = "domain" if kind == "domain" else "emailAddress"
    return {"id": pid, "type": kind, key: address, "role": role}


def varied_world() -> tuple[TenantState, DesiredState, OrgSpec, dict[str, dict[str, Any]]]:
    """A tenant that already holds some of what is wanted, some of it differently."""
    kim = _person(1, "김민지", f"minji.kim@{D}", teams=("교육",), role="강사")
    lee = _person(2, "이서준", f"seojun.lee@{D}", teams=("교육",), role="강사")
    park = _person(3, "박하은", f"haeun.park@{D}", teams=("돌봄",))
    choi = _person(4, "최도윤", f"doyun.choi@{D}", teams=("교육",),
                   end_date=dt.date(2026, 1, 31))  # a leaver the tenant never had
    jung = _person(5, "정미경", f"mikyung.jung@{D}", teams=("교육",),
                   end_date=dt.date(2026, 10, 31), successor="이서준")
    kang = _person(6, "강수", f"su.kang@{D}", teams=("돌봄",))  # a returner
    yoon = _person(7, "윤영수", f"youngsoo.yoon@{D}")  # exists, made by hand
    boss = _person(8, "장대표", f"boss@{D}")  # protected
    state = TenantState(
        org_units={"/": {"orgUnitPath": "/"}, "/교육": {"orgUnitPath": "/교육",
                                                       "description": "old"},
                   "/돌봄": {"orgUnitPath": "/돌봄", "description": "돌봄팀"}},
        users={u["primaryEmail"]: u for u in (
            _user(f"admin@{D}", managed=False, isAdmin=True),
            _user(f"boss@{D}", managed=False),
            _user(f"seojun.lee@{D}", externalIds=[{"type": "organization", "value": "E002"}]),
            _user(f"mikyung.jung@{D}"),
            _user(f"su.kang@{D}", suspended=True),
            _user(f"youngsoo.yoon@{D}", managed=False),
            _user(f"stranger@{D}", managed=False),
            _user(f"gone@{D}"),  # managed, no longer in the roster
            _user(f"left.long.ago@{D}", suspended=True),  # suspended earlier: deletion next
            _user(f"resting@{D}", suspended=True),  # suspended lately: in the grace period
            _user(f"nobody@{D}", organizations=[{"description": MARKER,
                                                   "department": "돌봄"}]),  # no successor
        )},
        groups={g: {"email": g, "name": n, "description": ""} for g, n in (
            (f"edu@{D}", "교육"), (f"care@{D}", "돌봄 old"), (f"book@{D}", "독서 모임"),
            (f"old-club@{D}", "Old club"))},
        members={
            f"edu@{D}": {f"seojun.lee@{D}": _member(f"seojun.lee@{D}", "OWNER"),
                         f"gone@{D}": _member(f"gone@{D}", "MANAGER"),
                         f"boss@{D}": _member(f"boss@{D}"),
                         "id-only": {"id": "id-only", "role": "MEMBER"}},
            f"care@{D}": {f"gone@{D}": _member(f"gone@{D}", "OWNER"),
                          f"haeun.park@{D}": _member(f"haeun.park@{D}", "MEMBER")},
            f"book@{D}": {f"mikyung.jung@{D}": _member(f"mikyung.jung@{D}", "OWNER"),
                          f"gone@{D}": _member(f"gone@{D}")},
            f"old-club@{D}": {f"seojun.lee@{D}": _member(f"seojun.lee@{D}")},
        },
        settings={f"edu@{D}": {"whoCanJoin": "INVITED_CAN_JOIN"}, f"care@{D}": {}},
        drives={"자료실": [{"id": "d2", "name": "자료실", "createdTime": "2025-02-01",
                          "restrictions": {"domainUsersOnly": False}},
                         {"id": "d1", "name": "자료실", "createdTime": "2025-01-01",
                          "restrictions": {"domainUsersOnly": False,
                                           "driveMembersOnly": True}}],
                "회계": [{"id": "d3", "name": "회계", "createdTime": "2025-03-01",
                        "restrictions": {}}],
                "옛 드라이브": [{"id": "d4", "name": "옛 드라이브", "createdTime": "2024-01-01"}]},
        permissions={
            "d1": [_perm("p1", "group", f"edu@{D}", "writer"),
                   _perm("p2", "user", f"gone@{D}", "organizer"),
                   _perm("p3", "user", f"boss@{D}", "reader"),
                   _perm("p4", "domain", D, "reader")],
            "d3": [_perm("p5", "user", f"gone@{D}", "organizer"),
                   _perm("p6", "user", f"seojun.lee@{D}", "fileOrganizer")]},
        transfers={f"mikyung.jung@{D}": [{"overallTransferStatusCode": "inProgress"}],
                   f"left.long.ago@{D}": [{"overallTransferStatusCode": "completed"}]},
        tokens={f"gone@{D}": [{"clientId": "42.apps", "displayText": "영상 편집기"}]},
        groups_of={f"gone@{D}": [f"book@{D}", f"care@{D}", f"edu@{D}"],
                   f"mikyung.jung@{D}": [f"book@{D}"]},
    )
    desired = DesiredState(
        org_units={"/": {"description": ""}, "/교육": {"description": "교육팀"},
                   "/돌봄": {"description": ""}, "/홍보": {"description": "홍보팀"},
                   "/홍보/디자인": {"description": ""}},
        users=[_wanted(kim, "/교육"), _wanted(lee, "/교육", current=f"seojun.lee@{D}"),
               _wanted(park, "/돌봄"), _wanted(choi, "/교육", leaver=True),
               _wanted(jung, "/교육", current=f"mikyung.jung@{D}", leaver=True),
               _wanted(kang, "/돌봄", current=f"su.kang@{D}"),
               _wanted(yoon, "/", current=f"youngsoo.yoon@{D}"),
               _wanted(boss, "/", current=f"boss@{D}")],
        groups={f"edu@{D}": {"name": "교육", "description": ""},
                f"care@{D}": {"name": "돌봄", "description": "돌봄팀"},
                f"pr@{D}": {"name": "홍보", "description": ""}},
        settings={f"edu@{D}": {"whoCanJoin": "INVITED_CAN_JOIN",
                               "whoCanPostMessage": "ALL_MEMBERS_CAN_POST"},
                  f"care@{D}": {}, f"pr@{D}": {"allowExternalMembers": "false"}},
        members={f"edu@{D}": {f"minji.kim@{D}": "MEMBER", f"seojun.lee@{D}": "MANAGER"},
                 f"care@{D}": {f"haeun.park@{D}": "MANAGER", f"su.kang@{D}": "MEMBER"},
                 f"pr@{D}": {f"minji.kim@{D}": "OWNER"}},
        drives={"자료실": {"restrictions": {"domainUsersOnly": True, "driveMembersOnly": True}},
                "회계": {"restrictions": {}}, "홍보 자료": {"restrictions": {}}},
        permissions={"자료실": {f"group:edu@{D}": "fileOrganizer",
                             f"user:minji.kim@{D}": "organizer"},
                     "회계": {f"user:seojun.lee@{D}": "fileOrganizer"},
                     "홍보 자료": {f"group:pr@{D}": "organizer"}},
        protected={f"admin@{D}", f"boss@{D}"},
        warnings=["catalysts: 1 holder(s), below the minimum of 3"],
    )
    spec = OrgSpec(domain=D, teams=[Team(name="교육", lead=f"seojun.lee@{D}"),
                                    Team(name="돌봄")],
                   safety=Safety(max_suspensions=Limit(count=1),
                                 max_membership_removals=Limit(percent=10), min_existing=2),
                   offboarding=Offboarding(grace_days=30), allow_deletion=True)
    records = {f"su.kang@{D}": {"suspended_at": NOW.timestamp() - 86400 * 90,
                                "groups": [f"book@{D}", f"old-club@{D}"]},
               f"left.long.ago@{D}": {"suspended_at": NOW.timestamp() - 86400 * 60,
                                      "groups": []},
               f"resting@{D}": {"suspended_at": NOW.timestamp() - 86400 * 10, "groups": []}}
    return state, desired, spec, records


CASES = {"plain": {}, "adopt_and_delete": {"adopt": True, "allow_delete": True}}


def _plan_files(name: str) -> tuple[str, str]:
    state, desired, spec, records = varied_world()
    plan = diff(state, desired, spec, domain=D, leaver_records=records, now=NOW, **CASES[name])
    plan.created = ""  # the only part that depends on the clock
    body = json.dumps(plan.body(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return body, render_markdown(plan)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_plan_of_a_varied_tenant_is_as_recorded(name):
    body, markdown = _plan_files(name)
    files = {GOLDEN / f"plan_{name}.json": body, GOLDEN / f"plan_{name}.md": markdown}
    if os.environ.get("WC_WRITE_GOLDEN"):
        for path, text in files.items():
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path, text in files.items():
        assert text == path.read_text(encoding="utf-8"), f"{path.name} differs"


def test_the_varied_tenant_exercises_every_kind_of_change():
    """The golden files are only worth having if they cover what the diff can do."""
    plans = {n: json.loads(_plan_files(n)[0]) for n in CASES}
    seen = {(c["action"], c["kind"]) for p in plans.values() for c in p["changes"]}
    assert {("create", "org_unit"), ("update", "org_unit"), ("create", "user"),
            ("update", "user"), ("suspend", "user"), ("remove", "user"), ("create", "group"),
            ("update", "group"), ("update", "group_settings"), ("create", "transfer"),
            ("create", "member"), ("update", "member"), ("remove", "member"),
            ("create", "drive"), ("update", "drive"), ("create", "drive_permission"),
            ("update", "drive_permission"), ("remove", "drive_permission"),
            ("create", "signout"), ("remove", "token")} <= seen
    phases = {c["kind"] if c["kind"] != "user" or c["action"] in ("create", "update")
              else "suspension" for p in plans.values() for c in p["changes"]}
    assert phases == set(PHASES)
    plain = plans["plain"]
    words = " ".join(plain["warnings"])
    for expected in ("kept its last owner", "kept its last organizer", "2 shared drives",
                     "is protected", "plan --adopt", "no data transfer", "below the minimum"):
        assert expected in words, expected
    assert plain["unmanaged"]["users"] == [f"stranger@{D}"]
    assert plain["unmanaged"]["groups"] and plain["unmanaged"]["drives"] and plain["unsafe"]
    assert any("in the grace period" in w for w in plans["adopt_and_delete"]["warnings"])


def test_every_phase_has_a_differ_and_a_runner():
    runners = Applier._runners(object.__new__(Applier))
    assert list(runners) == list(PHASES) == list(PHASE_TITLES)
    assert {p for d in DIFFERS for p in d.phases} == set(PHASES)
    assert len({d.name for d in DIFFERS}) == len(DIFFERS)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_differ_makes_changes_only_in_its_phases(name):
    state, desired, spec, records = varied_world()
    ctx = DiffContext(state, desired, spec, now=NOW, records=records, **CASES[name])
    for differ in DIFFERS:
        phases = {c.phase for c in differ.run(ctx)}
        assert phases <= set(differ.phases), (differ.name, phases)


def test_a_leaver_leaves_unmanaged_groups_in_the_order_they_were_read():
    """Not in the order of a set, which changes with each run's string hashing: the same
    tenant must give the same plan and checksum every time."""
    groups = [f"g{i}@{D}" for i in range(6)]
    leaver = {"primaryEmail": f"a@{D}", "organizations": [{"description": MARKER}]}
    state = TenantState(users={f"a@{D}": leaver}, groups={g: {"email": g} for g in groups},
                        members={g: {f"a@{D}": _member(f"a@{D}")} for g in groups},
                        groups_of={f"a@{D}": groups})
    plan = diff(state, DesiredState(), None, domain=D)
    assert [c.key for c in plan.changes if c.kind == "member"] == [
        f"{g} a@{D}" for g in groups]

