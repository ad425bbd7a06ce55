"""`run_demo`: the whole demo, step after step, in one function a reader can follow.

Every step reuses what an earlier run left (tenants, applied plans, simulated days, collected
dates), so running the demo again only does what a day's passing has made new.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

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
    plan: DemoPlan = field(default_factory=DemoPlan)


def run_demo(settings: DemoSettings, console: Console) -> list[ClientRun]:
    """Sandbox, clients, provisioning, coaching and activity, collect, summary."""
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
        for run in runs:
            steps.collect_client(run, engine, plan, today_pacific, console)
        # ▶ audit run: score and check each client here (one call, after collect).
        # ▶ curriculum publish: publish the curricula's checklists here (one call).
        console.rule("Where each client stands · 고객별 현황")
        found = print_summary(runs, engine, console)
    finally:
        engine.dispose()

    first_look = where_to_look(runs, found)
    if first_look is not None:
        console.print(f"\n[bold]Look next · 다음에 볼 곳:[/] {first_look.client.display_name} "
                      "has the fewest people with 2-step verification; its profile is "
                      f"{first_look.folder / 'connection.yaml'}")
    # ▶ dashboard: open http://localhost:8501 here (one call).
    console.print("The sandbox keeps running in the background; stop it with "
                  "'workspace-coach sandbox stop'.")
    console.print(f"Done in {time.monotonic() - began:.1f} s · 소요 시간")
    return runs
