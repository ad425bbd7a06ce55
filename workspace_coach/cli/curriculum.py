"""`workspace-coach curriculum ...`: the checklists trainees work through.

`lint` checks curriculum files (default: the repository's `curricula/` folder) and lists every
problem as `file:line: path: message`, exiting 1 if there is any.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from workspace_coach.errors import UserError

app = typer.Typer(help="Curricula: checklists that tick themselves off from real evidence.",
                  no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _group() -> None:
    """Curricula: checklists that tick themselves off from real evidence."""


@app.command()
def lint(
    paths: list[Path] = typer.Argument(None, help="Curriculum files or folders (default: the "
                                       "curricula/ folder)."),
) -> None:
    """Check curriculum files: schema, translations, links, evidence rules against the Reports
    API vocabulary. Every problem is listed as file:line: path: message."""
    from workspace_coach.curriculum.lint import default_folder
    from workspace_coach.curriculum.lint import lint as run_lint

    loaded, problems = run_lint(paths or [default_folder()])
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
        totals = [a + b for a, b in zip(totals, row)]
        table.add_row(f"{cur.id} ({cur.title.ko})", cur.audience, *map(str, row))
    if len(loaded) > 1:
        table.add_row("total", "", *map(str, totals), style="bold")
    console.print(table)
    console.print(f"[green]✓[/] {len(loaded)} curriculum file{'s' if len(loaded) != 1 else ''} "
                  "clean", highlight=False)
