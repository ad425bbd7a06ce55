"""A sandbox running as a background process: start it once, find it again, stop it.

The demo and coaches' rehearsals keep one sandbox alive between commands; its pid and URL live
in `sandbox.pid` next to its database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from workspace_coach.errors import UserError


def health(url: str, timeout: float = 1.0) -> dict | None:
    try:
        answer = requests.get(url + "_sandbox/health", timeout=timeout)
        return answer.json() if answer.ok else None
    except (requests.RequestException, ValueError):
        return None


def ensure_running(data_dir: Path, port: int, host: str = "127.0.0.1") -> tuple[str, bool]:
    """Return (url, started_now): reuse a sandbox already answering on the port, else start one."""
    url = f"http://{host}:{port}/"
    if health(url):
        return url, False
    data_dir.mkdir(parents=True, exist_ok=True)
    log = open(data_dir / "sandbox.log", "ab")  # noqa: SIM115 - handed to the child process
    process = subprocess.Popen(
        [sys.executable, "-m", "workspace_coach.sandbox",  # `sandbox serve`, sooner started
         "--host", host, "--port", str(port), "--db", str(data_dir / "sandbox.sqlite3")],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(150):
        if health(url):
            (data_dir / "sandbox.pid").write_text(json.dumps({"pid": process.pid, "url": url}))
            return url, True
        if process.poll() is not None:
            raise UserError(f"the sandbox could not start on port {port}; "
                            f"see {data_dir / 'sandbox.log'}")
        time.sleep(0.1)
    raise UserError(f"the sandbox did not answer on {url} within 15 s")


def stop(data_dir: Path) -> bool:
    pid_file = data_dir / "sandbox.pid"
    if not pid_file.exists():
        return False
    pid = json.loads(pid_file.read_text())["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)
    return True
