"""The security and hygiene checks of a client's newest run, as a coach reads them.

Rows come from `check_results` (see the data contract): severity, status, the affected objects
and, in `details`, the title, why it matters and the fix in Korean and English with the Admin
console path. Failing checks come first, most severe first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.coaching.clients import newest_check_run
from workspace_coach.storage import models as m

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
STATUSES: tuple[str, ...] = ("fail", "pass", "not_applicable", "not_available")


def _text(value: Any, fallback: str) -> dict[str, str]:
    if isinstance(value, dict):
        return {"ko": str(value.get("ko") or value.get("en") or fallback),
                "en": str(value.get("en") or value.get("ko") or fallback)}
    return {"ko": str(value or fallback), "en": str(value or fallback)}


@dataclass(frozen=True)
class CheckView:
    check_id: str
    reference: str | None
    severity: str
    status: str
    affected_count: int
    affected: list[dict[str, Any]] = field(default_factory=list)
    title: dict[str, str] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    fix: dict[str, str] = field(default_factory=dict)
    console_path: str | None = None

    @property
    def failing(self) -> bool:
        return self.status == "fail"


def _rank(check: CheckView) -> tuple[int, int, str]:
    severity = SEVERITIES.index(check.severity) if check.severity in SEVERITIES else 9
    status = STATUSES.index(check.status) if check.status in STATUSES else 9
    return status, severity, check.check_id


def newest_checks(engine: Engine, client_id: int) -> list[CheckView]:
    """Every check of the client's newest run: failing first, then by severity."""
    with engine.connect() as conn:
        run = newest_check_run(conn, client_id)
        if run is None:
            return []
        rows = conn.execute(sa.select(m.CheckResult).where(
            m.CheckResult.run_id == run, m.CheckResult.client_id == client_id)).all()
    out = []
    for r in rows:
        details = r.details or {}
        out.append(CheckView(
            check_id=r.check_id, reference=r.reference, severity=r.severity, status=r.status,
            affected_count=r.affected_count,
            affected=[a for a in (r.affected or []) if isinstance(a, dict)],
            title=_text(details.get("title"), r.check_id), why=_text(details.get("why"), ""),
            fix=_text(details.get("fix"), ""), console_path=details.get("console_path")))
    return sorted(out, key=_rank)
