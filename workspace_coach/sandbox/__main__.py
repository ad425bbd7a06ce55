"""`python -m workspace_coach.sandbox [serve options]`: the background sandbox's process.

The same command as `workspace-coach sandbox serve`, with the same options, log and one-line
errors, started without importing every other command group first (the dashboard's, the
audit's and their libraries), which took about a second of the demo's wait for its sandbox.
"""

from __future__ import annotations

import logging
import sys

from rich.console import Console
from rich.logging import RichHandler
from rich.text import Text

from workspace_coach.errors import UserError


def main(argv: list[str] | None = None) -> None:
    err_console = Console(stderr=True)
    # as `workspace-coach` sets it up: warnings and errors, each as one line on stderr
    logging.basicConfig(level=logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=err_console, show_path=False)], force=True)
    from workspace_coach.cli.sandbox import app

    try:
        app(args=["serve", *(sys.argv[1:] if argv is None else argv)],
            prog_name="workspace-coach sandbox")
    except UserError as exc:
        err_console.print(Text.assemble(("error:", "bold red"), " ", str(exc)), highlight=False,
                          soft_wrap=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
