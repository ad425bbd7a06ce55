"""A collect's work on a bounded pool of threads, with its writes one at a time.

Every fetch is a job: a function that makes its calls through the `GoogleSession` (whose limiter,
concurrency gate and retry policy every thread shares), hands what it got to the `Writer`, and
returns the jobs it found to do next (the time slices of a long activity listing). Writes go
through one thread: SQLite has a single writer anyway, and one writer keeps a date's rows and its
`collect_state` row together whatever thread fetched them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

import sqlalchemy as sa
from sqlalchemy import Engine

#: A job returns the jobs it spawned (or nothing).
Job = Callable[[], "Iterable[Job] | None"]


class Writer:
    """The collect's writes, on one thread of their own, in as few transactions as keep up.

    `write(fn)` queues `fn(conn)` and returns at once; the writer thread runs everything queued
    so far in one transaction, in the order queued. A date's rows and its `collect_state` row are
    always in one transaction, and a slice's record comes after its pages, so what a killed
    collect leaves is consistent. One transaction per batch instead of per page saves a commit
    (an fsync) per call. `close()` waits for the queue to drain and raises a failed write.
    `seconds` is the time spent in transactions (the collect's "writing to the database")."""

    def __init__(self, engine: Engine, *, backlog: int = 64) -> None:
        self.engine = engine
        self.seconds = 0.0
        self._queue: queue.Queue[Callable[[sa.Connection], None] | None] = \
            queue.Queue(maxsize=backlog)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="wc-writer", daemon=True)
        self._thread.start()

    def write(self, fn: Callable[[sa.Connection], None]) -> None:
        if self._error is not None:
            raise RuntimeError("an earlier write failed") from self._error
        self._queue.put(fn)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _drain(self) -> None:
        done = False
        while not done:
            batch = [self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            done = batch[-1] is None or None in batch
            work = [fn for fn in batch if fn is not None]
            if not work or self._error is not None:
                continue  # after a failure, drain without writing so producers never block
            began = time.monotonic()
            try:
                with self.engine.begin() as conn:
                    for fn in work:
                        fn(conn)
            except Exception as exc:  # noqa: BLE001 - raised again by `close`, in the caller
                self._error = exc
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
