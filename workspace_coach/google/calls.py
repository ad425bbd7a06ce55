"""The vocabulary shared by single calls and batches: what a call is, what came of it, whose quota.

googleapiclient requests carry their discovery method id (`directory.users.insert`), which is
what Google's documentation, our counters and our error messages all use to name a call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from googleapiclient.http import HttpRequest

from workspace_coach.google.retry import GoogleApiError

#: Discovery method-id prefixes and the API (quota bucket, batch endpoint) they belong to.
_API_BY_PREFIX: dict[str, str] = {
    "directory": "directory",
    "reports": "reports",
    "drive": "drive",
    "groupsSettings": "groupssettings",
    "sheets": "sheets",
}


def method_name(request: HttpRequest) -> str:
    """The discovery method id of a request, e.g. `directory.users.insert`."""
    method_id = getattr(request, "methodId", None)
    if method_id:
        return str(method_id)
    return f"{request.method} request"


def api_of(method: str) -> str:
    """The API key (as in `clients.APIS`) a method's quota is counted against."""
    prefix = method.split(".", 1)[0]
    return _API_BY_PREFIX.get(prefix, prefix)


#: Sheets methods that count as "Read requests"; every other Sheets method is a "Write request"
#: (Sheets' quotas are per minute, separately for reads and writes).
SHEETS_READS = frozenset({
    "sheets.spreadsheets.get", "sheets.spreadsheets.getByDataFilter",
    "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.batchGet",
    "sheets.spreadsheets.values.batchGetByDataFilter",
    "sheets.spreadsheets.developerMetadata.get", "sheets.spreadsheets.developerMetadata.search",
})


def quota_bucket(method: str) -> str:
    """The rate-limiter bucket a call draws on: its API, or `sheets.read` / `sheets.write`."""
    api = api_of(method)
    if api == "sheets":
        return "sheets.read" if method in SHEETS_READS else "sheets.write"
    return api


@dataclass(frozen=True)
class Call:
    """One call for a batch. `key` names the object for results and error messages (an email, a
    group); `fresh` says the object was created moments ago, so 404/412 mean "not yet"."""

    key: str
    request: HttpRequest
    fresh: bool = False


@dataclass(frozen=True)
class CallResult:
    """What came of one call: Google's response, or the final error after `tries` tries."""

    key: str
    response: Any = None
    error: GoogleApiError | None = None
    tries: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None
