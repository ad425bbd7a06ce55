"""Validation: every kind of problem, reported at once as file:row: column: message."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workspace_coach.errors import UserError
from workspace_coach.provision.roster import read_roster, roster_from_rows
from workspace_coach.provision.spec import load_spec, parse_spec
from workspace_coach.provision.validate import ValidationFailed, add_months, validate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "haessal"
TODAY = dt.date(2026, 11, 23)

SPEC = """\
domain: x.kr
org_units: [{path: /교육}, {path: /돌봄}]
teams: [{name: 교육, org_unit: /교육}, {name: 돌봄, org_unit: /돌봄}, {name: 홍보, org_unit: /홍보}]
groups:
  - email: edu@x.kr
    name: 교육
    members:
      - {team: 교육, role: OWNER}
      - 아무개
      - {person: nobody@x.kr}
      - {person: friend@gmail.com}
      - {team: 회계}
      - {org_unit: /없음}
      - {group: edu@x.kr}
  - email: edu@x.kr
    name: 중복
  - email: g@other.kr
    name: 남의 도메인
shared_drives:
  - name: 자료
    restrictions: {domain_users_only: true}
    permissions:
      - {group: missing@x.kr, role: organizer}
      - {person: guest@gmail.com, role: reader}
      - {person: E404, role: reader}
  - name: 자료
    permissions: [{domain: partner.kr, role: reader}]
rotating_roles:
  - {name: catalysts, group: cat@x.kr, min_holders: 3, term_months: 6, limit_months: 12}
"""

HEADER = ["사번", "이름", "이메일", "팀", "조직", "입사일", "퇴사일", "비밀번호", "순환역할"]
ROWS = [
    ["E1", "김민지", "minji.kim@x.kr", "교육", "", "2024-01-01", "", "", "catalysts:2025-01-01"],
    ["E2", "이서연", "bad address", "교육", "", "", "", "", ""],                     # 3
    ["E3", "박지훈", "jihun@elsewhere.kr", "교육", "", "", "", "", ""],              # 4
    ["E4", "최윤아", "minji.kim@x.kr", "교육", "", "", "", "", ""],                  # 5
    ["E1", "강지훈", "", "교육", "", "", "", "", ""],                                # 6
    ["", "윤하늘", "", "회계", "/없음", "2024-05-01", "", "", ""],                    # 7
    ["", "윤하늘", "", "교육", "", "2024-05-01", "", "", ""],                         # 8
    ["E9", "장" + "수" * 61, "", "교육", "", "", "", "", ""],                         # 9
    ["E10", "임<다은>", "", "교육", "", "", "", "", ""],                              # 10
    ["E11", "조은비", "", "교육", "", "", "", "짧다", ""],                            # 11
    ["E12", "신혜원", "", "교육", "", "", "", "short", ""],                           # 12
    ["E13", "권순자", "", "교육", "", "2025-03-01", "2025-02-01", "", ""],            # 13
    ["E14", "=HYPERLINK(1)", "", "교육", "", "", "", "", ""],                         # 14
    ["E15", "안미\x07숙", "", "교육", "", "", "", "", "촉진자"],                      # 15
    ["E16", "李敏智", "", "교육", "", "", "", "", ""],                                # 16
]


def result_lines(spec_text: str = SPEC, rows=ROWS, **kw):
    spec = parse_spec(spec_text)
    roster = roster_from_rows([HEADER, *rows], "r.csv")
    result = validate(roster, spec, today=TODAY, **kw)
    return result, [str(i) for i in result.errors], [str(i) for i in result.warnings]


def test_every_roster_problem_at_once():
    result, errors, warnings = result_lines()
    expected = [
        ("r.csv:3: 이메일: not a valid address: 'bad address' (a-z, 0-9, '.', '-', '_' and \"'\" "
        "before the @)"),
        ("r.csv:4: 이메일: jihun@elsewhere.kr is in elsewhere.kr, which org.yaml does not own "
        "(x.kr)"),
        "r.csv:5: 이메일: duplicate email minji.kim@x.kr (also on row 2)",
        "r.csv:6: 사번: duplicate employee id E1 (also on row 2)",
        "r.csv:7: 팀: unknown team '회계' (org.yaml defines 교육, 돌봄, 홍보)",
        "r.csv:7: 조직: unknown org unit '/없음'",
        ("r.csv:8: 이름: duplicate person: same name and start date as row 7; give an employee id "
        "or an email to tell them apart"),
        "r.csv:9: 이름: given name is 61 characters; at most 60",
        "r.csv:10: 이름: given name may not contain '<' or '>'",
        "r.csv:11: 비밀번호: password must be ASCII letters, digits and symbols",
        "r.csv:12: 비밀번호: password must be 8 to 100 characters (has 5)",
        "r.csv:13: 퇴사일: ends 2025-02-01 before starting 2025-03-01",
        "r.csv:15: 이름: contains the control character U+0007",
        "r.csv:15: 순환역할: unknown rotating role '촉진자'",
        ("r.csv:16: 이메일: no email, and none can be made from this name; give one (or an "
        "English name)"),
    ]
    for line in expected:
        assert line in errors, line
    assert ("r.csv:14: 이름: warning: starts with '=' like a spreadsheet formula; it is kept as "
            "plain text") in warnings
    assert "r.csv:2: 순환역할: warning: has held catalysts since 2025-01-01, past the " \
           "12-month limit" in warnings
    with pytest.raises(ValidationFailed) as info:
        result.raise_for_errors()
    assert isinstance(info.value, UserError)
    assert str(info.value).splitlines()[0] == f"{len(errors)} problems in the input:"


def test_every_spec_problem_at_once():
    _, errors, warnings = result_lines()
    expected = [
        "org.yaml:3: teams[2].org_unit: unknown org unit '/홍보'",
        ("org.yaml:9: groups[0].members[1]: '아무개' is neither a person (email or employee id), "
        "a team nor an org unit"),
        ("org.yaml:10: groups[0].members[2]: no person with email or employee id 'nobody@x.kr' "
        "in the roster"),
        ("org.yaml:11: groups[0].members[3]: friend@gmail.com is outside the organisation; set "
        "settings.allow_external_members: true to allow it"),
        "org.yaml:12: groups[0].members[4]: unknown team '회계'",
        "org.yaml:13: groups[0].members[5]: unknown org unit '/없음'",
        "org.yaml:14: groups[0].members[6]: a group cannot be a member of itself",
        "org.yaml:15: groups[1].email: duplicate group (also groups[0])",
        "org.yaml:17: groups[2].email: g@other.kr is not in a domain the tenant owns (x.kr)",
        "org.yaml:23: shared_drives[0].permissions[0].group: unknown group 'missing@x.kr'",
        ("org.yaml:24: shared_drives[0].permissions[1].person: guest@gmail.com is outside the "
        "organisation but the drive allows domain users only"),
        ("org.yaml:25: shared_drives[0].permissions[2].person: no person with email or employee "
        "id 'E404' in the roster"),
        "org.yaml:26: shared_drives[1].name: duplicate shared drive name (also shared_drives[0])",
        "org.yaml:29: rotating_roles[0].group: no group 'cat@x.kr' in groups",
    ]
    for line in expected:
        assert line in errors, line
    assert ("org.yaml:27: shared_drives[1].permissions[0].domain: warning: partner.kr is not a "
            "domain the tenant owns; everyone there gets access") in warnings
    assert "org.yaml:26: shared_drives[1]: warning: no organizer: only admins will be able to " \
           "manage it" in warnings
    assert "org.yaml:29: rotating_roles[0]: warning: 1 people hold catalysts; it needs at " \
           "least 3" in warnings


def test_too_many_rotating_role_holders_and_ended_terms():
    spec = ("domain: x.kr\ngroups: [{email: c@x.kr, name: C}]\nrotating_roles:\n"
            "  - {name: c, group: c@x.kr, min_holders: 1, max_holders: 1, term_months: 6}\n")
    rows = [["E1", "김민지", "", "", "", "", "", "", "c:2026-01-01"],
            ["E2", "이서연", "", "", "", "", "", "", "c"],
            ["E3", "박지훈", "", "", "", "", "2026-01-01", "", "c"],      # left: not counted
            ["E4", "최윤아", "", "", "", "", "", "", "c:2027-01-01"]]     # not yet
    _, errors, warnings = result_lines(spec, rows)
    assert errors == ["org.yaml:4: rotating_roles[0]: 2 people hold c; at most 1"]
    assert "r.csv:2: 순환역할: warning: 6-month term as c ended 2026-07-01; renew or hand it " \
           "on" in warnings


def test_without_spec_domain_comes_from_flag_or_roster():
    rows = [["김민지", "minji.kim@x.kr"], ["김민지", ""], ["이서연", ""]]
    roster = roster_from_rows([["이름", "이메일"], *rows], "r.csv")
    result = validate(roster)
    assert result.ok and result.domain == "x.kr"
    assert [result.email_of(p) for p in roster.people] == [
        "minji.kim@x.kr", "minji.kim2@x.kr", "seoyeon.lee@x.kr"]
    other = validate(roster, domain="y.kr")
    assert [str(e) for e in other.errors] == [
        "r.csv:2: 이메일: minji.kim@x.kr is in x.kr, which --domain does not own (y.kr)"]
    lost = validate(roster_from_rows([["이름"], ["김민지"]], "r.csv"))
    assert [str(e) for e in lost.errors] == [
        "r.csv:2: email: no email, and no domain to make one: pass --org or --domain"]


def test_generated_addresses_avoid_groups_and_protected_accounts():
    spec = parse_spec("domain: x.kr\ngroups: [{email: minji.kim@x.kr, name: G}]\n"
                      "protected_accounts: [seoyeon.lee@x.kr]\n")
    roster = roster_from_rows([["이름"], ["김민지"], ["이서연"]], "r.csv")
    result = validate(roster, spec, today=TODAY)
    assert result.ok
    assert [result.email_of(p) for p in roster.people] == ["minji.kim2@x.kr",
                                                           "seoyeon.lee2@x.kr"]


def test_the_example_validates_cleanly_in_both_encodings():
    spec = load_spec(EXAMPLE / "org.yaml")
    results = []
    for name, encoding in (("roster.csv", "cp949"), ("roster-utf8.csv", "utf-8-sig")):
        roster = read_roster(EXAMPLE / name)
        assert roster.encoding == encoding
        result = validate(roster, spec, today=TODAY)
        assert result.errors == [] and result.warnings == [], result.errors + result.warnings
        results.append(result)
    result = results[0]
    assert len(result.people) == 40
    assert len({t for p in result.people for t in p.teams}) == 6
    generated = {p.name: a.email for p in result.people
                 if (a := result.emails[p.key]).generated}
    assert generated == {
        "김민지": "minji.kim2@haessal.coop.kr", "이서연": "seoyeon.lee2@haessal.coop.kr",
        "한별": "byeol.han@haessal.coop.kr", "Daniel Brown": "daniel.brown@haessal.coop.kr",
        "선우정아": "jeonga.sunwoo@haessal.coop.kr"}
    assert [result.email_of(p) for p in results[1].people] == [
        result.email_of(p) for p in result.people]
    office = spec.group("office@haessal.coop.kr")
    members = result.group_members(office)
    assert members["mikyung.lee@haessal.coop.kr"] == "OWNER" and len(members) == 6
    everyone = result.group_members(spec.group("all@haessal.coop.kr"))
    assert "sunja.kwon@haessal.coop.kr" not in everyone  # left in June 2026
    assert len(everyone) == 39 and everyone["youngsoo.kim@haessal.coop.kr"] == "OWNER"


def test_add_months_clamps():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), 24) == dt.date(2028, 1, 15)
