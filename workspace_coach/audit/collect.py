"""Collect a client's directory and Reports API data into the coach's database, incrementally.

One collect:

1. makes sure the schema is current and the client has a row (its consent flag and minimum
   group size are copied from the connection profile every time);
2. reads the directory (users, admin role assignments, org units, groups and members, each
   group's settings from the Groups Settings API, and the shared drives with their restrictions
   and members, as a domain administrator) and stores it as a new snapshot only if it differs
   from the last one (a changed group setting or drive member makes a new snapshot);
3. asks `customerUsageReports` for Pacific "today": Google answers 400 "Data for dates later
   than D is not yet available" (or "Start date can not be later than D"), and D is the newest
   date to collect; when it answers "End date greater than LastReportedDate", which names no
   date, the collect steps back a day at a time (at most `LATEST_STEPS` calls);
4. for every date of the window (`days` dates ending on D, or from `since` to D) that has no
   complete `collect_state` yet, fetches `userUsageReport` (userKey=all, 1,000 users a page) and
   `customerUsageReports`: one call per date per page. A date Google marks partial
   (PARTIAL_DATA_AVAILABLE) is stored and marked `partial`, so the next collect fetches it
   again, but only while it is within `PARTIAL_REFETCH_DAYS` of the newest date (some
   applications stay partial for good; they are not asked for again forever);
   DATA_NOT_AVAILABLE (before the tenant's data begins) is complete with no rows;
5. lists activities per application from the newest event already stored (less an overlap for
   late events) to now, newest first, every page; a long listing is cut into time slices listed
   side by side (`activities.py`);
6. counts, per team and date, the people meeting each usage-based indicator while the user
   report is in memory (`team_usage`, see `teams.py`; small teams folded into "others");
7. writes everything with upserts keyed on Google's identities, so a repeated collect adds no
   row twice, and records an `audit_runs` row with the calls made and rows added.

Steps 4 and 5 run together on a bounded pool (`concurrency`, default `DEFAULT_CONCURRENCY`):
the usage dates, the applications and their slices are independent calls, so the wall time is
bounded by Google's latency and per-minute quota rather than by one call at a time. Writes go
through one writer thread (`jobs.py`), a date with its `collect_state` row in one transaction,
so a collect killed at any point resumes with what it stored.

Every call goes through `GoogleSession` with read-only scopes (`scopes.AUDIT`; the Groups
Settings API has no read-only scope, and only `groups.get` is called with it).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.audit.activities import (  # noqa: F401 - event_rows: part of this API
    ActivityCollector,
    event_rows,
    stamp,
)
from workspace_coach.audit.fields import ACTIVITY_APPS, USER_PARAMETERS_FOR_CHECKS
from workspace_coach.audit.indicators import USAGE_IDS
from workspace_coach.audit.jobs import Job, Writer, run_jobs
from workspace_coach.audit.teams import Scopes, build_scopes, replace_team_rows, usage_team_rows
from workspace_coach.errors import UserError
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.retry import GoogleApiError
from workspace_coach.google.session import GoogleSession
from workspace_coach.memory import gc_paused
from workspace_coach.report_fields import canonical
from workspace_coach.runs.progress import advancer
from workspace_coach.storage import models as m
from workspace_coach.storage.migrations import upgrade
from workspace_coach.storage.upsert import insert_new, upsert
from workspace_coach.timezones import PACIFIC

DEFAULT_DAYS = 180
USAGE_PAGE = 1000
#: DATA_NOT_AVAILABLE on a date this close to the newest one is taken as partial.
RECENT = dt.timedelta(days=3)
#: Calls in flight at once (usage dates, applications and time slices side by side). Google's
#: Reports API guide suggests starting with 10 threads; the per-minute quota is paced by the
#: session's limiter whatever the concurrency (docs/sandbox.md, "Concurrent collect").
DEFAULT_CONCURRENCY = 10
#: Google's 400 for a date past its newest report, in the wordings it has used: "Data for dates
#: later than D is not yet available. Please check back later", "Start date can not be later
#: than D" (both name D), and "End date greater than LastReportedDate" (names none).
LATER_THAN = re.compile(r"(?:later than|can not be later than) (\d{4}-\d{2}-\d{2})")
LAST_REPORTED = re.compile(r"greater than LastReportedDate", re.IGNORECASE)
#: Calls `latest_available` makes stepping back a day at a time when Google names no date.
LATEST_STEPS = 7
#: A date still partial this long after the newest date is kept as it is, not fetched again.
PARTIAL_REFETCH_DAYS = 7
USER_USAGE, CUSTOMER_USAGE = "user_usage", "customer_usage"
TABLES = ("people", "org_units", "groups", "group_members", "group_settings", "shared_drives",
          "usage_values", "team_usage", "activity_events", "collect_state", "directory_snapshots")
#: The group settings the checks read; Google's other fifty-odd settings are not kept.
GROUP_SETTINGS_KEPT = ("whoCanJoin", "allowExternalMembers", "whoCanViewMembership",
                       "whoCanViewGroup", "whoCanPostMessage", "whoCanDiscoverGroup",
                       "whoCanContactOwner", "whoCanLeaveGroup", "includeInGlobalAddressList",
                       "isArchived", "messageModerationLevel", "allowWebPosting")
DRIVE_FIELDS = "nextPageToken,drives(id,name,restrictions)"
DRIVE_MEMBER_FIELDS = "nextPageToken,permissions(id,type,role,emailAddress,domain,deleted)"


@dataclass
class CollectReport:
    """What a collect did: dates fetched, calls made, rows added per table."""

    client: str
    run_id: int
    latest_available: dt.date | None
    window: tuple[dt.date, dt.date] | None
    dates_fetched: list[dt.date] = field(default_factory=list)
    dates_refetched: list[dt.date] = field(default_factory=list)
    dates_partial: list[dt.date] = field(default_factory=list)
    dates_unavailable: list[dt.date] = field(default_factory=list)
    dates_left_partial: list[dt.date] = field(default_factory=list)  # too old to ask again
    events_seen: dict[str, int] = field(default_factory=dict)
    new_snapshot: bool = False
    calls: dict[str, int] = field(default_factory=dict)
    rows_added: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    store_seconds: float = 0.0  # of `seconds`, the time spent writing to the database

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def total_rows(self) -> int:
        return sum(self.rows_added.values())


# -- parsing -------------------------------------------------------------------------------------

def usage_rows(reports: Sequence[dict[str, Any]], client_id: int, day: dt.date, *,
               consent: bool = True) -> list[dict[str, Any]]:
    """`usage_values` rows for the reports of one date; old parameter names become today's;
    without consent, user figures outside `USER_PARAMETERS_FOR_CHECKS` are dropped."""
    rows = []
    for report in reports:
        entity = report.get("entity") or {}
        if entity.get("type") == "CUSTOMER":
            kind, key = "customer", entity.get("customerId") or ""
        else:
            kind, key = "user", entity.get("profileId") or entity.get("userEmail") or ""
        for p in report.get("parameters") or []:
            name = canonical(p["name"])
            if kind == "user" and not consent and name not in USER_PARAMETERS_FOR_CHECKS:
                continue
            row = {"client_id": client_id, "date": day, "entity_type": kind, "entity_key": key,
                   "parameter": name, "int_value": None, "bool_value": None,
                   "datetime_value": None, "string_value": None}
            if "intValue" in p:
                row["int_value"] = int(p["intValue"])
            elif "boolValue" in p:
                row["bool_value"] = bool(p["boolValue"])
            elif "datetimeValue" in p:
                row["datetime_value"] = stamp(p["datetimeValue"])
            elif "stringValue" in p:
                row["string_value"] = str(p["stringValue"])
            else:
                continue  # msgValue: structured, not a figure the audit uses
            rows.append(row)
    return rows


# -- fetching ------------------------------------------------------------------------------------

@dataclass
class _Usage:
    day: dt.date
    kind: str
    reports: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    unavailable: bool = False  # 400: later than the newest date

    @property
    def codes(self) -> set[str]:
        return {w.get("code", "") for w in self.warnings}


def _later_than(exc: GoogleApiError) -> dt.date | None:
    """The newest date a "too late" 400 names, if it names one."""
    if exc.status != 400:
        return None
    found = LATER_THAN.search(exc.failure.message or "")
    return dt.date.fromisoformat(found.group(1)) if found else None


def _too_late(exc: GoogleApiError) -> bool:
    """Whether a 400 says the date is past Google's newest report, in any wording it uses."""
    return exc.status == 400 and (_later_than(exc) is not None
                                  or bool(LAST_REPORTED.search(exc.failure.message or "")))


def _fetch_usage(session: GoogleSession, kind: str, day: dt.date) -> _Usage:
    service = session.service("reports")
    reports: list[dict[str, Any]] = []
    warnings: dict[tuple[str, str], dict[str, Any]] = {}
    token = None
    while True:
        extra = {"pageToken": token} if token else {}
        if kind == USER_USAGE:
            request = service.userUsageReport().get(userKey="all", date=day.isoformat(),
                                                    maxResults=USAGE_PAGE, **extra)
        else:
            request = service.customerUsageReports().get(date=day.isoformat(), **extra)
        try:
            page = session.execute(request, what=f"{kind} {day}") or {}
        except GoogleApiError as exc:
            if _too_late(exc):
                return _Usage(day, kind, [], [], unavailable=True)
            raise
        reports += page.get("usageReports") or []
        for w in page.get("warnings") or []:
            app = next((d.get("value") for d in w.get("data") or []), "")
            warnings[(w.get("code", ""), app)] = w
        token = page.get("nextPageToken")
        if not token:
            return _Usage(day, kind, reports, list(warnings.values()))


def latest_available(session: GoogleSession, today: dt.date | None = None) -> dt.date:
    """The newest Pacific date with usage data, from Google's answer for "today" (stepping back
    a day at a time while Google refuses without naming the date)."""
    day = today or dt.datetime.now(PACIFIC).date()
    for _ in range(LATEST_STEPS):
        request = session.service("reports").customerUsageReports().get(date=day.isoformat())
        try:
            session.execute(request, what="the newest report date")
        except GoogleApiError as exc:
            later = _later_than(exc)
            if later is not None:
                return later
            if not _too_late(exc):
                raise
            day -= dt.timedelta(days=1)
            continue
        return day
    raise UserError(f"Google has no usage report for the last {LATEST_STEPS} days (it answers "
                    "\"End date greater than LastReportedDate\"); try again tomorrow / 최근 "
                    f"{LATEST_STEPS}일의 사용 보고서가 아직 없습니다. 내일 다시 실행하세요")


# -- directory -----------------------------------------------------------------------------------

def _read_directory(session: GoogleSession, customer: str) -> dict[str, list[dict[str, Any]]]:
    # the five lists (and the shared drives) are independent: asked for side by side, each on
    # its worker thread's own service
    def listing(what: str) -> list[dict[str, Any]]:
        d = session.service("directory")
        if what == "users":
            return session.list_all(d.users().list, "users", what="users", customer=customer,
                                    maxResults=500, orderBy="email")
        if what == "roles":
            return session.list_all(d.roles().list, "items", what="admin roles",
                                    customer=customer)
        if what == "assignments":
            return session.list_all(d.roleAssignments().list, "items",
                                    what="role assignments", customer=customer)
        if what == "units":
            return session.list_all(d.orgunits().list, "organizationUnits", what="org units",
                                    customerId=customer, type="all")
        if what == "groups":
            return session.list_all(d.groups().list, "groups", what="groups",
                                    customer=customer, maxResults=200)
        # every shared drive of the organisation, not only the calling admin's
        return session.list_all(session.service("drive").drives().list, "drives",
                                what="shared drives", useDomainAdminAccess=True, pageSize=100,
                                fields=DRIVE_FIELDS)

    users, roles, assignments, units, groups, drives = session.map(
        listing, ("users", "roles", "assignments", "units", "groups", "drives"))

    def members(group: dict[str, Any]) -> list[dict[str, Any]]:
        svc = session.service("directory")
        return session.list_all(svc.members().list, "members", what=group["email"],
                                groupKey=group["id"], maxResults=200)

    def settings(group: dict[str, Any]) -> dict[str, Any]:
        svc = session.service("groupssettings")
        doc = session.execute(svc.groups().get(groupUniqueId=group["email"],
                                               fields=",".join(GROUP_SETTINGS_KEPT)),
                              what=group["email"]) or {}
        return {k: doc[k] for k in GROUP_SETTINGS_KEPT if k in doc}


    def drive_members(drive: dict[str, Any]) -> list[dict[str, Any]]:
        svc = session.service("drive")
        return session.list_all(svc.permissions().list, "permissions", what=drive["id"],
                                fileId=drive["id"], supportsAllDrives=True,
                                useDomainAdminAccess=True, pageSize=100,
                                fields=DRIVE_MEMBER_FIELDS)

    role_names = {str(r["roleId"]): r.get("roleName", "") for r in roles}
    by_user: dict[str, list[str]] = {}
    for a in assignments:
        by_user.setdefault(str(a.get("assignedTo")), []).append(
            role_names.get(str(a.get("roleId")), str(a.get("roleId"))))
    people = [{
        "user_id": u["id"], "email": u["primaryEmail"].lower(),
        "org_unit_path": u.get("orgUnitPath", "/"), "is_admin": bool(u.get("isAdmin")),
        "is_delegated_admin": bool(u.get("isDelegatedAdmin")),
        "admin_roles": sorted(by_user.get(u["id"], [])),
        "suspended": bool(u.get("suspended")), "archived": bool(u.get("archived")),
        "is_enrolled_2sv": bool(u.get("isEnrolledIn2Sv")),
        "is_enforced_2sv": bool(u.get("isEnforcedIn2Sv")),
        "has_recovery_email": bool(u.get("recoveryEmail")),
        "has_recovery_phone": bool(u.get("recoveryPhone")),
        "created_at": u.get("creationTime"), "last_login_at": u.get("lastLoginTime"),
    } for u in users]
    org_units = [{
        "org_unit_id": o.get("orgUnitId", o["orgUnitPath"]), "path": o["orgUnitPath"],
        "name": o.get("name", ""), "parent_path": o.get("parentOrgUnitPath"),
    } for o in units]
    group_rows = [{
        "group_id": g["id"], "email": g["email"].lower(), "name": g.get("name", ""),
        "direct_members_count": int(g.get("directMembersCount") or 0),
    } for g in groups]
    member_rows = []
    for group, listed in zip(groups, session.map(members, groups), strict=True):
        for mem in listed:
            member_rows.append({
                "group_id": group["id"], "member_key": mem.get("id") or mem.get("email", ""),
                "email": (mem.get("email") or "").lower() or None,
                "role": mem.get("role", "MEMBER"), "type": mem.get("type", "USER"),
                "status": mem.get("status")})
    settings_rows = [{"group_id": g["id"], "email": g["email"].lower(), "settings": found}
                     for g, found in zip(groups, session.map(settings, groups), strict=True)]
    drive_rows = []
    for drive, listed in zip(drives, session.map(drive_members, drives), strict=True):
        # who may reach the drive's files; the files themselves (and their names) are not read
        summary = sorted(({"type": p.get("type", ""), "role": p.get("role", ""),
                           **({"domain": p["domain"].lower()} if p.get("domain") else {}),
                           **({"email": p["emailAddress"].lower()}
                              if p.get("emailAddress") else {})}
                          for p in listed if not p.get("deleted")),
                         key=lambda p: json.dumps(p, sort_keys=True))
        drive_rows.append({
            "drive_id": drive["id"], "name": drive.get("name", ""),
            "restrictions": drive.get("restrictions") or {},
            "organizers": sum(1 for p in summary if p["role"] == "organizer"),
            "permissions": summary})
    return {"people": people, "org_units": org_units, "groups": group_rows,
            "group_members": member_rows, "group_settings": settings_rows,
            "shared_drives": drive_rows}


def _digest(directory: dict[str, list[dict[str, Any]]]) -> str:
    """Every part of the snapshot, group settings and shared drives included, so a changed
    setting or drive member makes a new snapshot."""
    canonical_json = json.dumps(
        {k: sorted(json.dumps(r, sort_keys=True, default=str) for r in v)
         for k, v in directory.items()}, sort_keys=True)
    return hashlib.sha256(canonical_json.encode()).hexdigest()


def _store_directory(conn: sa.Connection, client_id: int,
                     directory: dict[str, list[dict[str, Any]]], now: dt.datetime
                     ) -> tuple[int, bool]:
    digest = _digest(directory)
    latest = conn.execute(
        sa.select(m.DirectorySnapshot.id, m.DirectorySnapshot.digest)
        .where(m.DirectorySnapshot.client_id == client_id)
        .order_by(m.DirectorySnapshot.id.desc()).limit(1)).first()
    if latest is not None and latest.digest == digest:
        return latest.id, False
    snapshot_id = conn.execute(sa.insert(m.DirectorySnapshot).values(
        client_id=client_id, taken_at=now, digest=digest).returning(m.DirectorySnapshot.id)
    ).scalar_one()
    for person in directory["people"]:
        person["created_at"] = stamp(person["created_at"])
        person["last_login_at"] = stamp(person["last_login_at"])
    for table, rows in (("people", m.Person), ("org_units", m.OrgUnit), ("groups", m.Group),
                        ("group_members", m.GroupMember), ("group_settings", m.GroupSettings),
                        ("shared_drives", m.SharedDrive)):
        if directory.get(table):
            conn.execute(sa.insert(rows), [{"snapshot_id": snapshot_id, **r}
                                           for r in directory[table]])
    return snapshot_id, True


# -- the collect ---------------------------------------------------------------------------------

def ensure_client(conn: sa.Connection, profile: ConnectionProfile, now: dt.datetime) -> int:
    """The client's row id, created or brought in step with its profile (the dashboard's "add a
    client" uses this too, so both write a client the same way)."""
    values = {"slug": profile.name, "domain": profile.domain,
              "display_name": profile.display_name,
              "per_person_insights": profile.per_person_insights,
              "min_group_size": profile.min_group_size,
              "share_name_in_reports": profile.share_name_in_reports,
              # absolute: a nightly `--all` may run from another folder
              "profile_path": str(profile.source.resolve()) if profile.source else None,
              "created_at": now}
    insert_new(conn, m.Client.__table__, [values], ["slug"])
    del values["created_at"]
    conn.execute(sa.update(m.Client).where(m.Client.slug == profile.name).values(**values))
    return conn.execute(sa.select(m.Client.id).where(m.Client.slug == profile.name)).scalar_one()


def _counts(conn: sa.Connection, client_id: int) -> dict[str, int]:
    snap = sa.select(m.DirectorySnapshot.id).where(m.DirectorySnapshot.client_id == client_id)
    out = {}
    for name in TABLES:
        table = m.Base.metadata.tables[name]
        column = table.c.get("client_id")
        where = column == client_id if column is not None else table.c.snapshot_id.in_(snap)
        out[name] = conn.execute(sa.select(sa.func.count()).select_from(table).where(where)
                                 ).scalar_one()
    return out


def _window(latest: dt.date, days: int | None, since: dt.date | None) -> tuple[dt.date, dt.date]:
    if since is not None:
        return since, latest
    return latest - dt.timedelta(days=(days or DEFAULT_DAYS) - 1), latest


@contextmanager
def _progress(enabled: bool | Callable[..., None], total: int) -> Iterator[Any]:
    """`advance(n, description=..., total_more=...)`: thread-safe (rich's progress locks).
    `enabled` may be such a function already (a bar of `--all`'s, one per client)."""
    if callable(enabled):
        enabled(0, total_more=total)
        yield enabled
        return
    if not enabled:
        yield lambda n=1, **kw: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("collecting", total=total)
        advance = advancer(bar, task)
        yield advance


def collect(profile: ConnectionProfile, engine: Engine, *, days: int | None = None,
            since: dt.date | None = None, progress: bool | Callable[..., None] = False,
            session: GoogleSession | None = None, today: dt.date | None = None,
            concurrency: int | None = None) -> CollectReport:
    """Collect `days` dates (default 180) ending on the newest available date, or every date
    from `since`; see the module docstring for the algorithm. `today` (a Pacific date) is only
    for tests; it defaults to the real one. `concurrency`: calls in flight at once (default
    `DEFAULT_CONCURRENCY`, or the given session's)."""
    if days is not None and since is not None:
        raise UserError("give either --days or --since, not both")
    if days is not None and not 1 <= days <= 450:
        raise UserError("--days must be between 1 and 450 (Google keeps 450 days of reports)")
    if concurrency is not None and not 1 <= concurrency <= 100:
        raise UserError("--concurrency must be between 1 and 100")
    started = time.monotonic()
    upgrade(engine)
    session = session or GoogleSession(GoogleClients(profile, scopes.AUDIT),
                                       concurrency=concurrency or DEFAULT_CONCURRENCY)
    workers = concurrency or session.concurrency
    writer: Writer | None = None
    before_calls = {k: v.calls for k, v in session.counters.snapshot().items()}
    consent = profile.per_person_insights
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        client_id = ensure_client(conn, profile, now)
        before = _counts(conn, client_id)
        run_id = conn.execute(sa.insert(m.AuditRun).values(
            client_id=client_id, kind="collect", started_at=now, status="running",
            details={}).returning(m.AuditRun.id)).scalar_one()
    report = CollectReport(profile.name, run_id, None, None)
    snapshot_id: int | None = None
    try:
        # the newest report date is asked for while the directory is read
        with ThreadPoolExecutor(max_workers=1) as aside:
            newest = aside.submit(latest_available, session, today)
            try:
                directory = _read_directory(session, profile.customer)
            finally:
                newest_error = newest.exception()
        if newest_error is not None:
            raise newest_error
        with engine.begin() as conn:
            snapshot_id, report.new_snapshot = _store_directory(conn, client_id, directory, now)
        # team counts of each fetched date are made with the directory just read
        teams = build_scopes(directory["people"], directory["groups"],
                             directory["group_members"], profile.min_group_size)
        latest = newest.result()
        report.latest_available = latest
        first, last = _window(latest, days, since)
        report.window = (first, last)
        with engine.connect() as conn:
            state = {(r.kind, r.date): r.partial for r in conn.execute(
                sa.select(m.CollectState.kind, m.CollectState.date, m.CollectState.partial)
                .where(m.CollectState.client_id == client_id,
                       m.CollectState.kind.in_((USER_USAGE, CUSTOMER_USAGE)),
                       m.CollectState.date.between(first, last)))}
        # new dates, and partial ones while Google may still complete them
        fresh_from = latest - dt.timedelta(days=PARTIAL_REFETCH_DAYS)
        todo = [(kind, day) for day in (first + dt.timedelta(days=i)
                                        for i in range((last - first).days + 1))
                for kind in (USER_USAGE, CUSTOMER_USAGE)
                if (kind, day) not in state or (state[(kind, day)] and day > fresh_from)]
        report.dates_left_partial = sorted({day for (kind, day), partial in state.items()
                                            if partial and day <= fresh_from})
        with _progress(progress, len(todo) + len(ACTIVITY_APPS)) as advance:
            def usage(kind: str, day: dt.date) -> None:
                result = _fetch_usage(session, kind, day)
                sink.write(lambda conn: _store_usage(conn, client_id, result, consent, state,
                                                     report, now, latest, teams))
                advance(1, description=f"usage {day}")

            writer = sink = Writer(engine)
            # the activity listings first: their slices are the longest chains of calls
            activities = ActivityCollector(session, sink, client_id, first, report, now,
                                           advance)
            jobs: list[Job] = [*activities.jobs(),
                               *(functools.partial(usage, *job) for job in todo)]
            try:
                with gc_paused():
                    run_jobs(jobs, workers)
            finally:
                sink.close()  # what was fetched is stored, even when a job failed
        status = "ok"
    except BaseException:
        status = "failed"
        raise
    finally:
        after_calls = session.counters.snapshot()
        report.store_seconds = writer.seconds if writer else 0.0
        report.calls = {k: v.calls - before_calls.get(k, 0) for k, v in after_calls.items()
                        if v.calls - before_calls.get(k, 0)}
        with engine.begin() as conn:
            after = _counts(conn, client_id)
            report.rows_added = {k: after[k] - before[k] for k in TABLES}
            report.seconds = time.monotonic() - started
            conn.execute(sa.update(m.AuditRun).where(m.AuditRun.id == run_id).values(
                finished_at=dt.datetime.now(dt.UTC), status=status,
                first_date=report.window[0] if report.window else None,
                last_date=report.window[1] if report.window else None,
                snapshot_id=snapshot_id if status == "ok" else None,
                api_calls=report.total_calls, rows_added=report.total_rows,
                details={"calls": report.calls, "rows_added": report.rows_added,
                         "dates_fetched": [d.isoformat() for d in report.dates_fetched],
                         "dates_partial": [d.isoformat() for d in report.dates_partial]}))
    report.dates_fetched = sorted(set(report.dates_fetched))
    report.dates_refetched = sorted(set(report.dates_refetched))
    report.dates_partial = sorted(set(report.dates_partial))
    report.dates_unavailable = sorted(set(report.dates_unavailable))
    return report


def _store_usage(conn: sa.Connection, client_id: int, result: _Usage, consent: bool,
                 state: dict[tuple[str, dt.date], bool], report: CollectReport,
                 now: dt.datetime, latest: dt.date, teams: Scopes | None = None) -> None:
    if result.unavailable:
        report.dates_unavailable.append(result.day)
        return
    report.dates_fetched.append(result.day)
    if (result.kind, result.day) in state:
        report.dates_refetched.append(result.day)
    # "not available" for one of the newest dates may mean "not yet": ask again next time
    partial = "PARTIAL_DATA_AVAILABLE" in result.codes or (
        "DATA_NOT_AVAILABLE" in result.codes and result.day > latest - RECENT)
    if partial:
        report.dates_partial.append(result.day)
    rows = usage_rows(result.reports, client_id, result.day, consent=consent)
    upsert(conn, m.UsageValue.__table__, rows,
           ["client_id", "date", "entity_type", "entity_key", "parameter"])
    if result.kind == USER_USAGE and teams is not None:
        # counts per team from the report in memory: kept whatever the consent (see teams.py)
        replace_team_rows(conn, client_id, [result.day], USAGE_IDS,
                          usage_team_rows(teams, client_id, result.day, result.reports))
    fetches = 1 + int((result.kind, result.day) in state)
    upsert(conn, m.CollectState.__table__, [{
        "client_id": client_id, "kind": result.kind, "date": result.day, "partial": partial,
        "fetched_at": now, "fetches": fetches, "watermark": None,
        "warnings": result.warnings}], ["client_id", "kind", "date"])
