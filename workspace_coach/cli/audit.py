"""`workspace-coach audit ...`: collect a client's directory and activity, then score it.

`collect` reads with read-only scopes and writes to the coach's database (WC_DATABASE_URL, or
one SQLite file in the data directory); running it again only fetches what is new. `run`
scores what was collected and runs the security checks, from the database alone
(docs/scoring.md, docs/checks.md); `report` writes what `run` stored as HTML, CSV or a Google
Sheet (docs/reports.md), and `portfolio` every client's change under coaching, for a funder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from workspace_coach.cli.every import PARALLEL, client_profile, run_all
from workspace_coach.errors import UserError
from workspace_coach.runs.every_client import recorded
from workspace_coach.severity import severity_rank

if TYPE_CHECKING:
    from workspace_coach.audit.report_sheet import PublishedReport

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


def _check_output(fmt: str, lang: str | None, out: Path | None, sheet_home: str) -> None:
    """The --format, --lang and --out a report command was given, checked together."""
    if fmt not in ("html", "csv", "sheet"):
        raise UserError(f"--format {fmt!r}: use html, csv or sheet")
    if lang not in (None, "ko", "en"):
        raise UserError(f"--lang {lang!r}: use ko or en (or leave it out for both)")
    if out is not None and fmt == "sheet":
        raise UserError(f"--out is for html and csv; a sheet goes to {sheet_home}")


def _write_output(fmt: str, out: Path | None, stem: str, html: Callable[[], str],
                  csv: Callable[[Path], Sequence[Path]], who: str = "") -> None:
    """An html report to the file `out` (default `<stem>.html`) or csv files into the folder
    `out` (default `<stem>/`), and a line saying where, started by `who` (Rich markup)."""
    if fmt == "html":
        path = out or Path(f"{stem}.html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html(), encoding="utf-8")
        console.print(f"{who}wrote {escape(str(path))}")
        return
    paths = csv(out or Path(stem))
    console.print(f"{who}wrote {escape(', '.join(str(p) for p in paths))}")


def _published(what: str, published: PublishedReport) -> None:
    """Where a report sheet went: `what` (Rich markup) names it."""
    verb = "created" if published.created else "updated"
    console.print(f"{what} sheet {verb} "
                  f"({', '.join(f'{k} {v}' for k, v in published.rows.items())} rows)")
    console.print(f"  {published.url}", markup=False)


@app.command()
def collect(
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="The client's connection profile (connection.yaml)."),
    days: int = typer.Option(None, "--days", help="Dates to cover, ending with the newest "
                             "Google has (default 180)."),
    since: str = typer.Option(None, "--since", help="First date to cover (YYYY-MM-DD, a "
                              "Pacific date as in Google's reports) instead of --days."),
    every: bool = typer.Option(False, "--all", help="Every client in the coach's database, "
                               "each with the profile it was last collected with (a lock "
                               "keeps two such runs from overlapping; docs/operations.md)."),
    parallel: int = PARALLEL,
    concurrency: int = typer.Option(None, "--concurrency", min=1, max=100,
                                    help="Google calls in flight at once per client "
                                    "(default 10)."),
) -> None:
    """Read the directory, usage reports and activities into the coach's database.

    Dates already complete are not fetched again; dates Google still marks partial are.
    """
    from workspace_coach.audit.collect import collect as run
    from workspace_coach.google.connection import load_profile
    from workspace_coach.storage.db import make_engine

    first = None
    if since is not None:
        try:
            first = dt.date.fromisoformat(since)
        except ValueError:
            raise UserError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    if every and connection is not None:
        raise UserError("give either --all or --connection, not both")
    engine = make_engine()
    try:
        if every:
            def work(client, advance) -> str:  # type: ignore[no-untyped-def]
                report = run(client_profile(client), engine, days=days, since=first,
                             progress=advance, concurrency=concurrency)
                return (f"{len(report.dates_fetched)} date(s), "
                        f"{sum(report.events_seen.values()):,} activities, "
                        f"{report.total_calls} calls, {report.total_rows:,} rows")

            run_all(engine, "collect", "audit collect --all", work, parallel=parallel,
                    console=console)
            return
        profile = load_profile(connection)
        with recorded(engine, profile.name, "collect"):
            report = run(profile, engine, days=days, since=first,
                         progress=console.is_terminal, concurrency=concurrency)
    finally:
        engine.dispose()
    _show_collect(profile.name, report)


def _show_collect(name: str, report) -> None:  # type: ignore[no-untyped-def]
    from workspace_coach.audit.collect import PARTIAL_REFETCH_DAYS
    from workspace_coach.storage.db import database_url

    where = database_url().split("@")[-1]
    console.print(f"[bold]{escape(name)}[/]: collected into {escape(where)}")
    if report.window:
        console.print(f"  window            {report.window[0]} .. {report.window[1]} "
                      f"(newest available {report.latest_available})")
    console.print(f"  usage dates       {_dates(report.dates_fetched)}")
    if report.dates_refetched:
        console.print(f"  fetched again     {_dates(report.dates_refetched)} (were partial)")
    if report.dates_partial:
        console.print(f"  still partial     {_dates(report.dates_partial)} (fetched again "
                      f"while within {PARTIAL_REFETCH_DAYS} days of the newest date)")
    if report.dates_left_partial:
        console.print(f"  left partial      {_dates(report.dates_left_partial)} (Google never "
                      "completed them; not asked for again)")
    events = ", ".join(f"{app} {n}" for app, n in report.events_seen.items())
    console.print(f"  activities read   {events}", markup=False)
    console.print(f"  directory         {'new snapshot' if report.new_snapshot else 'unchanged'}")
    console.print(f"  API calls         {report.total_calls} "
                  f"({', '.join(f'{k} {v}' for k, v in sorted(report.calls.items()))})",
                  markup=False)
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


SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def _checks_table(outcomes: list) -> Table:
    """Failing checks first, by severity, with how many objects each affects."""
    failing = sorted((o for o in outcomes if o.status == "fail"),
                     key=lambda o: (severity_rank(o.severity), -o.affected_count))
    passed = sum(o.status == "pass" for o in outcomes)
    table = Table(title=f"점검 · Checks: {len(failing)} failing, {passed} passing "
                        f"(docs/checks.md)")
    for column in ("Severity", "Check", "점검 항목", "Affected"):
        table.add_column(column, justify="right" if column == "Affected" else "left")
    for o in failing:
        style = SEVERITY_STYLE[o.severity]
        table.add_row(Text(o.severity, style=style), Text(o.check_id), Text(o.check.title["ko"]),
                      str(o.affected_count or ""))
    return table


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
    """Score adoption and run the security checks from what `audit collect` stored (no API
    call).

    Scores 0-100 per category for the organisation, every org unit and group of at least the
    client's minimum size (smaller ones folded into "others") and, with consent, per person;
    docs/scoring.md explains every formula.
    """
    import json

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
    console.print(f"[bold]{escape(profile.name)}[/]: scores on {report.as_of} over {report.window} "
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
        scopes.add_row(Text(f"{scope[0]} {scope[1]}"), str(people[scope]),
                       *(_fmt(by_scope[scope].get(c)) for c in CATEGORIES))
    if by_scope:
        console.print(scopes)
    if report.checks:
        console.print(_checks_table(report.checks))
    persons = len({s.scope_key for s in report.latest("person")})
    if persons:
        console.print(f"  per person        {persons} people (consent recorded)")
    if json_out is not None:
        try:
            json_out.write_text(json.dumps(report.to_json(), ensure_ascii=False, indent=1),
                                encoding="utf-8")
        except OSError as exc:
            raise UserError(f"--json {json_out}: cannot write ({exc.strerror})") from None
        console.print(f"  JSON              {json_out}", markup=False)


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
) -> None:
    """Report a client's scores, checks, peer benchmark and recommendations.

    Shows the newest `audit run`, whatever window it scored (the report says which).

    Reads what `audit run` stored; writes nothing to the tenant except, with --format sheet,
    the report spreadsheet in the client's "Workspace Coach" shared drive.
    """
    from workspace_coach.audit.report import html_from
    from workspace_coach.audit.report_data import gather
    from workspace_coach.audit.report_rows import write_csv
    from workspace_coach.google.connection import load_profile
    from workspace_coach.storage.clients import client_by_slug
    from workspace_coach.storage.db import make_engine

    _check_output(fmt, lang, out, "the client's shared drive")
    from workspace_coach.storage.migrations import upgrade

    profile = load_profile(connection)
    engine = make_engine()
    try:
        upgrade(engine)  # a database from before the newest schema still reads its clients
        with engine.connect() as conn:
            client_id = client_by_slug(conn, profile.name).id
            if fmt == "sheet":
                from workspace_coach.audit.report_sheet import publish_sheet

                with console.status("Writing the report sheet / 보고서 시트 작성 중"):
                    published = publish_sheet(profile, conn, client_id, lang)  # type: ignore[arg-type]
                _published(f"[bold]{escape(profile.name)}[/]: report", published)
                return
            data = gather(conn, client_id)
    finally:
        engine.dispose()
    stamp = (data.as_of or dt.date.today()).isoformat()
    if not data.has_scores:
        console.print("[yellow]No scores stored yet / 저장된 점수가 없습니다: run "
                      "`workspace-coach audit run` first.[/]")
    _write_output(fmt, out, f"{profile.name}-audit-{stamp}",
                  lambda: html_from(data, lang),  # type: ignore[arg-type]
                  lambda folder: write_csv(data, folder), f"[bold]{escape(profile.name)}[/]: ")


@app.command()
def portfolio(
    fmt: str = typer.Option("html", "--format", "-f", help="html: one printable page with "
                            "charts; csv: clients, scores and programme files (UTF-8 with BOM); "
                            "sheet: a Google Sheet in the \"Workspace Coach\" shared drive of "
                            "--connection (your own or the programme's organisation)."),
    since: str = typer.Option(None, "--since", help="Count sessions, checklist items and "
                              "scores from this date (YYYY-MM-DD); default: everything."),
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="sheet only: the organisation whose shared drive "
                                    "holds the portfolio sheet."),
    out: Path = typer.Option(None, "--out", "-o", help="html: the file (default "
                             "portfolio-<date>.html); csv: the folder (default "
                             "portfolio-<date>/). Not used for sheet."),
    lang: str = typer.Option(None, "--lang", help="ko or en; both languages when not given."),
) -> None:
    """Every client's change under coaching, for the programme that funds it.

    Per client: category scores before coaching and now, sessions held, checklist items
    completed, critical and high checks fixed; the programme's totals and medians. Clients
    appear by name only with `share_name_in_reports: true` in their profile, otherwise as
    "client A, B, ..." (docs/reports.md).
    """
    from workspace_coach.audit.portfolio import gather_portfolio
    from workspace_coach.audit.portfolio_report import portfolio_html, write_portfolio_csv
    from workspace_coach.storage.clients import all_clients
    from workspace_coach.storage.db import make_engine
    from workspace_coach.storage.migrations import upgrade

    _check_output(fmt, lang, out, "the shared drive")
    first = None
    if since is not None:
        try:
            first = dt.date.fromisoformat(since)
        except ValueError:
            raise UserError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    profile = None
    if fmt == "sheet":
        from workspace_coach.google.connection import load_profile

        profile = load_profile(connection)
    engine = make_engine()
    try:
        upgrade(engine)
        with engine.connect() as conn:
            data = gather_portfolio(conn, all_clients(conn), first)
    finally:
        engine.dispose()
    if not data.clients:
        console.print("[yellow]No client in the coach's database yet / 고객 조직이 아직 없습니다: "
                      "run `workspace-coach audit collect` first.[/]")
    hidden = sum(not c.named for c in data.clients)
    console.print(f"portfolio: {len(data.clients)} clients ({hidden} without their name), "
                  f"{data.sessions} sessions, {data.items_completed} checklist items, "
                  f"{data.fixed('critical')} critical and {data.fixed('high')} high checks fixed")
    if fmt == "sheet":
        from workspace_coach.audit.portfolio_sheet import publish_portfolio_sheet

        with console.status("Writing the portfolio sheet / 포트폴리오 시트 작성 중"):
            published = publish_portfolio_sheet(profile, data, lang)  # type: ignore[arg-type]
        _published("portfolio", published)
        return
    _write_output(fmt, out, f"portfolio-{dt.date.today().isoformat()}",
                  lambda: portfolio_html(data, lang),  # type: ignore[arg-type]
                  lambda folder: write_portfolio_csv(data, folder))
