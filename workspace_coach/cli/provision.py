"""`workspace-coach provision ...`: make a tenant match a roster and an org spec.

`validate` reads and checks the input without touching any tenant, so an admin can fix a
spreadsheet until it is clean before anything is planned.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from workspace_coach.errors import UserError

if TYPE_CHECKING:
    from workspace_coach.provision.issues import Issue
    from workspace_coach.provision.validate import ValidationResult

app = typer.Typer(help="Provision a tenant from a roster of people and an org spec (org.yaml).",
                  no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Provision a tenant from a roster of people and an org spec (org.yaml)."""


def _issue_line(issue: Issue, style: str) -> Text:
    text = Text()
    text.append(str(issue), style=style)
    return text


_VALIDATE_SHEET = typer.Option(None, "--roster-sheet", help="A Google Sheet roster (URL or id; "
                               "its first worksheet), instead of --roster; needs --connection.")
_VALIDATE_CONNECTION = typer.Option(None, "--connection", envvar="WC_CONNECTION",
                                    help="Connection profile, to read --roster-sheet.")


@app.command()
def validate(
    roster: Path = typer.Option(None, "--roster", help="Roster of people (required): CSV "
                                "(UTF-8 or CP949) or XLSX, Korean or English headers, or GAM "
                                "columns."),
    org: Path = typer.Option(None, "--org", help="Org spec (org.yaml): domain, org units, "
                             "teams, groups, shared drives, rotating roles."),
    domain: str = typer.Option("", help="Domain for generated addresses when there is no "
                               "--org (default: the roster's, if it uses one)."),
    roster_sheet: str = _VALIDATE_SHEET,
    connection: Path = _VALIDATE_CONNECTION,
) -> None:
    """Check a roster (and org spec) and show what would be provisioned; changes nothing.

    Every problem is listed at once as file:row: column: message; the exit code is 1 if there
    is any error.
    """
    from workspace_coach.provision.spec import SpecError, load_spec
    from workspace_coach.provision.validate import validate as check

    if roster_sheet is not None and connection is None:
        raise UserError("--roster-sheet needs --connection (the profile that can read the sheet)")
    spec = None
    spec_issues: list[Issue] = []
    if org is not None:
        try:
            spec = load_spec(org)
        except SpecError as exc:
            spec_issues = exc.issues
    people = _read_people(roster, roster_sheet, connection)
    result = check(people, spec, domain=domain or None, extra=spec_issues)

    for issue in result.warnings:
        err_console.print(_issue_line(issue, "yellow"), soft_wrap=True)
    if result.errors:
        for issue in result.errors:
            err_console.print(_issue_line(issue, "red"), soft_wrap=True)
        count = len(result.errors)
        raise UserError(f"{count} problem{'s' if count != 1 else ''} in the input; "
                        "nothing was changed")
    _summary(result, people.source)


def _summary(result: ValidationResult, source: str) -> None:
    """People per team and org unit, and the addresses that were generated."""
    encoding = f" ({result.encoding})" if result.encoding else ""
    head = Text(f"{source}{encoding}: {len(result.people)} people")
    if result.domain:
        head.append(f" · {result.domain}")
    console.print(head)

    teams = Counter(t for p in result.people for t in p.teams)
    units = Counter(result.org_unit_of(p) for p in result.people)
    table = Table(title="People per team and org unit", title_justify="left")
    table.add_column("Team")
    table.add_column("People", justify="right")
    table.add_column("Org unit")
    table.add_column("People", justify="right")
    team_rows = sorted(teams.items())
    unit_rows = sorted(units.items())
    for i in range(max(len(team_rows), len(unit_rows))):
        team = team_rows[i] if i < len(team_rows) else ("", "")
        unit = unit_rows[i] if i < len(unit_rows) else ("", "")
        table.add_row(Text(team[0]), str(team[1]), Text(unit[0]), str(unit[1]))
    console.print(table)

    generated = [(p, result.emails[p.key]) for p in result.people
                 if p.key in result.emails and result.emails[p.key].generated]
    if generated:
        made = Table(title="Generated addresses", title_justify="left")
        made.add_column("Row", justify="right")
        made.add_column("Name")
        made.add_column("Address")
        for person, assignment in generated:
            made.add_row(str(person.row), Text(person.name), Text(assignment.email))
        console.print(made)
    warned = f", {len(result.warnings)} warning(s) above" if result.warnings else ""
    console.print(f"[green]✓[/] valid{warned}; nothing was changed")


# -- plan and apply -----------------------------------------------------------------------------

def _session(connection: Path | None):
    from workspace_coach.google import scopes
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.connection import load_profile
    from workspace_coach.google.session import GoogleSession

    profile = load_profile(connection)
    return profile, GoogleSession(GoogleClients(profile, scopes.PROVISION))


_SHEET_URL = re.compile(r"/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")
_SHEET_ID = re.compile(r"[A-Za-z0-9_-]{20,}")


def sheet_id(url_or_id: str) -> str:
    """The spreadsheet id in a Google Sheets URL, or the id itself."""
    text = url_or_id.strip()
    match = _SHEET_URL.search(text)
    if match:
        return match.group(1)
    if _SHEET_ID.fullmatch(text):
        return text
    raise UserError(f"--roster-sheet {url_or_id!r} is neither a Google Sheets URL nor a "
                    "spreadsheet id")


def read_roster_sheet(profile, url_or_id: str):
    """The first worksheet of a Google Sheet as a roster (read-only scopes)."""
    import gspread
    from google.auth.exceptions import GoogleAuthError, RefreshError

    from workspace_coach.google import scopes
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.retry import GoogleApiError, needs_connection_check
    from workspace_coach.provision.roster import roster_from_rows

    key = sheet_id(url_or_id)
    try:
        book = GoogleClients(profile, scopes.SHEETS_READ).gspread().open_by_key(key)
        values = book.get_worksheet(0).get_all_values()
    except PermissionError as exc:  # gspread's word for Google's 403 on open_by_key
        refused = exc.__cause__
        if isinstance(refused, GoogleApiError) and needs_connection_check(refused.failure):
            raise refused from None
        raise UserError(f"roster sheet {key} not found, or not shared with "
                        f"{profile.admin}") from None
    except gspread.SpreadsheetNotFound:
        raise UserError(f"roster sheet {key} not found, or not shared with "
                        f"{profile.admin}") from None
    except gspread.exceptions.APIError as exc:
        if isinstance(exc, GoogleApiError) and needs_connection_check(exc.failure):
            raise  # the connection, not the sheet: the CLI's line points at `connection check`
        code = getattr(exc, "code", None) or getattr(exc.response, "status_code", "?")
        if code in (403, 404):
            raise UserError(f"roster sheet {key} not found, or not shared with "
                            f"{profile.admin}") from None
        raise UserError(f"roster sheet {key}: cannot read it (HTTP {code})") from None
    except GoogleAuthError as exc:
        if isinstance(exc, RefreshError):
            raise  # a refused token: the CLI's line points at `connection check`
        raise UserError(f"roster sheet {key}: cannot sign in to read it "
                        f"({type(exc).__name__})") from None
    return roster_from_rows(values, source=f"sheet:{book.title}")


def _read_people(roster: Path | None, roster_sheet: str | None, connection: Path | None,
                 profile=None):
    from workspace_coach.google.connection import load_profile
    from workspace_coach.provision.roster import read_roster

    if roster is not None and roster_sheet is not None:
        raise UserError("give --roster FILE or --roster-sheet URL_OR_ID, not both")
    if roster_sheet is not None:
        return read_roster_sheet(profile or load_profile(connection), roster_sheet)
    if roster is None:
        raise UserError("--roster FILE is required (a CSV or XLSX roster of people)")
    return read_roster(roster)


def _inputs(org: Path | None, roster: Path | None, roster_sheet: str | None = None,
            profile=None):
    from workspace_coach.provision.spec import load_spec

    if roster is None and roster_sheet is None:
        raise UserError("--roster FILE is required (a CSV or XLSX roster of people)")
    spec = load_spec(org) if org is not None else None
    return spec, _read_people(roster, roster_sheet, None, profile)


def _make_plan(connection, org, roster, adopt, allow_delete, roster_sheet=None):
    from workspace_coach.provision.apply import journal_path
    from workspace_coach.provision.journal import Journal
    from workspace_coach.provision.plan import make_plan

    profile, session = _session(connection)
    spec, people = _inputs(org, roster, roster_sheet, profile)
    journal = Journal(journal_path(profile))
    try:  # when each leaver was suspended: the grace period before a deletion
        records = journal.leavers(profile.domain)
    finally:
        journal.close()
    plan, state = make_plan(session, domain=profile.domain, admin=profile.admin,
                            customer=profile.customer, roster=people, spec=spec, adopt=adopt,
                            allow_delete=allow_delete, leaver_records=records)
    return profile, session, plan, state, people


def _show(plan, fmt: str) -> None:
    from workspace_coach.provision.render import render_markdown, render_text

    if fmt == "markdown":
        console.print(render_markdown(plan), markup=False, highlight=False, soft_wrap=True)
    elif fmt == "text":
        console.print(render_text(plan), soft_wrap=True)
    else:
        raise UserError(f"--format must be text or markdown, not {fmt!r}")


_CONNECTION = typer.Option(None, "--connection", envvar="WC_CONNECTION",
                           help="The tenant's connection profile (connection.yaml).")
_ORG = typer.Option(None, "--org", help="Org spec (org.yaml); optional.")
_ROSTER = typer.Option(None, "--roster", help="Roster of people: CSV (UTF-8 or CP949) or XLSX.")
_ROSTER_SHEET = typer.Option(None, "--roster-sheet", help="A Google Sheet roster (URL or id; "
                             "its first worksheet), instead of --roster.")
_ADOPT = typer.Option(False, "--adopt", help="Bring existing users that match roster rows "
                      "under management.")
_ALLOW_DELETE = typer.Option(False, "--allow-delete", help="Delete suspended leavers whose "
                             "grace period is over and whose data transfer completed (the "
                             "spec must also say allow_deletion: true).")


@app.command()
def plan(
    connection: Path = _CONNECTION,
    org: Path = _ORG,
    roster: Path = _ROSTER,
    roster_sheet: str = _ROSTER_SHEET,
    out: Path = typer.Option(None, "--out", help="Save the plan as JSON for `apply --plan`."),
    fmt: str = typer.Option("text", "--format", help="text or markdown."),
    detailed_exitcode: bool = typer.Option(False, "--detailed-exitcode", help="Exit 0 with no "
                                           "changes, 2 with changes, 1 on error."),
    adopt: bool = _ADOPT,
    allow_delete: bool = _ALLOW_DELETE,
) -> None:
    """Read the tenant, compare it with the spec and roster, and show what apply would do."""
    _, _, the_plan, _, _ = _make_plan(connection, org, roster, adopt, allow_delete,
                                      roster_sheet)
    _show(the_plan, fmt)
    if out is not None:
        the_plan.save(out)
        err_console.print(f"Plan saved to {out} (checksum {the_plan.checksum[:16]})",
                          markup=False)
    if detailed_exitcode and the_plan.changes:
        raise typer.Exit(2)


@app.command()
def apply(
    connection: Path = _CONNECTION,
    plan_file: Path = typer.Option(None, "--plan", help="A plan saved by `plan --out`."),
    org: Path = _ORG,
    roster: Path = _ROSTER,
    roster_sheet: str = _ROSTER_SHEET,
    yes: bool = typer.Option(False, "--yes", help="Plan and apply in one go without asking."),
    force: bool = typer.Option(False, "--force", help="Apply even an unsafe plan."),
    adopt: bool = _ADOPT,
    allow_delete: bool = _ALLOW_DELETE,
    out_dir: Path = typer.Option(None, "--out-dir", help="Folder for the results CSV and "
                                 "slips (default: next to the connection profile)."),
) -> None:
    """Apply a saved plan (--plan), or plan and apply (--org/--roster --yes)."""
    from workspace_coach.provision.apply import (
        Applier,
        credentials_path,
        journal_path,
        write_outputs,
    )
    from workspace_coach.provision.journal import Journal
    from workspace_coach.provision.passwords import CredentialStore
    from workspace_coach.provision.plan import Plan

    passwords: dict[str, str] = {}
    if plan_file is not None:
        profile, session = _session(connection)
        the_plan = Plan.load(plan_file)
        if the_plan.domain != profile.domain:
            raise UserError(f"{plan_file} is a plan for {the_plan.domain}, not "
                            f"{profile.domain}")
        state = None
        if roster is not None or roster_sheet is not None:
            passwords = _roster_passwords(
                the_plan, None, _read_people(roster, roster_sheet, None, profile))
    else:
        if not yes:
            raise UserError("give --plan plan.json, or --org/--roster with --yes to plan and "
                            "apply in one go")
        profile, session, the_plan, state, people = _make_plan(connection, org, roster, adopt,
                                                               allow_delete, roster_sheet)
        passwords = _roster_passwords(the_plan, None, people)
        _show(the_plan, "text")
    if not the_plan.changes:
        console.print("Nothing to do.")
        return
    journal = Journal(journal_path(profile))
    creds = CredentialStore(credentials_path(profile))
    try:
        applier = Applier(session, the_plan, profile, journal=journal, credentials=creds,
                          roster_passwords=passwords, console=err_console,
                          allow_delete=allow_delete)
        result = applier.run(force=force, state=state)
    finally:
        journal.close()
    folder = out_dir or credentials_path(profile).parent
    paths = write_outputs(result, folder, creds, profile.domain)
    counts = result.counts()
    console.print("Applied: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    console.print(f"Results: {paths['results']}", markup=False)
    if result.created_users:
        console.print(f"Initial passwords (keep private): {creds.path}; printable slips: "
                      f"{paths['slips']}", markup=False)
    if result.failed:
        raise UserError(f"{len(result.failed)} step(s) failed (see {paths['results']}); run "
                        "apply again to retry them")


def _roster_passwords(the_plan, roster: Path | None, people=None) -> dict[str, str]:
    """Passwords the roster gives for users the plan creates, by address."""
    from workspace_coach.provision.roster import read_roster

    wanted = {c.meta.get("row"): c.key for c in the_plan.changes
              if c.kind == "user" and c.action == "create" and c.meta.get("password") == "roster"}
    if not wanted:
        return {}
    people = people if people is not None else read_roster(roster)
    return {wanted[p.where]: p.password for p in people.people
            if p.where in wanted and p.password}
