"""What needs the coach this week, per client: the one list the digest mails and the Clients
page shows at its top.

For each client, from the coach's database alone (no API call):

- **regression**: an organisation category (or overall) that fell by at least
  `REGRESSION_POINTS` since a week before the newest scored date, in the newest scoring run;
- **new check**: a critical or high check failing in the newest check run that was not failing
  in the run a week earlier (the newest run started at least `WEEK_DAYS` before now, else the
  oldest run); a client with only one check run has nothing "new" yet;
- **follow-ups**: not done and overdue (due before today) or due within `WEEK_DAYS`;
- **stuck trainees**: people with a published checklist or a mark whose newest mark or
  publication is older than `STUCK_DAYS`. Named only with the client's per-person consent;
  without it only the count, and only when it reaches the client's minimum group size (the
  same rule as every team figure).

Items come most urgent first: overdue follow-ups and new critical checks, then regressions,
new high checks, follow-ups due soon and stuck trainees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.latest import check_runs, connect, newest_run
from workspace_coach.storage import models as m
from workspace_coach.storage.clients import ClientInfo
from workspace_coach.timezones import as_utc

REGRESSION_POINTS = 5.0
WEEK_DAYS = 7
STUCK_DAYS = 14

Kind = Literal["overdue", "new_critical", "regression", "new_high", "due", "stuck"]
ORDER: tuple[Kind, ...] = ("overdue", "new_critical", "regression", "new_high", "due", "stuck")

#: Section labels, as the digest and the dashboard show them.
KIND_LABELS: dict[str, dict[str, str]] = {
    "overdue": {"ko": "기한 지난 후속 조치", "en": "Overdue follow-up"},
    "new_critical": {"ko": "새 심각 점검", "en": "New critical check"},
    "regression": {"ko": "점수 하락", "en": "Score dropped"},
    "new_high": {"ko": "새 높음 점검", "en": "New high check"},
    "due": {"ko": "이번 주 마감 후속 조치", "en": "Follow-up due this week"},
    "stuck": {"ko": "2주간 진도 없는 교육생", "en": "Trainees without progress for two weeks"},
}


@dataclass(frozen=True)
class Need:
    kind: Kind
    text: dict[str, str]          # one line in Korean and English
    subject: str = ""             # a stable id: category, check id, follow-up id, "trainees"

    @property
    def label(self) -> dict[str, str]:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class ClientNeeds:
    client: ClientInfo
    items: list[Need] = field(default_factory=list)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _regressions(conn: sa.Connection, client: ClientInfo) -> list[Need]:
    run = newest_run(conn, client.id)
    if run is None:
        return []
    where = [m.Score.run_id == run.id, m.Score.client_id == client.id,
             m.Score.window_days == run.window_days, m.Score.scope_type == "org",
             m.Score.value.is_not(None)]
    newest = conn.execute(sa.select(sa.func.max(m.Score.date)).where(*where)).scalar()
    if newest is None:
        return []
    week_ago = newest - dt.timedelta(days=WEEK_DAYS)
    rows = conn.execute(sa.select(m.Score.category, m.Score.date, m.Score.value)
                        .where(*where, m.Score.date.in_([newest, week_ago]))).all()
    values = {(c, d): v for c, d, v in rows}
    out = []
    for category in CATEGORIES:
        now, before = values.get((category, newest)), values.get((category, week_ago))
        if now is None or before is None or before - now < REGRESSION_POINTS:
            continue
        label = CATEGORY_LABELS[category]
        out.append(Need("regression", {
            "ko": f"{label['ko']} {before:.1f} → {now:.1f}점 ({now - before:+.1f}, "
                  f"{week_ago.isoformat()} 대비)",
            "en": f"{label['en']} {before:.1f} → {now:.1f} ({now - before:+.1f} since "
                  f"{week_ago.isoformat()})"}, category))
    return out


def _new_checks(conn: sa.Connection, client: ClientInfo, now: dt.datetime) -> list[Need]:
    runs = check_runs(conn, client.id)
    if len(runs) < 2:
        return []
    newest = runs[-1][0]
    older = [r for r, started in runs[:-1] if started <= now - dt.timedelta(days=WEEK_DAYS)]
    baseline = older[-1] if older else runs[0][0]
    failing_before = set(conn.execute(
        sa.select(m.CheckResult.check_id).where(m.CheckResult.run_id == baseline,
                                                m.CheckResult.status == "fail")).scalars())
    rows = conn.execute(
        sa.select(m.CheckResult.check_id, m.CheckResult.severity, m.CheckResult.details,
                  m.CheckResult.affected_count)
        .where(m.CheckResult.run_id == newest, m.CheckResult.client_id == client.id,
               m.CheckResult.status == "fail",
               m.CheckResult.severity.in_(("critical", "high")))
        .order_by(m.CheckResult.check_id)).all()
    out = []
    for check_id, severity, details, affected in rows:
        if check_id in failing_before:
            continue
        title = (details or {}).get("title")
        ko = title.get("ko") if isinstance(title, dict) else None
        en = title.get("en") if isinstance(title, dict) else None
        out.append(Need("new_critical" if severity == "critical" else "new_high", {
            "ko": f"{ko or check_id} ({check_id}, 대상 {affected or 0})",
            "en": f"{en or check_id} ({check_id}, {affected or 0} affected)"}, check_id))
    return out


def _follow_ups(conn: sa.Connection, client: ClientInfo, today: dt.date) -> list[Need]:
    rows = conn.execute(
        sa.select(m.FollowUp.id, m.FollowUp.text, m.FollowUp.owner, m.FollowUp.due_on)
        .where(m.FollowUp.client_id == client.id, m.FollowUp.done.is_(False),
               m.FollowUp.due_on.is_not(None),
               m.FollowUp.due_on <= today + dt.timedelta(days=WEEK_DAYS))
        .order_by(m.FollowUp.due_on, m.FollowUp.id)).all()
    out = []
    for ident, text, owner, due in rows:
        who = f" · {owner}" if owner else ""
        if due < today:
            late = (today - due).days
            out.append(Need("overdue", {"ko": f"{text}{who} (기한 {due.isoformat()}, {late}일 지남)",
                                        "en": f"{text}{who} (due {due.isoformat()}, {late} days "
                                              "overdue)"}, f"follow-up:{ident}"))
        else:
            out.append(Need("due", {"ko": f"{text}{who} (기한 {due.isoformat()})",
                                    "en": f"{text}{who} (due {due.isoformat()})"},
                            f"follow-up:{ident}"))
    return out


def _stuck(conn: sa.Connection, client: ClientInfo, now: dt.datetime) -> list[Need]:
    last: dict[str, dt.datetime] = {}
    for email, stamp in conn.execute(
            sa.select(m.CurriculumMark.person_email, sa.func.max(m.CurriculumMark.marked_at))
            .where(m.CurriculumMark.client_id == client.id)
            .group_by(m.CurriculumMark.person_email)):
        last[email.lower()] = as_utc(stamp)
    for email, stamp in conn.execute(
            sa.select(m.PublishedSheet.person_email, sa.func.max(m.PublishedSheet.published_at))
            .where(m.PublishedSheet.client_id == client.id)
            .group_by(m.PublishedSheet.person_email)):
        key = email.lower()
        last[key] = max(last.get(key, as_utc(stamp)), as_utc(stamp))
    cutoff = now - dt.timedelta(days=STUCK_DAYS)
    stuck = sorted(email for email, stamp in last.items() if stamp < cutoff)
    if not stuck:
        return []
    if client.per_person_insights:
        names = ", ".join(stuck)
        return [Need("stuck", {"ko": f"{len(stuck)}명: {names}", "en": f"{len(stuck)}: {names}"},
                     "trainees")]
    if len(stuck) < client.min_group_size:
        return []  # a count under the minimum group size could point at a person
    return [Need("stuck", {"ko": f"{len(stuck)}명 (개인별 분석 동의 없음: 이름 생략)",
                           "en": f"{len(stuck)} people (no per-person consent: names left out)"},
                 "trainees")]


def client_needs(conn: sa.Connection, client: ClientInfo, *, today: dt.date,
                 now: dt.datetime) -> list[Need]:
    """Everything that needs the coach at one client, most urgent first."""
    items = (_follow_ups(conn, client, today) + _new_checks(conn, client, now)
             + _regressions(conn, client) + _stuck(conn, client, now))
    return sorted(items, key=lambda n: ORDER.index(n.kind))


def needs_this_week(db: Engine | sa.Connection, clients: Sequence[ClientInfo], *,
                    today: dt.date | None = None, now: dt.datetime | None = None
                    ) -> list[ClientNeeds]:
    """The clients (in the order given) that need the coach, each with its items; clients with
    nothing to do are left out."""
    moment = _now(now)
    day = today or moment.date()
    out = []
    with connect(db) as conn:
        for client in clients:
            items = client_needs(conn, client, today=day, now=moment)
            if items:
                out.append(ClientNeeds(client, items))
    return out
