"""The 28-day facts of the event-based indicators, for the dates a scoring run counts.

Three facts look back 28 days (`indicators.Rolling`): the Chat rooms where three or more
people posted, the people who joined Meet from more than one device type, and the people who
made a Drive file public. Reading 28 days of Chat and Meet events into memory for every date
would dominate a run, so:

- Meet devices and public links are aggregated by the database, one query per batch of
  dates with one counted column per date (each query reads its dates' windows once).
- Chat: a date's fact is only about the rooms posted in on that date (`event_indicators`
  asks about no other), and the events of the dates being counted are in memory already. A
  room with three posters among them needs nothing more, nor does a room whose whole window
  is in memory. The database is asked only about the rooms left, reaching a few days further
  back at a time (`REACH`) and stopping once every room is settled: an active room finds its
  third poster a day or two back, where reading the whole window cost more than the rest of
  the run. With more rooms left than one query should name, the database counts the posters
  of every room over the whole windows instead, one pass per batch of dates.

People are lower-cased addresses, as `event_indicators` counts them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from workspace_coach.audit.indicators import (
    LOOKBACK,
    SPACE_MIN_PEOPLE,
    Event,
    Rolling,
    made_public,
)
from workspace_coach.storage import models as m
from workspace_coach.timezones import PACIFIC

#: Dates whose Meet and Drive facts one query aggregates: each adds a column to the query, and
#: each query reads the events of its dates' windows once (rather than once per date).
ROLLING_BATCH = 16
#: Rooms a Chat query names at most; with more, the posters of every room are counted (a long
#: list of bound values costs more than it saves, and old SQLite allows 999 of them).
ROOMS_NAMED = 500
#: How many days before the first date in memory successive Chat queries reach back to; the
#: last reaches the start of every window.
REACH = (1, 3, 7, 15, LOOKBACK - 1)

_DAY = dt.timedelta(days=1)
_BACK = dt.timedelta(days=LOOKBACK - 1)  # a window's first date is this far before its last

#: {date: {room: who posted in it that date}}
Posters = Mapping[dt.date, Mapping[str, set[str]]]


def utc_start(day: dt.date) -> dt.datetime:
    """The UTC instant a Pacific date begins."""
    return dt.datetime.combine(day, dt.time(), PACIFIC).astimezone(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)  # SQLite: naive


def rolling_facts(conn: sa.Connection, client_id: int, days: Sequence[dt.date],
                  events: Iterable[Event]) -> Rolling:
    """The 28-day facts of `days`. `events` are the events of every date from the first of
    `days` to the last (what `load_events` read for them)."""
    out = Rolling()
    days = sorted(set(days))
    if not days:
        return out
    out.spaces = _spaces(conn, client_id, days, _posters(events))
    for start in range(0, len(days), ROLLING_BATCH):
        _devices_and_links(conn, client_id, days[start:start + ROLLING_BATCH], out)
    return out


def _posters(events: Iterable[Event]) -> dict[dt.date, dict[str, set[str]]]:
    """Who posted in which room on each date, read as `event_indicators` reads Chat posts."""
    out: dict[dt.date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in events:
        if e.app == "chat" and e.name == "message_posted":
            room = str(e.params.get("room_id") or "")
            if room:
                out[e.day][room].add(e.actor)
    return out


def _within(posted: Posters, room: str, day: dt.date, first: dt.date,
            enough: int | None = None) -> set[str]:
    """Who posted in `room` on the dates in memory (from `first` on) of `day`'s window,
    newest date first, stopping once `enough` are found."""
    who: set[str] = set()
    at, until = day, max(first, day - _BACK)
    while at >= until:
        rooms = posted.get(at)
        if rooms is not None and room in rooms:
            who |= rooms[room]
            if enough is not None and len(who) >= enough:
                break
        at -= _DAY
    return who


def _spaces(conn: sa.Connection, client_id: int, days: list[dt.date], posted: Posters
            ) -> dict[dt.date, set[str]]:
    """{date: the rooms posted in on that date with at least `SPACE_MIN_PEOPLE` posters in
    its 28 days}, for `days`, the first of which is the first date in `posted`."""
    first = days[0]
    spaces: dict[dt.date, set[str]] = {day: set() for day in days}
    everyone: dict[str, set[str]] = defaultdict(set)  # every poster of a room in memory
    for rooms in posted.values():
        for room, who in rooms.items():
            everyone[room] |= who
    left: list[tuple[str, dt.date]] = []
    for day in days:
        for room in posted.get(day, {}):
            if (len(everyone[room]) >= SPACE_MIN_PEOPLE and len(_within(
                    posted, room, day, first, SPACE_MIN_PEOPLE)) >= SPACE_MIN_PEOPLE):
                spaces[day].add(room)
            elif day - _BACK < first:  # part of the window is not in memory
                left.append((room, day))
    if len({room for room, _ in left}) > ROOMS_NAMED:
        _count_every_room(conn, client_id, left, spaces)
    elif left:
        _reach_back(conn, client_id, first, posted, left, spaces)
    return spaces


def _chat_posts(client_id: int) -> tuple[Any, ...]:
    e = m.ActivityEvent
    return (e.client_id == client_id, e.app == "chat", e.event_name == "message_posted",
            e.actor_email != "")


def _reach_back(conn: sa.Connection, client_id: int, first: dt.date, posted: Posters,
                left: list[tuple[str, dt.date]], spaces: dict[dt.date, set[str]]) -> None:
    """Settle the (room, date) pairs `left` with who posted in those rooms before `first`,
    asking the database a few days further back at a time until each pair is settled."""
    e = m.ActivityEvent
    room_id = e.params["room_id"].as_string()
    open_ = {(room, day): _within(posted, room, day, first) for room, day in left}
    newest: dict[str, dict[str, dt.datetime]] = defaultdict(dict)  # room: {poster: post}
    end = first
    for back in REACH:
        reach = max(first - dt.timedelta(days=back), min(day for _, day in open_) - _BACK)
        rooms = sorted({room for room, _ in open_})
        for room, actor, when in conn.execute(
                sa.select(room_id, e.actor_email, sa.func.max(e.time))
                .where(*_chat_posts(client_id), e.time >= utc_start(reach),
                       e.time < utc_start(end), room_id.in_(rooms))
                .group_by(room_id, e.actor_email)):
            seen, actor, when = newest[room], actor.lower(), _utc(when)
            if actor not in seen or when > seen[actor]:
                seen[actor] = when
        end = reach
        for (room, day), who in list(open_.items()):
            start = utc_start(day - _BACK)
            found = who | {a for a, when in newest.get(room, {}).items() if when >= start}
            if len(found) >= SPACE_MIN_PEOPLE:
                spaces[day].add(room)
            elif end > day - _BACK:
                continue  # more of the window to read
            del open_[(room, day)]
        if not open_:
            return


def _bounds(days: Sequence[dt.date]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Each date's window as UTC instants [first, after the last)."""
    return [(utc_start(day - _BACK), utc_start(day + _DAY)) for day in days]


def _distinct_within(bounds: Sequence[tuple[dt.datetime, dt.datetime]], value: Any
                     ) -> list[Any]:
    """One column per window: the distinct values of `value` among its events."""
    e = m.ActivityEvent
    return [sa.func.count(sa.distinct(sa.case((sa.and_(e.time >= lo, e.time < hi), value))))
            for lo, hi in bounds]


def _count_every_room(conn: sa.Connection, client_id: int, left: list[tuple[str, dt.date]],
                      spaces: dict[dt.date, set[str]]) -> None:
    """Settle the (room, date) pairs `left` by counting the posters of every room over the
    whole windows, one query per batch of dates."""
    e = m.ActivityEvent
    room_id = e.params["room_id"].as_string()
    wanted: dict[dt.date, set[str]] = defaultdict(set)
    for room, day in left:
        wanted[day].add(room)
    days = sorted(wanted)
    for start in range(0, len(days), ROLLING_BATCH):
        batch = days[start:start + ROLLING_BATCH]
        bounds = _bounds(batch)
        for room, *posters in conn.execute(
                sa.select(room_id, *_distinct_within(bounds, sa.func.lower(e.actor_email)))
                .where(*_chat_posts(client_id), e.time >= bounds[0][0],
                       e.time < bounds[-1][1])
                .group_by(room_id)):
            for day, n in zip(batch, posters, strict=True):
                if n >= SPACE_MIN_PEOPLE and room in wanted[day]:
                    spaces[day].add(room)


def _devices_and_links(conn: sa.Connection, client_id: int, days: list[dt.date],
                       out: Rolling) -> None:
    """The Meet device and public link facts of `days`: one pass over their windows' events,
    one counted column per date."""
    e = m.ActivityEvent
    device = e.params["device_type"].as_string()
    bounds = _bounds(days)
    span = (e.client_id == client_id, e.time >= bounds[0][0], e.time < bounds[-1][1])
    for day in days:
        out.multi_device[day], out.public[day] = set(), set()
    for actor, *kinds in conn.execute(
            sa.select(e.actor_email, *_distinct_within(bounds, device))
            .where(*span, e.app == "meet", e.event_name == "call_ended")
            .group_by(e.actor_email)):
        for day, n in zip(days, kinds, strict=True):
            if actor and n > 1:
                out.multi_device[day].add(actor.lower())
    for actor, when, params in conn.execute(
            sa.select(e.actor_email, e.time, e.params).where(
                *span, e.app == "drive", e.event_name == "change_document_visibility")):
        if not actor or not made_public(params or {}):
            continue
        when = _utc(when)
        for day, (lo, hi) in zip(days, bounds, strict=True):
            if lo <= when < hi:
                out.public[day].add(actor.lower())
