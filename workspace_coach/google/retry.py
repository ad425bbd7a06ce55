"""Which Google failures are worth another try, how long to wait, and the error a person reads.

Google's quotas are enforced by answering 403/429, its backends fail transiently with 5xx and
networks drop connections; a tool that gives up on the first such answer leaves a half-provisioned
tenant. Retrying the wrong things is as bad: a 400, a 409 duplicate or a plain 403 will never
succeed, and retrying them only hides the real problem behind minutes of waiting.

The classification follows Google's documented error envelope
`{"error": {"code", "message", "errors": [{"reason"}], "status"}}`; see `describe()`.
"""

from __future__ import annotations

import email.utils
import errno
import http.client
import json
import os
import random
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, Literal

import httplib2
import requests
from google.auth import exceptions as auth_exceptions
from googleapiclient.errors import BatchError, HttpError

from workspace_coach.errors import UserError

#: 403 reasons that mean "slow down", not "you may not".
RETRIABLE_403_REASONS = frozenset(
    {"quotaExceeded", "rateLimitExceeded", "userRateLimitExceeded", "sharingRateLimitExceeded"}
)
#: Server-side failures Google asks clients to retry with backoff.
RETRIABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Answers that only mean "not there yet" for an object created seconds ago (eventual consistency).
FRESH_STATUSES = frozenset({404, 412})

#: OS-level errors that mean the connection broke, not that the host is wrong.
_RETRIABLE_ERRNOS = frozenset(
    {errno.ECONNRESET, errno.EPIPE, errno.ECONNABORTED, errno.ETIMEDOUT}
)

_MESSAGE_LIMIT = 300

FailureKind = Literal["http", "transport", "auth"]


@dataclass(frozen=True)
class Failure:
    """What went wrong with one call, reduced to what classification and messages need.

    `status` is Google's HTTP status (None when no answer arrived), `reason` Google's error reason
    (or the exception class for a transport failure), `message` Google's human message. Request
    bodies are never part of it, so nothing here can leak a password.
    """

    kind: FailureKind
    status: int | None
    reason: str
    message: str
    retry_after: float | None = None

    def retriable(self, *, fresh: bool = False) -> bool:
        """Whether trying the same call again can succeed.

        `fresh` is the caller's statement that the object was created moments ago, which makes
        404 and 412 ("User creation is not complete") transient; otherwise they are final.
        """
        if self.kind == "transport":
            return self.reason != "unreachable"
        if self.kind != "http" or self.status is None:
            return False
        if self.status in RETRIABLE_STATUSES:
            return True
        if self.status == 403:
            return self.reason in RETRIABLE_403_REASONS
        if self.status in FRESH_STATUSES:
            return fresh
        return False

    def summary(self) -> str:
        """`HTTP 503 backendError: message`, or the transport failure, for logs and errors."""
        if self.kind == "http":
            text = f"HTTP {self.status}"
            if self.reason:
                text += f" {self.reason}"
        elif self.kind == "auth":
            text = f"authorisation failed ({self.reason})"
        else:
            text = f"connection failed ({self.reason})"
        return f"{text}: {self.message}" if self.message else text


def describe(exc: BaseException) -> Failure | None:
    """A `Failure` for errors of Google calls; None for anything else (a bug, raised as is).

    Understands googleapiclient's and gspread's errors alike (gspread's `APIError` and requests'
    `HTTPError` carry the `requests.Response`), so both libraries share one classification.
    """
    if isinstance(exc, BatchError):
        # The batch answer itself was malformed; sending the same thing again will not fix it.
        status = getattr(exc.resp, "status", None)
        return Failure("http", status, "badBatchResponse", _clip(str(exc.reason)))
    if isinstance(exc, HttpError):
        return _describe_http_error(exc)
    if isinstance(exc, PermissionError) and exc.__cause__ is not None:
        # gspread's open_by_key turns Google's 403 into a bare PermissionError raised from it;
        # it is Google's refusal (a disabled API, a sheet not shared), not a local file error.
        refused = describe(exc.__cause__)
        if refused is not None:
            return refused
    response = getattr(exc, "response", None)
    if isinstance(response, requests.Response):
        return describe_response(response)
    if isinstance(exc, requests.exceptions.RequestException):
        return _describe_requests_error(exc)
    if isinstance(exc, auth_exceptions.RefreshError):
        return Failure("auth", None, type(exc).__name__, _clip(_first_arg(exc)))
    if isinstance(exc, auth_exceptions.TransportError):
        return Failure("transport", None, type(exc).__name__, _clip(_first_arg(exc)))
    if isinstance(exc, httplib2.ServerNotFoundError):
        # DNS says the host does not exist: a wrong endpoint, not a flaky network.
        return Failure("transport", None, "unreachable", _clip(_first_arg(exc)))
    if isinstance(exc, ConnectionRefusedError):
        # Nothing listens there (a stopped sandbox, a wrong port): waiting will not start it.
        return Failure("transport", None, "unreachable", _clip(str(exc)))
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return Failure("transport", None, "timeout", _clip(str(exc) or "timed out"))
    if isinstance(exc, (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        # ConnectionResetError, BrokenPipeError, ConnectionAbortedError, RemoteDisconnected, EOF.
        return Failure("transport", None, type(exc).__name__, _clip(str(exc)))
    if isinstance(exc, (http.client.IncompleteRead, http.client.BadStatusLine)):
        return Failure("transport", None, type(exc).__name__, "connection closed mid-response")
    if isinstance(exc, OSError) and exc.errno in _RETRIABLE_ERRNOS:
        return Failure("transport", None, errno.errorcode[exc.errno], _clip(exc.strerror or ""))
    if isinstance(exc, (OSError, httplib2.HttpLib2Error, http.client.HTTPException)):
        return Failure("transport", None, "unreachable", _clip(str(exc) or type(exc).__name__))
    return None


def _describe_http_error(exc: HttpError) -> Failure:
    status = int(getattr(exc.resp, "status", 0) or 0)
    reason, message = _parse_envelope(exc.content)
    if not reason:
        reason = _reason_from_details(getattr(exc, "error_details", None))
    if not message:
        message = str(getattr(exc.resp, "reason", "") or "")
    return Failure("http", status, reason, _clip(message), parse_retry_after(exc.resp))


def describe_response(response: requests.Response) -> Failure:
    """The `Failure` of an HTTP answer received through requests (gspread's transport)."""
    reason, message = _parse_envelope(response.content)
    if not message:
        message = str(response.reason or "")
    return Failure("http", response.status_code, reason, _clip(message),
                   parse_retry_after(response.headers))


def _describe_requests_error(exc: requests.exceptions.RequestException) -> Failure:
    """requests wraps the socket errors `describe` knows; classify the wrapped one."""
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure("transport", None, "timeout", _clip(str(exc) or "timed out"))
    inner: Any = exc.args[0] if exc.args else None
    for _ in range(5):  # requests -> urllib3 -> the socket error, a few links at most
        if not isinstance(inner, BaseException) or isinstance(inner, OSError):
            break
        inner = getattr(inner, "reason", None) or inner.__context__
    if isinstance(inner, ConnectionRefusedError) or (
            isinstance(exc, requests.exceptions.ConnectionError) and "NameResolution" in str(exc)):
        return Failure("transport", None, "unreachable", _clip(str(exc)))
    if isinstance(exc, (requests.exceptions.ConnectionError,
                        requests.exceptions.ChunkedEncodingError)):
        # Reset, closed without an answer, broken mid-body: the network, not the request.
        return Failure("transport", None, type(exc).__name__, _clip(str(exc)))
    return Failure("transport", None, "unreachable", _clip(str(exc) or type(exc).__name__))


def _parse_envelope(content: bytes | str | None) -> tuple[str, str]:
    """(reason, message) from Google's JSON error body; empty strings when it is not one."""
    if not content:
        return "", ""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        data: Any = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        return "", ""
    if isinstance(data, list) and data:
        data = data[0]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str):  # OAuth-style {"error": "invalid_grant", ...}
        return error, str(data.get("error_description") or "")
    if not isinstance(error, dict):
        return "", ""
    message = error.get("message")
    reason = _reason_from_details(error.get("errors")) or _reason_from_details(error.get("details"))
    if not reason and isinstance(error.get("status"), str):
        reason = error["status"]
    return reason, message if isinstance(message, str) else ""


def _reason_from_details(details: Any) -> str:
    if isinstance(details, list):
        for item in details:
            if isinstance(item, dict) and isinstance(item.get("reason"), str):
                return item["reason"]
    return ""


def parse_retry_after(resp: Any, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or HTTP date), if any."""
    value = None
    if resp is not None and hasattr(resp, "get"):
        value = resp.get("retry-after")
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now())


def _first_arg(exc: BaseException) -> str:
    return str(exc.args[0]) if exc.args else type(exc).__name__


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


#: Environment variable that scales every wait of the default policy: the first backoff in
#: seconds (default 1). Jitter, the cap and the longest Retry-After honoured scale with it, so a
#: rehearsal or a test against a faulty sandbox can run in seconds (WC_RETRY_BASE=0.001).
RETRY_BASE_ENV = "WC_RETRY_BASE"


def _scale() -> float:
    raw = os.environ.get(RETRY_BASE_ENV, "").strip()
    if not raw:
        return 1.0
    try:
        value = float(raw)
    except ValueError:
        raise UserError(f"{RETRY_BASE_ENV} must be a number of seconds, not {raw!r}") from None
    if value < 0:
        raise UserError(f"{RETRY_BASE_ENV} must not be negative")
    return value


@dataclass(frozen=True)
class RetryPolicy:
    """Capped, jittered exponential backoff with a bounded number of tries.

    The n-th retry waits `min(cap, base * 2**(n-1)) + uniform(0, jitter)` seconds, or what the
    server's Retry-After asks if that is longer (up to `max_retry_after`). Google advises exactly
    this shape; the jitter keeps several threads that failed together from retrying together.
    `sleep` and `rand` are injectable so tests never wait for real.

    An object created moments ago that answers 404/412 gets `fresh_tries` tries: Google can take
    tens of seconds to propagate a new shared drive or file, and 7 tries wait 1+2+4+8+16+32 s,
    about a minute in all, before a "not found" is believed.
    """

    max_tries: int = 8
    #: 404/412 on an object made moments ago: Google takes seconds to a minute to make a new
    #: group, user or shared drive usable everywhere (GAM waits 10 s, then up to 5 x 10 s). Seven
    #: tries wait 1+2+4+8+16+32 s, about a minute in all, with the default base and cap.
    fresh_tries: int = 7
    base: float = field(default_factory=_scale)
    cap: float = field(default_factory=lambda: 32.0 * _scale())
    jitter: float = field(default_factory=_scale)
    max_retry_after: float = field(default_factory=lambda: 120.0 * _scale())
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    rand: Callable[[], float] = field(default=random.random, compare=False)

    def __post_init__(self) -> None:
        if self.max_tries < 1 or self.fresh_tries < 1:
            raise ValueError("max_tries and fresh_tries must be at least 1")
        if self.base < 0 or self.cap < 0 or self.jitter < 0:
            raise ValueError("base, cap and jitter must not be negative")

    def delay(self, retry: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1 for the first retry)."""
        if retry < 1:
            raise ValueError("retry counts from 1")
        backoff = min(self.cap, self.base * 2 ** (retry - 1)) + self.rand() * self.jitter
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff

    def should_retry(self, failure: Failure, tries: int, *, fresh: bool = False) -> bool:
        """Whether a call that has failed `tries` times with `failure` gets another try."""
        if not failure.retriable(fresh=fresh):
            return False
        limit = self.max_tries
        if failure.status in FRESH_STATUSES:
            limit = min(limit, self.fresh_tries)
        return tries < limit


#: 403 reasons that mean the connection itself is wrong, not the call.
_CONNECTION_403_REASONS = frozenset({"accessNotConfigured", "SERVICE_DISABLED",
                                     "unauthorized_client"})


def needs_connection_check(failure: Failure) -> bool:
    """Whether the failure comes from the connection (token refused, API disabled, subject not
    an administrator) rather than from the call, so `connection check` will explain it."""
    if failure.kind == "auth" or failure.status == 401:
        return True
    if failure.status != 403:
        return False
    return (failure.reason in _CONNECTION_403_REASONS
            or "Not Authorized to access this resource/api" in failure.message)


class GoogleApiError(UserError):
    """A Google call that failed for good, explained in one line a person can act on.

    Names the API method, the object it was about, Google's status, reason and message, and how
    many tries were made. Callers branch on `status` and `reason` (e.g. 409 duplicate means the
    user already exists), never on the text.
    """

    def __init__(self, method: str, what: str, failure: Failure, tries: int) -> None:
        self.method = method
        self.what = what
        self.failure = failure
        self.tries = tries
        plural = "try" if tries == 1 else "tries"
        subject = f"{method} for {what}" if what else method
        super().__init__(f"{subject} failed after {tries} {plural}: {failure.summary()}")

    @property
    def status(self) -> int | None:
        return self.failure.status

    @property
    def reason(self) -> str:
        return self.failure.reason

