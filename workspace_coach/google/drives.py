"""Shared drives the toolkit keeps its own files in (audit reports, trainees' checklists).

`shared_drive` finds a shared drive by exact name, or creates it. Drive's `name =` query is
not exact on every backend, so the name is compared again here, and when several drives carry
the name (made by hand, or by two coaches at once) the oldest one is used every time, so a
re-run never scatters files over two drives. `drives.create` takes a `requestId`: a retried
create whose first answer was lost is refused with 409 instead of making a second drive, and
the drive the first attempt made is then found by name.
"""

from __future__ import annotations

import uuid
from typing import Any

from workspace_coach.google.retry import GoogleApiError
from workspace_coach.google.session import GoogleSession


def quote(value: str) -> str:
    """`value` as a string literal in a Drive query (`q`)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def find_shared_drive(session: GoogleSession, name: str, *,
                      admin: bool = False) -> dict[str, Any] | None:
    """The oldest shared drive called exactly `name` (id, name, createdTime, restrictions), or
    None. `admin` lists every shared drive of the domain (`useDomainAdminAccess`), so a drive
    another administrator made, without the caller as a member, is found too."""
    drives = session.service("drive").drives()
    extra: dict[str, Any] = {"useDomainAdminAccess": True} if admin else {}
    found = session.list_all(drives.list, "drives", what=f"shared drive {name!r}",
                             q=f"name = {quote(name)}", pageSize=100,
                             fields="nextPageToken, drives(id, name, createdTime, restrictions)",
                             **extra)
    exact = sorted((d for d in found if d.get("name") == name),
                   key=lambda d: d.get("createdTime") or "")
    return exact[0] if exact else None


def shared_drive(session: GoogleSession, name: str, *,
                 restrictions: dict[str, Any] | None = None) -> tuple[str, bool]:
    """(drive id, created?): the oldest shared drive called `name`, created when there is none.

    `restrictions` are ensured on every run, not only on the run that creates the drive: an
    organizer who lifted one (or a run killed between create and restrict) is corrected. Right
    after the create Google may answer 404 for the new drive for a while, hence `fresh`."""
    drives = session.service("drive").drives()
    found = find_shared_drive(session, name)
    if found is not None:
        drive_id, created, have = found["id"], False, found.get("restrictions") or {}
    else:
        try:
            made = session.execute(
                drives.create(requestId=str(uuid.uuid4()), body={"name": name}, fields="id"),
                what=f"create shared drive {name!r}")
        except GoogleApiError as exc:
            # A retry of a create whose answer was lost is answered 409: the drive exists.
            made = find_shared_drive(session, name) if exc.status == 409 else None
            if made is None:
                raise
        drive_id, created, have = made["id"], True, made.get("restrictions") or {}
    missing = {k: v for k, v in (restrictions or {}).items() if have.get(k) != v}
    if missing:
        session.execute(drives.update(driveId=drive_id, body={"restrictions": missing},
                                      fields="id"),
                        what=f"restrict shared drive {name!r}", fresh=created)
    return drive_id, created
