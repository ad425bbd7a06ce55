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


#: The words a person reads for each severity and outcome (the report and the dashboard).
SEVERITY_LABELS: dict[str, dict[str, str]] = {
    "critical": {"ko": "심각", "en": "Critical"},
    "high": {"ko": "높음", "en": "High"},
    "medium": {"ko": "보통", "en": "Medium"},
    "low": {"ko": "낮음", "en": "Low"},
}
STATUS_LABELS: dict[str, dict[str, str]] = {
    "fail": {"ko": "조치 필요", "en": "Failing"},
    "pass": {"ko": "통과", "en": "Passing"},
    "not_applicable": {"ko": "해당 없음", "en": "Not applicable"},
    "not_available": {"ko": "자료 없음 (이 요금제는 제공하지 않음)",
                      "en": "Not available (not reported for this edition)"},
}
