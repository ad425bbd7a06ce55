"""Every command that talks to a tenant, against a sandbox answering 30% of calls with a fault.

Each run of a command ends in success or in one clear `error:` line (exit 1), never a
traceback; running it again picks up where it stopped, and after a few runs it succeeds
(provisioning converges: a last `provision plan` says there is nothing left to change).

The commands run in this process through the console-script entry (`main.run`), as a person
types them; retry waits are shortened with WC_RETRY_BASE, the environment variable the default
retry policy reads, so nothing here is specific to the sandbox.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import configure_sandbox
from tests.provision.sandbox_setup import example as haessal_example
from workspace_coach.cli import main
from workspace_coach.sandbox.realism import FAULT_KINDS
from workspace_coach.sandbox.server import start

FAULTS = {"fault_rate": 0.3, "fault_kinds": list(FAULT_KINDS), "seed": 11}
#: Runs a command gets to succeed: each picks up what the previous one left.
RUNS = 6


@dataclass
class Outcome:
    args: list[str]
    runs: list[tuple[int, str]] = field(default_factory=list)  # (exit code, stdout + stderr)

    @property
    def succeeded(self) -> bool:
        return any(code == 0 for code, _ in self.runs)


def invoke(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """One command line through the console-script entry; (exit code, everything printed).
    An exception that escapes `run()` is a traceback a person would see: it fails the test."""
    capsys.readouterr()
    sys.argv = ["workspace-coach", *args]
    code = 0
    try:
        main.run()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def until_success(args: list[str], capsys) -> Outcome:
    outcome = Outcome(args)
    for _ in range(RUNS):
        outcome.runs.append(invoke(args, capsys))
        if outcome.runs[-1][0] == 0:
            break
    return outcome


@pytest.fixture(scope="module")
def faulty():
    sandbox = start(":memory:")
    try:
        yield sandbox
    finally:
        sandbox.stop()



@pytest.fixture(scope="module")
def outcomes(faulty, tmp_path_factory) -> Iterator[dict[str, Outcome]]:
    """The whole sequence once, faults on from the first call; each test reads its command."""
    tmp = tmp_path_factory.mktemp("faults")
    made = haessal_example(faulty, tmp)
    # checklists show each trainee's evidence: the client has consented
    made.profile.model_copy(update={"per_person_insights": True}).save(made.profile.source)
    patch = pytest.MonkeyPatch()
    patch.setenv("WC_DATA_DIR", str(tmp / "data"))
    patch.delenv("WC_DATABASE_URL", raising=False)
    patch.setenv("WC_RETRY_BASE", "0.001")
    patch.setenv("COLUMNS", "200")
    capsys = _Capture()
    argv = sys.argv
    connection = str(made.profile.source)
    tenant = ["--connection", connection]
    inputs = [*tenant, "--org", str(made.org), "--roster", str(made.roster)]
    found: dict[str, Outcome] = {}
    try:
        configure_sandbox(faulty, **FAULTS)
        found["connection check"] = until_success(["connection", "check", *tenant], capsys)
        found["provision plan"] = until_success(["provision", "plan", *inputs], capsys)
        found["provision apply"] = until_success(["provision", "apply", *inputs, "--yes"],
                                                 capsys)
        # converge: plan, apply what is left, until a plan has nothing to change
        converge = Outcome(["provision", "plan", *inputs, "--detailed-exitcode"])
        for _ in range(2 * RUNS):
            converge.runs.append(invoke(converge.args, capsys))
            if converge.runs[-1][0] == 0:
                break
            if converge.runs[-1][0] == 2:
                found["provision apply"].runs.append(
                    invoke(["provision", "apply", *inputs, "--yes"], capsys))
        found["provision converges"] = converge
        found["sandbox simulate"] = until_success(
            ["sandbox", "simulate", "--connection", connection, "--days", "7", "--seed", "3"],
            capsys)
        found["audit collect"] = until_success(["audit", "collect", *tenant, "--days", "7"],
                                               capsys)
        found["audit run"] = until_success(["audit", "run", *tenant], capsys)
        found["audit report html"] = until_success(
            ["audit", "report", *tenant, "--format", "html", "--out", str(tmp / "r.html")],
            capsys)
        found["audit report csv"] = until_success(
            ["audit", "report", *tenant, "--format", "csv", "--out", str(tmp / "csv")], capsys)
        found["audit report sheet"] = until_success(
            ["audit", "report", *tenant, "--format", "sheet"], capsys)
        found["curriculum publish"] = until_success(
            ["curriculum", "publish", *tenant, "--track", "new-member", "--team", "/교육"],
            capsys)
        found["curriculum sync"] = until_success(
            ["curriculum", "sync", *tenant, "--track", "new-member"], capsys)
        found["curriculum progress"] = until_success(
            ["curriculum", "progress", *tenant, "--track", "new-member"], capsys)
        # the demo's steps on one small client, reusing this sandbox (it answers on the port)
        port = faulty.url.rstrip("/").rsplit(":", 1)[-1]
        found["demo"] = until_success(
            ["demo", "--port", port, "--days", "7", "--client", "moum", "--no-dashboard",
             "--clients-dir", str(tmp / "clients")], capsys)
    finally:
        sys.argv = argv
        capsys.close()
        configure_sandbox(faulty)
        patch.undo()
    yield found


class _Capture:
    """capsys for a module-scoped fixture: the commands print through Rich consoles that
    write to whatever `sys.stdout` / `sys.stderr` are at print time."""

    def __init__(self) -> None:
        import io

        self._io = io
        self._streams = sys.stdout, sys.stderr

    def close(self) -> None:
        sys.stdout, sys.stderr = self._streams

    def readouterr(self):
        out, err = getattr(self, "_out", None), getattr(self, "_err", None)
        result = _Captured(out.getvalue() if out else "", err.getvalue() if err else "")
        self._out, self._err = self._io.StringIO(), self._io.StringIO()
        sys.stdout, sys.stderr = self._out, self._err
        return result


@dataclass
class _Captured:
    out: str
    err: str


COMMANDS = ["connection check", "provision plan", "provision apply", "provision converges",
            "sandbox simulate", "audit collect", "audit run", "audit report html", "audit report csv",
            "audit report sheet", "curriculum publish", "curriculum sync",
            "curriculum progress", "demo"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_run_ends_in_success_or_one_clear_line(outcomes, command):
    outcome = outcomes[command]
    for code, printed in outcome.runs:
        assert "Traceback" not in printed, printed
        assert code in (0, 1, 2), (code, printed)
        if code == 1:
            errors = [line for line in printed.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1, printed
    assert outcome.succeeded, (command, outcome.runs[-1][1][-2000:])


def test_provisioning_converges_to_no_changes(outcomes):
    code, printed = outcomes["provision converges"].runs[-1]
    assert code == 0 and "No changes" in printed, printed



# -- the last resort in `run()`: real errors of the real libraries, from a sandbox ---------------

def _real_errors(sandbox, tmp: Path) -> dict[str, BaseException]:
    """One error of each kind a command could let escape, made by the libraries themselves."""
    import gspread.exceptions
    from google.auth.exceptions import RefreshError
    from google.auth.transport.requests import Request
    from googleapiclient.errors import HttpError

    from tests.conftest import make_tenant
    from workspace_coach.google import scopes
    from workspace_coach.google.clients import GoogleClients

    profile = make_tenant(sandbox, tmp / "errors")
    clients = GoogleClients(profile, scopes.PUBLISH)
    found: dict[str, BaseException] = {}
    try:  # SpreadsheetNotFound, raised from gspread's APIError
        clients.gspread().open_by_key("no-such-sheet")
    except gspread.exceptions.GSpreadException as exc:
        found["gspread"] = exc
    try:  # a call that bypasses GoogleSession
        clients.service("drive").files().get(fileId="no-such-file", supportsAllDrives=True
                                             ).execute(http=clients.http())
    except HttpError as exc:
        found["http"] = exc
    stranger = profile.model_copy(update={"admin": "ghost@elsewhere.example"})
    try:  # delegation to someone outside the tenant is refused at the token endpoint
        GoogleClients(stranger, scopes.AUDIT).credentials.refresh(Request())
    except RefreshError as exc:
        found["auth"] = exc
    try:
        requests.get("http://127.0.0.1:9/", timeout=5)
    except requests.ConnectionError as exc:
        found["network"] = exc
    return found


def test_google_shaped_errors_that_escape_a_command_are_one_line(faulty, tmp_path, capsys,
                                                                  monkeypatch):
    import typer

    configure_sandbox(faulty)
    errors = _real_errors(faulty, tmp_path)
    assert set(errors) == {"gspread", "http", "auth", "network"}
    for kind, error in errors.items():
        line = main.google_failure_line(error)
        assert line and "\n" not in line, kind
        assert line.startswith("a Google call failed: "), line
    assert "404" in main.google_failure_line(errors["gspread"])
    assert "404" in main.google_failure_line(errors["http"])
    assert "authorisation failed" in main.google_failure_line(errors["auth"])
    # through the console-script entry: exit 1, one `error:` line, no traceback
    for error in errors.values():
        broken = typer.Typer()

        @broken.command()
        def boom(_error=error) -> None:
            raise _error

        monkeypatch.setattr(main, "app", broken)
        code, printed = invoke([], capsys)
        assert code == 1 and "Traceback" not in printed, printed
        assert [line for line in printed.splitlines() if line] == [
            "error: " + main.google_failure_line(error)], printed
    # anything else is a bug, and stays one
    broken = typer.Typer()

    @broken.command()
    def bug() -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(main, "app", broken)
    with pytest.raises(KeyError):
        invoke([], capsys)
