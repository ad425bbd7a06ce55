"""Rosters of people: CSV in whatever encoding Korean offices produce, XLSX, or plain rows.

Why so forgiving on the way in: a co-operative's roster is whatever its admin exported from
Excel, usually CP949 with Korean headers, sometimes a GAM CSV. We accept Korean, English and GAM
column names, detect the encoding, normalise Unicode to NFC and keep each person's file and row,
so every later message points at a cell the admin can find. Nothing here decides what is valid
beyond what cannot be parsed (a date that is not a date): `validate` judges the rest.

Google Sheets rosters feed the same code through `roster_from_rows(rows, source)`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from workspace_coach.errors import UserError
from workspace_coach.provision.issues import Issue
from workspace_coach.provision.romanize import has_hangul, split_korean_name

MAX_ROSTER_BYTES = 50 * 1024 * 1024
#: Bounds for XLSX rosters: far above any co-operative's roster, far below a sheet's 1,048,576 x
#: 16,384 cells, which a stray formatted cell makes openpyxl walk.
MAX_XLSX_ROWS = 20_000
MAX_XLSX_COLUMNS = 200

# Canonical field -> accepted headers (compared after `header_key`).
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("이름", "성명", "한글이름", "한글 이름", "name", "full name", "korean name"),
    "given_name": ("given_name", "given name", "first name", "firstname", "first",
                   "givenname"),
    "family_name": ("성", "family_name", "family name", "last name", "lastname", "surname",
                    "last", "familyname"),
    "english_name": ("영문이름", "영문 이름", "영문명", "영문성명", "english name"),
    "email": ("이메일", "메일", "이메일주소", "이메일 주소", "email", "e-mail", "email address",
              "mail", "primary email", "primaryemail"),
    "employee_id": ("사번", "직원번호", "조합원번호", "회원번호", "employee id", "employee_id",
                    "employeeid", "member id"),
    "teams": ("팀", "팀들", "부서", "소속", "소속팀", "team", "teams", "department"),
    "org_unit": ("조직", "조직단위", "조직 단위", "org unit", "orgunit", "org", "ou",
                 "org unit path", "orgunitpath"),
    "role": ("역할", "직책", "직위", "직무", "role", "title", "job title"),
    "rotating_roles": ("순환역할", "순환 역할", "rotating role", "rotating roles"),
    "start_date": ("입사일", "가입일", "시작일", "start date", "start", "startdate", "joined",
                   "join date"),
    "end_date": ("퇴사일", "탈퇴일", "종료일", "end date", "end", "enddate", "left",
                 "leave date"),
    "phone": ("전화", "전화번호", "휴대폰", "휴대전화", "연락처", "phone", "mobile",
              "phone number"),
    "password": ("비밀번호", "암호", "password"),
    "successor": ("후임자", "인수자", "인계자", "successor", "handover to"),
}

FieldName = Literal["name", "given_name", "family_name", "english_name", "email", "employee_id",
                    "teams", "org_unit", "role", "rotating_roles", "start_date", "end_date",
                    "phone", "password", "successor"]


def header_key(header: str) -> str:
    """Fold a header for matching: NFC, case-folded, without spaces and _-.() punctuation."""
    text = unicodedata.normalize("NFC", header).casefold()
    return re.sub(r"[\s_\-.()/]+", "", text)


_ALIAS_INDEX: dict[str, str] = {header_key(a): f for f, aliases in FIELD_ALIASES.items()
                                for a in aliases}


@dataclass(frozen=True)
class RoleHolding:
    """Someone holds a rotating role (`catalysts`) since a date, if the roster gives one."""

    role: str
    since: dt.date | None = None


@dataclass(frozen=True)
class Person:
    """One roster row, cleaned (NFC, trimmed) but not yet judged valid.

    `name` is the full name for display ("김민지", "Daniel Brown"); `given_name` and
    `family_name` are what the directory stores. `email` is lower-cased, or None when the
    roster leaves it to generation. The password is kept out of repr so it never reaches logs.
    """

    source: str
    row: int
    name: str
    given_name: str
    family_name: str
    english_name: str = ""
    email: str | None = None
    employee_id: str | None = None
    teams: tuple[str, ...] = ()
    org_unit: str | None = None
    role: str | None = None
    rotating_roles: tuple[RoleHolding, ...] = ()
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    phone: str | None = None
    password: str | None = field(default=None, repr=False)
    successor: str | None = None  # who takes over their files when they leave

    @property
    def key(self) -> str:
        """Stable identity across runs: employee id, else email, else name and start date."""
        if self.employee_id:
            return f"id:{self.employee_id}"
        if self.email:
            return f"email:{self.email}"
        start = self.start_date.isoformat() if self.start_date else ""
        return f"name:{self.name}|{start}"

    @property
    def where(self) -> str:
        return f"{self.source}:{self.row}"


@dataclass
class Roster:
    """People read from one source, with the headers as written and problems met while reading."""

    source: str
    people: list[Person]
    columns: dict[str, str]
    issues: list[Issue] = field(default_factory=list)
    encoding: str | None = None

    def column(self, name: str) -> str:
        """The header the file uses for a canonical field (for messages), else the field name."""
        return self.columns.get(name, name)


# -- decoding ---------------------------------------------------------------------------------

def decode_bytes(data: bytes, source: str) -> tuple[str, str]:
    """Decode roster bytes; return (text, encoding used).

    UTF-8 (with or without BOM) first, strictly, because it is never ambiguous when it decodes;
    then CP949, Korean Excel's default (a superset of EUC-KR); then charset-normalizer's guess.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
        return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949"), "cp949"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UserError(f"{source}: cannot tell the text encoding; save it as CSV UTF-8")
    return str(best), best.encoding


# -- cells ------------------------------------------------------------------------------------

def cell_text(value: object) -> str:
    """A cell from CSV, openpyxl or gspread as trimmed NFC text (dates as ISO, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


_DATE_RE = re.compile(
    r"^(\d{4})\s*(?:[-./년]\s*)(\d{1,2})\s*(?:[-./월]\s*)(\d{1,2})\s*(?:일|\.)?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")


def parse_date(text: str) -> dt.date:
    """Dates as Korean offices write them: 2025-03-01, 2025/3/1, 2025. 3. 1., 2025년 3월 1일,
    20250301. Raises ValueError with a message for anything else."""
    text = text.strip()
    match = _DATE_RE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
    elif re.fullmatch(r"\d{8}", text):
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        raise ValueError(f"not a date: {text!r} (write YYYY-MM-DD)")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"no such date: {text!r}") from None


def split_list(text: str) -> tuple[str, ...]:
    """'교육; 돌봄, 홍보' -> ('교육', '돌봄', '홍보'), without empties or repeats."""
    items = [p.strip() for p in re.split(r"[;,，；、]", text)]
    return tuple(dict.fromkeys(p for p in items if p))


def _split_latin(full: str) -> tuple[str, str]:
    given, _, family = full.strip().rpartition(" ")
    return (given.strip(), family) if given else (family, "")


def split_full_name(full: str) -> tuple[str, str]:
    """A full name from one cell -> (family, given); Korean order for Hangul, else Western."""
    if has_hangul(full):
        return split_korean_name(full)
    given, family = _split_latin(full)
    return family, given


# -- rows -> people ---------------------------------------------------------------------------

def _map_headers(header: Sequence[str], source: str, row: int
                 ) -> tuple[dict[int, str], dict[str, str], list[Issue]]:
    """Column index -> field, field -> header as written, and header problems."""
    keys = [header_key(h) for h in header]
    has_family = any(_ALIAS_INDEX.get(k) == "family_name" for k in keys)
    index: dict[int, str] = {}
    labels: dict[str, str] = {}
    issues: list[Issue] = []
    for i, (raw, key) in enumerate(zip(header, keys, strict=True)):
        if not key:
            continue
        name = _ALIAS_INDEX.get(key)
        if key == header_key("이름") and has_family:
            name = "given_name"  # 성 + 이름 columns: 이름 is the given name
        if name is None:
            issues.append(Issue(source, row, raw, "column ignored: not a roster column",
                                "warning"))
            continue
        if name in labels:
            issues.append(Issue(source, row, raw,
                                f"second column for {name} (first: {labels[name]!r})"))
            continue
        index[i] = name
        labels[name] = raw
    if not {"name", "given_name", "family_name"} & set(labels):
        issues.append(Issue(source, row, "(header)",
                            "no name column: expected 이름, 성명, name, or given/family name "
                            "columns (성 + 이름, firstname + lastname)"))
    return index, labels, issues


def _person(source: str, row: int, cells: dict[str, str], labels: dict[str, str],
            issues: list[Issue]) -> Person:
    def problem(name: str, message: str) -> None:
        issues.append(Issue(source, row, labels.get(name, name), message))

    full = cells.get("name", "")
    given, family = cells.get("given_name", ""), cells.get("family_name", "")
    if full and not (given or family):
        family, given = split_full_name(full)
    elif not full:
        both_hangul = has_hangul(family + given)
        full = f"{family}{given}" if both_hangul else " ".join(p for p in (given, family) if p)

    dates: dict[str, dt.date | None] = {}
    for name in ("start_date", "end_date"):
        dates[name] = None
        if cells.get(name):
            try:
                dates[name] = parse_date(cells[name])
            except ValueError as exc:
                problem(name, str(exc))

    holdings: list[RoleHolding] = []
    for entry in split_list(cells.get("rotating_roles", "")):
        role, sep, since = entry.partition(":")
        try:
            holdings.append(RoleHolding(role.strip(), parse_date(since) if sep else None))
        except ValueError as exc:
            problem("rotating_roles", f"{role.strip()}: {exc}")

    org_unit = cells.get("org_unit") or None
    if org_unit:
        parts = [p.strip() for p in org_unit.split("/")]
        org_unit = "/" + "/".join(p for p in parts if p)
    return Person(
        source=source, row=row, name=full, given_name=given, family_name=family,
        english_name=cells.get("english_name", ""),
        email=(cells.get("email") or "").lower() or None,
        employee_id=cells.get("employee_id") or None,
        teams=split_list(cells.get("teams", "")),
        org_unit=org_unit,
        role=cells.get("role") or None,
        rotating_roles=tuple(holdings),
        start_date=dates["start_date"], end_date=dates["end_date"],
        phone=cells.get("phone") or None,
        password=cells.get("password") or None,
        successor=(cells.get("successor") or "").strip().lower() or None,
    )


def roster_from_rows(rows: Iterable[Sequence[object]], source: str, *,
                     encoding: str | None = None, first_row: int = 1) -> Roster:
    """People from rows of cells (the first non-empty row is the header).

    Rows keep their numbers as in the file or sheet (`first_row` is the number of the first
    row given), so a Google Sheet read with gspread reports the same way as a CSV.
    """
    people: list[Person] = []
    issues: list[Issue] = []
    index: dict[int, str] | None = None
    header: list[str] = []
    labels: dict[str, str] = {}
    for number, raw in enumerate(rows, start=first_row):
        cells = [cell_text(v) for v in raw]
        if not any(cells):
            continue
        if index is None:
            index, labels, header_issues = _map_headers(cells, source, number)
            issues.extend(header_issues)
            header = cells
            continue
        values: dict[str, str] = {}
        for i, text in enumerate(cells):
            if i in index:
                values[index[i]] = text
            elif text and (i >= len(header) or not header[i]):
                issues.append(Issue(source, number, f"column {i + 1}",
                                    "value without a header ignored", "warning"))
        people.append(_person(source, number, values, labels, issues))
    if index is None:
        raise UserError(f"{source}: the roster is empty (no header row)")
    return Roster(source=source, people=people, columns=labels, issues=issues,
                  encoding=encoding)


# -- files ------------------------------------------------------------------------------------

def _delimiter(text: str, suffix: str) -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    first = text.split("\n", 1)[0]
    if "\t" in first and "," not in first:
        return "\t"
    if ";" in first and "," not in first:
        return ";"
    return ","


def _csv_rows(text: str, source: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        raise UserError(f"{source}:{len(rows) + 1}: not valid CSV ({exc}); check its quotes"
                        ) from None
    return rows


def _xlsx_rows(data: bytes, source: str) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for damaged files
        raise UserError(f"{source}: not a readable XLSX workbook ({type(exc).__name__})"
                        ) from None
    try:
        if not book.worksheets:
            raise UserError(f"{source}: the workbook has no sheets")
        sheet = book.worksheets[0]
        # The declared dimension counts formatted empty cells: one styled cell at XFD1048576
        # would make openpyxl pad a million rows of 16,384 columns. Read what the file holds,
        # within bounds, and refuse values beyond them.
        sheet.reset_dimensions()
        rows: list[tuple[object, ...]] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_row=MAX_XLSX_ROWS + 1,
                                                     max_col=MAX_XLSX_COLUMNS + 1), start=1):
            if number > MAX_XLSX_ROWS:
                if row.count(None) != len(row):
                    raise UserError(f"{source}: more than {MAX_XLSX_ROWS:,} rows; split the "
                                    f"roster · 행이 {MAX_XLSX_ROWS:,}개를 넘습니다")
                break
            if len(row) > MAX_XLSX_COLUMNS and row[MAX_XLSX_COLUMNS] is not None:
                raise UserError(f"{source}:{number}: a value beyond column {MAX_XLSX_COLUMNS}; "
                                f"a roster has fewer columns · 열이 너무 많습니다")
            if row.count(None) == len(row):  # the filler openpyxl yields for missing rows
                rows.append(())
                continue
            width = len(row)
            while width and row[width - 1] is None:
                width -= 1
            rows.append(tuple(row[:min(width, MAX_XLSX_COLUMNS)]))
        return rows
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 - as above, for damaged sheets
        raise UserError(f"{source}: cannot read the first sheet ({type(exc).__name__})"
                        ) from None
    finally:
        book.close()


def read_roster_bytes(data: bytes, source: str, *, suffix: str = ".csv") -> Roster:
    """Parse roster bytes; `suffix` (".csv", ".tsv", ".xlsx") says what the file claims to be."""
    suffix = suffix.lower()
    if suffix == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UserError(f"{source}: old Excel format (.xls); save it as .xlsx or CSV")
    is_zip = data.startswith(b"PK\x03\x04")
    if suffix in (".xlsx", ".xlsm") or is_zip:
        if not is_zip or not zipfile.is_zipfile(io.BytesIO(data)):
            raise UserError(f"{source}: not an XLSX workbook")
        return roster_from_rows(_xlsx_rows(data, source), source, encoding=None)
    text, encoding = decode_bytes(data, source)
    rows = _csv_rows(text, source, _delimiter(text, suffix))
    return roster_from_rows(rows, source, encoding=encoding)


def read_roster(path: str | Path) -> Roster:
    """Read a roster file: CSV/TSV in UTF-8, UTF-8 with BOM, CP949/EUC-KR, UTF-16, or XLSX."""
    file = Path(path)
    source = str(path)
    try:
        size = file.stat().st_size
        if file.is_dir():
            raise UserError(f"{source}: is a folder, not a roster file")
        if size > MAX_ROSTER_BYTES:
            raise UserError(f"{source}: {size // 1_000_000} MB is too large for a roster")
        data = file.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{source}: roster file not found") from None
    except PermissionError:
        raise UserError(f"{source}: no permission to read it") from None
    except OSError as exc:
        raise UserError(f"{source}: cannot read ({exc.strerror})") from None
    return read_roster_bytes(data, source, suffix=file.suffix)
