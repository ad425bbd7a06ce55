"""A small tenant whose trainees do exact things through the Drive API at known times, collected
into a module-scoped SQLite store: what the progress, publish and print tests read."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from tests.sandbox.activity_world import build_tenant, pin_clock
from workspace_coach.audit.collect import collect
from workspace_coach.curriculum.evidence import ItemEvidence, evaluate, load_evidence
from workspace_coach.curriculum.tracks import load_track
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.storage import models as m
from workspace_coach.storage.db import make_engine

DOC = "application/vnd.google-apps.document"


def as_user(profile: ConnectionProfile, email: str) -> GoogleClients:
    """The trainee's own delegated credentials, as their browser would act."""
    return GoogleClients(profile.model_copy(update={"admin": email}), scopes.PUBLISH)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Moments:
    """When things happened, bracketed by the clock before and after each call."""

    marks: dict[str, tuple[dt.datetime, dt.datetime]] = field(default_factory=dict)

    def around(self, name: str, action):  # -> the action's result
        before = now()
        result = action()
        self.marks[name] = (before, now())
        return result


@dataclass
class World:
    profile: ConnectionProfile
    engine: sa.Engine
    trainee: str
    colleague: str
    moments: Moments
    stages: dict[str, dt.datetime]  # the clock after each collect
    seen: dict[str, dict[str, ItemEvidence]]  # the trainee's items, evaluated after each collect
    people: list[str]


def set_client(engine, slug: str, **values) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(m.Client).where(m.Client.slug == slug).values(**values))


@pytest.fixture(scope="module")
def world(sandbox, tmp_path_factory) -> World:
    """12 people (/sales 6, /ops 5, the admin at /; groups events 6, finance 5), real clock.

    user01 creates a Doc and shares it with user02 as commenter, collected after each step;
    later the same trainee opens it to anyone with the link (negative evidence).
    """
    pin_clock(sandbox, None)
    out = tmp_path_factory.mktemp("curric")
    domain = f"curric-{uuid.uuid4().hex[:8]}.example.kr"
    profile = build_tenant(sandbox, out, domain, people=12)
    profile = profile.model_copy(update={"per_person_insights": True})
    engine = make_engine(f"sqlite:///{out / 'coach.sqlite3'}")
    trainee, colleague = f"user01@{domain}", f"user02@{domain}"
    drive = as_user(profile, trainee).service("drive")
    moments = Moments()
    stages: dict[str, dt.datetime] = {}
    seen: dict[str, dict[str, ItemEvidence]] = {}
    track = load_track("new-member")

    def collected(stage: str) -> None:
        collect(profile, engine, days=2)
        stages[stage] = now()
        with engine.connect() as conn:
            client_id = conn.execute(sa.select(m.Client.id).where(
                m.Client.slug == profile.name)).scalar_one()
            store = load_evidence(conn, client_id, [track], [trainee])
        seen[stage] = evaluate(track, store, trainee, as_of=stages[stage])

    collected("before")
    doc = moments.around("create", lambda: drive.files().create(
        body={"name": "회의록", "mimeType": DOC}).execute())
    moments.around("share", lambda: drive.permissions().create(
        fileId=doc["id"], sendNotificationEmail=False,
        body={"type": "user", "role": "commenter", "emailAddress": colleague}).execute())
    collected("shared")
    moments.around("public", lambda: drive.permissions().create(
        fileId=doc["id"], body={"type": "anyone", "role": "reader"}).execute())
    collected("public")
    people = sorted([f"user{i:02d}@{domain}" for i in range(11)] + [profile.admin])
    yield World(profile, engine, trainee, colleague, moments, stages, seen, people)
    engine.dispose()
