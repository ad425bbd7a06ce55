"""The token bucket's real rate under threads, and the session's concurrency bound."""

from __future__ import annotations

import threading
import time

import pytest

from workspace_coach.google.ratelimit import RateLimiter, TokenBucket

from .conftest import Reply


def hammer(acquire, threads: int, seconds: float) -> int:
    """Acquire from `threads` threads for `seconds`; how many acquisitions completed in time."""
    done = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def work() -> None:
        nonlocal done
        while True:
            acquire()
            if time.monotonic() > deadline:
                return
            with lock:
                done += 1

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return done


def test_600_per_minute_over_4_threads_holds_the_rate():
    bucket = TokenBucket(600, burst=1)  # 10 per second
    done = hammer(bucket.acquire, threads=4, seconds=2.0)
    # 1 token of burst plus 10/s for 2 s = 21; never more, a little less on a busy machine.
    assert 18 <= done <= 22


def test_burst_is_spent_first_then_the_rate_applies():
    bucket = TokenBucket(1200, burst=10)  # 20 per second
    done = hammer(bucket.acquire, threads=3, seconds=0.5)
    assert 17 <= done <= 21  # 10 at once, then 10 more in 0.5 s


def test_apis_have_separate_buckets():
    limiter = RateLimiter(default_qpm=600, per_api={"drive": 1200}, burst=1)
    counts: dict[str, int] = {}

    def run(api: str) -> None:
        counts[api] = hammer(lambda: limiter.acquire(api), threads=2, seconds=1.0)

    threads = [threading.Thread(target=run, args=(api,)) for api in ("directory", "drive")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 9 <= counts["directory"] <= 12  # 1 + 10/s for 1 s
    assert 18 <= counts["drive"] <= 22  # 1 + 20/s for 1 s


def test_a_batch_larger_than_the_burst_waits_for_its_tokens():
    now = [0.0]
    waits: list[float] = []
    bucket = TokenBucket(6000, burst=100, clock=lambda: now[0], sleep=waits.append)  # 100/s
    assert bucket.acquire(100) == 0.0
    assert bucket.acquire(50) == pytest.approx(0.5)
    now[0] = 0.5
    assert bucket.acquire(100) == pytest.approx(1.0)
    assert waits == [pytest.approx(0.5), pytest.approx(1.0)]


def test_default_rate_is_2000_per_minute():
    limiter = RateLimiter()
    assert limiter.bucket("directory").per_minute == 2000


def test_session_calls_draw_on_the_limiter(make_session, server):
    session = make_session(limiter=RateLimiter(default_qpm=600, burst=1))
    directory = session.service("directory")
    started = time.monotonic()
    for i in range(4):
        session.execute(directory.users().get(userKey=f"u{i}@x"), what=f"u{i}@x")
    elapsed = time.monotonic() - started
    assert 0.28 <= elapsed < 1.0  # 1 free token, then 3 at 10/s


def test_concurrency_is_bounded_across_threads(make_session, server):
    session = make_session(concurrency=3)
    server.on("GET", r"admin/directory/v1/users/.*", *[Reply(body={"ok": True}, delay=0.05)] * 12)

    def call(i: int) -> None:
        directory = session.service("directory")
        session.execute(directory.users().get(userKey=f"u{i}@x"), what=f"u{i}@x")

    threads = [threading.Thread(target=call, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.max_in_flight == 3
    assert session.counters.snapshot()["directory.users.get"].calls == 12


def test_map_runs_on_at_most_concurrency_threads(make_session, server):
    session = make_session(concurrency=4)
    server.on("GET", r"admin/directory/v1/users/.*", *[Reply(body={"ok": True}, delay=0.05)] * 16)

    def call(i: int) -> int:
        directory = session.service("directory")
        session.execute(directory.users().get(userKey=f"u{i}@x"), what=f"u{i}@x")
        return i * 2

    started = time.monotonic()
    assert session.map(call, range(16)) == [i * 2 for i in range(16)]
    assert server.max_in_flight == 4
    assert time.monotonic() - started < 0.8  # 4 waves of 0.05 s, not 16
