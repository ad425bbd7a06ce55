"""A client organisation as every reader sees it, found by its slug or its id.

One lookup and one error for every layer: the audit, the curriculum, coaching and the demo all
meet the same row and, when it is missing, tell the person the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workspace_coach.errors import UserError
from workspace_coach.storage.models import Client


class UnknownClient(UserError):
    """The coach's database has no such client (never collected)."""


@dataclass(frozen=True)
class ClientInfo:
    id: int
    slug: str
    domain: str
    display_name: str | None
    per_person_insights: bool
    min_group_size: int
    profile_path: str | None = None
    share_name_in_reports: bool = False

    @property
    def name(self) -> str:
        return self.display_name or self.slug


def _info(row: sa.Row) -> ClientInfo:
    return ClientInfo(id=row.id, slug=row.slug, domain=row.domain, display_name=row.display_name,
                      per_person_insights=row.per_person_insights,
                      min_group_size=row.min_group_size, profile_path=row.profile_path,
                      share_name_in_reports=bool(row.share_name_in_reports))


def _missing(what: str) -> UnknownClient:
    return UnknownClient(
        f"{what} is not in the coach's database: run `workspace-coach audit collect "
        f"--connection ...` first / 코치 데이터베이스에 {what}이(가) 없습니다: 먼저 "
        f"`workspace-coach audit collect --connection ...`을 실행하세요")


def find_client(conn: sa.Connection, slug: str) -> ClientInfo | None:
    """The client whose connection profile is named `slug`, or None if never collected."""
    row = conn.execute(sa.select(Client.__table__).where(Client.slug == slug)).first()
    return _info(row) if row is not None else None


def all_clients(conn: sa.Connection) -> list[ClientInfo]:
    return [_info(row) for row in conn.execute(sa.select(Client.__table__)
                                               .order_by(Client.slug))]


def client_by_slug(conn: sa.Connection, slug: str) -> ClientInfo:
    """The client named `slug`; an UnknownClient (one line) if never collected."""
    found = find_client(conn, slug)
    if found is None:
        raise _missing(repr(slug))
    return found


def client_by_id(conn: sa.Connection, client_id: int) -> ClientInfo:
    row = conn.execute(sa.select(Client.__table__).where(Client.id == client_id)).first()
    if row is None:
        raise _missing(f"client #{client_id}")
    return _info(row)
