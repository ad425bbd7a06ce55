"""Tell a sandbox's simulator that a coaching session took place.

The simulator lifts adoption in the weeks after a coaching session (see
`simulator/engine.py`), so a demo or a coach's rehearsal responds to coaching. Live Google has no
such thing: callers only use this for a profile whose `endpoint` names a sandbox.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workspace_coach.sandbox.remote import control


def record_coaching_session(endpoint: str, domain: str, day: date,
                            note: str = "") -> dict[str, Any]:
    """Record a coaching session with `domain`'s tenant on `day` (idempotent per day)."""
    return control(endpoint, "POST", "_sandbox/coaching-sessions",
                   {"domain": domain, "date": day.isoformat(), "note": note}, timeout=30)


def coaching_sessions(endpoint: str, domain: str) -> list[dict[str, Any]]:
    """The coaching sessions the simulator knows for `domain`, as `{date, note}`."""
    return list(control(endpoint, "GET", "_sandbox/coaching-sessions",
                        params={"domain": domain}, timeout=30).get("sessions", []))
