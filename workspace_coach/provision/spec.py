"""The org spec, `org.yaml`: how an organisation wants its tenant to look.

```yaml
domain: haessal.coop.kr
org_units:
  - {path: /교육, description: 교육팀}
teams:
  - {name: 교육, org_unit: /교육, lead: minji.kim@haessal.coop.kr}
groups:
  - email: edu@haessal.coop.kr
    name: 교육팀
    settings: {who_can_post_message: ALL_MEMBERS_CAN_POST, allow_external_members: false}
    members:
      - {team: 교육}
      - {person: minji.kim@haessal.coop.kr, role: OWNER}
shared_drives:
  - name: 교육 자료
    permissions:
      - {group: edu@haessal.coop.kr, role: fileOrganizer}
rotating_roles:
  - {name: catalysts, group: catalysts@haessal.coop.kr, min_holders: 3, term_months: 6,
     limit_months: 24}
offboarding: {successor: youngsoo.kim@haessal.coop.kr, grace_days: 30}
```

Models are strict (`extra="forbid"`) so a typo is an error, not a silently ignored key. The
loader remembers the line of every key and list item, so errors read
`org.yaml:12: groups[2].email: message`. Checks that need the roster (does this person exist?)
live in `validate`, which reports them with the same line numbers via `OrgSpec.line_of`.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from workspace_coach import yaml_lines
from workspace_coach.errors import UserError
from workspace_coach.provision.issues import Issue
from workspace_coach.yaml_lines import Loc

MemberRole = Literal["OWNER", "MANAGER", "MEMBER"]
DriveRole = Literal["organizer", "fileOrganizer", "writer", "commenter", "reader"]

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
EMAIL_RE = re.compile(r"^[a-z0-9][a-z0-9._'+-]{0,63}@([a-z0-9-]+\.)+[a-z]{2,63}$")
PATTERN_FIELDS = frozenset({"given", "family", "g", "f", "id"})


class SpecError(UserError):
    """org.yaml cannot be read or does not match the schema; carries every problem found."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _lower_email(value: str) -> str:
    value = value.strip().lower()
    if not EMAIL_RE.match(value):
        raise ValueError(f"not a valid email address: {value!r}")
    return value


def normalize_ou_path(path: str) -> str:
    """`교육/초등` or `/교육/초등/` -> `/교육/초등`; the root is `/`."""
    parts = [p.strip() for p in path.strip().split("/")]
    return "/" + "/".join(p for p in parts if p)


class OrgUnit(_Model):
    """An organisational unit; missing parents are implied (`/a/b` implies `/a`)."""

    path: str = Field(description="Full path from the root, e.g. /교육.")
    description: str = ""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.strip().startswith("/"):
            raise ValueError("must start with '/', e.g. /교육")
        if "//" in value.strip().rstrip("/"):
            raise ValueError("has an empty segment ('//')")
        path = normalize_ou_path(value)
        if path == "/":
            raise ValueError("the root '/' always exists; list only units below it")
        return path

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[1]

    @property
    def parent(self) -> str:
        return self.path.rsplit("/", 1)[0] or "/"


class Team(_Model):
    """A team as the roster names it; its people land in `org_unit` unless the row says else."""

    name: str = Field(min_length=1)
    org_unit: str | None = None
    description: str = ""
    lead: str | None = Field(None, description="The team lead's address: a leaver's successor "
                             "when the roster names none.")

    @field_validator("lead")
    @classmethod
    def _lead(cls, value: str | None) -> str | None:
        return None if value is None else _lower_email(value)

    @field_validator("org_unit")
    @classmethod
    def _ou(cls, value: str | None) -> str | None:
        return None if value is None else normalize_ou_path(value)


GroupWhoCanPost = Literal["NONE_CAN_POST", "ALL_MANAGERS_CAN_POST", "ALL_MEMBERS_CAN_POST",
                          "ALL_OWNERS_CAN_POST", "ALL_IN_DOMAIN_CAN_POST", "ANYONE_CAN_POST"]
GroupWhoCanJoin = Literal["ANYONE_CAN_JOIN", "ALL_IN_DOMAIN_CAN_JOIN", "INVITED_CAN_JOIN",
                          "CAN_REQUEST_TO_JOIN"]
GroupWhoCanView = Literal["ANYONE_CAN_VIEW", "ALL_IN_DOMAIN_CAN_VIEW", "ALL_MEMBERS_CAN_VIEW",
                          "ALL_MANAGERS_CAN_VIEW", "ALL_OWNERS_CAN_VIEW"]
GroupWhoCanViewMembership = Literal["ALL_IN_DOMAIN_CAN_VIEW", "ALL_MEMBERS_CAN_VIEW",
                                    "ALL_MANAGERS_CAN_VIEW", "ALL_OWNERS_CAN_VIEW"]


class GroupSettings(_Model):
    """Groups Settings API fields; keys may be written snake_case or as the API's camelCase.

    Values are the API's own enums (case-insensitive here). Unset fields are left as they are in
    the tenant, so a spec only manages what it mentions.
    """

    who_can_post_message: GroupWhoCanPost | None = Field(None, alias="whoCanPostMessage")
    who_can_join: GroupWhoCanJoin | None = Field(None, alias="whoCanJoin")
    who_can_view_membership: GroupWhoCanViewMembership | None = Field(
        None, alias="whoCanViewMembership")
    who_can_view_group: GroupWhoCanView | None = Field(None, alias="whoCanViewGroup")
    allow_external_members: bool | None = Field(None, alias="allowExternalMembers")

    @field_validator("who_can_post_message", "who_can_join", "who_can_view_membership",
                     "who_can_view_group", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    def to_api(self) -> dict[str, str]:
        """The Groups Settings API body for the fields this spec sets (booleans as "true")."""
        body: dict[str, str] = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None:
                continue
            body[field.alias or name] = ("true" if value else "false") if isinstance(
                value, bool) else value
        return body


class GroupMember(_Model):
    """One membership rule: exactly one of person, team, org_unit, group or ref.

    A bare string in org.yaml becomes `ref`, resolved against the roster's people (email or
    employee id), then teams, then org units (paths starting with '/'), then the spec's groups.
    """

    person: str | None = Field(None, description="Email or employee id.")
    team: str | None = None
    org_unit: str | None = None
    group: str | None = Field(None, description="Another group's email (a nested group).")
    ref: str | None = Field(None, description="A bare name, resolved by validation.")
    role: MemberRole = "MEMBER"

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, (str, int)):
            return {"ref": str(data)}
        if isinstance(data, dict) and isinstance(data.get("role"), str):
            data = {**data, "role": data["role"].strip().upper()}
        return data

    @field_validator("person", "team", "group", "ref", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, (int, str)) else value

    @field_validator("org_unit")
    @classmethod
    def _ou(cls, value: str | None) -> str | None:
        return None if value is None else normalize_ou_path(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> GroupMember:
        given = [k for k in ("person", "team", "org_unit", "group", "ref") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of person, team, org_unit or group")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("person", "team", "org_unit", "group", "ref") if getattr(self, k))

    @property
    def target(self) -> str:
        return str(getattr(self, self.kind))


class Group(_Model):
    """A Google Group with its settings and membership rules."""

    email: str
    name: str = Field(min_length=1, max_length=73)
    description: str = Field("", max_length=4096)
    settings: GroupSettings = GroupSettings()
    members: list[GroupMember] = []

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return _lower_email(value)


class DriveRestrictions(_Model):
    """Shared drive restrictions (Drive API `restrictions`); unset ones are left alone."""

    admin_managed_restrictions: bool | None = Field(None, alias="adminManagedRestrictions")
    copy_requires_writer_permission: bool | None = Field(
        None, alias="copyRequiresWriterPermission")
    domain_users_only: bool | None = Field(None, alias="domainUsersOnly")
    drive_members_only: bool | None = Field(None, alias="driveMembersOnly")
    sharing_folders_requires_organizer_permission: bool | None = Field(
        None, alias="sharingFoldersRequiresOrganizerPermission")

    def to_api(self) -> dict[str, bool]:
        """The Drive API `restrictions` object for the fields this spec sets."""
        return {f.alias or n: getattr(self, n) for n, f in type(self).model_fields.items()
                if getattr(self, n) is not None}


class DrivePermission(_Model):
    """Access to a shared drive for exactly one of a group, a person or a whole domain."""

    group: str | None = None
    person: str | None = Field(None, description="Email or employee id.")
    domain: str | None = None
    role: DriveRole

    @field_validator("group", "domain")
    @classmethod
    def _lower(cls, value: str | None) -> str | None:
        return None if value is None else value.strip().lower()

    @field_validator("person", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return str(value).strip() if isinstance(value, (int, str)) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> DrivePermission:
        if sum(1 for k in ("group", "person", "domain") if getattr(self, k)) != 1:
            raise ValueError("give exactly one of group, person or domain")
        return self

    @property
    def api_type(self) -> Literal["group", "user", "domain"]:
        """The Drive API permission `type`."""
        return "group" if self.group else "user" if self.person else "domain"


class SharedDrive(_Model):
    """A shared drive, identified by its name within the spec."""

    name: str = Field(min_length=1, max_length=100)
    restrictions: DriveRestrictions = DriveRestrictions()
    permissions: list[DrivePermission] = []


class RotatingRole(_Model):
    """A duty that rotates among people, held through membership of `group`.

    Enspiral-style catalysts: `min_holders: 3`, `term_months: 6`, `limit_months: 24`. The roster
    says who holds it from when (`rotating roles` column, `catalysts:2025-03-01`).
    """

    name: str = Field(min_length=1)
    group: str
    description: str = ""
    min_holders: int = Field(1, ge=0)
    max_holders: int | None = Field(None, ge=1)
    term_months: int = Field(ge=1, le=120)
    limit_months: int | None = Field(None, ge=1, description="Most months one person may hold it "
                                     "in total.")

    @field_validator("group")
    @classmethod
    def _group_email(cls, value: str) -> str:
        return _lower_email(value)

    @model_validator(mode="after")
    def _bounds(self) -> RotatingRole:
        if self.max_holders is not None and self.max_holders < self.min_holders:
            raise ValueError("max_holders is below min_holders")
        if self.limit_months is not None and self.limit_months < self.term_months:
            raise ValueError("limit_months is shorter than one term")
        return self


class Limit(_Model):
    """How many changes of one kind a plan may make before it is unsafe.

    Percentages apply only when at least `Safety.min_existing` objects exist, like octoDNS;
    a count applies always. None disables that side.
    """

    percent: float | None = Field(None, ge=0, le=100)
    count: int | None = Field(None, ge=0)

    def exceeded(self, changes: int, existing: int, min_existing: int) -> bool:
        """True when `changes` out of `existing` objects goes over this limit."""
        if self.count is not None and changes > self.count:
            return True
        return (self.percent is not None and existing >= min_existing
                and changes > existing * self.percent / 100)


class Safety(_Model):
    """Thresholds that make a plan unsafe (apply then needs --force)."""

    max_suspensions: Limit = Limit(percent=10, count=20)
    max_deletions: Limit = Limit(percent=5, count=5)
    max_membership_removals: Limit = Limit(percent=20, count=50)
    min_existing: int = Field(10, ge=0, description="Objects needed before percentages apply.")


class Offboarding(_Model):
    """What happens to people who leave (docs/provisioning.md, "Leavers")."""

    successor: str | None = Field(None, description="Who receives a leaver's Drive files and "
                                  "calendar when neither the roster nor a team lead names anyone.")
    grace_days: int = Field(30, ge=0, description="Days a leaver stays suspended before "
                            "--allow-delete may delete the account.")
    transfer_calendar: bool = True

    @field_validator("successor")
    @classmethod
    def _successor(cls, value: str | None) -> str | None:
        return None if value is None else _lower_email(value)


class OrgSpec(_Model):
    """The whole org.yaml."""

    domain: str
    extra_domains: list[str] = Field([], description="Secondary domains the tenant owns.")
    org_units: list[OrgUnit] = []
    teams: list[Team] = []
    groups: list[Group] = []
    shared_drives: list[SharedDrive] = []
    rotating_roles: list[RotatingRole] = []
    protected_accounts: list[str] = Field(
        [], description="Never suspended, deleted or changed (super admins are always).")
    safety: Safety = Safety()
    offboarding: Offboarding = Offboarding()
    username_pattern: str = Field("{given}.{family}", description="Placeholders: {given}, "
                                  "{family}, {g} and {f} (initials), {id} (employee id).")
    surname_spellings: dict[str, str] = Field(
        {}, description="Hangul surname -> spelling, over the usual ones (e.g. 이: Yi).")
    given_name_sound_changes: bool = Field(
        False, description="Write sound changes in given names (off, as the standard says).")
    allow_deletion: bool = Field(False, description="Let --allow-delete delete suspended "
                                 "leavers after offboarding.grace_days.")
    default_org_unit: str = "/"

    _source: str = PrivateAttr("org.yaml")
    _lines: dict[Loc, int] = PrivateAttr(default_factory=dict)

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = value.strip().lower()
        if not DOMAIN_RE.match(value):
            raise ValueError(f"not a domain name: {value!r}")
        return value

    @field_validator("extra_domains")
    @classmethod
    def _domains(cls, values: list[str]) -> list[str]:
        return [cls._domain(v) for v in values]

    @field_validator("protected_accounts")
    @classmethod
    def _protected(cls, values: list[str]) -> list[str]:
        return [_lower_email(v) for v in values]

    @field_validator("default_org_unit")
    @classmethod
    def _default_ou(cls, value: str) -> str:
        return normalize_ou_path(value)

    @field_validator("username_pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        try:
            fields = [f for _, f, spec, conv in string.Formatter().parse(value) if f is not None]
        except ValueError as exc:
            raise ValueError(f"not a pattern: {exc}") from None
        unknown = sorted(set(fields) - PATTERN_FIELDS)
        if unknown:
            raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use "
                             + ", ".join("{" + f + "}" for f in sorted(PATTERN_FIELDS)))
        if not set(fields) & {"given", "g", "id"}:
            raise ValueError("needs {given}, {g} or {id} so people get different addresses")
        literal = "".join(text for text, *_ in string.Formatter().parse(value))
        if re.search(r"[^a-z0-9._'-]", literal):
            raise ValueError("may contain only a-z, 0-9, '.', '-', '_' and \"'\" around the "
                             "placeholders")
        return value

    # -- helpers for validation and planning ------------------------------------------------

    @property
    def source(self) -> str:
        """The file name this spec was loaded from, for messages."""
        return self._source

    @property
    def domains(self) -> tuple[str, ...]:
        """Every domain the tenant owns: primary first."""
        return (self.domain, *self.extra_domains)

    def line_of(self, loc: Loc) -> int:
        """The line in org.yaml for a path such as ("groups", 2, "email"), or its parent's."""
        return yaml_lines.line_of(self._lines, loc)

    def issue(self, loc: Loc, message: str, severity: Literal["error", "warning"] = "error"
              ) -> Issue:
        """An Issue pointing at `loc` in this spec."""
        return Issue(self._source, self.line_of(loc), format_loc(loc), message, severity)

    def org_unit_paths(self) -> set[str]:
        """All org unit paths the spec defines, with implied parents and the root."""
        paths = {"/"}
        for unit in self.org_units:
            parts = unit.path.strip("/").split("/")
            for end in range(1, len(parts) + 1):
                paths.add("/" + "/".join(parts[:end]))
        return paths

    def team(self, name: str) -> Team | None:
        return next((t for t in self.teams if t.name == name), None)

    def group(self, email: str) -> Group | None:
        email = email.lower()
        return next((g for g in self.groups if g.email == email), None)

    def org_unit_for(self, org_unit: str | None, teams: Sequence[str]) -> str:
        """Where a person belongs: their row's org unit, else their first team's, else default."""
        if org_unit:
            return normalize_ou_path(org_unit)
        for name in teams:
            team = self.team(name)
            if team and team.org_unit:
                return team.org_unit
        return self.default_org_unit

    def owns(self, email: str) -> bool:
        """True when the address is in one of the tenant's domains."""
        return email.rpartition("@")[2].lower() in self.domains


def format_loc(loc: Loc) -> str:
    """("groups", 2, "email") -> "groups[2].email"."""
    return yaml_lines.format_loc(loc, "(spec)")


# -- loading with line numbers ----------------------------------------------------------------

def _field_names() -> list[str]:
    names: set[str] = set()
    for model in (OrgSpec, OrgUnit, Team, GroupSettings, GroupMember, Group, DriveRestrictions,
                  DrivePermission, SharedDrive, RotatingRole, Limit, Safety):
        for name, field in model.model_fields.items():
            names.add(name)
            if field.alias:
                names.add(field.alias)
    return sorted(names)


def _message(error: dict[str, Any], names: list[str]) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        close = difflib.get_close_matches(key, names, n=1)
        return "unknown key" + (f"; did you mean '{close[0]}'?" if close else "")
    if kind == "missing":
        return "required"
    return msg.removeprefix("Value error, ")


def parse_spec(text: str, source: str = "org.yaml") -> OrgSpec:
    """Parse org.yaml text; raise SpecError with every problem, each with its line."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character the YAML spec forbids
        line = text[: exc.position].count("\n") + 1
        raise SpecError([Issue(source, line, "(yaml)", f"not valid YAML: character "
                               f"U+{exc.character:04X} is not allowed")]) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecError([Issue(source, line, "(yaml)",
                               f"not valid YAML: {exc.problem or exc.context}")]) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        raise SpecError([Issue(source, line, "(yaml)", f"not valid YAML: character "
                               f"U+{exc.character:04X} is not allowed")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Issue(source, 1, "(yaml)", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise SpecError([Issue(source, 1, "(spec)", "expected a mapping with at least 'domain'")])
    lines, duplicates = yaml_lines.record_lines(node)
    issues = [Issue(source, d.line, format_loc(d.loc), f"duplicate key (first on line {d.first})")
              for d in duplicates]
    spec: OrgSpec | None = None
    try:
        spec = OrgSpec.model_validate(data)
    except ValidationError as exc:
        names = _field_names()
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, int) or not _internal(p))
            issues.append(Issue(source, yaml_lines.line_of(lines, loc), format_loc(loc),
                                _message(error, names)))
    if issues or spec is None:
        raise SpecError(sorted(set(issues), key=lambda i: (i.row, i.column)))
    spec._source = source
    spec._lines = lines
    return spec


def _internal(part: str | int) -> bool:
    """Pydantic inserts validator names ("function-after[...]", "str") into some locations."""
    return isinstance(part, str) and ("[" in part or part in ("str", "int", "bool", "dict",
                                                              "list", "float"))


def load_spec(path: str | Path) -> OrgSpec:
    """Read org.yaml from disk (UTF-8, with or without BOM)."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{file}: org spec not found") from None
    except IsADirectoryError:
        raise UserError(f"{file}: is a folder, not an org spec file") from None
    except OSError as exc:
        raise UserError(f"{file}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError([Issue(str(file), raw[: exc.start].count(b"\n") + 1, "(file)",
                               "not UTF-8 text; save org.yaml as UTF-8")]) from None
    return parse_spec(text, source=str(file))
