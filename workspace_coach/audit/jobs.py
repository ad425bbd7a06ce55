"""A collect's work on a bounded pool of threads, with its writes one at a time.

Every fetch is a job: a function that makes its calls through the `GoogleSession` (whose limiter,
concurrency gate and retry policy every thread shares), stores what it got through the `Writer`,
and returns the jobs it found to do next (the time slices of a long activity listing). Writes go
through one lock: SQLite has a single writer anyway, and one transaction at a time keeps a date's
rows and its `collect_state` row together whatever thread fetched them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import Engine

#: A job returns the jobs it spawned (or nothing).
Job = Callable[[], "Iterable[Job] | None"]


class Writer:
    """Transactions on `engine`, one at a time across threads; `seconds` is the time spent in
    them (the collect's "writing to the database")."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seconds = 0.0
        self.lock = threading.Lock()

    @contextmanager
    def begin(self) -> Iterator[sa.Connection]:
        with self.lock:
            began = time.monotonic()
            try:
                with self.engine.begin() as conn:
                    yield conn
            finally:
                self.seconds += time.monotonic() - began


def run_jobs(jobs: Iterable[Job], concurrency: int) -> None:
    """Run `jobs` and whatever they spawn on `concurrency` threads until none is left.

    The first failure stops the run: jobs not started are cancelled, those running finish (each
    has stored only what it completed), and the failure is raised."""
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="wc-collect")
    pending: set[Future] = set()
    try:
        pending = {pool.submit(job) for job in jobs}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                for follow in future.result() or ():
                    pending.add(pool.submit(follow))
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
