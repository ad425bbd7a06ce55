"""What the tenant looks like now, read with paged list calls only.

Why lists: a converged tenant must cost a few calls, not one GET per object. Users, org units,
groups and shared drives are one paged list each; members and drive permissions are one list per
managed group or drive, sent together in batches; group settings (which have no list call) are
read only for groups the spec manages, also batched.

Everything here is read-only. `views` turns raw API objects into the comparable shapes the plan
diffs and the checksums hash, so "what changed" means the same thing in plan and apply.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workspace_coach.google.calls import Call
from workspace_coach.google.retry import GoogleApiError
from workspace_coach.google.session import GoogleSession

#: Written into `organizations[].description` of every user this tool manages. The Directory API
#: stores it on every edition and lists it with projection=full, so no custom schema is needed.
MARKER = "workspace-coach"
#: `externalIds[].customType` holding the roster's stable person key (for people without an id).
KEY_TYPE = "workspace-coach-key"

DRIVE_FIELDS = "nextPageToken,drives(id,name,createdTime,restrictions)"
PERMISSION_FIELDS = "nextPageToken,permissions(id,type,role,emailAddress,domain,deleted)"


@dataclass
class TenantState:
    """The objects of one tenant as plan needs them, keyed by identity."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)  # primary email -> user
    org_units: dict[str, dict[str, Any]] = field(default_factory=dict)  # path -> org unit
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)  # email -> group
    members: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # group -> email
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # group -> settings
    drives: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # name -> drives
    permissions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # drive id -> perms
    # Read only for leavers: their data transfers (as old owner) and their apps' OAuth tokens.
    transfers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # email -> transfers
    tokens: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # email -> tokens
    groups_of: dict[str, list[str]] = field(default_factory=dict)  # leaver -> every group

    def transfer_status(self, email: str) -> str | None:
        """The furthest any data transfer of this person's data got: completed, inProgress,
        new, failed; None when none was ever asked for."""
        found = {t.get("overallTransferStatusCode") for t in self.transfers.get(email, [])}
        for status in ("completed", "inProgress", "new", "failed"):
            if status in found:
                return status
        return None

    def drive(self, name: str) -> dict[str, Any] | None:
        """The shared drive with this name (the oldest, if a re-run ever duplicated one)."""
        found = self.drives.get(name) or []
        return min(found, key=lambda d: (d.get("createdTime", ""), d["id"])) if found else None

    def managed_user(self, user: dict[str, Any]) -> bool:
        return is_managed(user)


def is_managed(user: dict[str, Any]) -> bool:
    """True when this tool created or adopted the user (the organizations marker)."""
    return any(o.get("description") == MARKER for o in user.get("organizations") or [])


def person_key_of(user: dict[str, Any]) -> str | None:
    for ext in user.get("externalIds") or []:
        if ext.get("type") == "custom" and ext.get("customType") == KEY_TYPE:
            return ext.get("value")
    return None


def employee_id_of(user: dict[str, Any]) -> str | None:
    for ext in user.get("externalIds") or []:
        if ext.get("type") == "organization" and ext.get("value"):
            return str(ext["value"])
    return None


def member_key(member: dict[str, Any]) -> str:
    return (member.get("email") or member.get("id") or "").lower()


def permission_target(perm: dict[str, Any]) -> str:
    """`user:a@b`, `group:g@b`, `domain:b` or `anyone`: a permission's identity on a drive."""
    kind = perm.get("type", "")
    if kind == "domain":
        return f"domain:{(perm.get('domain') or '').lower()}"
    if kind == "anyone":
        return "anyone"
    return f"{kind}:{(perm.get('emailAddress') or '').lower()}"


def read_state(session: GoogleSession, *, customer: str = "my_customer",
               managed_groups: Iterable[str] = (), managed_drives: Iterable[str] = (),
               leavers: Iterable[str] = ()) -> TenantState:
    """Read the tenant with list calls (members, settings and permissions in batches)."""
    directory = session.service("directory")
    state = TenantState()
    users = session.list_all(directory.users().list, "users", what="users", customer=customer,
                             projection="full", maxResults=500)
    state.users = {u["primaryEmail"].lower(): u for u in users}
    units = session.list_all(directory.orgunits().list, "organizationUnits", what="org units",
                             customerId=customer, type="all")
    state.org_units = {u["orgUnitPath"]: u for u in units}
    groups = session.list_all(directory.groups().list, "groups", what="groups",
                              customer=customer, maxResults=200)
    state.groups = {g["email"].lower(): g for g in groups}
    wanted = [g for g in dict.fromkeys(e.lower() for e in managed_groups) if g in state.groups]
    state.members = _members(session, wanted)
    state.settings = _settings(session, wanted)
    drive_api = session.service("drive")
    drives = session.list_all(drive_api.drives().list, "drives", what="shared drives",
                              useDomainAdminAccess=True, pageSize=100, fields=DRIVE_FIELDS)
    for drive in drives:
        state.drives.setdefault(drive["name"], []).append(drive)
    ids = [d["id"] for name in dict.fromkeys(managed_drives) for d in state.drives.get(name, [])]
    state.permissions = _permissions(session, ids)
    read_leavers(session, state, leavers)
    return state


def read_leavers(session: GoogleSession, state: TenantState, emails: Iterable[str],
                 groups: Iterable[str] = ()) -> None:
    """Each leaver's data transfers, OAuth tokens and groups (one list call each: leavers are
    few), and the members of those groups and of `groups` (a returner's recorded ones) when the
    spec does not manage them, so their memberships diff like any other."""
    wanted = set(groups)
    for email in dict.fromkeys(e.lower() for e in emails):
        user = state.users.get(email)
        if user is None:
            continue
        api = session.service("datatransfer").transfers()
        state.transfers[email] = session.list_all(api.list, "dataTransfers", what=email,
                                                  oldOwnerUserId=user["id"])
        if user.get("suspended"):
            continue  # tokens were revoked and groups left before the suspension
        tokens = session.service("directory").tokens()
        try:
            page = session.execute(tokens.list(userKey=email), what=email) or {}
        except GoogleApiError as exc:
            if exc.status != 404:
                raise
            page = {}  # taken as "no tokens": the user was listed a moment ago
        state.tokens[email] = list(page.get("items") or [])
        directory = session.service("directory").groups()
        found = session.list_all(directory.list, "groups", what=email, userKey=email,
                                 maxResults=200)
        state.groups_of[email] = sorted(g["email"].lower() for g in found)
        wanted |= set(state.groups_of[email])
    extra = sorted(g for g in wanted if g in state.groups and g not in state.members)
    state.members.update(_members(session, extra))


def _members(session: GoogleSession, groups: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    directory = session.service("directory")
    calls = [Call(g, directory.members().list(groupKey=g, maxResults=200)) for g in groups]
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for group, result in zip(groups, session.batch("directory", calls), strict=True):
        if result.error is not None:
            raise result.error
        page = result.response or {}
        items = list(page.get("members") or [])
        if page.get("nextPageToken"):  # more than one page: follow it with plain list calls
            items += _rest(session, directory.members().list, "members", group,
                           page["nextPageToken"], groupKey=group, maxResults=200)
        out[group] = {member_key(m): m for m in items}
    return out


def _rest(session: GoogleSession, method: Any, key: str, what: str, token: str,
          **params: Any) -> list[dict[str, Any]]:
    """The pages after the first of a list whose first page came back in a batch."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    while token and token not in seen:
        seen.add(token)
        page = session.execute(method(**params, pageToken=token), what=what) or {}
        items.extend(page.get(key) or [])
        token = page.get("nextPageToken")
    return items


def _settings(session: GoogleSession, groups: list[str]) -> dict[str, dict[str, Any]]:
    api = session.service("groupssettings")
    calls = [Call(g, api.groups().get(groupUniqueId=g, alt="json")) for g in groups]
    out: dict[str, dict[str, Any]] = {}
    for group, result in zip(groups, session.batch("groupssettings", calls),
                             strict=True):
        if result.error is not None:
            raise result.error
        out[group] = result.response or {}
    return out


def _permissions(session: GoogleSession, drive_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    api = session.service("drive")
    calls = [Call(d, api.permissions().list(fileId=d, supportsAllDrives=True,
                                            useDomainAdminAccess=True, pageSize=100,
                                            fields=PERMISSION_FIELDS)) for d in drive_ids]
    out: dict[str, list[dict[str, Any]]] = {}
    for drive_id, result in zip(drive_ids, session.batch("drive", calls), strict=True):
        if result.error is not None:
            raise result.error
        page = result.response or {}
        items = list(page.get("permissions") or [])
        if page.get("nextPageToken"):
            items += _rest(session, api.permissions().list, "permissions", drive_id,
                           page["nextPageToken"], fileId=drive_id, supportsAllDrives=True,
                           useDomainAdminAccess=True, pageSize=100, fields=PERMISSION_FIELDS)
        out[drive_id] = [p for p in items if not p.get("deleted")]
    return out


def digest(value: Any) -> str:
    """sha256 of a value's canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
