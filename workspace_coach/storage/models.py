"""The audit's tables: typed SQLAlchemy 2 models, the same on SQLite and PostgreSQL.

What a collect writes:

- `clients`: one row per client organisation (its connection profile's slug), with the privacy
  settings recorded in the profile (`per_person_insights`, `min_group_size`,
  `share_name_in_reports`).
- `directory_snapshots` and what hangs off one: `people`, `org_units`, `groups`,
  `group_members`. A collect takes a new snapshot only when the directory changed since the last
  one, so repeated collects of an unchanged tenant add no rows.
- `usage_values`: the Reports API usage reports in long format, one row per (client, Pacific
  date, entity, canonical parameter) with one typed value column filled.
- `activity_events`: activities.list events, metadata only: parameters outside an allowlist
  (titles, names, guest lists) are never stored. Google's (time, uniqueQualifier) plus the
  event's position identify an event, so re-reading a time window adds nothing twice.
- `collect_state`: per (client, report kind, date): fetched, and whether Google still marked
  the date partial (such dates are fetched again on the next collect).
- `audit_runs`: one row per collect (and, later, per scoring run).

What a collect also writes (schema 0002):

- `team_usage`: daily per-scope indicator counts (how many of a team's people did something
  that day), computed from the user usage report while it is in memory, so team and
  organisation scores need no per-person rows when the client has not consented.
- `group_settings` and `shared_drives`: what the checks need about groups and shared drives, as
  part of the directory snapshot.

What scoring fills: `scores` (a 0-100 value with the inputs that explain it) and
`check_results` (one row per check per run).

What coaching writes: `coaching_sessions` with their `follow_ups`, `curriculum_marks`
(self-attestations and coach overrides, with who and when) and `published_sheets` (one
checklist sheet per trainee and track, so re-publishing updates in place).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Deterministic constraint names, so migrations and both dialects agree.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Stamp = sa.DateTime(timezone=True)
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite autoincrements INTEGER only


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: sa.JSON, list[Any]: sa.JSON, dt.datetime: Stamp}


def _client_fk() -> Any:
    return mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"), index=True)


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    domain: Mapped[str] = mapped_column(sa.String(253))
    display_name: Mapped[str | None] = mapped_column(sa.String(200))
    per_person_insights: Mapped[bool] = mapped_column(default=False)
    min_group_size: Mapped[int] = mapped_column(default=5)
    # the client lets its name appear in portfolio reports for funders (schema 0003)
    share_name_in_reports: Mapped[bool] = mapped_column(default=False,
                                                        server_default=sa.false())
    profile_path: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime]


class AuditRun(Base):
    """One collect or scoring run: when, what it asked for and what it added."""

    __tablename__ = "audit_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = _client_fk()
    kind: Mapped[str] = mapped_column(sa.String(16))  # collect | score
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16))  # running | ok | failed
    first_date: Mapped[dt.date | None]
    last_date: Mapped[dt.date | None]
    snapshot_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("directory_snapshots.id", ondelete="SET NULL"))
    api_calls: Mapped[int] = mapped_column(default=0)
    rows_added: Mapped[int] = mapped_column(default=0)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DirectorySnapshot(Base):
    """The directory as one collect saw it; `digest` lets the next collect skip one identical
    to the newest."""

    __tablename__ = "directory_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = _client_fk()
    taken_at: Mapped[dt.datetime]
    digest: Mapped[str] = mapped_column(sa.String(64))


def _snapshot_fk() -> Any:
    return mapped_column(sa.ForeignKey("directory_snapshots.id", ondelete="CASCADE"))


class Person(Base):
    """What the checks need about a person; no names, phones or addresses beyond the email."""

    __tablename__ = "people"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    user_id: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str] = mapped_column(sa.String(320))
    org_unit_path: Mapped[str] = mapped_column(sa.String(1000))
    is_admin: Mapped[bool]
    is_delegated_admin: Mapped[bool]
    admin_roles: Mapped[list[Any]] = mapped_column(default=list)  # role names assigned
    suspended: Mapped[bool]
    archived: Mapped[bool]
    is_enrolled_2sv: Mapped[bool]
    is_enforced_2sv: Mapped[bool]
    has_recovery_email: Mapped[bool]
    has_recovery_phone: Mapped[bool]
    created_at: Mapped[dt.datetime | None]
    last_login_at: Mapped[dt.datetime | None]


class OrgUnit(Base):
    __tablename__ = "org_units"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    org_unit_id: Mapped[str] = mapped_column(sa.String(64))
    path: Mapped[str] = mapped_column(sa.String(1000))
    name: Mapped[str] = mapped_column(sa.String(200))
    parent_path: Mapped[str | None] = mapped_column(sa.String(1000))


class Group(Base):
    __tablename__ = "groups"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    group_id: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str] = mapped_column(sa.String(320))
    name: Mapped[str] = mapped_column(sa.String(200))
    direct_members_count: Mapped[int] = mapped_column(default=0)


class GroupMember(Base):
    __tablename__ = "group_members"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "group_id", "member_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    group_id: Mapped[str] = mapped_column(sa.String(64))
    member_key: Mapped[str] = mapped_column(sa.String(320))  # member id, or email if none
    email: Mapped[str | None] = mapped_column(sa.String(320))
    role: Mapped[str] = mapped_column(sa.String(16))
    type: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str | None] = mapped_column(sa.String(16))


class UsageValue(Base):
    """One figure of a usage report: `entity_type` is `user` (key: the user's profile id) or
    `customer` (key: the customer id); exactly one value column is set."""

    __tablename__ = "usage_values"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "date", "entity_type", "entity_key", "parameter"),
        sa.Index("ix_usage_values_client_parameter_date", "client_id", "parameter", "date"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"))
    date: Mapped[dt.date]
    entity_type: Mapped[str] = mapped_column(sa.String(8))
    entity_key: Mapped[str] = mapped_column(sa.String(64))
    parameter: Mapped[str] = mapped_column(sa.String(128))
    int_value: Mapped[int | None] = mapped_column(sa.BigInteger)
    bool_value: Mapped[bool | None]
    datetime_value: Mapped[dt.datetime | None]
    string_value: Mapped[str | None] = mapped_column(sa.Text)


class ActivityEvent(Base):
    """One event of an activities.list item; `params` holds allowlisted parameters only."""

    __tablename__ = "activity_events"
    __table_args__ = (
        # also what reads an application's events over a time range use (schema 0006 dropped
        # a separate (client, app, time) index that repeated it)
        sa.UniqueConstraint("client_id", "app", "time", "unique_qualifier", "event_index"),
        # scoring reads one event name of an application over 28 days (schema 0006)
        sa.Index("ix_activity_events_client_app_name_time", "client_id", "app", "event_name",
                 "time"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"))
    app: Mapped[str] = mapped_column(sa.String(32))
    time: Mapped[dt.datetime]
    unique_qualifier: Mapped[str] = mapped_column(sa.String(64))
    event_index: Mapped[int] = mapped_column(sa.SmallInteger)
    actor_email: Mapped[str | None] = mapped_column(sa.String(320))
    actor_profile_id: Mapped[str | None] = mapped_column(sa.String(64))
    event_type: Mapped[str | None] = mapped_column(sa.String(64))
    event_name: Mapped[str] = mapped_column(sa.String(128))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CollectState(Base):
    """What was fetched for a (client, report kind, date).

    Kinds: `user_usage` and `customer_usage` (one row per Pacific date; `partial` while Google
    warned PARTIAL_DATA_AVAILABLE), `activities:<app>` (one row per collect day, `watermark` the
    newest event time seen so far).
    """

    __tablename__ = "collect_state"

    client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    date: Mapped[dt.date] = mapped_column(primary_key=True)
    partial: Mapped[bool] = mapped_column(default=False)
    fetched_at: Mapped[dt.datetime]
    fetches: Mapped[int] = mapped_column(default=1)
    watermark: Mapped[dt.datetime | None]
    warnings: Mapped[list[Any]] = mapped_column(default=list)


class Score(Base):
    """A 0-100 score for a scope (org, org unit, group, others) on a date over a window, with
    the numerators and denominators that explain it in `inputs`."""

    __tablename__ = "scores"
    __table_args__ = (
        sa.UniqueConstraint("run_id", "scope_type", "scope_key", "category", "date",
                            "window_days"),
        # Every reader asks for one run's window and scope type, then the newest date of each
        # scope and category (`audit.latest`): this serves those reads without a table scan.
        sa.Index("ix_scores_run_window_scope", "run_id", "window_days", "scope_type",
                 "scope_key", "category", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_runs.id", ondelete="CASCADE"))
    client_id: Mapped[int] = _client_fk()
    scope_type: Mapped[str] = mapped_column(sa.String(16))
    scope_key: Mapped[str] = mapped_column(sa.String(1000))
    category: Mapped[str] = mapped_column(sa.String(32))
    date: Mapped[dt.date]
    window_days: Mapped[int]
    value: Mapped[float | None] = mapped_column(sa.Float)
    inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)


class CheckResult(Base):
    """The outcome of one security or hygiene check in one run."""

    __tablename__ = "check_results"
    __table_args__ = (sa.UniqueConstraint("run_id", "check_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("audit_runs.id", ondelete="CASCADE"))
    client_id: Mapped[int] = _client_fk()
    check_id: Mapped[str] = mapped_column(sa.String(64))
    reference: Mapped[str | None] = mapped_column(sa.String(200))  # CIS or checklist item
    severity: Mapped[str] = mapped_column(sa.String(16))
    status: Mapped[str] = mapped_column(sa.String(16))  # pass|fail|not_applicable|not_available
    affected_count: Mapped[int] = mapped_column(default=0)
    affected: Mapped[list[Any]] = mapped_column(default=list)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TeamUsage(Base):
    """How many of a scope's people met an indicator on a Pacific date (`people` is the scope's
    head-count that day). Only scopes of at least the client's minimum group size are kept;
    smaller teams are folded into scope key "others"."""

    __tablename__ = "team_usage"
    __table_args__ = (
        sa.UniqueConstraint("client_id", "date", "scope_type", "scope_key", "indicator"),
        # every scoring run reads half a million counts from the index alone (schema 0006)
        sa.Index("ix_team_usage_client_date_figures", "client_id", "date", "scope_type",
                 "scope_key", "indicator", "people", "count"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"))
    date: Mapped[dt.date]
    scope_type: Mapped[str] = mapped_column(sa.String(16))  # org | org_unit | group
    scope_key: Mapped[str] = mapped_column(sa.String(1000))
    indicator: Mapped[str] = mapped_column(sa.String(64))
    people: Mapped[int]
    count: Mapped[int]


class GroupSettings(Base):
    """A group's settings from the Groups Settings API, as one snapshot saw them."""

    __tablename__ = "group_settings"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    group_id: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str] = mapped_column(sa.String(320))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SharedDrive(Base):
    """A shared drive: its restrictions and a summary of its permissions (no file names)."""

    __tablename__ = "shared_drives"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "drive_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = _snapshot_fk()
    drive_id: Mapped[str] = mapped_column(sa.String(128))
    name: Mapped[str] = mapped_column(sa.String(200))
    restrictions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    organizers: Mapped[int] = mapped_column(default=0)
    permissions: Mapped[list[Any]] = mapped_column(default=list)  # [{type, role, domain|email}]


class CoachingSession(Base):
    """A coaching session with a client: when, the agenda, and the coach's notes."""

    __tablename__ = "coaching_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = _client_fk()
    held_on: Mapped[dt.date]
    title: Mapped[str] = mapped_column(sa.String(200))
    agenda: Mapped[list[Any]] = mapped_column(default=list)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    coach: Mapped[str | None] = mapped_column(sa.String(320))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class FollowUp(Base):
    """An action agreed in a session, with an owner and a due date."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("coaching_sessions.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = _client_fk()
    text: Mapped[str] = mapped_column(sa.Text)
    owner: Mapped[str | None] = mapped_column(sa.String(320))
    due_on: Mapped[dt.date | None]
    done: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[dt.datetime | None]


class CurriculumMark(Base):
    """A trainee's self-attestation (`kind` self) or a coach's override (`kind` override) of
    one curriculum item; the newest mark of each kind wins, older ones stay as history."""

    __tablename__ = "curriculum_marks"
    __table_args__ = (
        sa.Index("ix_curriculum_marks_client_track_person", "client_id", "track",
                 "person_email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"))
    track: Mapped[str] = mapped_column(sa.String(64))
    item_id: Mapped[str] = mapped_column(sa.String(128))
    person_email: Mapped[str] = mapped_column(sa.String(320))
    kind: Mapped[str] = mapped_column(sa.String(16))  # self | override
    status: Mapped[str] = mapped_column(sa.String(16))  # done | not_done
    marked_by: Mapped[str] = mapped_column(sa.String(320))
    marked_at: Mapped[dt.datetime]
    note: Mapped[str | None] = mapped_column(sa.Text)


class PublishedSheet(Base):
    """The checklist spreadsheet published for one trainee and track."""

    __tablename__ = "published_sheets"
    __table_args__ = (sa.UniqueConstraint("client_id", "track", "person_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"))
    track: Mapped[str] = mapped_column(sa.String(64))
    person_email: Mapped[str] = mapped_column(sa.String(320))
    spreadsheet_id: Mapped[str] = mapped_column(sa.String(128))
    drive_id: Mapped[str | None] = mapped_column(sa.String(128))
    published_at: Mapped[dt.datetime]
    synced_at: Mapped[dt.datetime | None]


class ClientRun(Base):
    """One client's part of a run of `audit collect` or `curriculum sync` (`--all` or one
    client): when it ran, how it ended, and up to which date the client's data now reaches.

    `batch` ties together the clients of one `--all` run; the dashboard's Clients page shows
    each client's newest collect from here."""

    __tablename__ = "client_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch: Mapped[str] = mapped_column(sa.String(32), index=True)
    client_id: Mapped[int] = _client_fk()
    kind: Mapped[str] = mapped_column(sa.String(16))  # collect | sync
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(sa.String(16))  # running | ok | failed
    error: Mapped[str | None] = mapped_column(sa.Text)  # the one line a person reads
    data_until: Mapped[dt.date | None]  # newest usage date stored for the client


class RunLock(Base):
    """Held by a running `--all` run (one row per kind) so a second one does not overlap it;
    `host`, `pid` and `acquired_at` let a later run tell a lock left by a dead process."""

    __tablename__ = "run_locks"

    name: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(255))
    pid: Mapped[int]
    acquired_at: Mapped[dt.datetime]
