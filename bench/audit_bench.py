"""Benchmark the audit, part 1: collect 1,000 people x 180 days from the sandbox.

An in-memory sandbox with its clock pinned gets a tenant whose 1,000 users are written straight
into the store (as `simulate_bench.py` does), and 182 days of simulated activity. Then
`audit collect --days 180` runs against it through the real client libraries into a fresh
database (a temporary SQLite file, or `--database URL`), and again to show what a repeated collect
costs. Reported: Reports API calls per method, rows stored, wall time of each phase.

    .venv/bin/python bench/audit_bench.py [--users 1000] [--days 180] [--consent]
        [--database postgresql+psycopg://wc:wc@127.0.0.1:5432/wc_bench]

Scoring 10,000 people from storage (part 2) comes with the scoring code.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulate_bench import add_users

from workspace_coach.audit.collect import CollectReport, collect
from workspace_coach.cli.sandbox import create_tenant_profile
from workspace_coach.sandbox import tenants
from workspace_coach.sandbox.server import start
from workspace_coach.storage.db import make_engine

CLOCK = "2025-06-20T03:00:00Z"


def show(label: str, report: CollectReport) -> None:
    calls = ", ".join(f"{k} {v:,}" for k, v in sorted(report.calls.items()))
    rows = ", ".join(f"{k} {v:,}" for k, v in report.rows_added.items() if v)
    print(f"{label}: {report.seconds:.1f} s (writing to the database {report.store_seconds:.1f}"
          f" s); {len(report.dates_fetched)} usage dates; {report.total_calls:,} calls ({calls})")
    print(f"  rows added {report.total_rows:,}" + (f" ({rows})" if rows else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--consent", action="store_true",
                        help="Record per-person consent (stores every user parameter).")
    parser.add_argument("--database", default="",
                        help="Database URL (default: a temporary SQLite file).")
    args = parser.parse_args()
    sandbox = start(":memory:")
    workdir = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    try:
        requests.put(sandbox.url + "_sandbox/clock", json={"now": CLOCK},
                     timeout=10).raise_for_status()
        profile = create_tenant_profile("bench.example.kr", workdir, endpoint=sandbox.url)
        profile = profile.model_copy(update={"per_person_insights": args.consent,
                                             "source": workdir / "connection.yaml"})
        store = sandbox.app.store
        tenant = tenants.find_by_domain(store, profile.domain)
        add_users(store, tenant["id"], profile.domain, args.users - 1)
        began = time.perf_counter()
        answer = requests.post(sandbox.url + "_sandbox/simulate", json={
            "domain": profile.domain, "days": args.days + 2, "seed": 7, "profile": "mixed"},
            timeout=3600)
        answer.raise_for_status()
        simulated = answer.json()
        print(f"simulated {args.users:,} people x {args.days + 2} days: "
              f"{simulated['events_written']:,} events in {time.perf_counter() - began:.1f} s")
        engine = make_engine(args.database or f"sqlite:///{workdir / 'coach.sqlite3'}")
        try:
            first = collect(profile, engine, days=args.days)
            show(f"backfill of {args.days} days ({'with' if args.consent else 'without'} "
                 "per-person consent)", first)
            again = collect(profile, engine, days=args.days)
            show("repeated collect", again)
        finally:
            engine.dispose()
    finally:
        sandbox.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
