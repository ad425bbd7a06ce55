"""What `audit collect --all` and `curriculum sync --all` share: the lock, one progress bar per
client, one summary table, and an exit code that names the clients that failed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine

from workspace_coach.errors import UserError
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.runs.every_client import DEFAULT_PARALLEL, Outcome, Work, run_every_client
from workspace_coach.storage.clients import ClientInfo

PARALLEL = typer.Option(DEFAULT_PARALLEL, "--parallel", min=1, max=16,
                        help="With --all: clients run at once.")


def client_profile(client: ClientInfo) -> ConnectionProfile:
    """The connection profile recorded for a client in the coach's database."""
    from workspace_coach.google.connection import load_profile

    if not client.profile_path:
        raise UserError(f"{client.slug}: no connection profile recorded; run `workspace-coach "
                        "audit collect --connection PATH` for it once / 연결 프로필 경로가 "
                        "기록되지 않았습니다: 한 번 `audit collect --connection PATH`로 "
                        "실행하세요")
    return load_profile(Path(client.profile_path))


def run_all(engine: Engine, kind: str, what: str, work: Work, *, parallel: int,
            console: Console, clients: Callable[[Engine], list[ClientInfo]] | None = None
            ) -> list[Outcome]:
    """`work` for every client under the `kind` lock; prints the summary table and exits 1,
    naming the failed clients, if any failed."""
    from workspace_coach.runs.lock import run_lock

    with run_lock(engine, kind, what):
        chosen = clients(engine) if clients else None
        outcomes = run_every_client(engine, kind, work, parallel=parallel,
                                    console=Console(stderr=True), clients=chosen)
    if not outcomes:
        console.print(f"No client to run / 실행할 고객이 없습니다 ({what})")
        return outcomes
    console.print(summary_table(outcomes, what))
    failed = [o.client.slug for o in outcomes if o.status != "ok"]
    if failed:
        Console(stderr=True).print(Text.assemble(
            ("error:", "bold red"), f" {len(failed)} of {len(outcomes)} client(s) failed: "
            f"{', '.join(failed)} / 실패한 고객: {', '.join(failed)}"), soft_wrap=True)
        raise typer.Exit(1)
    return outcomes


def summary_table(outcomes: list[Outcome], what: str) -> Table:
    ok = sum(o.status == "ok" for o in outcomes)
    table = Table(title=f"{what}: {ok} of {len(outcomes)} client(s) ok · 고객 {len(outcomes)}곳 "
                        f"중 {ok}곳 성공")
    for column in ("Client · 고객", "Result · 결과", "Data up to · 데이터 기준일", "Time",
                   "Summary or error · 요약 또는 오류"):
        table.add_column(column, justify="right" if column == "Time" else "left")
    for o in outcomes:
        result = Text("ok · 성공", style="green") if o.status == "ok" else \
            Text("failed · 실패", style="bold red")
        table.add_row(Text(o.client.slug), result,
                      o.data_until.isoformat() if o.data_until else "-", f"{o.seconds:.1f} s",
                      Text(o.error or o.summary))
    return table
