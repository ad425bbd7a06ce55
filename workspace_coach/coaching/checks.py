"""The security and hygiene checks of a client's newest run, as a coach reads them.

Rows come from `check_results` (see the data contract): severity, status, the affected objects
and, in `details`, the title, why it matters and the fix in Korean and English with the Admin
console path. Failing checks come first, most severe first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from workspace_coach.audit.latest import latest_checks


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


def newest_checks(engine: Engine, client_id: int) -> list[CheckView]:
    """Every check of the client's newest run: failing first, then by severity."""
    with engine.connect() as conn:
        stored = latest_checks(conn, client_id)
    return [CheckView(
        check_id=c.check_id, reference=c.reference, severity=c.severity, status=c.status,
        affected_count=c.affected_count,
        affected=[a for a in c.affected if isinstance(a, dict)],
        title=_text(c.details.get("title"), c.check_id), why=_text(c.details.get("why"), ""),
        fix=_text(c.details.get("fix"), ""), console_path=c.details.get("console_path"))
        for c in stored]
