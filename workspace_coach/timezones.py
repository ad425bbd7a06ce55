"""Google's reporting time zone, and stored times read back as UTC.

The Reports API dates days and usage in US Pacific time: one definition for the sandbox that
writes those dates and the audit and curriculum that read them, so a day means the same thing on
both sides. The database keeps instants in UTC, but SQLite hands them back without a zone and
PostgreSQL in the session's zone: `as_utc` makes either an aware UTC time.
"""

from __future__ import annotations

import datetime as dt
from typing import overload
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")


@overload
def as_utc(value: dt.datetime) -> dt.datetime: ...
@overload
def as_utc(value: None) -> None: ...
def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """A stored instant as an aware UTC time (a naive one is taken to be UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
