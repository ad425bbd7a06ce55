"""Benchmark the audit: collect 1,000 people x 180 days; score 10,000 people x 180 days.

Part 1, collect: 1,000 people x 180 days from the sandbox, answering 100 ms late.

An in-memory sandbox in a process of its own (as Google is: in the collect's own interpreter
its work would compete for the collect's interpreter lock), with its clock pinned, gets a
tenant whose 1,000 users are written straight into the store (as `simulate_bench.py` does), and
182 days of simulated activity. Then, with the sandbox adding `--latency-ms` to every call (as
Google's own latency), `audit collect --days 180` runs against it through the real client
libraries into a fresh database (a temporary SQLite file, or `--database URL`) with
`--concurrency` calls in flight, and again to show what a repeated collect costs. Reported:
calls per method, rows stored, the wall time, and the bound the wall time is held to: the
larger of calls x latency / concurrency (Google answering as fast as it does) and, per quota
bucket, calls / the limiter's queries per minute (Google's quota); the ratio wall / bound has a
target of 1.3. What is above the bound is the time the sandbox itself takes (it answers one
call at a time) and the collect's own work: decoding pages, making rows and writing them, on
threads that share one interpreter lock. The CPU time of both processes is printed too.

Part 2, score: a synthetic store (a SQLite file written directly, not collected: no sandbox
holds 10,000 people x 180 days in reasonable time) with the rows a collect and earlier runs
leave for 10,000 people in 50 org units and 120 groups: 180 dates of `team_usage` counts for
every scope and indicator, the directory snapshot, and 30 days of the activity events the
event-based indicators read (the newest dates are counted again on every run). Then
`audit run` scores the organisation and every scope for 180 dates of trend; printed: the time
of the computation alone (target 2 s), and for two runs in a row the time of the whole run split
into computing and writing the scores, and what the run stored (bytes of `inputs` JSON, the
database file's size; each run replaces the previous run's scores). Also timed: the
collect-time team counts of one day's user usage report of 10,000 people.

    .venv/bin/python bench/audit_bench.py [--users 1000] [--days 180] [--consent]
        [--latency-ms 100] [--concurrency 10]
        [--database postgresql+psycopg://wc:wc@127.0.0.1:5432/wc_bench]
        [--part collect|score|both] [--score-people 10000] [--score-days 180]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sandbox_bench import cpu_seconds
from simulate_bench import add_users

from workspace_coach.audit.collect import DEFAULT_CONCURRENCY, CollectReport, collect
from workspace_coach.google.calls import quota_bucket
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.sandbox import tenants
from workspace_coach.sandbox.remote import create_tenant_profile
from workspace_coach.sandbox.server import start
from workspace_coach.storage.db import make_engine

CLOCK = "2025-06-20T03:00:00Z"


def show(label: str, report: CollectReport) -> None:
    calls = ", ".join(f"{k} {v:,}" for k, v in sorted(report.calls.items()))
    rows = ", ".join(f"{k} {v:,}" for k, v in report.rows_added.items() if v)
    print(f"{label}: {report.seconds:.1f} s (writing to the database {report.store_seconds:.1f}"
          f" s); {len(report.dates_fetched)} usage dates; {report.total_calls:,} calls ({calls})")
    print(f"  rows added {report.total_rows:,}" + (f" ({rows})" if rows else ""))


COLLECT_TARGET_RATIO = 1.3


def collect_bound(report: CollectReport, latency_ms: float, concurrency: int
                  ) -> tuple[float, float, float]:
    """(bound, latency part, quota part) in seconds: calls x latency / concurrency, and the
    slowest quota bucket's calls / its queries per minute (the session's limiter's rates)."""
    limiter = RateLimiter()
    buckets: dict[str, int] = {}
    for method, calls in report.calls.items():
        bucket = quota_bucket(method)
        buckets[bucket] = buckets.get(bucket, 0) + calls
    latency = report.total_calls * latency_ms / 1000 / concurrency
    quota = max((n / limiter.per_api.get(b, limiter.default_qpm) * 60
                 for b, n in buckets.items()), default=0.0)
    return max(latency, quota), latency, quota


def show_bound(report: CollectReport, latency_ms: float, concurrency: int, users: int,
               days: int) -> None:
    bound, latency, quota = collect_bound(report, latency_ms, concurrency)
    ratio = report.seconds / bound if bound else float("nan")
    verdict = "within" if ratio <= COLLECT_TARGET_RATIO else "OVER"
    print(f"  collect {users:,} people x {days} days at {latency_ms:.0f} ms latency, "
          f"concurrency {concurrency}: {report.total_calls:,} calls, wall {report.seconds:.1f} s; "
          f"bound {bound:.1f} s = max(calls x latency / concurrency {latency:.1f} s, calls / "
          f"per-minute quota {quota:.1f} s); ratio {ratio:.2f} ({verdict} the "
          f"{COLLECT_TARGET_RATIO} target)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--consent", action="store_true",
                        help="Record per-person consent (stores every user parameter).")
    parser.add_argument("--database", default="",
                        help="Database URL (default: a temporary SQLite file).")
    parser.add_argument("--latency-ms", type=float, default=100.0,
                        help="Latency the sandbox adds to every call during the collect.")
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY,
                        help="Calls in flight at once during the collect.")
    parser.add_argument("--part", choices=("collect", "score", "both"), default="both")
    parser.add_argument("--score-people", type=int, default=10_000)
    parser.add_argument("--score-days", type=int, default=180)
    args = parser.parse_args()
    if args.part in ("collect", "both"):
        bench_collect(args)
    if args.part in ("score", "both"):
        bench_score(args.score_people, args.score_days)
    return 0


def _sandbox_process(pipe: Connection) -> None:
    """The sandbox of part 1, in a process of its own as Google is: it must not share the
    collect's interpreter lock. Told a domain and a head-count, it writes the users straight
    into its store; told None, it stops."""
    sandbox = start(":memory:")
    pipe.send(sandbox.url)
    try:
        while (order := pipe.recv()) is not None:
            domain, count = order
            store = sandbox.app.store
            tenant = tenants.find_by_domain(store, domain)
            add_users(store, tenant["id"], domain, count)
            pipe.send("ok")
    finally:
        sandbox.stop()


def bench_collect(args: argparse.Namespace) -> None:
    ours, theirs = multiprocessing.get_context("spawn").Pipe()
    child = multiprocessing.get_context("spawn").Process(
        target=_sandbox_process, args=(theirs,), daemon=True)
    child.start()
    url = ours.recv()
    workdir = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    try:
        requests.put(url + "_sandbox/clock", json={"now": CLOCK}, timeout=10).raise_for_status()
        profile = create_tenant_profile("bench.example.kr", workdir, endpoint=url)
        profile = profile.model_copy(update={"per_person_insights": args.consent,
                                             "source": workdir / "connection.yaml"})
        ours.send((profile.domain, args.users - 1))
        ours.recv()
        began = time.perf_counter()
        answer = requests.post(url + "_sandbox/simulate", json={
            "domain": profile.domain, "days": args.days + 2, "seed": 7, "profile": "mixed"},
            timeout=3600)
        answer.raise_for_status()
        simulated = answer.json()
        print(f"simulated {args.users:,} people x {args.days + 2} days: "
              f"{simulated['events_written']:,} events in {time.perf_counter() - began:.1f} s")
        requests.put(url + "_sandbox/config", json={"latency_ms": args.latency_ms},
                     timeout=10).raise_for_status()
        engine = make_engine(args.database or f"sqlite:///{workdir / 'coach.sqlite3'}")
        try:
            ours_cpu, sandbox_cpu = time.process_time(), cpu_seconds(child.pid)
            first = collect(profile, engine, days=args.days, concurrency=args.concurrency)
            show(f"backfill of {args.days} days ({'with' if args.consent else 'without'} "
                 "per-person consent)", first)
            show_bound(first, args.latency_ms, args.concurrency, args.users, args.days)
            sandbox_after = cpu_seconds(child.pid)
            if sandbox_cpu is not None and sandbox_after is not None:
                print(f"  CPU used: the collect {time.process_time() - ours_cpu:.1f} s (decoding, "
                      f"rows, writing; its threads share one interpreter lock), the sandbox "
                      f"{sandbox_after - sandbox_cpu:.1f} s; {os.cpu_count()} cores")
            again = collect(profile, engine, days=args.days, concurrency=args.concurrency)
            show("repeated collect", again)
            show_bound(again, args.latency_ms, args.concurrency, args.users, args.days)
        finally:
            engine.dispose()
    finally:
        ours.send(None)
        child.join(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


# -- part 2: scoring -------------------------------------------------------------------------

SCORE_TARGET_SECONDS = 2.0
LAST_DAY = dt.date(2025, 6, 17)
EVENT_DAYS = 30


def _directory(people: int, rng: random.Random) -> tuple[list[dict], list[dict], list[dict]]:
    """10 divisions x 4 teams (50 org units), 120 groups of 3 to 400 members."""
    persons, groups, members = [], [], []
    for i in range(people):
        division, team = i % 10, (i // 10) % 4
        persons.append({
            "user_id": f"{100000 + i}", "email": f"user{i:05d}@bench.example.kr",
            "org_unit_path": f"/본부{division}/팀{team}", "is_admin": i == 0,
            "is_delegated_admin": False, "admin_roles": [], "suspended": i % 97 == 0,
            "archived": False, "is_enrolled_2sv": rng.random() < 0.5,
            "is_enforced_2sv": False, "has_recovery_email": rng.random() < 0.6,
            "has_recovery_phone": rng.random() < 0.3, "created_at": None,
            "last_login_at": None})
    for g in range(120):
        size = rng.choice((3, 4, 8, 15, 30, 60, 120, 400))
        groups.append({"group_id": f"g{g}", "email": f"group{g}@bench.example.kr",
                       "name": f"group {g}", "direct_members_count": size})
        for who in rng.sample(persons, size):
            members.append({"group_id": f"g{g}", "member_key": who["user_id"],
                            "email": who["email"], "role": "MEMBER", "type": "USER",
                            "status": "ACTIVE"})
    return persons, groups, members


def synthetic_store(path: Path, people: int, days: int) -> ConnectionProfile:
    """A SQLite store holding what collects and earlier runs leave (see the docstring)."""
    from workspace_coach.audit.indicators import EVENT_IDS, USAGE_IDS
    from workspace_coach.audit.score import EVENT_COUNTS
    from workspace_coach.audit.teams import build_scopes
    from workspace_coach.storage import models as m
    from workspace_coach.storage.migrations import upgrade

    rng = random.Random(3)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    dates = [LAST_DAY - dt.timedelta(days=days - 1 - i) for i in range(days)]
    persons, groups, members = _directory(people, rng)
    scopes = build_scopes(persons, groups, members, 5)
    rates = {ind: rng.uniform(0.05, 0.9) for ind in (*USAGE_IDS, *EVENT_IDS)}
    with engine.begin() as conn:
        client_id = conn.execute(sa.insert(m.Client).values(
            slug="bench-score", domain="bench.example.kr", per_person_insights=False,
            min_group_size=5, created_at=now).returning(m.Client.id)).scalar_one()
        snapshot = conn.execute(sa.insert(m.DirectorySnapshot).values(
            client_id=client_id, taken_at=now, digest="bench").returning(
            m.DirectorySnapshot.id)).scalar_one()
        conn.execute(sa.insert(m.Person), [{"snapshot_id": snapshot, **p} for p in persons])
        conn.execute(sa.insert(m.Group), [{"snapshot_id": snapshot, **g} for g in groups])
        conn.execute(sa.insert(m.GroupMember), [{"snapshot_id": snapshot, **x}
                                                for x in members])
        state = [{"client_id": client_id, "kind": "user_usage", "date": d,
                  "partial": d == LAST_DAY, "fetched_at": now, "fetches": 1,
                  "watermark": None, "warnings": []} for d in dates]
        # event counts of earlier runs are final up to three days before the newest date
        state += [{"client_id": client_id, "kind": EVENT_COUNTS, "date": d, "partial": False,
                   "fetched_at": now, "fetches": 1, "watermark": None, "warnings": []}
                  for d in dates if d <= LAST_DAY - dt.timedelta(days=3)]
        mark = dt.datetime.combine(LAST_DAY, dt.time(23), dt.UTC)
        state += [{"client_id": client_id, "kind": f"activities:{app}", "date": LAST_DAY,
                   "partial": False, "fetched_at": now, "fetches": 1, "watermark": mark,
                   "warnings": []} for app in ("meet", "drive", "chat")]
        conn.execute(sa.insert(m.CollectState), state)
        rows = []
        for d in dates:
            cached = d <= LAST_DAY - dt.timedelta(days=3)
            for (kind, key), who in scopes.members.items():
                n = len(who)
                for ind, rate in rates.items():
                    if ind in EVENT_IDS and not cached:
                        continue
                    rows.append({"client_id": client_id, "date": d, "scope_type": kind,
                                 "scope_key": key, "indicator": ind, "people": n,
                                 "count": min(n, int(n * rate * rng.uniform(0.8, 1.2)))})
            if len(rows) > 200_000:
                conn.execute(sa.insert(m.TeamUsage), rows)
                rows.clear()
        conn.execute(sa.insert(m.TeamUsage), rows)
        events = _events(client_id, persons, dates[-EVENT_DAYS:], rng)
        for start in range(0, len(events), 100_000):
            conn.execute(sa.insert(m.ActivityEvent), events[start:start + 100_000])
        counted = conn.execute(sa.select(sa.func.count()).select_from(m.TeamUsage)).scalar()
    engine.dispose()
    print(f"synthetic store: {people:,} people, {len(scopes.members)} scopes, {days} dates, "
          f"{counted:,} team_usage rows, {len(events):,} activity events "
          f"({path.stat().st_size / 1e6:.0f} MB)")
    return ConnectionProfile(name="bench-score", domain="bench.example.kr",
                             admin="admin@bench.example.kr", credentials=Path("unused.json"))


def _events(client_id: int, persons: list[dict], days: list[dt.date], rng: random.Random
            ) -> list[dict]:
    """About 3 events a person a working day: Meet calls, Drive edits, Chat posts."""
    out: list[dict] = []
    for d in days:
        base = dt.datetime.combine(d, dt.time(17), dt.UTC)
        for i, p in enumerate(persons):
            if rng.random() < 0.3:
                continue
            row = {"client_id": client_id, "event_index": 0, "actor_email": p["email"],
                   "actor_profile_id": p["user_id"], "event_type": "x"}
            made = []
            if rng.random() < 0.4:
                made.append(("meet", "call_ended", {
                    "conference_id": f"c{d}:{i // 6}",
                    "device_type": rng.choice(("web", "web", "ios")),
                    "video_send_seconds": rng.choice((0, 600)), "screencast_send_seconds": 0,
                    "calendar_event_id": "e1"}))
            owner = persons[rng.randrange(len(persons))]["email"]
            made.append(("drive", "edit", {"owner": owner,
                                           "owner_is_shared_drive": rng.random() < 0.2}))
            made.append(("chat", "message_posted", {"room_id": f"r{i // 8}"}))
            for app, name, params in made:
                out.append({**row, "app": app, "event_name": name, "params": params,
                            "time": base + dt.timedelta(seconds=rng.randrange(30000)),
                            "unique_qualifier": f"{d}:{i}:{len(out)}"})
    return out


def _stored(engine: sa.Engine, run_id: int) -> tuple[int, int]:
    """Score rows of a run and the bytes of their `inputs` JSON."""
    from workspace_coach.storage import models as m

    s = m.Score
    with engine.connect() as conn:
        rows, size = conn.execute(sa.select(
            sa.func.count(), sa.func.sum(sa.func.length(sa.type_coerce(s.inputs, sa.String))))
            .where(s.run_id == run_id)).one()
    return int(rows), int(size or 0)


def bench_score(people: int, days: int) -> None:
    from workspace_coach.audit import score
    from workspace_coach.audit.indicators import USAGE_PARAMETERS
    from workspace_coach.audit.run import run_audit
    from workspace_coach.audit.teams import build_scopes, usage_team_rows

    workdir = Path(tempfile.mkdtemp(prefix="score-bench-"))
    try:
        began = time.perf_counter()
        profile = synthetic_store(workdir / "coach.sqlite3", people, days)
        print(f"  written in {time.perf_counter() - began:.1f} s (not part of the figures)")
        engine = make_engine(f"sqlite:///{workdir / 'coach.sqlite3'}")
        with engine.connect() as conn:
            began = time.perf_counter()
            data = score.prepare(conn, 1, consent=False, min_size=5, trend_days=days)
            values = score.compute(conn, data, window=28)
            computed = time.perf_counter() - began
            conn.rollback()   # the run below counts the same events again
        scopes = len({(v.scope_type, v.scope_key) for v in values})
        verdict = "within" if computed <= SCORE_TARGET_SECONDS else "OVER"
        print(f"score {people:,} people x {days} days (synthetic store): computed "
              f"{len(values):,} scores for {scopes} scopes x {len(data.trend_dates)} dates in "
              f"{computed:.2f} s ({verdict} the {SCORE_TARGET_SECONDS:.0f} s target; includes "
              f"counting the events of {len(data.events_counted)} uncounted dates)")
        for label in ("audit run", "audit run again"):
            report = run_audit(profile, engine, window=28, trend_days=days)
            rows, inputs_bytes = _stored(engine, report.run_id)
            size = (workdir / "coach.sqlite3").stat().st_size
            print(f"  {label}: {report.seconds:.2f} s in all = computing "
                  f"{report.compute_seconds:.2f} s (with events of "
                  f"{len(report.events_counted)} dates) + writing {rows:,} score rows "
                  f"{report.write_seconds:.2f} s; the run's inputs JSON "
                  f"{inputs_bytes / 1e6:.1f} MB; database file {size / 1e6:.0f} MB")
        engine.dispose()
        # collect-time team counts of one day's report
        rng = random.Random(5)
        persons, groups, members = _directory(people, rng)
        teams = build_scopes(persons, groups, members, 5)
        day = LAST_DAY
        stamp = dt.datetime.combine(day, dt.time(18), dt.UTC).isoformat().replace("+00:00", "Z")
        reports = [{"entity": {"type": "USER", "userEmail": p["email"],
                               "profileId": p["user_id"]},
                    "parameters": [
                        {"name": n, "datetimeValue": stamp} if "timestamp" in n else
                        {"name": n, "boolValue": rng.random() < 0.5} if ":is_" in n else
                        {"name": n, "intValue": str(rng.randrange(3))}
                        for n in sorted(USAGE_PARAMETERS)] + [
                        {"name": f"other:{k}", "intValue": "1"} for k in range(40)]}
                   for p in persons]
        began = time.perf_counter()
        rows = usage_team_rows(teams, 1, day, reports)
        print(f"collect-time team counts, {people:,} people x 1 day: {len(rows):,} rows in "
              f"{time.perf_counter() - began:.2f} s")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
