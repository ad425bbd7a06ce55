"""How serious a check is and what came of it, in the one order every reader lists them.

The audit writes these values, and the report, recommendations, the CLI and the dashboard
sort by them; keeping the order here means a failing critical check comes first everywhere.
"""

from __future__ import annotations

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low")
#: A check's outcome, in the order a coach reads them: what fails first.
STATUSES: tuple[str, ...] = ("fail", "pass", "not_applicable", "not_available")


def severity_rank(severity: str | None) -> int:
    """0 for critical, up to len(SEVERITIES) for anything unknown (listed last)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def check_rank(status: str, severity: str | None, check_id: str) -> tuple[int, int, str]:
    """Failing first, then most severe, then by id."""
    status_rank = STATUSES.index(status) if status in STATUSES else len(STATUSES)
    return status_rank, severity_rank(severity), check_id
