"""`GoogleSession`: the one way to make Google calls, with retries, pacing, limits and counters.

Everything above this layer builds requests with `session.service(api)` and hands them to
`execute` (one call), `batch` (many calls, few round trips), `list_all` (every page of a list)
or runs work in parallel with `map`; Sheets work through gspread uses `session.gspread()`, whose
calls go through the same `CallPolicy`. None of them retries, sleeps or counts on its own.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from googleapiclient import discovery
from googleapiclient.http import HttpRequest

from workspace_coach.google.batch import BatchRunner
from workspace_coach.google.calls import Call, CallResult, method_name, quota_bucket
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.counters import ApiCounters
from workspace_coach.google.policy import CallPolicy
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import RetryPolicy

LOG = logging.getLogger(__name__)

DEFAULT_CONCURRENCY = 8
#: GAM's batch size for member adds: big enough to save round trips, small enough that one
#: throttled batch does not stall hundreds of calls.
DEFAULT_BATCH_SIZE = 50

T = TypeVar("T")
R = TypeVar("R")


class GoogleSession:
    """Calls to one tenant, shared by all threads of an operation.

    The rate limiter, the concurrency gate and the counters are per session, so every thread of
    an operation draws on the same quota; services and HTTP objects stay per thread (httplib2 is
    not thread-safe), which `GoogleClients` already ensures.
    """

    def __init__(
        self,
        clients: GoogleClients,
        *,
        retry: RetryPolicy | None = None,
        limiter: RateLimiter | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        if concurrency < 1 or batch_size < 1:
            raise ValueError("concurrency and batch_size must be at least 1")
        self.clients = clients
        self.retry = retry or RetryPolicy()
        self.limiter = limiter or RateLimiter()
        self.concurrency = concurrency
        self.batch_size = batch_size
        self._gate = threading.BoundedSemaphore(concurrency)
        self.policy = CallPolicy(self.limiter, self.retry, self.counters, self._gate)
        self._batches = BatchRunner(clients, self.limiter, self.counters, self.retry, self._gate)

    @property
    def counters(self) -> ApiCounters:
        return self.clients.counters

    def service(self, api: str) -> discovery.Resource:
        """The calling thread's service for `api`, to build requests from."""
        return self.clients.service(api)

    def execute(self, request: HttpRequest, *, what: str, fresh: bool = False) -> Any:
        """Send one request, retrying transient failures; Google's response or `GoogleApiError`.

        `what` names the object for the error message (an email, a group, a file id).
        `fresh=True` says it was created moments ago, so 404/412 are retried for about a minute
        (as does a `with session.fresh():` block).
        """
        method = method_name(request)
        return self.policy.run(lambda: request.execute(http=self.clients.http()),
                               method=method, bucket=quota_bucket(method), what=what,
                               fresh=fresh)

    def fresh(self, on: bool = True) -> AbstractContextManager[None]:
        """Calls this thread makes inside the block, through `execute` or `gspread()`, are about
        objects created moments ago (`on=False`: a no-op, for "only if just created")."""
        return self.policy.fresh(on)

    def gspread(self):  # -> gspread.Client
        """A gspread client drawing on this session's limiter, retry policy and counters."""
        return self.clients.gspread(self.policy)

    def batch(
        self, api: str, calls: Sequence[Call], *, chunk_size: int | None = None
    ) -> list[CallResult]:
        """Send `calls` in batch requests of `chunk_size` (default `batch_size`, clamped to the
        API's limit); a `CallResult` per call in input order. Only failed, retriable inner calls
        are re-sent. Inspect `result.error` rather than expecting an exception.
        Inside a `fresh()` block every call counts as fresh."""
        if self.policy.is_fresh():
            calls = [dataclasses.replace(call, fresh=True) for call in calls]
        return self._batches.run(api, calls, chunk_size or self.batch_size)

    def list_all(
        self,
        method: Callable[..., HttpRequest],
        items_key: str,
        *,
        what: str,
        **params: Any,
    ) -> list[dict[str, Any]]:
        """Every item of a paged list, following nextPageToken.

        `method` is the unbound list method, e.g. `session.service("directory").users().list`,
        called with `params` (and `pageToken` after the first page).
        """
        items: list[dict[str, Any]] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            request = method(**params, pageToken=token) if token else method(**params)
            page = self.execute(request, what=what) or {}
            items.extend(page.get(items_key) or [])
            token = page.get("nextPageToken")
            if not token:
                return items
            if token in seen:
                raise RuntimeError(f"{method_name(request)} repeated a page token for {what}")
            seen.add(token)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`fn` over `items` on `concurrency` threads; results in input order.

        The way to run independent calls in parallel (one user insert each, say). `fn` should
        build its requests with `session.service()` inside the worker thread.
        """
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(fn, items))
