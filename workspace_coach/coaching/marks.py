"""Curriculum progress per module and team, and per person with consent, as tables for the
dashboard.

The figures come from `workspace_coach.curriculum.progress`: each item is done when evidence in
the audit store proves it, a trainee attested it, or a coach overrode it (override beats
evidence beats self-attestation). Teams are the organisation ("*"), its org units and groups;
those smaller than the client's minimum group size are folded into "others", which is left out
while still too small. Per-person rows only for clients that recorded consent.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.curriculum.marks import COMPLETE
from workspace_coach.curriculum.progress import people_progress, team_progress
from workspace_coach.curriculum.schema import Curriculum
from workspace_coach.storage import models as m

MODULE_COLUMNS = ["track", "module", "title_ko", "title_en", "team", "people", "done", "total",
                  "share"]


def module_progress(engine: Engine, client: ClientInfo,
                    curricula: dict[str, Curriculum]) -> pd.DataFrame:
    """Per track, module and team: trainees, items complete, items in all, and the share.

    Team "*" is the whole organisation."""
    out: list[tuple] = []
    with engine.connect() as conn:
        if not _has_progress_data(conn, client.id):
            return pd.DataFrame(out, columns=MODULE_COLUMNS)
        for track, curriculum in sorted(curricula.items()):
            progress = team_progress(conn, client.id, curriculum)
            titles = {module.id: module.title for module in curriculum.modules}
            for scope in progress.scopes:
                team = "*" if scope.scope_type == "org" else scope.scope_key
                per_module: dict[str, list[int]] = {}
                for item in scope.items:
                    done = sum(n for status, n in item.counts.items() if status in COMPLETE)
                    tally = per_module.setdefault(item.module_id, [0, 0])
                    tally[0] += done
                    tally[1] += scope.people
                for module_id, (done, total) in per_module.items():
                    out.append((track, module_id, titles[module_id].ko, titles[module_id].en,
                                team, scope.people, done, total, done / total if total else 0.0))
    return pd.DataFrame(out, columns=MODULE_COLUMNS)


def _has_progress_data(conn: sa.Connection, client_id: int) -> bool:
    """Anything to judge progress on: a collect (evidence) or a recorded mark."""
    collected = sa.select(m.CollectState.client_id).where(m.CollectState.client_id == client_id)
    marked = sa.select(m.CurriculumMark.id).where(m.CurriculumMark.client_id == client_id)
    return bool(conn.execute(sa.select(sa.exists(collected) | sa.exists(marked))).scalar())


def person_progress(engine: Engine, client: ClientInfo,
                    curricula: dict[str, Curriculum]) -> pd.DataFrame | None:
    """Per person and module (items complete of items), or None without the client's consent."""
    if not client.per_person_insights:
        return None
    out = []
    with engine.connect() as conn:
        if not _has_progress_data(conn, client.id):
            return pd.DataFrame(out, columns=["track", "person", "module", "done", "total"])
        for track, curriculum in sorted(curricula.items()):
            for person in people_progress(conn, client.id, curriculum):
                per_module: dict[str, list[int]] = {}
                for item in person.items:
                    tally = per_module.setdefault(item.module_id, [0, 0])
                    tally[0] += item.complete
                    tally[1] += 1
                for module_id, (done, total) in per_module.items():
                    out.append((track, person.email, module_id, done, total))
    return pd.DataFrame(out, columns=["track", "person", "module", "done", "total"])
