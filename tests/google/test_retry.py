"""Retry classification, backoff and the final error, against the fake Google server."""

from __future__ import annotations

import errno
import http.client
import logging
import socket
import ssl
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httplib2
import pytest

from workspace_coach.errors import UserError
from workspace_coach.google.retry import GoogleApiError, RetryPolicy, describe, parse_retry_after

from .conftest import Reply

USER = "kim.minji@haessal.example.kr"
USER_PATH = r"admin/directory/v1/users/.*"


def get_user(session):
    return session.service("directory").users().get(userKey=USER)


def always(status: int, reason: str, n: int = 20) -> list[Reply]:
    return [Reply(status, reason=reason, message=f"{reason} happened") for _ in range(n)]


RETRIABLE = [
    (429, "rateLimitExceeded"),
    (403, "quotaExceeded"),
    (403, "rateLimitExceeded"),
    (403, "userRateLimitExceeded"),
    (403, "sharingRateLimitExceeded"),
    (500, "backendError"),
    (502, "badGateway"),
    (503, "backendError"),
    (503, "transientError"),
    (504, "deadlineExceeded"),
]

FINAL = [
    (400, "invalid"),
    (400, "required"),
    (403, "forbidden"),
    (403, "insufficientPermissions"),
    (403, "dailyLimitExceeded"),
    (404, "notFound"),
    (409, "duplicate"),
    (409, "conflict"),
    (412, "conditionNotMet"),
    (501, "notImplemented"),
]


@pytest.mark.parametrize(("status", "reason"), RETRIABLE)
def test_retriable_errors_are_retried_until_tries_run_out(
    make_session, server, sleeps, status, reason
):
    session = make_session(max_tries=4)
    server.on("GET", USER_PATH, *always(status, reason))
    with pytest.raises(GoogleApiError) as caught:
        session.execute(get_user(session), what=USER)
    assert caught.value.tries == 4
    assert (caught.value.status, caught.value.reason) == (status, reason)
    assert len(server.seen("GET", USER_PATH)) == 4
    assert len(sleeps.calls) == 3


@pytest.mark.parametrize(("status", "reason"), RETRIABLE)
def test_retriable_errors_recover(session, server, status, reason):
    server.on("GET", USER_PATH, *always(status, reason, n=2))
    assert session.execute(get_user(session), what=USER) == {"primaryEmail": USER}
    assert len(server.seen("GET", USER_PATH)) == 3


@pytest.mark.parametrize(("status", "reason"), FINAL)
def test_final_errors_are_not_retried(session, server, sleeps, status, reason):
    server.on("GET", USER_PATH, *always(status, reason))
    with pytest.raises(GoogleApiError) as caught:
        session.execute(get_user(session), what=USER)
    assert caught.value.tries == 1
    assert (caught.value.status, caught.value.reason) == (status, reason)
    assert len(server.seen("GET", USER_PATH)) == 1
    assert sleeps.calls == []


@pytest.mark.parametrize(("status", "reason"), [(404, "notFound"), (412, "conditionNotMet")])
def test_fresh_objects_retry_404_and_412_a_bounded_number_of_times(
    make_session, server, status, reason
):
    session = make_session(max_tries=8, fresh_tries=3)
    server.on("GET", USER_PATH, *always(status, reason, n=2))
    assert session.execute(get_user(session), what=USER, fresh=True) == {"primaryEmail": USER}

    server.on("GET", USER_PATH, *always(status, reason))
    with pytest.raises(GoogleApiError) as caught:
        session.execute(get_user(session), what=USER, fresh=True)
    assert caught.value.tries == 3


def test_fresh_does_not_make_other_final_errors_retriable(session, server):
    server.on("GET", USER_PATH, *always(409, "duplicate"))
    with pytest.raises(GoogleApiError) as caught:
        session.execute(get_user(session), what=USER, fresh=True)
    assert caught.value.tries == 1


def test_401_is_not_retried_beyond_google_auths_own_refresh(session, server, sleeps):
    server.on("GET", USER_PATH, *always(401, "authError"))
    with pytest.raises(GoogleApiError) as caught:
        session.execute(get_user(session), what=USER)
    assert (caught.value.status, caught.value.tries) == (401, 1)
    assert sleeps.calls == []
    # google-auth-httplib2 refreshes and re-sends on 401 (twice by default): 3 round trips,
    # all counted, one API call.
    assert len(server.seen("GET", USER_PATH)) == 3
    assert session.counters.snapshot()["directory.users.get"].round_trips == 3
    assert session.counters.snapshot()["directory.users.get"].calls == 1
    assert server.token_requests == 3


def test_dropped_connections_are_retried(session, server, sleeps):
    # httplib2 re-sends once by itself after a dropped connection, so two drops reach us as one
    # RemoteDisconnected.
    server.on("GET", USER_PATH, Reply(drop=True), Reply(drop=True))
    assert session.execute(get_user(session), what=USER) == {"primaryEmail": USER}
    assert len(server.seen("GET", USER_PATH)) == 3
    assert len(sleeps.calls) == 1


def test_connection_refused_is_a_final_error(clients, sleeps):
    # A port nobody listens on: the sandbox is not running, waiting will not start it.
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.session import GoogleSession

    # Same key file (its token_uri is the live fake server), dead API endpoint.
    profile = clients.profile.model_copy(update={"endpoint": f"http://127.0.0.1:{port}/"})
    clients_down = GoogleClients(profile, clients.scopes)
    session = GoogleSession(clients_down, retry=RetryPolicy(sleep=sleeps))
    request = session.service("directory").users().get(userKey=USER)
    with pytest.raises(GoogleApiError) as caught:
        session.execute(request, what=USER)
    assert caught.value.tries == 1
    assert "connection failed (unreachable)" in str(caught.value)
    assert sleeps.calls == []


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
        BrokenPipeError(errno.EPIPE, "Broken pipe"),
        ConnectionAbortedError(errno.ECONNABORTED, "aborted"),
        http.client.RemoteDisconnected("Remote end closed connection without response"),
        TimeoutError("timed out"),
        TimeoutError("timed out"),
        ssl.SSLEOFError(8, "EOF occurred in violation of protocol"),
        http.client.IncompleteRead(b"partial"),
        OSError(errno.ETIMEDOUT, "Connection timed out"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_broken_connections_are_retriable(exc):
    failure = describe(exc)
    assert failure is not None and failure.kind == "transport"
    assert failure.retriable()


@pytest.mark.parametrize(
    "exc",
    [
        httplib2.ServerNotFoundError("Unable to find the server at admin.googleapis.com"),
        ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
        httplib2.RedirectLimit("too many redirects", None, b""),
    ],
    ids=lambda e: type(e).__name__,
)
def test_unreachable_hosts_are_final(exc):
    failure = describe(exc)
    assert failure is not None and not failure.retriable()


def test_programming_errors_are_not_classified():
    assert describe(ValueError("bug")) is None
    assert describe(KeyError("bug")) is None


@pytest.mark.parametrize("retry", range(1, 10))
def test_backoff_stays_within_bounds(retry):
    policy_low = RetryPolicy(rand=lambda: 0.0)
    policy_high = RetryPolicy(rand=lambda: 0.999999)
    floor = min(32.0, 2.0 ** (retry - 1))
    assert policy_low.delay(retry) == pytest.approx(floor)
    assert floor <= policy_high.delay(retry) < floor + 1.0


def test_backoff_doubles_then_caps():
    policy = RetryPolicy(base=1.0, cap=32.0, jitter=0.0)
    assert [policy.delay(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 32, 32]
    # Jitter is added after the cap, so threads at the cap still spread out.
    assert RetryPolicy(rand=lambda: 0.5).delay(12) == 32.5


def test_backoff_jitter_varies():
    policy = RetryPolicy()
    delays = {round(policy.delay(3), 6) for _ in range(50)}
    assert len(delays) > 40
    assert all(4.0 <= d < 5.0 for d in delays)


def test_retry_after_is_honoured(session, server, sleeps):
    server.on(
        "GET",
        USER_PATH,
        Reply(429, reason="rateLimitExceeded", headers={"Retry-After": "7"}),
        Reply(503, reason="backendError"),
    )
    assert session.execute(get_user(session), what=USER) == {"primaryEmail": USER}
    # First wait: Retry-After 7 s beats 1 s + jitter; second: plain backoff 2 s + 0.5 jitter.
    assert sleeps.calls == [7.0, 2.5]


def test_retry_after_is_capped_and_never_shortens_backoff():
    policy = RetryPolicy(rand=lambda: 0.0, max_retry_after=120.0)
    assert policy.delay(1, retry_after=3600) == 120.0
    assert policy.delay(5, retry_after=1) == 16.0


def test_retry_after_http_date():
    now = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)
    resp = {"retry-after": format_datetime(now + timedelta(seconds=30), usegmt=True)}
    assert parse_retry_after(resp, now=now.timestamp) == pytest.approx(30)
    assert parse_retry_after({"retry-after": "12"}) == 12.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


def test_final_error_names_method_object_status_reason_message_and_tries(make_session, server):
    session = make_session(max_tries=3)
    server.on(
        "GET",
        USER_PATH,
        *[Reply(503, reason="backendError", message="The service is currently unavailable.")] * 3,
    )
    with pytest.raises(GoogleApiError) as caught:
        session.execute(get_user(session), what=USER)
    assert isinstance(caught.value, UserError)
    assert str(caught.value) == (
        f"directory.users.get for {USER} failed after 3 tries: "
        "HTTP 503 backendError: The service is currently unavailable."
    )


def test_errors_and_logs_never_carry_request_bodies_or_tokens(session, server, caplog):
    secret = "Sup3r-Secret-Passw0rd"
    server.on(
        "POST",
        "admin/directory/v1/users",
        Reply(503, reason="backendError"),
        Reply(400, reason="invalid", message="Invalid Password"),
    )
    request = session.service("directory").users().insert(
        body={"primaryEmail": USER, "password": secret, "name": {"givenName": "민지"}}
    )
    with caplog.at_level(logging.DEBUG, logger="workspace_coach"):
        with pytest.raises(GoogleApiError) as caught:
            session.execute(request, what=USER)
    assert str(caught.value) == (
        f"directory.users.insert for {USER} failed after 2 tries: "
        "HTTP 400 invalid: Invalid Password"
    )
    logged = caplog.text
    assert "directory.users.insert" in logged and "backendError" in logged
    for text in (str(caught.value), logged):
        assert secret not in text
        assert "ya29." not in text
    assert USER not in logged  # logs name the method and reason only


def test_non_json_error_bodies_still_give_a_clear_error(session, server):
    server.on("GET", USER_PATH, Reply(400, raw=b"<html>Bad Request</html>"))
    with pytest.raises(GoogleApiError) as caught:
        session.execute(get_user(session), what=USER)
    assert caught.value.status == 400
    assert "failed after 1 try: HTTP 400" in str(caught.value)


def test_policy_rejects_nonsense():
    with pytest.raises(ValueError):
        RetryPolicy(max_tries=0)
    with pytest.raises(ValueError):
        RetryPolicy().delay(0)
