"""A small scriptable server that speaks Google's wire protocol, and sessions pointed at it.

It answers the way Google does: JSON error envelopes, Retry-After headers, an OAuth token
endpoint, and multipart/mixed batch requests parsed and answered part by part (each inner call
goes through the same routes and scripts as a direct call). Tests script failures with
`server.on(...)` and read back `server.log` to see exactly what reached the wire.
"""

from __future__ import annotations

import email.parser
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import RetryPolicy
from workspace_coach.google.session import GoogleSession

DOMAIN = "haessal.example.kr"
ACCESS_TOKEN = "ya29.test-access-token"


@dataclass
class Seen:
    """One request as the server received it (a batch's inner calls are logged one by one)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    in_batch: bool = False
    batch_no: int | None = None

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else None


@dataclass
class Reply:
    """A scripted answer. `reason` builds Google's error envelope (`raw` replaces the body
    outright); `drop` closes the connection without answering; `delay` holds the answer back."""

    status: int = 200
    body: Any = None
    reason: str | None = None
    message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    raw: bytes | None = None

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is not None:
            return json.dumps(self.body).encode()
        if self.status >= 400:
            message = self.message or f"scripted {self.status}"
            error = envelope(self.status, self.reason or "backendError", message)
            return json.dumps(error).encode()
        return b"{}"


def envelope(status: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"domain": "global", "reason": reason, "message": message}],
            "status": "UNAVAILABLE" if status >= 500 else "FAILED_PRECONDITION",
        }
    }


@dataclass
class Rule:
    method: str
    path: re.Pattern[str]
    replies: deque[Reply]
    when: Callable[[Seen], bool] | None = None

    def matches(self, seen: Seen) -> bool:
        return (
            bool(self.replies)
            and self.method == seen.method
            and bool(self.path.fullmatch(seen.path))
            and (self.when is None or self.when(seen))
        )


class FakeGoogle:
    """Routes, scripts and a log; the HTTP plumbing is in `_Handler`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self.log: list[Seen] = []
        self.batches: list[list[Seen]] = []
        self.token_requests = 0
        self.users = [{"primaryEmail": f"user{i}@{DOMAIN}"} for i in range(7)]
        self.in_flight = 0
        self.max_in_flight = 0
        self.url = ""

    def on(
        self, method: str, path: str, *replies: Reply, when: Callable[[Seen], bool] | None = None
    ) -> None:
        """Answer the next matching requests with `replies`, in order, then fall back to defaults.
        `path` is a regular expression matched against the whole path (no leading slash)."""
        with self._lock:
            self._rules.append(Rule(method, re.compile(path), deque(replies), when))

    def seen(self, method: str, path: str) -> list[Seen]:
        pattern = re.compile(path)
        return [s for s in self.log if s.method == method and pattern.fullmatch(s.path)]

    def answer(self, seen: Seen) -> Reply:
        with self._lock:
            self.log.append(seen)
            for rule in self._rules:
                if rule.matches(seen):
                    return rule.replies.popleft()
        if seen.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
            return Reply(401, reason="authError", message="Invalid Credentials")
        return self._default(seen)

    def _default(self, seen: Seen) -> Reply:
        path = seen.path
        if seen.method == "POST" and (path == "batch" or path.startswith("batch/")):
            return Reply()
        if seen.method == "GET" and path == "admin/directory/v1/users":
            size = int(seen.query.get("maxResults", ["100"])[0])
            start = int(seen.query.get("pageToken", ["0"])[0])
            page: dict[str, Any] = {"users": self.users[start : start + size]}
            if start + size < len(self.users):
                page["nextPageToken"] = str(start + size)
            return Reply(body=page)
        if seen.method == "POST" and path == "admin/directory/v1/users":
            body = dict(seen.json or {})
            body.pop("password", None)
            return Reply(body={**body, "id": "id-" + body.get("primaryEmail", "")})
        if seen.method == "GET" and path.startswith("admin/directory/v1/users/"):
            return Reply(body={"primaryEmail": path.rsplit("/", 1)[1]})
        match = re.fullmatch(r"admin/directory/v1/groups/([^/]+)/members", path)
        if seen.method == "POST" and match:
            return Reply(body={**(seen.json or {}), "role": "MEMBER"})
        match = re.fullmatch(r"drive/v3/files/([^/]+)", path)
        if seen.method == "GET" and match:
            return Reply(body={"id": match.group(1)})
        return Reply(404, reason="notFound", message="Resource Not Found")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        path = unquote(parts.path.lstrip("/"))
        if path == "token":
            with fake._lock:
                fake.token_requests += 1
            token = {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"}
            self._send(200, {"content-type": "application/json"}, json.dumps(token).encode())
            return
        if path == "batch" or path.startswith("batch/"):
            self._batch(body)
            return
        seen = Seen(
            self.command,
            path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        with fake._lock:
            fake.in_flight += 1
            fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
        try:
            reply = fake.answer(seen)
            if reply.delay:
                time.sleep(reply.delay)
        finally:
            # Before answering: once the client has the answer it may send the next request.
            with fake._lock:
                fake.in_flight -= 1
        if reply.drop:
            self.close_connection = True
            return
        headers = {"content-type": "application/json; charset=UTF-8", **reply.headers}
        self._send(reply.status, headers, reply.payload())

    def _send(self, status: int, headers: dict[str, str], payload: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _batch(self, body: bytes) -> None:
        """Parse multipart/mixed the way googleapiclient writes it; answer each part."""
        fake = self.server.fake
        content_type = self.headers["content-type"]
        message = email.parser.BytesParser().parsebytes(
            b"content-type: " + content_type.encode() + b"\r\n\r\n" + body
        )
        headers = {k.lower(): v for k, v in self.headers.items()}
        outer = fake.answer(Seen("POST", urlsplit(self.path).path.lstrip("/"), {}, headers, b""))
        if outer.drop:
            self.close_connection = True
            return
        if outer.status >= 300:
            headers = {"content-type": "application/json", **outer.headers}
            self._send(outer.status, headers, outer.payload())
            return
        with fake._lock:
            batch_no = len(fake.batches)
            fake.batches.append([])
        boundary = "batch_fake_boundary"
        out: list[str] = []
        for part in message.get_payload():
            inner = _parse_inner(part.get_payload(), batch_no)
            with fake._lock:
                fake.batches[batch_no].append(inner)
            reply = fake.answer(inner)
            reason_phrase = "OK" if reply.status < 300 else "Error"
            inner_headers = {"Content-Type": "application/json; charset=UTF-8", **reply.headers}
            head = "".join(f"{k}: {v}\r\n" for k, v in inner_headers.items())
            content_id = part["Content-ID"].strip()[1:-1]
            out.append(
                f"--{boundary}\r\n"
                "Content-Type: application/http\r\n"
                f"Content-ID: <response-{content_id}>\r\n\r\n"
                f"HTTP/1.1 {reply.status} {reason_phrase}\r\n{head}\r\n"
                f"{reply.payload().decode()}\r\n"
            )
        out.append(f"--{boundary}--\r\n")
        self._send(
            200, {"content-type": f"multipart/mixed; boundary={boundary}"}, "".join(out).encode()
        )


def _parse_inner(payload: str, batch_no: int) -> Seen:
    request_line, rest = payload.split("\n", 1)
    method, target, _ = request_line.strip().split(" ", 2)
    inner = email.parser.Parser().parsestr(rest)
    parts = urlsplit(target)
    body = inner.get_payload()
    return Seen(
        method,
        unquote(parts.path.lstrip("/")),
        parse_qs(parts.query),
        {k.lower(): v for k, v in inner.items()},
        body.encode() if isinstance(body, str) else b"",
        in_batch=True,
        batch_no=batch_no,
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeGoogle) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


@pytest.fixture(scope="session")
def _httpd() -> Iterator[_Server]:
    httpd = _Server(FakeGoogle())
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def server(_httpd: _Server) -> FakeGoogle:
    """A fresh script, log and user list per test on one listening server per process."""
    fake = FakeGoogle()
    fake.url = f"http://127.0.0.1:{_httpd.server_address[1]}/"
    _httpd.fake = fake
    return fake


@cache
def _private_key_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture
def profile(server: FakeGoogle, tmp_path: Path) -> ConnectionProfile:
    """A profile whose endpoint is the fake server, with a service-account key whose token_uri
    is the fake server's /token (google-auth honours token_uri for service accounts; for
    authorized_user files it always uses Google's own token URL)."""
    key = {
        "type": "service_account",
        "project_id": "test",
        "private_key_id": "k1",
        "private_key": _private_key_pem(),
        "client_email": "coach@test.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": server.url + "token",
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(key), encoding="utf-8")
    return ConnectionProfile(
        name="haessal",
        domain=DOMAIN,
        admin=f"admin@{DOMAIN}",
        credentials=path,
        endpoint=server.url,
    )


class Sleeps:
    """An injectable sleep that records instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def clients(profile: ConnectionProfile) -> GoogleClients:
    return GoogleClients(profile, ["https://www.googleapis.com/auth/admin.directory.user"])


@pytest.fixture
def make_session(clients: GoogleClients, sleeps: Sleeps) -> Callable[..., GoogleSession]:
    """Sessions on the fake server that never wait: recorded sleeps, a limiter far above the
    rates tests reach. Keyword arguments override `RetryPolicy` fields or session settings."""

    def make(**overrides: Any) -> GoogleSession:
        session_keys = {"concurrency", "batch_size", "limiter"}
        session_args = {k: overrides.pop(k) for k in list(overrides) if k in session_keys}
        policy = RetryPolicy(sleep=sleeps, rand=lambda: 0.5, **overrides)
        session_args.setdefault("limiter", RateLimiter(default_qpm=10**9))
        return GoogleSession(clients, retry=policy, **session_args)

    return make


@pytest.fixture
def session(make_session: Callable[..., GoogleSession]) -> GoogleSession:
    return make_session()
