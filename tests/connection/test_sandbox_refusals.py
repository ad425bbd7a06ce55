"""The sandbox refuses per tenant as Google does, seen through the real client libraries."""

from __future__ import annotations

import time

import pytest
import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from tests.connection.conftest import key_info, new_tenant
from workspace_coach.google import scopes
from workspace_coach.google.calls import Call
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import load_profile
from workspace_coach.google.session import GoogleSession

DRIVE = "https://www.googleapis.com/auth/drive"


def _token(folder, scope_list, subject, *, iat=None):
    info = key_info(folder)
    claims = {"iat": iat, "exp": iat + 3600} if iat is not None else None
    creds = service_account.Credentials.from_service_account_info(
        info, scopes=scope_list, subject=subject, additional_claims=claims)
    creds.refresh(Request())
    return creds


def test_a_scope_missing_from_delegation_gets_unauthorized_client(sandbox, tmp_path):
    folder = new_tenant(sandbox, tmp_path, granted_scopes=[DRIVE])
    admin = load_profile(folder).admin
    assert _token(folder, [DRIVE], admin).token
    with pytest.raises(RefreshError) as caught:
        _token(folder, [DRIVE, scopes.SHEETS_READ[0]], admin)
    assert caught.value.args[1] == {
        "error": "unauthorized_client",
        "error_description": "Client is unauthorized to retrieve access tokens using this "
                             "method, or client not authorized for any of the scopes requested."}
    # The service account acting as itself is not domain-wide delegation.
    assert _token(folder, [scopes.SHEETS_READ[0]], None).token


def test_token_endpoint_status_for_unauthorized_client(sandbox, tmp_path):
    folder = new_tenant(sandbox, tmp_path, granted_scopes=[DRIVE])
    creds = service_account.Credentials.from_service_account_info(
        key_info(folder), scopes=[scopes.SHEETS_READ[0]], subject=load_profile(folder).admin)
    assertion = creds._make_authorization_grant_assertion()
    answer = requests.post(sandbox.url + "token", timeout=10, data={
        "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion})
    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized_client"


def test_a_skewed_jwt_gets_invalid_grant(sandbox, tmp_path):
    folder = new_tenant(sandbox, tmp_path)
    admin = load_profile(folder).admin
    with pytest.raises(RefreshError, match="invalid_grant: Invalid JWT: Token must be a "
                       "short-lived token"):
        _token(folder, [DRIVE], admin, iat=int(time.time()) + 3600)
    assert _token(folder, [DRIVE], admin, iat=int(time.time()) - 60).token


def test_a_disabled_api_refuses_every_call_batches_included(sandbox, tmp_path):
    folder = new_tenant(sandbox, tmp_path, disabled_services=["admin.googleapis.com"])
    profile = load_profile(folder)
    session = GoogleSession(GoogleClients(profile, scopes.AUDIT))
    directory = session.service("directory")
    calls = [Call(f"u{i}", directory.users().get(userKey=profile.admin)) for i in range(2)]
    results = session.batch("directory", calls)
    for result in results:
        assert result.error is not None and result.error.status == 403
        assert result.error.reason == "accessNotConfigured"
        assert "Admin SDK API has not been used in project" in result.error.failure.message
    # Drive is another service of the same project, still enabled.
    assert session.execute(session.service("drive").files().list(pageSize=1), what="files") \
        is not None


def test_access_not_configured_envelope(sandbox, tmp_path):
    folder = new_tenant(sandbox, tmp_path, disabled_services=["sheets.googleapis.com"])
    creds = _token(folder, [scopes.PUBLISH[1]], load_profile(folder).admin)
    answer = requests.get(sandbox.url + "v4/spreadsheets/abc", timeout=10,
                          headers={"Authorization": f"Bearer {creds.token}"})
    assert answer.status_code == 403
    error = answer.json()["error"]
    assert error["status"] == "PERMISSION_DENIED"
    assert error["errors"][0]["reason"] == "accessNotConfigured"
    assert error["errors"][0]["domain"] == "usageLimits"
    info = next(d for d in error["details"] if d["@type"].endswith("ErrorInfo"))
    assert info["reason"] == "SERVICE_DISABLED"
    assert info["metadata"]["service"] == "sheets.googleapis.com"
    number = info["metadata"]["consumer"].split("/")[1]
    assert error["message"].startswith(
        f"Google Sheets API has not been used in project {number} before or it is disabled. "
        f"Enable it by visiting https://console.developers.google.com/apis/api/"
        f"sheets.googleapis.com/overview?project={number} then retry.")


def test_control_api_rejects_unknown_settings(sandbox):
    answer = requests.post(sandbox.url + "_sandbox/tenants", timeout=10, json={
        "domain": f"bad{time.time_ns()}.example.kr", "disabledServices": ["mail.example.com"]})
    assert answer.status_code == 400
    assert "Unknown service mail.example.com" in answer.json()["error"]["message"]
    answer = requests.patch(sandbox.url + "_sandbox/tenants/nobody.example.kr", timeout=10,
                            json={"grantedScopes": None})
    assert answer.status_code == 404
