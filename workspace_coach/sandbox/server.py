"""Run the sandbox: in the foreground for the CLI, or on a background thread for tests and demos."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from workspace_coach.paths import data_dir
from workspace_coach.sandbox.app import SandboxApp
from workspace_coach.sandbox.realism import Realism, RealismConfig
from workspace_coach.sandbox.store import Store

DEFAULT_PORT = 8765


def default_db_path() -> Path:
    return data_dir() / "sandbox.sqlite3"


class _QuietHandler(WSGIRequestHandler):
    """Keep-alive like Google's front ends; request lines only at debug level."""

    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logging.getLogger("workspace_coach.sandbox.http").debug(
            "%s %s", self.requestline, code)


@dataclass
class RunningSandbox:
    app: SandboxApp
    server: BaseWSGIServer
    thread: threading.Thread | None

    @property
    def url(self) -> str:
        host = self.server.server_address[0]
        return f"http://{host}:{self.server.server_port}/"

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
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    server.daemon_threads = True
    running = RunningSandbox(app, server, None)
    if background:
        thread = threading.Thread(target=server.serve_forever, name="wc-sandbox", daemon=True)
        thread.start()
        running.thread = thread
    return running
