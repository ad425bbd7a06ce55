"""Tell a sandbox's simulator that a coaching session took place.

The simulator lifts adoption in the weeks after a coaching session (see
`simulator/engine.py`), so a demo or a coach's rehearsal responds to coaching. Live Google has no
such thing: callers only use this for a profile whose `endpoint` names a sandbox.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import requests

from workspace_coach.errors import UserError


def _call(endpoint: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    root = endpoint if endpoint.endswith("/") else endpoint + "/"
    try:
        answer = requests.request(method, root + path, timeout=30, **kwargs)
    except requests.ConnectionError:
        raise UserError(f"no sandbox answers at {root}; start it with "
                        "'workspace-coach sandbox serve'") from None
    if not answer.ok:
        try:
            message = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = answer.text[:200]
        raise UserError(f"the sandbox at {root} refused {path}: {message}")
    return answer.json()


def record_coaching_session(endpoint: str, domain: str, day: date,
                            note: str = "") -> dict[str, Any]:
    """Record a coaching session with `domain`'s tenant on `day` (idempotent per day)."""
    return _call(endpoint, "POST", "_sandbox/coaching-sessions",
                 json={"domain": domain, "date": day.isoformat(), "note": note})


def coaching_sessions(endpoint: str, domain: str) -> list[dict[str, Any]]:
    """The coaching sessions the simulator knows for `domain`, as `{date, note}`."""
    return list(_call(endpoint, "GET", "_sandbox/coaching-sessions",
                      params={"domain": domain}).get("sessions", []))
