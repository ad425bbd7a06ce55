"""How fast the sandbox answers: simple gets and list pages, latency 0.

Runs the sandbox as its own process (as `workspace-coach sandbox serve` does) and drives it from
this one, through googleapiclient (one thread, as most tools call) and with several client
threads over keep-alive connections (the server's own ceiling). Target: >= 300 requests/s for
simple gets.

    .venv/bin/python bench/sandbox_bench.py [--seconds 5] [--threads 4]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from googleapiclient.http import BatchHttpRequest

from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import load_profile
from workspace_coach.sandbox.remote import create_tenant_profile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str) -> None:
    for _ in range(100):
        try:
            requests.get(url + "_sandbox/health", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("sandbox did not start")


def _rate(fn, seconds: float, threads: int = 1) -> float:
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(i: int) -> None:
        work = fn()
        while time.perf_counter() < stop:
            work()
            done[i] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    start = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "workspace_coach.cli.main", "sandbox", "serve", "--db", ":memory:",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait(url)
        out = Path(tempfile.mkdtemp()) / "bench"
        create_tenant_profile("bench.example.kr", out, endpoint=url)
        profile = load_profile(out / "connection.yaml")
        clients = GoogleClients(profile, scopes.PROVISION)
        directory = clients.service("directory")
        batch = BatchHttpRequest(batch_uri=clients.batch_uri("directory"))
        for i in range(499):
            batch.add(directory.users().insert(body={
                "primaryEmail": f"u{i:03d}@bench.example.kr", "password": "bench-pass-1",
                "name": {"givenName": "벤치", "familyName": str(i)}}))
        batch.execute()
        clients.credentials.refresh(__import__("google.auth.transport.requests",
                                               fromlist=["Request"]).Request())
        token = clients.credentials.token
        get_url = url + "admin/directory/v1/users/u007@bench.example.kr"
        list_url = url + "admin/directory/v1/users?customer=my_customer&maxResults=100"

        def raw(target: str):
            def make():
                session = requests.Session()
                session.headers["Authorization"] = f"Bearer {token}"
                return lambda: session.get(target).raise_for_status()
            return make

        def via_client():
            service = GoogleClients(profile, scopes.PROVISION).service("directory")
            return lambda: service.users().get(userKey="u007@bench.example.kr").execute()

        def list_via_client():
            service = GoogleClients(profile, scopes.PROVISION).service("directory")
            return lambda: service.users().list(customer="my_customer", maxResults=100).execute()

        rows = [
            ("users.get, googleapiclient, 1 thread", _rate(via_client, args.seconds)),
            (f"users.get, raw HTTP, {args.threads} threads",
             _rate(raw(get_url), args.seconds, args.threads)),
            ("users.list page of 100, googleapiclient, 1 thread",
             _rate(list_via_client, args.seconds)),
            (f"users.list page of 100, raw HTTP, {args.threads} threads",
             _rate(raw(list_url), args.seconds, args.threads)),
        ]
        print(f"sandbox at {url}, 500 users, latency 0, {args.seconds:.0f} s per row")
        for label, rate in rows:
            print(f"  {label:<52} {rate:8.0f} requests/s")
        print("target: >= 300 requests/s for simple gets")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
