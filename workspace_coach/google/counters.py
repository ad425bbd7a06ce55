"""How many API calls and HTTP round trips an operation made, per method.

Benchmarks and tests assert on these numbers ("listing 1,200 users takes 3 calls", "250 member
adds take 3 batch round trips"), so they must be measured, not estimated: calls are recorded by
the session as it sends them, round trips by `CountingHttp`, the HTTP object every service uses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import google_auth_httplib2

UNATTRIBUTED = "unattributed"


@dataclass(frozen=True)
class CallCount:
    """`calls`: API calls sent (each retry and each inner call of a batch counts, as for quota).
    `round_trips`: HTTP requests sent (a batch is one round trip under `<api>.batch`)."""

    calls: int = 0
    round_trips: int = 0


class ApiCounters:
    """Thread-safe per-method counters with `snapshot()` and `reset()`.

    Round trips are attributed to whatever label the sending thread declared with
    `attributing()`; requests sent outside it (code that bypasses the session) land under
    `unattributed` rather than being lost.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: dict[str, int] = {}
        self._round_trips: dict[str, int] = {}
        self._local = threading.local()

    def record_call(self, method: str, n: int = 1) -> None:
        with self._lock:
            self._calls[method] = self._calls.get(method, 0) + n

    def record_round_trip(self) -> None:
        label = getattr(self._local, "label", None) or UNATTRIBUTED
        with self._lock:
            self._round_trips[label] = self._round_trips.get(label, 0) + 1

    @contextmanager
    def attributing(self, label: str) -> Iterator[None]:
        """Attribute the round trips this thread makes inside the block to `label`."""
        previous = getattr(self._local, "label", None)
        self._local.label = label
        try:
            yield
        finally:
            self._local.label = previous

    def snapshot(self) -> dict[str, CallCount]:
        """A copy of the counts so far, keyed by method (e.g. `directory.users.list`)."""
        with self._lock:
            keys = sorted(set(self._calls) | set(self._round_trips))
            return {
                key: CallCount(self._calls.get(key, 0), self._round_trips.get(key, 0))
                for key in keys
            }

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._round_trips.clear()


class CountingHttp(google_auth_httplib2.AuthorizedHttp):
    """An authorised httplib2 object that counts every request it sends.

    A subclass rather than a wrapper so googleapiclient still finds `.credentials` on it (batch
    requests read them from the HTTP object). The retry after a credential refresh goes through
    `request()` again and so counts as the second round trip it is; token requests use the inner
    `httplib2.Http` and are not API round trips.

    Each thread has its own instance but all share one credentials object. google-auth does not
    lock its refresh, so without `refresh_lock` (shared by those instances) eight threads starting
    together would fetch eight tokens; with it the first fetches and the others reuse the token.
    """

    def __init__(
        self,
        credentials: Any,
        counters: ApiCounters,
        *,
        refresh_lock: threading.Lock | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(credentials, **kwargs)
        self.counters = counters
        self._refresh_lock = refresh_lock or threading.Lock()

    def request(self, uri: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
        if not self.credentials.valid:
            with self._refresh_lock:
                if not self.credentials.valid:
                    self.credentials.refresh(self._request)
        self.counters.record_round_trip()
        return super().request(uri, method, *args, **kwargs)
