"""Text bound for a spreadsheet cell, made safe to open.

Provisioning writes credentials sheets, the audit its report rows and the curriculum its
published progress; all of them pass each cell through here so none can start a formula.
"""

from __future__ import annotations


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
