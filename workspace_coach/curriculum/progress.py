"""Where each trainee, team and the organisation stands on a track: the public read API.

Trainees of a track are the active (not suspended, not archived) people of the newest directory
snapshot; for an `admin` track, only the admins. Every item of every trainee is evaluated once
(`evidence.load_evidence` reads the store in three queries), combined with the marks
(`marks.resolve`: override > evidence > self-attestation), and then:

- `person_progress()` / `people_progress()`: each item with its status, date, proof and flags,
  for one person or for everyone (optionally of one team). ONLY when the client consented to
  per-person insights (`clients.per_person_insights`); otherwise a `UserError` says so.
- `team_progress()`: per item, how many trainees are done, self-attested, overridden, not yet,
  without data, flagged; for the organisation, every org unit and every group (or one team).
  Scopes with fewer trainees than the client's `min_group_size` are folded into `others` per
  scope type, and `others` itself is only shown when it reaches the minimum; a requested team
  below the minimum is refused. Works with or without consent: no person is ever named.
  Org unit membership is the audit's (`orgunits.unit_paths`): a person counts in their unit
  and every parent unit, and the root `/` is the organisation, not a unit, so the Teams heatmap
  and the Curriculum page give the same head-count for a unit.

Dates are Pacific dates, like the audit's scores. `as_of` (default now) is when the evaluation
stands; `start` is the curriculum's start for `window: {since: start}` (default: everything in
the store).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from workspace_coach.curriculum.evidence import (
    ItemEvidence,
    evaluate_item,
    load_evidence,
    negative_flags,
    uniform_evidence,
)
from workspace_coach.curriculum.marks import (
    COMPLETE,
    CurrentMarks,
    Resolved,
    Status,
    current_marks,
    resolve,
)
from workspace_coach.curriculum.schema import Curriculum, Item, Text
from workspace_coach.curriculum.tracks import load_track
from workspace_coach.errors import UserError
from workspace_coach.orgunits import unit_paths
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import client_by_id
from workspace_coach.storage.snapshots import newest_snapshot
from workspace_coach.timezones import as_utc

OTHERS = "others"
STATUSES: tuple[Status, ...] = ("done", "self_attested", "overridden_done",
                                "overridden_not_done", "not_yet", "no_data")
STATUS_LABELS: dict[str, Text] = {
    "done": Text(ko="완료 (근거 확인)", en="done (evidence)"),
    "self_attested": Text(ko="본인 확인", en="self-attested"),
    "overridden_done": Text(ko="코치 확인: 완료", en="coach: done"),
    "overridden_not_done": Text(ko="코치 확인: 미완료", en="coach: not done"),
    "not_yet": Text(ko="아직", en="not yet"),
    "no_data": Text(ko="자료 없음", en="no data"),
}


# -- the client and its directory ------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    email: str
    org_unit_path: str
    is_admin: bool
    active: bool


@dataclass
class Directory:
    people: dict[str, Member] = field(default_factory=dict)
    groups: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # email->(name,
    org_units: dict[str, str] = field(default_factory=dict)                      # members)

    def team_members(self, team: str) -> tuple[str, str, frozenset[str]]:
        """(scope type, key, emails) of a group email or an org unit path. An org unit holds
        its sub-units' people too, and `/` is the whole organisation, as in the audit's teams
        (`orgunits.unit_paths`)."""
        key = team.strip()
        if key == "/":
            return "org", "*", frozenset(self.people)
        if key.startswith("/"):
            key = key.rstrip("/")
            if key not in self.org_units:
                raise UserError(f"no org unit '{key}' in the newest directory snapshot")
            return "org_unit", key, frozenset(e for e, p in self.people.items()
                                              if key in unit_paths(p.org_unit_path))
        key = key.lower()
        if key not in self.groups:
            raise UserError(f"no group '{team}' in the newest directory snapshot (give a group "
                            "email or an org unit path such as /sales)")
        return "group", key, self.groups[key][1]


def load_directory(conn: sa.Connection, client_id: int) -> Directory:
    snapshot = newest_snapshot(conn, client_id)
    if snapshot is None:
        raise UserError("no directory snapshot yet: run `workspace-coach audit collect` first")
    out = Directory()
    # only the columns used: a snapshot of a thousand people is read on every progress view
    p = m.Person
    for email, unit_path, admin, delegated, suspended, archived in conn.execute(
            sa.select(p.email, p.org_unit_path, p.is_admin, p.is_delegated_admin, p.suspended,
                      p.archived).where(p.snapshot_id == snapshot)):
        out.people[email.lower()] = Member(email.lower(), unit_path, admin or delegated,
                                           not (suspended or archived))
    for path, name in conn.execute(sa.select(m.OrgUnit.path, m.OrgUnit.name).where(
            m.OrgUnit.snapshot_id == snapshot)):
        out.org_units[path] = name
    members: dict[str, set[str]] = {}
    for group_id, email in conn.execute(sa.select(m.GroupMember.group_id, m.GroupMember.email)
                                        .where(m.GroupMember.snapshot_id == snapshot,
                                               m.GroupMember.type == "USER")):
        if email:
            members.setdefault(group_id, set()).add(email.lower())
    for email, name, group_id in conn.execute(sa.select(m.Group.email, m.Group.name,
                                                        m.Group.group_id).where(
            m.Group.snapshot_id == snapshot)):
        out.groups[email.lower()] = (name, frozenset(members.get(group_id, set())))
    return out


def trainees(curriculum: Curriculum, directory: Directory) -> list[str]:
    """Active people (admins only, for an admin track), sorted by email."""
    return sorted(e for e, p in directory.people.items()
                  if p.active and (curriculum.audience != "admin" or p.is_admin))


# -- evaluation ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemProgress:
    module_id: str
    item: Item
    evidence: ItemEvidence
    marks: CurrentMarks
    resolved: Resolved

    @property
    def status(self) -> Status:
        return self.resolved.status

    @property
    def complete(self) -> bool:
        return self.status in COMPLETE


@dataclass(frozen=True)
class PersonProgress:
    email: str
    track: str
    items: tuple[ItemProgress, ...]

    @property
    def complete(self) -> int:
        return sum(i.complete for i in self.items)

    @property
    def total(self) -> int:
        return len(self.items)


def _as_of(as_of: dt.datetime | None) -> dt.datetime:
    if as_of is None:
        return dt.datetime.now(dt.UTC)
    return as_utc(as_of)


def evaluate_people(conn: sa.Connection, client_id: int, curriculum: Curriculum,
                    emails: Sequence[str], *, as_of: dt.datetime | None = None,
                    start: dt.datetime | None = None) -> list[PersonProgress]:
    """Evaluate every item for `emails` (no consent check: callers decide what to show)."""
    moment = _as_of(as_of)
    store = load_evidence(conn, client_id, [curriculum], emails)
    marks = current_marks(conn, client_id, curriculum.id, emails)
    pairs = list(curriculum.items())
    unmarked = CurrentMarks()
    # Items whose evidence cannot depend on the person (see `uniform_evidence`) are judged
    # once, and shared by everyone who has not marked them.
    uniform = {item.id: found for _, item in pairs
               if (found := uniform_evidence(item, store)) is not None}
    blank = {item.id: ItemProgress(module.id, item, uniform[item.id], unmarked,
                                   resolve(uniform[item.id], unmarked))
             for module, item in pairs if item.id in uniform}
    out = []
    for email in emails:
        items = []
        for module, item in pairs:
            mine = marks.get((email, item.id))
            if mine is None and item.id in blank:
                items.append(blank[item.id])
                continue
            mine = mine or unmarked
            evidence = (uniform.get(item.id)
                        or evaluate_item(item, store, email, as_of=moment, start=start))
            resolved = resolve(evidence, mine)
            if not evidence.done and resolved.status in COMPLETE and item.negative:
                # done by a mark: negative evidence counts from the time of the mark
                evidence = ItemEvidence(
                    evidence.item_id, evidence.verified_by, evidence.done, evidence.done_on,
                    evidence.done_at, evidence.proof, evidence.count, evidence.no_data,
                    negative_flags(item, store, email, done_at=resolved.at, start=start,
                                   as_of=moment))
            items.append(ItemProgress(module.id, item, evidence, mine, resolved))
        out.append(PersonProgress(email, curriculum.id, tuple(items)))
    return out


def _consented(conn: sa.Connection, client_id: int) -> sa.Row:
    client = client_by_id(conn, client_id)
    if not client.per_person_insights:
        raise UserError(f"'{client.slug}' has not consented to per-person insights "
                        "(per_person_insights: true in its connection profile, then collect "
                        "again): only team counts can be shown")
    return client


def person_progress(conn: sa.Connection, client_id: int, track: str | Curriculum, email: str, *,
                    as_of: dt.datetime | None = None, start: dt.datetime | None = None,
                    folder: Path | None = None) -> PersonProgress:
    """One person's items. Raises UserError without per-person consent or for an unknown
    person."""
    _consented(conn, client_id)
    curriculum = track if isinstance(track, Curriculum) else load_track(track, folder)
    directory = load_directory(conn, client_id)
    key = email.strip().lower()
    if key not in directory.people:
        raise UserError(f"no person '{email}' in the newest directory snapshot")
    return evaluate_people(conn, client_id, curriculum, [key], as_of=as_of, start=start)[0]


def people_progress(conn: sa.Connection, client_id: int, track: str | Curriculum, *,
                    team: str | None = None, as_of: dt.datetime | None = None,
                    start: dt.datetime | None = None, folder: Path | None = None
                    ) -> list[PersonProgress]:
    """Every trainee's items (of one team: a group email or an org unit path), by email.
    Raises UserError without per-person consent."""
    _consented(conn, client_id)
    curriculum = track if isinstance(track, Curriculum) else load_track(track, folder)
    directory = load_directory(conn, client_id)
    emails = trainees(curriculum, directory)
    if team is not None:
        _, _, members = directory.team_members(team)
        emails = [e for e in emails if e in members]
    return evaluate_people(conn, client_id, curriculum, emails, as_of=as_of, start=start)


# -- teams -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemCounts:
    module_id: str
    item_id: str
    title: Text
    counts: dict[str, int]  # status -> trainees
    flagged: int

    @property
    def complete(self) -> int:
        return sum(self.counts.get(s, 0) for s in COMPLETE)


@dataclass(frozen=True)
class ScopeProgress:
    scope_type: str          # org | org_unit | group
    scope_key: str           # "*", an org unit path, a group email, or "others"
    label: str
    people: int
    items: tuple[ItemCounts, ...]

    @property
    def complete_share(self) -> float:
        """Share of (trainee, item) pairs complete, 0.0-1.0."""
        total = self.people * len(self.items)
        return sum(i.complete for i in self.items) / total if total else 0.0


@dataclass(frozen=True)
class TeamProgress:
    track: str
    client: str
    as_of: dt.datetime
    min_group_size: int
    per_person_insights: bool
    scopes: tuple[ScopeProgress, ...]


def _counts(curriculum: Curriculum, people: Iterable[PersonProgress]) -> tuple[ItemCounts, ...]:
    people = list(people)
    out = []
    for index, (module, item) in enumerate(curriculum.items()):
        counts = {s: 0 for s in STATUSES}
        flagged = 0
        for person in people:
            entry = person.items[index]
            counts[entry.status] += 1
            flagged += bool(entry.evidence.flags)
        out.append(ItemCounts(module.id, item.id, item.title, counts, flagged))
    return tuple(out)


def _fold(scope_type: str, scopes: dict[str, tuple[str, set[str]]], minimum: int
          ) -> list[tuple[str, str, set[str]]]:
    """Scopes of at least `minimum` people, plus `others` (the rest together) if it reaches it."""
    shown, others = [], set()
    for key in sorted(scopes):
        label, members = scopes[key]
        if len(members) >= minimum:
            shown.append((key, label, members))
        else:
            others |= members
    if others and len(others) >= minimum:
        shown.append((OTHERS, "others", others))
    return shown


def team_progress(conn: sa.Connection, client_id: int, track: str | Curriculum, *,
                  team: str | None = None, as_of: dt.datetime | None = None,
                  start: dt.datetime | None = None, folder: Path | None = None
                  ) -> TeamProgress:
    """Per-item counts for the organisation, its org units and groups (or one `team`), with
    the minimum group size respected; see the module docstring."""
    client = client_by_id(conn, client_id)
    curriculum = track if isinstance(track, Curriculum) else load_track(track, folder)
    directory = load_directory(conn, client_id)
    emails = trainees(curriculum, directory)
    trainee_set = set(emails)
    minimum = client.min_group_size
    moment = _as_of(as_of)
    if team is not None:
        scope_type, key, members = directory.team_members(team)
        members = set(members) & trainee_set
        if len(members) < minimum:
            raise UserError(f"'{team}' has fewer than {minimum} trainees on '{curriculum.id}' "
                            "(the client's minimum group size): not shown")
        label = (client.display_name or client.slug if scope_type == "org" else
                 directory.org_units.get(key, key) if scope_type == "org_unit" else
                 directory.groups[key][0])
        wanted = [(scope_type, key, label, members)]
    else:
        wanted = []
        if len(emails) >= minimum:
            wanted.append(("org", "*", client.display_name or client.slug, trainee_set))
        units: dict[str, tuple[str, set[str]]] = {}
        for email in emails:   # in their unit and every parent unit, as the audit counts
            for path in unit_paths(directory.people[email].org_unit_path):
                units.setdefault(path, (directory.org_units.get(path, path), set()))[1].add(email)
        groups = {g: (name, set(members) & trainee_set)
                  for g, (name, members) in directory.groups.items()}
        groups = {g: v for g, v in groups.items() if v[1]}
        for scope_type, scopes in (("org_unit", units), ("group", groups)):
            wanted += [(scope_type, k, lbl, mem) for k, lbl, mem in _fold(scope_type, scopes,
                                                                           minimum)]
    needed = sorted(set().union(*(w[3] for w in wanted))) if wanted else []
    evaluated = {p.email: p for p in evaluate_people(conn, client_id, curriculum, needed,
                                                     as_of=moment, start=start)}
    scopes = tuple(ScopeProgress(scope_type, key, label, len(members),
                                 _counts(curriculum, (evaluated[e] for e in sorted(members))))
                   for scope_type, key, label, members in wanted)
    return TeamProgress(curriculum.id, client.slug, moment, minimum, client.per_person_insights,
                        scopes)
