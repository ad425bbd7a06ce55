"""Least-privilege OAuth scopes per use.

Audits only ever ask for read-only scopes; provisioning asks for what it changes and no more.
One exception: the Groups Settings API has a single scope (`apps.groups.settings`, "view and
manage") and no read-only variant, so the audit asks for it to read group settings and only ever
calls `groups.get` with it (`READ_WRITE_FOR_READING`).
"""

from __future__ import annotations

_ADMIN = "https://www.googleapis.com/auth/admin."

AUDIT: tuple[str, ...] = (
    _ADMIN + "directory.user.readonly",
    _ADMIN + "directory.group.readonly",
    _ADMIN + "directory.orgunit.readonly",
    _ADMIN + "directory.rolemanagement.readonly",
    _ADMIN + "directory.domain.readonly",
    _ADMIN + "reports.usage.readonly",
    _ADMIN + "reports.audit.readonly",
    "https://www.googleapis.com/auth/apps.groups.settings",
    "https://www.googleapis.com/auth/drive.readonly",
)

#: Scopes in AUDIT that are not read-only because Google offers no read-only one.
READ_WRITE_FOR_READING: frozenset[str] = frozenset({
    "https://www.googleapis.com/auth/apps.groups.settings",
})

PROVISION: tuple[str, ...] = (
    _ADMIN + "directory.user",
    _ADMIN + "directory.group",
    _ADMIN + "directory.orgunit",
    _ADMIN + "directory.domain.readonly",
    _ADMIN + "directory.rolemanagement.readonly",
    "https://www.googleapis.com/auth/apps.groups.settings",
    "https://www.googleapis.com/auth/drive",
)

PUBLISH: tuple[str, ...] = (
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/spreadsheets",
)

SHEETS_READ: tuple[str, ...] = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
)
