"""What the tenant should look like: the spec and the roster resolved into comparable views.

Views are the shapes plan diffs against `TenantState` (via the same view functions), so a field
this module does not set is never compared and never "drifts". People are matched to existing
users by employee id (`externalIds` type organization), then by the stored person key, then by
address, and those addresses are handed to email generation as `previous` so a person keeps
their address across runs even when the roster leaves email empty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from workspace_coach.provision.roster import Person, Roster
from workspace_coach.provision.spec import OrgSpec
from workspace_coach.provision.state import (
    KEY_TYPE,
    MARKER,
    TenantState,
    employee_id_of,
    person_key_of,
)
from workspace_coach.provision.validate import ValidationResult, add_months, validate

ROLE_RANK = {"MEMBER": 1, "MANAGER": 2, "OWNER": 3}


# -- views: the comparable shape of each kind of object ---------------------------------------

def user_view(user: dict[str, Any]) -> dict[str, Any]:
    """The fields of a user this tool manages, normalised (order, empty values)."""
    name = user.get("name") or {}
    ids = sorted(({k: v for k, v in (("type", e.get("type")), ("customType", e.get("customType")),
                                      ("value", e.get("value"))) if v}
                  for e in user.get("externalIds") or []), key=lambda e: sorted(e.items()))
    orgs = [{k: o[k] for k in ("description", "title", "department") if o.get(k)}
            for o in user.get("organizations") or [] if o.get("description") == MARKER]
    view: dict[str, Any] = {
        "primaryEmail": user.get("primaryEmail", "").lower(),
        "name": {"givenName": name.get("givenName", ""), "familyName": name.get("familyName", "")},
        "orgUnitPath": user.get("orgUnitPath") or "/",
        "externalIds": ids,
        "organizations": orgs,
        "suspended": bool(user.get("suspended")),
    }
    phones = [{"type": p.get("type"), "value": p.get("value")} for p in user.get("phones") or []]
    if phones:
        view["phones"] = phones
    return view


def org_unit_view(unit: dict[str, Any]) -> dict[str, Any]:
    return {"description": unit.get("description") or ""}


def group_view(group: dict[str, Any]) -> dict[str, Any]:
    return {"name": group.get("name", ""), "description": group.get("description") or ""}


# -- desired state ----------------------------------------------------------------------------

@dataclass
class DesiredUser:
    person: Person
    email: str  # the address the person should have
    current: str | None  # the existing user's address, when matched
    view: dict[str, Any]
    leaver: bool  # an end date in the past: suspend, do not create


@dataclass
class DesiredState:
    org_units: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: list[DesiredUser] = field(default_factory=list)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, str]] = field(default_factory=dict)
    drives: dict[str, dict[str, Any]] = field(default_factory=dict)
    permissions: dict[str, dict[str, str]] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def _with_parents(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[:end]) for end in range(1, len(parts) + 1)]


def match_users(people: list[Person], state: TenantState) -> dict[str, str]:
    """Person key -> existing user address, by employee id, stored person key, then email."""
    by_id: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for email, user in state.users.items():
        emp = employee_id_of(user)
        if emp:
            by_id.setdefault(emp, email)
        key = person_key_of(user)
        if key:
            by_key.setdefault(key, email)
    matched: dict[str, str] = {}
    used: set[str] = set()
    for person in people:
        email = ((person.employee_id and by_id.get(person.employee_id)) or by_key.get(person.key)
                 or (person.email if person.email in state.users else None))
        if email and email not in used:
            matched[person.key] = email
            used.add(email)
    return matched


def desired_user_view(person: Person, email: str, org_unit: str) -> dict[str, Any]:
    ids = []
    if person.employee_id:
        ids.append({"type": "organization", "value": person.employee_id})
    ids.append({"type": "custom", "customType": KEY_TYPE, "value": person.key})
    org = {"description": MARKER}
    if person.role:
        org["title"] = person.role
    if person.teams:
        org["department"] = person.teams[0]
    user: dict[str, Any] = {
        "primaryEmail": email,
        "name": {"givenName": person.given_name, "familyName": person.family_name},
        "orgUnitPath": org_unit,
        "externalIds": ids,
        "organizations": [org],
        "suspended": False,
    }
    if person.phone:
        user["phones"] = [{"type": "mobile", "value": person.phone}]
    return user_view(user)


def rotating_holders(result: ValidationResult, spec: OrgSpec, today: dt.date
                     ) -> tuple[dict[str, set[str]], list[str]]:
    """Role group -> addresses of people in an active term; and warnings about the roles."""
    holders: dict[str, set[str]] = {}
    warnings: list[str] = []
    for role in spec.rotating_roles:
        active: set[str] = holders.setdefault(role.group, set())
        for person in result.people:
            if person.end_date and person.end_date < today:
                continue
            email = result.email_of(person)
            for holding in person.rotating_roles:
                if holding.role != role.name or not email:
                    continue
                if holding.since is None:
                    active.add(email)
                    continue
                if holding.since > today:
                    continue
                if role.limit_months and add_months(holding.since, role.limit_months) <= today:
                    warnings.append(f"{role.name}: {person.name} ({email}) has passed the "
                                    f"{role.limit_months}-month limit")
                term_end = add_months(holding.since, role.term_months)
                if term_end <= today:
                    warnings.append(f"{role.name}: {person.name}'s term ended {term_end}; "
                                    f"leaves {role.group}")
                    continue
                active.add(email)
        if len(active) < role.min_holders:
            warnings.append(f"{role.name}: {len(active)} holder(s), below the minimum of "
                            f"{role.min_holders}")
    return holders, warnings


def build_desired(roster: Roster, spec: OrgSpec | None, state: TenantState, *,
                  domain: str, admin: str, today: dt.date | None = None
                  ) -> tuple[DesiredState, ValidationResult]:
    """Validate the input against the tenant and resolve it into the state to reach."""
    today = today or dt.date.today()
    matched = match_users(roster.people, state)
    taken = (set(state.users) - set(matched.values())) | set(state.groups)
    result = validate(roster, spec, domain=domain if spec is None else None, taken=taken,
                      previous=matched, today=today)
    result.raise_for_errors()
    desired = DesiredState()
    desired.protected = {admin.lower()} | {e for e, u in state.users.items() if u.get("isAdmin")}
    if spec is not None:
        desired.protected |= set(spec.protected_accounts)
        for unit in spec.org_units:
            for path in _with_parents(unit.path):
                desired.org_units.setdefault(path, {"description": ""})
            desired.org_units[unit.path] = {"description": unit.description}
    for person in result.people:
        email = result.email_of(person)
        if not email:
            continue
        unit = result.org_unit_of(person)
        for path in _with_parents(unit):
            desired.org_units.setdefault(path, {"description": ""})
        leaver = bool(person.end_date and person.end_date < today)
        desired.users.append(DesiredUser(person, email, matched.get(person.key),
                                         desired_user_view(person, email, unit), leaver))
    if spec is None:
        return desired, result
    holders, warnings = rotating_holders(result, spec, today)
    desired.warnings += warnings
    for group in spec.groups:
        desired.groups[group.email] = {"name": group.name, "description": group.description}
        desired.settings[group.email] = group.settings.to_api()
        members = result.group_members(group)
        for email in holders.get(group.email, ()):
            if ROLE_RANK["MEMBER"] > ROLE_RANK.get(members.get(email, ""), 0):
                members[email] = "MEMBER"
        leavers = {u.email for u in desired.users if u.leaver}
        desired.members[group.email] = {e.lower(): r for e, r in members.items()
                                        if e not in leavers}
    for drive in spec.shared_drives:
        desired.drives[drive.name] = {"restrictions": drive.restrictions.to_api()}
        perms: dict[str, str] = {}
        for perm in drive.permissions:
            if perm.group:
                target = f"group:{perm.group}"
            elif perm.domain:
                target = f"domain:{perm.domain}"
            else:
                found = result.find_person(perm.person or "")
                address = result.email_of(found) if found else (perm.person or "").lower()
                target = f"user:{address}"
                if address in {u.email for u in desired.users if u.leaver}:
                    continue  # a leaver leaves the shared drives too
            perms[target] = perm.role
        desired.permissions[drive.name] = perms
    return desired, result
