"""The 28-day facts the database helps with equal the plain reading of every event.

`rolling.rolling_facts` settles Chat rooms from the counted dates' events in memory, asks the
database about the rest a few days further back at a time (or counts every room when too many
are left), and aggregates Meet devices and public links in SQL. `event_indicators` given the
events of the whole 28-day windows and no rolling facts reads the same indicators the slow
obvious way. On a random stored world (direct messages, busy and sparse rooms, posts at the
edges of Pacific dates, several device types, links made public and private) both must name
the same people on every date, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa

from workspace_coach.audit import rolling
from workspace_coach.audit.indicators import LOOKBACK, event_indicators
from workspace_coach.audit.rolling import rolling_facts, utc_start
from workspace_coach.audit.score import load_events
from workspace_coach.storage import models as m
from workspace_coach.storage.migrations import upgrade

FIRST = dt.date(2025, 3, 1)
DATES = 75
ROLLING_IDS = ("space_posts", "multi_device_28d", "no_public_links")


def _world(seed: int) -> list[dict]:
    """Activity events over `DATES` Pacific dates, as a collect stores them."""
    rng = random.Random(seed)
    people = [f"p{i}@x.kr" for i in range(30)]
    rooms: dict[str, tuple[list[str], float]] = {}  # room: (members, chance a member posts)
    for i in range(12):  # the last five people write direct messages only
        rooms[f"dm{i}"] = ([people[25 + i % 5], rng.choice(people)], 0.3)
    for i in range(6):
        rooms[f"busy{i}"] = (rng.sample(people[:25], rng.randint(3, 8)), 0.5)
    for i in range(8):  # a poster every week or two: the third one is days back
        rooms[f"sparse{i}"] = (rng.sample(people[:25], rng.randint(3, 5)), 0.04)
    rows: list[dict] = []

    def add(app: str, name: str, actor: str, day: dt.date, params: dict) -> None:
        edge = rng.random()
        # the first and last instants of a Pacific date, or any time in it
        offset = (dt.timedelta(0) if edge < 0.1 else dt.timedelta(days=1, microseconds=-1)
                  if edge < 0.2 else dt.timedelta(seconds=rng.randrange(86400)))
        rows.append({"app": app, "event_name": name, "actor_email": actor,
                     "time": utc_start(day) + offset, "unique_qualifier": f"q{len(rows)}",
                     "event_index": 0, "params": params})

    for n in range(DATES):
        day = FIRST + dt.timedelta(days=n)
        for room, (members, chance) in rooms.items():
            for who in members:
                if rng.random() < chance:
                    add("chat", "message_posted", who, day, {"room_id": room})
        for who in people:
            if rng.random() < 0.15:
                device = rng.choice(("web", "web", "web", "ios", "android", None))
                add("meet", "call_ended", who, day,
                    {"conference_id": f"c{n}", **({"device_type": device} if device else {})})
            if rng.random() < 0.01:
                add("drive", "change_document_visibility", who, day,
                    {"new_value": [rng.choice(("people_with_link", "private"))]})
    return rows


def _store(engine: sa.Engine, rows: list[dict]) -> int:
    upgrade(engine)
    with engine.begin() as conn:
        client = conn.execute(sa.insert(m.Client).values(
            slug="rolling", domain="x.kr", per_person_insights=False, min_group_size=5,
            created_at=dt.datetime.now(dt.UTC)).returning(m.Client.id)).scalar_one()
        conn.execute(sa.insert(m.ActivityEvent), [{"client_id": client, **r} for r in rows])
    return client


def _dates(*offsets: int) -> list[dt.date]:
    return [FIRST + dt.timedelta(days=n) for n in offsets]


CASES = {
    "two newest dates": _dates(DATES - 2, DATES - 1),
    "dates with a gap": _dates(DATES - 9, DATES - 8, DATES - 3),
    "a backfill longer than a window and a batch": _dates(*range(LOOKBACK + 2, DATES)),
}


@pytest.mark.parametrize("rooms_named", [rolling.ROOMS_NAMED, 0],
                         ids=["rooms named", "every room counted"])
def test_rolling_facts_equal_reading_every_event(engine, monkeypatch, rooms_named):
    monkeypatch.setattr(rolling, "ROOMS_NAMED", rooms_named)
    client = _store(engine, _world(11))
    for case, days in CASES.items():
        with engine.connect() as conn:
            loaded = load_events(conn, client, days[0], days[-1])
            got = event_indicators(loaded, days, rolling_facts(conn, client, days, loaded))
            whole = load_events(conn, client, days[0] - dt.timedelta(days=LOOKBACK - 1),
                                days[-1])
        expected = event_indicators(whole, days)
        for day in days:
            for ind in ROLLING_IDS:
                assert got[day].get(ind, set()) == expected[day].get(ind, set()), (case, day,
                                                                                  ind)
        # the world is not trivial: rooms in and out of the fact, devices, public links
        posters = {e.actor for e in loaded if e.app == "chat" and e.day in days}
        counted = set().union(*(expected[d].get("space_posts", set()) for d in days))
        assert counted and posters - counted, case
        assert any(expected[d].get("multi_device_28d") for d in days), case
    assert any(expected[d].get("no_public_links") for d in days)
