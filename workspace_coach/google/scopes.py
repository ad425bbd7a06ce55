"""Least-privilege OAuth scopes per use.

Audits only ever ask for read-only scopes; provisioning asks for what it changes and no more.
One exception: the Groups Settings API has a single scope (`apps.groups.settings`, "view and
manage") and no read-only variant, so the audit asks for it to read group settings and only ever
calls `groups.get` with it (`READ_WRITE_FOR_READING`).

`CAPABILITIES` groups them by what a coach wants to do, with the Cloud APIs each needs; the
guided setup, `connection check` and docs/connect.md all read that one table.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    # Leavers: Drive and Calendar handed to a successor, sessions ended, app tokens revoked.
    _ADMIN + "datatransfer",
    _ADMIN + "directory.user.security",
)

#: The scopes only the leaver steps use; a plan with leavers names them.
LEAVER: tuple[str, ...] = (_ADMIN + "datatransfer", _ADMIN + "directory.user.security")

PUBLISH: tuple[str, ...] = (
    "https://www.googleapis.com/auth/drive",
    "https://www.googleapis.com/auth/spreadsheets",
)

SHEETS_READ: tuple[str, ...] = (
    "https://www.googleapis.com/auth/spreadsheets.readonly",
    "https://www.googleapis.com/auth/drive.readonly",
)

#: Send mail as the connection's subject (the weekly digest, to the coach). Opt-in: not among
#: the default capabilities, because a coach may prefer to open the digest file instead.
MAIL_SEND: tuple[str, ...] = ("https://www.googleapis.com/auth/gmail.send",)

# -- what each capability of the toolkit needs ----------------------------------------------------


@dataclass(frozen=True)
class CloudApi:
    """A Google Cloud API as the console names it: enabled per project, once for all its parts."""

    service: str
    title: str

    def library_link(self, project_id: str | None) -> str:
        link = f"https://console.cloud.google.com/apis/library/{self.service}"
        return f"{link}?project={project_id}" if project_id else link


#: Console services of the client APIs (keys of `clients.APIS`). The Directory and Reports APIs
#: are both parts of the Admin SDK API, so enabling admin.googleapis.com enables both.
CLOUD_APIS: dict[str, CloudApi] = {
    "directory": CloudApi("admin.googleapis.com", "Admin SDK API"),
    "reports": CloudApi("admin.googleapis.com", "Admin SDK API"),
    "drive": CloudApi("drive.googleapis.com", "Google Drive API"),
    "groupssettings": CloudApi("groupssettings.googleapis.com", "Groups Settings API"),
    "sheets": CloudApi("sheets.googleapis.com", "Google Sheets API"),
    "datatransfer": CloudApi("admin.googleapis.com", "Admin SDK API"),
    "gmail": CloudApi("gmail.googleapis.com", "Gmail API"),
}

#: The APIs that only answer an administrator (a non-admin subject gets 403 forbidden).
ADMIN_APIS: tuple[str, ...] = ("directory", "reports", "groupssettings", "datatransfer")


@dataclass(frozen=True)
class Capability:
    key: str
    en: str
    ko: str
    scopes: tuple[str, ...]
    apis: tuple[str, ...]


def _union(*groups: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(scope for group in groups for scope in group))


CAPABILITIES: dict[str, Capability] = {
    "provision": Capability(
        "provision", "Create users, groups, org units and shared drives; offboard leavers",
        "사용자·그룹·조직 단위·공유 드라이브 만들기, 떠나는 사람 정리",
        PROVISION, ("directory", "groupssettings", "drive", "datatransfer")),
    "audit": Capability(
        "audit", "Read the directory, activity reports and sharing (read-only)",
        "디렉터리·활동 보고서·공유 상태 읽기(읽기 전용)",
        AUDIT, ("directory", "reports", "groupssettings", "drive")),
    "curriculum": Capability(
        "curriculum", "Publish checklist sheets and read them back",
        "체크리스트 시트 게시와 읽기",
        _union(PUBLISH, SHEETS_READ), ("drive", "sheets")),
    "report-sheet": Capability(
        "report-sheet", "Write the audit report as a Google Sheet",
        "감사 보고서를 Google 시트로 쓰기",
        PUBLISH, ("drive", "sheets")),
    "roster-sheet": Capability(
        "roster-sheet", "Read a roster from a Google Sheet (`provision plan --roster-sheet`)",
        "Google 시트에서 명단 읽기",
        SHEETS_READ, ("sheets", "drive")),
    "digest-mail": Capability(
        "digest-mail", "Mail the weekly digest to the coach (`digest --send`, as the coach)",
        "주간 요약을 코치에게 메일로 보내기(코치 계정으로)",
        MAIL_SEND, ("gmail",)),
}

DEFAULT_CAPABILITIES: tuple[str, ...] = ("provision", "audit", "curriculum")


def parse_capabilities(text: str | None) -> tuple[str, ...]:
    """`provision,audit` -> ("provision", "audit"); empty means the default three."""
    from workspace_coach.errors import UserError

    names = [part.strip().lower() for part in (text or "").split(",") if part.strip()]
    if not names:
        return DEFAULT_CAPABILITIES
    unknown = [name for name in names if name not in CAPABILITIES]
    if unknown:
        raise UserError(f"unknown capability {unknown[0]!r}; choose from "
                        f"{', '.join(CAPABILITIES)} / 알 수 없는 기능입니다")
    return tuple(dict.fromkeys(names))


def scopes_for(capabilities: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Every scope the capabilities need, each once, in table order."""
    return _union(*(CAPABILITIES[name].scopes for name in capabilities))


def apis_for(capabilities: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Client API keys the capabilities call, each once."""
    return tuple(dict.fromkeys(api for name in capabilities for api in CAPABILITIES[name].apis))


def cloud_apis_for(capabilities: tuple[str, ...] | list[str]) -> tuple[CloudApi, ...]:
    """Console services to enable for the capabilities, each once."""
    return tuple(dict.fromkeys(CLOUD_APIS[api] for api in apis_for(capabilities)))


def delegation_line(capabilities: tuple[str, ...] | list[str]) -> str:
    """The comma-separated list the domain-wide delegation page takes."""
    return ",".join(scopes_for(capabilities))


def scope_table_markdown() -> str:
    """The per-capability table in docs/connect.md (a test keeps the doc equal to this)."""
    lines = [("| capability / 기능 | what it does / 하는 일 | APIs to enable / 사용할 API | "
             "scopes / 범위 |"), "| --- | --- | --- | --- |"]
    for cap in CAPABILITIES.values():
        services = ", ".join(f"`{api.service}`" for api in cloud_apis_for([cap.key]))
        scopes = "<br>".join(f"`{scope}`" for scope in cap.scopes)
        lines.append(f"| `{cap.key}` | {cap.en}<br>{cap.ko} | {services} | {scopes} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - prints the table for docs/connect.md
    print(scope_table_markdown(), end="")
