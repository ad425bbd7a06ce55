"""Build Google API clients from a connection profile.

The one way to get a googleapiclient service, a batch URI or a gspread client. The only thing the
sandbox changes is the root URL in the profile: method paths, auth and errors are Google's own.

Discovery documents are the static copies shipped inside google-api-python-client. For the admin
APIs and Sheets the servicePath is empty (method paths carry `admin/directory/v1/...`), for Drive
it is `drive/v3/` and for Groups Settings `groups/v1/groups/`, so the endpoint override is
`root + servicePath`. `new_batch_http_request()` ignores the override, hence `batch_uri()`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import google_auth_httplib2
import httplib2
import requests
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from googleapiclient import discovery
from googleapiclient.discovery_cache import get_static_doc

from workspace_coach.errors import ConfigError
from workspace_coach.google.connection import ConnectionProfile, load_credentials_info
from workspace_coach.google.counters import ApiCounters, CountingHttp
from workspace_coach.google.policy import CallPolicy
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import RetryPolicy


@dataclass(frozen=True)
class ApiInfo:
    key: str
    name: str
    version: str


APIS: dict[str, ApiInfo] = {
    "directory": ApiInfo("directory", "admin", "directory_v1"),
    "reports": ApiInfo("reports", "admin", "reports_v1"),
    "drive": ApiInfo("drive", "drive", "v3"),
    "groupssettings": ApiInfo("groupssettings", "groupssettings", "v1"),
    "sheets": ApiInfo("sheets", "sheets", "v4"),
    "datatransfer": ApiInfo("datatransfer", "admin", "datatransfer_v1"),
    "gmail": ApiInfo("gmail", "gmail", "v1"),
}

HTTP_TIMEOUT_SECONDS = 60
DEFAULT_GSPREAD_CONCURRENCY = 8


@cache
def discovery_document(api: str) -> dict[str, Any]:
    import json

    info = _api(api)
    doc = get_static_doc(info.name, info.version)
    if doc is None:  # pragma: no cover - shipped with google-api-python-client
        raise RuntimeError(f"no static discovery document for {info.name} {info.version}")
    return json.loads(doc)


def _api(api: str) -> ApiInfo:
    try:
        return APIS[api]
    except KeyError:
        raise ValueError(f"unknown API {api!r}; known: {', '.join(APIS)}") from None


def root_url(profile: ConnectionProfile, api: str) -> str:
    return profile.endpoint or discovery_document(api)["rootUrl"]


def api_endpoint(profile: ConnectionProfile, api: str) -> str:
    return root_url(profile, api) + discovery_document(api)["servicePath"]


def batch_uri(profile: ConnectionProfile, api: str) -> str:
    return root_url(profile, api) + discovery_document(api)["batchPath"]


def load_credentials(profile: ConnectionProfile, scopes: Iterable[str]) -> Credentials:
    """Service-account credentials with domain-wide delegation, or a coach's own OAuth login."""
    path = profile.credentials_path
    info = load_credentials_info(path)
    scopes = list(scopes)
    try:
        if info.get("type") == "service_account":
            return service_account.Credentials.from_service_account_info(
                info, scopes=scopes, subject=profile.admin
            )
        if info.get("type") == "authorized_user":
            creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=scopes)
            # google-auth always points these at Google's token URL; honour the file's own.
            return creds.with_token_uri(info["token_uri"]) if info.get("token_uri") else creds
    except (ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: unusable credentials ({exc})") from None
    raise ConfigError(f"{path}: 'type' must be service_account or authorized_user")


class _GoogleAdapter(requests.adapters.HTTPAdapter):
    """The transport of gspread's requests to one of Google's hosts: counts each round trip
    (as `CountingHttp` does for googleapiclient) and, with a profile `endpoint`, sends it there.

    gspread hard-codes Google's URLs; this transport adapter is the only redirection it needs.
    """

    def __init__(self, counters: ApiCounters, google_root: str, endpoint: str | None) -> None:
        super().__init__()
        self._counters = counters
        self._google_root = google_root
        self._endpoint = endpoint

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        assert request.url is not None
        if self._endpoint:
            request.url = self._endpoint + request.url[len(self._google_root) :]
            request.headers.pop("Host", None)
        self._counters.record_round_trip()
        return super().send(request, **kwargs)


GSPREAD_HOSTS = ("https://sheets.googleapis.com/", "https://www.googleapis.com/")


class GoogleClients:
    """Clients for one tenant with one set of scopes; services are per thread (httplib2 is not
    thread-safe) while credentials and their token are shared.

    `counters` counts the HTTP round trips of every service built here (see `CountingHttp`).
    """

    def __init__(self, profile: ConnectionProfile, scopes: Iterable[str]) -> None:
        self.profile = profile
        self.scopes = tuple(scopes)
        self.counters = ApiCounters()
        self._refresh_lock = threading.Lock()
        self._credentials: Credentials | None = None
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def credentials(self) -> Credentials:
        with self._lock:
            if self._credentials is None:
                self._credentials = load_credentials(self.profile, self.scopes)
            return self._credentials

    def http(self) -> google_auth_httplib2.AuthorizedHttp:
        """An authorised HTTP object for the calling thread."""
        http = getattr(self._local, "http", None)
        if http is None:
            http = CountingHttp(
                self.credentials,
                self.counters,
                refresh_lock=self._refresh_lock,
                http=httplib2.Http(timeout=HTTP_TIMEOUT_SECONDS),
            )
            self._local.http = http
        return http

    def service(self, api: str) -> discovery.Resource:
        services = getattr(self._local, "services", None)
        if services is None:
            services = self._local.services = {}
        if api not in services:
            info = _api(api)
            services[api] = _reuse_collections(discovery.build(
                info.name,
                info.version,
                http=self.http(),
                static_discovery=True,
                cache_discovery=False,
                client_options={"api_endpoint": api_endpoint(self.profile, api)},
            ))
        return services[api]

    def batch_uri(self, api: str) -> str:
        return batch_uri(self.profile, api)

    def requests_session(self) -> requests.Session:
        from google.auth.transport.requests import AuthorizedSession

        session = AuthorizedSession(self.credentials)
        for host in GSPREAD_HOSTS:
            session.mount(host, _GoogleAdapter(self.counters, host, self.profile.endpoint))
        return session

    def gspread(self, policy: CallPolicy | None = None):  # -> gspread.Client
        """A gspread client whose calls are paced, counted and retried by `policy` (by default
        a policy of its own; `GoogleSession.gspread()` shares the session's)."""
        from workspace_coach.google.gspread_http import authorize

        if policy is None:
            policy = CallPolicy(RateLimiter(), RetryPolicy(), self.counters,
                                threading.BoundedSemaphore(DEFAULT_GSPREAD_CONCURRENCY))
        client = authorize(self.credentials, self.requests_session(), policy)
        client.set_timeout(HTTP_TIMEOUT_SECONDS)  # a hung connection is a retriable timeout
        return client


def _reuse_collections(resource: discovery.Resource) -> discovery.Resource:
    """`resource` whose collection accessors (`service.users()`, `.members()`, ...) build their
    Resource once and hand the same one back afterwards.

    googleapiclient builds a collection afresh on every `service.users()`: each of its methods
    with its docstring, about 1 ms a call, more than sending the request to a local sandbox. The
    collection holds only what its parent holds (HTTP object, URLs, discovery document), so one
    per service is the same object again; services are per thread, so are their collections.
    """
    for name in resource._resourceDesc.get("resources", {}):
        accessor = discovery.fix_method_name(name)
        # already listed in `_dynamic_attrs` by googleapiclient: pickling rebuilds its own
        resource.__dict__[accessor] = _collection(getattr(resource, accessor))
    return resource


def _collection(build: Any) -> Any:
    made: list[discovery.Resource] = []

    def collection() -> discovery.Resource:
        if not made:
            made.append(_reuse_collections(build()))
        return made[0]

    collection.__doc__ = build.__doc__
    collection.__is_resource__ = True  # type: ignore[attr-defined]  # as googleapiclient marks it
    return collection


def endpoint_host(profile: ConnectionProfile) -> str:
    return urlsplit(profile.endpoint).netloc if profile.endpoint else "Google"
