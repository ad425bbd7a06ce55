"""Benchmark: simulate 90 days of activity for a 1,000-person tenant.

The tenant lives in an in-memory sandbox. Its 1,000 users are written straight into the store
(the same documents `directory.users.insert` writes, without 1,000 HTTP round trips, which would
time the directory rather than the simulator), spread over ten org units that act as teams.
The simulation itself runs through the control API, as `workspace-coach sandbox simulate` does.
Afterwards it times the usage figures (what one userUsageReport page of 1,000 users and one
customer report compute) for a day near the end.

    .venv/bin/python bench/simulate_bench.py [--users 1000] [--days 90] [--profile mixed]
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta

import requests

from workspace_coach.sandbox import tenants
from workspace_coach.sandbox.resources import now_rfc3339, numeric_id
from workspace_coach.sandbox.server import start
from workspace_coach.sandbox.simulator import usage

BUDGET_SECONDS = 60.0


def add_users(store, tenant: str, domain: str, count: int) -> None:
    with store.transaction():
        for n in range(10):
            unit = f"id:03bench{n:05d}"
            store.put("orgunit", tenant, unit, {"orgUnitId": unit, "orgUnitPath": f"/team{n}",
                                                "name": f"team{n}", "parentOrgUnitPath": "/"})
            store.key_set("orgunit_path", tenant, f"/team{n}", unit)
        for i in range(count):
            user_id, email = numeric_id(), f"user{i:04d}@{domain}"
            store.put("user", tenant, user_id, {
                "kind": "admin#directory#user", "id": user_id, "primaryEmail": email,
                "name": {"givenName": "민준", "familyName": f"김{i}", "fullName": f"민준 김{i}"},
                "isAdmin": False, "isDelegatedAdmin": False,
                "lastLoginTime": "1970-01-01T00:00:00.000Z", "creationTime": now_rfc3339(),
                "suspended": False, "archived": False, "customerId": tenant,
                "orgUnitPath": f"/team{i % 10}", "isEnrolledIn2Sv": False,
                "isEnforcedIn2Sv": False, "emails": [{"address": email, "primary": True}]})
            store.key_set("email", tenant, email, f"user:{user_id}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--profile", default="mixed")
    args = parser.parse_args()
    sandbox = start(":memory:")
    try:
        store = sandbox.app.store
        created = tenants.create_tenant(store, "bench.example.kr", token_uri=sandbox.url + "token")
        add_users(store, created.customer_id, created.domain, args.users - 1)
        began = time.perf_counter()
        answer = requests.post(sandbox.url + "_sandbox/simulate", json={
            "domain": created.domain, "days": args.days, "seed": 7, "profile": args.profile},
            timeout=600)
        wall = time.perf_counter() - began
        answer.raise_for_status()
        result = answer.json()
        day = date.fromisoformat(result["days_simulated"][-1]) - timedelta(days=2)
        users = store.list("user", created.customer_id)
        began = time.perf_counter()
        usage.user_figures(store, created.customer_id, day, users, set(usage.USER_APPS))
        user_report = time.perf_counter() - began
        began = time.perf_counter()
        usage.customer_figures(store, created.customer_id, day, users, set(usage.CUSTOMER_APPS))
        customer_report = time.perf_counter() - began
    finally:
        sandbox.stop()
    print(f"users: {result['users']}  days: {len(result['days_simulated'])}  "
          f"profile: {result['profile']}")
    print(f"events written: {result['events_written']:,}  "
          f"({', '.join(f'{k} {v:,}' for k, v in result['by_app'].items())})")
    print(f"wall time: {wall:.1f} s  ({result['events_written'] / wall:,.0f} events/s)")
    print(f"usage figures for {day}: all {len(users)} users {user_report:.2f} s, "
          f"customer {customer_report:.2f} s")
    ok = wall < BUDGET_SECONDS or args.users * args.days < 90_000
    print("within budget" if ok else f"OVER BUDGET ({BUDGET_SECONDS:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
