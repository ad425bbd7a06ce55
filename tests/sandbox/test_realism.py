"""Realism knobs: injected faults of every kind, quotas, latency, and state on disk or in memory."""

from __future__ import annotations

import http.client
import time
from pathlib import Path

import httplib2
import pytest
import requests
from googleapiclient.errors import HttpError

from tests.conftest import configure_sandbox, make_tenant
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.sandbox.server import start


def _directory(sandbox, tmp_path):
    profile = make_tenant(sandbox, tmp_path / "t")
    return profile, GoogleClients(profile, scopes.PROVISION).service("directory")


@pytest.mark.parametrize("kind, status, reason", [
    ("backend503", 503, "backendError"),
    ("internal500", 500, "backendError"),
    ("rate429", 429, "rateLimitExceeded"),
    ("user_rate403", 403, "userRateLimitExceeded"),
])
def test_each_fault_kind_answers_like_google(own_sandbox, tmp_path, kind, status, reason):
    profile, directory = _directory(own_sandbox, tmp_path)
    directory.users().get(userKey=profile.admin).execute()  # token fetched before faults
    configure_sandbox(own_sandbox, fault_rate=1.0, fault_kinds=[kind])
    with pytest.raises(HttpError) as fault:
        directory.users().get(userKey=profile.admin).execute()
    assert fault.value.resp.status == status
    assert fault.value.error_details[0]["reason"] == reason


def test_dropped_connection(own_sandbox, tmp_path):
    profile, directory = _directory(own_sandbox, tmp_path)
    directory.users().get(userKey=profile.admin).execute()
    configure_sandbox(own_sandbox, fault_rate=1.0, fault_kinds=["drop"])
    with pytest.raises((ConnectionError, http.client.HTTPException, httplib2.HttpLib2Error, OSError)):
        directory.users().get(userKey=profile.admin).execute()


def test_fault_rate_is_roughly_the_share_of_failures(own_sandbox, tmp_path):
    profile, directory = _directory(own_sandbox, tmp_path)
    directory.users().get(userKey=profile.admin).execute()
    configure_sandbox(own_sandbox, fault_rate=0.3, fault_kinds=["backend503"], seed=7)
    failures = 0
    for _ in range(200):
        try:
            directory.users().get(userKey=profile.admin).execute()
        except HttpError:
            failures += 1
    assert 35 <= failures <= 85


def test_per_user_quota_then_recovery_shape(own_sandbox, tmp_path):
    profile, directory = _directory(own_sandbox, tmp_path)
    directory.users().get(userKey=profile.admin).execute()
    configure_sandbox(own_sandbox, qpm=20)
    ok = denied = 0
    for _ in range(30):
        try:
            directory.users().get(userKey=profile.admin).execute()
            ok += 1
        except HttpError as exc:
            assert exc.resp.status == 403
            assert exc.error_details[0]["reason"] == "userRateLimitExceeded"
            assert exc.resp.get("retry-after") == "1"
            denied += 1
    assert (ok, denied) == (20, 10)


def test_tenant_quota_is_429(own_sandbox, tmp_path):
    profile, directory = _directory(own_sandbox, tmp_path)
    directory.users().get(userKey=profile.admin).execute()
    configure_sandbox(own_sandbox, tenant_qpm=5)
    statuses = []
    for _ in range(8):
        try:
            directory.users().get(userKey=profile.admin).execute()
            statuses.append(200)
        except HttpError as exc:
            statuses.append(exc.resp.status)
    assert statuses == [200] * 5 + [429] * 3


def test_batch_inner_calls_count_against_quota(own_sandbox, tmp_path):
    from googleapiclient.http import BatchHttpRequest

    profile, directory = _directory(own_sandbox, tmp_path)
    clients = GoogleClients(profile, scopes.PROVISION)
    directory = clients.service("directory")
    directory.users().get(userKey=profile.admin).execute()
    configure_sandbox(own_sandbox, qpm=10)
    outcome: list[int] = []
    batch = BatchHttpRequest(callback=lambda i, r, e: outcome.append(e.resp.status if e else 200),
                             batch_uri=clients.batch_uri("directory"))
    for _ in range(15):
        batch.add(directory.users().get(userKey=profile.admin))
    batch.execute()
    assert outcome.count(200) == 10 and outcome.count(403) == 5


def test_latency_is_added(own_sandbox, tmp_path):
    profile, directory = _directory(own_sandbox, tmp_path)
    directory.users().get(userKey=profile.admin).execute()
    configure_sandbox(own_sandbox, latency_ms=80)
    started = time.perf_counter()
    for _ in range(3):
        directory.users().get(userKey=profile.admin).execute()
    assert time.perf_counter() - started >= 0.24


def test_unknown_settings_are_refused(own_sandbox):
    answer = requests.put(own_sandbox.url + "_sandbox/config", json={"fault_rate": 2})
    assert answer.status_code == 400
    answer = requests.put(own_sandbox.url + "_sandbox/config", json={"warp_speed": 9})
    assert answer.status_code == 400


@pytest.mark.parametrize("where", ["disk", "memory"])
def test_state_storage(tmp_path: Path, where):
    """The same behaviour on SQLite-on-disk and in memory; only the disk survives a restart."""
    db = str(tmp_path / "sandbox.sqlite3") if where == "disk" else ":memory:"
    first = start(db)
    profile = make_tenant(first, tmp_path / "t", domain=f"{where}.example.kr")
    directory = GoogleClients(profile, scopes.PROVISION).service("directory")
    directory.users().insert(body={"primaryEmail": f"kept@{profile.domain}", "password": "p" * 10,
                                   "name": {"givenName": "유지", "familyName": "한"}}).execute()
    assert len(directory.users().list(customer="my_customer").execute()["users"]) == 2
    port = first.server.server_port
    first.stop()
    second = start(db, port=port)
    try:
        if where == "disk":
            again = GoogleClients(profile, scopes.PROVISION).service("directory")
            users = again.users().list(customer="my_customer").execute()["users"]
            assert sorted(u["primaryEmail"] for u in users) == [f"admin@{profile.domain}",
                                                                f"kept@{profile.domain}"]
        else:
            assert requests.get(second.url + "_sandbox/health").json()["tenants"] == 0
    finally:
        second.stop()


def test_reset_forgets_everything(own_sandbox, tmp_path):
    make_tenant(own_sandbox, tmp_path / "t")
    assert requests.get(own_sandbox.url + "_sandbox/health").json()["tenants"] == 1
    requests.post(own_sandbox.url + "_sandbox/reset")
    assert requests.get(own_sandbox.url + "_sandbox/health").json()["tenants"] == 0
