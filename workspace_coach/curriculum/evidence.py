"""Evaluate a curriculum's evidence rules against the audit store.

`load_evidence()` reads, once per client, everything the rules of one or more curricula can
refer to: the `activity_events` of the referenced (application, event) pairs, grouped by
`actor_email`, and the `usage_values` of the referenced user parameters, keyed by the person's
email through the newest directory snapshot (usage rows are keyed by Google's profile id).
`evaluate()` is then pure: a person's items from that in-memory store, no database access.

For each item with `evidence`:

- every rule of `any_of` yields pieces of evidence: an activity event whose parameters meet all
  of `where` (a list parameter matches when any element does), or a usage report date on which
  the parameter meets `op value`; only pieces inside the `window` count: from the curriculum's
  start (`since: start`; the `start` given to `evaluate`, else everything stored) or the last
  `within_days` days before `as_of`, and never after `as_of`;
- `completion: first_seen`: done on the date of the `min_count`-th piece, and stays done;
  `completion: latest`: done only while each usage parameter's newest report in the window
  still matches (done since the first date of that unbroken run);
- the `Proof` says which event or figure proved it; dates are Pacific dates, like Google's
  reports and the audit's scores;
- an item whose every rule refers to data the store does not hold (a usage parameter never
  stored for this client, e.g. mail counts without per-person consent, or an application whose
  activities were never collected) is `no_data`, not "not yet".

`negative` rules flag an item when a matching piece appears after it was done (`after: done`)
or after the start (`after: start`); `negative_flags()` is public so progress can flag items
done by a self-attestation or an override too, from the time of the mark.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa

from workspace_coach.curriculum.schema import (
    ActivityRule,
    Condition,
    Curriculum,
    Item,
    NegativeActivity,
    NegativeUsage,
    Text,
    UsageRule,
)
from workspace_coach.storage import models as m
from workspace_coach.storage.snapshots import newest_snapshot
from workspace_coach.timezones import PACIFIC, as_utc

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# -- what the store holds --------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    time: dt.datetime
    app: str
    name: str
    params: dict[str, Any]
    event_id: int


@dataclass(frozen=True)
class Figure:
    date: dt.date
    parameter: str
    value: Any


@dataclass
class EvidenceStore:
    """What one client's audit store holds for some curricula, in memory, keyed by email."""

    client_id: int
    events: dict[str, list[Event]] = field(default_factory=dict)  # email -> sorted by time
    figures: dict[str, dict[str, list[Figure]]] = field(default_factory=dict)  # email -> param
    collected_apps: frozenset[str] = frozenset()
    stored_parameters: frozenset[str] = frozenset()

    def person_events(self, email: str) -> list[Event]:
        return self.events.get(email.lower(), [])

    def person_figures(self, email: str, parameter: str) -> list[Figure]:
        return self.figures.get(email.lower(), {}).get(parameter, [])


def referenced(curricula: Iterable[Curriculum]) -> tuple[set[tuple[str, str]], set[str]]:
    """(application, event) pairs and usage parameters the rules of `curricula` refer to."""
    events: set[tuple[str, str]] = set()
    parameters: set[str] = set()
    for curriculum in curricula:
        for _, item in curriculum.items():
            rules: list[Any] = [*(item.evidence.any_of if item.evidence else []), *item.negative]
            for rule in rules:
                if isinstance(rule, ActivityRule):
                    events.add((rule.application, rule.event))
                else:
                    parameters.add(rule.parameter)
    return events, parameters


def load_evidence(conn: sa.Connection, client_id: int, curricula: Iterable[Curriculum],
                  people: Iterable[str] | None = None) -> EvidenceStore:
    """Read every event and figure the rules of `curricula` can use, for `people` (emails; all
    when None), in three queries."""
    curricula = list(curricula)
    pairs, parameters = referenced(curricula)
    wanted = {p.lower() for p in people} if people is not None else None
    store = EvidenceStore(client_id)
    apps = {app for app, _ in pairs}
    names = {name for _, name in pairs}
    if pairs:
        e = m.ActivityEvent
        query = sa.select(e.id, e.time, e.app, e.event_name, e.params, e.actor_email).where(
            e.client_id == client_id, e.app.in_(apps), e.event_name.in_(names))
        grouped: dict[str, list[Event]] = defaultdict(list)
        for row in conn.execute(query):
            if (row.app, row.event_name) not in pairs or not row.actor_email:
                continue
            email = row.actor_email.lower()
            if wanted is not None and email not in wanted:
                continue
            grouped[email].append(Event(as_utc(row.time), row.app, row.event_name,
                                        dict(row.params or {}), row.id))
        for found in grouped.values():
            found.sort(key=lambda ev: (ev.time, ev.event_id))
        store.events = dict(grouped)
    kinds = conn.execute(sa.select(m.CollectState.kind).distinct().where(
        m.CollectState.client_id == client_id, m.CollectState.kind.like("activities:%"))
    ).scalars()
    store.collected_apps = frozenset(kind.split(":", 1)[1] for kind in kinds)
    if parameters:
        snapshot = newest_snapshot(conn, client_id)
        emails: dict[str, str] = {}
        if snapshot is not None:
            for user_id, email in conn.execute(sa.select(m.Person.user_id, m.Person.email)
                                               .where(m.Person.snapshot_id == snapshot)):
                emails[user_id] = email.lower()
        u = m.UsageValue
        query = sa.select(u.date, u.entity_key, u.parameter, u.int_value, u.bool_value,
                          u.string_value).where(
            u.client_id == client_id, u.entity_type == "user", u.parameter.in_(parameters))
        figures: dict[str, dict[str, list[Figure]]] = defaultdict(lambda: defaultdict(list))
        stored: set[str] = set()
        for row in conn.execute(query):
            stored.add(row.parameter)
            email = emails.get(row.entity_key) or (row.entity_key.lower()
                                                   if "@" in row.entity_key else None)
            if email is None or (wanted is not None and email not in wanted):
                continue
            value = next((v for v in (row.int_value, row.bool_value, row.string_value)
                          if v is not None), None)
            figures[email][row.parameter].append(Figure(row.date, row.parameter, value))
        for by_param in figures.values():
            for found in by_param.values():
                found.sort(key=lambda f: f.date)
        store.figures = {k: dict(v) for k, v in figures.items()}
        store.stored_parameters = frozenset(stored)
    return store


# -- matching --------------------------------------------------------------------------------

def _coerce(actual: Any, wanted: Any) -> Any:
    """Google sends int64 as strings and some booleans as "true"; compare like with like."""
    if isinstance(wanted, bool):
        if isinstance(actual, str):
            return actual.lower() == "true"
        return bool(actual) if actual is not None else None
    if isinstance(wanted, int) and isinstance(actual, str):
        try:
            return int(actual)
        except ValueError:
            return actual
    if isinstance(wanted, str) and isinstance(actual, bool):
        return "true" if actual else "false"
    if isinstance(wanted, str) and isinstance(actual, int):
        return str(actual)
    return actual


def compare(actual: Any, op: str, value: Any) -> bool:
    """`actual op value`; a list `actual` (a multiValue) matches when any element does."""
    if isinstance(actual, list):
        return any(compare(element, op, value) for element in actual)
    if actual is None:
        return op in ("!=", "not in")
    if op in ("in", "not in"):
        options = value if isinstance(value, list) else [value]
        hit = any(_coerce(actual, option) == option for option in options)
        return hit if op == "in" else not hit
    actual = _coerce(actual, value)
    try:
        return {"==": lambda: actual == value, "!=": lambda: actual != value,
                ">": lambda: actual > value, ">=": lambda: actual >= value,
                "<": lambda: actual < value, "<=": lambda: actual <= value}[op]()
    except TypeError:
        return False


def _meets(event: Event, conditions: Sequence[Condition]) -> bool:
    for cond in conditions:
        actual = event.params.get(cond.param)
        if isinstance(actual, list) and cond.op in ("!=", "not in"):
            # "none of the list's elements is v": the negation of "any element is v"
            positive = "==" if cond.op == "!=" else "in"
            if compare(actual, positive, cond.value):
                return False
            continue
        if not compare(actual, cond.op, cond.value):
            return False
    return True


# -- results ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Proof:
    """The event or figure that proved (or flagged) an item."""

    source: Literal["activity", "usage"]
    on: dt.date                       # Pacific date, as in Google's reports
    at: dt.datetime | None = None     # the event's time (activity only)
    application: str | None = None
    event: str | None = None
    parameter: str | None = None
    value: Any = None
    params: tuple[tuple[str, Any], ...] = ()  # the parameters the rule's conditions looked at
    event_id: int | None = None

    @property
    def sort_key(self) -> dt.datetime:
        if self.at is not None:
            return self.at
        return dt.datetime.combine(self.on, dt.time(), PACIFIC).astimezone(dt.UTC)

    def describe(self) -> str:
        """A short line for a table or a sheet, e.g. `drive change_user_access (new_value=
        can_comment) 2025-06-12 01:03 UTC` or `accounts:is_2sv_enrolled = true on 2025-06-10`."""
        if self.source == "usage":
            value = str(self.value).lower() if isinstance(self.value, bool) else self.value
            return f"{self.parameter} = {value} on {self.on.isoformat()}"
        shown = ", ".join(f"{k}={'/'.join(map(str, v)) if isinstance(v, list) else v}"
                          for k, v in self.params)
        when = self.at.strftime("%Y-%m-%d %H:%M UTC") if self.at else self.on.isoformat()
        return f"{self.application} {self.event}{f' ({shown})' if shown else ''} {when}"


@dataclass(frozen=True)
class Flag:
    text: Text
    proof: Proof


@dataclass(frozen=True)
class ItemEvidence:
    item_id: str
    verified_by: Literal["evidence", "self_attest"]
    done: bool = False
    done_on: dt.date | None = None
    done_at: dt.datetime | None = None  # when the evidence appeared (start of its day, usage)
    proof: Proof | None = None
    count: int = 0                      # matching pieces in the window
    no_data: bool = False
    flags: tuple[Flag, ...] = ()


def _activity_proofs(rule: ActivityRule, events: Sequence[Event]) -> list[Proof]:
    out = []
    looked = [c.param for c in rule.where]
    for ev in events:
        if ev.app == rule.application and ev.name == rule.event and _meets(ev, rule.where):
            out.append(Proof("activity", ev.time.astimezone(PACIFIC).date(), ev.time,
                             rule.application, rule.event,
                             params=tuple((p, ev.params.get(p)) for p in dict.fromkeys(looked)),
                             event_id=ev.event_id))
    return out


def _usage_proofs(rule: UsageRule, figures: Sequence[Figure]) -> list[Proof]:
    return [Proof("usage", f.date, parameter=rule.parameter, value=f.value)
            for f in figures if compare(f.value, rule.op, rule.value)]


def _rule_proofs(rule: ActivityRule | UsageRule, store: EvidenceStore, email: str
                 ) -> list[Proof]:
    if isinstance(rule, ActivityRule):
        return _activity_proofs(rule, store.person_events(email))
    return _usage_proofs(rule, store.person_figures(email, rule.parameter))


def _available(rule: ActivityRule | UsageRule, store: EvidenceStore) -> bool:
    if isinstance(rule, ActivityRule):
        return rule.application in store.collected_apps
    return rule.parameter in store.stored_parameters


def _in(proof: Proof, lower: dt.datetime, upper: dt.datetime) -> bool:
    if proof.at is not None:
        return lower <= proof.at <= upper
    return lower.astimezone(PACIFIC).date() <= proof.on <= upper.astimezone(PACIFIC).date()


def _collected(item: Item, store: EvidenceStore) -> bool:
    """Whether the store holds any data the item's evidence rules read."""
    return item.evidence is None or any(_available(rule, store) for rule in item.evidence.any_of)


def uniform_evidence(item: Item, store: EvidenceStore) -> ItemEvidence | None:
    """What `evaluate_item` gives every person when the answer cannot depend on the person
    (none of the item's data was collected, or it is self-attested with no negative rules), so
    a team is evaluated once per item; None when it depends on the person."""
    if item.evidence is None:
        return None if item.negative else ItemEvidence(item.id, "self_attest")
    return None if _collected(item, store) else ItemEvidence(item.id, "evidence", no_data=True)


def negative_flags(item: Item, store: EvidenceStore, email: str, *, done_at: dt.datetime | None,
                   start: dt.datetime | None, as_of: dt.datetime) -> tuple[Flag, ...]:
    """One flag per negative rule with matching evidence after `done_at` (`after: done`; no flag
    while not done) or after `start` (`after: start`), up to `as_of`; the earliest proof."""
    flags = []
    for rule in item.negative:
        if rule.after == "done":
            if done_at is None:
                continue
            lower = done_at
        else:
            lower = start or EPOCH
        proofs = _rule_proofs(rule, store, email)
        if isinstance(rule, NegativeActivity):
            hits = [p for p in proofs if p.at is not None and lower < p.at <= as_of]
        else:
            assert isinstance(rule, NegativeUsage)
            day = lower.astimezone(PACIFIC).date()
            hits = [p for p in proofs if day < p.on <= as_of.astimezone(PACIFIC).date()]
        if hits:
            flags.append(Flag(rule.flag, min(hits, key=lambda p: p.sort_key)))
    return tuple(flags)


def evaluate_item(item: Item, store: EvidenceStore, email: str, *, as_of: dt.datetime,
                  start: dt.datetime | None = None) -> ItemEvidence:
    """One item for one person; see the module docstring."""
    if item.evidence is None:
        return ItemEvidence(item.id, "self_attest",
                            flags=negative_flags(item, store, email, done_at=None, start=start,
                                                 as_of=as_of))
    ev = item.evidence
    if ev.window.within_days is not None:
        lower = as_of - dt.timedelta(days=ev.window.within_days)
    else:
        lower = start or EPOCH
    if not _collected(item, store):
        return ItemEvidence(item.id, "evidence", no_data=True)
    proofs: list[Proof] = []
    for rule in ev.any_of:
        proofs += [p for p in _rule_proofs(rule, store, email) if _in(p, lower, as_of)]
    proofs.sort(key=lambda p: p.sort_key)
    done_proof: Proof | None = None
    if ev.completion == "latest":
        done_proof = _latest(ev.any_of, store, email, lower, as_of, ev.min_count)
    elif len(proofs) >= ev.min_count:
        done_proof = proofs[ev.min_count - 1]
    if done_proof is None:
        return ItemEvidence(item.id, "evidence", count=len(proofs),
                            flags=negative_flags(item, store, email, done_at=None, start=start,
                                                 as_of=as_of))
    done_at = done_proof.sort_key
    return ItemEvidence(item.id, "evidence", True, done_proof.on, done_at, done_proof,
                        len(proofs), flags=negative_flags(item, store, email, done_at=done_at,
                                                          start=start, as_of=as_of))


def _latest(rules: Sequence[ActivityRule | UsageRule], store: EvidenceStore, email: str,
            lower: dt.datetime, as_of: dt.datetime, min_count: int) -> Proof | None:
    """Done while a usage parameter's newest report in the window matches: the proof is the
    first report of the unbroken matching run that ends with the newest one."""
    best: Proof | None = None
    for rule in rules:
        if not isinstance(rule, UsageRule):
            continue
        figures = [f for f in store.person_figures(email, rule.parameter)
                   if _in(Proof("usage", f.date), lower, as_of)]
        run: list[Figure] = []
        for figure in reversed(figures):
            if not compare(figure.value, rule.op, rule.value):
                break
            run.append(figure)
        if len(run) >= min_count:
            first = run[-1]
            proof = Proof("usage", first.date, parameter=rule.parameter, value=first.value)
            if best is None or proof.sort_key < best.sort_key:
                best = proof
    return best


def evaluate(curriculum: Curriculum, store: EvidenceStore, email: str, *,
             as_of: dt.datetime | None = None, start: dt.datetime | None = None
             ) -> dict[str, ItemEvidence]:
    """Every item of `curriculum` for one person: {item id: ItemEvidence}."""
    as_of = as_utc(as_of) if as_of else dt.datetime.now(dt.UTC)
    start = as_utc(start) if start else None
    return {item.id: evaluate_item(item, store, email, as_of=as_of, start=start)
            for _, item in curriculum.items()}
