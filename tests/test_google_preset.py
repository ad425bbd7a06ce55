"""A small client from roster to checklists against a sandbox answering like Google.

The sandbox runs the `google` preset (what `sandbox serve --realism google` starts with: a
fault now and then, Google's per-minute quotas, seconds before a new user, group or shared
drive is usable everywhere) with only its latency scaled down so the test stays short. The
commands run as a person types them, with the default retry policy (real waits): provisioning,
activity, collect, scores, the report sheet, checklists published and synced, each run twice.
Nothing may be duplicated and the training drive stays restricted to the organisation.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.conftest import make_tenant
from tests.test_cli_faults import Outcome, _Capture, until_success
from workspace_coach.cli.sandbox import serve_config
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.session import GoogleSession
from workspace_coach.sandbox.server import start

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "moum"
#: Only the latency is scaled (Google's 80-200 ms per call would make this test minutes long).
SCALED = {"latency_ms": 5.0, "latency_jitter_ms": 2.0, "seed": 5}


def test_the_control_api_preset_is_what_serve_gives():
    sandbox = start(":memory:")
    try:
        answer = requests.put(sandbox.url + "_sandbox/config", json={"preset": "google"},
                              timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json() == serve_config("google").to_dict()
        assert answer.json()["qpm"] == 2400 and 0 < answer.json()["fault_rate"] <= 0.02
        assert answer.json()["user_ready_ms"] >= 1000 and answer.json()["latency_ms"] >= 80
        bad = requests.put(sandbox.url + "_sandbox/config", json={"preset": "nope"},
                           timeout=10)
        assert bad.status_code == 400
    finally:
        sandbox.stop()


def test_the_preset_sets_only_settings_this_sandbox_has_and_flags_override_it():
    from dataclasses import fields

    from workspace_coach.errors import UserError
    from workspace_coach.sandbox.realism import GOOGLE_PRESET, RealismConfig

    known = {f.name for f in fields(RealismConfig)}
    config = serve_config("google").to_dict()
    for name, value in GOOGLE_PRESET.items():
        if name in known:
            assert config[name] == value, name
    assert serve_config("google", latency_ms=7).latency_ms == 7
    assert serve_config("google", fault_rate=0.5).fault_rate == 0.5
    with pytest.raises(UserError, match="--realism"):
        serve_config("googel")


@pytest.fixture(scope="module")
def google(tmp_path_factory):
    sandbox = start(":memory:")
    answer = requests.put(sandbox.url + "_sandbox/config", json={"preset": "google", **SCALED},
                          timeout=10)
    assert answer.status_code == 200, answer.text
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture(scope="module")
def moum(google, tmp_path_factory):
    """The moum example on a tenant of its own, consented to per-person insights, run through
    every command twice."""
    tmp = tmp_path_factory.mktemp("google")
    domain = "moum-google.coop"
    profile = make_tenant(google, tmp / "client", domain)
    profile = profile.model_copy(update={"per_person_insights": True})
    profile.save(profile.source)
    for name in ("org.yaml", "roster.csv"):
        text = (EXAMPLE / name).read_text(encoding="utf-8-sig")
        (tmp / name).write_text(text.replace("moum.coop", domain), encoding="utf-8")
    tenant = ["--connection", str(profile.source)]
    inputs = [*tenant, "--org", str(tmp / "org.yaml"), "--roster", str(tmp / "roster.csv")]
    patch = pytest.MonkeyPatch()
    patch.setenv("WC_DATA_DIR", str(tmp / "data"))
    patch.delenv("WC_DATABASE_URL", raising=False)
    patch.delenv("WC_RETRY_BASE", raising=False)
    patch.setenv("COLUMNS", "200")
    capsys = _Capture()
    argv = sys.argv
    found: dict[str, list[Outcome]] = {}

    def twice(name: str, args: list[str]) -> None:
        found[name] = [until_success(args, capsys), until_success(args, capsys)]

    try:
        twice("provision apply", ["provision", "apply", *inputs, "--yes"])
        twice("provision plan", ["provision", "plan", *inputs])
        twice("sandbox simulate", ["sandbox", "simulate", *tenant, "--days", "5", "--seed", "3"])
        twice("audit collect", ["audit", "collect", *tenant, "--days", "5"])
        twice("audit run", ["audit", "run", *tenant])
        twice("audit report sheet", ["audit", "report", *tenant, "--format", "sheet"])
        twice("curriculum publish", ["curriculum", "publish", *tenant, "--track",
                                     "new-member", "--team", f"learn@{domain}"])
        twice("curriculum sync", ["curriculum", "sync", *tenant, "--track", "new-member"])
    finally:
        sys.argv = argv
        capsys.close()
        patch.undo()
    return profile, tmp, found


COMMANDS = ["provision apply", "provision plan", "sandbox simulate", "audit collect",
            "audit run", "audit report sheet", "curriculum publish", "curriculum sync"]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_succeeds_twice_without_a_traceback(moum, command):
    _, _, found = moum
    for outcome in found[command]:
        for code, printed in outcome.runs:
            assert "Traceback" not in printed, printed
            assert code in (0, 1), printed
        assert outcome.succeeded, outcome.runs[-1][1][-2000:]


def test_the_second_plan_has_nothing_to_change(moum):
    _, _, found = moum
    code, printed = found["provision plan"][-1].runs[-1]
    assert code == 0 and "No changes" in printed, printed


def test_nothing_is_duplicated_and_the_training_drive_is_restricted(moum):
    profile, tmp, _ = moum
    session = GoogleSession(GoogleClients(profile, scopes.AUDIT))
    directory = session.service("directory")
    users = session.list_all(directory.users().list, "users", what="users",
                             customer="my_customer", maxResults=500)
    roster_rows = (tmp / "roster.csv").read_text(encoding="utf-8").strip().splitlines()[1:]
    names = Counter(u["name"]["fullName"] for u in users)
    assert len(users) == len(roster_rows) + 1, sorted(u["primaryEmail"] for u in users)
    assert not [n for n, k in names.items() if k > 1]
    groups = session.list_all(directory.groups().list, "groups", what="groups",
                              customer="my_customer")
    emails = Counter(g["email"] for g in groups)
    assert groups and not [e for e, k in emails.items() if k > 1]
    drive = session.service("drive")
    drives = session.list_all(drive.drives().list, "drives", what="drives",
                              useDomainAdminAccess=True, pageSize=100,
                              fields="nextPageToken,drives(id,name,restrictions)")
    drive_names = Counter(d["name"] for d in drives)
    assert not [n for n, k in drive_names.items() if k > 1], drive_names
    training = [d for d in drives if d["name"] == "교육 Training"]
    assert len(training) == 1
    assert training[0]["restrictions"]["domainUsersOnly"] is True
    files = session.list_all(drive.files().list, "files", what="sheets", corpora="allDrives",
                             includeItemsFromAllDrives=True, supportsAllDrives=True,
                             q="mimeType='application/vnd.google-apps.spreadsheet' and "
                               "trashed=false", pageSize=100)
    sheet_names = Counter(f["name"] for f in files)
    assert files and not [n for n, k in sheet_names.items() if k > 1], sheet_names
