"""The background sandbox: started as its own process, found again, stopped."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

from workspace_coach.sandbox import process


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_started_once_found_again_and_stopped(tmp_path: Path):
    port = _free_port()
    url, started = process.ensure_running(tmp_path, port)
    try:
        assert started and process.health(url) is not None
        assert process.ensure_running(tmp_path, port) == (url, False)
        assert "Workspace sandbox on " + url in (tmp_path / "sandbox.log").read_text()
        assert (tmp_path / "sandbox.sqlite3").exists()
    finally:
        assert process.stop(tmp_path)
    for _ in range(100):
        if process.health(url, timeout=0.2) is None:
            break
        time.sleep(0.05)
    assert process.health(url, timeout=0.2) is None


def test_a_busy_port_is_one_line(tmp_path: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "workspace_coach.sandbox", "--port", str(port), "--db",
             str(tmp_path / "s.db")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"]
