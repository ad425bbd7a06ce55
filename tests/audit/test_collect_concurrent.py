"""Concurrent collect against the sandbox through the real client libraries: it stores exactly
what a sequential one does (also when a long listing is cut into time slices), a collect killed
with SIGKILL resumes without storing anything twice, and the slices are planned as documented."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from workspace_coach.audit import activities
from workspace_coach.audit.activities import Slice, plan_slices
from workspace_coach.audit.collect import collect
from workspace_coach.storage import models as m
from workspace_coach.storage.db import make_engine
from workspace_coach.timezones import as_utc

DAYS = 30


def stored(engine) -> dict[str, list[tuple]]:
    """Every row a collect leaves, without row ids, snapshot ids or fetch times."""
    with engine.connect() as conn:
        u, e, t, s = m.UsageValue, m.ActivityEvent, m.TeamUsage, m.CollectState
        return {
            "usage": sorted(conn.execute(sa.select(
                u.date, u.entity_type, u.entity_key, u.parameter, u.int_value, u.bool_value,
                u.datetime_value, u.string_value)).all(), key=repr),
            "events": sorted(((r[0], as_utc(r[1]), *r[2:]) for r in conn.execute(sa.select(
                e.app, e.time, e.unique_qualifier, e.event_index, e.actor_email,
                e.event_name, e.params))), key=repr),
            "teams": sorted(conn.execute(sa.select(
                t.date, t.scope_type, t.scope_key, t.indicator, t.people, t.count)).all(),
                key=repr),
            "state": sorted(((r[0], r[1], r[2], as_utc(r[3])) for r in conn.execute(sa.select(
                s.kind, s.date, s.partial, s.watermark))), key=repr),
            "people": sorted(conn.execute(sa.select(m.Person.email, m.Person.org_unit_path)
                                          ).all()),
        }


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 50 events and slices of one page: the 30-day world becomes long listings."""
    monkeypatch.setattr(activities, "ACTIVITY_PAGE", 50)
    monkeypatch.setattr(activities, "SLICE_PAGES", 1)


def test_concurrent_collect_stores_exactly_what_a_sequential_one_does(world, tmp_path,
                                                                      small_pages):
    one = make_engine(f"sqlite:///{tmp_path / 'sequential.sqlite3'}")
    many = make_engine(f"sqlite:///{tmp_path / 'concurrent.sqlite3'}")
    try:
        sequential = collect(world, one, days=DAYS, concurrency=1)
        concurrent = collect(world, many, days=DAYS, concurrency=8)
        assert stored(one) == stored(many)
        assert sequential.events_seen == concurrent.events_seen
        assert sequential.dates_fetched == concurrent.dates_fetched
        # still one call per date per page: the usage calls are the same in number
        for method in ("reports.userUsageReport.get", "reports.customerUsageReports.get"):
            assert sequential.calls[method] == concurrent.calls[method]
        # the slices were used (more than one listing per application) and are all cleaned up
        listings = concurrent.calls["reports.activities.list"]
        pages = sum(-(-n // 50) for n in concurrent.events_seen.values())
        assert listings > len(activities.ACTIVITY_APPS) and listings >= pages
        assert not [r for r in stored(many)["state"] if r[0].startswith("slice:")]
    finally:
        one.dispose()
        many.dispose()


KILLED = textwrap.dedent("""
    import sys
    from pathlib import Path
    from workspace_coach.audit import activities
    activities.ACTIVITY_PAGE, activities.SLICE_PAGES = 50, 1
    from workspace_coach.audit.collect import collect
    from workspace_coach.google.connection import load_profile
    from workspace_coach.storage.db import make_engine
    collect(load_profile(Path(sys.argv[1])), make_engine(sys.argv[2]), days=int(sys.argv[3]),
            concurrency=2)
""")


def _slices_and_dates(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        try:
            kinds = conn.execute(sa.select(m.CollectState.kind)).scalars().all()
        except sa.exc.OperationalError:   # the schema is not there yet
            return 0, 0
    return sum(k.startswith("slice:") for k in kinds), sum(k == "user_usage" for k in kinds)


def test_a_collect_killed_half_way_resumes_without_duplicates(world, tmp_path, realism,
                                                             small_pages):
    realism(latency_ms=40)   # slow enough to be caught half-way
    profile_file = tmp_path / "connection.yaml"
    world.save(profile_file)
    (tmp_path / world.credentials.name).write_bytes(world.credentials_path.read_bytes())
    url = f"sqlite:///{tmp_path / 'killed.sqlite3'}"
    engine = make_engine(url)
    child = subprocess.Popen([sys.executable, "-c", KILLED, str(profile_file), url, str(DAYS)],
                             env={**os.environ}, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None:
            slices, dates = _slices_and_dates(engine)
            if slices >= 2 and dates >= 3:
                break
            time.sleep(0.02)
        assert child.poll() is None, child.stderr.read().decode()[-2000:] if child.stderr else ""
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    slices, dates = _slices_and_dates(engine)
    assert slices >= 2 and dates < 2 * DAYS
    with engine.connect() as conn:
        assert conn.execute(sa.select(m.AuditRun.status)).scalar_one() == "running"
    realism(latency_ms=0)

    resumed = collect(world, engine, days=DAYS, concurrency=4)
    # only what the killed run had not stored is fetched again
    assert len(resumed.dates_fetched) < DAYS
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    try:
        full = collect(world, reference, days=DAYS, concurrency=4)
        assert resumed.calls["reports.activities.list"] < full.calls["reports.activities.list"]
        assert stored(engine) == stored(reference)   # the same rows, none twice
    finally:
        reference.dispose()
        engine.dispose()


def test_slices_cut_on_midnights_and_only_whole_ones_are_recorded():
    start = dt.datetime(2025, 5, 1, 7, 0, tzinfo=dt.UTC)
    oldest = dt.datetime(2025, 6, 19, 10, 0, tzinfo=dt.UTC)
    newest = oldest + dt.timedelta(days=1)
    # 1,000 events a day: 49 pages left, about 16 a slice
    parts = plan_slices(start, oldest, newest, 1000)
    assert parts[0].start == start and parts[-1].end == oldest
    assert all(a.end == b.start for a, b in zip(parts, parts[1:], strict=False))
    assert len(parts) == 4
    assert not parts[0].recorded and not parts[-1].recorded
    assert all(p.recorded and p.start.time() == dt.time() for p in parts[1:-1])
    # a sparse listing stays one slice
    assert plan_slices(start, oldest, newest, 5) == [Slice(start, oldest, False)]
    # a slice's days are the whole days it covers
    assert Slice(dt.datetime(2025, 5, 2, tzinfo=dt.UTC), dt.datetime(2025, 5, 4, tzinfo=dt.UTC),
                 True).days == {dt.date(2025, 5, 2), dt.date(2025, 5, 3)}
