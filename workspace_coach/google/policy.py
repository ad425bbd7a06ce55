"""`CallPolicy`: how one Google call is sent, whichever library builds it.

googleapiclient requests (`GoogleSession.execute`) and gspread's HTTP calls (`gspread_http`)
both go through `CallPolicy.run`: take a token from the quota bucket, count the call, send it
inside the concurrency gate, and retry what `describe` classifies as transient with the
`RetryPolicy`'s backoff. A call that fails for good becomes one `GoogleApiError` line.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from workspace_coach.google.counters import ApiCounters
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import GoogleApiError, RetryPolicy, describe

LOG = logging.getLogger(__name__)

T = TypeVar("T")


class CallPolicy:
    """The limiter, retry policy, counters and concurrency gate shared by an operation's calls.

    `fresh()` marks, for the calling thread, a stretch of calls about objects created moments
    ago (a sheet just made, a file in a new shared drive): their 404/412 mean "not yet".
    """

    def __init__(self, limiter: RateLimiter, retry: RetryPolicy, counters: ApiCounters,
                 gate: threading.Semaphore) -> None:
        self.limiter = limiter
        self.retry = retry
        self.counters = counters
        self.gate = gate
        self._local = threading.local()

    @contextmanager
    def fresh(self, on: bool = True) -> Iterator[None]:
        """Calls made by this thread inside the block treat 404/412 as "not there yet"."""
        previous = getattr(self._local, "fresh", False)
        self._local.fresh = previous or on
        try:
            yield
        finally:
            self._local.fresh = previous

    def is_fresh(self) -> bool:
        return bool(getattr(self._local, "fresh", False))

    def run(self, send: Callable[[], T], *, method: str, bucket: str, what: str,
            fresh: bool = False) -> T:
        """`send()` until it succeeds or fails for good; its result or `GoogleApiError` (whose
        `__cause__` is the library's own last error).

        `bucket` is the limiter's quota bucket, `method` the name counted and reported.
        """
        fresh = fresh or self.is_fresh()
        tries = 0
        while True:
            tries += 1
            self.limiter.acquire(bucket)
            self.counters.record_call(method)
            try:
                with self.gate, self.counters.attributing(method):
                    return send()
            except Exception as exc:
                failure = describe(exc)
                if failure is None:
                    raise
                if not self.retry.should_retry(failure, tries, fresh=fresh):
                    raise GoogleApiError(method, what, failure, tries) from exc
                delay = self.retry.delay(tries, failure.retry_after)
            LOG.info("retrying %s after %s %s (try %d) in %.1f s", method,
                     failure.status or "", failure.reason, tries, delay)
            self.retry.sleep(delay)
