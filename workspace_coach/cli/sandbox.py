"""`workspace-coach sandbox ...`: run the local Workspace sandbox and create tenants in it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.text import Text

from workspace_coach.errors import UserError
from workspace_coach.sandbox.remote import (
    DEFAULT_ENDPOINT,
    control,
    create_tenant_profile,
    write_secret,
)

if TYPE_CHECKING:
    from workspace_coach.sandbox.realism import RealismConfig

app = typer.Typer(
    help="The local Google Workspace sandbox: serve it and create tenants in it.",
    no_args_is_help=True,
)
tenant_app = typer.Typer(help="Tenants (customers) inside a running sandbox.",
                         no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")

console = Console()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind; keep it local."),
    port: int = typer.Option(8765, help="Port to listen on."),
    db: str = typer.Option(
        "", help="SQLite file for the sandbox's state, or ':memory:'. "
        "Default: sandbox.sqlite3 in the data directory (WC_DATA_DIR)."),
    latency_ms: float = typer.Option(0.0, help="Mean latency added to every request."),
    fault_rate: float = typer.Option(
        0.0, help="Share of calls answered with a fault (503, 500, 429, 403 rate limit, "
        "dropped connection), 0 to 1."),
    qpm: int = typer.Option(0, help="Queries per minute per user per API (Google: 2400); "
                            "0 means unlimited."),
    realism: str = typer.Option(
        "", help="A preset answering like Google on a normal day: 'google' (latency, a 1% "
        "fault rate, Google's per-minute quotas, seconds before new objects are usable). "
        "--latency-ms, --fault-rate and --qpm, when given, override it."),
) -> None:
    """Serve Google's APIs locally (Directory, Reports, Drive, Groups Settings, Sheets, OAuth).

    Point a connection profile's `endpoint` at the printed URL; `sandbox tenant create` writes
    such a profile for you.
    """
    from workspace_coach.sandbox.server import default_db_path, start

    path = db or str(default_db_path())
    config = serve_config(realism, latency_ms=latency_ms, fault_rate=fault_rate, qpm=qpm)
    try:
        running = start(path, host=host, port=port, config=config, background=False)
    except OSError as exc:
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    console.print(Text.assemble("Workspace sandbox on ", (running.url, "bold"),
                                f" (state: {path})"))
    if realism:
        console.print(f"Realism preset: {realism}", markup=False)
    console.print("Create a tenant: workspace-coach sandbox tenant create --domain example.kr "
                  "--out clients/example")
    try:
        running.server.serve_forever()
    except KeyboardInterrupt:
        console.print("stopped")


def serve_config(realism: str = "", *, latency_ms: float = 0.0, fault_rate: float = 0.0,
                 qpm: int = 0) -> RealismConfig:
    """The realism `sandbox serve` starts with: the preset named by --realism (if any), with
    the flags that were given laid over it."""
    from workspace_coach.sandbox.errors import GoogleError
    from workspace_coach.sandbox.realism import RealismConfig, preset_config

    if not 0.0 <= fault_rate <= 1.0:
        raise UserError("--fault-rate must be between 0 and 1")
    if not realism:
        return RealismConfig(latency_ms=latency_ms, fault_rate=fault_rate, qpm=qpm)
    given = {k: v for k, v in (("latency_ms", latency_ms), ("fault_rate", fault_rate),
                               ("qpm", qpm)) if v}
    try:
        return preset_config(realism, given)
    except GoogleError:
        raise UserError(f"--realism must be 'google', not {realism!r}") from None


@app.command()
def stop(
    data: Path = typer.Option(None, help="The sandbox's data folder (default: the demo's)."),
) -> None:
    """Stop a sandbox started in the background (for example by `workspace-coach demo`)."""
    from workspace_coach.paths import data_dir
    from workspace_coach.sandbox import process

    if process.stop(data or data_dir() / "demo"):
        console.print("sandbox stopped")
    else:
        console.print("no background sandbox is running")


@tenant_app.command("create")
def tenant_create(
    domain: str = typer.Option(..., help="Primary domain, e.g. haessal.coop.kr."),
    admin: str = typer.Option("", help="Super-admin address (default admin@DOMAIN)."),
    endpoint: str = typer.Option(DEFAULT_ENDPOINT, help="URL of the running sandbox."),
    out: Path = typer.Option(..., help="Folder for connection.yaml and service-account.json."),
    name: str = typer.Option("", help="Slug of the client (default: from the domain)."),
    grant_only: list[str] = typer.Option(
        [], "--grant-only", help="A scope the domain-wide delegation entry grants (repeat it); "
        "default: every scope. Tokens asking for any other scope are refused."),
    disable_api: list[str] = typer.Option(
        [], "--disable-api", help="A Cloud API the key's project has not enabled, e.g. "
        "drive.googleapis.com (repeat it). Its calls get 403 accessNotConfigured."),
    non_admin_subject: str = typer.Option(
        "", help="Also create this address as an ordinary user (no admin rights) and write the "
        "profile with it as the subject, to rehearse a subject that is not an administrator."),
) -> None:
    """Create a tenant and write its connection profile and service-account key."""
    profile = create_tenant_profile(domain, out, admin=admin or None, endpoint=endpoint,
                                    name=name or None,
                                    non_admin_subject=non_admin_subject or None,
                                    granted_scopes=grant_only or None,
                                    disabled_services=disable_api)
    console.print(Text.assemble("Tenant ", (profile.domain, "bold"),
                                f" created; subject {profile.admin}"))
    console.print(f"Connection profile: {out / 'connection.yaml'}", markup=False)


@tenant_app.command("login")
def tenant_login(
    connection: Path = typer.Option(..., envvar="WC_CONNECTION",
                                    help="The tenant's connection profile."),
    user: str = typer.Option(..., help="The person signing in, e.g. coach@haessal.coop.kr."),
    out: Path = typer.Option(..., help="Folder for that person's connection.yaml and "
                             "authorized-user.json."),
    scope_set: str = typer.Option("audit", help="What the login may do: audit (read-only), "
                                  "provision or publish."),
) -> None:
    """Sign a person in with OAuth (no domain-wide delegation), as a coach who is not a
    super admin would with a live tenant; writes a profile that uses their own credentials."""
    from workspace_coach.google import scopes
    from workspace_coach.google.connection import load_profile

    sets = {"audit": scopes.AUDIT, "provision": scopes.PROVISION, "publish": scopes.PUBLISH}
    if scope_set not in sets:
        raise UserError(f"--scope-set must be one of {', '.join(sets)}")
    tenant = load_profile(connection)
    if not tenant.endpoint:
        raise UserError(f"{connection}: not a sandbox profile (no endpoint)")
    consent = control(tenant.endpoint, "POST", "_sandbox/logins", {
        "domain": tenant.domain, "email": user, "scopes": list(sets[scope_set])}, timeout=30)
    write_secret(out / "authorized-user.json", consent)
    profile = tenant.model_copy(update={"admin": user.lower(),
                                        "credentials": Path("authorized-user.json")})
    profile.save(out / "connection.yaml")
    console.print(f"{user} signed in; profile: {out / 'connection.yaml'}", markup=False)


SIMULATE_CHUNK_DAYS = 5


@app.command()
def simulate(
    connection: Path = typer.Option(..., help="The tenant's connection.yaml (a sandbox tenant)."),
    days: int = typer.Option(30, min=1, max=450, help="How many days of activity to generate."),
    until: str = typer.Option(
        "", help="Last Korean day to simulate, YYYY-MM-DD (default: yesterday in Korea, by the "
        "sandbox's clock)."),
    seed: int = typer.Option(0, help="Same seed, same people, same activity."),
    profile: str = typer.Option(
        "mixed", help="The organisation's adoption: thriving, struggling or mixed."),
) -> None:
    """Fill a sandbox tenant with believable activity for the Reports API.

    Everyone in the tenant gets a persona (champion, steady adopter, email-only, reluctant,
    never logged in) and lives through the days: logins, mail, Drive, Meet, Calendar, Chat, 2SV
    and app grants. Running again appends new days and never duplicates old ones.
    """
    from datetime import date, timedelta

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from workspace_coach.google.connection import load_profile

    tenant = load_profile(connection)
    if tenant.endpoint is None:
        raise UserError("simulate only works on sandbox tenants (the profile has no endpoint)")
    endpoint = tenant.endpoint
    if until:
        try:
            last = date.fromisoformat(until)
        except ValueError:
            raise UserError(f"--until must be YYYY-MM-DD, not {until!r}") from None
    else:
        last = date.fromisoformat(control(endpoint, "GET", "_sandbox/clock")["today_korea"]) - timedelta(
            days=1)
    first = last - timedelta(days=days - 1)
    totals: dict[str, int] = {}
    written = skipped = 0
    personas: dict[str, int] = {}
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("days  {task.fields[events]:,} events"), console=console) as bar:
        task = bar.add_task(f"Simulating {tenant.domain}", total=days, events=0)
        start = first
        while start <= last:
            end = min(last, start + timedelta(days=SIMULATE_CHUNK_DAYS - 1))
            result = control(endpoint, "POST", "_sandbox/simulate", {
                "domain": tenant.domain, "days": (end - start).days + 1,
                "until": end.isoformat(), "seed": seed, "profile": profile})
            written += result["events_written"]
            skipped += len(result["days_skipped"])
            personas = result["personas"]
            for app_name, count in result["by_app"].items():
                totals[app_name] = totals.get(app_name, 0) + count
            bar.update(task, advance=(end - start).days + 1, events=written)
            start = end + timedelta(days=1)
    console.print(f"{tenant.domain}: {first.isoformat()} .. {last.isoformat()} (Korean days), "
                  f"{written:,} events written"
                  + (f", {skipped} day(s) already simulated and skipped" if skipped else ""))
    if totals:
        console.print("  " + ", ".join(f"{k} {v:,}" for k, v in sorted(totals.items())))
    console.print("  people: " + ", ".join(f"{k} {v}" for k, v in sorted(personas.items())))
