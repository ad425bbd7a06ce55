"""`workspace-coach provision plan` and `apply` as an admin runs them, against the sandbox."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.provision.sandbox_setup import example

CLI = [sys.executable, "-m", "workspace_coach.cli.main", "provision"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *map(str, args)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "140",
                               "PYTHONPATH": str(Path(__file__).resolve().parents[2])})


@pytest.fixture
def haessal(sandbox, tmp_path):
    return example(sandbox, tmp_path)


def test_plan_save_apply_and_detailed_exit_codes(haessal, tmp_path):
    conn = haessal.profile.source
    out = tmp_path / "plan.json"
    planned = run("plan", "--connection", conn, "--org", haessal.org, "--roster", haessal.roster,
                  "--out", out, "--detailed-exitcode")
    assert planned.returncode == 2, planned.stderr
    assert "Shared drives (4)" in planned.stdout and "+ 회계 · 인사" in planned.stdout
    assert "Plan: 161 to create" in planned.stdout or "to create" in planned.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["checksum"]) == 64 and len(data["state_checksum"]) == 64
    applied = run("apply", "--connection", conn, "--plan", out)
    assert applied.returncode == 0, applied.stderr
    assert "Applied:" in applied.stdout and "Traceback" not in applied.stderr
    folder = conn.parent
    for name in ("provision-credentials.csv", "provision-slips.html"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600
    slips = (folder / "provision-slips.html").read_text(encoding="utf-8")
    assert "임시 비밀번호" in slips and "Initial password" in slips
    results = (folder / "provision-results.csv").read_text(encoding="utf-8-sig")
    assert results.startswith("phase,action,object,status,detail")
    again = run("plan", "--connection", conn, "--org", haessal.org, "--roster", haessal.roster,
                "--detailed-exitcode")
    assert again.returncode == 0, again.stderr
    assert "No changes" in again.stdout
    reapplied = run("apply", "--connection", conn, "--plan", out)  # a finished plan: no-op
    assert reapplied.returncode == 0 and "161 skipped" in reapplied.stdout, reapplied.stdout
    haessal.edit_roster(lambda lines: [ln.replace(",교육,/교육,강사,", ",교육,/교육,선임강사,")
                                       for ln in lines])
    second = tmp_path / "second.json"
    assert run("plan", "--connection", conn, "--org", haessal.org, "--roster", haessal.roster,
               "--out", second).returncode == 0
    target = json.loads(second.read_text(encoding="utf-8"))["changes"][0]["key"]
    haessal.session().service("directory").users().patch(
        userKey=target, body={"orgUnitPath": "/홍보"}).execute()
    stale = run("apply", "--connection", conn, "--plan", second)
    assert stale.returncode == 1
    assert "the tenant changed since this plan was made" in stale.stderr
    assert target in stale.stderr and "Traceback" not in stale.stderr


def test_markdown_plan_for_a_client_report(haessal):
    md = run("plan", "--connection", haessal.profile.source, "--org", haessal.org,
             "--roster", haessal.roster, "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith(f"# Provisioning plan for {haessal.domain}")
    assert "## Shared drives (4)" in md.stdout and "| create | 회계 · 인사 |" in md.stdout
    assert "Plan checksum `" in md.stdout


def test_roster_alone_provisions_into_its_org_units(haessal, tmp_path):
    roster = tmp_path / "people.csv"
    roster.write_text("이름,영문이름,조직\n김가람,,/새팀\n이나래,,\n", encoding="utf-8")
    applied = run("apply", "--connection", haessal.profile.source, "--roster", roster, "--yes")
    assert applied.returncode == 0, applied.stderr
    users = haessal.session().service("directory").users().list(
        customer="my_customer").execute()["users"]
    where = {u["primaryEmail"].split("@")[0]: u["orgUnitPath"] for u in users}
    assert where["garam.kim"] == "/새팀" and where["narae.lee"] == "/"


def test_apply_needs_a_plan_or_yes(haessal):
    result = run("apply", "--connection", haessal.profile.source, "--roster", haessal.roster)
    assert result.returncode == 1 and "--yes" in result.stderr
    assert "Traceback" not in result.stderr
