"""The one client of the sandbox's control API: a refusal is one clear line, whatever its body."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from workspace_coach.errors import UserError
from workspace_coach.sandbox.remote import control, create_tenant_profile


class _PlainTextRefusal(BaseHTTPRequestHandler):
    """A proxy in front of a sandbox answering 502 with a plain-text page, not Google's JSON."""

    def do_GET(self) -> None:
        body = b"Bad Gateway: upstream went away"
        self.send_response(502)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def plain_text_server() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _PlainTextRefusal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_non_json_refusal_is_one_line_with_its_text(plain_text_server: str) -> None:
    with pytest.raises(UserError) as refused:
        control(plain_text_server, "GET", "_sandbox/clock", timeout=5)
    message = str(refused.value)
    assert "GET _sandbox/clock" in message and "Bad Gateway" in message
    assert "\n" not in message


def test_a_sandbox_refusal_carries_googles_message(sandbox, tmp_path) -> None:
    create_tenant_profile("remote-twice.example.kr", tmp_path / "a", endpoint=sandbox.url)
    with pytest.raises(UserError) as refused:
        create_tenant_profile("remote-twice.example.kr", tmp_path / "b", endpoint=sandbox.url)
    assert "refused POST _sandbox/tenants" in str(refused.value)
    assert not (tmp_path / "b" / "connection.yaml").exists()


def test_no_sandbox_is_one_line_naming_the_address() -> None:
    with pytest.raises(UserError, match=r"no sandbox answers at http://127\.0\.0\.1:9/"):
        control("http://127.0.0.1:9", "GET", "_sandbox/health", timeout=5)
