"""Reading rosters: encodings, XLSX, Korean/English/GAM headers, name splitting, row numbers."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from workspace_coach.errors import UserError
from workspace_coach.provision.roster import (
    parse_date,
    read_roster,
    read_roster_bytes,
    roster_from_rows,
    split_list,
)

KOREAN_CSV = "이름,이메일,팀,입사일\r\n김민지,minji.kim@haessal.coop.kr,교육;돌봄,2024-03-01\r\n" \
             "남궁민수,,개발,2024. 3. 4.\r\n"


@pytest.mark.parametrize("encoding, reported", [
    ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp949", "cp949"), ("euc-kr", "cp949"),
    ("utf-16", "utf-16"),
])
def test_encodings_are_detected(tmp_path, encoding, reported):
    path = tmp_path / "roster.csv"
    text = KOREAN_CSV.replace(",", "\t") if encoding == "utf-16" else KOREAN_CSV
    path.write_bytes(text.encode(encoding))
    roster = read_roster(path)
    assert roster.encoding == reported
    assert [p.name for p in roster.people] == ["김민지", "남궁민수"]
    assert roster.people[0].teams == ("교육", "돌봄")
    assert roster.people[1].start_date == dt.date(2024, 3, 4)
    assert roster.people[1].family_name == "남궁" and roster.people[1].given_name == "민수"


def test_cp949_only_characters_survive(tmp_path):
    # 똠 and 햏 are outside EUC-KR's 2,350 syllables but inside CP949.
    path = tmp_path / "r.csv"
    path.write_bytes("이름\r\n김똠햏\r\n".encode("cp949"))
    roster = read_roster(path)
    assert roster.encoding == "cp949" and roster.people[0].given_name == "똠햏"


def test_charset_normalizer_is_the_last_resort():
    # Neither UTF-8 nor CP949: a Western European export. The guess may name any Latin code
    # page that decodes these letters the same way.
    rows = ["name,email,role", "José Müller,jose@x.kr,Équipe de développement à Genève, été",
            "François Düring,f@x.kr,Directrice générale, bénévole à l'école"]
    roster = read_roster_bytes("\r\n".join(rows).encode("latin-1"), "r.csv")
    assert roster.encoding not in ("utf-8", "utf-8-sig", "cp949")
    assert roster.people[0].given_name == "José"
    assert roster.people[1].family_name == "Düring"


def test_xlsx_with_dates_numbers_and_korean(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["성", "이름", "사번", "입사일", "이메일"])
    sheet.append(["황보", "혜진", 1001, dt.datetime(2023, 5, 2), "hyejin@x.kr"])
    sheet.append([None, None, None, None, None])
    sheet.append(["최", "윤아", 1002.0, dt.date(2024, 1, 3), None])
    path = tmp_path / "roster.xlsx"
    book.save(path)
    roster = read_roster(path)
    assert roster.encoding is None
    first, second = roster.people
    assert (first.family_name, first.given_name, first.name) == ("황보", "혜진", "황보혜진")
    assert first.employee_id == "1001" and first.start_date == dt.date(2023, 5, 2)
    assert second.row == 4 and second.employee_id == "1002" and second.email is None


def _styled_far_corner(sheet) -> None:
    from openpyxl.styles import Font

    sheet["XFD1048576"].font = Font(bold=True)  # formatted, empty: the sheet's dimension grows


def test_xlsx_with_a_formatted_cell_at_the_last_corner_reads_only_its_rows(tmp_path):
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["이름", "이메일"])
    sheet.append(["김민지", "minji@x.kr"])
    sheet.append(["박서준", None])
    _styled_far_corner(sheet)
    path = tmp_path / "roster.xlsx"
    book.save(path)
    assert path.stat().st_size < 10_000
    declared = load_workbook(path, read_only=True).worksheets[0]
    assert (declared.max_row, declared.max_column) == (1_048_576, 16_384)
    roster = read_roster(path)
    assert [(p.name, p.email, p.row) for p in roster.people] == [
        ("김민지", "minji@x.kr", 2), ("박서준", None, 3)]


@pytest.mark.parametrize("cell, message", [("A20001", "more than 20,000 rows"),
                                           ("GS2", "beyond column 200")])
def test_xlsx_values_beyond_the_bounds_are_refused_naming_the_file(tmp_path, cell, message):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["이름", "이메일"])
    sheet.append(["김민지", "minji@x.kr"])
    sheet[cell] = "x"
    path = tmp_path / "far.xlsx"
    book.save(path)
    with pytest.raises(UserError, match=message) as refused:
        read_roster(path)
    assert str(path) in str(refused.value)


def test_header_aliases_english():
    roster = roster_from_rows([
        ["Given Name", "Family Name", "E-mail", "Teams", "Org Unit", "Start Date", "End Date",
         "Phone", "Employee ID", "Role", "Password"],
        ["Minji", "Kim", "Minji.Kim@X.kr", "edu, care", "edu", "2024/3/1", "2025년 2월 28일",
         "010-1234-5678", "E1", "teacher", "s3cret-pass"],
    ], "sheet")
    person = roster.people[0]
    assert person.email == "minji.kim@x.kr"
    assert person.teams == ("edu", "care") and person.org_unit == "/edu"
    assert person.end_date == dt.date(2025, 2, 28)
    assert person.role == "teacher" and person.employee_id == "E1"
    assert person.password == "s3cret-pass" and "s3cret" not in repr(person)
    assert roster.column("email") == "E-mail"


def test_gam_columns():
    roster = roster_from_rows([
        ["email", "firstname", "lastname", "password", "org"],
        ["minji.kim@x.kr", "Minji", "Kim", "Passw0rd!", "/교육"],
    ], "gam.csv")
    person = roster.people[0]
    assert (person.given_name, person.family_name, person.org_unit) == ("Minji", "Kim", "/교육")
    assert person.name == "Minji Kim" and person.password == "Passw0rd!"


def test_korean_family_and_given_columns():
    roster = roster_from_rows([["성", "이름"], ["선우", "정아"]], "r")
    assert roster.people[0].name == "선우정아"
    assert roster.columns["given_name"] == "이름"


def test_latin_full_name_is_split_western_order():
    roster = roster_from_rows([["Name"], ["Daniel Brown"], ["Ana María López"]], "r")
    assert [(p.given_name, p.family_name) for p in roster.people] == [
        ("Daniel", "Brown"), ("Ana María", "López")]


def test_nfc_trim_and_row_numbers():
    nfd = unicodedata.normalize("NFD", "김민지")
    roster = roster_from_rows([[], ["이름", "팀"], [f"  {nfd} ", " 교육 "], ["", ""],
                               ["이서연", ""]], "r.csv")
    assert [p.row for p in roster.people] == [3, 5]
    assert roster.people[0].name == "김민지" and roster.people[0].teams == ("교육",)


def test_unknown_duplicate_and_missing_columns_are_issues():
    roster = roster_from_rows([["이름", "이메일", "email", "별명"], ["김민지", "a@x.kr", "b@x.kr",
                                                                "민"]], "r.csv")
    messages = [str(i) for i in roster.issues]
    assert "r.csv:1: email: second column for email (first: '이메일')" in messages
    assert "r.csv:1: 별명: warning: column ignored: not a roster column" in messages
    none = roster_from_rows([["email"], ["a@x.kr"]], "r.csv")
    assert any("no name column" in str(i) for i in none.issues)


def test_bad_dates_and_rotating_roles_are_cell_issues():
    roster = roster_from_rows([["이름", "입사일", "순환역할"],
                               ["김민지", "2024-13-01", "catalysts:어제"]], "r.csv")
    messages = [str(i) for i in roster.issues]
    assert "r.csv:2: 입사일: no such date: '2024-13-01'" in messages
    assert any(m.startswith("r.csv:2: 순환역할: catalysts: not a date") for m in messages)


def test_parse_date_forms():
    for text in ("2024-03-01", "2024/3/1", "2024.03.01", "2024. 3. 1.", "2024년 3월 1일",
                 "20240301", "2024-03-01 00:00:00"):
        assert parse_date(text) == dt.date(2024, 3, 1), text
    with pytest.raises(ValueError):
        parse_date("March 1")


def test_split_list():
    assert split_list("교육; 돌봄 ,홍보;;교육") == ("교육", "돌봄", "홍보")


@pytest.mark.parametrize("data, suffix, message", [
    (b"", ".csv", "empty"),
    (b'name\r\n"unclosed\r\n', ".csv", "not valid CSV"),
    (b"\xd0\xcf\x11\xe0rest", ".xls", "old Excel format"),
    (b"not a zip", ".xlsx", "not an XLSX workbook"),
    (b"PK\x03\x04broken", ".xlsx", "not an XLSX workbook"),
])
def test_unreadable_files_are_user_errors(data, suffix, message):
    with pytest.raises(UserError, match=message):
        read_roster_bytes(data, "r" + suffix, suffix=suffix)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(UserError, match="not found"):
        read_roster(tmp_path / "missing.csv")
    with pytest.raises(UserError, match="folder"):
        read_roster(tmp_path)
