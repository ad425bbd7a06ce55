"""The token bucket's rate under threads (on a frozen clock), and the session's concurrency
bound."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from workspace_coach.google.ratelimit import RateLimiter, SlidingMinute, TokenBucket

from .conftest import Reply


class FrozenClock:
    """A clock that never moves by itself, and a sleep that records instead of waiting.

    With time frozen, each acquisition's wait is exactly its place in the queue: the waits of
    all threads together must be 0 for the burst, then one token interval apart, whatever the
    interleaving. A lost update under threads would show up as two equal waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)


def hammer(acquire: Callable[[], float], threads: int, each: int) -> list[float]:
    """`each` acquisitions from each of `threads` threads; every wait, sorted."""
    waits: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(each):
            wait = acquire()
            with lock:
                waits.append(wait)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(waits)


def queue(burst: int, total: int, per_second: float) -> list[float]:
    """The waits of `total` acquisitions at frozen time: the burst free, then one per interval."""
    return [pytest.approx(max(0, i - burst + 1) / per_second) for i in range(total)]


def test_600_per_minute_over_4_threads_holds_the_rate():
    clock = FrozenClock()
    bucket = TokenBucket(600, burst=1, clock=clock, sleep=clock.sleep)  # 10 per second
    waits = hammer(bucket.acquire, threads=4, each=5)
    # 1 token of burst, then 10/s: the 20th call waits 1.9 s, never less
    assert waits == queue(1, 20, 10)
    assert sorted(clock.slept) == [w for w in waits if w > 0]


def test_burst_is_spent_first_then_the_rate_applies():
    clock = FrozenClock()
    bucket = TokenBucket(1200, burst=10, clock=clock, sleep=clock.sleep)  # 20 per second
    waits = hammer(bucket.acquire, threads=3, each=7)
    assert waits == queue(10, 21, 20)  # 10 at once, then one every 0.05 s


def test_tokens_come_back_as_time_passes():
    clock = FrozenClock()
    bucket = TokenBucket(600, burst=5, clock=clock, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(5)] == [0.0] * 5
    clock.now = 0.3                           # 3 tokens back, never more than the burst
    assert [bucket.acquire() for _ in range(3)] == [0.0] * 3
    assert bucket.acquire() == pytest.approx(0.1)
    clock.now = 100.0
    assert [bucket.acquire() for _ in range(5)] == [0.0] * 5
    assert bucket.acquire() == pytest.approx(0.1)


def test_apis_have_separate_buckets():
    clock = FrozenClock()
    limiter = RateLimiter(default_qpm=600, per_api={"drive": 1200}, burst=1, clock=clock,
                          sleep=clock.sleep)
    waits: dict[str, list[float]] = {}

    def run(api: str) -> None:
        waits[api] = hammer(lambda: limiter.acquire(api), threads=2, each=5)

    threads = [threading.Thread(target=run, args=(api,)) for api in ("directory", "drive")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert waits["directory"] == queue(1, 10, 10)  # 1 + 10/s
    assert waits["drive"] == queue(1, 10, 20)      # 1 + 20/s


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
    clock = FrozenClock()
    session = make_session(limiter=RateLimiter(default_qpm=600, burst=1, clock=clock,
                                               sleep=clock.sleep))
    directory = session.service("directory")
    for i in range(4):
        session.execute(directory.users().get(userKey=f"u{i}@x"), what=f"u{i}@x")
    assert clock.slept == [pytest.approx(w) for w in (0.1, 0.2, 0.3)]  # 1 free, then 10/s


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

    workers: set[int] = set()

    def call(i: int) -> int:
        workers.add(threading.get_ident())
        directory = session.service("directory")
        session.execute(directory.users().get(userKey=f"u{i}@x"), what=f"u{i}@x")
        return i * 2

    assert session.map(call, range(16)) == [i * 2 for i in range(16)]
    assert server.max_in_flight == 4 and len(workers) <= 4  # in parallel, never more than 4


def test_sheets_minute_is_spent_at_once_then_each_call_waits_for_its_slot():
    clock = FrozenClock()
    window = SlidingMinute(55, clock=clock, sleep=clock.sleep)
    assert [window.acquire() for _ in range(55)] == [0.0] * 55
    clock.now = 10.0
    assert window.acquire() == pytest.approx(50.0)  # the first call leaves the window at 60 s
    clock.now = 61.0
    assert window.acquire() == 0.0  # the calls of t=0 are gone: 1 (t=60) + this one
    assert window.acquire() == 0.0


def test_sheets_minute_never_lets_61_seconds_see_more_than_its_limit_under_threads():
    clock = FrozenClock()
    window = SlidingMinute(10, clock=clock, sleep=clock.sleep)
    waits = hammer(window.acquire, threads=4, each=10)
    starts = sorted(waits)
    # 40 calls at frozen t=0: 10 now, 10 at 60 s, 10 at 120 s, 10 at 180 s
    assert starts == [pytest.approx(60.0 * (i // 10)) for i in range(40)]
    for i, start in enumerate(starts):
        assert sum(1 for other in starts if start <= other < start + 60.0) <= 10, i


def test_sheets_buckets_are_sliding_minutes_below_googles_60():
    limiter = RateLimiter()
    for api in ("sheets.read", "sheets.write"):
        bucket = limiter.bucket(api)
        assert isinstance(bucket, SlidingMinute) and bucket.per_minute < 60
    assert isinstance(limiter.bucket("drive"), TokenBucket)
