"""Activity events, the one source of truth for the Reports API.

Admin events are written here by every mutation the sandbox serves; the simulator writes user
activity here too, so usage reports derived from these rows never disagree with activities.
Times are UTC RFC 3339; `day` is the Pacific-time date Google's reports are keyed on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from workspace_coach.sandbox.store import Store
from workspace_coach.timezones import PACIFIC


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )


def pacific_day(moment: datetime) -> str:
    return moment.astimezone(PACIFIC).date().isoformat()


def record(
    store: Store,
    tenant: str,
    app: str,
    actor: str,
    event_type: str,
    name: str,
    params: dict[str, object],
    *,
    when: datetime | None = None,
    actor_id: str = "",
    ip: str = "",
    unique_key: str | None = None,
) -> None:
    moment = when or datetime.now(UTC)
    store.add_events([(tenant, app, rfc3339(moment), pacific_day(moment), actor, actor_id,
                       event_type, name, json.dumps(params, ensure_ascii=False), ip,
                       unique_key)])
