"""Google's reporting time zone: the Reports API dates days and usage in US Pacific time.

One definition for the sandbox that writes those dates and the audit and curriculum that read
them, so a day means the same thing on both sides.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
