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


@app.command()
def report(
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="The client's connection profile (connection.yaml)."),
    fmt: str = typer.Option("html", "--format", "-f", help="html: one printable page with "
                               "charts; csv: scores, checks, recommendations and benchmark "
                               "files (UTF-8 with BOM, for Excel); sheet: a Google Sheet in the "
                               "client's \"Workspace Coach\" shared drive, updated in place."),
    out: Path = typer.Option(None, "--out", "-o", help="html: the file to write (default "
                             "<client>-audit-<date>.html); csv: the folder for the files "
                             "(default <client>-audit-<date>/). Not used for sheet."),
    lang: str = typer.Option(None, "--lang", help="ko or en; both languages when not given."),
    window: int = typer.Option(28, "--window", help="The scoring window (days) to report."),
) -> None:
    """Report a client's scores, checks, peer benchmark and recommendations.

    Reads what `audit run` stored; writes nothing to the tenant except, with --format sheet,
    the report spreadsheet in the client's "Workspace Coach" shared drive.
    """
    from workspace_coach.audit.latest import client_id_for
    from workspace_coach.audit.report import html_from
    from workspace_coach.audit.report_data import gather
    from workspace_coach.audit.report_rows import write_csv
    from workspace_coach.google.connection import load_profile
    from workspace_coach.storage.db import make_engine

    if fmt not in ("html", "csv", "sheet"):
        raise UserError(f"--format {fmt!r}: use html, csv or sheet")
    if lang not in (None, "ko", "en"):
        raise UserError(f"--lang {lang!r}: use ko or en (or leave it out for both)")
    if out is not None and fmt == "sheet":
        raise UserError("--out is for html and csv; a sheet goes to the client's shared drive")
    profile = load_profile(connection)
    engine = make_engine()
    try:
        with engine.connect() as conn:
            client_id = client_id_for(conn, profile.name)
            if fmt == "sheet":
                from workspace_coach.audit.report_sheet import publish_sheet

                with console.status("Writing the report sheet / 보고서 시트 작성 중"):
                    published = publish_sheet(profile, conn, client_id, lang,  # type: ignore[arg-type]
                                              window_days=window)
                verb = "created" if published.created else "updated"
                console.print(f"[bold]{profile.name}[/]: report sheet {verb} "
                              f"({', '.join(f'{k} {v}' for k, v in published.rows.items())} "
                              "rows)")
                console.print(f"  {published.url}")
                return
            data = gather(conn, client_id, window_days=window)
    finally:
        engine.dispose()
    stamp = (data.as_of or dt.date.today()).isoformat()
    if not data.has_scores:
        console.print("[yellow]No scores stored yet / 저장된 점수가 없습니다: run "
                      "`workspace-coach audit run` first.[/]")
    if fmt == "html":
        path = out or Path(f"{profile.name}-audit-{stamp}.html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html_from(data, lang), encoding="utf-8")  # type: ignore[arg-type]
        console.print(f"[bold]{profile.name}[/]: wrote {path}")
        return
    paths = write_csv(data, out or Path(f"{profile.name}-audit-{stamp}"))
    console.print(f"[bold]{profile.name}[/]: wrote {', '.join(str(p) for p in paths)}")
