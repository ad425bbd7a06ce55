"""Judge a roster and an org spec together, before anything touches a tenant.

Why all at once: an admin fixing a 40-row spreadsheet wants the whole list, not one error per
run. Every problem is an `Issue` (`file:row: column: message`); errors stop provisioning,
warnings are shown and allowed. Nothing here raises except `ValidationResult.raise_for_errors`.
The result also carries what plan needs next: generated addresses and resolved memberships.
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from workspace_coach.errors import UserError
from workspace_coach.provision.emails import EmailAssignment, assign_emails, is_valid_username
from workspace_coach.provision.issues import Issue
from workspace_coach.provision.roster import Person, Roster
from workspace_coach.provision.spec import DOMAIN_RE, Group, GroupMember, OrgSpec

MAX_NAME = 60
FORMULA_START = ("=", "+", "-", "@")
ROLE_RANK = {"MEMBER": 1, "MANAGER": 2, "OWNER": 3}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069"
                      r"\ufeff]")


@dataclass
class ValidationResult:
    """Everything validation learnt: problems, and the facts plan builds on."""

    people: list[Person]
    spec: OrgSpec | None
    domain: str | None
    emails: dict[str, EmailAssignment] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    encoding: str | None = None
    _index: dict[str, Person] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def email_of(self, person: Person) -> str | None:
        """The person's address: from the roster, or generated."""
        assignment = self.emails.get(person.key)
        return assignment.email if assignment else person.email

    def org_unit_of(self, person: Person) -> str:
        """Where the person goes: the row's org unit, else their first team's, else the root."""
        if self.spec is not None:
            return self.spec.org_unit_for(person.org_unit, person.teams)
        return person.org_unit or "/"

    def find_person(self, ref: str) -> Person | None:
        """A person by email (given or generated) or employee id."""
        if self._index is None:
            index: dict[str, Person] = {}
            for person in reversed(self.people):  # the first row wins on duplicates
                email = self.email_of(person)
                if email:
                    index[email] = person
            for person in reversed(self.people):
                if person.employee_id:
                    index[person.employee_id] = person
            self._index = index
        ref = ref.strip()
        return self._index.get(ref) or self._index.get(ref.lower())

    def group_members(self, group: Group) -> dict[str, str]:
        """Resolved members of a spec group: address -> role, the highest role winning.

        People who have left (an end date in the past) are not members; unresolvable rules are
        skipped (validation has reported them).
        """
        members: dict[str, str] = {}
        today = dt.date.today()

        def add(email: str | None, role: str) -> None:
            if email and ROLE_RANK[role] > ROLE_RANK.get(members.get(email, ""), 0):
                members[email] = role

        for rule in group.members:
            kind, value = _resolve(rule, self)
            if kind in ("person", "external", "group"):
                add(value, rule.role)
            elif kind in ("team", "org_unit"):
                for person in self.people:
                    if person.end_date and person.end_date < today:
                        continue
                    inside = (value in person.teams if kind == "team"
                              else _under(self.org_unit_of(person), value))
                    if inside:
                        add(self.email_of(person), rule.role)
        return members

    def raise_for_errors(self) -> None:
        """Raise ValidationFailed when there is any error."""
        if self.errors:
            raise ValidationFailed(self.errors, self.warnings)


class ValidationFailed(UserError):
    """The input has errors; the message lists every one of them, one per line."""

    def __init__(self, errors: Sequence[Issue], warnings: Sequence[Issue] = ()):
        self.errors = list(errors)
        self.warnings = list(warnings)
        count = len(self.errors)
        lines = [f"{count} problem{'s' if count != 1 else ''} in the input:"]
        lines += [str(i) for i in self.errors]
        super().__init__("\n".join(lines))


def _under(path: str, root: str) -> bool:
    return root == "/" or path == root or path.startswith(root.rstrip("/") + "/")


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months, clamped to the month's end (Aug 31 + 6 -> Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _resolve(rule: GroupMember, result: ValidationResult) -> tuple[str, str | None]:
    """What a membership rule points at: ("person", email), ("team", name), ("org_unit",
    path), ("group", email), ("external", email), or ("unknown", reason)."""
    spec = result.spec
    # With a spec, only what it defines counts (the roster's unknown names are errors already).
    if spec and spec.teams:
        teams = {t.name for t in spec.teams}
    else:
        teams = {t for p in result.people for t in p.teams}
    units = spec.org_unit_paths() if spec else {"/"} | {result.org_unit_of(p)
                                                         for p in result.people}
    groups = {g.email for g in spec.groups} if spec else set()
    kind, value = rule.kind, rule.target
    if kind in ("person", "ref"):
        person = result.find_person(value)
        if person is not None:
            return "person", result.email_of(person)
        if kind == "person" or "@" in value:
            email = value.lower()
            if email in groups:
                return "group", email
            if "@" in email and spec is not None and not spec.owns(email):
                return "external", email
            return "unknown", f"no person with email or employee id {value!r} in the roster"
    if kind in ("team", "ref") and value in teams:
        return "team", value
    if kind == "team":
        return "unknown", f"unknown team {value!r}{_suggest(value, teams)}"
    if kind in ("org_unit", "ref") and value.startswith("/"):
        path = "/" + "/".join(p for p in value.split("/") if p)
        if path in units:
            return "org_unit", path
        return "unknown", f"unknown org unit {value!r}{_suggest(path, units)}"
    if kind == "group":
        if value.lower() in groups:
            return "group", value.lower()
        return "unknown", f"no group {value!r} in groups"
    return "unknown", (f"{value!r} is neither a person (email or employee id), a team nor an "
                       f"org unit{_suggest(value, teams)}")


def _suggest(value: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, sorted(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _suggest_email(value: str, options: Iterable[str]) -> str:
    """Suggest by the part before the @, so a shared domain does not make everything close."""
    by_local = {o.partition("@")[0]: o for o in options}
    close = difflib.get_close_matches(value.partition("@")[0], sorted(by_local), n=1,
                                      cutoff=0.7)
    return f"; did you mean {by_local[close[0]]!r}?" if close else ""


class _Checker:
    """Collects issues; one instance per validation run."""

    def __init__(self, roster: Roster, spec: OrgSpec | None):
        self.roster = roster
        self.spec = spec
        self.errors: list[Issue] = []
        self.warnings: list[Issue] = []

    def cell(self, person: Person, column: str, message: str, warning: bool = False) -> None:
        issue = Issue(person.source, person.row, self.roster.column(column), message,
                      "warning" if warning else "error")
        (self.warnings if warning else self.errors).append(issue)

    def at(self, loc: tuple[str | int, ...], message: str, warning: bool = False) -> None:
        assert self.spec is not None
        issue = self.spec.issue(loc, message, "warning" if warning else "error")
        (self.warnings if warning else self.errors).append(issue)

    def add(self, issue: Issue) -> None:
        (self.warnings if issue.severity == "warning" else self.errors).append(issue)


def _infer_domain(people: Sequence[Person]) -> str | None:
    domains = Counter(p.email.rpartition("@")[2] for p in people if p.email and "@" in p.email)
    if len(domains) == 1:
        return next(iter(domains))
    return None


def _text_fields(person: Person) -> list[tuple[str, str]]:
    fields = [("name", person.name), ("given_name", person.given_name),
              ("family_name", person.family_name), ("english_name", person.english_name),
              ("email", person.email or ""), ("employee_id", person.employee_id or ""),
              ("org_unit", person.org_unit or ""), ("role", person.role or ""),
              ("phone", person.phone or "")]
    fields += [("teams", t) for t in person.teams]
    fields += [("rotating_roles", h.role) for h in person.rotating_roles]
    return fields


def _name_column(roster: Roster, part: str) -> str:
    """The column a name part came from: its own column if the file has one, else `name`."""
    return part if part in roster.columns else "name"


def _check_person(c: _Checker, person: Person, domains: tuple[str, ...]) -> None:
    for column, text in _text_fields(person):
        bad = _CONTROL.search(text)
        if bad:
            column = _name_column(c.roster, column) if column.endswith("_name") else column
            c.cell(person, column, f"contains the control character U+{ord(bad.group()):04X}")
    if not person.name:
        c.cell(person, "name", "no name")
    else:
        for part, label in (("given_name", "given name"), ("family_name", "family name")):
            value = getattr(person, part)
            column = _name_column(c.roster, part)
            if not value:
                c.cell(person, column, f"{label} is empty; the directory needs both names")
            elif len(value) > MAX_NAME:
                c.cell(person, column, f"{label} is {len(value)} characters; at most {MAX_NAME}")
            if "<" in value or ">" in value:
                c.cell(person, column, f"{label} may not contain '<' or '>'")
        for column in ("name", "given_name", "family_name", "english_name"):
            value = getattr(person, column)
            if column in c.roster.columns and value.startswith(FORMULA_START):
                c.cell(person, column, f"starts with {value[0]!r} like a spreadsheet formula; "
                       "it is kept as plain text", warning=True)
    if person.english_name and re.search(r"[^A-Za-z\u00c0-\u024f .'-]", person.english_name):
        c.cell(person, "english_name", "use Latin letters, spaces, '.', \"'\" and '-' only")
    if person.email:
        local, at, domain = person.email.rpartition("@")
        if not at or not is_valid_username(local) or not DOMAIN_RE.match(domain):
            c.cell(person, "email", f"not a valid address: {person.email!r} (a-z, 0-9, '.', "
                   "'-', '_' and \"'\" before the @)")
        elif domains and domain not in domains:
            owner = c.spec.source if c.spec else "--domain"
            c.cell(person, "email", f"{person.email} is in {domain}, which {owner} does not own "
                   f"({', '.join(domains)})")
    if person.password is not None:
        pw = person.password
        if not all(" " <= ch <= "~" for ch in pw):
            c.cell(person, "password", "password must be ASCII letters, digits and symbols")
        elif not 8 <= len(pw) <= 100:
            c.cell(person, "password", f"password must be 8 to 100 characters (has {len(pw)})")
    if person.start_date and person.end_date and person.end_date < person.start_date:
        c.cell(person, "end_date", f"ends {person.end_date} before starting {person.start_date}")
    spec = c.spec
    if spec is None:
        return
    known_teams = {t.name for t in spec.teams}
    if known_teams:
        for team in person.teams:
            if team not in known_teams:
                c.cell(person, "teams", f"unknown team {team!r}"
                       + (_suggest(team, known_teams) or f" ({spec.source} defines "
                          + ", ".join(sorted(known_teams)) + ")"))
    if person.org_unit and person.org_unit not in spec.org_unit_paths():
        c.cell(person, "org_unit", f"unknown org unit {person.org_unit!r}"
               + _suggest(person.org_unit, spec.org_unit_paths()))
    roles = {r.name for r in spec.rotating_roles}
    for holding in person.rotating_roles:
        if holding.role not in roles:
            c.cell(person, "rotating_roles", f"unknown rotating role {holding.role!r}"
                   + _suggest(holding.role, roles))


def _check_duplicates(c: _Checker, people: Sequence[Person]) -> None:
    first_email: dict[str, Person] = {}
    first_id: dict[str, Person] = {}
    first_key: dict[str, Person] = {}
    for person in people:
        if person.email:
            if person.email in first_email:
                c.cell(person, "email", f"duplicate email {person.email} (also on row "
                       f"{first_email[person.email].row})")
            else:
                first_email[person.email] = person
        if person.employee_id:
            if person.employee_id in first_id:
                c.cell(person, "employee_id", f"duplicate employee id {person.employee_id} "
                       f"(also on row {first_id[person.employee_id].row})")
            else:
                first_id[person.employee_id] = person
        elif not person.email and person.name:
            if person.key in first_key:
                c.cell(person, "name", f"duplicate person: same name and start date as row "
                       f"{first_key[person.key].row}; give an employee id or an email to tell "
                       "them apart")
            else:
                first_key[person.key] = person


def _check_spec(c: _Checker, result: ValidationResult) -> None:
    spec = result.spec
    assert spec is not None
    units = spec.org_unit_paths()
    seen: dict[str, int] = {}
    for i, unit in enumerate(spec.org_units):
        if unit.path in seen:
            c.at(("org_units", i, "path"), f"duplicate org unit (also org_units[{seen[unit.path]}])")
        seen.setdefault(unit.path, i)
    names: dict[str, int] = {}
    for i, team in enumerate(spec.teams):
        if team.name in names:
            c.at(("teams", i, "name"), f"duplicate team (also teams[{names[team.name]}])")
        names.setdefault(team.name, i)
        if team.org_unit and team.org_unit not in units:
            c.at(("teams", i, "org_unit"), f"unknown org unit {team.org_unit!r}"
                 + _suggest(team.org_unit, units))
    person_emails = {result.email_of(p): p for p in result.people}
    group_emails: dict[str, int] = {}
    for i, group in enumerate(spec.groups):
        if group.email in group_emails:
            c.at(("groups", i, "email"), f"duplicate group (also groups[{group_emails[group.email]}])")
        group_emails.setdefault(group.email, i)
        if not spec.owns(group.email):
            c.at(("groups", i, "email"), f"{group.email} is not in a domain the tenant owns "
                 f"({', '.join(spec.domains)})")
        if group.email in person_emails:
            c.at(("groups", i, "email"), f"{group.email} is also the address of "
                 f"{person_emails[group.email].where}")
        has_owner = False
        for j, rule in enumerate(group.members):
            kind, value = _resolve(rule, result)
            loc = ("groups", i, "members", j)
            if kind == "unknown":
                c.at(loc, str(value))
            elif kind == "external" and not group.settings.allow_external_members:
                c.at(loc, f"{value} is outside the organisation; set settings."
                     "allow_external_members: true to allow it")
            elif kind == "group" and value == group.email:
                c.at(loc, "a group cannot be a member of itself")
            has_owner |= rule.role == "OWNER"
        if group.members and not has_owner:
            c.at(("groups", i, "members"), "no OWNER: only admins will be able to manage it",
                 warning=True)
    drive_names: dict[str, int] = {}
    for i, drive in enumerate(spec.shared_drives):
        if drive.name in drive_names:
            c.at(("shared_drives", i, "name"), f"duplicate shared drive name (also "
                 f"shared_drives[{drive_names[drive.name]}])")
        drive_names.setdefault(drive.name, i)
        for j, perm in enumerate(drive.permissions):
            loc = ("shared_drives", i, "permissions", j)
            if perm.group is not None:
                if perm.group in group_emails:
                    continue
                if spec.owns(perm.group):
                    c.at((*loc, "group"), f"unknown group {perm.group!r}"
                         + _suggest_email(perm.group, group_emails))
                else:
                    c.at((*loc, "group"), f"{perm.group} is a group outside the organisation",
                         warning=True)
            elif perm.person is not None:
                if result.find_person(perm.person) is not None:
                    continue
                email = perm.person.lower()
                if "@" not in email or spec.owns(email):
                    c.at((*loc, "person"), f"no person with email or employee id "
                         f"{perm.person!r} in the roster")
                elif drive.restrictions.domain_users_only:
                    c.at((*loc, "person"), f"{email} is outside the organisation but the drive "
                         "allows domain users only")
                else:
                    c.at((*loc, "person"), f"{email} is outside the organisation", warning=True)
            elif perm.domain is not None and perm.domain not in spec.domains:
                c.at((*loc, "domain"), f"{perm.domain} is not a domain the tenant owns; "
                     "everyone there gets access", warning=True)
        if not any(p.role == "organizer" for p in drive.permissions):
            c.at(("shared_drives", i), "no organizer: only admins will be able to manage it",
                 warning=True)
    role_names: dict[str, int] = {}
    for i, role in enumerate(spec.rotating_roles):
        if role.name in role_names:
            c.at(("rotating_roles", i, "name"), "duplicate rotating role")
        role_names.setdefault(role.name, i)
        if role.group not in group_emails:
            c.at(("rotating_roles", i, "group"), f"no group {role.group!r} in groups"
                 + _suggest_email(role.group, group_emails))


def _check_rotations(c: _Checker, result: ValidationResult, today: dt.date) -> None:
    spec = result.spec
    assert spec is not None
    for i, role in enumerate(spec.rotating_roles):
        holders = []
        for person in result.people:
            if person.end_date and person.end_date < today:
                continue
            for holding in person.rotating_roles:
                if holding.role != role.name:
                    continue
                if holding.since and holding.since > today:
                    continue
                holders.append(person)
                if holding.since is None:
                    continue
                term_end = add_months(holding.since, role.term_months)
                if role.limit_months and add_months(holding.since, role.limit_months) <= today:
                    c.cell(person, "rotating_roles", f"has held {role.name} since "
                           f"{holding.since}, past the {role.limit_months}-month limit",
                           warning=True)
                elif term_end <= today:
                    c.cell(person, "rotating_roles", f"{role.term_months}-month term as "
                           f"{role.name} ended {term_end}; renew or hand it on", warning=True)
        if role.max_holders is not None and len(holders) > role.max_holders:
            c.at(("rotating_roles", i), f"{len(holders)} people hold {role.name}; at most "
                 f"{role.max_holders}")
        elif len(holders) < role.min_holders:
            c.at(("rotating_roles", i), f"{len(holders)} people hold {role.name}; it needs at "
                 f"least {role.min_holders}", warning=True)


def validate(roster: Roster, spec: OrgSpec | None = None, *, domain: str | None = None,
             taken: Iterable[str] = (), previous: Mapping[str, str] | None = None,
             today: dt.date | None = None, extra: Iterable[Issue] = ()) -> ValidationResult:
    """Check a roster (and a spec, if any) together; every problem lands in the result.

    `domain` is used without a spec (else spec.domain). `taken` and `previous` go to email
    generation (tenant addresses; earlier assignments). `extra` adds issues found elsewhere,
    e.g. a broken org.yaml, so one list shows everything.
    """
    today = today or dt.date.today()
    c = _Checker(roster, spec)
    for issue in [*roster.issues, *extra]:
        c.add(issue)
    people = roster.people
    if spec is not None:
        domains: tuple[str, ...] = spec.domains
        main_domain: str | None = spec.domain
    else:
        main_domain = domain.lower() if domain else _infer_domain(people)
        domains = (main_domain,) if domain and main_domain else ()
    result = ValidationResult(people=list(people), spec=spec, domain=main_domain,
                              encoding=roster.encoding)
    for person in people:
        _check_person(c, person, domains)
    _check_duplicates(c, people)
    reserved = set(taken)
    if spec is not None:
        reserved |= {g.email for g in spec.groups} | set(spec.protected_accounts)
    if main_domain:
        result.emails = assign_emails(
            people, domain=main_domain,
            pattern=spec.username_pattern if spec else "{given}.{family}",
            surname_spellings=spec.surname_spellings if spec else None,
            sound_changes=spec.given_name_sound_changes if spec else False,
            taken=reserved, previous=previous)
    for person in people:
        if person.email or person.key in result.emails or not person.name:
            continue
        if not main_domain:
            c.cell(person, "email", "no email, and no domain to make one: pass --org or "
                   "--domain")
        else:
            c.cell(person, "email", "no email, and none can be made from this name; "
                   "give one (or an English name)")
    if spec is not None:
        _check_spec(c, result)
        _check_rotations(c, result, today)
    result.errors = sorted(set(c.errors), key=_order)
    result.warnings = sorted(set(c.warnings), key=_order)
    return result


def _order(issue: Issue) -> tuple[str, int, str, str]:
    return (issue.source, issue.row, issue.column, issue.message)

