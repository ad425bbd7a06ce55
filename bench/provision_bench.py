"""Onboard a 1,000-person organisation into a fresh sandbox tenant, as Google would pace it.

The sandbox adds 30 ms to every request and enforces Google's 2,400 queries per minute per API;
the input is 1,000 people, ~50 groups with ~3,000 memberships and 20 shared drives with their
permissions. Prints API calls, HTTP round trips, wall time and the ratio of wall time to the
quota bound (Directory calls / 2,400 per minute; the other APIs have quotas of their own), then
the cost of a converged re-plan. The same plan is then applied to a second fresh tenant one call
at a time (one session thread, batches of one: how `gam csv` loops usually run) for comparison.

    .venv/bin/python bench/provision_bench.py [--people 1000] [--skip-loop]

With `--fault-rate 0.3` a share of calls (inner batch calls included) is answered with every
kind of fault Google sends (503, 500, 429, 403 rate limit, a dropped connection); the figures
then also say how many steps the results marked failed and how many changes the next plan still
wants, which must agree: a step marked failed that had in fact happened would show as a failure
the re-plan does not repeat. `--realism google` uses the sandbox's Google preset instead
(latency, 1% faults, quotas, seconds before new objects are usable).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import requests

from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile, load_profile
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.session import GoogleSession
from workspace_coach.provision.apply import Applier, credentials_path, journal_path
from workspace_coach.provision.journal import Journal
from workspace_coach.provision.passwords import CredentialStore
from workspace_coach.provision.plan import make_plan
from workspace_coach.provision.roster import roster_from_rows
from workspace_coach.provision.spec import parse_spec
from workspace_coach.sandbox.realism import FAULT_KINDS
from workspace_coach.sandbox.remote import create_tenant_profile
from workspace_coach.sandbox.server import start

QUOTA = 2400
#: Pace a little under the quota: a sliding minute on the server side counts our burst too.
PACE = 0.92
GIVEN = ["minji", "seoyeon", "jiwoo", "hayoon", "junho", "dohyun", "siwoo", "yejin", "eunbi",
         "taeyang", "nari", "sora", "hyunwoo", "jaewon", "subin", "byeol"]
FAMILY = ["kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim"]


def make_input(domain: str, people: int, rng: random.Random) -> tuple[str, list[list[str]]]:
    teams = [f"team{i:02d}" for i in range(10)]
    rows = [["employee id", "given name", "family name", "email", "team", "org unit"]]
    for i in range(people):
        team = teams[i % len(teams)]
        rows.append([f"E{i:05d}", rng.choice(GIVEN).title(), rng.choice(FAMILY).title(),
                     f"user{i:05d}@{domain}", team, f"/{team}"])
    emails = [r[3] for r in rows[1:]]
    lines = [f"domain: {domain}", "org_units:"]
    lines += [f"  - {{path: /{t}, description: {t}}}" for t in teams]
    lines += ["teams:"] + [f"  - {{name: {t}, org_unit: /{t}}}" for t in teams]
    lines += ["groups:", f"  - email: all@{domain}", "    name: Everyone",
              "    settings: {who_can_post_message: ALL_MEMBERS_CAN_POST}",
              "    members: [{org_unit: /}, {person: " + emails[0] + ", role: OWNER}]"]
    for t in teams:
        lines += [f"  - email: {t}@{domain}", f"    name: {t}",
                  "    settings: {who_can_post_message: ALL_IN_DOMAIN_CAN_POST}",
                  f"    members: [{{team: {t}}}]"]
    for g in range(39):  # project groups of ~26 people each: ~1,000 memberships
        chosen = rng.sample(emails, 26)
        members = ", ".join(f"{{person: {e}}}" for e in chosen[1:])
        lines += [f"  - email: project{g:02d}@{domain}", f"    name: Project {g}",
                  "    settings: {who_can_join: INVITED_CAN_JOIN}",
                  f"    members: [{{person: {chosen[0]}, role: OWNER}}, {members}]"]
    lines += ["shared_drives:"]
    for d in range(20):
        lines += [f"  - name: Drive {d:02d}", "    restrictions: {domain_users_only: true}",
                  "    permissions:",
                  f"      - {{group: {teams[d % 10]}@{domain}, role: organizer}}",
                  f"      - {{group: project{d:02d}@{domain}, role: writer}}",
                  f"      - {{group: all@{domain}, role: reader}}"]
    lines += ["safety: {max_suspensions: {count: 50}}"]
    return "\n".join(lines) + "\n", rows


def tenant(url: str, domain: str, folder: Path) -> ConnectionProfile:
    create_tenant_profile(domain, folder, endpoint=url)
    return load_profile(folder / "connection.yaml")


def totals(session: GoogleSession) -> tuple[int, int, int]:
    snap = session.counters.snapshot()
    calls = sum(c.calls for c in snap.values())
    trips = sum(c.round_trips for c in snap.values())
    directory = sum(c.calls for k, c in snap.items() if k.startswith("directory."))
    return calls, trips, directory


def run(profile: ConnectionProfile, spec_text: str, rows: list[list[str]], *,
        one_at_a_time: bool) -> dict[str, float]:
    limiter = RateLimiter(default_qpm=QUOTA * PACE)
    kwargs = {"concurrency": 1, "batch_size": 1} if one_at_a_time else {"concurrency": 8}
    session = GoogleSession(GoogleClients(profile, scopes.PROVISION), limiter=limiter, **kwargs)
    spec = parse_spec(spec_text)
    roster = roster_from_rows(rows, "bench.csv")
    started = time.monotonic()
    plan, state = make_plan(session, domain=profile.domain, admin=profile.admin,
                            customer=profile.customer, roster=roster, spec=spec)
    journal = Journal(journal_path(profile))
    try:
        result = Applier(session, plan, profile, journal=journal,
                         credentials=CredentialStore(credentials_path(profile))).run(state=state)
    finally:
        journal.close()
    wall = time.monotonic() - started
    calls, trips, directory = totals(session)
    out = {"changes": len(plan.changes), "calls": calls, "round trips": trips,
           "directory calls": directory, "wall s": round(wall, 1),
           "quota bound s": round(directory / QUOTA * 60, 1),
           "failed": len(result.failed)}
    out["ratio"] = round(wall / out["quota bound s"], 2) if out["quota bound s"] else 0.0
    if not one_at_a_time:
        replan = GoogleSession(GoogleClients(profile, scopes.PROVISION), limiter=limiter)
        started = time.monotonic()
        again, _ = make_plan(replan, domain=profile.domain, admin=profile.admin,
                             customer=profile.customer, roster=roster, spec=spec)
        calls, trips, _ = totals(replan)
        out.update({"re-plan changes": len(again.changes), "re-plan calls": calls,
                    "re-plan round trips": trips,
                    "re-plan s": round(time.monotonic() - started, 2)})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=30)
    parser.add_argument("--skip-loop", action="store_true", help="Skip the one-at-a-time run.")
    parser.add_argument("--fault-rate", type=float, default=0.0,
                        help="Share of calls answered with a fault of any kind (0 to 1).")
    parser.add_argument("--realism", choices=["google"], default=None,
                        help="Use the sandbox's Google preset instead of --latency-ms.")
    args = parser.parse_args()
    rng = random.Random(5)
    sandbox = start(":memory:")
    try:
        settings: dict[str, object] = {"latency_ms": args.latency_ms, "qpm": QUOTA}
        if args.fault_rate:
            settings.update(fault_rate=args.fault_rate, fault_kinds=list(FAULT_KINDS), seed=7)
        if args.realism:
            settings = {"preset": args.realism}
        answer = requests.put(sandbox.url + "_sandbox/config", timeout=10, json=settings)
        answer.raise_for_status()
        with tempfile.TemporaryDirectory() as tmp:
            results = {}
            for label, loop in (("plan/apply", False), ("one call at a time", True)):
                if loop and args.skip_loop:
                    continue
                domain = f"bench{int(loop)}.example.kr"
                spec_text, rows = make_input(domain, args.people, rng)
                profile = tenant(sandbox.url, domain, Path(tmp) / domain)
                results[label] = run(profile, spec_text, rows, one_at_a_time=loop)
                print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in results[label].items()),
                      flush=True)
            if len(results) == 2:
                fast, slow = results["plan/apply"], results["one call at a time"]
                print(f"speed-up: {slow['wall s'] / fast['wall s']:.1f}x wall time, "
                      f"{slow['round trips'] / fast['round trips']:.1f}x fewer round trips")
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
