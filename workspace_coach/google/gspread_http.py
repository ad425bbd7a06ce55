"""gspread's HTTP calls under the same `CallPolicy` as googleapiclient's.

gspread sends every call through `HTTPClient.request`, its documented extension point (gspread's
own `BackOffHTTPClient` overrides it too). `PolicyHTTPClient.request` names the call after the
discovery method its URL belongs to (`sheets.spreadsheets.values.update`, `drive.files.list`),
and hands it to `CallPolicy.run`: Sheets quota bucket, counters, retries with backoff. A call that
fails for good raises `GspreadApiError`, which is both a `GoogleApiError` (one line for a person)
and the `gspread.exceptions.APIError` gspread's own code expects (`open_by_key` turns a 404 into
`SpreadsheetNotFound` from it).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import gspread
import requests
from gspread.exceptions import APIError

from workspace_coach.google.calls import quota_bucket
from workspace_coach.google.clients import discovery_document
from workspace_coach.google.policy import CallPolicy
from workspace_coach.google.retry import GoogleApiError

#: gspread's hosts and the API each path prefix belongs to.
_APIS_BY_PREFIX = (("sheets.googleapis.com", "", "sheets"),
                   ("www.googleapis.com", "upload/drive/v3/", "drive"),
                   ("www.googleapis.com", "drive/v3/", "drive"))


@cache
def _routes(api: str) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """(HTTP verb, path pattern, method id) for every method of `api`'s discovery document."""
    out = []

    def walk(resource: dict[str, Any]) -> None:
        for method in (resource.get("methods") or {}).values():
            path = method.get("flatPath") or method["path"]
            pattern = re.escape(path)
            pattern = re.sub(r"\\\{\\\+[^}]+\\\}", ".+", pattern)
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
            out.append((method["httpMethod"], re.compile(pattern + "$"), method["id"]))
        for child in (resource.get("resources") or {}).values():
            walk(child)

    walk(discovery_document(api))
    # Literal paths before templated ones: `files/generateIds` is not `files/{fileId}`.
    out.sort(key=lambda route: route[1].pattern.count("[^/]+") + route[1].pattern.count(".+"))
    return tuple(out)


def method_of(http_method: str, url: str) -> tuple[str, str]:
    """(discovery method id, object id or "") of a request gspread is about to send."""
    parts = urlsplit(url)
    for host, prefix, api in _APIS_BY_PREFIX:
        if parts.netloc != host or not parts.path.lstrip("/").startswith(prefix):
            continue
        path = parts.path.lstrip("/")[len(prefix):]  # discovery paths are relative to it
        for verb, pattern, method in _routes(api):
            if verb == http_method.upper() and pattern.match(path):
                found = re.search(r"(?:spreadsheets|files)/([^/:?]+)", path)
                return method, found.group(1) if found else ""
        return f"{api} {http_method.upper()} request", ""
    return f"{http_method.upper()} request", ""


class GspreadApiError(GoogleApiError, APIError):
    """A gspread call that failed for good: a `GoogleApiError` line that gspread's own code
    still recognises as the `APIError` of `response`."""

    def __init__(self, error: GoogleApiError, response: requests.Response) -> None:
        # Not GoogleApiError.__init__: its super() call would reach APIError's in this MRO.
        Exception.__init__(self, str(error))
        self.method, self.what, self.failure, self.tries = (error.method, error.what,
                                                            error.failure, error.tries)
        self.response = response
        try:
            self.error = response.json()["error"]
        except Exception:  # noqa: BLE001 - not Google's envelope (a proxy's page): gspread's fallback
            self.error = {"code": response.status_code, "message": response.text}
        self.code = self.error.get("code", response.status_code)

    def __str__(self) -> str:
        return Exception.__str__(self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"

    def __reduce__(self) -> Any:  # APIError's pickling needs a response; keep the line instead
        return (GoogleApiError, (self.method, self.what, self.failure, self.tries))


class PolicyHTTPClient(gspread.HTTPClient):
    """gspread's HTTP client with Google calls paced, counted and retried by `policy`."""

    def __init__(self, auth: Any, session: requests.Session | None, policy: CallPolicy) -> None:
        super().__init__(auth, session)
        self.policy = policy

    def request(self, method: str, endpoint: str, *args: Any, **kwargs: Any
                ) -> requests.Response:
        name, subject = method_of(method, endpoint)
        kind = "spreadsheet" if name.startswith("sheets.") else "file"
        what = f"{kind} {subject}" if subject else ""
        send = super().request
        try:
            return self.policy.run(lambda: send(method, endpoint, *args, **kwargs),
                                   method=name, bucket=quota_bucket(name), what=what)
        except GoogleApiError as error:
            cause = error.__cause__
            if isinstance(cause, APIError):
                raise GspreadApiError(error, cause.response) from cause
            raise


def authorize(credentials: Any, session: requests.Session, policy: CallPolicy
              ) -> gspread.Client:
    """A gspread client whose every call goes through `policy`."""
    return gspread.Client(credentials, session=session,
                          http_client=lambda auth, sess: PolicyHTTPClient(auth, sess, policy))
