"""Client-side pacing: stay under Google's per-minute quotas instead of bouncing off them.

Google allows about 2,400 Directory queries per minute per user per project and answers with
403 userRateLimitExceeded / 429 beyond that. Hitting the limit costs a backoff of seconds per
call, so pacing ourselves slightly below it (2,000/min by default) is faster than retrying. Every
call counts, including each inner call of a batch, so a batch takes one token per inner call.

Sheets counts differently: 60 read requests and 60 write requests per minute per user (300 of
each per project), answered with 429 RESOURCE_EXHAUSTED beyond that, so Sheets calls draw on two
buckets of their own, `sheets.read` and `sheets.write` (see `calls.quota_bucket`). Those are
sliding one-minute windows rather than token buckets: a budget of 55 a minute can then be spent
at once (publishing 25 checklists need not wait) and no 60 seconds ever see more than 55 calls,
however Google aligns its minutes.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

DEFAULT_QPM = 2000
#: Sheets' per-user quotas, paced a little below Google's 60 per minute.
SHEETS_QPM = 55
#: Buckets whose rate is not `default_qpm` unless `per_api` says otherwise.
DEFAULT_PER_API: dict[str, float] = {"sheets.read": SHEETS_QPM, "sheets.write": SHEETS_QPM}
#: Buckets paced as a sliding minute (a per-minute budget) instead of a steady rate.
WINDOWED = frozenset({"sheets.read", "sheets.write"})


class TokenBucket:
    """A thread-safe token bucket that hands out reservations in arrival order.

    `acquire(n)` takes `n` tokens at once, letting the balance go negative, and sleeps outside
    the lock until the debt is paid back. That keeps the long-run rate exact however many threads
    share the bucket, lets a batch bigger than the burst through (it just waits longer) and never
    holds the lock while sleeping.
    """

    def __init__(
        self,
        per_minute: float,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self.per_minute = per_minute
        self._rate = per_minute / 60.0
        self.burst = max(1.0, burst if burst is not None else self._rate)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._stamp = clock()

    def acquire(self, n: int = 1) -> float:
        """Take `n` tokens, waiting as long as needed; returns the seconds waited."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return 0.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            self._tokens -= n
            wait = -self._tokens / self._rate if self._tokens < 0 else 0.0
        if wait > 0:
            self._sleep(wait)
        return wait


class SlidingMinute:
    """At most `per_minute` calls in any 60 seconds, thread-safe, in arrival order.

    Each call is stamped with the time it may go; a call that would be one too many waits until
    the stamp it displaces is a minute old. Later callers queue behind earlier reservations, so
    the stamps stay sorted and no lock is held while sleeping."""

    WINDOW = 60.0

    def __init__(
        self,
        per_minute: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self._limit = int(per_minute)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._stamps: deque[float] = deque()

    def acquire(self, n: int = 1) -> float:
        """Take `n` calls' worth of the minute, waiting as long as needed; the seconds waited."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return 0.0
        with self._lock:
            now = self._clock()
            stamps = self._stamps
            while stamps and stamps[0] <= now - self.WINDOW:
                stamps.popleft()
            at = now
            over = len(stamps) + min(n, self._limit) - self._limit
            if over > 0:  # the `over`-th oldest call must leave the window first
                at = max(at, stamps[over - 1] + self.WINDOW)
            if stamps:
                at = max(at, stamps[-1])
            stamps.extend([at] * n)
            wait = at - now
        if wait > 0:
            self._sleep(wait)
        return wait


class RateLimiter:
    """One token bucket per API (quotas are per API), created on first use and shared by threads.

    `per_api` overrides the default queries-per-minute for named buckets, e.g. `{"drive": 1000}`
    (Sheets' `sheets.read` / `sheets.write` default to `SHEETS_QPM`, as sliding minutes).
    """

    def __init__(
        self,
        default_qpm: float = DEFAULT_QPM,
        per_api: Mapping[str, float] | None = None,
        *,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.default_qpm = default_qpm
        self.per_api = {**DEFAULT_PER_API, **(per_api or {})}
        self._burst = burst
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[str, TokenBucket | SlidingMinute] = {}
        self._lock = threading.Lock()

    def bucket(self, api: str) -> TokenBucket | SlidingMinute:
        with self._lock:
            bucket = self._buckets.get(api)
            if bucket is None:
                rate = self.per_api.get(api, self.default_qpm)
                bucket = self._buckets[api] = (
                    SlidingMinute(rate, clock=self._clock, sleep=self._sleep) if api in WINDOWED
                    else TokenBucket(rate, burst=self._burst, clock=self._clock,
                                     sleep=self._sleep))
            return bucket

    def acquire(self, api: str, n: int = 1) -> float:
        """Take `n` tokens from `api`'s bucket; returns the seconds waited."""
        return self.bucket(api).acquire(n)
