"""Which scores are "the newest": after a 28-day run and then `audit run --window 14`, every
reader (report, benchmark, recommendations, every dashboard page's data function) shows the
14-day run's scores and says so; a peer scored with another window stays in the benchmark."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from tests.audit.stored import add_client, add_run, add_scores, migrate, uniform
from workspace_coach.audit.benchmark import MIN_COHORT, benchmark
from workspace_coach.audit.collect import collect
from workspace_coach.audit.latest import newest_run
from workspace_coach.audit.recommend import recommendations
from workspace_coach.audit.report import html_from
from workspace_coach.audit.report_data import gather
from workspace_coach.audit.run import run_audit
from workspace_coach.coaching.clients import get_client
from workspace_coach.dashboards import services
from workspace_coach.storage.clients import client_by_slug


@pytest.fixture
def rescored(world, engine, monkeypatch):
    """The world collected, scored over 28 days and then over 14; the dashboard pointed at the
    same database."""
    collect(world, engine, days=30)
    first = run_audit(world, engine)
    second = run_audit(world, engine, window=14)
    assert (first.window, second.window) == (28, 14)
    monkeypatch.setenv("WC_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    return world, second


def test_every_reader_shows_the_newest_run_whatever_its_window(rescored, engine):
    profile, run = rescored
    expected = {s.category: s.value for s in run.latest("org")}
    assert expected and any(v is not None for v in expected.values())
    with engine.connect() as conn:
        client_id = client_by_slug(conn, profile.name).id
        newest = newest_run(conn, client_id)
    assert newest is not None and (newest.id, newest.window_days) == (run.run_id, 14)

    data = gather(engine, client_id)
    assert data.has_scores and data.window_days == 14 and data.as_of == run.as_of
    assert {c: s.value for c, s in data.scores.items()} == expected
    assert {s.window_days for s in data.scores.values()} == {14}
    assert data.trend["overall"][-1] == (run.as_of, expected["overall"])
    stored_teams = {(s.scope_type, s.scope_key, s.category): s.value
                    for s in run.latest() if s.scope_type in ("org_unit", "group")}
    assert {(t, k, c): s.value for (t, k), by in data.teams.items() for c, s in by.items()
            } == stored_teams
    assert "14" in html_from(data, "en").split("</header>")[0]

    bench = benchmark(engine, client_id)
    assert bench.window_days == 14
    assert {c: b.value for c, b in bench.categories.items() if b.value is not None} == {
        c: v for c, v in expected.items() if v is not None}
    gaps = [r for r in recommendations(engine, client_id) if r.kind == "gap"]
    assert gaps
    for rec in gaps:   # each gap quotes the 14-day run: its category or one of its indicators
        points = {i["id"]: i["points"] for i in data.scores[rec.category].inputs.get(
            "indicators", [])}
        assert rec.value == (expected[rec.category] if rec.subject == rec.category
                             else points[rec.subject])

    # the dashboard: Clients, Overview (scores, trend, benchmark, report download), Teams
    client = get_client(engine, profile.name)
    assert client is not None
    summary = services.summaries([client])[0]
    assert summary.overall == expected["overall"]
    shown = services.newest_scores(client)
    assert {s.category: s.value for s in shown} == expected
    assert {s.window_days for s in shown} == {14} and {s.date for s in shown} == {run.as_of}
    trend = services.trend(client)
    newest = trend[trend["date"] == trend["date"].max()]
    assert dict(zip(newest["category"], newest["value"], strict=True)) == expected
    assert services.benchmark(client) == bench
    assert services.report_html(client, "en") == html_from(data, "en")
    teams = {}
    for scope_type in ("org_unit", "group"):
        frame = services.team_matrix(client, scope_type)
        teams |= {(scope_type, k, c): v for k, c, v in
                  zip(frame["scope"], frame["category"], frame["value"], strict=True)}
    assert teams == stored_teams
    assert {c: s.value for c, s in services.values_on(client, run.as_of).items()} == expected


def test_a_peer_scored_over_another_window_stays_in_the_benchmark(engine):
    migrate(engine)
    with engine.begin() as conn:
        own = add_client(conn, "own", 30)
        add_scores(conn, own, add_run(conn, own), uniform(50.0))
        for n in range(MIN_COHORT):
            peer = add_client(conn, f"peer{n}", 30)
            window = 14 if n == 0 else 28
            add_scores(conn, peer, add_run(conn, peer), uniform(40.0 + n), window_days=window)
    result = benchmark(engine, own)
    assert result.shown and result.window_days == 28 and result.peer_windows == (14, 28)
    assert all(c.cohort_size == MIN_COHORT for c in result.categories.values())


def test_only_a_finished_run_counts(engine):
    migrate(engine)
    with engine.begin() as conn:
        client = add_client(conn, "own", 30)
        add_scores(conn, client, add_run(conn, client), uniform(50.0), window_days=28)
        running = add_run(conn, client)
        conn.execute(sa.text("UPDATE audit_runs SET status = 'running' WHERE id = :id"),
                     {"id": running})
        add_scores(conn, client, running, uniform(10.0), window_days=14,
                   date=dt.date(2030, 1, 1))
    data = gather(engine, client)
    assert data.window_days == 28 and {s.value for s in data.scores.values()} == {50.0}
