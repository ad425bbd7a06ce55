"""`workspace-coach audit ...`: collect a client's directory and activity, then score it.

`collect` reads with read-only scopes and writes to the coach's database (WC_DATABASE_URL, or
one SQLite file in the data directory); running it again only fetches what is new. `run`
scores what was collected, from the database alone (docs/scoring.md).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console

from workspace_coach.errors import UserError

app = typer.Typer(help="Audit a client's adoption and security: collect, then score and check.",
                  no_args_is_help=True)
console = Console()


@app.callback()
def _group() -> None:
    """Audit a client's adoption and security: collect, then score and check."""


def _dates(days: list[dt.date]) -> str:
    if not days:
        return "none"
    if len(days) == 1:
        return days[0].isoformat()
    return f"{days[0].isoformat()} .. {days[-1].isoformat()} ({len(days)})"


@app.command()
def collect(
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="The client's connection profile (connection.yaml)."),
    days: int = typer.Option(None, "--days", help="Dates to cover, ending with the newest "
                             "Google has (default 180)."),
    since: str = typer.Option(None, "--since", help="First date to cover (YYYY-MM-DD, a "
                              "Pacific date as in Google's reports) instead of --days."),
) -> None:
    """Read the directory, usage reports and activities into the coach's database.

    Dates already complete are not fetched again; dates Google still marks partial are.
    """
    from workspace_coach.audit.collect import collect as run
    from workspace_coach.google.connection import load_profile
    from workspace_coach.storage.db import database_url, make_engine

    first = None
    if since is not None:
        try:
            first = dt.date.fromisoformat(since)
        except ValueError:
            raise UserError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    profile = load_profile(connection)
    engine = make_engine()
    try:
        report = run(profile, engine, days=days, since=first, progress=console.is_terminal)
    finally:
        engine.dispose()
    where = database_url().split("@")[-1]
    console.print(f"[bold]{profile.name}[/]: collected into {where}")
    if report.window:
        console.print(f"  window            {report.window[0]} .. {report.window[1]} "
                      f"(newest available {report.latest_available})")
    console.print(f"  usage dates       {_dates(report.dates_fetched)}")
    if report.dates_refetched:
        console.print(f"  fetched again     {_dates(report.dates_refetched)} (were partial)")
    if report.dates_partial:
        console.print(f"  still partial     {_dates(report.dates_partial)} (next collect "
                      "fetches them again)")
    events = ", ".join(f"{app} {n}" for app, n in report.events_seen.items())
    console.print(f"  activities read   {events}")
    console.print(f"  directory         {'new snapshot' if report.new_snapshot else 'unchanged'}")
    console.print(f"  API calls         {report.total_calls} "
                  f"({', '.join(f'{k} {v}' for k, v in sorted(report.calls.items()))})")
    added = ", ".join(f"{k} {v}" for k, v in report.rows_added.items() if v)
    console.print(f"  rows added        {report.total_rows}{f' ({added})' if added else ''}")
    console.print(f"  time              {report.seconds:.1f} s")


def _arrow(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "[dim]·[/]"
    delta = now - before
    if delta >= 0.5:
        return f"[green]↑ +{delta:.1f}[/]"
    if delta <= -0.5:
        return f"[red]↓ {delta:.1f}[/]"
    return "[dim]→ 0.0[/]"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


@app.command("run")
def run_scores(
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="The client's connection profile (connection.yaml)."),
    window: int = typer.Option(28, "--window", help="Days in each rolling window (7-90)."),
    trend_days: int = typer.Option(180, "--trend-days", help="Dates of trend to score, ending "
                                   "with the newest complete date."),
    json_out: Path = typer.Option(None, "--json", help="Also write every newest score with "
                                  "its inputs, and the trend, to this JSON file."),
) -> None:
    """Score adoption and security hygiene from what `audit collect` stored (no API call).

    Scores 0-100 per category for the organisation, every org unit and group of at least the
    client's minimum size (smaller ones folded into "others") and, with consent, per person;
    docs/scoring.md explains every formula.
    """
    import json

    from rich.table import Table

    from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
    from workspace_coach.audit.run import run_audit
    from workspace_coach.google.connection import load_profile
    from workspace_coach.storage.db import make_engine

    profile = load_profile(connection)
    engine = make_engine()
    try:
        report = run_audit(profile, engine, window=window, trend_days=trend_days)
    finally:
        engine.dispose()
    console.print(f"[bold]{profile.name}[/]: scores on {report.as_of} over {report.window} "
                  f"days (trend from {report.first_date}, run {report.run_id}, "
                  f"{report.seconds:.1f} s)")
    org = ("org", "*")
    table = Table(title="조직 점수 · Organisation scores")
    for column in ("분야", "Category", "Score", f"vs {28} days"):
        table.add_column(column, justify="right" if column in ("Score",) else "left")
    values = {s.category: s for s in report.latest("org")}
    if not values:
        console.print("[yellow]No organisation scores: fewer people than the minimum group "
                      f"size ({profile.min_group_size}).[/]")
    else:
        for category in CATEGORIES:
            value = values[category].value if category in values else None
            table.add_row(CATEGORY_LABELS[category]["ko"], CATEGORY_LABELS[category]["en"],
                          _fmt(value), _arrow(value, report.before(org, category)))
        console.print(table)
    scopes = Table(title="팀별 점수 · Scores by team")
    scopes.add_column("Scope")
    scopes.add_column("People", justify="right")
    for category in CATEGORIES:
        scopes.add_column(CATEGORY_LABELS[category]["en"].split()[-1][:8], justify="right")
    by_scope: dict[tuple[str, str], dict[str, float | None]] = {}
    people: dict[tuple[str, str], int] = {}
    for s in report.latest():
        if s.scope_type in ("org_unit", "group"):
            by_scope.setdefault((s.scope_type, s.scope_key), {})[s.category] = s.value
            people[(s.scope_type, s.scope_key)] = s.inputs.get("people", 0)
    for scope in sorted(by_scope, key=lambda k: (k[0], k[1] == "others", k[1])):
        scopes.add_row(f"{scope[0]} {scope[1]}", str(people[scope]),
                       *(_fmt(by_scope[scope].get(c)) for c in CATEGORIES))
    if by_scope:
        console.print(scopes)
    persons = len({s.scope_key for s in report.latest("person")})
    if persons:
        console.print(f"  per person        {persons} people (consent recorded)")
    if json_out is not None:
        try:
            json_out.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1),
                                encoding="utf-8")
        except OSError as exc:
            raise UserError(f"--json {json_out}: cannot write ({exc.strerror})") from None
        console.print(f"  JSON              {json_out}")
