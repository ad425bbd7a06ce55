"""Planning rules: rotating terms, adoption, unmanaged objects, last owners, output details."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.cells import cell_len
from rich.console import Console

from tests.provision.sandbox_setup import example
from workspace_coach.provision.changes import Create, Update
from workspace_coach.provision.desired import DesiredState
from workspace_coach.provision.passwords import sha512_crypt
from workspace_coach.provision.plan import Plan, diff
from workspace_coach.provision.render import render_markdown, render_text
from workspace_coach.provision.state import TenantState
from workspace_coach.safe_text import safe_cell


@pytest.fixture
def haessal(sandbox, tmp_path):
    return example(sandbox, tmp_path)


def test_rotating_terms_end_and_the_minimum_is_watched(haessal):
    haessal.apply(haessal.plan(today=dt.date(2026, 11, 23)))
    d = haessal.domain
    plan = haessal.plan(today=dt.date(2026, 12, 2))  # 이미경's six months end on Dec 1
    assert [(c.action, c.key) for c in plan.changes] == [
        ("remove", f"catalysts@{d} mikyung.lee@{d}")]
    assert any("term ended 2026-12-01" in w for w in plan.warnings)
    later = haessal.plan(today=dt.date(2027, 3, 2))  # everyone's term has ended
    removed = {c.key for c in later.changes if c.action == "remove"}
    assert len(removed) == 4 and f"catalysts@{d} youngsoo.kim@{d}" not in removed
    assert any("below the minimum of 3" in w for w in later.warnings)


def test_existing_objects_are_left_alone_unless_adopted(haessal):
    d = haessal.domain
    directory = haessal.session().service("directory")
    directory.users().insert(body={"primaryEmail": f"youngsoo.kim@{d}", "password": "Secret123!",
                                   "name": {"givenName": "영수", "familyName": "김"}}).execute()
    directory.users().insert(body={"primaryEmail": f"stranger@{d}", "password": "Secret123!",
                                   "name": {"givenName": "S", "familyName": "T"}}).execute()
    directory.groups().insert(body={"email": f"book-club@{d}", "name": "Books"}).execute()
    plan = haessal.plan()
    keys = {(c.kind, c.key) for c in plan.changes}
    assert ("user", f"youngsoo.kim@{d}") not in keys
    assert any("plan --adopt" in w and f"youngsoo.kim@{d}" in w for w in plan.warnings)
    assert plan.unmanaged["users"] == [f"stranger@{d}"]
    assert plan.unmanaged["groups"] == [f"book-club@{d}"]
    assert not any(c.key.startswith(f"stranger@{d}") for c in plan.changes)
    adopted = haessal.plan(adopt=True)
    change = next(c for c in adopted.changes if c.key == f"youngsoo.kim@{d}")
    assert isinstance(change, Update) and change.after["orgUnitPath"] == "/경영지원"
    assert change.after["organizations"][0]["description"] == "workspace-coach"
    assert not any(c.action in ("suspend", "remove") and c.kind == "user"
                   for c in adopted.changes)
    assert not haessal.apply(adopted).failed
    assert haessal.plan().changes == []


def test_protected_and_super_admins_are_never_touched(haessal):
    haessal.apply(haessal.plan())
    plan = haessal.plan()
    assert plan.changes == []
    admin = haessal.profile.admin
    assert admin not in plan.unmanaged.get("users", [])


def test_last_owner_of_a_group_is_kept():
    state = TenantState(groups={"g@x.kr": {"email": "g@x.kr", "name": "G"}},
                        members={"g@x.kr": {"old@x.kr": {"email": "old@x.kr", "role": "OWNER"},
                                            "a@x.kr": {"email": "a@x.kr", "role": "MEMBER"}}},
                        settings={"g@x.kr": {}})
    desired = DesiredState(groups={"g@x.kr": {"name": "G", "description": ""}},
                           members={"g@x.kr": {"a@x.kr": "MEMBER", "b@x.kr": "MEMBER"}})
    plan = diff(state, desired, None, domain="x.kr")
    assert [(c.action, c.key) for c in plan.changes] == [("create", "g@x.kr b@x.kr")]
    assert any("kept its last owner" in w for w in plan.warnings)


def test_text_plan_aligns_hangul_by_cell_width():
    plan = Plan(domain="x.kr", changes=[
        Update("drive", "교육 자료실", after={"restrictions": {"domainUsersOnly": True}},
               before={"restrictions": {"domainUsersOnly": False}}),
        Update("drive", "Cafe", after={"restrictions": {"domainUsersOnly": True}},
               before={"restrictions": {"domainUsersOnly": False}})])
    console = Console(width=200, record=True, color_system=None)
    console.print(render_text(plan))
    lines = [ln for ln in console.export_text().splitlines() if "restrictions" in ln]
    assert len({cell_len(ln.split("restrictions")[0]) for ln in lines}) == 1
    md = render_markdown(plan)
    assert "| update | 교육 자료실 |" in md


def test_plan_json_round_trips_and_has_no_password_field(tmp_path):
    plan = Plan(domain="x.kr", changes=[Create("user", "a@x.kr", after={"orgUnitPath": "/"},
                                               meta={"password": "generated"})])
    path = tmp_path / "p.json"
    plan.save(path)
    assert Plan.load(path).checksum == plan.checksum
    assert '"password": "generated"' in path.read_text(encoding="utf-8")


def test_sha512_crypt_matches_the_reference_vectors():
    assert sha512_crypt("Hello world!", "saltstring", 5000) == (
        "$6$rounds=5000$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI6"
        "8u4OTLiBFdcbYEdFCoEOfaS35inz1")
    assert sha512_crypt("Hello world!", "saltstringsaltstring", 10000) == (
        "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM"
        "0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.")


@pytest.mark.parametrize("value", ["=1+1", "+49", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_results_cells_are_safe_from_formula_injection(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("김민지") == "김민지"


def test_state_follows_member_pages_after_a_batched_first_page(tenant):
    from workspace_coach.google import scopes
    from workspace_coach.google.calls import Call
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.session import GoogleSession
    from workspace_coach.provision.state import read_state

    session = GoogleSession(GoogleClients(tenant, scopes.PROVISION))
    directory = session.service("directory")
    group = f"big@{tenant.domain}"
    directory.groups().insert(body={"email": group, "name": "Big"}).execute()
    session.service("groupssettings").groups().patch(
        groupUniqueId=group, body={"allowExternalMembers": "true"}).execute()
    calls = [Call(str(i), directory.members().insert(
        groupKey=group, body={"email": f"x{i}@outside.example.com"})) for i in range(230)]
    results = session.batch("directory", calls)
    assert all(r.ok for r in results), next(r.error for r in results if not r.ok)
    state = read_state(session, managed_groups=[group])
    assert len(state.members[group]) == 230
