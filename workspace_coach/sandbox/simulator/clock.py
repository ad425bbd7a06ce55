"""The sandbox's clock: real time unless a test or demo pins it.

Usage reports lag "today" by two days, so tests need to say what today is. The control API's
`PUT /_sandbox/clock {"now": "2025-03-05T12:00:00Z"}` stores the instant in the `clock` meta
setting; `{"now": null}` goes back to real time. A pinned clock stands still.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.store import Store
from workspace_coach.timezones import PACIFIC

KOREA = ZoneInfo("Asia/Seoul")
META_KEY = "clock"


def now(store: Store) -> datetime:
    pinned = store.meta_get(META_KEY)
    if pinned:
        return parse_instant(pinned)
    return datetime.now(UTC)


def set_now(store: Store, value: str | None) -> datetime:
    if value in (None, ""):
        store.execute("DELETE FROM meta WHERE key=?", (META_KEY,))
        return datetime.now(UTC)
    moment = parse_instant(value)
    store.meta_set(META_KEY, moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return moment


def parse_instant(value: str) -> datetime:
    """An RFC 3339 instant (or a bare date, meaning noon UTC that day)."""
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(hour=12, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise errors.invalid(f"Invalid time: {value}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def today_pacific(store: Store) -> date:
    return now(store).astimezone(PACIFIC).date()


def today_korea(store: Store) -> date:
    return now(store).astimezone(KOREA).date()


def latest_report_date(store: Store) -> date:
    """Google's usage reports cover days up to two Pacific days ago."""
    return today_pacific(store) - timedelta(days=2)


def describe(store: Store) -> dict[str, object]:
    return {
        "now": now(store).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "pinned": store.meta_get(META_KEY) is not None,
        "today_pacific": today_pacific(store).isoformat(),
        "today_korea": today_korea(store).isoformat(),
        "latest_usage_report_date": latest_report_date(store).isoformat(),
    }
