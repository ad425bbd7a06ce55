"""Calibrated scores on a small simulated run: the three profiles stay apart and leave room.

The demo's promise (docs/scoring.md, "Targets and why") on a smaller run: three 20-person
tenants, 64 simulated days, the struggling one coached on days 34 and 48. Before coaching the
thriving tenant scores highest and the struggling one lowest, each within its band (a little
wider than the demo's, as 20 people make coarser shares than 15 to 120), no category of the
mixed tenant is at 100, and the struggling tenant's overall rises after each session.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.sandbox.activity_world import UNTIL, build_tenant, coaching, pin_clock, simulate
from workspace_coach.audit.categories import SCORED
from workspace_coach.audit.collect import collect
from workspace_coach.audit.latest import trend
from workspace_coach.audit.run import run_audit
from workspace_coach.sandbox.server import start
from workspace_coach.storage.clients import find_client
from workspace_coach.storage.db import make_engine

PEOPLE, DAYS = 20, 64
LAST = dt.date.fromisoformat(UNTIL)
FIRST = LAST - dt.timedelta(days=DAYS - 1)
SESSIONS = (FIRST + dt.timedelta(days=34), FIRST + dt.timedelta(days=48))
BANDS = {"thriving": (72.0, 92.0), "mixed": (48.0, 72.0), "struggling": (22.0, 47.0)}


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    """{profile: {date: {category: value}}} of the organisation, from one scoring run each."""
    sandbox = start(":memory:")
    pin_clock(sandbox)
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('calib') / 'coach.sqlite3'}")
    out = {}
    try:
        for kind in BANDS:
            domain = f"{kind}-{uuid.uuid4().hex[:6]}.example.kr"
            profile = build_tenant(sandbox, tmp_path_factory.mktemp(kind), domain,
                                   people=PEOPLE)
            if kind == "struggling":
                for day in SESSIONS:
                    coaching(sandbox, domain, day.isoformat())
            simulate(sandbox, domain, days=DAYS, seed=5, profile=kind)
            collect(profile, engine, days=DAYS)
            run_audit(profile, engine)
            with engine.connect() as conn:
                client = find_client(conn, profile.name)
                assert client is not None
                points = trend(conn, client.id)
            by_date: dict[dt.date, dict[str, float | None]] = {}
            for category, values in points.items():
                for day, value in values:
                    by_date.setdefault(day, {})[category] = value
            out[kind] = by_date
    finally:
        engine.dispose()
        sandbox.stop()
    return out


def before(by_date, day: dt.date) -> dict[str, float | None]:
    """The scores of the newest date before `day`."""
    return by_date[max(d for d in by_date if d < day)]


def test_profiles_are_apart_and_in_their_bands_before_coaching(scores):
    overall = {kind: before(by_date, SESSIONS[0])["overall"] for kind, by_date in scores.items()}
    assert overall["thriving"] > overall["mixed"] > overall["struggling"], overall
    for kind, (low, high) in BANDS.items():
        assert low <= overall[kind] <= high, (kind, overall)


def test_the_mixed_client_has_room_in_every_category(scores):
    for day in (SESSIONS[0], LAST + dt.timedelta(days=1)):
        values = before(scores["mixed"], day)
        assert all(values[c] is not None and values[c] < 100 for c in SCORED), values


def test_the_struggling_client_rises_after_each_session(scores):
    by_date = scores["struggling"]
    steps = [before(by_date, SESSIONS[0])["overall"], before(by_date, SESSIONS[1])["overall"],
             by_date[max(by_date)]["overall"]]
    assert steps[0] < steps[1] < steps[2], steps

