"""Curriculum progress per module and team from the marks recorded in `curriculum_marks`.

A trainee's item is done when the newest coach override says so, or, without an override, the
newest self-attestation does. Trainees of a track are those with a published checklist or any
mark on it. Teams are org units of the newest directory snapshot; teams smaller than the
client's minimum group size are folded into "others", and "others" itself is left out while
still too small. Per-person progress only for clients that recorded consent.

Evidence-based progress (items proved by Reports API activity) is computed by the curriculum
package; this module reads only what people and coaches marked.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.curriculum.schema import Curriculum
from workspace_coach.storage import models as m

OTHERS = "others"


@dataclass(frozen=True)
class Marked:
    track: str
    item: str
    person: str
    done: bool


def current_marks(engine: Engine, client_id: int) -> tuple[list[Marked], dict[str, set[str]]]:
    """(the deciding mark per track, item and person; the trainees of each track)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(m.CurriculumMark.track, m.CurriculumMark.item_id,
                      m.CurriculumMark.person_email, m.CurriculumMark.kind,
                      m.CurriculumMark.status)
            .where(m.CurriculumMark.client_id == client_id)
            .order_by(m.CurriculumMark.marked_at, m.CurriculumMark.id)).all()
        sheets = conn.execute(sa.select(m.PublishedSheet.track, m.PublishedSheet.person_email)
                              .where(m.PublishedSheet.client_id == client_id)).all()
    newest: dict[tuple[str, str, str, str], bool] = {}
    trainees: dict[str, set[str]] = defaultdict(set)
    for track, item, person, kind, status in rows:
        newest[(track, item, person.lower(), kind)] = status == "done"
        trainees[track].add(person.lower())
    for track, person in sheets:
        trainees[track].add(person.lower())
    decided: dict[tuple[str, str, str], bool] = {}
    for kind in ("self", "override"):  # an override decides over any self-attestation
        for (track, item, person, mark_kind), done in newest.items():
            if mark_kind == kind:
                decided[(track, item, person)] = done
    return [Marked(t, i, p, d) for (t, i, p), d in decided.items()], dict(trainees)


def _teams(engine: Engine, client: ClientInfo, people: set[str]) -> dict[str, str]:
    """Person -> team (org unit path), small teams folded into "others"."""
    with engine.connect() as conn:
        snapshot = conn.execute(sa.select(sa.func.max(m.DirectorySnapshot.id)).where(
            m.DirectorySnapshot.client_id == client.id)).scalar_one()
        rows = [] if snapshot is None else conn.execute(
            sa.select(m.Person.email, m.Person.org_unit_path)
            .where(m.Person.snapshot_id == snapshot)).all()
    unit = {email.lower(): path for email, path in rows}
    sizes: dict[str, int] = defaultdict(int)
    for path in unit.values():
        sizes[path] += 1
    return {p: (unit[p] if sizes[unit[p]] >= client.min_group_size else OTHERS)
            if p in unit else OTHERS for p in people}


def module_progress(engine: Engine, client: ClientInfo,
                    curricula: dict[str, Curriculum]) -> pd.DataFrame:
    """Per track, module and team: trainees, items done, items in all, and the share done.

    Team "*" is the whole organisation."""
    columns = ["track", "module", "title_ko", "title_en", "team", "people", "done", "total",
               "share"]
    marks, trainees = current_marks(engine, client.id)
    if not trainees:
        return pd.DataFrame(columns=columns)
    everyone = set().union(*trainees.values())
    team_of = _teams(engine, client, everyone)
    team_size: dict[str, int] = defaultdict(int)
    for team in team_of.values():
        team_size[team] += 1
    done = {(k.track, k.item, k.person) for k in marks if k.done}
    out = []
    for track, people in sorted(trainees.items()):
        curriculum = curricula.get(track)
        if curriculum is None:
            continue
        groups: dict[str, set[str]] = defaultdict(set)
        for person in people:
            groups["*"].add(person)
            team = team_of[person]
            if team_size[team] >= client.min_group_size:
                groups[team].add(person)
        for module in curriculum.modules:
            for team, members in sorted(groups.items()):
                total = len(module.items) * len(members)
                count = sum((track, item.id, p) in done for item in module.items
                            for p in members)
                out.append((track, module.id, module.title.ko, module.title.en, team,
                            len(members), count, total, count / total if total else 0.0))
    return pd.DataFrame(out, columns=columns)


def person_progress(engine: Engine, client: ClientInfo,
                    curricula: dict[str, Curriculum]) -> pd.DataFrame | None:
    """Per person and module (items done of items), or None without the client's consent."""
    if not client.per_person_insights:
        return None
    marks, trainees = current_marks(engine, client.id)
    done = {(k.track, k.item, k.person) for k in marks if k.done}
    out = []
    for track, people in sorted(trainees.items()):
        curriculum = curricula.get(track)
        if curriculum is None:
            continue
        for person in sorted(people):
            for module in curriculum.modules:
                count = sum((track, item.id, person) in done for item in module.items)
                out.append((track, person, module.id, count, len(module.items)))
    return pd.DataFrame(out, columns=["track", "person", "module", "done", "total"])
