"""`workspace-coach connection check` against sandbox tenants that refuse the way Google does."""

from __future__ import annotations

import json
import time

import requests

from tests.connection.conftest import key_info, new_tenant, replace_key_with_unknown_one
from workspace_coach.google import check, scopes

AUDIT_REPORTS = "https://www.googleapis.com/auth/admin.reports.audit.readonly"


def test_a_good_tenant_passes_every_row(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path)
    result = check_cli(folder, "--for", "provision,audit,curriculum")
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output and "All " in result.output
    for scope in scopes.scopes_for(["provision", "audit", "curriculum"]):
        assert scope in result.output
    for service in ("admin.googleapis.com", "drive.googleapis.com",
                    "groupssettings.googleapis.com", "sheets.googleapis.com"):
        assert f"{service} answers" in result.output
    assert "customer C" in result.output


def test_one_scope_not_granted_is_named_with_its_fix(sandbox, tmp_path, check_cli):
    granted = [s for s in scopes.AUDIT if s != AUDIT_REPORTS]
    folder = new_tenant(sandbox, tmp_path, granted_scopes=granted)
    client_id = key_info(folder)["client_id"]
    result = check_cli(folder, "--for", "audit")
    assert result.exit_code == 1
    failing = [line for line in result.output.splitlines() if line.startswith("FAIL")]
    assert any(AUDIT_REPORTS in line and "unauthorized_client" in line for line in failing)
    assert f"Domain-wide delegation: add {AUDIT_REPORTS} to client ID {client_id}" \
        in result.output
    # The one-paste fix lists every scope the capability needs, comma-separated.
    assert scopes.delegation_line(["audit"]) in result.output
    assert len([line for line in failing if "unauthorized_client" in line]) == 1


def test_a_disabled_api_gets_the_link_that_enables_it(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path, disabled_services=["groupssettings.googleapis.com"])
    project = key_info(folder)["project_id"]
    result = check_cli(folder, "--for", "audit")
    assert result.exit_code == 1
    assert "Groups Settings API has not been used in project" in result.output
    link = f"https://console.cloud.google.com/apis/library/groupssettings.googleapis.com" \
        f"?project={project}"
    assert f"fix: enable Groups Settings API for the key's project: {link}" in result.output
    assert "admin.googleapis.com answers" in result.output


def test_a_subject_who_is_not_an_administrator(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path, non_admin_subject="staff")
    result = check_cli(folder, "--for", "audit", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["subject"].startswith("staff@") and report["ok"] is False
    failing = {row["id"]: row for row in report["rows"] if row["status"] == "fail"}
    assert set(failing) == {"admin:directory", "admin:reports", "admin:groupssettings"}
    row = failing["admin:directory"]
    assert "Not Authorized to access this resource/api" in row["detail"]
    assert "is not an administrator" in row["fix"] and "관리자가 아닙니다" in row["fix_ko"]


def test_a_skewed_clock_is_measured_and_named(sandbox, tmp_path, check_cli, monkeypatch):
    folder = new_tenant(sandbox, tmp_path)
    monkeypatch.setattr(check, "system_clock", lambda: time.time() - 2 * 3600)
    result = check_cli(folder, "--for", "curriculum")
    assert result.exit_code == 1
    assert "clock is 2 h 0 min behind" in result.output
    assert "invalid_grant: Invalid JWT: Token must be a short-lived token" in result.output
    assert "clock is wrong (it is 2 h 0 min behind)" in result.output


def test_an_unknown_key_is_named(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path)
    replace_key_with_unknown_one(folder)
    result = check_cli(folder, "--for", "audit")
    assert result.exit_code == 1
    assert "invalid_grant: Invalid JWT Signature." in result.output
    assert "the key was deleted or belongs to another project: create a new key" \
        in result.output


def test_a_missing_key_file_is_one_failing_row(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path)
    (folder / "service-account.json").unlink()
    result = check_cli(folder, "--json")
    assert result.exit_code == 1
    rows = json.loads(result.output)["rows"]
    assert rows[0]["id"] == "key" and rows[0]["status"] == "fail"
    assert "credentials file not found" in rows[0]["detail"]


def test_delegation_changed_through_the_control_api(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path)
    domain = folder.joinpath("connection.yaml").read_text().split("domain: ")[1].split()[0]
    answer = requests.patch(f"{sandbox.url}_sandbox/tenants/{domain}",
                            json={"grantedScopes": list(scopes.SHEETS_READ)}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert check_cli(folder, "--for", "roster-sheet").exit_code == 0
    assert check_cli(folder, "--for", "curriculum").exit_code == 1
    requests.patch(f"{sandbox.url}_sandbox/tenants/{domain}", json={"grantedScopes": None},
                   timeout=10)
    assert check_cli(folder, "--for", "curriculum").exit_code == 0


def test_unknown_capability_is_one_line(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path)
    result = check_cli(folder, "--for", "everything")
    assert result.exit_code == 1
    assert "unknown capability 'everything'" in str(result.exception)


def test_reports_rights_are_checked_with_whichever_reports_scope_is_granted(
        sandbox, tmp_path, check_cli):
    granted = [s for s in scopes.AUDIT if s != AUDIT_REPORTS]
    folder = new_tenant(sandbox, tmp_path, granted_scopes=granted,
                        non_admin_subject="staff")
    report = json.loads(check_cli(folder, "--for", "audit", "--json").output)
    rows = {row["id"]: row for row in report["rows"]}
    assert rows["admin:reports"]["status"] == "fail"
    assert rows[f"scope:{AUDIT_REPORTS}"]["status"] == "fail"


def test_sandbox_tenant_create_options_reach_the_tenant(sandbox, tmp_path, check_cli):
    from typer.testing import CliRunner

    from workspace_coach.cli.main import app

    out = tmp_path / "made"
    domain = f"made{time.time_ns()}.example.kr"
    result = CliRunner().invoke(app, [
        "sandbox", "tenant", "create", "--domain", domain, "--out", str(out),
        "--endpoint", sandbox.url, "--disable-api", "sheets.googleapis.com",
        "--grant-only", scopes.PUBLISH[0], "--non-admin-subject", f"staff@{domain}"])
    assert result.exit_code == 0, result.output
    assert f"subject staff@{domain}" in " ".join(result.output.split())
    report = json.loads(check_cli(out, "--for", "report-sheet", "--json").output)
    failing = {row["id"] for row in report["rows"] if row["status"] == "fail"}
    assert f"scope:{scopes.PUBLISH[1]}" in failing and "delegation" in failing


def test_group_settings_are_read_from_a_real_group_when_there_is_one(
        sandbox, tmp_path, check_cli):
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.connection import load_profile

    folder = new_tenant(sandbox, tmp_path)
    profile = load_profile(folder)
    directory = GoogleClients(profile, scopes.PROVISION).service("directory")
    directory.groups().insert(body={"email": f"team@{profile.domain}", "name": "Team"}).execute()
    before = requests.get(sandbox.url + "_sandbox/stats", timeout=10).json()["calls"]
    assert check_cli(folder, "--for", "audit").exit_code == 0
    after = requests.get(sandbox.url + "_sandbox/stats", timeout=10).json()["calls"]
    assert after.get("groupsSettings.groups.get", 0) > before.get("groupsSettings.groups.get", 0)


def test_a_sign_in_without_a_needed_permission(sandbox, tmp_path, check_cli):
    from workspace_coach.google.connection import load_profile
    from workspace_coach.sandbox.remote import write_secret

    folder = new_tenant(sandbox, tmp_path)
    profile = load_profile(folder)
    consent = requests.post(sandbox.url + "_sandbox/logins", timeout=10, json={
        "domain": profile.domain, "email": profile.admin, "scopes": list(scopes.AUDIT)}).json()
    write_secret(folder / "authorized-user.json", consent)
    text = (folder / "connection.yaml").read_text().replace("service-account.json",
                                                            "authorized-user.json")
    (folder / "connection.yaml").write_text(text)
    assert check_cli(folder, "--for", "audit").exit_code == 0
    result = check_cli(folder, "--for", "curriculum")
    assert result.exit_code == 1
    assert "invalid_scope" in result.output and "sign in again" in result.output


def test_a_subject_who_does_not_exist(sandbox, tmp_path, check_cli):
    folder = new_tenant(sandbox, tmp_path)
    profile_file = folder / "connection.yaml"
    text = profile_file.read_text()
    profile_file.write_text(text.replace("admin: admin@", "admin: nobody@"))
    result = check_cli(folder, "--for", "audit", "--json")
    assert result.exit_code == 1
    rows = {row["id"]: row for row in json.loads(result.output)["rows"]}
    assert rows["auth"]["status"] == "pass"
    assert rows["subject"]["status"] == "fail"
    assert "Invalid email or User ID" in rows["subject"]["detail"]
    assert "is not an active user of" in rows["subject"]["fix"]
    assert not any(key.startswith("scope:") for key in rows)
