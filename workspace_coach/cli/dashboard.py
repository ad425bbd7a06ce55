"""`workspace-coach dashboard`: start the coaching dashboard (Streamlit) on this computer.

It runs the dashboard's Streamlit script (`resources.dashboard_app()`, shipped inside the
package) headless, without usage statistics, on 127.0.0.1 by default. Listening on another
address is refused unless a `.streamlit/secrets.toml` Streamlit reads (in the current folder, the
home folder or beside the app) has an `[auth]` section, so nobody reaches the coach's data without
signing in. The database is migrated before the server
starts, so a wrong `--database` fails here with one clear line.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tomllib
from pathlib import Path

import typer
from rich.console import Console

from workspace_coach import resources
from workspace_coach.errors import UserError

console = Console(stderr=True)


def secrets_files() -> list[Path]:
    """Where Streamlit looks for `secrets.toml`, in its order."""
    return [Path.home() / ".streamlit" / "secrets.toml",
            Path.cwd() / ".streamlit" / "secrets.toml",
            resources.dashboard_app().parent / ".streamlit" / "secrets.toml"]


def auth_configured() -> bool:
    for path in secrets_files():
        if not path.is_file():
            continue
        try:
            if "auth" in tomllib.loads(path.read_text(encoding="utf-8")):
                return True
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"{path}: not valid TOML ({exc})") from None
    return False


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def command(host: str, port: int) -> list[str]:
    """The Streamlit command line the dashboard runs with."""
    return [sys.executable, "-m", "streamlit", "run", str(resources.dashboard_app()),
            "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer",
            "--theme.base", "light"]


def dashboard(
    port: int = typer.Option(8501, "--port", help="Port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; anything but "
                             "this computer needs sign-in (an auth section in "
                             ".streamlit/secrets.toml)."),
    database: str = typer.Option(None, "--database", envvar="WC_DATABASE_URL",
                                 help="The coach's database (default: SQLite in the data "
                                 "directory)."),
    curricula: Path = typer.Option(None, "--curricula", envvar="WC_CURRICULA",
                                   help="Folder of curricula to use instead of the ones that "
                                   "come with Workspace Coach."),
) -> None:
    """Start the coaching dashboard at http://HOST:PORT (Ctrl-C stops it)."""
    from workspace_coach.storage.db import database_url, make_engine
    from workspace_coach.storage.migrations import upgrade

    resources.use_curricula(curricula)
    if not 1 <= port <= 65535:
        raise UserError(f"--port {port} is not a port number (1-65535)")
    if not _loopback(host) and not auth_configured():
        raise UserError(f"--host {host} would let others reach the dashboard without signing "
                        "in; add an auth section to .streamlit/secrets.toml first "
                        "(see docs/dashboard.md)")
    env = dict(os.environ)
    if database:
        env["WC_DATABASE_URL"] = database
    url = database or database_url()
    engine = make_engine(url)
    try:
        upgrade(engine)
    except Exception as exc:  # noqa: BLE001 - any connection problem is the user's to fix
        raise UserError(f"cannot open the database {url.split('@')[-1]}: "
                        f"{type(exc).__name__}") from None
    finally:
        engine.dispose()
    shown = "localhost" if _loopback(host) else host
    console.print(f"Dashboard: http://{shown}:{port}  (database {url.split('@')[-1]})")
    sys.stdout.flush()
    # Replace this process with Streamlit, so stopping one stops the other.
    os.execve(sys.executable, command(host, port), env)
