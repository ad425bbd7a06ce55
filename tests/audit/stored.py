"""Write audit results straight into a database through the models, as `audit run` would:
clients, directory snapshots with people, org and team scores with inputs per the data
contract, check results and coaching sessions. These are the inputs of the readers' tests."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import sqlalchemy as sa

from workspace_coach.audit.categories import CATEGORIES
from workspace_coach.storage.migrations import upgrade
from workspace_coach.storage.models import (
    AuditRun,
    CheckResult,
    Client,
    CoachingSession,
    DirectorySnapshot,
    Person,
    Score,
)

NOW = dt.datetime(2025, 6, 18, 9, 0, tzinfo=dt.UTC)
NEWEST = dt.date(2025, 6, 17)
ADOPTION = [c for c in CATEGORIES if c != "overall"]
_ids = itertools.count(1)


def migrate(engine: sa.Engine) -> None:
    upgrade(engine)


def add_client(conn: sa.Connection, slug: str, people: int, *, display_name: str | None = None,
               suspended: int = 0, min_group_size: int = 5) -> int:
    """A client whose newest directory snapshot holds `people` active people (plus
    `suspended` suspended ones, which do not count towards the size)."""
    cid = conn.execute(sa.insert(Client).values(
        slug=slug, domain=f"{slug}.example.kr", display_name=display_name,
        per_person_insights=False, min_group_size=min_group_size, created_at=NOW
    ).returning(Client.id)).scalar_one()
    # An older, bigger snapshot: only the newest one decides the size band.
    old = conn.execute(sa.insert(DirectorySnapshot).values(
        client_id=cid, taken_at=NOW - dt.timedelta(days=30), digest="old"
    ).returning(DirectorySnapshot.id)).scalar_one()
    _people(conn, old, slug, people + 700, 0)
    snap = conn.execute(sa.insert(DirectorySnapshot).values(
        client_id=cid, taken_at=NOW, digest="new").returning(DirectorySnapshot.id)).scalar_one()
    _people(conn, snap, slug, people, suspended)
    return cid


def _people(conn: sa.Connection, snapshot: int, slug: str, active: int, suspended: int) -> None:
    rows = [{"snapshot_id": snapshot, "user_id": f"u{n}", "email": f"p{n}@{slug}.example.kr",
             "org_unit_path": "/", "is_admin": n == 0, "is_delegated_admin": False,
             "admin_roles": [], "suspended": n >= active, "archived": False,
             "is_enrolled_2sv": False, "is_enforced_2sv": False, "has_recovery_email": False,
             "has_recovery_phone": False, "created_at": None, "last_login_at": None}
            for n in range(active + suspended)]
    if rows:
        conn.execute(sa.insert(Person), rows)


def add_run(conn: sa.Connection, client_id: int, *, kind: str = "score",
            started: dt.datetime = NOW) -> int:
    return conn.execute(sa.insert(AuditRun).values(
        client_id=client_id, kind=kind, started_at=started, finished_at=started, status="ok",
        details={}).returning(AuditRun.id)).scalar_one()


def indicator(ident: str, ko: str, en: str, numerator: int, denominator: int, target: float,
              weight: float) -> dict[str, Any]:
    share = numerator / denominator if denominator else 0.0
    return {"id": ident, "label": {"ko": ko, "en": en}, "numerator": numerator,
            "denominator": denominator, "share": round(share, 4), "target": target,
            "weight": weight, "points": round(min(1.0, share / target) * 100, 1)}


def category_inputs(value: float, people: int = 20) -> dict[str, Any]:
    """Inputs of one indicator whose points equal `value` (so the score is explainable)."""
    numerator = round(people * value / 100)
    ind = indicator("main", "주요 지표", "Main indicator", numerator, people, 1.0, 1.0)
    ind["points"] = value
    return {"indicators": [ind], "people": people, "days": 28}


def overall_inputs(values: dict[str, float], weights: dict[str, float] | None = None
                   ) -> dict[str, Any]:
    weights = weights or {c: 1.0 for c in values}
    return {"categories": {c: {"value": v, "weight": weights.get(c, 1.0)}
                           for c, v in values.items()}}


def add_scores(conn: sa.Connection, client_id: int, run_id: int, values: dict[str, float | None],
               *, date: dt.date = NEWEST, scope_type: str = "org", scope_key: str = "*",
               inputs: dict[str, dict[str, Any]] | None = None, people: int = 20,
               window_days: int = 28) -> None:
    rows = []
    for category, value in values.items():
        given = (inputs or {}).get(category)
        if given is None:
            if category == "overall":
                given = overall_inputs({c: v for c, v in values.items()
                                        if c != "overall" and v is not None})
            else:
                given = category_inputs(value or 0.0, people)
        rows.append({"run_id": run_id, "client_id": client_id, "scope_type": scope_type,
                     "scope_key": scope_key, "category": category, "date": date,
                     "window_days": window_days, "value": value, "inputs": given})
    conn.execute(sa.insert(Score), rows)


def uniform(value: float) -> dict[str, float]:
    return {c: value for c in CATEGORIES}


def add_check(conn: sa.Connection, client_id: int, run_id: int, check_id: str, severity: str,
              status: str = "fail", *, affected: list[dict[str, Any]] | None = None,
              title: tuple[str, str] | None = None, fix: tuple[str, str] | None = None,
              reference: str | None = "CIS GWS 1.1.1") -> None:
    affected = affected or []
    title = title or (f"{check_id} 점검", f"{check_id} check")
    fix = fix or ("관리 콘솔에서 설정을 바꾸세요.", "Change the setting in the Admin console.")
    conn.execute(sa.insert(CheckResult).values(
        run_id=run_id, client_id=client_id, check_id=check_id, reference=reference,
        severity=severity, status=status, affected_count=len(affected), affected=affected,
        details={"title": {"ko": title[0], "en": title[1]},
                 "why": {"ko": "이유", "en": "Why"},
                 "fix": {"ko": fix[0], "en": fix[1]},
                 "console_path": "Admin console > Security > 2-Step Verification"}))


def add_session(conn: sa.Connection, client_id: int, held_on: dt.date) -> None:
    conn.execute(sa.insert(CoachingSession).values(
        client_id=client_id, held_on=held_on, title="코칭", agenda=[], notes="", coach=None,
        created_at=NOW, updated_at=NOW))
