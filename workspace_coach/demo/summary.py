"""What the demo shows at the end: each client's adoption before coaching and now, read back from
the coach's database (what `collect` stored), and which client to look at first.

Figures are the customer-level usage reports Google gives every admin, so no per-person figure is
shown here whatever the client consented to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from workspace_coach.audit.collect import CUSTOMER_USAGE
from workspace_coach.demo.steps import ClientRun
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import find_client

# Customer figures worth showing a coach first (canonical Reports API name, label).
HEADLINE = (
    ("accounts:num_7day_logins", "7일 로그인\n7-day logins"),
    ("accounts:num_users_2sv_enrolled", "2단계 인증\n2-step verif."),
    ("drive:num_30day_active_users", "드라이브 30일\nDrive, 30 days"),
    ("chat:num_28day_communicator_users", "채팅 28일\nChat, 28 days"),
)


@dataclass
class Adoption:
    """Headline figures of one client on two dates: before the first coaching session, and the
    newest complete date."""

    people: int
    before: dt.date | None
    now: dt.date | None
    figures: dict[str, tuple[int | None, int | None]]

    def share(self, parameter: str) -> float:
        """The newest value of `parameter` as a share of the people (0 when unknown)."""
        value = self.figures.get(parameter, (None, None))[1]
        return (value or 0) / self.people if self.people else 0.0


def adoption(engine: Engine, run: ClientRun) -> Adoption:
    with engine.connect() as conn:
        client = find_client(conn, run.client.slug)
        if client is None:
            return Adoption(0, None, None, {})
        client_id = client.id
        complete = [d for (d,) in conn.execute(
            sa.select(m.CollectState.date).where(
                m.CollectState.client_id == client_id, m.CollectState.kind == CUSTOMER_USAGE,
                m.CollectState.partial.is_(False)).order_by(m.CollectState.date))]
        values = {(r.date, r.parameter): r.int_value for r in conn.execute(
            sa.select(m.UsageValue.date, m.UsageValue.parameter, m.UsageValue.int_value).where(
                m.UsageValue.client_id == client_id, m.UsageValue.entity_type == "customer",
                m.UsageValue.parameter.in_([p for p, _ in HEADLINE] + ["accounts:num_users"]))
        )}
    with_data = [d for d in complete if (d, "accounts:num_users") in values]
    now = with_data[-1] if with_data else None
    first_session = run.sessions[0] if run.sessions else None
    before = max((d for d in with_data if first_session and d < first_session), default=None)
    figures = {p: (values.get((before, p)), values.get((now, p))) for p, _ in HEADLINE}
    people = values.get((now, "accounts:num_users")) or 0
    return Adoption(people, before, now, figures)


def print_summary(runs: list[ClientRun], engine: Engine, console: Console) -> list[Adoption]:
    """A table per client (its headline figures before coaching and now); returns them."""
    found = []
    for run in runs:
        figures = adoption(engine, run)
        found.append(figures)
        consent = "개인별 분석 동의 · per-person insights" if run.profile.per_person_insights \
            else "조직 단위만 · organisation-level only"
        table = Table(title=escape(f"{run.client.display_name} · {run.client.domain}, "
                                   f"{figures.people} people, {run.client.profile}"),
                      title_justify="left", title_style="bold")
        table.add_column("", no_wrap=True)
        table.add_column("날짜 · date", no_wrap=True)
        for _, label in HEADLINE:
            table.add_column(label, justify="right")
        for index, (name, day) in enumerate((("코칭 전 · before", figures.before),
                                             ("현재 · now", figures.now))):
            cells = []
            for parameter, _ in HEADLINE:
                value = figures.figures[parameter][index]
                cells.append("–" if value is None else f"{value}")
            table.add_row(name, day.isoformat() if day else "–", *cells)
        sessions = ", ".join(d.isoformat() for d in run.sessions) or "none"
        table.caption = escape(f"coaching · 코칭: {sessions}; {consent}")
        table.caption_justify = "left"
        console.print(table)
    return found


def where_to_look(runs: list[ClientRun], found: list[Adoption]) -> ClientRun | None:
    """The client whose people are least secured: the lowest 2-step verification share."""
    ranked = sorted(zip(runs, found, strict=True),
                    key=lambda pair: pair[1].share("accounts:num_users_2sv_enrolled"))
    return ranked[0][0] if ranked else None
