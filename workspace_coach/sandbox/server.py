"""Run the sandbox: in the foreground for the CLI, or on a background thread for tests and demos.

The HTTP server is a small HTTP/1.1 one of our own, one thread per connection, because Google's
front ends keep connections alive and the clients (httplib2, urllib3) reuse them: werkzeug's
development server closes every connection after one answer and waits for more request data
before closing, which made each call pay a TCP handshake, a new thread and a 10 ms wait. The WSGI
application is the same either way.
"""

from __future__ import annotations

import logging
import socket
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote

from workspace_coach.paths import data_dir
from workspace_coach.sandbox.app import SOCKET_KEY, SandboxApp
from workspace_coach.sandbox.realism import Realism, RealismConfig
from workspace_coach.sandbox.store import Store

DEFAULT_PORT = 8765
SERVER_NAME = "Workspace-Coach-Sandbox"
MAX_LINE = 65536      # longest request or header line accepted (http.server's limit)
MAX_HEADERS = 100     # most header lines accepted (http.client's limit)
POLL_SECONDS = 0.1    # how soon `stop()` is noticed by the accept loop
COPY_LIMIT = 64 * 1024  # a body up to this size goes out in one write with its head

log = logging.getLogger("workspace_coach.sandbox.http")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def default_db_path() -> Path:
    return data_dir() / "sandbox.sqlite3"


class BadRequest(Exception):
    """A request this server cannot frame; answered with `status` and the connection closed."""

    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class HttpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Accept loop; each connection gets a thread that answers its requests in turn."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, app: WsgiApp) -> None:
        self.address_family = _family(host)
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__((host, port), _Connection)

    @property
    def server_port(self) -> int:
        return self.server_address[1]

    def serve_forever(self, poll_interval: float = POLL_SECONDS) -> None:
        super().serve_forever(poll_interval)

    def track(self, sock: socket.socket, alive: bool) -> None:
        with self._open_lock:
            (self._open.add if alive else self._open.discard)(sock)

    def server_close(self) -> None:
        """Stop listening and hang up on idle keep-alive clients, so their threads end."""
        super().server_close()
        with self._open_lock:
            still_open, self._open = list(self._open), set()
        for sock in still_open:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _family(host: str) -> socket.AddressFamily:
    try:
        return socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)[0][0]
    except socket.gaierror:
        return socket.AF_INET


class _Connection(socketserver.BaseRequestHandler):
    server: HttpServer

    def handle(self) -> None:
        sock: socket.socket = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one write per answer
        self.server.track(sock, True)
        reader = sock.makefile("rb", buffering=MAX_LINE)
        try:
            while _answer_one(self.server, sock, reader, self.client_address):
                pass
        except (OSError, ValueError):
            pass  # the client went away (or the server is stopping): nothing left to answer
        finally:
            self.server.track(sock, False)
            reader.close()


def _answer_one(server: HttpServer, sock: socket.socket, reader: BinaryIO,
                client: Any) -> bool:
    """Read one request, answer it; False when the connection should close."""
    line = reader.readline(MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # stray line breaks between requests are allowed
        line = reader.readline(MAX_LINE + 1)
    if not line:
        return False
    try:
        method, target, version, headers = _head(line, reader)
        keep = _keep_alive(version, headers.get("HTTP_CONNECTION", ""))
        if headers.get("HTTP_EXPECT", "").lower() == "100-continue":
            sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = _body(reader, headers)
    except BadRequest as exc:
        sock.sendall(_plain(exc.status, b"", keep=False))
        return False
    environ = _environ(server, sock, client, method, target, version, headers, body)
    status, out_headers, payload = _run(server.app, environ)
    if method == "HEAD":
        payload = b""
    if keep and version == "HTTP/1.0":
        out_headers = [*out_headers, ("Connection", "keep-alive")]
    head = _head_bytes(status, out_headers, len(payload), keep)
    if len(payload) > COPY_LIMIT:
        sock.sendall(head)  # two writes rather than copying a large body once more
        sock.sendall(payload)
    else:
        sock.sendall(head + payload)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("%s %s %s", method, target, status.split(" ", 1)[0])
    return keep


def _head(line: bytes, reader: BinaryIO) -> tuple[str, str, str, dict[str, str]]:
    if len(line) > MAX_LINE:
        raise BadRequest(HTTPStatus.REQUEST_URI_TOO_LONG)
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(HTTPStatus.BAD_REQUEST)
    method, target, version = parts
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS + 1):
        raw = reader.readline(MAX_LINE + 1)
        if raw in (b"\r\n", b"\n", b""):
            return method, target, version, headers
        if len(raw) > MAX_LINE:
            raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(HTTPStatus.BAD_REQUEST)
        if "_" in name:
            continue  # as werkzeug: a header spelt with "_" could pose as a "-" one
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        value = value.strip()
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)


def _keep_alive(version: str, connection: str) -> bool:
    tokens = {t.strip().lower() for t in connection.split(",")}
    if version == "HTTP/1.0":
        return "keep-alive" in tokens
    return "close" not in tokens


def _body(reader: BinaryIO, headers: dict[str, str]) -> bytes:
    """The whole request body, read before the application runs so the next request on the
    connection starts where this one ends."""
    if "chunked" in headers.get("HTTP_TRANSFER_ENCODING", "").lower():
        return _dechunk(reader)
    length = headers.get("CONTENT_LENGTH", "")
    if not length:
        return b""
    if not length.isdigit():
        raise BadRequest(HTTPStatus.BAD_REQUEST)
    data = reader.read(int(length))
    if len(data) != int(length):
        raise BadRequest(HTTPStatus.BAD_REQUEST)
    return data


def _dechunk(reader: BinaryIO) -> bytes:
    out = bytearray()
    while True:
        size_line = reader.readline(MAX_LINE + 1).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise BadRequest(HTTPStatus.BAD_REQUEST) from None
        if size == 0:
            while reader.readline(MAX_LINE + 1) not in (b"\r\n", b"\n", b""):
                pass  # trailers are not used by any client of ours
            return bytes(out)
        out += reader.read(size)
        reader.readline(MAX_LINE + 1)


def _environ(server: HttpServer, sock: socket.socket, client: Any, method: str, target: str,
             version: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    path, _, query = target.partition("?")
    if "://" in path:  # absolute form: the path starts after the authority
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    environ = {
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        SOCKET_KEY: sock,
        "SERVER_SOFTWARE": SERVER_NAME,
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # WSGI strings carry bytes as latin-1: the UTF-8 of the decoded path, like werkzeug
        "PATH_INFO": unquote(path).encode().decode("latin-1"),
        "QUERY_STRING": query,
        "REQUEST_URI": target,
        "RAW_URI": target,
        "REMOTE_ADDR": client[0] if isinstance(client, tuple) else "<local>",
        "REMOTE_PORT": client[1] if isinstance(client, tuple) else 0,
        "SERVER_NAME": server.server_address[0],
        "SERVER_PORT": str(server.server_address[1]),
        "SERVER_PROTOCOL": version,
    }
    environ.update(headers)
    if body and "CONTENT_LENGTH" not in environ:
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def _run(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    started: list[Any] = []
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Callable[[bytes], None]:
        started[:] = [status, headers]
        return chunks.append

    try:
        result = app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            close = getattr(result, "close", None)
            if close:
                close()
    except Exception:
        log.exception("sandbox request failed: %s %s", environ["REQUEST_METHOD"],
                      environ["RAW_URI"])
        return "500 Internal Server Error", [("Content-Type", "text/plain")], \
            b"Internal Server Error"
    return started[0], started[1], b"".join(chunks)


_date_cache: list[Any] = [0, ""]


def _http_date() -> str:
    now = int(time.time())
    if _date_cache[0] != now:
        _date_cache[:] = [now, formatdate(now, usegmt=True)]
    return _date_cache[1]


def _head_bytes(status: str, headers: list[tuple[str, str]], length: int, keep: bool) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Server: {SERVER_NAME}", f"Date: {_http_date()}"]
    has_length = False
    for name, value in headers:
        lines.append(f"{name}: {value}")
        has_length = has_length or name.lower() == "content-length"
    code = status[:3]
    if not has_length and code not in ("204", "304") and not code.startswith("1"):
        lines.append(f"Content-Length: {length}")
    if not keep:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _plain(status: HTTPStatus, body: bytes, keep: bool) -> bytes:
    text = body or status.phrase.encode()
    return _head_bytes(f"{status.value} {status.phrase}", [("Content-Type", "text/plain")],
                       len(text), keep) + text


@dataclass
class RunningSandbox:
    app: SandboxApp
    server: HttpServer
    thread: threading.Thread | None

    @property
    def url(self) -> str:
        host = self.server.server_address[0]
        return f"http://{host}:{self.server.server_address[1]}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.thread:
            self.thread.join(timeout=5)


def build_app(db: str | Path = ":memory:", config: RealismConfig | None = None) -> SandboxApp:
    store = Store(db)
    realism = Realism(config) if config else None
    return SandboxApp(store, realism)


def start(
    db: str | Path = ":memory:",
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    config: RealismConfig | None = None,
    background: bool = True,
) -> RunningSandbox:
    """Start a sandbox server; `port=0` picks a free port (see `.url`)."""
    app = build_app(db, config)
    server = HttpServer(host, port, app)
    running = RunningSandbox(app, server, None)
    if background:
        thread = threading.Thread(target=server.serve_forever, name="wc-sandbox", daemon=True)
        thread.start()
        running.thread = thread
    return running
