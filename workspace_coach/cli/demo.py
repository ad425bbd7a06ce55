"""`workspace-coach demo`: the main job end to end on the local sandbox.

Starts (or reuses) a background sandbox, creates the demo client organisation in it, reads it
back through the same Google client code a live tenant would use, and says what to try next.
Running it again reuses what exists.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from workspace_coach.cli.sandbox import create_tenant_profile
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import load_profile
from workspace_coach.paths import data_dir
from workspace_coach.sandbox import process

console = Console()

DEMO_CLIENTS = (
    ("haessal", "haessal.coop.kr", "해살 협동조합 · Haessal Co-operative"),
)


def demo(
    port: int = typer.Option(8765, help="Port of the demo sandbox."),
    clients_dir: Path = typer.Option(Path("clients"), help="Where client profiles are written."),
    data: Path = typer.Option(None, help="Folder for the sandbox's state (default: data dir)."),
) -> None:
    """Run the demo on the local sandbox: start it, create the demo client, show what to try."""
    state = data or data_dir() / "demo"
    with console.status("Starting the local Workspace sandbox..."):
        url, started = process.ensure_running(state, port)
    console.print(f"[green]✓[/] Sandbox {'started' if started else 'already running'} at {url}")
    known = {t["customerDomain"] for t in (process.health(url) and _tenants(url))}
    for slug, domain, label in DEMO_CLIENTS:
        folder = clients_dir / slug
        profile_file = folder / "connection.yaml"
        if domain in known and profile_file.exists():
            console.print(f"[green]✓[/] Client {label} already set up ({profile_file})")
        else:
            create_tenant_profile(domain, folder, endpoint=url, name=slug)
            console.print(f"[green]✓[/] Created client {label} → {profile_file}")
        profile = load_profile(profile_file)
        directory = GoogleClients(profile, scopes.AUDIT).service("directory")
        users = directory.users().list(customer="my_customer", maxResults=10).execute()
        table = Table(title=f"{domain}: users read back through the Admin SDK",
                      title_justify="left")
        table.add_column("email")
        table.add_column("name")
        table.add_column("admin")
        for user in users.get("users", []):
            table.add_row(user["primaryEmail"], user["name"]["fullName"],
                          "yes" if user["isAdmin"] else "")
        console.print(table)
    console.print("\n[bold]Try next[/]")
    console.print(f"  workspace-coach sandbox tenant create --domain my-coop.kr "
                  f"--endpoint {url} --out clients/my-coop")
    console.print("  workspace-coach sandbox --help")
    console.print(f"  The sandbox keeps running in the background; stop it with "
                  f"'workspace-coach sandbox stop'.")


def _tenants(url: str) -> list[dict]:
    import requests

    return requests.get(url + "_sandbox/tenants", timeout=5).json()["tenants"]
