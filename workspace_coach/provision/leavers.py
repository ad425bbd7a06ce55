"""Leavers: the steps that hand a departing person's data on and close their access.

Per person, in apply's phase order: a data transfer of their My Drive files (both privacy
levels) and calendar to a successor, removal from the managed groups (the ordinary membership
diff), sign-out of every session, revocation of each app's OAuth token, then suspension hidden
from the global address list. Deletion comes only later, with --allow-delete, once the grace
period in org.yaml has passed and a transfer completed.

The successor is the roster's `successor` column, else the lead of the person's first team,
else `offboarding.successor` in org.yaml. Google accepts a transfer from a suspended account,
so a person suspended by an earlier version of this tool still gets one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from workspace_coach.provision.spec import OrgSpec
from workspace_coach.provision.state import TenantState

DRIVE_APP = "55656082996"  # Google's application ids in the Data Transfer API
CALENDAR_APP = "435070579839"


def successor_for(email: str, named: str | None, teams: tuple[str, ...] | list[str],
                  spec: OrgSpec | None, state: TenantState, names: dict[str, str]
                  ) -> tuple[str | None, str]:
    """(successor address, where it came from), or (None, why not) for a warning."""
    candidates: list[tuple[str | None, str]] = [
        ((names.get(named, named) if named else None), "roster")]
    if spec is not None:
        for team in teams:
            found = spec.team(team)
            if found is not None and found.lead:
                candidates.append((found.lead, f"lead of {team}"))
                break
        candidates.append((spec.offboarding.successor, "org.yaml offboarding.successor"))
    for address, source in candidates:
        if not address:
            continue
        address = address.lower()
        user = state.users.get(address)
        if address == email or user is None or user.get("suspended"):
            continue
        return address, source
    return None, "no active successor in the roster, a team lead or offboarding.successor"


def transfer_body(old_id: str, new_id: str, calendar: bool) -> dict[str, Any]:
    """A transfers.insert body: all My Drive files (private and shared), and the calendar."""
    apps: list[dict[str, Any]] = [{"applicationId": DRIVE_APP, "applicationTransferParams": [
        {"key": "PRIVACY_LEVEL", "value": ["PRIVATE", "SHARED"]}]}]
    if calendar:
        apps.append({"applicationId": CALENDAR_APP, "applicationTransferParams": [
            {"key": "RELEASE_RESOURCES", "value": ["TRUE"]}]})
    return {"oldOwnerUserId": old_id, "newOwnerUserId": new_id,
            "applicationDataTransfers": apps}


def deletion_refusal(email: str, state: TenantState, records: dict[str, dict[str, Any]],
                     end_date: dt.date | None, grace_days: int, now: dt.datetime
                     ) -> str | None:
    """Why a leaver may not be deleted yet (one line), or None when they may."""
    user = state.users.get(email) or {}
    if not user.get("suspended"):
        return (f"{email}: not deleted: suspend first (this plan does) · 먼저 정지합니다")
    since: dt.datetime | None = None
    record = records.get(email)
    if record is not None:
        since = dt.datetime.fromtimestamp(record["suspended_at"], dt.UTC)
    elif end_date is not None:
        since = dt.datetime.combine(end_date, dt.time(), dt.UTC)
    if since is None:
        return (f"{email}: not deleted: when the suspension began is unknown (no journal "
                "record, no end date) · 정지 시작일을 알 수 없어 삭제하지 않습니다")
    until = since + dt.timedelta(days=grace_days)
    if now < until:
        return (f"{email}: not deleted: in the grace period until {until.date()} · "
                f"유예 기간({until.date()}까지)이라 삭제하지 않습니다")
    status = state.transfer_status(email)
    if status != "completed":
        return (f"{email}: not deleted: no completed data transfer ({status or 'none'}) · "
                "데이터 이전이 끝나지 않아 삭제하지 않습니다")
    return None
