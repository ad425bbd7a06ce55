"""`workspace-coach connection setup`: the guided walk ends in a profile that passes the check."""

from __future__ import annotations

import stat

import requests
from google.auth.transport.requests import Request
from google.oauth2 import credentials as user_credentials
from typer.testing import CliRunner

from tests.connection.conftest import key_info, new_tenant
from workspace_coach.cli.main import app
from workspace_coach.google import scopes, setup
from workspace_coach.google.clients import GoogleClients, load_credentials
from workspace_coach.google.connection import load_profile
from workspace_coach.google.session import GoogleSession

runner = CliRunner()


def test_setup_without_prompts_writes_a_profile_that_passes(sandbox, tmp_path):
    tenant = new_tenant(sandbox, tmp_path)
    profile = load_profile(tenant)
    info = key_info(tenant)
    out = tmp_path / "clients" / "real"
    result = runner.invoke(app, [
        "connection", "setup", "--no-input", "--for", "audit", "--domain", profile.domain,
        "--admin", profile.admin, "--key", str(tenant / "service-account.json"),
        "--out", str(out), "--endpoint", sandbox.url])
    assert result.exit_code == 0, result.output
    text = result.output
    project = info["project_id"]
    for service in ("admin.googleapis.com", "groupssettings.googleapis.com",
                    "drive.googleapis.com"):
        assert f"https://console.cloud.google.com/apis/library/{service}?project={project}" in text
    assert "sheets.googleapis.com" not in text
    assert f"Client ID: {info['client_id']}" in text
    assert f"paste exactly: {scopes.delegation_line(['audit'])}" in text
    assert "iam.disableServiceAccountKeyCreation" in text and "도메인 전체 위임" in text
    written = load_profile(out)
    assert written.admin == profile.admin and written.endpoint == sandbox.url
    assert stat.S_IMODE((out / "service-account.json").stat().st_mode) == 0o600
    check = runner.invoke(app, ["connection", "check", "-c", str(out), "--for", "audit"])
    assert check.exit_code == 0, check.output


def test_setup_asks_for_what_is_missing(sandbox, tmp_path):
    tenant = new_tenant(sandbox, tmp_path)
    profile = load_profile(tenant)
    out = tmp_path / "asked"
    answers = "\n".join(["curriculum", profile.domain, "", str(tenant / "service-account.json")])
    result = runner.invoke(app, ["connection", "setup", "--out", str(out)], input=answers + "\n")
    assert result.exit_code == 0, result.output
    written = load_profile(out)
    assert written.admin == f"admin@{profile.domain}" and written.endpoint is None
    assert scopes.delegation_line(["curriculum"]) in result.output


def test_setup_without_prompts_needs_the_key(tmp_path):
    result = runner.invoke(app, ["connection", "setup", "--no-input", "--domain", "x.kr",
                                 "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "--key is required with --no-input" in str(result.exception)


def test_setup_refuses_a_file_that_is_not_a_key(tmp_path):
    bogus = tmp_path / "client_secret.json"
    bogus.write_text('{"installed": {"client_id": "x"}}', encoding="utf-8")
    result = runner.invoke(app, ["connection", "setup", "--no-input", "--domain", "x.kr",
                                 "--key", str(bogus), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "not a service-account key" in str(result.exception)


def test_an_oauth_sign_in_is_written_so_the_toolkit_can_load_it(sandbox, tmp_path):
    """What the installed-app flow returns (user credentials with a refresh token) becomes an
    authorized-user file that `load_credentials` reads and that refreshes."""
    tenant = new_tenant(sandbox, tmp_path)
    profile = load_profile(tenant)
    consent = requests.post(sandbox.url + "_sandbox/logins", timeout=10, json={
        "domain": profile.domain, "email": profile.admin, "scopes": list(scopes.AUDIT)}).json()
    signed_in = user_credentials.Credentials(
        token=None, refresh_token=consent["refresh_token"], client_id=consent["client_id"],
        client_secret=consent["client_secret"], token_uri=consent["token_uri"],
        scopes=list(scopes.AUDIT))
    out = tmp_path / "coach"
    setup.write_secret(out / setup.USER_FILE, setup.authorized_user_info(signed_in))
    setup.write_profile(out, name="coach", domain=profile.domain, admin=profile.admin,
                        credentials=setup.USER_FILE, endpoint=sandbox.url)
    loaded = load_profile(out)
    assert loaded.credentials_kind() == "authorized_user"
    creds = load_credentials(loaded, scopes.AUDIT)
    creds.refresh(Request())
    session = GoogleSession(GoogleClients(loaded, scopes.AUDIT))
    me = session.execute(session.service("directory").users().get(userKey=profile.admin),
                         what=profile.admin)
    assert me["primaryEmail"] == profile.admin
    check = runner.invoke(app, ["connection", "check", "-c", str(out), "--for", "audit"])
    assert check.exit_code == 0, check.output
