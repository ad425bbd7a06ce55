"""Reports API usage parameters Google renamed: the old name -> the name it documents today.

Google still answers to the old names and clients in the wild still parse them, so the sandbox
serves both and the audit stores either under today's name. One table for both sides, so what
the sandbox answers to and what the audit accepts cannot drift apart.
"""

from __future__ import annotations

RENAMED: dict[str, str] = {
    "accounts:last_login_time": "accounts:timestamp_last_login",
    "accounts:creation_time": "accounts:timestamp_creation",
    "gmail:last_interaction_time": "gmail:timestamp_last_interaction",
    "gmail:last_access_time": "gmail:timestamp_last_access",
    "gmail:last_webmail_time": "gmail:timestamp_last_webmail",
    "drive:last_active_usage_time": "drive:timestamp_last_active_usage",
    "accounts:last_sso_time": "accounts:timestamp_last_sso",
}


def canonical(name: str) -> str:
    """Today's name of a usage parameter (an old one translated, any other as given)."""
    return RENAMED.get(name, name)
