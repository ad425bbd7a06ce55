"""Peer benchmark from scores stored in SQLite and PostgreSQL: bands, the minimum cohort,
and that nothing identifies a single peer."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.audit.stored import NEWEST, add_client, add_run, add_scores, migrate, uniform
from workspace_coach.audit.benchmark import MIN_COHORT, SIZE_BANDS, benchmark, size_band
from workspace_coach.audit.categories import CATEGORIES


def _client(conn, slug: str, people: int, value: float | dict, *, date: dt.date = NEWEST,
            suspended: int = 0) -> int:
    cid = add_client(conn, slug, people, display_name=f"{slug} 협동조합", suspended=suspended)
    values = uniform(value) if isinstance(value, (int, float)) else value
    add_scores(conn, cid, add_run(conn, cid), values, date=date)
    return cid


def test_bands_cover_every_head_count_once():
    assert [b[0] for b in SIZE_BANDS] == ["1-19", "20-49", "50-149", "150-499", "500+"]
    for people, band in ((1, "1-19"), (19, "1-19"), (20, "20-49"), (49, "20-49"),
                         (50, "50-149"), (149, "50-149"), (150, "150-499"), (499, "150-499"),
                         (500, "500+"), (12000, "500+")):
        assert size_band(people) == band
    assert size_band(0) is None


def test_hidden_below_five_peers_and_the_client_itself_does_not_count(engine):
    migrate(engine)
    with engine.begin() as conn:
        me = _client(conn, "me", 30, 40.0)
        for n in range(MIN_COHORT - 1):  # four peers: five clients in the band, with the client
            _client(conn, f"peer{n}", 25 + n, 50.0 + n)
    result = benchmark(engine, me)
    assert result.band == "20-49" and result.people == 30
    assert not result.shown and result.reason == "cohort-too-small"
    for category in CATEGORIES:
        cat = result.categories[category]
        assert (cat.shown, cat.reason, cat.cohort_size) == (False, "cohort-too-small", 4)
        assert cat.value == 40.0  # the client's own figure is always there
        assert cat.median is None and cat.q1 is None and cat.q3 is None
        assert cat.percentile is None


def test_shown_at_five_peers_with_median_quartiles_and_percentile(engine):
    migrate(engine)
    with engine.connect() as conn, conn.begin():
        me = _client(conn, "me", 30, 35.0)
        for n, value in enumerate((10.0, 20.0, 30.0, 40.0, 50.0)):
            _client(conn, f"peer{n}", 20 + n * 7, value)
        # Outside the band, or too old: never part of the cohort.
        _client(conn, "bigger", 60, 99.0)
        _client(conn, "smaller", 19, 1.0)
        _client(conn, "former", 40, 98.0, date=NEWEST - dt.timedelta(days=181))
        # 19 active people and 40 suspended ones: band 1-19.
        _client(conn, "shrunk", 19, 97.0, suspended=40)
        result = benchmark(conn, me)  # a Connection works as well as an Engine
    assert result.shown and result.reason is None and result.band == "20-49"
    for category in CATEGORIES:
        cat = result.categories[category]
        assert cat.shown and cat.cohort_size == 5
        # statistics.quantiles(..., method="exclusive"): positions 1.5, 3 and 4.5 of 5.
        assert (cat.q1, cat.median, cat.q3) == (15.0, 30.0, 45.0)
        assert cat.percentile == 60.0  # three of five peers below 35


def test_ties_count_half_and_missing_categories_say_why(engine):
    migrate(engine)
    with engine.begin() as conn:
        me = _client(conn, "me", 8, {"activation": 50.0, "meetings": None, "overall": 50.0})
        for n in range(6):
            _client(conn, f"peer{n}", 5 + n, {"activation": 50.0 if n < 2 else 70.0,
                                              "meetings": 60.0, "overall": 60.0})
    result = benchmark(engine, me)
    assert result.band == "1-19" and result.shown
    assert result.categories["activation"].percentile == round(100 * (0 + 0.5 * 2) / 6, 1)
    assert result.categories["meetings"].reason == "no-score"  # the client's value is NULL
    assert not result.categories["meetings"].shown
    assert result.categories["security"].reason == "no-score"


def test_no_directory_or_no_scores(engine):
    migrate(engine)
    with engine.begin() as conn:
        unscored = add_client(conn, "unscored", 12)
    assert benchmark(engine, unscored).reason == "no-score"
    assert benchmark(engine, 999).reason == "no-directory"


def test_never_reveals_a_peer_name_or_single_figure(engine):
    migrate(engine)
    peers = {"alpha": 12.5, "bravo": 27.0, "charlie": 41.5, "delta": 63.0, "echo": 88.5,
             "foxtrot": 91.0}
    with engine.begin() as conn:
        me = _client(conn, "me", 70, 55.0)
        for n, (slug, value) in enumerate(peers.items()):
            _client(conn, slug, 55 + n * 10, value)
    result = benchmark(engine, me)
    text = repr(result)
    for slug in peers:
        assert slug not in text and "협동조합" not in text
    fields = {f.name for f in dataclasses.fields(result.categories["activation"])}
    assert fields == {"category", "shown", "reason", "cohort_size", "value", "median", "q1", "q3",
                      "percentile"}
    values = sorted(peers.values())
    for cat in result.categories.values():
        assert cat.shown and cat.cohort_size == 6
        figures = {cat.q1, cat.q3}
        # No minimum or maximum, and the quartiles are interpolated, not a peer's figure.
        assert not figures & {values[0], values[-1]}
        assert not figures & set(values)
        assert values[0] < cat.q1 < cat.median < cat.q3 < values[-1]


@pytest.mark.parametrize("people", [1, 19])
def test_a_client_alone_in_its_band(engine, people):
    migrate(engine)
    with engine.begin() as conn:
        me = _client(conn, "me", people, 70.0)
        for n in range(5):
            _client(conn, f"large{n}", 600 + n, 50.0)
    result = benchmark(engine, me)
    assert result.band == "1-19" and not result.shown
    assert {c.cohort_size for c in result.categories.values()} == {0}
