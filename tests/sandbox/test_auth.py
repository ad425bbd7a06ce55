"""OAuth like Google: JWT-bearer grants, self-signed JWTs, scopes, admin rights, tenant walls."""

from __future__ import annotations

import json
import time

import google.auth.crypt
import google.auth.jwt
import pytest
import requests
from google.auth.exceptions import RefreshError
from googleapiclient.errors import HttpError

from tests.conftest import make_tenant
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients


def _key(tenant):
    return json.loads(tenant.credentials_path.read_text())


def _assertion(info, *, sub, scope, exp_in=3600, iat_shift=0, key=None, aud=None):
    signer = google.auth.crypt.RSASigner.from_service_account_info(key or info)
    now = int(time.time()) + iat_shift
    claims = {"iss": info["client_email"], "sub": sub, "scope": scope,
              "aud": aud or "https://oauth2.googleapis.com/token", "iat": now, "exp": now + exp_in}
    return google.auth.jwt.encode(signer, claims).decode()


def _grant(sandbox, assertion):
    return requests.post(sandbox.url + "token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})


def test_valid_grant_gives_expiring_bearer_token(sandbox, tenant):
    answer = _grant(sandbox, _assertion(_key(tenant), sub=tenant.admin, scope=scopes.AUDIT[0]))
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer" and 3000 < body["expires_in"] <= 3600


@pytest.mark.parametrize("case, kwargs, error", [
    ("expired", {"exp_in": 3600, "iat_shift": -7300}, "invalid_grant"),
    ("too long", {"exp_in": 7200}, "invalid_grant"),
    ("unknown scope", {"scope": "https://www.googleapis.com/auth/not-a-scope"}, "invalid_scope"),
    ("unknown subject", {"sub": "ghost@nowhere.example"}, "invalid_grant"),
])
def test_bad_grants_are_refused(sandbox, tenant, case, kwargs, error):
    info = _key(tenant)
    args = {"sub": tenant.admin, "scope": scopes.AUDIT[0], **kwargs}
    answer = _grant(sandbox, _assertion(info, **args))
    assert answer.status_code == 400, case
    assert answer.json()["error"] == error


def test_signature_from_another_key_is_refused(sandbox, tenant, tmp_path):
    other = make_tenant(sandbox, tmp_path / "other")
    mine, theirs = _key(tenant), _key(other)
    forged = _assertion(mine, sub=tenant.admin, scope=scopes.AUDIT[0],
                        key={**theirs, "private_key_id": mine["private_key_id"]})
    answer = _grant(sandbox, forged)
    assert answer.status_code == 400 and "Signature" in answer.json()["error_description"]


def test_bad_token_is_401_with_google_envelope(sandbox, tenant):
    answer = requests.get(sandbox.url + "admin/directory/v1/users?customer=my_customer",
                          headers={"Authorization": "Bearer ya29.nonsense"})
    assert answer.status_code == 401
    error = answer.json()["error"]
    assert error["status"] == "UNAUTHENTICATED" and error["errors"][0]["reason"] == "authError"


def test_google_auth_refresh_error_for_non_user_subject(tenant):
    profile = tenant.model_copy(update={"admin": f"nobody@{tenant.domain}"})
    clients = GoogleClients(profile, scopes.AUDIT)
    with pytest.raises(RefreshError):
        clients.service("directory").users().list(customer="my_customer").execute()


def test_read_only_scopes_cannot_write(tenant):
    ro = GoogleClients(tenant, scopes.AUDIT).service("directory")
    assert ro.users().list(customer="my_customer").execute()["users"]
    with pytest.raises(HttpError) as denied:
        ro.users().insert(body={"primaryEmail": f"x@{tenant.domain}", "password": "p" * 10,
                                "name": {"givenName": "a", "familyName": "b"}}).execute()
    assert denied.value.resp.status == 403
    assert denied.value.error_details[0]["reason"] == "insufficientPermissions"


def test_non_admin_subject_is_forbidden_on_admin_apis(directory, tenant):
    directory.users().insert(body={"primaryEmail": f"staff@{tenant.domain}", "password": "p" * 10,
                                   "name": {"givenName": "a", "familyName": "b"}}).execute()
    staff = GoogleClients(tenant.model_copy(update={"admin": f"staff@{tenant.domain}"}),
                          scopes.AUDIT)
    with pytest.raises(HttpError) as denied:
        staff.service("directory").users().list(customer="my_customer").execute()
    assert denied.value.resp.status == 403
    assert denied.value.error_details[0]["reason"] == "forbidden"


def test_self_signed_jwt_bearer_is_accepted(sandbox, tenant):
    info = _key(tenant)
    token = _assertion(info, sub=tenant.admin, scope=" ".join(scopes.AUDIT),
                       aud="https://admin.googleapis.com/")
    answer = requests.get(sandbox.url + "admin/directory/v1/users?customer=my_customer",
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["users"][0]["primaryEmail"] == tenant.admin


def test_tenants_cannot_see_each_other(sandbox, tenant, tmp_path, directory):
    other = make_tenant(sandbox, tmp_path / "other")
    theirs = GoogleClients(other, scopes.PROVISION).service("directory")
    directory.users().insert(body={"primaryEmail": f"mine@{tenant.domain}", "password": "p" * 10,
                                   "name": {"givenName": "a", "familyName": "b"}}).execute()
    listed = theirs.users().list(customer="my_customer").execute()["users"]
    assert [u["primaryEmail"] for u in listed] == [other.admin]
    with pytest.raises(HttpError) as hidden:
        theirs.users().get(userKey=f"mine@{tenant.domain}").execute()
    assert hidden.value.resp.status == 404
    mine = directory.users().get(userKey=tenant.admin).execute()
    with pytest.raises(HttpError) as foreign_customer:
        theirs.users().list(customer=mine["customerId"]).execute()
    assert foreign_customer.value.resp.status == 403
    with pytest.raises(HttpError) as foreign_domain:
        theirs.users().insert(body={"primaryEmail": f"intruder@{tenant.domain}",
                                    "password": "p" * 10,
                                    "name": {"givenName": "a", "familyName": "b"}}).execute()
    assert foreign_domain.value.resp.status == 400


def test_oauth_user_login_refreshes_and_acts_as_that_person(sandbox, tenant, directory, tmp_path):
    """A coach signs in with their own OAuth credentials instead of domain-wide delegation."""
    import subprocess
    import sys

    from workspace_coach.google.connection import load_profile

    directory.users().insert(body={"primaryEmail": f"coach@{tenant.domain}", "password": "p" * 10,
                                   "name": {"givenName": "코치", "familyName": "조"}}).execute()
    result = subprocess.run(
        [sys.executable, "-m", "workspace_coach.cli.main", "sandbox", "tenant", "login",
         "--connection", str(tenant.source), "--user", f"coach@{tenant.domain}",
         "--out", str(tmp_path / "coach"), "--scope-set", "publish"],
        capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    coach = load_profile(tmp_path / "coach")
    assert coach.credentials_kind() == "authorized_user"
    drive = GoogleClients(coach, scopes.PUBLISH).service("drive")
    made = drive.files().create(body={"name": "코칭 노트",
                                      "mimeType": "application/vnd.google-apps.document"},
                                fields="id,owners(emailAddress)").execute()
    assert made["owners"][0]["emailAddress"] == f"coach@{tenant.domain}"
    # Scopes the person never consented to are refused at refresh, as at Google.
    with pytest.raises(RefreshError):
        GoogleClients(coach, scopes.AUDIT).service("directory").users().list(
            customer="my_customer").execute()


def test_refresh_token_grant_refusals(sandbox, tenant):
    answer = requests.post(sandbox.url + "token", data={
        "grant_type": "refresh_token", "refresh_token": "1//made-up", "client_id": "x",
        "client_secret": "y"})
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
