"""The programme's portfolio: every client's change under coaching, for the funder's report.

`gather_portfolio(db, clients, since)` reads the coach's database only and gives, per client:

- **before and now**: each organisation category on the first scored date on or before the
  first coaching session (the baseline; with no session, or none scored before it, the first
  scored date), and on the newest date, from the client's newest scoring run (the run every
  reader shows, `latest.newest_run`). With `since`, only dates from `since` count, and only
  sessions from `since`.
- **sessions held** since `since` (all when not given).
- **checklist items completed**: (trainee, item) pairs whose current mark is done (a coach's
  override beats the trainee's own mark), marked since `since`. Withheld (None) when fewer
  trainees than the client's minimum group size have marks, like every team figure.
- **critical and high checks fixed**: failing in the baseline check run (the newest run started
  on or before the first session, else the oldest since `since`) and passing in the newest.

Privacy, as everywhere: a client appears by its name only when its profile says
`share_name_in_reports: true`; otherwise as "client A" / "고객사 A" (letters in the order
clients were added), and neither its name, slug nor domain is in the data handed to a renderer.
Only organisation-level figures are read: no team, group or person score, and an organisation
score whose recorded head-count is under the client's minimum group size is dropped.

The programme's totals add the clients' counts (withheld ones count as unknown, not zero); its
medians are over the clients with a value at both ends.
"""

from __future__ import annotations

import datetime as dt
import statistics
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from workspace_coach.audit.categories import CATEGORIES
from workspace_coach.audit.latest import check_runs, connect, newest_run
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import ClientInfo
from workspace_coach.timezones import as_utc

FIX_SEVERITIES = ("critical", "high")


@dataclass(frozen=True)
class PortfolioClient:
    label: dict[str, str]                 # the name, or "client A" / "고객사 A"
    named: bool
    before_date: dt.date | None
    now_date: dt.date | None
    before: dict[str, float | None]
    now: dict[str, float | None]
    sessions: int
    first_session: dt.date | None
    items_completed: int | None           # None: withheld (small group)
    fixed: dict[str, int]                 # severity -> checks fixed

    def change(self, category: str) -> float | None:
        b, n = self.before.get(category), self.now.get(category)
        return None if b is None or n is None else round(n - b, 1)


@dataclass(frozen=True)
class CategoryMedians:
    category: str
    clients: int
    before: float | None
    now: float | None
    change: float | None


@dataclass(frozen=True)
class Portfolio:
    since: dt.date | None
    clients: list[PortfolioClient]
    medians: dict[str, CategoryMedians] = field(default_factory=dict)

    @property
    def sessions(self) -> int:
        return sum(c.sessions for c in self.clients)

    @property
    def items_completed(self) -> int:
        return sum(c.items_completed or 0 for c in self.clients)

    @property
    def items_withheld(self) -> int:
        return sum(c.items_completed is None for c in self.clients)

    def fixed(self, severity: str) -> int:
        return sum(c.fixed.get(severity, 0) for c in self.clients)


def pseudonym(index: int) -> dict[str, str]:
    """"client A" .. "client Z", then "client AA" ...; the same letters in Korean."""
    letters = ""
    n = index
    while True:
        letters = string.ascii_uppercase[n % 26] + letters
        n = n // 26 - 1
        if n < 0:
            break
    return {"ko": f"고객사 {letters}", "en": f"client {letters}"}


def _org_values(conn: sa.Connection, client: ClientInfo, since: dt.date | None
                ) -> dict[dt.date, dict[str, float]]:
    """{date: {category: value}} of the organisation in the client's newest scoring run."""
    run = newest_run(conn, client.id)
    if run is None:
        return {}
    query = (sa.select(m.Score.date, m.Score.category, m.Score.value, m.Score.inputs)
             .where(m.Score.run_id == run.id, m.Score.client_id == client.id,
                    m.Score.window_days == run.window_days, m.Score.scope_type == "org",
                    m.Score.value.is_not(None)))
    if since is not None:
        query = query.where(m.Score.date >= since)
    out: dict[dt.date, dict[str, float]] = {}
    for date, category, value, inputs in conn.execute(query):
        people = (inputs or {}).get("people")
        if isinstance(people, int) and people < client.min_group_size:
            continue   # never a figure of fewer people than the client's minimum
        if category in CATEGORIES:
            out.setdefault(date, {})[category] = float(value)
    return out


def _sessions(conn: sa.Connection, client_id: int, since: dt.date | None
              ) -> tuple[int, dt.date | None]:
    query = sa.select(sa.func.count(), sa.func.min(m.CoachingSession.held_on)).where(
        m.CoachingSession.client_id == client_id)
    if since is not None:
        query = query.where(m.CoachingSession.held_on >= since)
    count, first = conn.execute(query).one()
    return int(count), first


def _items_completed(conn: sa.Connection, client: ClientInfo, since: dt.date | None
                     ) -> int | None:
    c = m.CurriculumMark
    newest: dict[tuple[str, str, str, str], tuple[str, dt.datetime]] = {}
    for row in conn.execute(sa.select(c.track, c.item_id, c.person_email, c.kind, c.status,
                                      c.marked_at)
                            .where(c.client_id == client.id).order_by(c.marked_at, c.id)):
        newest[(row.track, row.item_id, row.person_email.lower(), row.kind)] = (
            row.status, as_utc(row.marked_at))
    trainees = {key[2] for key in newest}
    if len(trainees) < client.min_group_size:
        return None
    current: dict[tuple[str, str, str], tuple[str, dt.datetime]] = {}
    for (track, item, person, kind), mark in newest.items():
        key = (track, item, person)
        if kind == "override" or key not in current:
            current[key] = mark
    return sum(1 for status, at in current.values()
               if status == "done" and (since is None or at.date() >= since))


def _fixed(conn: sa.Connection, client_id: int, first_session: dt.date | None,
           since: dt.date | None) -> dict[str, int]:
    runs = check_runs(conn, client_id)
    if since is not None:
        runs = [r for r in runs if r[1].date() >= since] or runs[-1:]
    out = {s: 0 for s in FIX_SEVERITIES}
    if len(runs) < 2:
        return out
    newest = runs[-1][0]
    before = [r for r, started in runs[:-1]
              if first_session is not None and started.date() <= first_session]
    baseline = before[-1] if before else runs[0][0]

    def failing(run: int) -> dict[str, str]:
        return dict(conn.execute(sa.select(m.CheckResult.check_id, m.CheckResult.severity)
                                 .where(m.CheckResult.run_id == run,
                                        m.CheckResult.status == "fail")).all())

    passing = set(conn.execute(sa.select(m.CheckResult.check_id).where(
        m.CheckResult.run_id == newest, m.CheckResult.status == "pass")).scalars())
    for check_id, severity in failing(baseline).items():
        if severity in out and check_id in passing:
            out[severity] += 1
    return out


def _client(conn: sa.Connection, client: ClientInfo, label: dict[str, str], named: bool,
            since: dt.date | None) -> PortfolioClient:
    values = _org_values(conn, client, since)
    sessions, first = _sessions(conn, client.id, since)
    dates = sorted(values)
    before_date = now_date = None
    if dates:
        now_date = dates[-1]
        earlier = [d for d in dates if first is not None and d <= first]
        before_date = earlier[-1] if earlier else dates[0]
    return PortfolioClient(
        label=label, named=named, before_date=before_date, now_date=now_date,
        before={c: values[before_date].get(c) for c in CATEGORIES} if before_date else {},
        now={c: values[now_date].get(c) for c in CATEGORIES} if now_date else {},
        sessions=sessions, first_session=first,
        items_completed=_items_completed(conn, client, since),
        fixed=_fixed(conn, client.id, first, since))


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def gather_portfolio(db: sa.Engine | sa.Connection, clients: Sequence[ClientInfo],
                     since: dt.date | None = None) -> Portfolio:
    """The portfolio of `clients` (see the module docstring), named clients first by name,
    then the others by letter."""
    hidden = sorted((c for c in clients if not c.share_name_in_reports), key=lambda c: c.id)
    labels = {c.id: pseudonym(i) for i, c in enumerate(hidden)}
    out = []
    with connect(db) as conn:
        for client in clients:
            named = client.share_name_in_reports
            label = {"ko": client.name, "en": client.name} if named else labels[client.id]
            out.append(_client(conn, client, label, named, since))
    # named clients by name, then "client A", "client B", ... in letter order
    order = {c.id: i for i, c in enumerate(hidden)}
    ranked = sorted(zip(clients, out, strict=True),
                    key=lambda pair: (0, pair[1].label["en"], 0) if pair[1].named
                    else (1, "", order[pair[0].id]))
    out = [entry for _, entry in ranked]
    medians = {}
    for category in CATEGORIES:
        pairs = [(c.before[category], c.now[category]) for c in out
                 if c.before.get(category) is not None and c.now.get(category) is not None]
        medians[category] = CategoryMedians(
            category, len(pairs), _median([b for b, _ in pairs]), _median([n for _, n in pairs]),
            _median([n - b for b, n in pairs]))
    return Portfolio(since, out, medians)
