"""Teams ("scopes") and their daily indicator counts: what `team_usage` holds.

A scope is the whole organisation (`org` / `*`), an org unit (`org_unit` / its path) or a group
(`group` / its address). Who belongs where comes from a directory snapshot:

- people are the accounts that are neither suspended nor archived;
- an org unit holds the people whose org unit path is that unit **or one of its sub-units**
  (`/교육` includes `/교육/초등`), the way the Admin console applies settings; the root `/`
  is the organisation itself, so it is not repeated as an org unit;
- a group holds its direct members of type USER (nested groups are not expanded: a group of
  groups is a distribution list, not a team).

**Privacy.** A scope with fewer people than the client's minimum group size is never stored or
shown on its own: its people are folded into `others` of the same scope type (an org unit's
people into `org_unit` / `others`, a group's into `group` / `others`), and `others` itself is
dropped if it is still under the minimum. The same holds per date: a scope-day with fewer
people than the minimum (people who did not exist yet) is not stored. The organisation is a
scope like the others: an organisation smaller than the minimum gets no scores at all.

At collect time (`usage_team_rows`), the usage-based indicators of every person in the day's
user usage report are evaluated in memory and only the counts are written, so team and
organisation scores need no per-person rows when the client has not consented.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workspace_coach.audit.indicators import BY_ID, USAGE_IDS, report_figures, usage_indicators
from workspace_coach.orgunits import unit_paths
from workspace_coach.storage import models as m

ORG, ORG_UNIT, GROUP, PERSON = "org", "org_unit", "group", "person"
OTHERS = "others"
Scope = tuple[str, str]


@dataclass
class Scopes:
    """Exposed scopes (at least `min_size` people) and their members, by lower-case email."""

    min_size: int
    members: dict[Scope, frozenset[str]] = field(default_factory=dict)
    of_person: dict[str, list[Scope]] = field(default_factory=dict)
    email_of_id: dict[str, str] = field(default_factory=dict)

    @property
    def people(self) -> frozenset[str]:
        return frozenset(self.of_person)


def build_scopes(people: Iterable[Mapping[str, Any]], groups: Iterable[Mapping[str, Any]],
                 members: Iterable[Mapping[str, Any]], min_size: int) -> Scopes:
    """The exposed scopes of a directory (rows shaped like `people`, `groups` and
    `group_members`), small ones folded into `others`."""
    active: dict[str, Mapping[str, Any]] = {}
    email_of_id: dict[str, str] = {}
    for person in people:
        email = str(person["email"]).lower()
        email_of_id[str(person["user_id"])] = email
        if not person.get("suspended") and not person.get("archived"):
            active[email] = person
    candidates: dict[Scope, set[str]] = defaultdict(set)
    for email, person in active.items():
        candidates[(ORG, "*")].add(email)
        for path in unit_paths(str(person.get("org_unit_path") or "/")):
            candidates[(ORG_UNIT, path)].add(email)
    address = {str(g["group_id"]): str(g["email"]).lower() for g in groups}
    for member in members:
        email = str(member.get("email") or "").lower()
        group = address.get(str(member.get("group_id")))
        if group and email in active and (member.get("type") or "USER") == "USER":
            candidates[(GROUP, group)].add(email)
    exposed: dict[Scope, frozenset[str]] = {}
    others: dict[str, set[str]] = defaultdict(set)
    for scope, who in candidates.items():
        if len(who) >= min_size:
            exposed[scope] = frozenset(who)
        elif scope[0] != ORG:
            others[scope[0]] |= who
    for kind, who in others.items():
        if len(who) >= min_size:
            exposed[(kind, OTHERS)] = frozenset(who)
    of_person: dict[str, list[Scope]] = {email: [] for email in active}
    for scope in sorted(exposed):
        for email in exposed[scope]:
            of_person[email].append(scope)
    return Scopes(min_size, exposed, of_person, email_of_id)


def count_rows(scopes: Scopes, client_id: int, day: dt.date,
               met: Mapping[str, set[str]], present: Iterable[str],
               indicators: Sequence[str]) -> list[dict[str, Any]]:
    """`team_usage` rows for one date: for every exposed scope with at least the minimum of
    `present` people, how many met each indicator (`met`: email -> indicator ids; for a
    negative indicator, the ids the person broke)."""
    head: dict[Scope, int] = defaultdict(int)
    counts: dict[Scope, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wanted = set(indicators)
    for email in present:
        person_scopes = scopes.of_person.get(email)
        if not person_scopes:
            continue
        hits = met.get(email, set()) & wanted
        for scope in person_scopes:
            head[scope] += 1
            bucket = counts[scope]
            for ind in hits:
                bucket[ind] += 1
    rows = []
    for scope, people in head.items():
        if people < scopes.min_size:
            continue
        for ind in indicators:
            n = counts[scope].get(ind, 0)
            rows.append({"client_id": client_id, "date": day, "scope_type": scope[0],
                         "scope_key": scope[1], "indicator": ind, "people": people,
                         "count": people - n if BY_ID[ind].negative else n})
    return rows


def usage_team_rows(scopes: Scopes, client_id: int, day: dt.date,
                    reports: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Team counts of the usage-based indicators from one date's user usage report."""
    met: dict[str, set[str]] = {}
    for report in reports:
        entity = report.get("entity") or {}
        if entity.get("type") == "CUSTOMER":
            continue
        email = str(entity.get("userEmail") or "").lower() or scopes.email_of_id.get(
            str(entity.get("profileId") or ""), "")
        if email in scopes.of_person:
            met[email] = usage_indicators(report_figures(report), day)
    return count_rows(scopes, client_id, day, met, met.keys(), USAGE_IDS)


def replace_team_rows(conn: sa.Connection, client_id: int, days: Iterable[dt.date],
                      indicators: Sequence[str], rows: Sequence[dict[str, Any]]) -> None:
    """Replace the stored counts of `indicators` on `days` with `rows` (a re-fetched partial
    date, or a scope that no longer exists, leaves nothing stale behind)."""
    t = m.TeamUsage.__table__
    days = sorted(set(days))
    for start in range(0, len(days), 500):
        conn.execute(sa.delete(t).where(t.c.client_id == client_id,
                                        t.c.date.in_(days[start:start + 500]),
                                        t.c.indicator.in_(list(indicators))))
    for start in range(0, len(rows), 5000):
        conn.execute(sa.insert(t), list(rows[start:start + 5000]))


def _dicts(conn: sa.Connection, query: sa.Select) -> list[dict[str, Any]]:
    """A query's rows as plain dicts: tens of thousands of people and memberships are read on
    every scoring run, and a dict built from a row's values costs half its `_mapping` copy."""
    result = conn.execute(query)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def snapshot_scopes(conn: sa.Connection, snapshot_id: int, min_size: int) -> Scopes:
    """The scopes of a stored directory snapshot."""
    people = _dicts(conn, sa.select(
        m.Person.user_id, m.Person.email, m.Person.org_unit_path, m.Person.suspended,
        m.Person.archived).where(m.Person.snapshot_id == snapshot_id))
    groups = _dicts(conn, sa.select(m.Group.group_id, m.Group.email)
                    .where(m.Group.snapshot_id == snapshot_id))
    members = _dicts(conn, sa.select(
        m.GroupMember.group_id, m.GroupMember.email, m.GroupMember.type)
        .where(m.GroupMember.snapshot_id == snapshot_id))
    return build_scopes(people, groups, members, min_size)
