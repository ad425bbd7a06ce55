"""`workspace-coach audit ...`: collect a client's directory and activity, later score and check.

`collect` reads with read-only scopes and writes to the coach's database (WC_DATABASE_URL, or
one SQLite file in the data directory); running it again only fetches what is new.
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
