"""Addresses for people the roster gives no email: romanised, patterned and stable.

Why stability matters: a re-run must never hand 김민지's address to the other 김민지 who joined
later. So collisions are settled in a fixed order that does not depend on row order (start date,
then the person's stable key: employee id, email, or name + start date), addresses already in the
tenant are taken as reserved, and `previous` (person key -> address, from the tenant or an earlier
plan) keeps every assignment once made. The first person gets `minji.kim`, the next `minji.kim2`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from workspace_coach.provision.romanize import (
    has_hangul,
    romanize,
    romanize_given_name,
    romanize_surname,
)
from workspace_coach.provision.roster import Person, split_full_name

MAX_USERNAME = 64
USERNAME_RE = re.compile(r"^(?!\.)[a-z0-9._'-]{1,64}(?<!\.)$")


@dataclass(frozen=True)
class EmailAssignment:
    """The address a person gets; `generated` when we made it, `kept` when `previous` had it."""

    key: str
    email: str
    generated: bool
    kept: bool = False


def ascii_fold(text: str) -> str:
    """Latin text to lower-case ASCII username characters: 'José Ana' -> 'joseana'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9'_-]", "", plain.lower())


def clean_username(text: str) -> str:
    """Make `text` a valid username: allowed characters only, starting and ending with a letter
    or digit, no double dots, at most 64 characters. May return '' when nothing usable is left.

    A generated address like `-.ka@` is legal to Google but unusable in practice (mail clients
    and spreadsheets read the leading dash as an option or a formula), so the ends are trimmed."""
    text = re.sub(r"[^a-z0-9._'-]", "", text.lower())
    text = re.sub(r"\.{2,}", ".", text).strip(".-_'")
    return text[:MAX_USERNAME].rstrip(".-_'")


def is_valid_username(local: str) -> bool:
    """Google's rule: a-z, 0-9, '.', '-', '_', "'"; up to 64; no leading or trailing dot."""
    return bool(USERNAME_RE.match(local)) and ".." not in local


def name_parts(person: Person, surname_spellings: Mapping[str, str] | None = None, *,
               sound_changes: bool = False) -> tuple[str, str]:
    """(given, family) as lower-case ASCII for usernames.

    An English name column wins (the person chose it); Hangul is romanised (surnames by their
    usual spelling, given names without hyphens); Latin names are folded to ASCII.
    """
    if person.english_name:
        family, given = split_full_name(person.english_name)
    else:
        given, family = person.given_name, person.family_name
    if has_hangul(family):
        family = romanize_surname(family, surname_spellings)
    if has_hangul(given):
        given = romanize(given) if sound_changes else romanize_given_name(given)
    return ascii_fold(given), ascii_fold(family)


def username_for(person: Person, pattern: str = "{given}.{family}",
                 surname_spellings: Mapping[str, str] | None = None, *,
                 sound_changes: bool = False) -> str | None:
    """The unsuffixed username the pattern gives this person, or None if the name gives none
    (no Latin or Hangul letters, or {id} in the pattern without an employee id)."""
    given, family = name_parts(person, surname_spellings, sound_changes=sound_changes)
    if not given and not family:
        return None
    employee_id = ascii_fold(person.employee_id or "")
    if "{id}" in pattern and not employee_id:
        return None
    local = clean_username(pattern.format(given=given, family=family, g=given[:1],
                                          f=family[:1], id=employee_id))
    return local or None


def _with_suffix(base: str, number: int) -> str:
    suffix = "" if number == 1 else str(number)
    return base[: MAX_USERNAME - len(suffix)].rstrip(".") + suffix


def _order(person: Person) -> tuple[dt.date, str]:
    return (person.start_date or dt.date.max, person.key)


def assign_emails(people: Sequence[Person], *, domain: str,
                  pattern: str = "{given}.{family}",
                  surname_spellings: Mapping[str, str] | None = None,
                  sound_changes: bool = False,
                  taken: Iterable[str] = (),
                  previous: Mapping[str, str] | None = None) -> dict[str, EmailAssignment]:
    """Addresses for everyone, keyed by `Person.key`; the same inputs always give the same result.

    `taken`: addresses (and aliases) that already exist in the tenant, never handed to a new
    person. `previous`: person key -> address assigned before, kept as it is. People whose name
    yields no username are left out; validation reports them.
    """
    domain = domain.lower()
    previous = {k: v.lower() for k, v in (previous or {}).items()}
    used = {t.lower() for t in taken} | set(previous.values())
    result: dict[str, EmailAssignment] = {}
    for person in people:
        if person.email and person.key not in result:
            result[person.key] = EmailAssignment(person.key, person.email, generated=False)
            used.add(person.email)
    pending = sorted((p for p in people if not p.email and p.key not in result), key=_order)
    for person in pending:
        if person.key in result:
            continue  # a duplicate row; validation reports it
        if person.key in previous:
            result[person.key] = EmailAssignment(person.key, previous[person.key], True, True)
            continue
        base = username_for(person, pattern, surname_spellings, sound_changes=sound_changes)
        if base is None:
            continue
        number = 1
        while f"{_with_suffix(base, number)}@{domain}" in used:
            number += 1
        email = f"{_with_suffix(base, number)}@{domain}"
        used.add(email)
        result[person.key] = EmailAssignment(person.key, email, generated=True)
    return result
