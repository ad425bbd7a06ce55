"""Which stored directory snapshot is a client's newest, for every reader of people and teams."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from workspace_coach.storage.models import DirectorySnapshot


def newest_snapshot(conn: sa.Connection, client_id: int, *,
                    before: dt.datetime | None = None) -> int | None:
    """The id of the client's newest directory snapshot (taken before `before` if given)."""
    query = sa.select(DirectorySnapshot.id).where(DirectorySnapshot.client_id == client_id)
    if before is not None:
        query = query.where(DirectorySnapshot.taken_at < before)
    return conn.execute(query.order_by(DirectorySnapshot.id.desc()).limit(1)).scalar()
