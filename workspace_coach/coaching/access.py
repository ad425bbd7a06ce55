"""Which coach sees which clients when the dashboard requires signing in.

Coaches are assigned to clients in the same `.streamlit/secrets.toml` that turns sign-in on,
next to the `[auth]` section, by the client's slug (the `name` of its connection profile):

```toml
[coaches]
"jiyoung@coach.example" = ["haessal", "saessak"]
"lead@coach.example" = ["*"]          # every client
```

Email addresses are compared without regard to case. Someone signed in but not listed sees no
client. Without `[auth]` the dashboard listens on this computer only and shows every client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workspace_coach.coaching.clients import ClientInfo

EVERY_CLIENT = "*"


def assignments(raw: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """The `[coaches]` table as email (lower case) -> client slugs; bad entries are dropped."""
    out: dict[str, set[str]] = {}
    for email, slugs in (raw or {}).items():
        if isinstance(slugs, str):
            slugs = [slugs]
        if not isinstance(slugs, Iterable):
            continue
        out[str(email).strip().lower()] = {str(s).strip() for s in slugs if str(s).strip()}
    return out


def visible_clients(clients: Sequence[ClientInfo], email: str | None,
                    coaches: Mapping[str, set[str]]) -> list[ClientInfo]:
    """The clients `email` coaches: those named for it, or all with "*"."""
    if not email:
        return []
    slugs = coaches.get(email.strip().lower(), set())
    if EVERY_CLIENT in slugs:
        return list(clients)
    return [c for c in clients if c.slug in slugs]
