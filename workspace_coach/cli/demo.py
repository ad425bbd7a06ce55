"""`workspace-coach demo`: three client organisations on the local sandbox, end to end.

The work lives in `workspace_coach.demo`; this module only turns options into settings.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from workspace_coach.demo.clients import DemoPlan, pick_clients
from workspace_coach.demo.run import DemoSettings, run_demo
from workspace_coach.paths import data_dir
from workspace_coach.resources import use_curricula

console = Console()


def demo(
    port: int = typer.Option(8765, help="Port of the demo sandbox."),
    clients_dir: Path = typer.Option(Path("clients"), help="Where client profiles are written."),
    data: Path = typer.Option(None, help="Folder for the sandbox's state (default: data dir)."),
    days: int = typer.Option(120, min=7, max=450, help="Days of activity to simulate and "
                             "collect, ending yesterday; coaching sessions fall a third and "
                             "three quarters of the way in."),
    client: list[str] = typer.Option(None, "--client", help="Only this demo client (haessal, "
                                     "saebom or moum); repeat for more. Default: all three."),
    dashboard: bool = typer.Option(True, "--dashboard/--no-dashboard", help="Start the coaching "
                                   "dashboard at the end (in the background)."),
    dashboard_port: int = typer.Option(8501, help="Port of the coaching dashboard."),
    curricula: Path = typer.Option(None, "--curricula", envvar="WC_CURRICULA",
                                   help="Folder of curricula to use instead of the ones that "
                                   "come with Workspace Coach."),
) -> None:
    """Run the demo on the local sandbox: three Korean client organisations (a co-operative, a
    social enterprise and a freelancers' network) provisioned by plan and apply, 120 days of
    activity with two coaching sessions each, collected, scored and checked in the coach's
    database, checklists published for one team, and the coaching dashboard started.

    Running it again reuses what exists: no tenant is recreated, the plans are empty, no day is
    simulated twice and collect fetches only new dates.
    """
    use_curricula(curricula)
    plan = DemoPlan(clients=pick_clients(client), days=days)
    run_demo(DemoSettings(port=port, data=data or data_dir() / "demo",
                          clients_dir=clients_dir, plan=plan,
                          dashboard_port=dashboard_port if dashboard else None), console)
