"""Security and hygiene checks: what each one looks at, and its verdict for one client.

`CHECKS` holds the definitions (a stable id, the CIS Google Workspace Foundations Benchmark item
or Google's small-business security checklist item it follows, a severity, Korean and English
title, why it matters, how to fix it and where in the Admin console). `evaluate_checks` reads
what a collect stored for a client (the newest directory snapshot with its group settings and
shared drives, the per-person usage figures kept for checks even without consent, and activity
events) and returns one `CheckOutcome` per check: `pass`, `fail`, `not_applicable` (nothing to
judge, e.g. no shared drives or no usage data yet) or `not_available` (usage reports arrived but
without the figure the check needs: the client's edition does not report it, so the check can
neither pass nor fail), with the affected objects an administrator
needs to act on (user and group addresses, shared drive ids, file ids; never file names).
`store_outcomes` writes them to `check_results` for an audit run.

Thresholds are constants below and published in docs/checks.md.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workspace_coach.storage import models as m
from workspace_coach.storage.snapshots import newest_snapshot
from workspace_coach.storage.upsert import upsert
from workspace_coach.timezones import PACIFIC, as_utc

SUPER_ADMINS_MIN, SUPER_ADMINS_MAX = 2, 4
INACTIVE_DAYS, LONG_INACTIVE_DAYS = 30, 90
#: Days of Drive activity looked at for links and external sharing.
SHARING_WINDOW_DAYS = 28
#: A person with more third-party apps than this holds too many OAuth grants to review.
OAUTH_APPS_PER_PERSON = 5
#: More distinct apps than this authorised across the organisation in the window is too many.
OAUTH_APPS_DISTINCT = 10
OAUTH_WINDOW_DAYS = 90
#: How far back the newest usage figure of a parameter may be (reports lag two to three days).
USAGE_LOOKBACK_DAYS = 7
PUBLIC_VISIBILITY = frozenset({"people_with_link", "public_on_the_web"})
CIS = "CIS GWS"
SMB = "Google SMB checklist"


def _text(ko: str, en: str) -> dict[str, str]:
    return {"ko": ko, "en": en}


@dataclass(frozen=True)
class CheckDefinition:
    """What a check is: the fields `check_results.details` and docs/checks.md show."""

    id: str
    reference: str
    severity: str
    title: dict[str, str]
    why: dict[str, str]
    fix: dict[str, str]
    console_path: str
    looks_at: str  # what data it reads (English, for docs/checks.md)

    def details(self) -> dict[str, Any]:
        return {"title": self.title, "why": self.why, "fix": self.fix,
                "console_path": self.console_path}


@dataclass
class CheckOutcome:
    """One check's verdict for a client: the affected objects and the counts behind it."""

    check: CheckDefinition
    status: str
    affected: list[dict[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def check_id(self) -> str:
        return self.check.id

    @property
    def severity(self) -> str:
        return self.check.severity

    @property
    def affected_count(self) -> int:
        return len(self.affected)

    def row(self, run_id: int, client_id: int) -> dict[str, Any]:
        """The `check_results` row."""
        return {"run_id": run_id, "client_id": client_id, "check_id": self.check.id,
                "reference": self.check.reference, "severity": self.check.severity,
                "status": self.status, "affected_count": self.affected_count,
                "affected": self.affected, "details": {**self.check.details(),
                                                       "counts": self.counts}}


def _affected(kind: str, ident: str, detail: str = "") -> dict[str, str]:
    return {"type": kind, "id": ident, "detail": detail}


# -- what a collect stored, for one client ---------------------------------------------------------

@dataclass
class Facts:
    """Everything the checks read, loaded once per evaluation."""

    domain: str
    as_of: dt.date
    snapshot_id: int | None
    people: list[Any]
    groups: dict[str, Any]                       # group id -> Group row
    group_settings: dict[str, dict[str, Any]]    # group id -> settings
    external_members: Counter[str]               # group id -> members outside the domain
    drives: list[Any]
    usage: dict[str, dict[str, Any]]             # parameter -> {user key: newest value}
    usage_sums: dict[str, dict[str, int]]        # parameter -> {user key: sum over the window}
    drive_events: list[Any]
    token_events: list[Any]
    usage_reported: bool = False                 # any per-person usage figure in the lookback

    def email_of(self, user_key: str) -> str:
        """A usage report's user key (the profile id) as the person's address."""
        emails = self.__dict__.setdefault("_emails", {p.user_id: p.email for p in self.people})
        return emails.get(user_key, user_key)

    def inside(self, address: str) -> bool:
        """Whether an address or domain belongs to the client's domain (or a subdomain)."""
        domain = address.rsplit("@", 1)[-1].lower()
        return domain == self.domain or domain.endswith("." + self.domain)


def _end_of(day: dt.date) -> dt.datetime:
    """The instant a Pacific date ends, in UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), PACIFIC).astimezone(dt.UTC)


def _usage(conn: sa.Connection, client_id: int, as_of: dt.date, parameters: Iterable[str],
           ) -> dict[str, dict[str, Any]]:
    """The newest user value of each parameter on or before `as_of` (within the lookback)."""
    u = m.UsageValue
    out: dict[str, dict[str, Any]] = {}
    for parameter in parameters:
        newest = conn.execute(sa.select(sa.func.max(u.date)).where(
            u.client_id == client_id, u.entity_type == "user", u.parameter == parameter,
            u.date <= as_of, u.date > as_of - dt.timedelta(days=USAGE_LOOKBACK_DAYS))).scalar()
        if newest is None:
            continue
        rows = conn.execute(sa.select(u.entity_key, u.int_value, u.bool_value, u.string_value,
                                      u.datetime_value).where(
            u.client_id == client_id, u.entity_type == "user", u.parameter == parameter,
            u.date == newest)).all()
        out[parameter] = {key: next((v for v in values if v is not None), None)
                          for key, *values in rows}
    return out


def _usage_sums(conn: sa.Connection, client_id: int, as_of: dt.date, parameters: Iterable[str],
                days: int) -> dict[str, dict[str, int]]:
    u = m.UsageValue
    out: dict[str, dict[str, int]] = {}
    for parameter in parameters:
        rows = conn.execute(sa.select(u.entity_key, sa.func.sum(u.int_value)).where(
            u.client_id == client_id, u.entity_type == "user", u.parameter == parameter,
            u.date <= as_of, u.date > as_of - dt.timedelta(days=days)).group_by(u.entity_key)
        ).all()
        if rows:
            out[parameter] = {key: int(total or 0) for key, total in rows}
    return out


def _events(conn: sa.Connection, client_id: int, app: str, names: Iterable[str],
            as_of: dt.date, days: int) -> list[Any]:
    e = m.ActivityEvent
    return list(conn.execute(sa.select(e.time, e.actor_email, e.event_name, e.params).where(
        e.client_id == client_id, e.app == app, e.event_name.in_(list(names)),
        e.time >= _end_of(as_of - dt.timedelta(days=days)), e.time < _end_of(as_of))
        .order_by(e.time)).all())


USAGE_LATEST = ("accounts:is_less_secure_apps_access_allowed", "accounts:password_strength",
                "accounts:num_authorized_apps", "accounts:timestamp_last_login")
USAGE_SUMMED = ("drive:num_owned_items_with_visibility_anyone_with_link_added",)


def load_facts(conn: sa.Connection, client_id: int, as_of: dt.date) -> Facts:
    """What the checks read about a client, as of the end of the Pacific date `as_of`."""
    domain = conn.execute(sa.select(m.Client.domain).where(m.Client.id == client_id)
                          ).scalar_one().lower()
    snapshot_id = newest_snapshot(conn, client_id, before=_end_of(as_of))
    people: list[Any] = []
    groups: dict[str, Any] = {}
    settings: dict[str, dict[str, Any]] = {}
    drives: list[Any] = []
    external: Counter[str] = Counter()
    if snapshot_id is not None:
        people = list(conn.execute(sa.select(m.Person.__table__).where(
            m.Person.snapshot_id == snapshot_id).order_by(m.Person.email)).all())
        groups = {g.group_id: g for g in conn.execute(sa.select(m.Group.__table__).where(
            m.Group.snapshot_id == snapshot_id).order_by(m.Group.email)).all()}
        settings = {s.group_id: s.settings for s in conn.execute(
            sa.select(m.GroupSettings.__table__).where(
                m.GroupSettings.snapshot_id == snapshot_id)).all()}
        drives = list(conn.execute(sa.select(m.SharedDrive.__table__).where(
            m.SharedDrive.snapshot_id == snapshot_id).order_by(m.SharedDrive.name)).all())
        for group_id, email in conn.execute(sa.select(m.GroupMember.group_id, m.GroupMember.email)
                                            .where(m.GroupMember.snapshot_id == snapshot_id)):
            member_domain = (email or "").rsplit("@", 1)[-1]
            if email and member_domain != domain and not member_domain.endswith("." + domain):
                external[group_id] += 1
    return Facts(
        domain=domain, as_of=as_of, snapshot_id=snapshot_id, people=people, groups=groups,
        group_settings=settings, external_members=external, drives=drives,
        usage=_usage(conn, client_id, as_of, USAGE_LATEST),
        usage_sums=_usage_sums(conn, client_id, as_of, USAGE_SUMMED, SHARING_WINDOW_DAYS),
        drive_events=_events(conn, client_id, "drive",
                             ("change_document_visibility", "change_user_access"), as_of,
                             SHARING_WINDOW_DAYS),
        token_events=_events(conn, client_id, "token", ("authorize",), as_of,
                             OAUTH_WINDOW_DAYS),
        usage_reported=_usage_reported(conn, client_id, as_of))


def _usage_reported(conn: sa.Connection, client_id: int, as_of: dt.date) -> bool:
    u = m.UsageValue
    return conn.execute(sa.select(u.client_id).where(
        u.client_id == client_id, u.entity_type == "user", u.date <= as_of,
        u.date > as_of - dt.timedelta(days=USAGE_LOOKBACK_DAYS)).limit(1)).first() is not None


# -- the checks ----------------------------------------------------------------------------------

def _active(people: Iterable[Any]) -> list[Any]:
    return [p for p in people if not p.suspended and not p.archived]


def _is_admin(person: Any) -> bool:
    return bool(person.is_admin or person.is_delegated_admin or person.admin_roles)


def _last_seen(facts: Facts, person: Any) -> tuple[dt.date | None, str]:
    """The Pacific date a person last signed in (directory or usage report, the later), else
    the date the account was made; with what it is, for the detail."""
    logins = [as_utc(person.last_login_at)]
    usage = facts.usage.get("accounts:timestamp_last_login", {}).get(person.user_id)
    if isinstance(usage, dt.datetime):
        logins.append(as_utc(usage))
    real = [t for t in logins if t is not None and t.year > 1970]
    if real:
        return max(real).astimezone(PACIFIC).date(), "last sign-in"
    created = as_utc(person.created_at)
    if created is not None:
        return created.astimezone(PACIFIC).date(), "never signed in; created"
    return None, "never signed in"


def _inactive(facts: Facts, people: Iterable[Any], at_least: int, below: int | None
              ) -> list[dict[str, str]]:
    out = []
    for person in people:
        seen, what = _last_seen(facts, person)
        if seen is None:
            continue
        idle = (facts.as_of - seen).days
        if idle >= at_least and (below is None or idle < below):
            out.append(_affected("user", person.email, f"{what} {seen.isoformat()} "
                                 f"({idle} days)"))
    return out


def _missing(facts: Facts) -> str:
    """The status of a check whose usage figure is absent: not available when reports arrived
    without it (the edition does not report it), not applicable when none arrived yet."""
    return "not_available" if facts.usage_reported else "not_applicable"


def _verdict(affected: list[dict[str, str]], applicable: bool = True) -> str:
    if not applicable:
        return "not_applicable"
    return "fail" if affected else "pass"


def check_super_admins(facts: Facts) -> tuple[str, list[dict[str, str]], dict[str, int]]:
    supers = [p for p in _active(facts.people) if p.is_admin]
    n = len(supers)
    if facts.snapshot_id is None:
        return "not_applicable", [], {}
    counts = {"super_admins": n, "min": SUPER_ADMINS_MIN, "max": SUPER_ADMINS_MAX}
    if SUPER_ADMINS_MIN <= n <= SUPER_ADMINS_MAX:
        return "pass", [], counts
    detail = (f"only {n} super admin(s); at least {SUPER_ADMINS_MIN} needed" if n <
              SUPER_ADMINS_MIN else f"{n} super admins; at most {SUPER_ADMINS_MAX} advised")
    return "fail", [_affected("user", p.email, detail) for p in supers], counts


def check_admins_without_2sv(facts: Facts):
    admins = [p for p in _active(facts.people) if _is_admin(p)]
    affected = [_affected("user", p.email, "super admin" if p.is_admin else
                          "admin: " + ", ".join(p.admin_roles or ["delegated"]))
                for p in admins if not p.is_enrolled_2sv]
    return _verdict(affected, bool(admins)), affected, {"admins": len(admins)}


def check_users_without_2sv(facts: Facts):
    users = [p for p in _active(facts.people) if not _is_admin(p)]
    affected = [_affected("user", p.email, "2SV enforced, not enrolled" if p.is_enforced_2sv
                          else "not enrolled")
                for p in users if not p.is_enrolled_2sv]
    return _verdict(affected, bool(users)), affected, {"users": len(users)}


def check_admins_without_recovery(facts: Facts):
    admins = [p for p in _active(facts.people) if _is_admin(p)]
    affected = []
    for p in admins:
        missing = [name for name, has in (("recovery phone", p.has_recovery_phone),
                                          ("recovery email", p.has_recovery_email)) if not has]
        if missing:
            affected.append(_affected("user", p.email, "no " + " or ".join(missing)))
    return _verdict(affected, bool(admins)), affected, {"admins": len(admins)}


def check_inactive_30(facts: Facts):
    users = _active(facts.people)
    affected = _inactive(facts, users, INACTIVE_DAYS, LONG_INACTIVE_DAYS)
    return _verdict(affected, bool(users)), affected, {"users": len(users)}


def check_inactive_90(facts: Facts):
    users = _active(facts.people)
    affected = _inactive(facts, users, LONG_INACTIVE_DAYS, None)
    return _verdict(affected, bool(users)), affected, {"users": len(users)}


def check_inactive_admins(facts: Facts):
    admins = [p for p in _active(facts.people) if _is_admin(p)]
    affected = _inactive(facts, admins, INACTIVE_DAYS, None)
    return _verdict(affected, bool(admins)), affected, {"admins": len(admins)}


def check_suspended_licensed(facts: Facts):
    suspended = [p for p in facts.people if p.suspended and not p.archived]
    affected = [_affected("user", p.email, "suspended, not archived or deleted")
                for p in suspended]
    return _verdict(affected, facts.snapshot_id is not None), affected, {
        "suspended": len(suspended), "archived": sum(1 for p in facts.people if p.archived)}


def _visibility(params: dict[str, Any]) -> str:
    new = params.get("new_value")
    if isinstance(new, list) and new:
        return str(new[0])
    return str(params.get("visibility") or "")


def check_public_links(facts: Facts):
    latest: dict[str, tuple[str, str]] = {}  # doc id -> (visibility, who)
    for event in facts.drive_events:
        if event.event_name != "change_document_visibility":
            continue
        doc = str(event.params.get("doc_id") or "")
        if doc:
            latest[doc] = (_visibility(event.params), event.params.get("owner") or
                           event.actor_email or "")
    affected = [_affected("file", doc, f"{visibility} (owner {who or 'a shared drive'})")
                for doc, (visibility, who) in sorted(latest.items())
                if visibility in PUBLIC_VISIBILITY]
    sums = facts.usage_sums.get(
        "drive:num_owned_items_with_visibility_anyone_with_link_added", {})
    people = {k: n for k, n in sums.items() if n > 0}
    affected += [_affected("user", facts.email_of(k),
                           f"{n} item(s) opened to anyone with the link in "
                           f"{SHARING_WINDOW_DAYS} days")
                 for k, n in sorted(people.items(), key=lambda kv: facts.email_of(kv[0]))]
    if not facts.drive_events and not sums and facts.usage_reported:
        # reports came without the Drive figure and no Drive log: nothing to judge it by
        return "not_available", [], {}
    applicable = bool(facts.drive_events) or bool(sums) or facts.snapshot_id is not None
    return _verdict(affected, applicable), affected, {
        "files": sum(1 for a in affected if a["type"] == "file"), "people": len(people),
        "items_by_usage": sum(people.values())}


def check_shared_drive_external(facts: Facts):
    reasons: dict[str, list[str]] = defaultdict(list)
    names = {d.drive_id: d.name for d in facts.drives}
    for drive in facts.drives:
        if not drive.restrictions.get("domainUsersOnly"):
            reasons[drive.drive_id].append("files can be shared outside the organisation")
        outside = [p.get("email") or p.get("domain") for p in drive.permissions
                   if (p.get("email") or p.get("domain")) and
                   not facts.inside(p.get("email") or p.get("domain"))]
        if outside:
            reasons[drive.drive_id].append(f"{len(outside)} member(s) outside the organisation")
    shared_out: Counter[str] = Counter()
    for event in facts.drive_events:
        drive = event.params.get("shared_drive_id")
        if not drive:
            continue
        target = str(event.params.get("target_user") or "")
        external = (event.params.get("visibility_change") == "external"
                    or _visibility(event.params) in PUBLIC_VISIBILITY
                    or (target and not facts.inside(target)))
        if external and _visibility(event.params) not in ("none", "private"):
            shared_out[drive] += 1
    for drive, n in shared_out.items():
        reasons[drive].append(f"{n} item(s) shared outside in {SHARING_WINDOW_DAYS} days")
    affected = [_affected("drive", d, f"{names.get(d, '?')}: " + "; ".join(why))
                for d, why in sorted(reasons.items(), key=lambda kv: names.get(kv[0], kv[0]))]
    applicable = bool(facts.drives) or bool(shared_out)
    return _verdict(affected, applicable), affected, {
        "drives": len(facts.drives), "shared_out_events": sum(shared_out.values())}


def _usage_people(facts: Facts, parameter: str, test: Callable[[Any], bool], detail: str):
    values = facts.usage.get(parameter)
    if values is None:
        return _missing(facts), [], {}
    hits = sorted(facts.email_of(k) for k, v in values.items() if test(v))
    affected = [_affected("user", email, detail) for email in hits]
    return _verdict(affected), affected, {"people": len(values)}


def check_less_secure_apps(facts: Facts):
    return _usage_people(facts, "accounts:is_less_secure_apps_access_allowed",
                         lambda v: v is True, "less secure app access allowed")


def check_weak_passwords(facts: Facts):
    return _usage_people(facts, "accounts:password_strength",
                         lambda v: str(v).upper() == "WEAK", "password strength WEAK")


def check_oauth_apps(facts: Facts):
    values = facts.usage.get("accounts:num_authorized_apps")
    if values is None and not facts.token_events:
        return _missing(facts), [], {}
    heavy = {k: int(v) for k, v in (values or {}).items()
             if isinstance(v, int) and v > OAUTH_APPS_PER_PERSON}
    affected = [_affected("user", facts.email_of(k), f"{n} third-party apps authorised")
                for k, n in sorted(heavy.items(), key=lambda kv: facts.email_of(kv[0]))]
    apps: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for event in facts.token_events:
        client = str(event.params.get("client_id") or "")
        if client:
            apps[client].add(event.actor_email or "")
            names[client] = str(event.params.get("app_name") or client)
    too_many_apps = len(apps) > OAUTH_APPS_DISTINCT
    if affected or too_many_apps:
        affected += [_affected("app", client, f"{names[client]}: {len(who)} person(s)")
                     for client, who in sorted(apps.items(), key=lambda kv: -len(kv[1]))]
    return _verdict(affected), affected, {
        "people_over_threshold": len(heavy), "distinct_apps": len(apps),
        "per_person_threshold": OAUTH_APPS_PER_PERSON, "distinct_threshold": OAUTH_APPS_DISTINCT}


def check_open_groups(facts: Facts):
    affected = []
    for group_id, group in facts.groups.items():
        settings = facts.group_settings.get(group_id, {})
        why = []
        if str(settings.get("allowExternalMembers", "")).lower() == "true":
            why.append("external members allowed")
        if settings.get("whoCanJoin") == "ANYONE_CAN_JOIN":
            why.append("anyone can join")
        if why:
            if facts.external_members[group_id]:
                why.append(f"{facts.external_members[group_id]} external member(s)")
            affected.append(_affected("group", group.email, "; ".join(why)))
    return _verdict(affected, bool(facts.group_settings)), affected, {
        "groups": len(facts.groups)}


def check_drives_without_organizer(facts: Facts):
    affected = [_affected("drive", d.drive_id, f"{d.name}: no organizer, "
                          f"{len(d.permissions)} member(s)")
                for d in facts.drives if d.organizers == 0]
    return _verdict(affected, bool(facts.drives)), affected, {"drives": len(facts.drives)}


# -- the registry ---------------------------------------------------------------------------------

_SECURITY = "Admin console > Security > Authentication > 2-Step Verification"

CHECKS: list[CheckDefinition] = [
    CheckDefinition(
        "super-admins-count", f"{CIS} 1.1.1, 1.1.2", "high",
        _text("최고 관리자 수 (2~4명)", "Super admins between 2 and 4"),
        _text("최고 관리자가 한 명뿐이면 그 계정을 잃었을 때 조직을 관리할 사람이 없고, 너무 많으면 "
              "공격받을 수 있는 강력한 계정이 늘어납니다.",
              "With one super admin, losing that account leaves nobody able to run the "
              "organisation; with many, there are more all-powerful accounts to attack."),
        _text("최고 관리자를 2~4명으로 맞추고, 나머지 관리자에게는 필요한 권한만 가진 역할을 "
              "주세요.", "Keep two to four super admins; give other administrators a role "
              "with only the privileges they need."),
        "Admin console > Directory > Users > (filter: Admin role = Super admin)",
        "Directory users: isAdmin, suspended"),
    CheckDefinition(
        "admins-without-2sv", f"{CIS} 4.1.1.1", "critical",
        _text("2단계 인증을 사용하지 않는 관리자", "Admins without 2-Step Verification"),
        _text("관리자 계정은 조직 전체의 데이터와 설정을 바꿀 수 있습니다. 비밀번호만으로 보호되면 "
              "피싱 한 번으로 조직 전체가 위험해집니다.",
              "Admin accounts can change every setting and reach all data; protected by a "
              "password alone, one phishing email puts the whole organisation at risk."),
        _text("관리자에게 2단계 인증을 등록하게 하고, 관리자 그룹에 2단계 인증을 적용(강제)하세요.",
              "Have each admin enrol in 2SV, then enforce 2SV for a group of all admins."),
        _SECURITY, "Directory users: isAdmin, isDelegatedAdmin, admin role assignments, "
        "isEnrolledIn2Sv"),
    CheckDefinition(
        "users-without-2sv", f"{CIS} 4.1.1.3", "high",
        _text("2단계 인증을 사용하지 않는 사용자", "Users without 2-Step Verification"),
        _text("도용된 비밀번호는 2단계 인증이 없으면 그대로 계정 탈취로 이어집니다.",
              "Without 2SV, a stolen password is a stolen account."),
        _text("구성원에게 2단계 인증 등록을 안내하고(코칭 세션에서 함께 해 보세요), 등록 기간을 준 "
              "뒤 적용(강제)하세요.", "Walk people through enrolling (a coaching session is a "
              "good moment), give an enrolment period, then enforce 2SV."),
        _SECURITY, "Directory users (not admins): isEnrolledIn2Sv, isEnforcedIn2Sv"),
    CheckDefinition(
        "admins-without-recovery", SMB, "low",
        _text("복구 정보가 없는 관리자", "Admins without recovery information"),
        _text("복구 전화번호나 이메일이 없으면 관리자가 비밀번호를 잊었을 때 계정을 되찾기 "
              "어렵습니다.", "Without a recovery phone or email an admin who forgets the "
              "password may be locked out of the account."),
        _text("관리자 계정에 복구 전화번호와 복구 이메일(개인 주소)을 추가하세요.",
              "Add a recovery phone and a recovery email (a personal address) to each admin "
              "account."),
        "Admin console > Directory > Users > (admin) > Security > Recovery information",
        "Directory users: recoveryEmail, recoveryPhone (presence only)"),
    CheckDefinition(
        "inactive-users-30d", SMB, "low",
        _text(f"{INACTIVE_DAYS}일 이상 로그인하지 않은 사용자",
              f"Users inactive for {INACTIVE_DAYS} days"),
        _text("쓰이지 않는 계정은 아무도 지켜보지 않는 출입구입니다. 도움이 필요한 사람일 수도 "
              "있습니다.", "Unused accounts are doors nobody watches; they may also be people "
              "who need help getting started."),
        _text("본인에게 확인해 계속 쓸지 정하고, 떠난 사람이면 데이터를 옮긴 뒤 정지 또는 "
              "삭제하세요.", "Ask the person; if they have left, transfer their data, then "
              "suspend or delete the account."),
        "Admin console > Directory > Users > (filter: Last sign-in)",
        f"Directory lastLoginTime and usage accounts:timestamp_last_login (the later), else "
        f"creationTime; {INACTIVE_DAYS} to {LONG_INACTIVE_DAYS - 1} days"),
    CheckDefinition(
        "inactive-users-90d", SMB, "medium",
        _text(f"{LONG_INACTIVE_DAYS}일 이상 로그인하지 않은 사용자",
              f"Users inactive for {LONG_INACTIVE_DAYS} days"),
        _text("세 달 넘게 쓰지 않은 계정은 떠난 사람의 계정일 가능성이 높고, 라이선스 비용도 "
              "계속 나갑니다.", "An account unused for three months most likely belongs to "
              "someone who left, and its licence is still paid for."),
        _text("데이터를 옮긴 뒤 계정을 삭제하거나 보관(Archived User)하세요.",
              "Transfer the data, then delete the account or make it an Archived User."),
        "Admin console > Directory > Users > (filter: Last sign-in)",
        f"as inactive-users-30d; {LONG_INACTIVE_DAYS} days or more"),
    CheckDefinition(
        "inactive-admins", SMB, "medium",
        _text(f"{INACTIVE_DAYS}일 이상 로그인하지 않은 관리자",
              f"Admins inactive for {INACTIVE_DAYS} days"),
        _text("쓰지 않는 관리자 계정은 권한만 남아 있어 탈취되어도 알아채기 어렵습니다.",
              "An unused admin account keeps its privileges; if it is taken over, nobody "
              "notices."),
        _text("관리자 권한을 회수하거나 계정을 정지하세요.",
              "Revoke the admin role or suspend the account."),
        "Admin console > Account > Admin roles",
        f"admins' last sign-in as inactive-users-30d; {INACTIVE_DAYS} days or more"),
    CheckDefinition(
        "suspended-users-licensed", SMB, "low",
        _text("라이선스가 남아 있는 정지된 사용자", "Suspended users still licensed"),
        _text("Google은 정지된 계정에도 라이선스 비용을 청구합니다(보관 사용자나 삭제된 계정은 "
              "제외). 이 도구가 읽는 읽기 전용 API로는 라이선스 배정을 볼 수 없어, 보관되지 않은 "
              "정지 계정을 모두 라이선스가 남은 것으로 봅니다.",
              "Google bills a licence for a suspended account until it is deleted or made an "
              "Archived User. The read-only APIs this toolkit uses cannot see licence "
              "assignments, so every suspended account that is not archived is counted as "
              "still licensed."),
        _text("데이터를 옮긴 뒤 계정을 삭제하거나 보관 사용자로 바꾸고, 구독의 라이선스 수를 "
              "줄이세요.", "Transfer the data, then delete the account or make it an Archived "
              "User, and reduce the subscription's licence count."),
        "Admin console > Billing > Subscriptions",
        "Directory users: suspended, archived"),
    CheckDefinition(
        "files-public-by-link", SMB, "high",
        _text("링크가 있는 모든 사용자에게 공개된 파일", "Files made public or shared by link"),
        _text("'링크가 있는 모든 사용자' 공개는 링크가 전달되는 순간 누구나 파일을 볼 수 있게 "
              "합니다.", "A file open to anyone with the link can be read by whoever the link "
              "reaches."),
        _text("파일 소유자에게 공유 대상을 특정 사람으로 바꾸게 하고, 조직 밖 공유 설정에서 "
              "'링크가 있는 모든 사용자' 공개를 끄세요.", "Ask owners to share with named people "
              "instead, and turn off link sharing to anyone in the sharing settings."),
        "Admin console > Apps > Google Workspace > Drive and Docs > Sharing settings",
        f"Drive audit events change_document_visibility to people_with_link or "
        f"public_on_the_web (newest per file, {SHARING_WINDOW_DAYS} days); usage "
        f"drive:num_owned_items_with_visibility_anyone_with_link_added"),
    CheckDefinition(
        "shared-drive-external-sharing", SMB, "medium",
        _text("조직 밖으로 공유되는 공유 드라이브", "External sharing from shared drives"),
        _text("공유 드라이브의 파일은 팀 전체의 자료입니다. 외부 공유가 허용되면 구성원 한 명의 "
              "실수로 팀 자료가 밖으로 나갑니다.", "Shared drive files belong to the whole "
              "team; if outside sharing is allowed, one member's mistake sends team files out."),
        _text("공유 드라이브 설정에서 '조직 외부 사용자의 액세스 허용'을 끄고, 외부 구성원을 "
              "검토하세요.", "In the shared drive's settings turn off access for people outside "
              "the organisation, and review outside members."),
        "Admin console > Apps > Google Workspace > Drive and Docs > Manage shared drives",
        "Shared drives: restrictions.domainUsersOnly, members outside the domain; Drive audit "
        f"events in a shared drive shared outside ({SHARING_WINDOW_DAYS} days)"),
    CheckDefinition(
        "less-secure-apps-allowed", SMB, "high",
        _text("보안 수준이 낮은 앱 허용", "Less secure apps allowed"),
        _text("보안 수준이 낮은 앱은 비밀번호만으로 로그인해 2단계 인증을 우회합니다. Google은 이 "
              "접근을 종료하고 있습니다.", "Less secure apps sign in with the password alone "
              "and bypass 2SV; Google is retiring this access."),
        _text("보안 수준이 낮은 앱 접근을 끄고, 해당 앱을 OAuth를 지원하는 방식으로 바꾸세요.",
              "Turn less secure app access off and move those apps to OAuth."),
        "Admin console > Security > Access and data control > Less secure apps",
        "Usage accounts:is_less_secure_apps_access_allowed (newest date)"),
    CheckDefinition(
        "weak-passwords", SMB, "medium",
        _text("약한 비밀번호", "Weak passwords"),
        _text("약한 비밀번호는 쉽게 추측되거나 유출 목록에 들어 있습니다.",
              "Weak passwords are guessed easily or already sit in leaked lists."),
        _text("비밀번호 정책에서 '강력한 비밀번호 적용'과 최소 12자를 켜고 다음 로그인 시 변경하게 "
              "하세요.", "Enforce strong passwords of at least 12 characters and require a "
              "change at next sign-in."),
        "Admin console > Security > Authentication > Password management",
        "Usage accounts:password_strength = WEAK (newest date)"),
    CheckDefinition(
        "many-oauth-apps", SMB, "medium",
        _text("너무 많은 외부 앱 권한", "Many OAuth apps"),
        _text("외부 앱에 준 권한은 비밀번호를 바꿔도 남아 있으며, 앱이 많을수록 데이터가 나가는 "
              "통로가 늘어납니다.", "Grants to third-party apps survive password changes; "
              "every extra app is another way for data to leave."),
        _text("앱 액세스 제어에서 쓰이는 앱을 검토해 신뢰할 앱만 허용하고 나머지는 차단하세요.",
              "Review the apps in App access control; trust the ones you need and block the "
              "rest."),
        "Admin console > Security > Access and data control > API controls > App access control",
        f"Usage accounts:num_authorized_apps over {OAUTH_APPS_PER_PERSON} for a person, or over "
        f"{OAUTH_APPS_DISTINCT} distinct apps in token authorize events "
        f"({OAUTH_WINDOW_DAYS} days)"),
    CheckDefinition(
        "groups-open-to-external", SMB, "medium",
        _text("외부에 열린 그룹", "Groups open to external members"),
        _text("외부 구성원을 허용하거나 누구나 가입할 수 있는 그룹은 조직 밖 사람이 메일과 공유 "
              "파일을 받게 합니다.", "A group that allows external members or that anyone can "
              "join lets outsiders receive its mail and the files shared with it."),
        _text("그룹 설정에서 외부 구성원 허용을 끄고, 가입 방식을 '초대된 사용자만' 또는 '조직 "
              "내 사용자'로 바꾸세요.", "In the group's settings turn off external members and "
              "set who can join to invited users or people in the organisation."),
        "Admin console > Directory > Groups > (group) > Access settings",
        "Groups Settings: allowExternalMembers, whoCanJoin = ANYONE_CAN_JOIN"),
    CheckDefinition(
        "shared-drives-without-organizer", SMB, "medium",
        _text("관리자(주최자)가 없는 공유 드라이브", "Shared drives with no organizer left"),
        _text("관리자가 없는 공유 드라이브는 아무도 구성원과 설정을 관리할 수 없습니다. 관리자 "
              "계정이 삭제되면 생깁니다.", "Nobody can manage the members or settings of a "
              "shared drive without an organizer; it happens when its organizers' accounts are "
              "deleted."),
        _text("관리 콘솔에서 해당 공유 드라이브에 관리자 권한을 가진 구성원을 추가하세요.",
              "Add a member with the Manager role to the drive from the Admin console."),
        "Admin console > Apps > Google Workspace > Drive and Docs > Manage shared drives",
        "Shared drives (domain admin access): members with role organizer"),
]

_EVALUATORS: dict[str, Callable[[Facts], tuple[str, list[dict[str, str]], dict[str, int]]]] = {
    "super-admins-count": check_super_admins,
    "admins-without-2sv": check_admins_without_2sv,
    "users-without-2sv": check_users_without_2sv,
    "admins-without-recovery": check_admins_without_recovery,
    "inactive-users-30d": check_inactive_30,
    "inactive-users-90d": check_inactive_90,
    "inactive-admins": check_inactive_admins,
    "suspended-users-licensed": check_suspended_licensed,
    "files-public-by-link": check_public_links,
    "shared-drive-external-sharing": check_shared_drive_external,
    "less-secure-apps-allowed": check_less_secure_apps,
    "weak-passwords": check_weak_passwords,
    "many-oauth-apps": check_oauth_apps,
    "groups-open-to-external": check_open_groups,
    "shared-drives-without-organizer": check_drives_without_organizer,
}
CHECKS_BY_ID: dict[str, CheckDefinition] = {c.id: c for c in CHECKS}


def evaluate_checks(conn: sa.Connection, client_id: int, as_of: dt.date) -> list[CheckOutcome]:
    """Every check in `CHECKS` order for a client, as of the end of the Pacific date `as_of`
    (pass today's date to include today's Drive and token events; usage figures are the newest
    stored on or before it, within `USAGE_LOOKBACK_DAYS`)."""
    facts = load_facts(conn, client_id, as_of)
    outcomes = []
    for check in CHECKS:
        status, affected, counts = _EVALUATORS[check.id](facts)
        outcomes.append(CheckOutcome(check, status, affected, counts))
    return outcomes


def store_outcomes(conn: sa.Connection, run_id: int, client_id: int,
                   outcomes: Iterable[CheckOutcome]) -> int:
    """Write one `check_results` row per outcome for the run (again: replaced); returns how many."""
    rows = [o.row(run_id, client_id) for o in outcomes]
    upsert(conn, m.CheckResult.__table__, rows, ["run_id", "check_id"])
    return len(rows)
