"""Coaching sessions with a client: when, the agenda, the notes, and the follow-ups agreed.

Sessions and follow-ups live in the coach's database (`coaching_sessions`, `follow_ups`).
Input is checked before anything is written, so a bad follow-up leaves no half-recorded session.

When the client's connection profile points at a sandbox, recording a session also tells the
sandbox's simulator its date, so the simulated organisation responds to coaching as the demo
shows. Live Google has no simulator; nothing else differs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.errors import UserError
from workspace_coach.storage import models as m

TITLE_MAX = 200
EMAIL_MAX = 320


@dataclass(frozen=True)
class FollowUpDraft:
    text: str
    owner: str | None = None
    due_on: dt.date | None = None


@dataclass(frozen=True)
class FollowUpView:
    id: int
    session_id: int
    text: str
    owner: str | None
    due_on: dt.date | None
    done: bool


@dataclass(frozen=True)
class SessionView:
    id: int
    held_on: dt.date
    title: str
    agenda: list[dict[str, Any]]
    notes: str
    coach: str | None
    follow_ups: list[FollowUpView] = field(default_factory=list)


@dataclass(frozen=True)
class Recorded:
    session_id: int
    simulator_told: bool            # the client's sandbox now knows the session's date
    simulator_problem: str | None   # why a sandbox could not be told (the session is saved)


def _clean(drafts: Sequence[FollowUpDraft]) -> list[FollowUpDraft]:
    out = []
    for number, draft in enumerate(drafts, 1):
        text = (draft.text or "").strip()
        owner = (draft.owner or "").strip() or None
        if not text and not owner and draft.due_on is None:
            continue  # an empty row of the editor
        if not text:
            raise UserError(f"follow-up {number}: the action is empty")
        if owner and len(owner) > EMAIL_MAX:
            raise UserError(f"follow-up {number}: owner is longer than {EMAIL_MAX} characters")
        out.append(FollowUpDraft(text, owner, draft.due_on))
    return out


def tell_simulator(client: ClientInfo, held_on: dt.date, note: str) -> tuple[bool, str | None]:
    """Tell the client's sandbox about a session; (told, problem). Profiles without an endpoint
    (live Google) are left alone."""
    from workspace_coach.google.connection import load_profile
    from workspace_coach.sandbox.coaching import record_coaching_session

    if not client.profile_path:
        return False, None
    try:
        profile = load_profile(client.profile_path)
        if profile.endpoint is None:
            return False, None
        record_coaching_session(profile.endpoint, profile.domain, held_on, note)
    except UserError as exc:
        return False, str(exc)
    return True, None


def create_session(engine: Engine, client: ClientInfo, *, held_on: dt.date, title: str,
                   notes: str = "", agenda: Sequence[dict[str, Any]] = (),
                   coach: str | None = None,
                   follow_ups: Sequence[FollowUpDraft] = ()) -> Recorded:
    """Record a session with its follow-ups in one transaction, then tell a sandbox."""
    title = (title or "").strip()
    if not title:
        raise UserError("the session needs a title")
    if len(title) > TITLE_MAX:
        raise UserError(f"the session title is longer than {TITLE_MAX} characters")
    drafts = _clean(follow_ups)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as db, db.begin():
        session = m.CoachingSession(client_id=client.id, held_on=held_on, title=title,
                                    agenda=list(agenda), notes=notes or "", coach=coach,
                                    created_at=now, updated_at=now)
        db.add(session)
        db.flush()
        for draft in drafts:
            db.add(m.FollowUp(session_id=session.id, client_id=client.id, text=draft.text,
                              owner=draft.owner, due_on=draft.due_on, done=False))
        session_id = session.id
    told, problem = tell_simulator(client, held_on, title)
    return Recorded(session_id, told, problem)


def _follow_up(row: Any) -> FollowUpView:
    return FollowUpView(id=row.id, session_id=row.session_id, text=row.text, owner=row.owner,
                        due_on=row.due_on, done=row.done)


def list_sessions(engine: Engine, client_id: int) -> list[SessionView]:
    """The client's sessions, newest first, each with its follow-ups."""
    with engine.connect() as conn:
        sessions = conn.execute(
            sa.select(m.CoachingSession).where(m.CoachingSession.client_id == client_id)
            .order_by(m.CoachingSession.held_on.desc(), m.CoachingSession.id.desc())).all()
        follow = conn.execute(
            sa.select(m.FollowUp).where(m.FollowUp.client_id == client_id)
            .order_by(m.FollowUp.due_on, m.FollowUp.id)).all()
    by_session: dict[int, list[FollowUpView]] = {}
    for row in follow:
        by_session.setdefault(row.session_id, []).append(_follow_up(row))
    return [SessionView(id=s.id, held_on=s.held_on, title=s.title, agenda=list(s.agenda or []),
                        notes=s.notes or "", coach=s.coach,
                        follow_ups=by_session.get(s.id, [])) for s in sessions]


def update_notes(engine: Engine, session_id: int, notes: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(m.CoachingSession).where(m.CoachingSession.id == session_id)
                     .values(notes=notes, updated_at=dt.datetime.now(dt.UTC)))


def set_follow_up_done(engine: Engine, follow_up_id: int, done: bool) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(m.FollowUp).where(m.FollowUp.id == follow_up_id).values(
            done=done, done_at=dt.datetime.now(dt.UTC) if done else None))
