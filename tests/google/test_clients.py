"""Services from `GoogleClients`: collections built once per service, calls as before."""

from __future__ import annotations

import threading

from tests.google.conftest import FakeGoogle
from workspace_coach.google.clients import GoogleClients


def test_a_collection_is_built_once_per_service(clients: GoogleClients, server: FakeGoogle):
    directory = clients.service("directory")
    users = directory.users()
    assert directory.users() is users
    assert users.aliases() is users.aliases()  # nested collections too
    for n in range(3):
        directory.users().get(userKey=f"user{n}@haessal.example.kr").execute()
    assert [s.path for s in server.seen("GET", r"admin/directory/v1/users/.*")] == [
        f"admin/directory/v1/users/user{n}@haessal.example.kr" for n in range(3)]
    assert clients.counters.snapshot()["unattributed"].round_trips == 3


def test_each_thread_has_its_own_collections(clients: GoogleClients, server: FakeGoogle):
    mine = clients.service("directory").users()
    theirs: list[object] = []
    thread = threading.Thread(target=lambda: theirs.append(clients.service("directory").users()))
    thread.start()
    thread.join()
    assert theirs[0] is not mine
    assert theirs[0]._http is not mine._http  # httplib2 objects are not shared across threads

