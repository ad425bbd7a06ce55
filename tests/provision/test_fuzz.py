"""Bad input never crashes: random rosters and bytes give a result or a clean UserError."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workspace_coach.errors import UserError
from workspace_coach.provision.roster import FIELD_ALIASES, read_roster_bytes, roster_from_rows
from workspace_coach.provision.spec import load_spec, parse_spec
from workspace_coach.provision.validate import ValidationFailed, validate

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "haessal"
SPEC = load_spec(EXAMPLE / "org.yaml")
TODAY = dt.date(2026, 11, 23)
FAST = settings(max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HEADERS = st.sampled_from(sorted({a for aliases in FIELD_ALIASES.values() for a in aliases}
                                 | {"별명", "", "note"}))
NASTY = st.sampled_from(["=SUM(A1:A9)", "+82-10-1234", "-1", "@cmd", "김민지", "남궁민수",
                         "Daniel Brown", "a@haessal.coop.kr", "minji.kim@haessal.coop.kr",
                         "교육;돌봄", "/교육", "2024-02-30", "2024. 3. 1.", "catalysts:2026-01-01",
                         "\x00", "\u202e", "\ufeff", "<b>", "가" * 300, "x" * 5000, " ", ""])
CELL = st.one_of(NASTY, st.text(max_size=40), st.integers(), st.floats(allow_nan=True),
                 st.none(), st.dates())


def _check(roster) -> None:
    result = validate(roster, SPEC, today=TODAY)
    try:
        result.raise_for_errors()
    except ValidationFailed as exc:
        assert exc.errors and str(exc)
    for person in result.people:
        result.email_of(person)
        result.org_unit_of(person)
    for group in SPEC.groups:
        result.group_members(group)


@FAST
@given(header=st.lists(HEADERS, min_size=1, max_size=8),
       rows=st.lists(st.lists(CELL, max_size=10), max_size=12))
def test_random_rosters_validate_or_fail_cleanly(header, rows):
    try:
        roster = roster_from_rows([header, *rows], "sheet")
    except UserError:
        return
    _check(roster)


@FAST
@given(header=st.lists(HEADERS, min_size=1, max_size=8),
       rows=st.lists(st.lists(st.one_of(NASTY, st.text(max_size=30)), max_size=9), max_size=8),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp949", "utf-16", "latin-1"]))
def test_random_csv_files_in_any_encoding(header, rows, encoding):
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    data = buffer.getvalue().encode(encoding, errors="replace")
    try:
        roster = read_roster_bytes(data, "roster.csv")
    except UserError:
        return
    _check(roster)


@FAST
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".tsv", ".txt"]))
def test_random_bytes(data, suffix):
    try:
        roster = read_roster_bytes(data, "roster" + suffix, suffix=suffix)
    except UserError:
        return
    _check(roster)


@FAST
@given(text=st.one_of(st.text(max_size=300),
                      st.builds(lambda a, b: f"domain: x.kr\n{a}:\n  - {b}\n",
                                st.sampled_from(["groups", "teams", "org_units", "shared_drives",
                                                 "rotating_roles", "safety", "nope"]),
                                st.text(max_size=60))))
def test_random_org_yaml(text):
    try:
        parse_spec(text)
    except UserError:
        pass
