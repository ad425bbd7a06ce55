"""`workspace-coach connection ...`: set up a connection to a real tenant and check it."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from workspace_coach.google import scopes as scope_table

app = typer.Typer(
    help="Connect to a real Google Workspace tenant: a guided setup and a check that explains "
    "every failure. / 실제 Google Workspace 연결: 안내에 따른 설정과 점검",
    no_args_is_help=True,
)

FOR_HELP = (f"What the connection is for, comma-separated: {', '.join(scope_table.CAPABILITIES)} "
            f"(default: {','.join(scope_table.DEFAULT_CAPABILITIES)}).")

_MARK = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "skip": "SKIP"}
_COLOUR = {"pass": "green", "warn": "yellow", "fail": "red", "skip": "bright_black"}


@app.command()
def check(
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="The client's connection.yaml (or its folder)."),
    for_: str = typer.Option("", "--for", help=FOR_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable rows."),
) -> None:
    """Check a connection step by step, like GAM's `check serviceaccount`: key file, clock, the
    key, each scope of the domain-wide delegation, each API, admin rights, customer and domain.
    Every failing row says what to do; the exit code is 1 when any row fails."""
    from workspace_coach.google.check import check_connection
    from workspace_coach.google.connection import load_profile

    capabilities = scope_table.parse_capabilities(for_)
    report = check_connection(load_profile(connection), capabilities)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(f"Connection check · 연결 점검: {report.connection}")
        typer.echo(f"  {report.domain}, subject {report.subject}, for {', '.join(capabilities)}")
        for row in report.rows:
            mark = typer.style(_MARK[row.status], fg=_COLOUR[row.status], bold=True)
            typer.echo(f"{mark}  {row.title}: {row.detail}")
            if row.fix:
                typer.echo(f"      fix: {row.fix}")
            if row.fix_ko:
                typer.echo(f"      해결: {row.fix_ko}")
        failed = sum(row.status == "fail" for row in report.rows)
        passed = sum(row.status == "pass" for row in report.rows)
        if failed:
            typer.echo(f"{failed} failed, {passed} passed · 실패 {failed}건: fix the rows above "
                       "and run the check again / 위 항목을 고친 뒤 다시 점검하세요")
        else:
            typer.echo(f"All {passed} checks passed · 모든 점검 통과")
    if not report.ok:
        raise typer.Exit(1)
