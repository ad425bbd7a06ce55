"""Apply a plan: exactly its changes, phase by phase, resumably.

Before anything is sent the tenant is read again and each change's slice of state is compared
with the digest the plan recorded; a difference that no earlier run of this plan explains means
someone changed the tenant since the plan was reviewed, and apply refuses. Then each phase runs
through `GoogleSession` (batches for memberships and permissions, concurrent single inserts for
users), with every step journaled before and after. A change the tenant already satisfies is
skipped, which is what makes a killed apply safe to run again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workspace_coach.errors import UserError
from workspace_coach.google.calls import Call, CallResult
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.drives import find_shared_drive
from workspace_coach.google.retry import GoogleApiError
from workspace_coach.google.session import GoogleSession
from workspace_coach.provision.changes import LEAVER_KINDS, PHASE_TITLES, PHASES, Change
from workspace_coach.provision.journal import Journal
from workspace_coach.provision.leavers import transfer_body
from workspace_coach.provision.passwords import (
    Credential,
    CredentialStore,
    generate_password,
    results_csv,
    sha512_crypt,
)
from workspace_coach.provision.plan import Plan, current_view, relevant_digest, satisfied
from workspace_coach.provision.state import TenantState, read_state

LOG = logging.getLogger(__name__)


MISSING_DRIVE = ("shared drive {name!r} was made by an earlier try but cannot be found now "
                 "(deleted, or not listed yet); run apply again in a minute · 이전 시도에서 만든 "
                 "공유 드라이브를 찾을 수 없습니다. 잠시 후 다시 실행하세요")


class UnsafePlan(UserError):
    """The plan goes over a safety limit and --force was not given."""


class StalePlan(UserError):
    """The tenant changed since the plan was made, in ways that touch the plan."""


@dataclass
class ApplyResult:
    rows: list[list[str]] = field(default_factory=list)
    created_users: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[list[str]]:
        return [r for r in self.rows if r[3] == "failed"]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.rows:
            out[row[3]] = out.get(row[3], 0) + 1
        return out

    def csv(self) -> str:
        return results_csv([["phase", "action", "object", "status", "detail"], *self.rows])


def journal_path(profile: ConnectionProfile) -> Path:
    """`<profile dir>/provision-journal.sqlite3`."""
    base = profile.source.parent if profile.source else Path.cwd()
    return base / "provision-journal.sqlite3"


def credentials_path(profile: ConnectionProfile) -> Path:
    base = profile.source.parent if profile.source else Path.cwd()
    return base / "provision-credentials.csv"


def managed_names(plan: Plan | list[Change]) -> tuple[set[str], set[str]]:
    """Groups and drives a plan (or some changes) touch, to read their members, settings and
    permissions."""
    groups: set[str] = set()
    drives: set[str] = set()
    for change in plan.changes if isinstance(plan, Plan) else plan:
        if change.kind in ("group", "group_settings"):
            groups.add(change.key)
        elif change.kind == "member":
            groups.add(change.key.partition(" ")[0])
        elif change.kind == "drive":
            drives.add(change.key)
        elif change.kind == "drive_permission":
            drives.add(change.key.rpartition(" ")[0])
    return groups, drives


def leaver_names(changes: list[Change]) -> set[str]:
    """Addresses whose transfers and tokens a plan's steps depend on."""
    return {c.key.partition(" ")[0] for c in changes if c.kind in LEAVER_KINDS}


def _parents(change: Change) -> list[str]:
    if change.kind == "group_settings":
        return [f"group|{change.key}"]
    if change.kind == "member":
        group, _, email = change.key.partition(" ")
        return [f"group|{group}", f"user|{email}"]
    if change.kind == "drive_permission":
        return [f"drive|{change.key.rpartition(' ')[0]}"]
    if change.kind == "user":
        return [f"org_unit|{change.after.get('orgUnitPath', '')}"]
    return []


def check_fresh(plan: Plan, state: TenantState, journal: Journal, plan_id: str) -> None:
    """Refuse when the tenant moved under the plan (earlier runs of this plan excepted)."""
    touched = journal.touched(plan_id)
    stale: list[str] = []
    for change in plan.changes:
        if relevant_digest(state, change) == plan.state_digests.get(change.ident):
            continue
        if change.ident in touched or any(p in touched for p in _parents(change)):
            continue
        if satisfied(state, change):
            continue
        stale.append(f"{change.action} {change.kind} {change.key}")
    if stale:
        more = f" (and {len(stale) - 10} more)" if len(stale) > 10 else ""
        raise StalePlan("the tenant changed since this plan was made; these changes no longer "
                        "match it:\n  " + "\n  ".join(stale[:10]) + more
                        + "\nMake a new plan and review it.")


def already_so(change: Change) -> tuple[tuple[int, str], ...]:
    """Google answers that mean the tenant already is as `change` wants: a duplicate for a
    create, a missing object for a removal. Never 404 for an add or an update: that means the
    group or drive is not there (or not ready) yet, and the change did not happen."""
    if change.action == "create":
        return ((409, "duplicate"),)
    if change.action == "remove":
        return ((404, "notFound"),)
    return ()


#: Shared-drive fields apply compares (restrictions) and needs (id).
DRIVE_FIELDS = "id,name,createdTime,restrictions"
READ_BACK = "confirmed by reading back"


def _user_body(view: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in view.items() if k != "suspended"}
    if "organizations" in body:
        body["organizations"] = [{**o, "primary": True} for o in body["organizations"]]
    return body


class Applier:
    """Runs one plan against one tenant."""

    def __init__(self, session: GoogleSession, plan: Plan, profile: ConnectionProfile, *,
                 journal: Journal, credentials: CredentialStore,
                 roster_passwords: dict[str, str] | None = None,
                 console: Console | None = None, allow_delete: bool = False) -> None:
        self.session = session
        self.plan = plan
        self.plan_id = plan.checksum  # computed once: hashing a big plan per step is costly
        self.profile = profile
        self.journal = journal
        self.credentials = credentials
        self.roster_passwords = roster_passwords or {}
        self.console = console or Console(stderr=True)
        self.allow_delete = allow_delete
        self.result = ApplyResult()
        self.drive_ids: dict[str, str] = {}
        self.fresh: set[str] = set()
        self.state = TenantState()
        self._lock = threading.Lock()
        self._failed: list[tuple[int, Change]] = []  # this phase's failed rows, to read back
        self.sleep: Callable[[float], None] = time.sleep  # between polls of a data transfer
        self.transfer_timeout = 600.0  # seconds to wait for one transfer before moving on
        self._voided: dict[str, Credential] = {}  # passwords of user inserts reported failed

    # -- bookkeeping ------------------------------------------------------------------------

    def _row(self, change: Change, status: str, detail: str = "") -> None:
        with self._lock:
            self.result.rows.append([change.phase, change.action, change.key, status, detail])
            if status == "failed":
                self._failed.append((len(self.result.rows) - 1, change))
        if status in ("done", "failed"):
            self.journal.record(self.plan_id, change.ident, change.action, status, detail)

    def _start(self, change: Change) -> None:
        self.journal.record(self.plan_id, change.ident, change.action, "started")

    def _is_fresh(self, *idents: str) -> bool:
        return any(i in self.fresh for i in idents)

    # -- the run ----------------------------------------------------------------------------

    def run(self, *, force: bool = False, state: TenantState | None = None) -> ApplyResult:
        if self.plan.unsafe and not force:
            raise UnsafePlan("the plan is unsafe: " + "; ".join(self.plan.unsafe)
                             + ". Review it, then apply with --force.")
        if any(c.action == "remove" and c.kind == "user" for c in self.plan.changes) \
                and not self.allow_delete:
            raise UnsafePlan("the plan deletes users; apply with --allow-delete to do that")
        groups, drives = managed_names(self.plan)
        self.state = state or read_state(self.session, customer=self.profile.customer,
                                         managed_groups=groups, managed_drives=drives,
                                         leavers=leaver_names(self.plan.changes))
        check_fresh(self.plan, self.state, self.journal, self.plan_id)
        done = self.journal.done(self.plan_id)
        self.fresh = self.journal.recently_created() | {
            c.ident for c in self.plan.changes if c.action == "create"}
        phases = self.plan.by_phase()
        columns = (TextColumn("{task.description:<26}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=False,
                      disable=not self.console.is_terminal) as progress:
            for phase in PHASES:
                changes = phases.get(phase, [])
                if not changes:
                    continue
                task = progress.add_task(PHASE_TITLES[phase], total=len(changes))
                todo = []
                for change in changes:
                    # A sign-out leaves nothing to read back: the journal says it was done.
                    if satisfied(self.state, change) or (
                            change.kind == "signout" and change.ident in done):
                        self._row(change, "skipped", "already so")
                        progress.advance(task)
                    else:
                        todo.append(change)
                self._failed = []
                self._runners()[phase](todo, partial(progress.advance, task))
                if self._failed:
                    self._read_back(self._failed)
        return self.result

    def _runners(self) -> dict[str, Callable[[list[Change], Callable], None]]:
        """Which method runs each phase (every phase in PHASES has one)."""
        return {"org_unit": self._phase_org_unit, "user": self._phase_user,
                "group": self._phase_group, "group_settings": self._phase_group_settings,
                "transfer": self._phase_transfer, "member": self._phase_member,
                "drive": self._phase_drive, "drive_permission": self._phase_drive_permission,
                "signout": self._phase_signout, "token": self._phase_token,
                "suspension": self._phase_suspension}

    def _read_back(self, failed: list[tuple[int, Change]]) -> None:
        """Mark done the failed steps the tenant shows happened after all.

        A call whose answer was lost (a dropped connection, retries used up) may well have been
        carried out; the results must not call it failed. The tenant is read again (list calls
        only) and each failed change is judged as the next plan would judge it."""
        changes = [change for _, change in failed]
        groups, drives = managed_names(changes)
        state = None
        for _ in range(3):  # the read meets the same faults the steps met: more goes
            try:
                state = read_state(self.session, customer=self.profile.customer,
                                   managed_groups=groups, managed_drives=drives,
                                   leavers=leaver_names(changes))
                break
            except GoogleApiError as exc:
                LOG.warning("could not read back %d failed step(s): %s", len(failed), exc)
        if state is None:
            return
        for name in drives:
            drive = state.drive(name)
            if drive is not None:
                self.drive_ids.setdefault(name, drive["id"])
        confirmed = 0
        for index, change in failed:
            if not satisfied(state, change):
                continue
            confirmed += 1
            self.result.rows[index][3:5] = ["done", READ_BACK]
            self.journal.record(self.plan_id, change.ident, change.action, "done", READ_BACK)
            cred = self._voided.pop(change.key, None)
            if change.kind == "user" and change.action == "create" and cred is not None:
                self.credentials.add(cred)  # the insert carrying this password did happen
                self.result.created_users.append(change.key)
        if confirmed:
            LOG.info("%d of %d failed step(s) had happened after all", confirmed, len(failed))

    def _finish(self, change: Change, error: GoogleApiError | None, ok_statuses: tuple = (),
                detail: str = "") -> bool:
        if error is None or (error.status, error.reason) in ok_statuses:
            self._row(change, "done", detail or ("already so" if error else ""))
            return True
        self._row(change, "failed", str(error))
        return False

    def _single(self, change: Change, send: Callable[[], Any], ok: tuple = ()) -> Any:
        self._start(change)
        try:
            response = send()
        except GoogleApiError as exc:
            self._finish(change, exc, ok)
            return None
        self._finish(change, None)
        return response

    def _batch(self, api: str, items: list[tuple[Change, Any, bool]], advance: Callable) -> None:
        for change, _, _ in items:
            self._start(change)
        calls = [Call(c.key, request, fresh) for c, request, fresh in items]
        results: list[CallResult] = self.session.batch(api, calls) if calls else []
        for (change, _, _), result in zip(items, results, strict=True):
            self._finish(change, result.error, already_so(change))
            advance()

    # -- phases -----------------------------------------------------------------------------

    def _phase_org_unit(self, changes: list[Change], advance: Callable) -> None:
        directory_key = self.profile.customer
        by_depth: dict[int, list[Change]] = {}
        for change in changes:
            by_depth.setdefault(change.key.count("/"), []).append(change)

        def one(change: Change) -> None:
            api = self.session.service("directory").orgunits()
            if change.action == "create":
                body = {"name": change.meta["name"], "parentOrgUnitPath": change.meta["parent"],
                        **change.after}
                self._start(change)
                try:
                    self.session.execute(api.insert(customerId=directory_key, body=body),
                                         what=change.key)
                except GoogleApiError as exc:
                    self._finish(change, None if self._unit_exists(exc, change.key) else exc,
                                 detail="already so")
                else:
                    self._finish(change, None)
            else:
                self._single(change, lambda: self.session.execute(
                    api.patch(customerId=directory_key, orgUnitPath=change.key.lstrip("/"),
                              body=change.after), what=change.key))
            advance()

        for depth in sorted(by_depth):
            self.session.map(one, by_depth[depth])

    def _unit_exists(self, error: GoogleApiError, path: str) -> bool:
        """Whether an org unit insert failed because the unit is already there: Google answers
        400 "Invalid Ou Id" for an existing path (and for some bad names, so it is checked)."""
        if not (error.status == 400 and "invalid ou id" in error.failure.message.lower()) \
                and error.status != 409:
            return False
        api = self.session.service("directory").orgunits()
        try:
            self.session.execute(api.get(customerId=self.profile.customer,
                                         orgUnitPath=path.lstrip("/")), what=path)
        except GoogleApiError:
            return False
        return True

    def _phase_user(self, changes: list[Change], advance: Callable) -> None:
        def one(change: Change) -> None:
            users = self.session.service("directory").users()
            if change.action == "create":
                password = self.roster_passwords.get(change.key) or generate_password()
                cred = Credential(change.key, change.meta.get("name", ""),
                                  change.meta.get("english_name", ""), password)
                self.credentials.add(cred)  # before the insert: a kill cannot lose it
                body = {**_user_body(change.after), "password": sha512_crypt(password),
                        "hashFunction": "crypt", "changePasswordAtNextLogin": True}
                del password
                self._start(change)
                try:
                    self.session.execute(users.insert(body=body), what=change.key)
                except GoogleApiError as exc:
                    if exc.status == 409 and exc.tries > 1:
                        # An earlier try of this very insert reached Google before its answer
                        # was lost: the user exists with this password.
                        self.result.created_users.append(change.key)
                        self._finish(change, None, detail="created (answer lost, retried)")
                    else:
                        self.credentials.void(cred)
                        if not self._finish(change, exc, ((409, "duplicate"),)):
                            self._voided[change.key] = cred  # restored if reading back finds
                else:
                    self.result.created_users.append(change.key)
                    self._finish(change, None)
            else:
                body = _user_body(change.after)
                if change.after.get("suspended") is False:  # a returner: no longer in grace
                    self.journal.forget_leaver(self.profile.domain, change.key)
                    body["suspended"] = False
                self._single(change, lambda: self.session.execute(
                    users.patch(userKey=change.key, body=body), what=change.key))
            advance()

        self.session.map(one, changes)

    def _phase_group(self, changes: list[Change], advance: Callable) -> None:
        groups = self.session.service("directory").groups()
        items = []
        for change in changes:
            if change.action == "create":
                request = groups.insert(body={"email": change.key, **change.after})
            else:
                request = groups.patch(groupKey=change.key, body=change.after)
            items.append((change, request, False))
        self._batch("directory", items, advance)

    def _phase_group_settings(self, changes: list[Change], advance: Callable) -> None:
        def one(change: Change) -> None:
            api = self.session.service("groupssettings").groups()
            fresh = self._is_fresh(f"group|{change.key}")
            self._single(change, lambda: self.session.execute(
                api.patch(groupUniqueId=change.key, body=change.after), what=change.key,
                fresh=fresh))
            advance()

        self.session.map(one, changes)

    def _phase_member(self, changes: list[Change], advance: Callable) -> None:
        members = self.session.service("directory").members()
        items = []
        for change in changes:
            group, _, email = change.key.partition(" ")
            fresh = self._is_fresh(f"group|{group}", f"user|{email}")
            if change.action == "create":
                request = members.insert(groupKey=group, body={"email": email, **change.after})
            elif change.action == "update":
                request = members.patch(groupKey=group, memberKey=email, body=change.after)
            else:
                request = members.delete(groupKey=group, memberKey=email)
            items.append((change, request, fresh))
        self._batch("directory", items, advance)

    def _phase_drive(self, changes: list[Change], advance: Callable) -> None:
        def one(change: Change) -> None:
            drives = self.session.service("drive").drives()
            self._start(change)
            try:
                drive = self.state.drive(change.key) or self._create_drive(change.key)
                if drive is None:
                    self._row(change, "failed", MISSING_DRIVE.format(name=change.key))
                    advance()
                    return
                self.drive_ids[change.key] = drive["id"]
                have = drive.get("restrictions") or {}
                restrictions = {k: v for k, v in (change.after.get("restrictions") or {}
                                                  ).items() if have.get(k) != v}
                if restrictions:
                    self.session.execute(
                        drives.update(driveId=drive["id"], useDomainAdminAccess=True,
                                      body={"restrictions": restrictions}),
                        what=change.key, fresh=True)
            except GoogleApiError as exc:
                self._finish(change, exc)
            else:
                self._finish(change, None)
            advance()

        self.session.map(one, changes)

    def _create_drive(self, name: str) -> dict[str, Any] | None:
        """The drive this create made, or the one an earlier try of it made; None when Google
        says the request was used but no drive of that name can be found."""
        drives = self.session.service("drive").drives()
        tenant = self.profile.domain
        request_id = self.journal.drive_request_id(tenant, name)
        try:
            return dict(self.session.execute(
                drives.create(requestId=request_id, body={"name": name}, fields=DRIVE_FIELDS),
                what=name))
        except GoogleApiError as exc:
            if exc.status != 409:
                raise
        # Google answers 409 once a requestId has made a drive, even to a retry of the very
        # call that made it (its answer lost): find that drive, whoever's it is now. Never a
        # new requestId here: if the list does not show the drive yet, a second would be made.
        found = find_shared_drive(self.session, name, admin=True)
        if found is None:
            # Deleted since, or not listed yet: the next run may create it afresh.
            self.journal.drive_request_id(tenant, name, renew=True)
        return found

    def _drive_id(self, name: str) -> str | None:
        if name in self.drive_ids:
            return self.drive_ids[name]
        drive = self.state.drive(name)
        return drive["id"] if drive else None

    def _phase_drive_permission(self, changes: list[Change], advance: Callable) -> None:
        permissions = self.session.service("drive").permissions()
        items = []
        for change in changes:
            name, _, target = change.key.rpartition(" ")
            drive_id = self._drive_id(name)
            if drive_id is None:
                self._row(change, "failed", f"shared drive {name!r} does not exist")
                advance()
                continue
            fresh = self._is_fresh(f"drive|{name}")
            common = {"fileId": drive_id, "supportsAllDrives": True,
                      "useDomainAdminAccess": True}
            if change.action == "create":
                kind, _, address = target.partition(":")
                body: dict[str, Any] = {"type": kind, "role": change.after["role"]}
                body["domain" if kind == "domain" else "emailAddress"] = address
                # Google refuses sendNotificationEmail (even false) for domain and anyone.
                quiet = {"sendNotificationEmail": False} if kind in ("user", "group") else {}
                request = permissions.create(**common, body=body, **quiet)
            else:
                view = current_view(self.state, change.kind, change.key) or {}
                if not view.get("id"):
                    self._row(change, "failed", "permission not found")
                    advance()
                    continue
                if change.action == "update":
                    request = permissions.update(**common, permissionId=view["id"],
                                                 body=change.after)
                else:
                    request = permissions.delete(**common, permissionId=view["id"])
            items.append((change, request, fresh))
        self._batch("drive", items, advance)

    def _phase_transfer(self, changes: list[Change], advance: Callable) -> None:
        def one(change: Change) -> None:
            self._start(change)
            try:
                transfer = self._transfer(change)
            except GoogleApiError as exc:
                self._finish(change, exc)
                advance()
                return
            status = transfer.get("overallTransferStatusCode")
            if status == "completed":
                self._finish(change, None, detail=f"to {change.after['successor']}")
            elif status == "failed":
                self._row(change, "failed", "Google reports the data transfer failed; see the "
                          "Admin console · 데이터 이전이 실패했습니다")
            else:
                self._row(change, "failed", f"data transfer still {status} after "
                          f"{self.transfer_timeout:g}s; run apply again later to wait for it · "
                          "데이터 이전이 아직 진행 중입니다. 나중에 다시 실행하세요")
            advance()

        self.session.map(one, changes)

    def _transfer(self, change: Change) -> dict[str, Any]:
        """The leaver's running transfer (never a second one), else a new one; waited on."""
        api = self.session.service("datatransfer").transfers()
        running = [t for t in self.state.transfers.get(change.key, [])
                   if t.get("overallTransferStatusCode") in ("new", "inProgress")]
        if running:
            transfer = running[0]
        else:
            users = self.session.service("directory").users()
            old = self.state.users.get(change.key) or self.session.execute(
                users.get(userKey=change.key), what=change.key)
            successor = change.after["successor"]
            new = self.state.users.get(successor) or self.session.execute(
                users.get(userKey=successor), what=successor)
            body = transfer_body(old["id"], new["id"], bool(change.after.get("calendar", True)))
            transfer = self.session.execute(api.insert(body=body), what=change.key)
        waited, pause = 0.0, 1.0
        while transfer.get("overallTransferStatusCode") in ("new", "inProgress") \
                and waited < self.transfer_timeout:
            self.sleep(pause)
            waited += pause
            pause = min(pause * 2, 30.0)
            transfer = self.session.execute(api.get(dataTransferId=transfer["id"]),
                                            what=change.key)
        return transfer

    def _phase_signout(self, changes: list[Change], advance: Callable) -> None:
        def one(change: Change) -> None:
            users = self.session.service("directory").users()
            self._single(change, lambda: self.session.execute(
                users.signOut(userKey=change.key), what=change.key))
            advance()

        self.session.map(one, changes)

    def _phase_token(self, changes: list[Change], advance: Callable) -> None:
        tokens = self.session.service("directory").tokens()
        items = []
        for change in changes:
            email, _, client = change.key.partition(" ")
            items.append((change, tokens.delete(userKey=email, clientId=client), False))
        self._batch("directory", items, advance)

    def _phase_suspension(self, changes: list[Change], advance: Callable) -> None:
        def one(change: Change) -> None:
            users = self.session.service("directory").users()
            if change.action == "remove":
                request = users.delete(userKey=change.key)
            else:
                # Recorded first, so a kill after the patch still leaves the date and groups.
                groups = [g for g, members in self.state.members.items() if change.key in members]
                self.journal.record_leaver(self.profile.domain, change.key, groups)
                request = users.patch(userKey=change.key,
                                      body=change.after or {"suspended": True})
            self._single(change, lambda: self.session.execute(request, what=change.key),
                         ok=((404, "notFound"),) if change.action == "remove" else ())
            advance()

        self.session.map(one, changes)


def write_outputs(result: ApplyResult, out_dir: Path, credentials: CredentialStore,
                  domain: str) -> dict[str, Path]:
    """The results CSV and printable slips (0600) for every initial password in the credentials
    CSV, rebuilt whole on every run: a run killed after creating some people and its re-run
    creating the others leave one set of slips for all of them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"results": out_dir / "provision-results.csv"}
    paths["results"].write_text(result.csv(), encoding="utf-8-sig")
    everyone = list(credentials.read())
    if everyone:
        paths["slips"] = out_dir / "provision-slips.html"
        credentials.write_slips(paths["slips"], everyone, domain)
    return paths
