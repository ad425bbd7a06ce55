"""The diff between the tenant and what the spec and roster ask for, as typed changes.

Like octoDNS: identity (kind, key) is kept apart from content; a diff yields `Create`, `Update`
(field-level before -> after), `Suspend` and `Remove` in a fixed order of phases; safety limits
mark a plan unsafe; the saved plan carries a checksum of itself and of the state it was made
from, so apply can prove it is applying what was reviewed, to the tenant that was reviewed.

A plan never holds a password: a user `Create` only says where the password will come from.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from workspace_coach.errors import UserError
from workspace_coach.provision.desired import (
    DesiredState,
    group_view,
    org_unit_view,
    user_view,
)
from workspace_coach.provision.spec import OrgSpec, Safety
from workspace_coach.provision.state import TenantState, digest, is_managed, permission_target

FORMAT = 1
#: Phases in the order apply runs them.
PHASES: tuple[str, ...] = ("org_unit", "user", "group", "group_settings", "transfer", "member",
                           "drive", "drive_permission", "signout", "token", "suspension")
PHASE_TITLES = {"org_unit": "Org units", "user": "Users", "group": "Groups",
                "group_settings": "Group settings", "transfer": "Data transfers",
                "member": "Memberships", "drive": "Shared drives",
                "drive_permission": "Drive permissions", "signout": "Sign-outs",
                "token": "App token revocations", "suspension": "Suspensions and deletions"}
#: Kinds of the leaver steps (docs/provisioning.md, "Leavers"), keyed by the leaver's address.
LEAVER_KINDS = frozenset({"transfer", "signout", "token"})


@dataclass(frozen=True)
class Change:
    """One change to one object. `kind` and `key` are its identity; `after` the wanted view
    (only the fields this change sets); `before` the current values of those fields."""

    action: ClassVar[str] = "change"
    kind: str
    key: str
    after: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def phase(self) -> str:
        if self.kind == "user" and self.action in ("suspend", "remove"):
            return "suspension"
        return self.kind

    @property
    def ident(self) -> str:
        return f"{self.kind}|{self.key}"

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, **asdict(self)}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Change:
        cls = ACTIONS.get(data.get("action", ""))
        if cls is None:
            raise PlanFileError(f"unknown action {data.get('action')!r}")
        return cls(kind=data["kind"], key=data["key"], after=data.get("after") or {},
                   before=data.get("before") or {}, meta=data.get("meta") or {})


@dataclass(frozen=True)
class Create(Change):
    action: ClassVar[str] = "create"


@dataclass(frozen=True)
class Update(Change):
    action: ClassVar[str] = "update"


@dataclass(frozen=True)
class Suspend(Change):
    action: ClassVar[str] = "suspend"


@dataclass(frozen=True)
class Remove(Change):
    action: ClassVar[str] = "remove"


ACTIONS: dict[str, type[Change]] = {c.action: c for c in (Create, Update, Suspend, Remove)}


class PlanFileError(UserError):
    """A plan file that cannot be read, or was edited after it was made."""


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

def _fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def diff(state: TenantState, desired: DesiredState, spec: OrgSpec | None, *, domain: str,
         adopt: bool = False, allow_delete: bool = False,
         leaver_records: dict[str, dict[str, Any]] | None = None,
         now: dt.datetime | None = None) -> Plan:
    """Compare and produce the plan (changes in phase order, warnings, safety verdict).

    `leaver_records` are the journal's suspensions (when, which groups), for the grace period
    before a deletion."""
    plan = Plan(domain=domain, created=dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"))
    plan.warnings += desired.warnings
    changes: list[Change] = []
    protected = desired.protected

    for path in sorted(desired.org_units, key=lambda p: (p.count("/"), p)):
        want = desired.org_units[path]
        unit = state.org_units.get(path)
        if unit is None and path != "/":
            parent, name = path.rsplit("/", 1)
            changes.append(Create("org_unit", path, after=want,
                                  meta={"name": name, "parent": parent or "/"}))
        elif unit is not None and want["description"]:
            before, after = _fields(org_unit_view(unit), want)
            if after:
                changes.append(Update("org_unit", path, after=after, before=before))

    wanted_users: set[str] = set()
    leaving: list[_Leaving] = []
    for du in desired.users:
        person = du.person
        existing = state.users.get(du.current) if du.current else None
        meta = {"name": person.name, "english_name": person.english_name,
                "row": person.where, "password": "roster" if person.password else "generated"}
        if existing is None:
            if du.leaver:
                continue
            wanted_users.add(du.email)
            changes.append(Create("user", du.email, after=du.view, meta=meta))
            continue
        current = existing["primaryEmail"].lower()
        wanted_users.add(current)
        if current in protected:
            plan.warnings.append(f"{current} is protected; the roster's row {person.where} "
                                 "does not change it")
            continue
        view = user_view(existing)
        if not is_managed(existing) and not adopt:
            plan.warnings.append(f"{current} exists but was not created by this tool; "
                                 f"plan --adopt to manage it ({person.where})")
            continue
        want = {k: v for k, v in du.view.items() if k != "suspended"}
        if du.leaver:
            leaving.append(_Leaving(current, person.successor, person.teams, person.end_date,
                                    {**meta, "reason": "end date passed"}))
            continue
        if view["suspended"]:
            want["suspended"] = False
            want["includeInGlobalAddressList"] = True
            changes += _rejoin(current, (leaver_records or {}).get(current), state, desired)
        before, after = _fields(view, want)
        if after:
            changes.append(Update("user", current, after=after, before=before, meta=meta))

    managed_active = 0
    for email, user in sorted(state.users.items()):
        if email in protected or user.get("isAdmin"):
            continue
        if not is_managed(user):
            if email not in wanted_users:
                plan.unmanaged.setdefault("users", []).append(email)
            continue
        managed_active += 0 if user.get("suspended") else 1
        if email in wanted_users:
            continue
        teams = [o["department"] for o in user.get("organizations") or [] if o.get("department")]
        leaving.append(_Leaving(email, None, tuple(teams), None, {"reason": "not in the roster"}))
    changes += _leaver_changes(leaving, state, desired, spec, plan.warnings,
                               allow_delete=allow_delete, records=leaver_records or {},
                               now=now or dt.datetime.now(dt.UTC))

    for email, want in desired.groups.items():
        group = state.groups.get(email)
        if group is None:
            changes.append(Create("group", email, after=want))
        else:
            before, after = _fields(group_view(group), want)
            if after:
                changes.append(Update("group", email, after=after, before=before))
    for email, want in desired.settings.items():
        before, after = _fields(state.settings.get(email, {}), want)
        if after:
            changes.append(Update("group_settings", email, after=after, before=before))
    plan.unmanaged["groups"] = sorted(set(state.groups) - set(desired.groups))

    existing_memberships = 0
    for group, want in desired.members.items():
        have = state.members.get(group, {})
        existing_memberships += len(have)
        group_changes: list[Change] = []
        for email, role in sorted(want.items()):
            member = have.get(email)
            key = f"{group} {email}"
            if member is None:
                group_changes.append(Create("member", key, after={"role": role}))
            elif member.get("role", "MEMBER") != role:
                group_changes.append(Update("member", key, after={"role": role},
                                            before={"role": member.get("role")}))
        for email, member in sorted(have.items()):
            if email not in want and email not in protected and member.get("email"):
                group_changes.append(Remove("member", f"{group} {email}",
                                            before={"role": member.get("role", "MEMBER")}))
        changes += _keep_last(group_changes, have, "OWNER", f"group {group}", plan.warnings)

    for name, want in desired.drives.items():
        drive = state.drive(name)
        if len(state.drives.get(name, [])) > 1:
            plan.warnings.append(f"{len(state.drives[name])} shared drives are named {name!r}; "
                                 "managing the oldest")
        if drive is None:
            changes.append(Create("drive", name, after=want))
            continue
        have = drive.get("restrictions") or {}
        changed = {k: v for k, v in want["restrictions"].items() if have.get(k) != v}
        if changed:
            changes.append(Update("drive", name, after={"restrictions": changed},
                                  before={"restrictions": {k: have.get(k) for k in changed}}))
    plan.unmanaged["drives"] = sorted(set(state.drives) - set(desired.drives))

    for name, want in desired.permissions.items():
        drive = state.drive(name)
        have = {permission_target(p): p for p in state.permissions.get(drive["id"], [])} \
            if drive else {}
        perm_changes: list[Change] = []
        for target, role in sorted(want.items()):
            perm = have.get(target)
            key = f"{name} {target}"
            if perm is None:
                perm_changes.append(Create("drive_permission", key, after={"role": role}))
            elif perm.get("role") != role:
                perm_changes.append(Update("drive_permission", key, after={"role": role},
                                           before={"role": perm.get("role")}))
        for target, perm in sorted(have.items()):
            address = target.partition(":")[2]
            if target not in want and address not in protected:
                perm_changes.append(Remove("drive_permission", f"{name} {target}",
                                           before={"role": perm.get("role")}))
        roles = {t: {"role": p.get("role")} for t, p in have.items()}
        changes += _keep_last(perm_changes, roles, "organizer", f"shared drive {name!r}",
                              plan.warnings)

    order = {p: i for i, p in enumerate(PHASES)}
    plan.changes = sorted(changes, key=lambda c: order[c.phase])  # stable within a phase
    plan.state_digests = {c.ident: relevant_digest(state, c) for c in plan.changes}
    _check_safety(plan, spec.safety if spec else Safety(), managed_active, existing_memberships)
    return plan


@dataclass(frozen=True)
class _Leaving:
    email: str
    successor: str | None
    teams: tuple[str, ...]
    end_date: dt.date | None
    meta: dict[str, Any]


def _leaver_changes(leaving: list[_Leaving], state: TenantState, desired: DesiredState,
                    spec: OrgSpec | None, warnings: list[str], *, allow_delete: bool,
                    records: dict[str, dict[str, Any]], now: dt.datetime) -> list[Change]:
    """Per leaver, in order: transfer, sign-out, token revocations, suspension (hidden from the
    address list); or, once suspended, a deletion when asked for and safe."""
    from workspace_coach.provision.leavers import deletion_refusal, successor_for

    names = {du.person.name: du.email for du in desired.users}
    calendar = spec.offboarding.transfer_calendar if spec else True
    grace = spec.offboarding.grace_days if spec else 30
    out: list[Change] = []
    for leaver in leaving:
        email, user = leaver.email, state.users[leaver.email]
        status = state.transfer_status(email)
        if status != "completed":
            successor, source = successor_for(email, leaver.successor, leaver.teams, spec,
                                              state, names)
            if successor is None:
                warnings.append(f"{email}: no data transfer: {source} · 후임자가 없어 파일을 "
                                "이전하지 않습니다")
            else:
                out.append(Create("transfer", email, after={"successor": successor,
                                                            "calendar": calendar},
                                  meta={"from": source, "status": status or ""}))
        if not user.get("suspended"):
            # Groups the spec does not manage: the membership diff leaves them alone.
            others = [Remove("member", f"{group} {email}", before={
                "role": state.members.get(group, {}).get(email, {}).get("role", "MEMBER")})
                for group in state.groups_of.get(email, []) if group not in desired.members]
            for group in {c.key.partition(" ")[0] for c in others}:
                out += _keep_last([c for c in others if c.key.startswith(group + " ")],
                                  state.members.get(group, {}), "OWNER", f"group {group}",
                                  warnings)
            out.append(Create("signout", email))
            out += [Remove("token", f"{email} {t['clientId']}",
                           before={"app": t.get("displayText", "")})
                    for t in state.tokens.get(email, [])]
            out.append(Suspend("user", email, after={"suspended": True,
                                                     "includeInGlobalAddressList": False},
                               before={"suspended": False}, meta=leaver.meta))
            continue
        if not allow_delete:
            continue
        refusal = deletion_refusal(email, state, records, leaver.end_date, grace, now)
        if refusal is None and spec is not None and not spec.allow_deletion:
            refusal = (f"{email}: not deleted: org.yaml does not say allow_deletion: true · "
                       "org.yaml이 삭제를 허용하지 않습니다")
        if refusal is not None:
            warnings.append(refusal)
        else:
            out.append(Remove("user", email, before={"exists": True},
                              meta={**leaver.meta, "reason": "grace period over"}))
    return out


def _rejoin(email: str, record: dict[str, Any] | None, state: TenantState,
            desired: DesiredState) -> list[Change]:
    """A returner's way back into the groups recorded when they left that the spec does not
    manage (the spec's own groups follow the roster, which may say otherwise)."""
    if record is None:
        return []
    return [Create("member", f"{group} {email}", after={"role": "MEMBER"})
            for group in record.get("groups", [])
            if group in state.groups and group not in desired.members
            and email not in state.members.get(group, {})]


def _keep_last(changes: list[Change], have: dict[str, dict[str, Any]], top: str, what: str,
               warnings: list[str]) -> list[Change]:
    """Drop removals and demotions that would leave `what` without any `top` role."""
    if not any(m.get("role") == top for m in have.values()):
        return changes
    after_roles = {target: m.get("role") for target, m in have.items()}
    for change in changes:
        target = change.key.rpartition(" ")[2]
        after_roles[target] = None if change.action == "remove" else change.after.get("role")
    if top in after_roles.values():
        return changes
    warnings.append(f"{what}: kept its last {top.lower()}; add another before removing them")
    return [c for c in changes if not (c.before.get("role") == top and (
        c.action == "remove" or c.after.get("role") != top))]


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
