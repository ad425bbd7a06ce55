"""Entry point of the `workspace-coach` command.

Subcommand groups live in sibling modules and are added here; only implemented commands appear.
User mistakes (`UserError`) are printed as one line with a non-zero exit; `-v` shows debug logs.
"""

from __future__ import annotations

import logging
import os
import sys

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.text import Text

from workspace_coach import __version__
from workspace_coach.errors import UserError

app = typer.Typer(
    name="workspace-coach",
    help=(
        "Bring small organisations onto Google Workspace and keep them thriving there.\n\n"
        "Every command that talks to a tenant takes --connection PATH (or WC_CONNECTION); "
        "the local sandbox is the default place to try things safely."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

err_console = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"workspace-coach {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show debug logs."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Workspace Coach."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False)],
        force=True,
    )
    if not verbose:
        # googleapiclient logs every retry at WARNING; our own layer reports what matters.
        logging.getLogger("googleapiclient").setLevel(logging.ERROR)


def _register() -> None:
    from workspace_coach.cli import (
        audit,
        connection,
        curriculum,
        dashboard,
        demo,
        digest,
        provision,
        sandbox,
    )

    app.add_typer(sandbox.app, name="sandbox")
    app.add_typer(provision.app, name="provision")
    app.add_typer(audit.app, name="audit")
    app.command(name="demo")(demo.demo)
    app.add_typer(curriculum.app, name="curriculum")
    app.command(name="dashboard")(dashboard.dashboard)
    app.command(name="digest")(digest.digest)
    app.add_typer(connection.app, name="connection")


_register()


def run() -> None:
    """Console-script entry: usage errors are Typer's; user errors are one clear line.

    A Google, auth or network failure that escaped the command's own handling (every Google
    call should go through GoogleSession, which turns it into a `GoogleApiError`) still becomes
    one line: what failed and what to do, never a traceback. A failure that comes from the
    connection itself (a refused token, a disabled API, a subject who is not an administrator)
    ends by pointing at `connection check`, which explains it.
    """
    from workspace_coach.google.retry import needs_connection_check

    try:
        app()  # standalone: Typer reports usage errors itself and exits 2
    except UserError as exc:
        failure = getattr(exc, "failure", None)
        message = str(exc)
        if failure is not None and needs_connection_check(failure):
            message += connection_check_hint(sys.argv[1:], os.environ.get("WC_CONNECTION"))
        _fail(message, exc.exit_code)
    except Exception as exc:  # converted only if Google-shaped, else re-raised
        line = google_failure_line(exc)
        if line is None:
            raise
        _fail(line, 1)


def connection_check_hint(argv: list[str], env_connection: str | None) -> str:
    """` — run `workspace-coach connection check --connection PATH``, with the path given."""
    path = env_connection or "PATH"
    for index, arg in enumerate(argv):
        if arg in ("--connection", "-c") and index + 1 < len(argv):
            path = argv[index + 1]
        elif arg.startswith("--connection="):
            path = arg.split("=", 1)[1]
    command = f"workspace-coach connection check --connection {path}"
    return f" — run `{command}` / 연결 점검: `{command}`"


def error_text(message: str) -> Text:
    """`error: message` as printed; the message may quote a name from a roster or a tenant, so
    it is text, never Rich markup."""
    return Text.assemble(("error:", "bold red"), " ", message)


def _fail(message: str, code: int) -> None:
    err_console.print(error_text(message), highlight=False, soft_wrap=True)
    sys.exit(code)


def google_failure_line(exc: BaseException) -> str | None:
    """One line for a Google, auth or connection failure (gspread's included); None otherwise."""
    from workspace_coach.google.retry import describe, needs_connection_check

    failure = None
    seen: set[int] = set()
    current: BaseException | None = exc
    # a library may wrap the Google error (`raise X from http_error`): look down the chain
    while current is not None and failure is None and id(current) not in seen:
        seen.add(id(current))
        failure = describe(current)
        current = current.__cause__ or current.__context__
    if failure is None:
        return None
    if needs_connection_check(failure):
        hint = connection_check_hint(sys.argv[1:], os.environ.get("WC_CONNECTION"))
        return f"a Google call failed: {failure.summary()}{hint}"
    if failure.kind == "transport":
        hint = ("check the network and the profile's endpoint, then run the command again / "
                "네트워크와 연결 주소를 확인한 뒤 다시 실행하세요")
    elif failure.retriable():
        hint = ("run the command again; it resumes where it stopped / "
                "다시 실행하면 멈춘 곳에서 이어집니다")
    else:
        hint = ("check that what it names exists and that the profile's account may reach it "
                "/ 대상이 있는지, 연결 계정에 권한이 있는지 확인하세요")
    return f"a Google call failed: {failure.summary()} ({hint})"


if __name__ == "__main__":
    run()
