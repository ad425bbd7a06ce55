"""The latest provisioning plan and apply for a client, read from its profile's folder.

`provision apply` keeps its journal (`provision-journal.sqlite3`) and results
(`provision-results.csv`) next to the connection profile; plans saved with `plan --out` and the
ones the dashboard makes (`provision-plan.json`) are read from the same folder. A plan whose
checksum appears in the journal was applied (the journal names each step by the plan's
checksum); otherwise all its changes are pending. Making a new plan reads the tenant with list
calls only, exactly as `workspace-coach provision plan` does; applying stays on the command line.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from workspace_coach.errors import UserError
from workspace_coach.provision.changes import PHASE_TITLES, PlanFileError
from workspace_coach.provision.plan import Plan

PLAN_FILE = "provision-plan.json"
JOURNAL_FILE = "provision-journal.sqlite3"
RESULTS_FILE = "provision-results.csv"
ROSTER_NAMES = ("roster.csv", "roster.xlsx", "roster-utf8.csv")


@dataclass(frozen=True)
class ApplyRun:
    """One run of `provision apply` as its journal recorded it."""

    run: str
    plan: str                                  # the plan's checksum
    started: dt.datetime
    finished: dt.datetime
    statuses: dict[str, int]                   # final status of each step -> count
    failed: list[tuple[str, str]] = field(default_factory=list)   # (object, detail)
    unfinished: list[str] = field(default_factory=list)           # started, never ended


@dataclass(frozen=True)
class PlanRow:
    phase: str
    action: str
    object: str
    fields: str


@dataclass(frozen=True)
class GraceRow:
    """A leaver suspended by apply, waiting out the grace period before a deletion may free
    their seat."""

    email: str
    suspended: dt.date
    until: dt.date


@dataclass
class ProvisioningStatus:
    folder: Path
    plan: Plan | None = None
    plan_path: Path | None = None
    plan_problems: list[str] = field(default_factory=list)
    runs: list[ApplyRun] = field(default_factory=list)      # newest first
    results: list[dict[str, str]] = field(default_factory=list)
    org: Path | None = None                                  # inputs for a new plan
    roster: Path | None = None
    grace: list[GraceRow] = field(default_factory=list)    # leavers still in their grace period

    @property
    def plan_applied(self) -> ApplyRun | None:
        """The newest run of the shown plan, if it was applied."""
        if self.plan is None:
            return None
        checksum = self.plan.checksum
        return next((r for r in self.runs if r.plan == checksum), None)

    def plan_rows(self) -> list[PlanRow]:
        if self.plan is None:
            return []
        return [PlanRow(PHASE_TITLES.get(c.phase, c.phase), c.action, f"{c.kind} {c.key}",
                        ", ".join(sorted(c.after))) for c in self.plan.changes]


def profile_folder(profile_path: str | Path) -> Path:
    path = Path(profile_path)
    return path if path.is_dir() else path.parent


def read_journal(path: Path) -> list[ApplyRun]:
    """Runs recorded in an apply journal, newest first (read-only; never creates the file)."""
    if not path.exists():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return []
    try:
        rows = db.execute("select run, plan, ident, status, detail, at from steps "
                          "order by id").fetchall()
    except sqlite3.Error:
        return []
    finally:
        db.close()
    runs: dict[str, dict] = {}
    for run, plan, ident, status, detail, at in rows:
        entry = runs.setdefault(run, {"plan": plan, "first": at, "last": at, "steps": {}})
        entry["last"] = at
        entry["steps"][ident] = (status, detail)   # the newest record of a step decides
    out = []
    for run, entry in runs.items():
        statuses: dict[str, int] = {}
        for status, _ in entry["steps"].values():
            statuses[status] = statuses.get(status, 0) + 1
        out.append(ApplyRun(
            run=run, plan=entry["plan"],
            started=dt.datetime.fromtimestamp(entry["first"], dt.UTC),
            finished=dt.datetime.fromtimestamp(entry["last"], dt.UTC),
            statuses=statuses,
            failed=[(i, d) for i, (s, d) in entry["steps"].items() if s == "failed"],
            unfinished=[i for i, (s, _) in entry["steps"].items() if s == "started"]))
    return sorted(out, key=lambda r: r.started, reverse=True)


def _newest_plan(folder: Path) -> tuple[Plan | None, Path | None, list[str]]:
    """The newest file in `folder` that is a plan; other JSON (credentials) is skipped."""
    problems = []
    candidates = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in candidates:
        if "plan" not in path.name:
            continue
        try:
            return Plan.load(path), path, problems
        except PlanFileError as exc:
            problems.append(str(exc))
    return None, None, problems


def _inputs(folder: Path, plan: Plan | None) -> tuple[Path | None, Path | None]:
    """Where the next plan's inputs probably are: the last plan's, else files beside the
    profile."""
    org = roster = None
    if plan is not None:
        org_text = plan.sources.get("org") or ""
        roster_text = plan.sources.get("roster") or ""
        org = Path(org_text) if org_text and Path(org_text).is_file() else None
        roster = Path(roster_text) if roster_text and Path(roster_text).is_file() else None
    if org is None and (folder / "org.yaml").is_file():
        org = folder / "org.yaml"
    if roster is None:
        roster = next((folder / n for n in ROSTER_NAMES if (folder / n).is_file()), None)
    return org, roster


def read_grace(path: Path, grace_days: int, today: dt.date | None = None) -> list[GraceRow]:
    """Leavers in the journal whose grace period has not ended (read-only)."""
    if not path.is_file():
        return []
    today = today or dt.datetime.now(dt.UTC).date()
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return []
    try:
        rows = db.execute("select email, suspended_at from leavers order by suspended_at, "
                          "email").fetchall()
    except sqlite3.Error:  # a journal from before leavers were recorded
        return []
    finally:
        db.close()
    out = []
    for email, at in rows:
        since = dt.datetime.fromtimestamp(at, dt.UTC).date()
        until = since + dt.timedelta(days=grace_days)
        if until > today:
            out.append(GraceRow(email, since, until))
    return out


def _grace_days(org: Path | None) -> int:
    """The org spec's offboarding.grace_days, else the default."""
    from workspace_coach.provision.spec import Offboarding, load_spec

    if org is not None:
        try:
            return load_spec(org).offboarding.grace_days
        except UserError:
            pass
    return Offboarding().grace_days


def status(profile_path: str | Path) -> ProvisioningStatus:
    folder = profile_folder(profile_path)
    plan, plan_path, problems = _newest_plan(folder) if folder.is_dir() else (None, None, [])
    results: list[dict[str, str]] = []
    results_file = folder / RESULTS_FILE
    if results_file.is_file():
        with results_file.open(encoding="utf-8-sig", newline="") as handle:
            results = list(csv.DictReader(handle))
    org, roster = _inputs(folder, plan)
    return ProvisioningStatus(folder=folder, plan=plan, plan_path=plan_path,
                              plan_problems=problems, runs=read_journal(folder / JOURNAL_FILE),
                              results=results, org=org, roster=roster,
                              grace=read_grace(folder / JOURNAL_FILE, _grace_days(org)))


def make_new_plan(profile_path: str | Path, *, roster: Path, org: Path | None = None,
                  adopt: bool = False) -> tuple[Plan, Path]:
    """Read the tenant, diff it with the roster (and org spec), save the plan beside the
    profile; returns the plan and where it was saved. Changes nothing in the tenant."""
    from workspace_coach.google import scopes
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.connection import load_profile
    from workspace_coach.google.session import GoogleSession
    from workspace_coach.provision.plan import make_plan
    from workspace_coach.provision.roster import read_roster
    from workspace_coach.provision.spec import load_spec

    profile = load_profile(profile_path)
    if not Path(roster).is_file():
        raise UserError(f"{roster}: roster file not found")
    spec = load_spec(Path(org)) if org else None   # SpecError names file, line and field
    people = read_roster(Path(roster))
    session = GoogleSession(GoogleClients(profile, scopes.PROVISION))
    plan, _ = make_plan(session, domain=profile.domain, admin=profile.admin,
                        customer=profile.customer, roster=people, spec=spec, adopt=adopt)
    plan.sources = {"roster": str(Path(roster).resolve()),
                    "org": str(Path(org).resolve()) if org else ""}
    path = profile_folder(profile.source or profile_path) / PLAN_FILE
    plan.save(path)
    return plan, path
