"""The client organisations in the coach's database, and the one line a coach sees per client.

A client is a row of `clients`, written by the first `audit collect` or by registering its
connection profile here (the same insert-or-update the collect does, so both agree on what a
client row holds). `summaries()` gives, per client: the newest overall score, its change over the
last 28 days as a trend arrow, the failing critical checks of the newest run, and the days since
the last coaching session.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.audit.latest import newest_check_run, newest_run
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import ClientInfo, all_clients, find_client

#: A change of the overall score (points over 28 days) smaller than this is shown as flat.
TREND_THRESHOLD = 2.0
TREND_DAYS = 28


@dataclass(frozen=True)
class ClientSummary:
    client: ClientInfo
    overall: float | None
    overall_change: float | None     # points since TREND_DAYS before the newest score
    open_critical: int               # failing critical checks in the newest run
    last_session: dt.date | None
    days_since_session: int | None

    @property
    def arrow(self) -> str:
        if self.overall_change is None:
            return "–"
        if self.overall_change >= TREND_THRESHOLD:
            return "↑"
        if self.overall_change <= -TREND_THRESHOLD:
            return "↓"
        return "→"


def list_clients(engine: Engine) -> list[ClientInfo]:
    with engine.connect() as conn:
        return all_clients(conn)


def get_client(engine: Engine, slug: str) -> ClientInfo | None:
    with engine.connect() as conn:
        return find_client(conn, slug)


def register_client(engine: Engine, profile_path: str | os.PathLike[str]) -> ClientInfo:
    """Add (or refresh) the client a connection profile describes; raises ConfigError with the
    file and field when the profile cannot be read."""
    # The collect owns what a client row holds; reuse its insert-or-update rather than a copy.
    from workspace_coach.audit.collect import ensure_client
    from workspace_coach.google.connection import load_profile

    profile = load_profile(Path(profile_path).expanduser())
    with engine.begin() as conn:
        ensure_client(conn, profile, dt.datetime.now(dt.UTC))
    client = get_client(engine, profile.name)
    assert client is not None
    return client


def _overall(conn: sa.Connection, client_id: int) -> tuple[float | None, float | None]:
    """The newest overall score and its change, from the run every score reader uses."""
    run = newest_run(conn, client_id)
    if run is None:
        return None, None
    rows = conn.execute(
        sa.select(m.Score.date, m.Score.value)
        .where(m.Score.run_id == run.id, m.Score.client_id == client_id,
               m.Score.window_days == run.window_days,
               m.Score.scope_type == "org", m.Score.category == "overall",
               m.Score.value.is_not(None))
        .order_by(m.Score.date.desc())).all()
    if not rows:
        return None, None
    newest_date, newest = rows[0]
    earlier = [v for d, v in rows if d <= newest_date - dt.timedelta(days=TREND_DAYS)]
    return newest, (round(newest - earlier[0], 1) if earlier else None)


def summaries(engine: Engine, clients: list[ClientInfo],
              today: dt.date | None = None) -> list[ClientSummary]:
    """One summary per client, in the order given."""
    today = today or dt.date.today()
    out = []
    with engine.connect() as conn:
        for client in clients:
            overall, change = _overall(conn, client.id)
            checks = newest_check_run(conn, client.id)
            critical = 0
            if checks is not None:
                critical = conn.execute(
                    sa.select(sa.func.count()).select_from(m.CheckResult)
                    .where(m.CheckResult.run_id == checks,
                           m.CheckResult.client_id == client.id,
                           m.CheckResult.severity == "critical",
                           m.CheckResult.status == "fail")).scalar_one()
            last = conn.execute(sa.select(sa.func.max(m.CoachingSession.held_on))
                                .where(m.CoachingSession.client_id == client.id)).scalar_one()
            out.append(ClientSummary(client=client, overall=overall, overall_change=change,
                                     open_critical=critical, last_session=last,
                                     days_since_session=(today - last).days if last else None))
    return out
