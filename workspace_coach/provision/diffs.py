"""One diff per resource type, octoDNS style: each knows how to compare its own objects.

Every differ reads a `DiffContext` (the tenant, what is wanted, the options) and returns its
changes; warnings and unmanaged objects go into the context. `DIFFERS` lists them in the order
they run, which is the order their warnings are shown in (and, within a phase, their changes);
`plan.diff` runs the table and sorts the changes by phase.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workspace_coach.provision.changes import Change, Create, Remove, Suspend, Update
from workspace_coach.provision.desired import DesiredState, group_view, org_unit_view, user_view
from workspace_coach.provision.leavers import deletion_refusal, successor_for
from workspace_coach.provision.spec import OrgSpec
from workspace_coach.provision.state import TenantState, is_managed, permission_target


@dataclass(frozen=True)
class Leaving:
    """Someone the users diff found leaving, for the leavers diff to offboard."""

    email: str
    successor: str | None
    teams: tuple[str, ...]
    end_date: dt.date | None
    meta: dict[str, Any]


@dataclass
class DiffContext:
    """What every differ reads, and the plan-wide lists they add to."""

    state: TenantState
    desired: DesiredState
    spec: OrgSpec | None
    now: dt.datetime
    adopt: bool = False
    allow_delete: bool = False
    #: The journal's suspensions (when, which groups), for the grace period and returners.
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unmanaged: dict[str, list[str]] = field(default_factory=dict)
    leaving: list[Leaving] = field(default_factory=list)  # filled by users, read by leavers


def fields(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The fields of `after` that differ from `before`: (their old values, their new ones)."""
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


# -- directory ------------------------------------------------------------------------------

def org_units(ctx: DiffContext) -> list[Change]:
    """Parents before children; a description is compared only where the spec gives one."""
    out: list[Change] = []
    wanted = ctx.desired.org_units
    for path in sorted(wanted, key=lambda p: (p.count("/"), p)):
        unit = ctx.state.org_units.get(path)
        if unit is None and path != "/":
            parent, name = path.rsplit("/", 1)
            out.append(Create("org_unit", path, after=wanted[path],
                              meta={"name": name, "parent": parent or "/"}))
        elif unit is not None and wanted[path]["description"]:
            before, after = fields(org_unit_view(unit), wanted[path])
            if after:
                out.append(Update("org_unit", path, after=after, before=before))
    return out


def users(ctx: DiffContext) -> list[Change]:
    """Roster people created or updated (a returner also rejoins their old groups); the
    protected and the unadopted left alone with a warning; who leaves noted in `ctx.leaving`."""
    state, protected = ctx.state, ctx.desired.protected
    out: list[Change] = []
    wanted: set[str] = set()
    for du in ctx.desired.users:
        person = du.person
        existing = state.users.get(du.current) if du.current else None
        meta = {"name": person.name, "english_name": person.english_name,
                "row": person.where, "password": "roster" if person.password else "generated"}
        if existing is None:
            if du.leaver:
                continue
            wanted.add(du.email)
            out.append(Create("user", du.email, after=du.view, meta=meta))
            continue
        current = existing["primaryEmail"].lower()
        wanted.add(current)
        if current in protected:
            ctx.warnings.append(f"{current} is protected; the roster's row {person.where} "
                                "does not change it")
            continue
        view = user_view(existing)
        if not is_managed(existing) and not ctx.adopt:
            ctx.warnings.append(f"{current} exists but was not created by this tool; "
                                f"plan --adopt to manage it ({person.where})")
            continue
        want = {k: v for k, v in du.view.items() if k != "suspended"}
        if du.leaver:
            ctx.leaving.append(Leaving(current, person.successor, person.teams, person.end_date,
                                       {**meta, "reason": "end date passed"}))
            continue
        if view["suspended"]:
            want["suspended"] = False
            want["includeInGlobalAddressList"] = True
            out += _rejoin(ctx, current)
        before, after = fields(view, want)
        if after:
            out.append(Update("user", current, after=after, before=before, meta=meta))
    for email, user in sorted(state.users.items()):
        if email in protected or user.get("isAdmin"):
            continue
        if not is_managed(user):
            if email not in wanted:
                ctx.unmanaged.setdefault("users", []).append(email)
            continue
        if email in wanted:
            continue
        teams = [o["department"] for o in user.get("organizations") or [] if o.get("department")]
        ctx.leaving.append(Leaving(email, None, tuple(teams), None,
                                   {"reason": "not in the roster"}))
    return out


def _rejoin(ctx: DiffContext, email: str) -> list[Change]:
    """A returner's way back into the groups recorded when they left that the spec does not
    manage (the spec's own groups follow the roster, which may say otherwise)."""
    record = ctx.records.get(email)
    if record is None:
        return []
    return [Create("member", f"{group} {email}", after={"role": "MEMBER"})
            for group in record.get("groups", [])
            if group in ctx.state.groups and group not in ctx.desired.members
            and email not in ctx.state.members.get(group, {})]


def leavers(ctx: DiffContext) -> list[Change]:
    """Per leaver, in order: transfer, leaving unmanaged groups, sign-out, token revocations,
    suspension (hidden from the address list); or, once suspended, a deletion when asked for
    and safe."""
    state, spec = ctx.state, ctx.spec
    names = {du.person.name: du.email for du in ctx.desired.users}
    calendar = spec.offboarding.transfer_calendar if spec else True
    grace = spec.offboarding.grace_days if spec else 30
    out: list[Change] = []
    for leaver in ctx.leaving:
        email, user = leaver.email, state.users[leaver.email]
        status = state.transfer_status(email)
        if status != "completed":
            successor, source = successor_for(email, leaver.successor, leaver.teams, spec,
                                              state, names)
            if successor is None:
                ctx.warnings.append(f"{email}: no data transfer: {source} · 후임자가 없어 "
                                    "파일을 이전하지 않습니다")
            else:
                out.append(Create("transfer", email, after={"successor": successor,
                                                            "calendar": calendar},
                                  meta={"from": source, "status": status or ""}))
        if not user.get("suspended"):
            out += _leave_unmanaged_groups(ctx, email)
            out.append(Create("signout", email))
            out += [Remove("token", f"{email} {t['clientId']}",
                           before={"app": t.get("displayText", "")})
                    for t in state.tokens.get(email, [])]
            out.append(Suspend("user", email, after={"suspended": True,
                                                     "includeInGlobalAddressList": False},
                               before={"suspended": False}, meta=leaver.meta))
            continue
        if not ctx.allow_delete:
            continue
        refusal = deletion_refusal(email, state, ctx.records, leaver.end_date, grace, ctx.now)
        if refusal is None and spec is not None and not spec.allow_deletion:
            refusal = (f"{email}: not deleted: org.yaml does not say allow_deletion: true · "
                       "org.yaml이 삭제를 허용하지 않습니다")
        if refusal is not None:
            ctx.warnings.append(refusal)
        else:
            out.append(Remove("user", email, before={"exists": True},
                              meta={**leaver.meta, "reason": "grace period over"}))
    return out


def _leave_unmanaged_groups(ctx: DiffContext, email: str) -> list[Change]:
    """A leaver's removals from groups the spec does not manage (the members diff leaves those
    alone), each group keeping its last owner; in the order the groups were read, so the
    same tenant always gives the same plan (and checksum)."""
    state = ctx.state
    others = [Remove("member", f"{group} {email}", before={
        "role": state.members.get(group, {}).get(email, {}).get("role", "MEMBER")})
        for group in state.groups_of.get(email, []) if group not in ctx.desired.members]
    out: list[Change] = []
    for group in dict.fromkeys(c.key.partition(" ")[0] for c in others):
        out += keep_last([c for c in others if c.key.startswith(group + " ")],
                         state.members.get(group, {}), "OWNER", f"group {group}", ctx.warnings)
    return out


# -- groups ---------------------------------------------------------------------------------

def groups(ctx: DiffContext) -> list[Change]:
    out: list[Change] = []
    for email, want in ctx.desired.groups.items():
        group = ctx.state.groups.get(email)
        if group is None:
            out.append(Create("group", email, after=want))
            continue
        before, after = fields(group_view(group), want)
        if after:
            out.append(Update("group", email, after=after, before=before))
    ctx.unmanaged["groups"] = sorted(set(ctx.state.groups) - set(ctx.desired.groups))
    return out


def group_settings(ctx: DiffContext) -> list[Change]:
    """Only the settings the spec names are compared; the rest stay as the tenant has them."""
    out: list[Change] = []
    for email, want in ctx.desired.settings.items():
        before, after = fields(ctx.state.settings.get(email, {}), want)
        if after:
            out.append(Update("group_settings", email, after=after, before=before))
    return out


def members(ctx: DiffContext) -> list[Change]:
    """Members of managed groups; protected accounts and members without an address (a
    deleted user, shown by id) are never removed."""
    protected = ctx.desired.protected

    def removable(email: str, member: dict[str, Any]) -> bool:
        return email not in protected and bool(member.get("email"))

    out: list[Change] = []
    for group, want in ctx.desired.members.items():
        out += role_changes("member", group, want, ctx.state.members.get(group, {}),
                            default="MEMBER", top="OWNER", what=f"group {group}",
                            removable=removable, warnings=ctx.warnings)
    return out


# -- shared drives --------------------------------------------------------------------------

def drives(ctx: DiffContext) -> list[Change]:
    """Only the restrictions the spec names are compared; of same-named drives, the oldest."""
    state = ctx.state
    out: list[Change] = []
    for name, want in ctx.desired.drives.items():
        drive = state.drive(name)
        if len(state.drives.get(name, [])) > 1:
            ctx.warnings.append(f"{len(state.drives[name])} shared drives are named {name!r}; "
                                "managing the oldest")
        if drive is None:
            out.append(Create("drive", name, after=want))
            continue
        have = drive.get("restrictions") or {}
        changed = {k: v for k, v in want["restrictions"].items() if have.get(k) != v}
        if changed:
            out.append(Update("drive", name, after={"restrictions": changed},
                              before={"restrictions": {k: have.get(k) for k in changed}}))
    ctx.unmanaged["drives"] = sorted(set(state.drives) - set(ctx.desired.drives))
    return out


def drive_permissions(ctx: DiffContext) -> list[Change]:
    """Access to managed shared drives (`user:a@b`, `group:g@b`, `domain:b`); a protected
    account's access is never removed."""
    state, protected = ctx.state, ctx.desired.protected

    def removable(target: str, _: dict[str, Any]) -> bool:
        return target.partition(":")[2] not in protected  # `user:a@b` -> a@b

    out: list[Change] = []
    for name, want in ctx.desired.permissions.items():
        drive = state.drive(name)
        have = {permission_target(p): p for p in state.permissions.get(drive["id"], [])} \
            if drive else {}
        out += role_changes("drive_permission", name, want, have, default=None,
                            top="organizer", what=f"shared drive {name!r}",
                            removable=removable, warnings=ctx.warnings)
    return out


# -- the pattern members and drive permissions share ----------------------------------------

def role_changes(kind: str, container: str, want: dict[str, str],
                 have: dict[str, dict[str, Any]], *, default: str | None, top: str, what: str,
                 removable: Callable[[str, dict[str, Any]], bool],
                 warnings: list[str]) -> list[Change]:
    """Who holds which role in one group or shared drive: wanted holders added or given their
    role, unwanted ones removed where `removable` allows, and never the last `top` role.

    `want` and `have` are keyed by holder (an address, or a permission target); `default` is
    the role a holder read without one has."""
    out: list[Change] = []
    for holder, role in sorted(want.items()):
        current = have.get(holder)
        key = f"{container} {holder}"
        if current is None:
            out.append(Create(kind, key, after={"role": role}))
        elif current.get("role", default) != role:
            out.append(Update(kind, key, after={"role": role},
                              before={"role": current.get("role")}))
    for holder, current in sorted(have.items()):
        if holder not in want and removable(holder, current):
            out.append(Remove(kind, f"{container} {holder}",
                              before={"role": current.get("role", default)}))
    return keep_last(out, have, top, what, warnings)


def keep_last(changes: list[Change], have: dict[str, dict[str, Any]], top: str, what: str,
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


# -- the table ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Differ:
    """One resource type's diff and the phases its changes fall in."""

    name: str
    phases: tuple[str, ...]
    run: Callable[[DiffContext], list[Change]]


#: In the order they run: `users` fills `ctx.leaving` before `leavers` reads it.
DIFFERS: tuple[Differ, ...] = (
    Differ("org_units", ("org_unit",), org_units),
    Differ("users", ("user", "member"), users),
    Differ("leavers", ("transfer", "member", "signout", "token", "suspension"), leavers),
    Differ("groups", ("group",), groups),
    Differ("group_settings", ("group_settings",), group_settings),
    Differ("members", ("member",), members),
    Differ("drives", ("drive",), drives),
    Differ("drive_permissions", ("drive_permission",), drive_permissions),
)
