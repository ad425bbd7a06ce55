"""The lookups the sandbox keeps between calls (token, admin rights, enabled APIs) give way to the
very next call after a change: a user made admin or no longer one, a suspended admin, an API
disabled or enabled, a tenant reset, an expired token. Each case first makes the same call twice,
so the answer under test is the one a kept lookup would have given."""

from __future__ import annotations

import json
import time

import pytest
import requests
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from tests.conftest import make_tenant
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.sandbox import auth


def _person(directory, tenant, local: str, *, admin: bool = False) -> GoogleClients:
    email = f"{local}@{tenant.domain}"
    directory.users().insert(body={"primaryEmail": email, "password": "p" * 12,
                                   "name": {"givenName": "가", "familyName": "나"}}).execute()
    if admin:
        directory.users().makeAdmin(userKey=email, body={"status": True}).execute()
    return GoogleClients(tenant.model_copy(update={"admin": email}), scopes.PROVISION)


def _reason(call) -> tuple[int, str]:
    with pytest.raises(HttpError) as refused:
        call()
    error = json.loads(refused.value.content)["error"]
    return error["code"], error["errors"][0]["reason"]


def _get(clients: GoogleClients, tenant):
    return lambda: clients.service("directory").users().get(userKey=tenant.admin).execute()


def test_made_admin_and_unmade_on_the_next_call(directory, tenant):
    staff = _person(directory, tenant, "staff")
    get = _get(staff, tenant)
    assert _reason(get) == (403, "forbidden")
    assert _reason(get) == (403, "forbidden")
    directory.users().makeAdmin(userKey=f"staff@{tenant.domain}", body={"status": True}).execute()
    assert get()["primaryEmail"] == tenant.admin
    assert get()["primaryEmail"] == tenant.admin
    directory.users().makeAdmin(userKey=f"staff@{tenant.domain}", body={"status": False}).execute()
    assert _reason(get) == (403, "forbidden")


def test_a_suspended_admin_is_refused_on_the_next_call(directory, tenant):
    second = _person(directory, tenant, "second", admin=True)
    get = _get(second, tenant)
    assert get()["primaryEmail"] == tenant.admin
    assert get()["primaryEmail"] == tenant.admin
    email = f"second@{tenant.domain}"
    directory.users().update(userKey=email, body={"suspended": True}).execute()
    assert _reason(get) == (403, "forbidden")
    directory.users().update(userKey=email, body={"suspended": False}).execute()
    assert get()["primaryEmail"] == tenant.admin


def test_an_api_disabled_or_enabled_counts_on_the_next_call(sandbox, admin_clients, tenant):
    get = _get(admin_clients, tenant)
    assert get()["primaryEmail"] == tenant.admin
    assert get()["primaryEmail"] == tenant.admin

    def disabled(services: list[str]) -> None:
        answer = requests.patch(f"{sandbox.url}_sandbox/tenants/{tenant.domain}",
                                json={"disabledServices": services}, timeout=10)
        assert answer.status_code == 200, answer.text

    disabled(["admin.googleapis.com"])
    assert _reason(get) == (403, "accessNotConfigured")
    drive = admin_clients.service("drive")
    drive.drives().list().execute()  # another API of the project is still enabled
    disabled([])
    assert get()["primaryEmail"] == tenant.admin


def _old_token_refused(url: str, clients: GoogleClients, tenant) -> None:
    """The token the client holds, sent as it is (no refresh), is Google's 401."""
    answer = requests.get(f"{url}admin/directory/v1/users/{tenant.admin}", timeout=10,
                          headers={"Authorization": f"Bearer {clients.credentials.token}"})
    assert answer.status_code == 401
    assert answer.json()["error"]["errors"][0]["reason"] == "authError"


def test_a_tenant_reset_refuses_its_tokens_on_the_next_call(sandbox, admin_clients, tenant,
                                                            tmp_path):
    other = GoogleClients(make_tenant(sandbox, tmp_path / "other"), scopes.PROVISION)
    other_get = other.service("directory").users().get
    get = _get(admin_clients, tenant)
    assert get()["primaryEmail"] == tenant.admin
    assert get()["primaryEmail"] == tenant.admin
    assert other_get(userKey=other.profile.admin).execute()
    store = sandbox.app.store
    customer = store.key_lookup("domain", "", tenant.domain)
    assert customer
    store.reset(customer)
    _old_token_refused(sandbox.url, admin_clients, tenant)
    # google-auth answers the 401 with a refresh, which the reset tenant's tokens endpoint refuses
    with pytest.raises(RefreshError):
        get()
    assert other_get(userKey=other.profile.admin).execute()  # the other tenant is untouched


def test_a_full_reset_refuses_every_token_on_the_next_call(own_sandbox, tmp_path):
    tenant = make_tenant(own_sandbox, tmp_path / "t")
    clients = GoogleClients(tenant, scopes.PROVISION)
    get = _get(clients, tenant)
    assert get()["primaryEmail"] == tenant.admin
    assert get()["primaryEmail"] == tenant.admin
    assert requests.post(own_sandbox.url + "_sandbox/reset", timeout=10).status_code == 200
    _old_token_refused(own_sandbox.url, clients, tenant)
    with pytest.raises(RefreshError):
        get()


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_an_expired_token_is_refused_although_it_was_kept(sandbox, admin_clients, tenant,
                                                          monkeypatch):
    get = _get(admin_clients, tenant)
    assert get()["primaryEmail"] == tenant.admin
    assert get()["primaryEmail"] == tenant.admin
    clock = _Clock(time.time() + auth.TOKEN_LIFETIME_SECONDS + 1)
    monkeypatch.setattr(auth, "time", clock)  # the sandbox's clock, not the client's
    _old_token_refused(sandbox.url, admin_clients, tenant)
    # google-auth refreshes on the 401; the new token is valid by the sandbox's clock
    assert get()["primaryEmail"] == tenant.admin


def test_lookups_made_inside_an_undone_transaction_are_not_kept(sandbox):
    store = sandbox.app.store
    calls: list[str] = []

    def lookup() -> str:
        calls.append("computed")
        return store.meta_get("lookup-cache-test") or "none"

    with pytest.raises(RuntimeError), store.transaction():
        store.meta_set("lookup-cache-test", "inside")
        assert store.remember(("test", "undone"), lookup) == "inside"
        raise RuntimeError("undo")
    assert store.remember(("test", "undone"), lookup) == "none"
    assert store.remember(("test", "undone"), lookup) == "none"
    assert calls == ["computed", "computed"]
