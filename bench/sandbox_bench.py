"""How fast the sandbox answers: simple gets, and activities pages as the event log grows.

Runs the sandbox as its own process (as `workspace-coach sandbox serve` does) and drives it
from this one:

- users.get through googleapiclient, one thread, as most tools call;
- users.get over raw HTTP from several threads, each on its own keep-alive connection (the
  server's own ceiling; http.client, so the client costs little);
- reports activities.list pages of 1,000 over raw HTTP, with 10 thousand and with 1.67 million
  events in the log (a 1,000-person client's 180 days). The events are written straight into
  the store of a sandbox running in this process (Store.add_events, what the simulator uses):
  simulating them takes minutes and would time the simulator. Pages are read from the newest event and
  from three months back (an `endTime` in the middle of the log), following nextPageToken, so
  a deep page is timed as well as the first one. The figure is the median page.

Prints a table: figure, measured, target, ok/no.

    .venv/bin/python bench/sandbox_bench.py [--seconds 5] [--threads 4] [--events 1670000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import requests
from google.auth.transport.requests import Request
from googleapiclient.http import BatchHttpRequest

from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import load_profile
from workspace_coach.sandbox import server as sandbox_server
from workspace_coach.sandbox import tenants
from workspace_coach.sandbox.events import pacific_day, rfc3339
from workspace_coach.sandbox.remote import create_tenant_profile
from workspace_coach.sandbox.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from simulate_bench import add_users

DOMAIN = "bench.example.kr"
PEOPLE = 1000
TARGET_RAW = 1500.0       # requests/s, users.get, raw HTTP, 4 threads
TARGET_CLIENT = 600.0     # requests/s, users.get, googleapiclient, 1 thread
TARGET_PAGE_MS = 30.0     # activities.list page of 1,000, at 10 k and at 1.67 M events
PAGES = 5                 # pages timed from each starting point


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


def _rate(make: Callable[[], Callable[[], object]], seconds: float, threads: int = 1) -> float:
    """Calls per second of `make()`'s callable, one per thread, for `seconds`."""
    done = [0] * threads
    ready = threading.Barrier(threads + 1)
    stop = [0.0]

    def worker(i: int) -> None:
        work = make()
        work()  # connection and token set up before the clock starts
        ready.wait()
        while time.perf_counter() < stop[0]:
            work()
            done[i] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    stop[0] = time.perf_counter() + seconds + 0.05
    ready.wait()
    start = time.perf_counter()
    for t in pool:
        t.join()
    return sum(done) / (time.perf_counter() - start)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used, where /proc tells it (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_rate(pid: int, measure: Callable[[], float],
                 seconds: float) -> tuple[float, float | None]:
    """(requests/s measured, requests per CPU-second of the server process): the second says
    what one free core would give, whatever else the machine is running."""
    before = cpu_seconds(pid)
    rate = measure()
    after = cpu_seconds(pid)
    if before is None or after is None or after <= before:
        return rate, None
    return rate, rate * seconds / (after - before)


def _raw_get(port: int, path: str, token: str) -> Callable[[], Callable[[], bytes]]:
    def make() -> Callable[[], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Bearer {token}"}

        def get() -> bytes:
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            if answer.status != 200:
                raise SystemExit(f"{path}: {answer.status} {body[:200]!r}")
            return body
        return get
    return make


# -- the event log ------------------------------------------------------------------------------

APPS = (("drive", 0.5), ("chat", 0.24), ("gmail", 0.11), ("login", 0.08), ("meet", 0.07))
DRIVE = (("view", "access"), ("edit", "access"), ("create", "create"),
         ("change_user_access", "acl_change"))
OTHER = {"chat": ("message_posted", "user_action"), "gmail": ("delivery", "email"),
         "login": ("login_success", "login"), "meet": ("call_ended", "call")}


def _event_rows(tenant: str, people: list[tuple[str, str]], count: int, first: int,
                now: float, rng: random.Random) -> list[tuple]:
    """`count` events over the 180 days before `now` (epoch seconds), shaped like the
    simulator's (drive ones carry a document's parameters), in Store.add_events order."""
    rows = []
    apps = [a for a, _ in APPS]
    weights = [w for _, w in APPS]
    days: dict[int, str] = {}
    stamps = sorted(now - 180 * 86400 * rng.random() for _ in range(count))
    picks = rng.choices(apps, weights, k=count)
    for n, (stamp, app) in enumerate(zip(stamps, picks, strict=True), start=first):
        hour = int(stamp // 3600)  # Pacific dates change on the hour, so one lookup an hour
        day = days.get(hour) or days.setdefault(
            hour, pacific_day(datetime.fromtimestamp(stamp, UTC)))
        when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(stamp)) + (
            f".{int(stamp * 1000) % 1000:03d}Z")
        email, uid = people[n % len(people)]
        if app == "drive":
            name, kind = DRIVE[n % len(DRIVE)]
            params = (f'{{"doc_id": "1{n:032x}", "doc_title": "주간 회의록 {n % 97}", '
                      f'"doc_type": "document", "owner": "{email}", '
                      '"owner_is_shared_drive": false, "primary_event": true, '
                      '"billable": true, "visibility": "private"}')
        else:
            name, kind = OTHER[app]
            params = f'{{"room_id": "r{n % 40}", "duration_seconds": {n % 3600}}}'
        rows.append((tenant, app, when, day, email, uid, kind, name, params, "",
                     f"bench-{n:09d}"))
    return rows


def _grow_log(store: Store, tenant: str, people: list[tuple[str, str]], upto: int,
              have: int, now: float) -> float:
    rng = random.Random(upto)
    began = time.perf_counter()
    while have < upto:
        step = min(200_000, upto - have)
        rows = _event_rows(tenant, people, step, have, now, rng)
        with store.transaction():
            store.add_events(rows)
        have += step
    return time.perf_counter() - began


def _page_times(port: int, token: str, now: datetime) -> list[float]:
    """Milliseconds per page of 1,000 drive events: PAGES from the newest, PAGES from 90 days
    back, each page asked for with the previous page's nextPageToken."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for end in (None, now - timedelta(days=90)):
        query: dict[str, str] = {"maxResults": "1000"}
        if end:
            query["endTime"] = rfc3339(end)
        for _ in range(PAGES):
            path = "/admin/reports/v1/activity/users/all/applications/drive?" + urlencode(query)
            began = time.perf_counter()
            conn.request("GET", path, headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            times.append((time.perf_counter() - began) * 1000)
            if answer.status != 200:
                raise SystemExit(f"activities.list: {answer.status} {body[:200]!r}")
            page = json.loads(body)
            if not page.get("nextPageToken"):
                break
            query["pageToken"] = page["nextPageToken"]
    conn.close()
    return times


# -- the run ------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per request-rate figure")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--events", type=int, default=1_670_000,
                        help="the large event log (default: 1,000 people x 180 days)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sandbox-bench-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "workspace_coach.cli.main", "sandbox", "serve", "--db", ":memory:",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows: list[tuple[str, str, str, bool]] = []
    notes: list[str] = []
    try:
        _wait(url)
        create_tenant_profile(DOMAIN, work / "client", endpoint=url)
        profile = load_profile(work / "client" / "connection.yaml")
        clients = GoogleClients(profile, scopes.PROVISION)
        directory = clients.service("directory")
        for start in range(0, PEOPLE - 1, 500):
            batch = BatchHttpRequest(batch_uri=clients.batch_uri("directory"))
            for i in range(start, min(start + 500, PEOPLE - 1)):
                batch.add(directory.users().insert(body={
                    "primaryEmail": f"u{i:04d}@{DOMAIN}", "password": "bench-pass-1",
                    "name": {"givenName": "벤치", "familyName": str(i)}}))
            batch.execute()
        clients.credentials.refresh(Request())
        token = clients.credentials.token
        get_path = f"/admin/directory/v1/users/u0007@{DOMAIN}"

        def via_client() -> Callable[[], object]:
            service = GoogleClients(profile, scopes.PROVISION).service("directory")
            return lambda: service.users().get(userKey=f"u0007@{DOMAIN}").execute()

        own_cpu = time.process_time()
        client_rate, client_cpu = _server_rate(
            server.pid, lambda: _rate(via_client, args.seconds), args.seconds)
        own_cpu = (time.process_time() - own_cpu) / max(1.0, client_rate * args.seconds)
        notes.append(f"users.get, googleapiclient: the client itself used {own_cpu * 1000:.2f} ms "
                     "of CPU per call (googleapiclient's request and response handling, httplib2 and "
                     "google-auth; service.users() is built once per service)")
        rows.append(("users.get, googleapiclient, 1 thread", f"{client_rate:,.0f} req/s",
                     f">= {TARGET_CLIENT:,.0f} req/s", client_rate >= TARGET_CLIENT))
        raw_rate, raw_cpu = _server_rate(
            server.pid, lambda: _rate(_raw_get(port, get_path, token), args.seconds,
                                      args.threads), args.seconds)
        rows.append((f"users.get, raw HTTP keep-alive, {args.threads} threads",
                     f"{raw_rate:,.0f} req/s", f">= {TARGET_RAW:,.0f} req/s",
                     raw_rate >= TARGET_RAW))
        for label, cpu in (("googleapiclient", client_cpu), ("raw HTTP", raw_cpu)):
            if cpu:
                notes.append(f"users.get, {label}: the server answered {cpu:,.0f} requests per "
                             "second of its own CPU time")
    finally:
        server.terminate()
        server.wait(timeout=30)
    # The event log is written straight into a sandbox's store, so this one runs in-process
    # (on its own thread; the pages are asked for one at a time, so the GIL is not shared).
    sandbox = sandbox_server.start(":memory:")
    try:
        url = sandbox.url
        create_tenant_profile(DOMAIN, work / "log", endpoint=url)
        profile = load_profile(work / "log" / "connection.yaml")
        store = sandbox.app.store
        tenant = tenants.find_by_domain(store, DOMAIN)
        assert tenant is not None
        add_users(store, tenant["id"], DOMAIN, PEOPLE - 1)
        people = [(u["primaryEmail"], u["id"]) for u in store.list("user", tenant["id"])]
        audit = GoogleClients(profile, scopes.AUDIT).credentials
        audit.refresh(Request())
        now = time.time() - 60
        have = 0
        for size in (10_000, args.events):
            wrote = _grow_log(store, tenant["id"], people, size, have, now)
            have = size
            cpu, mine = time.process_time(), time.thread_time()
            times = _page_times(sandbox.server.server_port, audit.token,
                                datetime.fromtimestamp(now, UTC))
            # the process' CPU less this (client) thread's: what the sandbox's threads used
            cpu = ((time.process_time() - cpu) - (time.thread_time() - mine)) * 1000 / len(times)
            median = statistics.median(times)
            notes.append(f"activities at {size:,} events: the sandbox used {cpu:.1f} ms of CPU "
                         "per page")
            label = (f"activities page of 1,000 at {size:,} events "
                     f"(slowest {max(times):.0f} ms; log written in {wrote:.0f} s)")
            rows.append((label,
                         f"{median:.1f} ms", f"<= {TARGET_PAGE_MS:.0f} ms",
                         median <= TARGET_PAGE_MS))
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)

    width = max(len(r[0]) for r in rows)
    print(f"sandbox at {url} ({PEOPLE:,} users, latency 0, {args.seconds:.0f} s per rate)")
    print(f"  {'figure':<{width}}  {'measured':>12}  {'target':>14}  ok")
    for figure, measured, target, ok in rows:
        print(f"  {figure:<{width}}  {measured:>12}  {target:>14}  {'ok' if ok else 'no'}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (other work shares them)")
    for note in notes:
        print(f"  {note}")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
