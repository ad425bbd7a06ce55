"""The diff between the tenant and what the spec and roster ask for, as typed changes.

Like octoDNS: each resource type diffs itself (`diffs.py`), yielding `Create`, `Update`
(field-level before -> after), `Suspend` and `Remove` (`changes.py`), which the plan keeps in a
fixed order of phases; safety limits mark a plan unsafe; the saved plan carries a checksum of
itself and of the state it was made from, so apply can prove it is applying what was reviewed,
to the tenant that was reviewed.

A plan never holds a password: a user `Create` only says where the password will come from.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workspace_coach.provision.changes import (
    LEAVER_KINDS,
    PHASES,
    Change,
    PlanFileError,
    in_phase_order,
)
from workspace_coach.provision.desired import (
    DesiredState,
    group_view,
    org_unit_view,
    user_view,
)
from workspace_coach.provision.diffs import DIFFERS, DiffContext
from workspace_coach.provision.spec import OrgSpec, Safety
from workspace_coach.provision.state import TenantState, digest, is_managed, permission_target

FORMAT = 1


@dataclass
class Plan:
    domain: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unsafe: list[str] = field(default_factory=list)
    unmanaged: dict[str, list[str]] = field(default_factory=dict)
    state_digests: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    created: str = ""

    @property
    def safe(self) -> bool:
        return not self.unsafe

    def by_phase(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {p: [] for p in PHASES}
        for change in self.changes:
            out[change.phase].append(change)
        return {p: c for p, c in out.items() if c}

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for change in self.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
        return counts

    @property
    def state_checksum(self) -> str:
        return digest(self.state_digests)

    def body(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "domain": self.domain,
            "created": self.created,
            "sources": self.sources,
            "changes": [c.to_dict() for c in self.changes],
            "warnings": self.warnings,
            "unsafe": self.unsafe,
            "unmanaged": self.unmanaged,
            "state_digests": self.state_digests,
            "state_checksum": self.state_checksum,
        }

    @property
    def checksum(self) -> str:
        return digest(self.body())

    def to_json(self) -> str:
        return json.dumps({**self.body(), "checksum": self.checksum}, ensure_ascii=False,
                          indent=1, sort_keys=True)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Plan:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PlanFileError(f"{path}: plan file not found") from None
        except (OSError, ValueError) as exc:
            raise PlanFileError(f"{path}: not a plan file ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PlanFileError(f"{path}: not a plan file of format {FORMAT}")
        plan = cls(domain=data["domain"], changes=[Change.from_dict(c) for c in data["changes"]],
                   warnings=data.get("warnings", []), unsafe=data.get("unsafe", []),
                   unmanaged=data.get("unmanaged", {}),
                   state_digests=data.get("state_digests", {}),
                   sources=data.get("sources", {}), created=data.get("created", ""))
        if plan.checksum != data.get("checksum") or plan.state_checksum != data.get(
                "state_checksum"):
            raise PlanFileError(f"{path}: the plan was edited after it was made (checksum "
                                "mismatch); make a new plan")
        return plan


# -- current views by identity, shared with apply ---------------------------------------------

def _split(key: str) -> tuple[str, str]:
    left, _, right = key.partition(" ")
    return left, right


def current_view(state: TenantState, kind: str, key: str) -> dict[str, Any] | None:
    """The current, comparable view of the object a change is about; None when absent."""
    if kind == "org_unit":
        unit = state.org_units.get(key)
        return None if unit is None else org_unit_view(unit)
    if kind == "user":
        user = state.users.get(key)
        return None if user is None else user_view(user)
    if kind == "group":
        group = state.groups.get(key)
        return None if group is None else group_view(group)
    if kind == "group_settings":
        if key not in state.groups:
            return None
        return dict(state.settings.get(key, {}))
    if kind == "member":
        group, email = _split(key)
        member = state.members.get(group, {}).get(email)
        return None if member is None else {"role": member.get("role", "MEMBER")}
    if kind == "drive":
        drive = state.drive(key)
        return None if drive is None else {"restrictions": drive.get("restrictions") or {}}
    if kind == "drive_permission":
        name, _, target = key.rpartition(" ")
        drive = state.drive(name)
        if drive is None:
            return None
        for perm in state.permissions.get(drive["id"], []):
            if permission_target(perm) == target:
                return {"role": perm.get("role"), "id": perm.get("id")}
        return None
    if kind == "transfer":
        status = state.transfer_status(key)
        return None if status is None else {"status": status}
    if kind == "signout":
        return None  # Google keeps no record a read could show; the journal says it was done
    if kind == "token":
        email, client = _split(key)
        found = any(t.get("clientId") == client for t in state.tokens.get(email, []))
        return {"clientId": client} if found else None
    raise ValueError(f"unknown kind {kind!r}")


def relevant_digest(state: TenantState, change: Change) -> str:
    """A hash of the part of the state one change depends on."""
    view = current_view(state, change.kind, change.key)
    if view is not None and change.kind == "group_settings":
        view = {k: view.get(k) for k in change.after}
    if view is not None and change.kind == "drive":
        view = {"restrictions": {k: view["restrictions"].get(k)
                                 for k in change.after.get("restrictions", {})}}
    if view is not None and change.kind == "drive_permission":
        view = {"role": view["role"]}
    return digest(view)[:16]


def satisfied(state: TenantState, change: Change) -> bool:
    """True when the state already has what the change wants (a resumed apply skips it)."""
    view = current_view(state, change.kind, change.key)
    if change.action == "remove":
        return view is None
    if view is None:
        return False
    if change.kind == "transfer":
        return view["status"] == "completed"
    if change.action == "suspend":
        return bool(view.get("suspended"))
    for name, value in change.after.items():
        if name == "restrictions":
            if any(view["restrictions"].get(k) != v for k, v in value.items()):
                return False
        elif view.get(name) != value:
            return False
    return True


# -- the diff ---------------------------------------------------------------------------------

def diff(state: TenantState, desired: DesiredState, spec: OrgSpec | None, *, domain: str,
         adopt: bool = False, allow_delete: bool = False,
         leaver_records: dict[str, dict[str, Any]] | None = None,
         now: dt.datetime | None = None) -> Plan:
    """Compare and produce the plan (changes in phase order, warnings, safety verdict): each
    resource type's diff (`diffs.DIFFERS`) in turn.

    `leaver_records` are the journal's suspensions (when, which groups), for the grace period
    before a deletion."""
    plan = Plan(domain=domain, created=dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"))
    ctx = DiffContext(state, desired, spec, now=now or dt.datetime.now(dt.UTC), adopt=adopt,
                      allow_delete=allow_delete, records=leaver_records or {},
                      warnings=list(desired.warnings))
    changes: list[Change] = []
    for differ in DIFFERS:
        changes += differ.run(ctx)
    plan.warnings, plan.unmanaged = ctx.warnings, ctx.unmanaged
    plan.changes = in_phase_order(changes)
    plan.state_digests = {c.ident: relevant_digest(state, c) for c in plan.changes}
    _check_safety(plan, spec.safety if spec else Safety(), _managed_active(state, desired),
                  sum(len(state.members.get(group, {})) for group in desired.members))
    return plan


def _managed_active(state: TenantState, desired: DesiredState) -> int:
    """Active users this tool manages: what the suspension and deletion limits count from."""
    return sum(1 for email, user in state.users.items()
               if email not in desired.protected and not user.get("isAdmin")
               and is_managed(user) and not user.get("suspended"))


def _check_safety(plan: Plan, safety: Safety, users: int, memberships: int) -> None:
    suspensions = sum(1 for c in plan.changes if c.action == "suspend")
    deletions = sum(1 for c in plan.changes if c.action == "remove" and c.kind == "user")
    removals = sum(1 for c in plan.changes if c.action == "remove" and c.kind == "member")
    for label, count, existing, limit in (
            ("suspensions", suspensions, users, safety.max_suspensions),
            ("deletions", deletions, users, safety.max_deletions),
            ("membership removals", removals, memberships, safety.max_membership_removals)):
        if count and limit.exceeded(count, existing, safety.min_existing):
            bound = []
            if limit.count is not None:
                bound.append(f"{limit.count}")
            if limit.percent is not None:
                bound.append(f"{limit.percent:g}% of {existing}")
            plan.unsafe.append(f"{count} {label} exceed the limit ({' or '.join(bound)})")


def make_plan(session: Any, *, domain: str, admin: str, customer: str, roster: Any,
              spec: OrgSpec | None, adopt: bool = False, allow_delete: bool = False,
              today: dt.date | None = None,
              leaver_records: dict[str, dict[str, Any]] | None = None,
              now: dt.datetime | None = None) -> tuple[Plan, TenantState]:
    """Read the tenant (list calls only), resolve the input against it and diff."""
    from workspace_coach.provision.desired import build_desired
    from workspace_coach.provision.state import read_leavers, read_state

    groups = [g.email for g in spec.groups] if spec else []
    drives = [d.name for d in spec.shared_drives] if spec else []
    state = read_state(session, customer=customer, managed_groups=groups, managed_drives=drives)
    desired, _ = build_desired(roster, spec, state, domain=spec.domain if spec else domain,
                               admin=admin, today=today)
    records = leaver_records or {}
    returning = [g for du in desired.users if du.current and not du.leaver
                 and (state.users.get(du.current) or {}).get("suspended")
                 for g in records.get(du.current, {}).get("groups", [])]
    read_leavers(session, state, leaver_candidates(state, desired, adopt=adopt), returning)
    plan = diff(state, desired, spec, domain=spec.domain if spec else domain, adopt=adopt,
                allow_delete=allow_delete, leaver_records=leaver_records, now=now)
    plan.sources = {"roster": str(getattr(roster, "source", "")),
                    "org": spec.source if spec else ""}
    return plan, state


def leaver_candidates(state: TenantState, desired: DesiredState, *, adopt: bool = False
                      ) -> list[str]:
    """Managed, unprotected users the roster lets go: their transfers and tokens are read."""
    wanted = {du.current for du in desired.users if du.current and not du.leaver}
    out = []
    for email, user in state.users.items():
        if email in desired.protected or user.get("isAdmin") or email in wanted:
            continue
        if is_managed(user) or adopt:
            out.append(email)
    return sorted(out)


def leaver_scopes(plan: Plan) -> tuple[str, ...]:
    """The extra scopes a plan's leaver steps need (named in the plan's output)."""
    from workspace_coach.google.scopes import LEAVER

    return LEAVER if any(c.kind in LEAVER_KINDS for c in plan.changes) else ()
