"""`workspace-coach curriculum ...`: the checklists trainees work through.

- `lint` checks curriculum files (default: `--curricula DIR`, else the curricula that ship with
  Workspace Coach, edited in the repository's `curricula/`) and lists every
  problem as `file:line: path: message`, exiting 1 if there is any.
- `progress` shows where trainees stand (per person only with the client's consent; otherwise
  team counts with the minimum group size respected).
- `attest` / `override` record a trainee's self-attestation or a coach's decision.
- `publish` / `sync` write each trainee's checklist to a Google Sheet in the training shared
  drive and read their ticks back.
- `print` writes a printable A4 HTML checklist.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from workspace_coach.cli.every import PARALLEL, client_profile, run_all
from workspace_coach.errors import UserError
from workspace_coach.runs.every_client import recorded

app = typer.Typer(help="Curricula: checklists that tick themselves off from real evidence.",
                  no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Curricula: checklists that tick themselves off from real evidence."""


# A coach's own curricula instead of the ones that ship with Workspace Coach.
CURRICULA = typer.Option(None, "--curricula", envvar="WC_CURRICULA",
                         help="Folder (or file) of curricula to use instead of the ones that "
                         "come with Workspace Coach.")


@app.command()
def lint(
    paths: list[Path] = typer.Argument(None, help="Curriculum files or folders (default: "
                                       "--curricula, else the ones that come with Workspace "
                                       "Coach)."),
    curricula: Path | None = CURRICULA,
) -> None:
    """Check curriculum files: schema, translations, links, evidence rules against the Reports
    API vocabulary. Every problem is listed as file:line: path: message."""
    from workspace_coach import resources
    from workspace_coach.curriculum.lint import lint as run_lint

    loaded, problems = run_lint(paths or [resources.curricula(curricula)])
    if problems:
        for problem in problems:
            err_console.print(str(problem), style="red", soft_wrap=True, highlight=False,
                              markup=False)
        count = len(problems)
        raise UserError(f"{count} problem{'s' if count != 1 else ''} in the curricula")
    table = Table(title="Curricula", title_justify="left")
    for column in ("track", "audience", "modules", "items", "evidence", "self-attested"):
        table.add_column(column, justify="left" if column in ("track", "audience") else "right")
    totals = [0, 0, 0, 0]
    for entry in loaded:
        cur = entry.curriculum
        assert cur is not None
        items = [item for _, item in cur.items()]
        evidence = sum(item.verified_by == "evidence" for item in items)
        row = [len(cur.modules), len(items), evidence, len(items) - evidence]
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        table.add_row(Text(f"{cur.id} ({cur.title.ko})"), Text(cur.audience), *map(str, row))
    if len(loaded) > 1:
        table.add_row("total", "", *map(str, totals), style="bold")
    console.print(table)
    console.print(f"[green]✓[/] {len(loaded)} curriculum file{'s' if len(loaded) != 1 else ''} "
                  "clean", highlight=False)


# -- progress, marks, publishing, printing ---------------------------------------------------

CONNECTION = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                          help="The client's connection profile (connection.yaml).")
TRACK = typer.Option("new-member", "--track", "-t", help="Track id (a file in the curricula).")
LANG = typer.Option("ko", "--lang", help="Language of titles: ko or en.")
SINCE = typer.Option(None, "--since", help="The curriculum's start (YYYY-MM-DD): evidence "
                     "for `window: {since: start}` counts from this date (default: all the "
                     "audit store holds).")


def _lang(lang: str) -> str:
    if lang not in ("ko", "en"):
        raise UserError(f"--lang must be ko or en, not {lang!r}")
    return lang


def _since(since: str | None):  # -> dt.datetime | None
    import datetime as dt

    if since is None:
        return None
    try:
        day = dt.date.fromisoformat(since)
    except ValueError:
        raise UserError(f"--since {since!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _context(connection: Path | None, track: str, curricula: Path | None):
    from workspace_coach.curriculum.tracks import load_track
    from workspace_coach.google.connection import load_profile
    from workspace_coach.storage.db import make_engine
    from workspace_coach.storage.migrations import upgrade

    curriculum = load_track(track, curricula)  # before the connection: a wrong track is cheap
    profile = load_profile(connection)
    engine = make_engine()
    upgrade(engine)
    return profile, curriculum, engine


def _status_text(status: str, lang: str) -> str:
    from workspace_coach.curriculum.progress import STATUS_LABELS

    styles = {"done": "green", "self_attested": "cyan", "overridden_done": "green",
              "overridden_not_done": "yellow", "not_yet": "dim", "no_data": "dim"}
    label = getattr(STATUS_LABELS[status], lang)
    return f"[{styles[status]}]{label}[/]"


def _person_table(person, lang: str) -> Table:  # person: PersonProgress
    table = Table(title=escape(f"{person.email} · {person.track}: {person.complete}/"
                               f"{person.total} 완료 complete"), title_justify="left")
    for column in ("모듈 module", "항목 item", "상태 status", "날짜 date", "근거 evidence",
                   "알림 flags"):
        table.add_column(column)
    for entry in person.items:
        if entry.status == "done" and entry.evidence.proof is not None:
            why = entry.evidence.proof.describe()
        elif entry.resolved.by:
            why = entry.resolved.by + (f" ({entry.resolved.note})" if entry.resolved.note else "")
        else:
            why = ""
        flags = "; ".join(getattr(f.text, lang) for f in entry.evidence.flags)
        table.add_row(escape(entry.module_id), escape(getattr(entry.item.title, lang)),
                      _status_text(entry.status, lang),
                      entry.resolved.on.isoformat() if entry.resolved.on else "",
                      escape(why), f"[red]{escape(flags)}[/]" if flags else "")
    return table


def _counts_table(scope, lang: str) -> Table:  # scope: ScopeProgress
    table = Table(title=f"{scope.scope_type} {escape(scope.label)}: {scope.people} trainees, "
                  f"{scope.complete_share:.0%} 완료 complete", title_justify="left")
    for column in ("항목 item", "완료 done", "본인 self", "코치 coach", "아직 not yet",
                   "자료 없음 no data", "알림 flagged"):
        table.add_column(column, justify="left" if column.startswith("항목") else "right")
    for item in scope.items:
        c = item.counts
        table.add_row(escape(getattr(item.title, lang)), str(c["done"]), str(c["self_attested"]),
                      f"{c['overridden_done']}/{c['overridden_not_done']}", str(c["not_yet"]),
                      str(c["no_data"]), str(item.flagged) if item.flagged else "")
    return table


@app.command()
def progress(
    connection: Path = CONNECTION,
    track: str = TRACK,
    curricula: Path | None = CURRICULA,
    person: str = typer.Option(None, "--person", help="One trainee's items (needs the client's "
                               "per-person consent)."),
    team: str = typer.Option(None, "--team", help="One team: a group email or an org unit path "
                             "such as /sales."),
    since: str = SINCE,
    lang: str = LANG,
) -> None:
    """Where trainees stand: each item done (with the date and the evidence), self-attested,
    overridden by the coach, or not yet.

    Per person only when the client consented to per-person insights; otherwise counts per
    team, with teams smaller than the client's minimum group size folded into "others".
    """
    from workspace_coach.curriculum import progress as prog
    from workspace_coach.storage.clients import client_by_slug

    lang = _lang(lang)
    if person and team:
        raise UserError("give either --person or --team, not both")
    profile, curriculum, engine = _context(connection, track, curricula)
    start = _since(since)
    try:
        with engine.connect() as conn:
            client = client_by_slug(conn, profile.name)
            if person:
                console.print(_person_table(
                    prog.person_progress(conn, client.id, curriculum, person, start=start), lang))
                return
            result = prog.team_progress(conn, client.id, curriculum, team=team, start=start)
            if not result.scopes:
                console.print(f"no team of at least {result.min_group_size} trainees to show")
                return
            summary = Table(title=escape(f"{profile.name} · {curriculum.id} "
                                         f"({curriculum.title.ko} / {curriculum.title.en})"),
                            title_justify="left")
            for column in ("scope", "team", "trainees", "완료 complete"):
                summary.add_column(column, justify="right" if column in ("trainees",) or
                                   column.startswith("완료") else "left")
            for scope in result.scopes:
                summary.add_row(scope.scope_type, Text(scope.label), str(scope.people),
                                f"{scope.complete_share:.0%}")
            console.print(summary)
            console.print(_counts_table(result.scopes[0], lang))
            if team and client.per_person_insights:
                people = prog.people_progress(conn, client.id, curriculum, team=team,
                                              start=start)
                table = Table(title="per person (consented)", title_justify="left")
                table.add_column("person")
                table.add_column("완료 complete", justify="right")
                for p in people:
                    table.add_row(Text(p.email), f"{p.complete}/{p.total}")
                console.print(table)
            elif not client.per_person_insights:
                console.print("[dim]per-person progress is off: the client has not consented "
                              "to per-person insights[/]")
    finally:
        engine.dispose()


def _mark(connection: Path | None, track: str, curricula: Path | None, person: str, item: str,
          kind: str, status: str, by: str | None, note: str | None) -> None:
    from workspace_coach.curriculum.marks import record_mark
    from workspace_coach.curriculum.progress import load_directory
    from workspace_coach.storage.clients import client_by_slug

    profile, curriculum, engine = _context(connection, track, curricula)
    try:
        with engine.begin() as conn:
            client = client_by_slug(conn, profile.name)
            if person.strip().lower() not in load_directory(conn, client.id).people:
                raise UserError(f"no person '{person}' in the newest directory snapshot")
            marker = by or (person if kind == "self" else profile.admin)
            mark = record_mark(conn, client.id, curriculum, item, person, kind=kind,  # type: ignore[arg-type]
                               status=status, marked_by=marker, note=note)  # type: ignore[arg-type]
    finally:
        engine.dispose()
    console.print("[green]✓[/] " + escape(
        f"{mark.kind} mark: {mark.person_email} · {curriculum.id}/{mark.item_id} = "
        f"{mark.status} (by {mark.marked_by}, {mark.marked_at:%Y-%m-%d %H:%M} UTC)"),
        highlight=False)


@app.command()
def attest(
    connection: Path = CONNECTION,
    track: str = TRACK,
    curricula: Path | None = CURRICULA,
    person: str = typer.Option(..., "--person", help="The trainee's email."),
    item: str = typer.Option(..., "--item", help="Item id, e.g. email-signature."),
    undo: bool = typer.Option(False, "--undo", help="Withdraw the self-attestation."),
    by: str = typer.Option(None, "--by", help="Who recorded it (default: the trainee)."),
    note: str = typer.Option(None, "--note", help="A short note."),
) -> None:
    """Record a trainee's self-attestation ("I did it") of an item; newest wins."""
    _mark(connection, track, curricula, person, item, "self", "not_done" if undo else "done", by,
          note)


@app.command()
def override(
    connection: Path = CONNECTION,
    track: str = TRACK,
    curricula: Path | None = CURRICULA,
    person: str = typer.Option(..., "--person", help="The trainee's email."),
    item: str = typer.Option(..., "--item", help="Item id, e.g. share-for-comment."),
    status: str = typer.Option(..., "--status", help="done or not-done."),
    by: str = typer.Option(None, "--by", help="The coach (default: the profile's admin)."),
    note: str = typer.Option(None, "--note", help="Why, for the record."),
) -> None:
    """Record a coach's decision on an item; it beats evidence and self-attestation."""
    value = status.replace("-", "_")
    if value not in ("done", "not_done"):
        raise UserError(f"--status must be done or not-done, not {status!r}")
    _mark(connection, track, curricula, person, item, "override", value, by, note)


@app.command()
def publish(
    connection: Path = CONNECTION,
    track: str = TRACK,
    curricula: Path | None = CURRICULA,
    team: str = typer.Option(None, "--team", help="Only this team (group email or org unit)."),
    person: list[str] = typer.Option(None, "--person", help="Only these trainees (repeat)."),
    coach: str = typer.Option(None, "--coach", help="Coach to add as commenter (default: the "
                              "profile's admin, who organises the training drive)."),
    drive_name: str = typer.Option("교육 Training", "--drive-name",
                                   help="The training shared drive (created if missing)."),
    since: str = SINCE,
) -> None:
    """Write each trainee's checklist as a Google Sheet in the training shared drive, shared
    with the trainee only (and the coach as commenter). Re-publishing updates in place."""
    from workspace_coach.curriculum.publish import publish as run

    profile, curriculum, engine = _context(connection, track, curricula)
    try:
        with _bar("publishing") as advance:
            report = run(profile, engine, curriculum, team=team, people=person or None,
                         coach=coach, drive_name=drive_name, start=_since(since),
                         advance=advance)
    finally:
        engine.dispose()
    made = sum(s.created for s in report.sheets)
    console.print(f"[green]✓[/] {len(report.sheets)} checklist sheets ({made} new, "
                  f"{len(report.sheets) - made} updated) in shared drive "
                  f"{escape(report.drive_id)}"
                  f"{' (created)' if report.drive_created else ''}", highlight=False)
    for sheet in report.sheets:
        console.print(f"  {sheet.person}  {sheet.url}", highlight=False, markup=False)


@app.command()
def sync(
    connection: Path = CONNECTION,
    track: str = TRACK,
    curricula: Path | None = CURRICULA,
    since: str = SINCE,
    every: bool = typer.Option(False, "--all", help="Every client in the coach's database "
                               "with sheets published for the track (a lock keeps two such "
                               "runs from overlapping; docs/operations.md)."),
    parallel: int = PARALLEL,
) -> None:
    """Read trainees' ticks from their sheets into self-attestations, and write the evidence
    ticks and dates into the sheets."""
    from workspace_coach.curriculum.publish import sync as run

    if every:
        _sync_all(track, curricula, since, connection, parallel)
        return
    profile, curriculum, engine = _context(connection, track, curricula)
    try:
        with recorded(engine, profile.name, "sync"), _bar("syncing") as advance:
            report = run(profile, engine, curriculum, start=_since(since), advance=advance)
    finally:
        engine.dispose()
    console.print(f"[green]✓[/] {report.sheets} sheets synced, {report.marks_added} "
                  "self-attestations changed", highlight=False)
    for email in report.missing:
        console.print(Text(f"  {email}: sheet missing or trashed (publish again)",
                           style="yellow"))


def _sync_all(track: str, curricula: Path | None, since: str | None, connection: Path | None,
              parallel: int) -> None:
    import sqlalchemy as sa

    from workspace_coach.curriculum.publish import sync as run
    from workspace_coach.curriculum.tracks import load_track
    from workspace_coach.storage import models as m
    from workspace_coach.storage.db import make_engine
    from workspace_coach.storage.migrations import upgrade

    if connection is not None:
        raise UserError("give either --all or --connection, not both")
    curriculum = load_track(track, curricula)
    start = _since(since)
    engine = make_engine()
    upgrade(engine)

    def with_sheets(engine) -> list:  # type: ignore[no-untyped-def]
        from workspace_coach.runs.every_client import every_client

        with engine.connect() as conn:
            ids = set(conn.execute(sa.select(m.PublishedSheet.client_id).where(
                m.PublishedSheet.track == curriculum.id).distinct()).scalars())
        return [c for c in every_client(engine) if c.id in ids]

    def work(client, advance) -> str:  # type: ignore[no-untyped-def]
        report = run(client_profile(client), engine, curriculum, start=start,
                     advance=lambda email: advance(1, description=email))
        missing = f", {len(report.missing)} sheet(s) missing" if report.missing else ""
        return f"{report.sheets} sheet(s), {report.marks_added} tick(s) changed{missing}"

    try:
        run_all(engine, "sync", f"curriculum sync --all ({curriculum.id})", work,
                parallel=parallel, console=console, clients=with_sheets)
    finally:
        engine.dispose()


@app.command("print")
def print_checklist(
    connection: Path = CONNECTION,
    track: str = TRACK,
    curricula: Path | None = CURRICULA,
    out: Path = typer.Option(..., "--out", "-o", help="The HTML file to write."),
    person: str = typer.Option(None, "--person", help="One trainee, with their progress "
                               "(needs per-person consent)."),
    team: str = typer.Option(None, "--team", help="A page per member of this team (with "
                             "progress only under per-person consent)."),
    since: str = SINCE,
) -> None:
    """A printable A4 HTML checklist (Korean fonts) for in-person sessions."""
    from workspace_coach.curriculum import progress as prog
    from workspace_coach.curriculum.printable import render_html
    from workspace_coach.storage.clients import client_by_slug

    if person and team:
        raise UserError("give either --person or --team, not both")
    profile, curriculum, engine = _context(connection, track, curricula)
    try:
        with engine.connect() as conn:
            client = client_by_slug(conn, profile.name)
            if person:
                people = [prog.person_progress(conn, client.id, curriculum, person,
                                               start=_since(since))]
                html = render_html(curriculum, people=people)
            elif team and client.per_person_insights:
                html = render_html(curriculum, people=prog.people_progress(
                    conn, client.id, curriculum, team=team, start=_since(since)))
            elif team:
                directory = prog.load_directory(conn, client.id)
                _, _, members = directory.team_members(team)
                names = [e for e in prog.trainees(curriculum, directory) if e in members]
                html = render_html(curriculum, names=names, team_label=team)
            else:
                html = render_html(curriculum, team_label=profile.display_name or profile.name)
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    console.print(f"[green]✓[/] wrote {escape(str(out))}", highlight=False)


def _bar(what: str):
    from contextlib import contextmanager

    @contextmanager
    def bar():
        if not console.is_terminal:
            yield lambda email: None
            return
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        # the description names a trainee: text, never markup
        with Progress(SpinnerColumn(), TextColumn("{task.description}", markup=False),
                      TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as progress_bar:
            task = progress_bar.add_task(what)
            yield lambda email: progress_bar.update(task, description=f"{what}: {email}")

    return bar()
