"""The demo's steps, each safe to run again: it reuses what exists and only adds what is missing.

- `start_sandbox`: a background sandbox, or the one already answering on the port;
- `ensure_client`: the client's tenant and connection profile (display name and consent kept in
  step with the demo's settings);
- `provision`: plan and apply from the client's example, with the package's own planner and
  applier (the same calls `workspace-coach provision apply` makes); a second run plans nothing;
- `record_sessions` and `simulate`: coaching sessions through the sandbox's control API, then the
  days of activity the simulator has not written yet;
- `collect_clients`: every client's directory, usage reports and activities into the coach's
  database, the clients side by side; a second run fetches only new dates;
- `store_sessions`: the same coaching sessions in the coach's history, as the dashboard's
  session page would record them (each date once);
- `audit`: scores and checks from the stored data (`workspace-coach audit run`);
- `publish_checklists`: the new-member checklists of one team of a client that consented, as
  Google Sheets in its training shared drive (`workspace-coach curriculum publish`);
- `start_dashboard`: the coaching dashboard in the background, or the one already answering.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import requests
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from workspace_coach.audit.collect import CollectReport, collect
from workspace_coach.demo.clients import DemoClient, DemoPlan
from workspace_coach.errors import UserError
from workspace_coach.google.connection import ConnectionProfile, load_profile
from workspace_coach.sandbox import process
from workspace_coach.sandbox.coaching import coaching_sessions, record_coaching_session
from workspace_coach.sandbox.remote import control, create_tenant_profile


@dataclass
class ClientRun:
    """What the demo did for one client in this run."""

    client: DemoClient
    folder: Path
    profile: ConnectionProfile
    created: bool = False
    plan_summary: str = ""
    applied: dict[str, int] = field(default_factory=dict)
    sessions: list[date] = field(default_factory=list)
    sessions_recorded: int = 0
    days_simulated: int = 0
    days_skipped: int = 0
    events_written: int = 0
    collected: CollectReport | None = None

    @property
    def label(self) -> str:
        return self.client.display_name


# -- the sandbox ------------------------------------------------------------------------------

def start_sandbox(data: Path, port: int, console: Console) -> str:
    """The URL of a sandbox on `port`: the one already answering there, or a new background one
    keeping its state in `data`."""
    with console.status("Starting the local Workspace sandbox · 샌드박스 시작..."):
        url, started = process.ensure_running(data, port)
    console.print(f"[green]✓[/] Sandbox {'started' if started else 'already running'} at "
                  f"{escape(url)}")
    return url


def sandbox_today(url: str) -> tuple[date, date]:
    """(today in Korea, today in California) by the sandbox's clock."""
    clock = control(url, "GET", "_sandbox/clock")
    return date.fromisoformat(clock["today_korea"]), date.fromisoformat(clock["today_pacific"])


# -- tenants and profiles ---------------------------------------------------------------------

def ensure_client(url: str, client: DemoClient, clients_dir: Path, console: Console
                  ) -> ClientRun:
    """The client's tenant and `clients_dir/<slug>/connection.yaml`, created once."""
    folder = clients_dir / client.slug
    known = {t["customerDomain"] for t in control(url, "GET", "_sandbox/tenants")["tenants"]}
    profile_file = folder / "connection.yaml"
    created = False
    if client.domain not in known:
        create_tenant_profile(client.domain, folder, endpoint=url, name=client.slug)
        created = True
    elif not profile_file.exists():
        raise UserError(f"{client.domain} exists in the sandbox but {profile_file} is missing "
                        "(its key cannot be issued twice); stop the sandbox with 'workspace-coach "
                        "sandbox stop' and remove its data folder to start the demo afresh")
    profile = load_profile(profile_file)
    wanted = {"display_name": client.display_name,
              "per_person_insights": client.per_person_insights,
              "share_name_in_reports": client.share_name_in_reports}
    if any(getattr(profile, k) != v for k, v in wanted.items()):
        profile = profile.model_copy(update=wanted)
        profile.save(profile_file)
        profile = load_profile(profile_file)
    consent = " · per-person insights consented (개인별 분석 동의)" \
        if client.per_person_insights else ""
    verb = "Created" if created else "Reusing"
    console.print(f"[green]✓[/] {verb} client " + escape(f"{client.display_name} → {folder}"
                                                          f"{consent}"))
    return ClientRun(client, folder, profile, created=created)


# -- provisioning -----------------------------------------------------------------------------

def provision(run: ClientRun, console: Console) -> None:
    """Plan from the example's org.yaml and roster; apply when there is something to do.

    The plan is saved next to the profile (`provision-plan.json`) as the latest plan."""
    from workspace_coach.google import scopes
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.session import GoogleSession
    from workspace_coach.provision.apply import (
        Applier,
        credentials_path,
        journal_path,
        write_outputs,
    )
    from workspace_coach.provision.journal import Journal
    from workspace_coach.provision.passwords import CredentialStore
    from workspace_coach.provision.plan import make_plan
    from workspace_coach.provision.render import summary
    from workspace_coach.provision.roster import read_roster
    from workspace_coach.provision.spec import load_spec

    client, profile = run.client, run.profile
    spec = load_spec(client.org_file)
    people = read_roster(client.roster_file)
    session = GoogleSession(GoogleClients(profile, scopes.PROVISION))
    with console.status(f"Planning {client.slug} · 계획 중..."):
        plan, state = make_plan(session, domain=profile.domain, admin=profile.admin,
                                customer=profile.customer, roster=people, spec=spec)
    plan.save(run.folder / "provision-plan.json")
    run.plan_summary = summary(plan)
    console.print(f"  {client.slug}: {run.plan_summary}", markup=False)
    for warning in plan.warnings:  # warnings quote roster names: text, never markup
        console.print(f"  [yellow]warning:[/] {escape(warning)}")
    if not plan.changes:
        return
    journal = Journal(journal_path(profile))
    creds = CredentialStore(credentials_path(profile))
    try:
        result = Applier(session, plan, profile, journal=journal, credentials=creds,
                         console=console).run(state=state)
    finally:
        journal.close()
    paths = write_outputs(result, run.folder, creds, profile.domain)
    run.applied = result.counts()
    console.print(f"  {client.slug}: applied " + ", ".join(
        f"{v} {k}" for k, v in sorted(run.applied.items())) + f"; results {paths['results']}",
        markup=False)
    if result.failed:
        raise UserError(f"{client.slug}: {len(result.failed)} provisioning step(s) failed "
                        f"(see {paths['results']}); run the demo again to retry them")


# -- coaching and activity --------------------------------------------------------------------

def window(today_korea: date, days: int) -> tuple[date, date]:
    """The Korean days the demo simulates: `days` of them, ending yesterday."""
    last = today_korea - timedelta(days=1)
    return last - timedelta(days=days - 1), last


def record_sessions(url: str, run: ClientRun, plan: DemoPlan, first: date) -> None:
    """Coaching sessions `plan.session_days` into the window, unless the client has had them.

    They are recorded before the days are simulated, so the simulator lifts adoption from each
    session's date on."""
    domain = run.profile.domain
    dates = sorted(date.fromisoformat(s["date"]) for s in coaching_sessions(url, domain))
    if len(dates) < len(plan.session_days):
        notes = run.client.session_notes
        for n, offset in enumerate(plan.session_days[len(dates):], start=len(dates)):
            day = first + timedelta(days=offset)
            record_coaching_session(url, domain, day, notes[n] if n < len(notes) else "")
            dates.append(day)
            run.sessions_recorded += 1
    run.sessions = sorted(dates)


def simulate(url: str, runs: list[ClientRun], plan: DemoPlan, first: date, last: date,
             console: Console) -> None:
    """Activity for every client from `first` to `last`; days already simulated are skipped."""
    days = (last - first).days + 1
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("days  {task.fields[events]:>9,} events"), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks = {r.client.slug: bar.add_task(f"Simulating {r.client.slug}", total=days, events=0)
                 for r in runs}
        for run in runs:
            start = first
            while start <= last:
                end = min(last, start + timedelta(days=plan.simulate_chunk_days - 1))
                result = control(url, "POST", "_sandbox/simulate", {
                    "domain": run.profile.domain, "days": (end - start).days + 1,
                    "until": end.isoformat(), "seed": run.client.seed,
                    "profile": run.client.profile})
                run.events_written += result["events_written"]
                run.days_simulated += len(result["days_simulated"])
                run.days_skipped += len(result["days_skipped"])
                bar.update(tasks[run.client.slug], advance=(end - start).days + 1,
                           events=run.events_written)
                start = end + timedelta(days=1)
    for run in runs:
        skipped = f", {run.days_skipped} day(s) already there" if run.days_skipped else ""
        console.print(f"  {run.client.slug}: {run.days_simulated} day(s) simulated, "
                      f"{run.events_written:,} events{skipped}; coaching sessions "
                      + ", ".join(d.isoformat() for d in run.sessions))


# -- the coach's database ---------------------------------------------------------------------

def collect_clients(runs: list[ClientRun], engine: Engine, plan: DemoPlan,
                    today_pacific: date, console: Console) -> None:
    """Collect every client into the coach's database, side by side (each with its calls in
    flight at once), as `audit collect --all` does; only new dates are fetched again. Each
    outcome is recorded for the dashboard's Clients page."""
    from concurrent.futures import ThreadPoolExecutor

    from workspace_coach.runs.every_client import recorded
    from workspace_coach.runs.progress import advancer

    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        tasks = {r.client.slug: bar.add_task(f"Collecting {r.client.slug}", total=0)
                 for r in runs}

        def one(run: ClientRun) -> float:
            advance = advancer(bar, tasks[run.client.slug], field=None)
            began = time.monotonic()
            with recorded(engine, run.client.slug, "collect"):
                run.collected = collect(run.profile, engine, days=plan.days, progress=advance,
                                        today=today_pacific)
            return time.monotonic() - began

        with ThreadPoolExecutor(max_workers=len(runs) or 1) as pool:
            seconds = list(pool.map(one, runs))
    for run, took in zip(runs, seconds, strict=True):
        report = run.collected
        assert report is not None
        events = sum(report.events_seen.values())
        console.print(f"  {run.client.slug}: {len(report.dates_fetched)} usage date(s) fetched, "
                      f"{events:,} activities read, {report.total_rows:,} rows added, "
                      f"{report.total_calls} API calls, {took:.1f} s")


def store_sessions(run: ClientRun, engine: Engine) -> int:
    """The client's coaching sessions in the coach's database; dates already there are kept."""
    from workspace_coach.coaching.sessions import FollowUpDraft, create_session, list_sessions
    from workspace_coach.storage.clients import client_by_slug

    with engine.connect() as conn:  # collected first, so a missing client means it failed
        client = client_by_slug(conn, run.client.slug)
    held = {s.held_on for s in list_sessions(engine, client.id)}
    notes = run.client.session_notes
    added = 0
    for n, day in enumerate(run.sessions):
        if day in held:
            continue
        title = notes[n] if n < len(notes) else f"코칭 {n + 1}회차 · Coaching session {n + 1}"
        create_session(engine, client, held_on=day, title=title,
                       notes=f"{title}\n\n(데모 기록 · recorded by the demo)",
                       follow_ups=[FollowUpDraft(f"다음 세션 전까지 실습: {title}", None,
                                                 day + timedelta(days=14))])
        added += 1
    return added


def audit(run: ClientRun, engine: Engine, console: Console) -> None:
    """Score and check the client from what was collected."""
    from workspace_coach.audit.run import run_audit

    report = run_audit(run.profile, engine)
    overall = next((s.value for s in report.latest("org") if s.category == "overall"), None)
    failing = [o for o in report.checks if o.status == "fail"]
    critical = sum(o.severity == "critical" for o in failing)
    shown = "–" if overall is None else f"{overall:.0f}"
    console.print(f"  {run.client.slug}: overall {shown}/100 on {report.as_of}; "
                  f"{len(failing)} failing check(s), {critical} critical; "
                  f"{report.seconds:.1f} s")


def publish_checklists(run: ClientRun, engine: Engine, console: Console) -> None:
    """The new-member checklist of the client's `checklist_team`, one sheet per trainee."""
    from workspace_coach.curriculum.publish import publish
    from workspace_coach.curriculum.tracks import load_track

    team = run.client.checklist_team
    if team is None:
        return
    began = time.monotonic()
    report = publish(run.profile, engine, load_track("new-member"), team=team)
    created = sum(sheet.created for sheet in report.sheets)
    console.print(f"  {run.client.slug}: {len(report.sheets)} checklist(s) for {team} "
                  f"({created} new, {len(report.sheets) - created} updated), "
                  f"{time.monotonic() - began:.1f} s", markup=False)


def start_dashboard(port: int, log: Path, database_url: str | None) -> tuple[str, bool]:
    """The dashboard on `port`: (url, started). One already answering there is reused."""
    import os
    import subprocess
    import sys

    url = f"http://localhost:{port}"
    if _dashboard_up(url):
        return url, False
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "workspace_coach.cli.main", "dashboard", "--port", str(port)]
    if database_url:
        command += ["--database", database_url]
    with log.open("ab") as out:
        subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if _dashboard_up(url):
            return url, True
        time.sleep(0.5)
    raise UserError(f"the dashboard did not start on port {port}; see {log}")


def _dashboard_up(url: str) -> bool:
    try:
        return requests.get(f"{url}/_stcore/health", timeout=2).ok
    except requests.RequestException:
        return False
