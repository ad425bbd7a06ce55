"""`workspace-coach provision ...`: make a tenant match a roster and an org spec.

`validate` reads and checks the input without touching any tenant, so an admin can fix a
spreadsheet until it is clean before anything is planned.
"""

from __future__ import annotations

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


@app.command()
def validate(
    roster: Path = typer.Option(None, "--roster", help="Roster of people (required): CSV "
                                "(UTF-8 or CP949) or XLSX, Korean or English headers, or GAM "
                                "columns."),
    org: Path = typer.Option(None, "--org", help="Org spec (org.yaml): domain, org units, "
                             "teams, groups, shared drives, rotating roles."),
    domain: str = typer.Option("", help="Domain for generated addresses when there is no "
                               "--org (default: the roster's, if it uses one)."),
) -> None:
    """Check a roster (and org spec) and show what would be provisioned; changes nothing.

    Every problem is listed at once as file:row: column: message; the exit code is 1 if there
    is any error.
    """
    from workspace_coach.provision.roster import read_roster
    from workspace_coach.provision.spec import SpecError, load_spec
    from workspace_coach.provision.validate import validate as check

    if roster is None:  # checked here, not by Typer, so the message is one line
        raise UserError("--roster FILE is required (a CSV or XLSX roster of people)")
    spec = None
    spec_issues: list[Issue] = []
    if org is not None:
        try:
            spec = load_spec(org)
        except SpecError as exc:
            spec_issues = exc.issues
    people = read_roster(roster)
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
