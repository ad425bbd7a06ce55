"""Everything a report shows, read once from storage: `gather(db, client_id) -> ReportData`.

The HTML, CSV and Google Sheet reports all render the same `ReportData`: the organisation's
newest scores with their inputs, the organisation's trend, the team scopes as stored (folded:
org units and groups of at least the client's minimum size, the rest as "others"; never a
person), the newest check results, the peer benchmark and the recommendations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workspace_coach.audit.benchmark import Benchmark, benchmark
from workspace_coach.audit.latest import (
    StoredCheck,
    StoredScore,
    connect,
    latest_checks,
    org_scores,
    team_scores,
    trend,
)
from workspace_coach.audit.recommend import Recommendation, recommendations
from workspace_coach.storage.clients import ClientInfo, client_by_id


@dataclass(frozen=True)
class ReportData:
    client: ClientInfo
    window_days: int | None                     # the window of the newest run's scores
    as_of: dt.date | None                       # the newest score date
    scores: dict[str, StoredScore]              # organisation, by category
    trend: dict[str, list[tuple[dt.date, float | None]]]
    teams: dict[tuple[str, str], dict[str, StoredScore]]
    checks: list[StoredCheck]
    benchmark: Benchmark
    recommendations: list[Recommendation]

    @property
    def has_scores(self) -> bool:
        return bool(self.scores)


def gather(db: sa.Engine | sa.Connection, client_id: int) -> ReportData:
    """What the report shows, from the client's newest scoring run whatever its window."""
    with connect(db) as conn:
        client = client_by_id(conn, client_id)
        scores = org_scores(conn, [client_id], with_value=False).get(client_id, {})
        as_of = max((s.date for s in scores.values()), default=None)
        window = next((s.window_days for s in scores.values()), None)
        return ReportData(
            client=client, window_days=window, as_of=as_of, scores=scores,
            trend=trend(conn, client_id),
            teams=team_scores(conn, client_id, client.min_group_size),
            checks=latest_checks(conn, client_id),
            benchmark=benchmark(conn, client_id),
            recommendations=recommendations(conn, client_id))


def indicator_rows(score: StoredScore) -> list[dict[str, Any]]:
    """The inputs that explain a score: its indicators, or for `overall` its categories."""
    inputs = score.inputs or {}
    if score.category == "overall":
        return [{"id": cat, "label": None, "points": part.get("value"),
                 "weight": part.get("weight")}
                for cat, part in (inputs.get("categories") or {}).items()
                if isinstance(part, dict)]
    return [i for i in inputs.get("indicators") or [] if isinstance(i, dict)]
