"""`run_demo`: the whole demo, step after step, in one function a reader can follow.

Every step reuses what an earlier run left (tenants, applied plans, simulated days, collected
dates), so running the demo again only does what a day's passing has made new.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from workspace_coach.demo import steps
from workspace_coach.demo.clients import DemoPlan
from workspace_coach.demo.steps import ClientRun
from workspace_coach.demo.summary import print_summary, where_to_look


@dataclass
class DemoSettings:
    """Where the demo runs and what it makes."""

    port: int = 8765
    data: Path = Path("demo")               # the background sandbox's state
    clients_dir: Path = Path("clients")     # connection profiles, plans, credentials
    database_url: str | None = None         # the coach's database (default: WC_DATABASE_URL)
    dashboard_port: int | None = 8501       # None: do not start the dashboard
    plan: DemoPlan = field(default_factory=DemoPlan)


def run_demo(settings: DemoSettings, console: Console) -> list[ClientRun]:
    """Sandbox, clients, provisioning, coaching and activity, collect, audit, checklists,
    summary and the dashboard."""
    from workspace_coach.storage.db import make_engine

    began = time.monotonic()
    plan = settings.plan
    url = steps.start_sandbox(settings.data, settings.port, console)
    runs = [steps.ensure_client(url, client, settings.clients_dir, console)
            for client in plan.clients]

    console.rule("Provisioning: plan and apply from examples/ · 계정 준비")
    for run in runs:
        steps.provision(run, console)

    today_korea, today_pacific = steps.sandbox_today(url)
    first, last = steps.window(today_korea, plan.days)
    console.rule(f"Activity: {plan.days} days, {len(plan.session_days)} coaching sessions "
                 "· 활동과 코칭")
    for run in runs:
        steps.record_sessions(url, run, plan, first)
    steps.simulate(url, runs, plan, first, last, console)

    console.rule("Collect into the coach's database · 수집")
    engine = make_engine(settings.database_url)
    try:
        steps.collect_clients(runs, engine, plan, today_pacific, console)
        console.rule("Audit: scores and checks · 점수와 점검")
        for run in runs:
            steps.store_sessions(run, engine)
            steps.audit(run, engine, console)
        if any(run.client.checklist_team for run in runs):
            console.rule("Checklists for trainees · 체크리스트 배포")
            for run in runs:
                steps.publish_checklists(run, engine, console)
        console.rule("Where each client stands · 고객별 현황")
        found = print_summary(runs, engine, console)
    finally:
        engine.dispose()

    first_look = where_to_look(runs, found)
    if first_look is not None:
        console.print("\n[bold]Look next · 다음에 볼 곳:[/] " + escape(
            f"{first_look.client.display_name} has the fewest people with 2-step "
            f"verification; its profile is {first_look.folder / 'connection.yaml'}"))
    if settings.dashboard_port is not None:
        with console.status("Starting the coaching dashboard..."):
            url, started = steps.start_dashboard(settings.dashboard_port,
                                                 settings.data / "dashboard.log",
                                                 settings.database_url)
        console.print("\n[bold green]Dashboard · 대시보드:[/] " + escape(
            f"{url}  ({'started' if started else 'already running'}) — open "
            f"{first_look.client.display_name if first_look else 'a client'} on the "
            "Clients page, then Overview and Session."))
    console.print("The sandbox keeps running in the background; stop it with "
                  "'workspace-coach sandbox stop'.")
    console.print(f"Done in {time.monotonic() - began:.1f} s · 소요 시간")
    return runs
