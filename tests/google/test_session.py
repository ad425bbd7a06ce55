"""Paging, counters and the clients integration of `GoogleSession`."""

from __future__ import annotations

import threading

import pytest

from workspace_coach.google.counters import UNATTRIBUTED, ApiCounters, CallCount, CountingHttp

from .conftest import DOMAIN, Reply


def test_list_all_follows_next_page_token(session, server):
    directory = session.service("directory")
    users = session.list_all(
        directory.users().list, "users", what=DOMAIN, customer="my_customer", maxResults=3
    )
    assert [u["primaryEmail"] for u in users] == [f"user{i}@{DOMAIN}" for i in range(7)]
    pages = server.seen("GET", "admin/directory/v1/users")
    assert [p.query.get("pageToken") for p in pages] == [None, ["3"], ["6"]]
    assert session.counters.snapshot() == {
        "directory.users.list": CallCount(calls=3, round_trips=3)
    }


def test_list_all_retries_a_failed_page(session, server, sleeps):
    server.on(
        "GET",
        "admin/directory/v1/users",
        Reply(503, reason="backendError"),
        when=lambda seen: seen.query.get("pageToken") == ["3"],
    )
    directory = session.service("directory")
    users = session.list_all(directory.users().list, "users", what=DOMAIN, maxResults=3)
    assert len(users) == 7
    assert session.counters.snapshot()["directory.users.list"] == CallCount(calls=4, round_trips=4)
    assert len(sleeps.calls) == 1


def test_list_all_with_an_empty_page(session, server):
    server.users = []
    directory = session.service("directory")
    assert session.list_all(directory.users().list, "users", what=DOMAIN) == []


def test_list_all_stops_on_a_repeated_page_token(session, server):
    page = Reply(body={"users": [{"primaryEmail": "a@x"}], "nextPageToken": "same"})
    server.on("GET", "admin/directory/v1/users", page, page, page)
    directory = session.service("directory")
    with pytest.raises(RuntimeError, match="repeated a page token"):
        session.list_all(directory.users().list, "users", what=DOMAIN)
    assert len(server.seen("GET", "admin/directory/v1/users")) == 2


def test_counters_reset(session, server):
    directory = session.service("directory")
    session.execute(directory.users().get(userKey="a@x"), what="a@x")
    assert session.counters.snapshot() == {"directory.users.get": CallCount(1, 1)}
    session.counters.reset()
    assert session.counters.snapshot() == {}


def test_direct_requests_are_counted_as_unattributed(clients, server):
    clients.service("directory").users().get(userKey="a@x").execute()
    assert clients.counters.snapshot() == {UNATTRIBUTED: CallCount(calls=0, round_trips=1)}


def test_clients_http_is_counting_and_per_thread(clients):
    http = clients.http()
    assert isinstance(http, CountingHttp)
    assert clients.http() is http
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(clients.http()))
    thread.start()
    thread.join()
    assert other[0] is not http
    assert other[0].counters is http.counters  # type: ignore[attr-defined]


def test_counters_are_thread_safe():
    counters = ApiCounters()

    def work(label: str) -> None:
        with counters.attributing(label):
            for _ in range(1000):
                counters.record_call(label)
                counters.record_round_trip()

    threads = [threading.Thread(target=work, args=(f"m{i % 2}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counters.snapshot() == {"m0": CallCount(4000, 4000), "m1": CallCount(4000, 4000)}


def test_token_is_fetched_once_and_shared_by_threads(make_session, server):
    session = make_session()

    def call(i: int) -> None:
        session.execute(session.service("directory").users().get(userKey=f"u{i}@x"), what="u")

    session.map(call, range(8))
    assert server.token_requests == 1


def test_drive_and_groupssettings_paths_reach_the_server(session, server):
    assert session.execute(session.service("drive").files().get(fileId="abc"), what="abc") == {
        "id": "abc"
    }
    server.on("GET", r"groups/v1/groups/.*", Reply(body={"email": "g@x"}))
    settings = session.service("groupssettings").groups().get(groupUniqueId="g@x")
    assert session.execute(settings, what="g@x") == {"email": "g@x"}
    assert set(session.counters.snapshot()) == {"drive.files.get", "groupsSettings.groups.get"}
