"""Send many calls in few HTTP round trips, and re-send only the ones that failed transiently.

A batch is one HTTP request carrying up to N inner calls, each answered (and failing) on its own.
Re-sending a whole batch because two inner calls hit a rate limit would repeat the successful
ones, which for inserts means 409 duplicates, so only failed, retriable inner calls go into the
follow-up batches. If the batch request as a whole fails transiently, all its calls are re-sent.
Every inner call still counts against quota, so each takes one rate-limiter token.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from googleapiclient.http import BatchHttpRequest

from workspace_coach.google.calls import Call, CallResult, method_name
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.counters import ApiCounters
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import Failure, GoogleApiError, RetryPolicy, describe

LOG = logging.getLogger(__name__)

#: Google's documented maximum inner calls per batch request, per API.
BATCH_LIMITS: dict[str, int] = {
    "directory": 1000,
    "reports": 1000,
    "drive": 100,
    "groupssettings": 100,
    "sheets": 100,
}
DEFAULT_BATCH_LIMIT = 100


def batch_limit(api: str) -> int:
    return BATCH_LIMITS.get(api, DEFAULT_BATCH_LIMIT)


def chunked(items: Sequence[int], size: int) -> list[list[int]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class BatchRunner:
    """Runs lists of calls as batches for a `GoogleSession`, which owns its collaborators."""

    def __init__(
        self,
        clients: GoogleClients,
        limiter: RateLimiter,
        counters: ApiCounters,
        policy: RetryPolicy,
        gate: threading.Semaphore,
    ) -> None:
        self._clients = clients
        self._limiter = limiter
        self._counters = counters
        self._policy = policy
        self._gate = gate

    def run(self, api: str, calls: Sequence[Call], chunk_size: int) -> list[CallResult]:
        """A result per call, in input order. Chunks are clamped to the API's batch limit."""
        size = max(1, min(chunk_size, batch_limit(api)))
        tries = [0] * len(calls)
        results: list[CallResult | None] = [None] * len(calls)
        pending = list(range(len(calls)))
        round_no = 0
        while pending:
            round_no += 1
            failures: dict[int, Failure] = {}
            for chunk in chunked(pending, size):
                for index in chunk:
                    tries[index] += 1
                for index, outcome in self._send(api, calls, chunk).items():
                    if isinstance(outcome, Failure):
                        failures[index] = outcome
                    else:
                        results[index] = CallResult(calls[index].key, outcome, None, tries[index])
            pending = []
            for index, failure in failures.items():
                call = calls[index]
                if self._policy.should_retry(failure, tries[index], fresh=call.fresh):
                    pending.append(index)
                else:
                    method = method_name(call.request)
                    error = GoogleApiError(method, call.key, failure, tries[index])
                    results[index] = CallResult(call.key, None, error, tries[index])
            if pending:
                self._wait_before_retry(calls, pending, failures, round_no)
        done = [result for result in results if result is not None]
        if len(done) != len(calls):  # pragma: no cover - every index gets a result above
            raise RuntimeError("batch lost track of a call")
        return done

    def _send(self, api: str, calls: Sequence[Call], chunk: list[int]) -> dict[int, Any]:
        """Send one batch request; a response or a `Failure` per index in `chunk`."""
        answers: dict[str, tuple[Any, BaseException | None]] = {}

        def collect(request_id: str, response: Any, exception: BaseException | None) -> None:
            answers[request_id] = (response, exception)

        batch = BatchHttpRequest(callback=collect, batch_uri=self._clients.batch_uri(api))
        for index in chunk:
            batch.add(calls[index].request, request_id=str(index))
        self._limiter.acquire(api, len(chunk))
        for method, count in Counter(method_name(calls[i].request) for i in chunk).items():
            self._counters.record_call(method, count)
        try:
            with self._gate, self._counters.attributing(f"{api}.batch"):
                batch.execute(http=self._clients.http())
        except Exception as exc:
            failure = describe(exc)
            if failure is None:
                raise
            return {index: failure for index in chunk}
        outcomes: dict[int, Any] = {}
        for index in chunk:
            response, exception = answers.get(str(index), (None, None))
            if exception is not None:
                outcomes[index] = describe(exception) or _unexpected(exception)
            elif str(index) not in answers:
                outcomes[index] = Failure("http", None, "badBatchResponse", "no answer in batch")
            else:
                outcomes[index] = response
        return outcomes

    def _wait_before_retry(
        self, calls: Sequence[Call], pending: list[int], failures: dict[int, Failure], round_no: int
    ) -> None:
        kinds = Counter(
            (method_name(calls[i].request), failures[i].status, failures[i].reason) for i in pending
        )
        for (method, status, reason), count in sorted(kinds.items(), key=str):
            LOG.info("re-sending %d %s call(s) after %s %s", count, method, status or "", reason)
        retry_afters = [failures[i].retry_after for i in pending if failures[i].retry_after]
        self._policy.sleep(self._policy.delay(round_no, max(retry_afters, default=None)))


def _unexpected(exc: BaseException) -> Failure:
    return Failure("http", None, type(exc).__name__, "unexpected error in batch answer")
