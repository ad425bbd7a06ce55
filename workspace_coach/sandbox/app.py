"""The sandbox's WSGI application.

One root serves every API under Google's own paths, `/token` for OAuth, the batch endpoints and
the `/_sandbox/` control API. An API call passes the same gates as at Google, in the same order:
route -> authentication -> API enabled for the project -> scopes -> admin rights -> quota and
faults -> parameters and body -> the resource handler (inside one store transaction) -> partial
response (`fields=`).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request, Response

from workspace_coach.sandbox import auth, errors, tenants
from workspace_coach.sandbox.discovery import (
    ADMIN_APIS,
    apply_fields,
    parse_fields,
    parse_parameters,
    router,
    validate_body,
)
from workspace_coach.sandbox.realism import DropConnection, Realism, RealismConfig
from workspace_coach.sandbox.resources import Call, RenderedJson, load_all
from workspace_coach.sandbox.resources.directory_users import is_admin
from workspace_coach.sandbox.store import Store

log = logging.getLogger(__name__)

JSON_TYPE = "application/json; charset=UTF-8"
#: Where the HTTP server puts the client's socket in the WSGI environ (for dropped connections).
SOCKET_KEY = "workspace_coach.socket"


@dataclass
class ApiResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, RenderedJson):
            return self.body.data
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


class SandboxApp:
    """The whole sandbox as one WSGI callable; `store` and `realism` are its only state."""

    def __init__(self, store: Store, realism: Realism | None = None) -> None:
        self.store = store
        self.realism = realism or Realism(RealismConfig(**(store.meta_get("realism") or {})))
        self.router = router()
        self.handlers = load_all()
        self.calls: Counter[str] = Counter()
        self.requests = 0
        self._stats_lock = threading.Lock()

    # -- WSGI -----------------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self._stats_lock:
            self.requests += 1
        raw_path = _raw_path(environ)
        try:
            self.realism.delay()
            if raw_path == "/token" or raw_path.startswith(("/_sandbox/", "/batch", "/upload/")):
                return self.dispatch(Request(environ), raw_path)(environ, start_response)
            # An API call reads the environ directly: werkzeug's request and response objects
            # cost as much as a simple call's own work.
            result = self.call_api(
                environ["REQUEST_METHOD"], raw_path, _query(environ),
                environ.get("HTTP_AUTHORIZATION"), _request_body(environ),
                environ.get("CONTENT_TYPE", ""))
        except DropConnection:
            _drop(environ)
            return Response(b"", status=500)(environ, start_response)
        status, headers, payload = _wire(result)
        start_response(status, headers)
        return [payload]

    def dispatch(self, request: Request, raw_path: str) -> Response:
        from workspace_coach.sandbox import batch, control

        if raw_path == "/token":
            return self._token(request)
        if raw_path.startswith("/_sandbox/"):
            return control.handle(self, request, raw_path)
        if raw_path == "/batch" or raw_path.startswith("/batch/"):
            return batch.handle(self, request, raw_path)
        query = parse_qs(urlsplit(request.full_path).query, keep_blank_values=True)
        data, content_type = request.get_data(), request.headers.get("Content-Type", "")
        if raw_path.startswith("/upload/"):
            from workspace_coach.sandbox.uploads import as_json_call

            try:
                upload = as_json_call(raw_path, query, data, content_type)
            except errors.GoogleError as exc:
                return _to_response(ApiResponse(exc.code, exc.body(), dict(exc.headers)))
            if upload is not None:
                raw_path, query, data, content_type = upload
        result = self.call_api(
            request.method, raw_path, query, request.headers.get("Authorization"), data,
            content_type,
        )
        return _to_response(result)

    # -- one API call (also used for each inner call of a batch) --------------------------------

    def call_api(
        self,
        http_method: str,
        raw_path: str,
        query: dict[str, list[str]],
        authorization: str | None,
        data: bytes,
        content_type: str,
    ) -> ApiResponse:
        try:
            method, path_values = self.router.match(http_method, raw_path.lstrip("/"))
            principal = auth.authenticate(self.store, authorization)
            self._check_enabled(principal.tenant, method.api)
            if "*" not in principal.scopes and not (principal.scopes & method.scopes):
                raise errors.insufficient_permissions()
            if method.api in ADMIN_APIS and not self.store.remember(
                    ("admin", principal.tenant, principal.email),
                    lambda: is_admin(self.store, principal.tenant, principal.email)):
                raise errors.forbidden()
            self.realism.before_call(principal.tenant, principal.email, method.api, method.id)
            with self._stats_lock:
                self.calls[method.id] += 1
            fields_expr = query.pop("fields", [None])[-1]
            params = parse_parameters(method, path_values, query)
            params.pop("alt", None)
            params.pop("prettyPrint", None)
            body = _parse_body(data, content_type)
            validate_body(method.api, method.request_schema, body)
            handler = self.handlers.get(method.id)
            if handler is None:
                raise errors.GoogleError(
                    404, "notFound", f"Method not found: {method.id} is not served by the "
                    "sandbox (see docs/sandbox.md for what is covered)")
            call = Call(method, params, body, principal, self.store, self.realism,
                        fields=fields_expr)
            with self.store.transaction():
                result = handler(call)
            if isinstance(result, RenderedJson) and fields_expr:
                result = result.parsed()
            if result is not None and fields_expr:
                result = apply_fields(result, parse_fields(fields_expr))
            return ApiResponse(200 if result is not None else 204, result)
        except errors.GoogleError as exc:
            return ApiResponse(exc.code, exc.body(), dict(exc.headers))
        except DropConnection:
            raise
        except Exception:  # a sandbox bug must look like Google's 500, not kill the server
            log.exception("sandbox handler failed for %s %s", http_method, raw_path)
            return ApiResponse(500, errors.backend_error(500).body())

    def _check_enabled(self, tenant_id: str, api: str) -> None:
        """Google refuses every method of an API the caller's Cloud project has not enabled."""
        disabled, project = self.store.remember(("project", tenant_id),
                                                lambda: self._project(tenant_id))
        if disabled:
            service, title = tenants.SERVICES[api]
            if service in disabled:
                raise errors.access_not_configured(title, service, project)

    def _project(self, tenant_id: str) -> tuple[frozenset[str], str]:
        """The services the tenant's Cloud project has not enabled, and its number."""
        tenant = self.store.get("tenant", "", tenant_id) or {}
        disabled = frozenset(tenant.get("disabledServices") or ())
        return disabled, tenants.project_number(tenant) if disabled else ""

    # -- OAuth token endpoint -------------------------------------------------------------------

    def _token(self, request: Request) -> Response:
        if request.method != "POST":
            return Response(status=405)
        form = {k: v for k, v in request.form.items()}
        try:
            with self.store.transaction():
                body = auth.grant_token(self.store, form, self.router.all_scopes)
            return Response(json.dumps(body), status=200, content_type=JSON_TYPE)
        except auth.OAuthError as exc:
            return Response(json.dumps(exc.body()), status=exc.status, content_type=JSON_TYPE)


def _parse_body(data: bytes, content_type: str) -> Any:
    if not data:
        return None
    if content_type and "json" not in content_type:
        raise errors.bad_request(f"Unsupported content type: {content_type}")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise errors.parse_error() from None


def _raw_path(environ: dict[str, Any]) -> str:
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return urlsplit(raw).path or "/"
    return quote(environ.get("PATH_INFO", "/"))


def _query(environ: dict[str, Any]) -> dict[str, list[str]]:
    """The query as werkzeug's `full_path` gives it: raw bytes read as UTF-8."""
    raw = environ.get("QUERY_STRING", "")
    if not raw:
        return {}
    return parse_qs(raw.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True)


def _request_body(environ: dict[str, Any]) -> bytes:
    """The request body as werkzeug's `get_data()` reads it."""
    length = environ.get("CONTENT_LENGTH", "")
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length.isdigit():
        return stream.read(int(length))
    return stream.read() if environ.get("wsgi.input_terminated") else b""


def _wire(result: ApiResponse) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status line, headers and body of an API answer, as `_to_response` would send them."""
    status = f"{result.status} {HTTP_STATUS_CODES.get(result.status, 'UNKNOWN').upper()}"
    headers = list(result.headers.items())
    if result.status == 204:
        return status, [*headers, ("Content-Type", "text/plain; charset=utf-8")], b""
    payload = result.payload()
    headers += [("Content-Type", JSON_TYPE), ("Content-Length", str(len(payload)))]
    return status, headers, payload


def _to_response(result: ApiResponse) -> Response:
    headers = dict(result.headers)
    if result.status == 204:
        return Response(b"", status=204, headers=headers)
    return Response(result.payload(), status=result.status, headers=headers,
                    content_type=JSON_TYPE)


def _drop(environ: dict[str, Any]) -> None:
    """Close the connection under the client, as a reset or an idle timeout would."""
    sock = environ.get(SOCKET_KEY) or environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
