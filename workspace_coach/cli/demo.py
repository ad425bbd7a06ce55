"""`workspace-coach demo`: the main job end to end on the local sandbox.

1. start (or reuse) a background sandbox;
2. create the Haessal co-operative's tenant and provision it from `examples/haessal` by plan and
   apply, through the same commands an admin runs against a live tenant;
3. record a coaching session and simulate 90 days of how its people use Workspace;
4. read adoption back through the Admin SDK Reports API and say what to try next.

Running it again reuses what exists: the plan is empty and no day is simulated twice.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import requests
import typer
from rich.console import Console
from rich.table import Table

from workspace_coach.cli.sandbox import create_tenant_profile
from workspace_coach.errors import UserError
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile, load_profile
from workspace_coach.paths import data_dir
from workspace_coach.sandbox import process
from workspace_coach.sandbox.coaching import coaching_sessions, record_coaching_session

console = Console()

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIMULATED_DAYS = 90

# Customer-level figures worth showing a coach first (Reports API parameter, label).
HEADLINE = (
    ("accounts:num_users", "people · 구성원"),
    ("accounts:num_7day_logins", "logged in, last 7 days · 7일 로그인"),
    ("accounts:num_users_2sv_enrolled", "2-step verification · 2단계 인증"),
    ("drive:num_30day_active_users", "Drive users, 30 days · 드라이브 사용"),
    ("meet:num_meetings", "meetings that day · 회의 수"),
    ("chat:num_28day_communicator_users", "Chat users, 28 days · 채팅 사용"),
)


def demo(
    port: int = typer.Option(8765, help="Port of the demo sandbox."),
    clients_dir: Path = typer.Option(Path("clients"), help="Where client profiles are written."),
    data: Path = typer.Option(None, help="Folder for the sandbox's state (default: data dir)."),
) -> None:
    """Run the demo on the local sandbox: provision a Korean co-operative, simulate 90 days of
    activity, and read its adoption back through Google's APIs."""
    state = data or data_dir() / "demo"
    example = _short(EXAMPLES / "haessal")
    if not (example / "org.yaml").exists():
        raise UserError(f"the example organisation is missing: {example}")
    with console.status("Starting the local Workspace sandbox..."):
        url, started = process.ensure_running(state, port)
    console.print(f"[green]✓[/] Sandbox {'started' if started else 'already running'} at {url}")

    folder = clients_dir / "haessal"
    known = {t["customerDomain"] for t in _control(url, "GET", "_sandbox/tenants")["tenants"]}
    if "haessal.coop.kr" in known and (folder / "connection.yaml").exists():
        console.print(f"[green]✓[/] Client 해살 협동조합 (Haessal) already set up ({folder})")
    else:
        create_tenant_profile("haessal.coop.kr", folder, endpoint=url, name="haessal")
        console.print(f"[green]✓[/] Created client 해살 협동조합 (Haessal) → {folder}")
    profile = load_profile(folder / "connection.yaml")

    console.rule("Provisioning: plan and apply from examples/haessal")
    _cli("provision", "apply", "--connection", str(folder), "--org", str(example / "org.yaml"),
         "--roster", str(example / "roster.csv"), "--yes")

    console.rule(f"Activity: {SIMULATED_DAYS} days with a coaching session")
    today = date.fromisoformat(_control(url, "GET", "_sandbox/clock")["today_korea"])
    coaching = today - timedelta(days=SIMULATED_DAYS // 2)
    if not coaching_sessions(url, profile.domain):
        record_coaching_session(url, profile.domain, coaching, "2단계 인증과 공유 드라이브 안내")
    _cli("sandbox", "simulate", "--connection", str(folder), "--days", str(SIMULATED_DAYS),
         "--profile", "mixed", "--seed", "1")

    console.rule("Adoption, read back through the Reports API")
    clock = _control(url, "GET", "_sandbox/clock")
    _headline(profile, date.fromisoformat(clock["today_pacific"]) - timedelta(days=3))
    console.print("\n[bold]Try next · 다음 단계[/]")
    console.print(f"  workspace-coach provision plan --connection {folder} "
                  f"--org {example / 'org.yaml'} --roster {example / 'roster.csv'}")
    console.print("  workspace-coach curriculum lint")
    console.print(f"  Passwords for the new accounts: {folder / 'provision-credentials.csv'} "
                  "(and printable slips next to it)")
    console.print("  The sandbox keeps running in the background; stop it with "
                  "'workspace-coach sandbox stop'.")


def _short(path: Path) -> Path:
    """The path as a person would type it from here."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _cli(*args: str) -> None:
    """Run a workspace-coach command as an admin would, streaming its output."""
    result = subprocess.run([sys.executable, "-m", "workspace_coach.cli.main", *args])
    if result.returncode != 0:
        raise UserError(f"'workspace-coach {' '.join(args[:2])}' failed (exit {result.returncode})")


def _control(url: str, method: str, path: str, body: dict | None = None) -> dict:
    answer = requests.request(method, url + path, json=body, timeout=60)
    answer.raise_for_status()
    return answer.json()


def _headline(profile: ConnectionProfile, day: date) -> None:
    """Customer usage for `day`: reports lag two Pacific days, like Google's, so the demo asks
    for the newest complete one."""
    reports = GoogleClients(profile, scopes.AUDIT).service("reports")
    answer = reports.customerUsageReports().get(
        date=day.isoformat(), parameters=",".join(name for name, _ in HEADLINE)).execute()
    values: dict[str, str] = {}
    for report in answer.get("usageReports", []):
        for parameter in report.get("parameters", []):
            value = parameter.get("intValue", parameter.get("boolValue", ""))
            values[parameter["name"]] = str(value)
    table = Table(title=f"{profile.domain} on {day.isoformat()} (customerUsageReports)",
                  title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, label in HEADLINE:
        table.add_row(label, values.get(name, "–"))
    console.print(table)
