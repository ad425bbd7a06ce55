"""org.yaml: strict models, API mappings, and errors that name the line and path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workspace_coach.errors import UserError
from workspace_coach.provision.spec import Limit, SpecError, load_spec, parse_spec

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "haessal" / "org.yaml"


def test_example_loads_with_api_mappings():
    spec = load_spec(EXAMPLE)
    assert spec.domain == "haessal.coop.kr"
    assert len(spec.teams) == 6 and len(spec.shared_drives) == 4
    everyone = spec.group("ALL@haessal.coop.kr")
    assert everyone.settings.to_api() == {
        "whoCanPostMessage": "ALL_MEMBERS_CAN_POST", "whoCanJoin": "INVITED_CAN_JOIN",
        "whoCanViewMembership": "ALL_IN_DOMAIN_CAN_VIEW", "allowExternalMembers": "false"}
    accounts = next(d for d in spec.shared_drives if d.name == "회계 · 인사")
    assert accounts.restrictions.to_api() == {
        "domainUsersOnly": True, "driveMembersOnly": True, "copyRequiresWriterPermission": True}
    assert [p.api_type for p in spec.shared_drives[1].permissions] == ["group", "group", "group"]
    role = spec.rotating_roles[0]
    assert (role.min_holders, role.term_months, role.limit_months) == (3, 6, 24)
    assert spec.org_unit_for(None, ["교육"]) == "/교육" and spec.org_unit_for("돌봄", []) == "/돌봄"
    office = EXAMPLE.read_text(encoding="utf-8").splitlines().index(
        "  - email: office@haessal.coop.kr") + 1
    assert spec.line_of(("groups", 1, "email")) == office


def test_defaults():
    spec = parse_spec("domain: x.kr\n")
    assert spec.allow_deletion is False and spec.username_pattern == "{given}.{family}"
    assert spec.safety.min_existing == 10 and spec.default_org_unit == "/"


def test_api_camel_case_keys_and_member_shorthand():
    spec = parse_spec("domain: x.kr\ngroups:\n - email: g@x.kr\n   name: G\n"
                      "   settings: {whoCanJoin: invited_can_join}\n"
                      "   members: [교육, /돌봄, H001, {team: 홍보, role: owner}]\n")
    group = spec.groups[0]
    assert group.settings.who_can_join == "INVITED_CAN_JOIN"
    assert [(m.kind, m.target, m.role) for m in group.members] == [
        ("ref", "교육", "MEMBER"), ("ref", "/돌봄", "MEMBER"), ("ref", "H001", "MEMBER"),
        ("team", "홍보", "OWNER")]


def test_every_schema_error_with_line_and_path():
    text = (
        "domain: x.kr\n"                                        # 1
        "groups:\n"                                             # 2
        "  - email: ok@x.kr\n"                                  # 3
        "    name: " + "가" * 74 + "\n"                          # 4
        "  - email: not-an-email\n"                             # 5
        "    nme: B\n"                                          # 6
        "    members: [{person: a@x.kr, team: t}]\n"            # 7
        "shared_drives:\n"                                      # 8
        "  - name: D\n"                                         # 9
        "    permissions: [{group: ok@x.kr, role: owner}]\n"    # 10
        "rotating_roles:\n"                                     # 11
        "  - {name: c, group: ok@x.kr, min_holders: 3, max_holders: 2, term_months: 6}\n"  # 12
        "username_pattern: '{given}.{nick}'\n"                  # 13
        "domain: y.kr\n"                                        # 14
    )
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    lines = str(info.value).splitlines()
    assert "org.yaml:4: groups[0].name: String should have at most 73 characters" in lines
    assert "org.yaml:5: groups[1].email: not a valid email address: 'not-an-email'" in lines
    assert "org.yaml:5: groups[1].name: required" in lines
    assert "org.yaml:6: groups[1].nme: unknown key; did you mean 'name'?" in lines
    assert ("org.yaml:7: groups[1].members[0]: give exactly one of person, team, org_unit "
            "or group") in lines
    assert any(line.startswith("org.yaml:10: shared_drives[0].permissions[0].role:")
               for line in lines)
    assert "org.yaml:12: rotating_roles[0]: max_holders is below min_holders" in lines
    assert any(line.startswith("org.yaml:13: username_pattern: unknown placeholder {nick}")
               for line in lines)
    assert "org.yaml:14: domain: duplicate key (first on line 1)" in lines
    assert isinstance(info.value, UserError)


@pytest.mark.parametrize("text, message", [
    ("domain: x.kr\ngroups: [a\nteams: }\n", "org.yaml:3: (yaml): not valid YAML"),
    ("- a\n- b\n", "expected a mapping"),
    ("", "expected a mapping"),
    ("domain: x.kr\norg_units: [{path: 교육}]\n", "org.yaml:2: org_units[0].path: must start"),
    ("domain: x.kr\nusername_pattern: '{family}'\n", "needs {given}"),
])
def test_broken_specs(text, message):
    with pytest.raises(SpecError, match=re.escape(message)):
        parse_spec(text)


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(UserError, match="not found"):
        load_spec(tmp_path / "org.yaml")
    bad = tmp_path / "org.yaml"
    bad.write_bytes("domain: x.kr\n# 한글\n".encode("cp949"))
    with pytest.raises(SpecError, match=":2: .*not UTF-8"):
        load_spec(bad)


def test_limits():
    limit = Limit(percent=10, count=5)
    assert limit.exceeded(6, 1000, 10)          # over the count
    assert limit.exceeded(3, 20, 10)            # 15% of 20
    assert not limit.exceeded(3, 9, 10)         # too few objects for percentages
    assert not Limit().exceeded(1000, 1000, 10)
