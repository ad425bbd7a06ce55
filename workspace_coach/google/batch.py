"""Send many calls in few HTTP round trips, and re-send only the ones that failed transiently.

A batch is one HTTP request carrying up to N inner calls, each answered (and failing) on its own.
Re-sending a whole batch because two inner calls hit a rate limit would repeat the successful
ones, which for inserts means 409 duplicates, so only failed, retriable inner calls go into the
follow-up batches. If the batch request as a whole fails transiently (a dropped connection), its
calls are re-sent in smaller batches, and the batch size grows back once batches get through.
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
        """A result per call, in input order. Chunks are clamped to the API's batch limit.

        A batch request that fails as a whole (a dropped connection, a 503 for the batch) leaves
        every call in it without an answer: those calls, and only those, are sent again, in
        batches half as big (down to one call), since a big batch is more likely to be cut off
        again; each batch that gets through doubles the size again, up to `chunk_size`.
        """
        limit = max(1, min(chunk_size, batch_limit(api)))
        size = limit
        tries = [0] * len(calls)
        results: list[CallResult | None] = [None] * len(calls)
        pending = list(range(len(calls)))
        round_no = 0
        streak = 0  # batch requests failed whole in a row: the connection, not the calls
        while pending:
            round_no += 1
            failures: dict[int, Failure] = {}
            queue = list(pending)
            while queue:
                chunk, queue = queue[:size], queue[size:]
                for index in chunk:
                    tries[index] += 1
                whole, outcomes = self._send(api, calls, chunk)
                if whole is None:
                    streak = 0
                    size = min(limit, size * 2)
                    for index, outcome in outcomes.items():
                        if isinstance(outcome, Failure):
                            failures[index] = outcome
                        else:
                            results[index] = CallResult(calls[index].key, outcome, None,
                                                        tries[index])
                    continue
                for index in chunk:
                    failures[index] = whole
                if not whole.retriable():
                    continue
                if len(chunk) > 1:
                    size = max(1, len(chunk) // 2)
                    LOG.info("%s batch of %d call(s) failed whole (%s); re-sending in batches "
                             "of %d", api, len(chunk), whole.summary(), size)
                    for index in chunk:  # not the calls' fault: a try that never reached Google
                        tries[index] -= 1
                        del failures[index]
                    queue = chunk + queue
                    if whole.kind == "transport":
                        continue  # a cut connection: a smaller batch at once, no need to wait
                # Google said slow down (an HTTP answer), or even one call cannot get through.
                streak += 1
                if streak >= self._policy.max_tries:
                    # Nothing gets through: everything not yet answered fails with the cause.
                    for index in queue:
                        if index not in failures:
                            tries[index] += 1
                        failures[index] = whole
                    queue = []
                    break
                self._policy.sleep(self._policy.delay(streak, whole.retry_after))
            pending = []
            for index, failure in failures.items():
                call = calls[index]
                if self._policy.should_retry(failure, tries[index], fresh=call.fresh) and \
                        streak < self._policy.max_tries:
                    pending.append(index)
                else:
                    method = method_name(call.request)
                    error = GoogleApiError(method, call.key, failure, tries[index])
                    results[index] = CallResult(call.key, None, error, tries[index])
            pending.sort()
            if pending:
                self._wait_before_retry(calls, pending, failures, round_no)
        done = [result for result in results if result is not None]
        if len(done) != len(calls):  # pragma: no cover - every index gets a result above
            raise RuntimeError("batch lost track of a call")
        return done

    def _send(
        self, api: str, calls: Sequence[Call], chunk: list[int]
    ) -> tuple[Failure | None, dict[int, Any]]:
        """Send one batch request: (the failure of the request as a whole, or None; a response
        or a `Failure` per index in `chunk` when it got through)."""
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
            return failure, {}
        outcomes: dict[int, Any] = {}
        for index in chunk:
            response, exception = answers.get(str(index), (None, None))
            if exception is not None:
                outcomes[index] = describe(exception) or _unexpected(exception)
            elif str(index) not in answers:
                outcomes[index] = Failure("http", None, "badBatchResponse", "no answer in batch")
            else:
                outcomes[index] = response
        return None, outcomes

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
