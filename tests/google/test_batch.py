"""Batch chunking, per-call results and re-sending only failed inner calls, over real multipart."""

from __future__ import annotations

import pytest

from workspace_coach.google.calls import Call
from workspace_coach.google.counters import CallCount
from workspace_coach.google.ratelimit import RateLimiter

from .conftest import Reply

GROUP = "staff@haessal.example.kr"
MEMBERS = r"admin/directory/v1/groups/[^/]+/members"


def member_calls(session, n: int, *, fresh: bool = False) -> list[Call]:
    directory = session.service("directory")
    return [
        Call(
            f"m{i}@haessal.example.kr",
            directory.members().insert(groupKey=GROUP, body={"email": f"m{i}@haessal.example.kr"}),
            fresh=fresh,
        )
        for i in range(n)
    ]


def emails(seen) -> list[str]:
    return [s.json["email"] for s in seen]


def only(*keys: str):
    return lambda seen: (seen.json or {}).get("email") in keys


def test_250_calls_in_chunks_of_100_take_3_round_trips(session, server):
    results = session.batch("directory", member_calls(session, 250), chunk_size=100)

    assert [len(batch) for batch in server.batches] == [100, 100, 50]
    assert all(r.ok and r.tries == 1 for r in results)
    assert [r.key for r in results] == [f"m{i}@haessal.example.kr" for i in range(250)]
    assert [r.response["email"] for r in results] == [r.key for r in results]
    assert session.counters.snapshot() == {
        "directory.batch": CallCount(calls=0, round_trips=3),
        "directory.members.insert": CallCount(calls=250, round_trips=0),
    }
    assert len(server.seen("POST", "batch")) == 3
    assert all(s.in_batch for s in server.seen("POST", MEMBERS))


def test_default_chunk_size_is_the_sessions_batch_size(make_session, server):
    session = make_session(batch_size=50)
    session.batch("directory", member_calls(session, 120))
    assert [len(batch) for batch in server.batches] == [50, 50, 20]


def test_chunks_are_clamped_to_the_apis_batch_limit(session, server):
    drive = session.service("drive")
    calls = [Call(f"file{i}", drive.files().get(fileId=f"file{i}")) for i in range(150)]
    results = session.batch("drive", calls, chunk_size=500)
    assert [len(batch) for batch in server.batches] == [100, 50]
    assert {s.path for s in server.log if not s.in_batch} == {"batch/drive/v3"}
    assert [r.response for r in results] == [{"id": f"file{i}"} for i in range(150)]


def test_only_failed_inner_calls_are_re_sent(session, server, sleeps):
    failing = ("m2@haessal.example.kr", "m7@haessal.example.kr")
    server.on("POST", MEMBERS, *[Reply(503, reason="backendError")] * 2, when=only(*failing))

    results = session.batch("directory", member_calls(session, 10), chunk_size=100)

    assert [len(batch) for batch in server.batches] == [10, 2]
    assert emails(server.batches[1]) == list(failing)
    assert all(r.ok for r in results)
    assert [r.tries for r in results] == [1, 1, 2, 1, 1, 1, 1, 2, 1, 1]
    assert sleeps.calls == [1.5]  # one backoff between the rounds: 1 s + 0.5 jitter
    assert session.counters.snapshot() == {
        "directory.batch": CallCount(calls=0, round_trips=2),
        "directory.members.insert": CallCount(calls=12, round_trips=0),
    }


def test_failed_inner_calls_across_chunks_are_regrouped(session, server):
    failing = ("m2@haessal.example.kr", "m7@haessal.example.kr")
    server.on("POST", MEMBERS, *[Reply(429, reason="rateLimitExceeded")] * 2, when=only(*failing))
    session.batch("directory", member_calls(session, 10), chunk_size=5)
    assert [len(batch) for batch in server.batches] == [5, 5, 2]


def test_final_inner_errors_are_reported_not_re_sent(session, server, sleeps):
    server.on(
        "POST",
        MEMBERS,
        Reply(409, reason="duplicate", message="Member already exists."),
        when=only("m1@haessal.example.kr"),
    )
    results = session.batch("directory", member_calls(session, 3))
    assert len(server.batches) == 1
    assert [r.ok for r in results] == [True, False, True]
    error = results[1].error
    assert error is not None and (error.status, error.reason, error.tries) == (409, "duplicate", 1)
    assert str(error) == (
        "directory.members.insert for m1@haessal.example.kr failed after 1 try: "
        "HTTP 409 duplicate: Member already exists."
    )
    assert sleeps.calls == []


def test_inner_calls_give_up_after_max_tries(make_session, server):
    session = make_session(max_tries=3)
    failures = [Reply(503, reason="backendError")] * 10
    server.on("POST", MEMBERS, *failures, when=only("m0@haessal.example.kr"))
    results = session.batch("directory", member_calls(session, 2))
    assert [len(batch) for batch in server.batches] == [2, 1, 1]
    assert results[0].error is not None and results[0].error.tries == 3
    assert "failed after 3 tries: HTTP 503 backendError" in str(results[0].error)
    assert results[1].ok


def test_inner_retry_after_is_honoured(session, server, sleeps):
    server.on(
        "POST",
        MEMBERS,
        Reply(429, reason="rateLimitExceeded", headers={"Retry-After": "9"}),
        when=only("m1@haessal.example.kr"),
    )
    results = session.batch("directory", member_calls(session, 3))
    assert all(r.ok for r in results)
    assert sleeps.calls == [9.0]


def test_fresh_calls_retry_not_found_in_batches(session, server):
    server.on("POST", MEMBERS, Reply(404, reason="notFound"), when=only("m0@haessal.example.kr"))
    results = session.batch("directory", member_calls(session, 2, fresh=True))
    assert all(r.ok for r in results)
    assert [len(batch) for batch in server.batches] == [2, 1]

    server.on("POST", MEMBERS, Reply(404, reason="notFound"), when=only("m0@haessal.example.kr"))
    results = session.batch("directory", member_calls(session, 2, fresh=False))
    assert results[0].error is not None and results[0].error.status == 404


def test_a_whole_batch_failing_transiently_is_re_sent_in_halves(session, server, sleeps):
    server.on("POST", "batch", Reply(503, reason="backendError"))
    results = session.batch("directory", member_calls(session, 4))
    assert all(r.ok and r.tries == 1 for r in results)  # the lost try never reached Google
    assert len(server.seen("POST", "batch")) == 3
    assert [len(batch) for batch in server.batches] == [2, 2]  # the first never got parsed
    assert session.counters.snapshot()["directory.batch"].round_trips == 3
    assert session.counters.snapshot()["directory.members.insert"].calls == 8
    assert len(sleeps.calls) == 1


def test_batches_shrink_to_one_call_and_grow_back(session, server):
    server.on("POST", "batch", *[Reply(503, reason="backendError")] * 3)
    results = session.batch("directory", member_calls(session, 20), chunk_size=8)
    assert all(r.ok for r in results)
    # 8 failed, 4 failed, 2 failed; then 1 got through and each success doubles the size.
    assert [len(batch) for batch in server.batches] == [1, 2, 4, 8, 5]
    assert sorted(emails(s for batch in server.batches for s in batch)) == sorted(
        f"m{i}@haessal.example.kr" for i in range(20))  # each call answered exactly once


def test_a_dropped_batch_re_sends_only_unanswered_calls(session, server):
    server.on("POST", "batch", Reply(), Reply(drop=True), Reply(drop=True), Reply(drop=True))
    results = session.batch("directory", member_calls(session, 12), chunk_size=6)
    assert all(r.ok for r in results)
    sent = emails(s for batch in server.batches for s in batch)
    assert sorted(sent) == sorted(f"m{i}@haessal.example.kr" for i in range(12))
    assert [len(batch) for batch in server.batches][0] == 6
    assert max(len(batch) for batch in server.batches[1:]) < 6


def test_a_connection_that_stays_down_fails_every_call(make_session, server):
    session = make_session(max_tries=3)
    server.on("POST", "batch", *[Reply(503, reason="backendError")] * 50)
    results = session.batch("directory", member_calls(session, 6))
    assert all(r.error is not None and r.error.status == 503 for r in results)
    assert len(server.seen("POST", "batch")) == 3


def test_a_whole_batch_failing_for_good_fails_every_call(session, server):
    server.on("POST", "batch", Reply(403, reason="forbidden", message="Not Authorized"))
    results = session.batch("directory", member_calls(session, 3))
    assert [r.error.status for r in results if r.error] == [403, 403, 403]
    assert len(server.seen("POST", "batch")) == 1


def test_a_dropped_batch_connection_is_retried(session, server):
    server.on("POST", "batch", Reply(drop=True), Reply(drop=True))
    results = session.batch("directory", member_calls(session, 3))
    assert all(r.ok for r in results)
    assert sorted(emails(s for batch in server.batches for s in batch)) == [
        f"m{i}@haessal.example.kr" for i in range(3)]


def test_each_inner_call_takes_a_rate_limiter_token(make_session, server):
    taken: list[tuple[str, int]] = []

    class Recording(RateLimiter):
        def acquire(self, api: str, n: int = 1) -> float:
            taken.append((api, n))
            return super().acquire(api, n)

    session = make_session(limiter=Recording(default_qpm=10**9))
    server.on(
        "POST", MEMBERS, Reply(503, reason="backendError"), when=only("m3@haessal.example.kr")
    )
    session.batch("directory", member_calls(session, 7), chunk_size=5)
    assert taken == [("directory", 5), ("directory", 2), ("directory", 1)]


def test_inner_requests_carry_the_bearer_token(session, server):
    session.batch("directory", member_calls(session, 2))
    assert {s.headers.get("authorization") for s in server.batches[0]} == {
        "Bearer ya29.test-access-token"
    }


def test_an_empty_batch_sends_nothing(session, server):
    assert session.batch("directory", []) == []
    assert server.log == []


@pytest.mark.parametrize(("api", "limit"), [("directory", 1000), ("drive", 100), ("sheets", 100)])
def test_batch_limits(api, limit):
    from workspace_coach.google.batch import batch_limit

    assert batch_limit(api) == limit
