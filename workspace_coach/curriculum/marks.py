"""Self-attestations and coach overrides of curriculum items (`curriculum_marks`).

A mark says who marked which item of which track for which person, when, as `done` or
`not_done`, of one of two kinds:

- `self`: the trainee's own tick (from `curriculum attest` or read back from their sheet by
  `curriculum sync`); unticking records `not_done`.
- `override`: the coach's decision, e.g. "done: showed me in the session" or "not done: the
  evidence came from a shared account".

Marks are never updated or deleted: each is a new row, and for each (person, item, kind) the
newest one wins; older ones are the history.

**Precedence** (see `resolve()`): an override beats evidence, evidence beats a
self-attestation. So a coach can confirm or refuse anything; an item proven by the audit store
is done whatever the trainee ticked; a self-attestation counts only where the store has no
proof (self-attested items, and evidence items not proven yet).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from workspace_coach.curriculum.evidence import ItemEvidence
from workspace_coach.curriculum.schema import Curriculum
from workspace_coach.errors import UserError
from workspace_coach.storage import models as m
from workspace_coach.timezones import as_utc

Kind = Literal["self", "override"]
MarkStatus = Literal["done", "not_done"]
KINDS: tuple[str, ...] = ("self", "override")
STATUSES: tuple[str, ...] = ("done", "not_done")


@dataclass(frozen=True)
class Mark:
    item_id: str
    person_email: str
    kind: Kind
    status: MarkStatus
    marked_by: str
    marked_at: dt.datetime
    note: str | None = None


def record_mark(conn: sa.Connection, client_id: int, curriculum: Curriculum, item_id: str,
                person_email: str, *, kind: Kind, status: MarkStatus, marked_by: str,
                note: str | None = None, at: dt.datetime | None = None) -> Mark:
    """Add a mark (never changes an older one); the item must exist in `curriculum`."""
    if kind not in KINDS:
        raise UserError(f"mark kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if status not in STATUSES:
        raise UserError(f"mark status must be done or not_done, not {status!r}")
    known = {item.id for _, item in curriculum.items()}
    if item_id not in known:
        raise UserError(f"no item '{item_id}' in track '{curriculum.id}' "
                        f"(items: {', '.join(sorted(known))})")
    email = person_email.strip().lower()
    if "@" not in email:
        raise UserError(f"not an email address: {person_email!r}")
    mark = Mark(item_id, email, kind, status, marked_by.strip().lower(),
                as_utc(at) if at else dt.datetime.now(dt.UTC), note or None)
    conn.execute(sa.insert(m.CurriculumMark).values(
        client_id=client_id, track=curriculum.id, item_id=mark.item_id,
        person_email=mark.person_email, kind=mark.kind, status=mark.status,
        marked_by=mark.marked_by, marked_at=mark.marked_at, note=mark.note))
    return mark


@dataclass(frozen=True)
class CurrentMarks:
    """The newest mark of each kind for one person and item."""

    self_mark: Mark | None = None
    override: Mark | None = None


def current_marks(conn: sa.Connection, client_id: int, track: str,
                  people: Iterable[str] | None = None) -> dict[tuple[str, str], CurrentMarks]:
    """{(email, item id): CurrentMarks} for a track, newest of each kind (ties: the later row)."""
    c = m.CurriculumMark
    query = sa.select(c.__table__).where(c.client_id == client_id, c.track == track)
    if people is not None:
        query = query.where(c.person_email.in_([p.lower() for p in people]))
    newest: dict[tuple[str, str, str], Mark] = {}
    for row in conn.execute(query.order_by(c.marked_at, c.id)):
        newest[(row.person_email, row.item_id, row.kind)] = Mark(
            row.item_id, row.person_email, row.kind, row.status,  # type: ignore[arg-type]
            row.marked_by, as_utc(row.marked_at), row.note)
    out: dict[tuple[str, str], CurrentMarks] = {}
    for (email, item_id, kind), mark in newest.items():
        found = out.get((email, item_id), CurrentMarks())
        out[(email, item_id)] = (CurrentMarks(mark, found.override) if kind == "self"
                                 else CurrentMarks(found.self_mark, mark))
    return out


Status = Literal["done", "self_attested", "overridden_done", "overridden_not_done", "not_yet",
                 "no_data"]
COMPLETE: frozenset[str] = frozenset({"done", "self_attested", "overridden_done"})


@dataclass(frozen=True)
class Resolved:
    status: Status
    on: dt.date | None        # when it became done (evidence date, or the mark's date)
    at: dt.datetime | None
    by: str | None            # who marked it (self-attestations and overrides)
    note: str | None = None


def resolve(evidence: ItemEvidence, marks: CurrentMarks | None) -> Resolved:
    """The item's status by the precedence in the module docstring."""
    marks = marks or CurrentMarks()
    if marks.override is not None:
        o = marks.override
        status: Status = "overridden_done" if o.status == "done" else "overridden_not_done"
        return Resolved(status, o.marked_at.date(), o.marked_at, o.marked_by, o.note)
    if evidence.done:
        return Resolved("done", evidence.done_on, evidence.done_at, None)
    if marks.self_mark is not None and marks.self_mark.status == "done":
        s = marks.self_mark
        return Resolved("self_attested", s.marked_at.date(), s.marked_at, s.marked_by, s.note)
    if evidence.no_data:
        return Resolved("no_data", None, None, None)
    return Resolved("not_yet", None, None, None)
