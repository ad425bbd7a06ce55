"""Indicators: the yes/no facts about one person on one Pacific date that every score counts.

An indicator is met or not by a person on a day ("sent email", "joined a Meet call with video").
Scores never look at a person's figures directly: they count, per team and day, how many people
met each indicator (`team_usage`), and compare the share with the indicator's target.

Three sources, named in `Indicator.source`:

- `usage`: from one person's figures in the day's user usage report (accounts, gmail, drive,
  chat). `usage_indicators()` is evaluated at collect time while the report is in memory, so
  team counts exist even when per-person figures may not be stored (no consent).
- `events`: from the stored activity events, by actor (`event_indicators()`): Meet calls
  (scheduled, video, screen share, not alone, device type), Drive edits of other people's
  files and work in shared drives, Chat posts in spaces, public links made.
- `snapshot`: from the newest directory snapshot (recovery information), one share per scope.

A `negative` indicator is met by everyone in the scope except the people who did the thing
(e.g. made a file public), so "no public links" is a share of the whole team.

Rolling facts (`..._28d`) look back 28 days including the date, like Google's own 28-day
figures: one person's quiet day does not undo a habit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from workspace_coach.timezones import PACIFIC, as_utc

LOOKBACK = 28  # days of a rolling fact, including the date itself
MAX_APPS = 5   # more authorised third-party apps than this is "many"
#: Chat messages and reactions in 28 days that make a habit rather than a try: about one a
#: working day (20 working days in four weeks).
CHAT_HABIT = 20


@dataclass(frozen=True)
class Indicator:
    id: str
    category: str
    ko: str
    en: str
    target: float          # share of people (0-1) that earns full points
    weight: float          # weight within its category
    source: Literal["usage", "events", "snapshot"]
    rule: str              # how it is decided, for docs/scoring.md and the coach
    negative: bool = False

    @property
    def label(self) -> dict[str, str]:
        return {"ko": self.ko, "en": self.en}


INDICATORS: tuple[Indicator, ...] = (
    # -- activation
    Indicator("signed_in_28d", "activation", "28일 내 로그인", "Signed in within 28 days",
              0.98, 2.0, "usage",
              "accounts:timestamp_last_login falls in the 28 days ending on the date"),
    Indicator("signed_in_today", "activation", "당일 로그인", "Signed in that day", 0.9, 1.0,
              "usage", "accounts:timestamp_last_login falls on the date (Pacific)"),
    # -- communication
    Indicator("sent_mail", "communication", "메일 발송", "Sent email", 0.65, 1.0, "usage",
              "gmail:num_emails_sent > 0"),
    Indicator("chat_habit", "communication", "채팅 습관(28일)",
              "Chats as a habit (28 days)", 0.85, 1.0, "usage",
              f"chat:num_28day_messages_and_reactions_sent >= {CHAT_HABIT}"),
    Indicator("mail_and_chat_habit", "communication", "메일과 채팅 습관",
              "Uses email and chats as a habit", 0.8, 1.0, "usage",
              "gmail:timestamp_last_interaction within 28 days and "
              f"chat:num_28day_messages_and_reactions_sent >= {CHAT_HABIT}"),
    # -- meetings
    Indicator("scheduled_meeting", "meetings", "예약된 회의 참여", "Joined a scheduled meeting",
              0.7, 1.0, "events", "a Meet call_ended event with a calendar_event_id"),
    Indicator("video_on", "meetings", "카메라 켜고 참여", "Sent video in a meeting", 0.55, 1.0,
              "events", "a Meet call_ended event with video_send_seconds > 0"),
    Indicator("screen_shared", "meetings", "화면 공유", "Shared a screen", 0.15, 0.5, "events",
              "a Meet call_ended event with screencast_send_seconds > 0"),
    Indicator("met_others", "meetings", "다른 사람과 회의", "Met with others (not alone)", 0.75,
              1.0, "events",
              "a Meet call_ended event in a conference_id with at least one other participant"),
    # -- content collaboration
    Indicator("created_files", "collaboration", "문서 작성", "Created files", 0.6, 1.0, "usage",
              "drive:num_items_created > 0"),
    Indicator("edited_others", "collaboration", "동료 문서 편집·댓글",
              "Edited or commented on others' files", 0.55, 1.5, "events",
              "a Drive edit or create_comment event on a file whose owner is someone else"),
    Indicator("commented", "collaboration", "댓글 작성", "Commented on files", 0.3, 0.5, "usage",
              "drive:num_items_commented > 0"),
    Indicator("shared_files", "collaboration", "동료와 파일 공유", "Shared files with colleagues",
              0.35, 1.0, "usage",
              "drive:num_owned_items_with_visibility_shared_internally_added > 0"),
    # -- teamwork
    Indicator("shared_drive_work", "teamwork", "공유 드라이브 사용", "Worked in shared drives",
              0.3, 1.0, "events",
              "a Drive create, upload, edit or comment event with owner_is_shared_drive or a "
              "shared_drive_id"),
    Indicator("space_posts", "teamwork", "스페이스 대화", "Posted in Chat spaces", 0.7, 1.0,
              "events",
              "a Chat message_posted event in a conversation where 3 or more people posted in "
              "the 28 days ending on the date (a direct message has at most 2)"),
    Indicator("space_created_28d", "teamwork", "스페이스 만들기(28일)",
              "Created a Chat space (28 days)", 0.3, 0.5, "usage",
              "chat:num_28day_spaces_created > 0"),
    # -- mobility
    Indicator("mobile_meet", "mobility", "모바일로 회의 참여", "Joined a meeting from a phone",
              0.4, 1.0, "events", "a Meet call_ended event with device_type android or ios"),
    Indicator("multi_device_28d", "mobility", "여러 기기 사용(28일)",
              "Used more than one device type (28 days)", 0.9, 1.0, "events",
              "Meet call_ended events with two or more distinct device_type values in the 28 "
              "days ending on the date"),
    # -- security hygiene
    Indicator("two_step", "security", "2단계 인증", "2-Step Verification on", 1.0, 3.0, "usage",
              "accounts:is_2sv_enrolled is true"),
    Indicator("passkey", "security", "패스키·보안 키", "Passkey or security key", 0.2, 0.5,
              "usage", "accounts:num_passkeys_enrolled > 0 or accounts:num_security_keys > 0"),
    Indicator("recovery_info", "security", "복구 정보 등록", "Recovery email or phone", 1.0, 1.0,
              "snapshot", "the newest directory snapshot has a recovery email or phone"),
    Indicator("no_public_links", "security", "공개 링크 없음", "No files made public (28 days)",
              1.0, 1.0, "events",
              "no Drive change_document_visibility to people_with_link or public_on_the_web by "
              "the person in the 28 days ending on the date", negative=True),
    Indicator("few_apps", "security", "연결 앱 적음", "Few third-party apps", 1.0, 0.5, "usage",
              f"accounts:num_authorized_apps <= {MAX_APPS}"),
)

BY_ID: dict[str, Indicator] = {i.id: i for i in INDICATORS}
USAGE_IDS: tuple[str, ...] = tuple(i.id for i in INDICATORS if i.source == "usage")
EVENT_IDS: tuple[str, ...] = tuple(i.id for i in INDICATORS if i.source == "events")
SNAPSHOT_IDS: tuple[str, ...] = tuple(i.id for i in INDICATORS if i.source == "snapshot")


def by_category(category: str) -> list[Indicator]:
    return [i for i in INDICATORS if i.category == category]


# -- usage-based ---------------------------------------------------------------------------------

#: The user usage parameters the usage-based indicators read (canonical names).
USAGE_PARAMETERS: frozenset[str] = frozenset({
    "accounts:timestamp_last_login", "gmail:num_emails_sent",
    "chat:num_28day_messages_and_reactions_sent", "gmail:timestamp_last_interaction",
    "drive:num_items_created", "drive:num_items_commented",
    "drive:num_owned_items_with_visibility_shared_internally_added",
    "chat:num_28day_spaces_created", "accounts:is_2sv_enrolled",
    "accounts:num_passkeys_enrolled", "accounts:num_security_keys",
    "accounts:num_authorized_apps",
})


def pacific_date(value: Any) -> dt.date | None:
    """The Pacific date of a datetime or an RFC 3339 string (None for missing values)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
    if not isinstance(value, dt.datetime):
        return None
    return as_utc(value).astimezone(PACIFIC).date()


def _recent(value: Any, day: dt.date) -> bool:
    when = pacific_date(value)
    return when is not None and day - dt.timedelta(days=LOOKBACK - 1) <= when <= day


def _n(figures: Mapping[str, Any], name: str) -> int:
    value = figures.get(name)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def usage_indicators(figures: Mapping[str, Any], day: dt.date) -> set[str]:
    """The usage-based indicators one person met on `day`, from their figures in that day's
    user usage report ({canonical parameter name: value})."""
    met: set[str] = set()
    login = figures.get("accounts:timestamp_last_login")
    if _recent(login, day):
        met.add("signed_in_28d")
    if pacific_date(login) == day:
        met.add("signed_in_today")
    chat = _n(figures, "chat:num_28day_messages_and_reactions_sent") >= CHAT_HABIT
    if _n(figures, "gmail:num_emails_sent") > 0:
        met.add("sent_mail")
    if chat:
        met.add("chat_habit")
        if _recent(figures.get("gmail:timestamp_last_interaction"), day):
            met.add("mail_and_chat_habit")
    if _n(figures, "drive:num_items_created") > 0:
        met.add("created_files")
    if _n(figures, "drive:num_items_commented") > 0:
        met.add("commented")
    if _n(figures, "drive:num_owned_items_with_visibility_shared_internally_added") > 0:
        met.add("shared_files")
    if _n(figures, "chat:num_28day_spaces_created") > 0:
        met.add("space_created_28d")
    if figures.get("accounts:is_2sv_enrolled") is True:
        met.add("two_step")
    if (_n(figures, "accounts:num_passkeys_enrolled") > 0
            or _n(figures, "accounts:num_security_keys") > 0):
        met.add("passkey")
    if "accounts:num_authorized_apps" in figures and _n(
            figures, "accounts:num_authorized_apps") <= MAX_APPS:
        met.add("few_apps")
    return met


def report_figures(report: Mapping[str, Any]) -> dict[str, Any]:
    """{canonical name: value} of one usageReports entry (old names accepted)."""
    from workspace_coach.report_fields import canonical

    out: dict[str, Any] = {}
    for p in report.get("parameters") or []:
        name = canonical(p.get("name", ""))
        if name not in USAGE_PARAMETERS:
            continue
        for key in ("intValue", "boolValue", "datetimeValue", "stringValue"):
            if key in p:
                out[name] = int(p[key]) if key == "intValue" else p[key]
                break
    return out


# -- event-based ---------------------------------------------------------------------------------

#: (app, event names) read from `activity_events` for the event-based indicators.
EVENT_NAMES: dict[str, tuple[str, ...]] = {
    "meet": ("call_ended",),
    "drive": ("create", "upload", "edit", "create_comment", "change_document_visibility"),
    "chat": ("message_posted",),
}
PUBLIC = frozenset({"people_with_link", "public_on_the_web"})
MOBILE = frozenset({"android", "ios"})
SPACE_MIN_PEOPLE = 3


@dataclass(frozen=True)
class Event:
    """The part of a stored activity event the indicators read."""

    actor: str          # lower-case email
    day: dt.date        # Pacific date
    app: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _values(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    return [] if value is None else [str(value)]


@dataclass
class Rolling:
    """The 28-day facts of each date when the store has already aggregated them: the rooms
    posted in on the date with at least `SPACE_MIN_PEOPLE` posters in its 28 days (no other
    room is asked about), people with more than one Meet device type, people who made a file
    public (`rolling.rolling_facts`)."""

    spaces: dict[dt.date, set[str]] = field(default_factory=dict)
    multi_device: dict[dt.date, set[str]] = field(default_factory=dict)
    public: dict[dt.date, set[str]] = field(default_factory=dict)


def made_public(params: Mapping[str, Any]) -> bool:
    """A Drive change_document_visibility event that opened a file to anyone with the link."""
    return bool(PUBLIC & {*_values(params.get("new_value")), *_values(params.get("visibility"))})


def event_indicators(events: Iterable[Event], days: Iterable[dt.date],
                     rolling: Rolling | None = None) -> dict[dt.date, dict[str, set[str]]]:
    """For every date in `days`: {indicator id: actors who met it} (for a negative indicator:
    the actors who broke it). The 28-day indicators come from `rolling` when given; otherwise
    from `events`, which must then include the 27 days before the first date."""
    wanted = sorted(set(days))
    daily: dict[dt.date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    conferences: dict[str, set[str]] = defaultdict(set)
    calls: list[Event] = []
    devices: dict[str, dict[dt.date, set[str]]] = defaultdict(lambda: defaultdict(set))
    public: dict[str, set[dt.date]] = defaultdict(set)
    rooms: dict[str, dict[dt.date, set[str]]] = defaultdict(lambda: defaultdict(set))
    posts: list[tuple[str, dt.date, str]] = []
    posts_on: dict[dt.date, list[tuple[str, str]]] = defaultdict(list)
    for e in events:
        p = e.params
        if e.app == "meet" and e.name == "call_ended":
            conference = str(p.get("conference_id") or "")
            if conference:
                conferences[conference].add(e.actor)
            calls.append(e)
            device = p.get("device_type")
            if device:
                devices[e.actor][e.day].add(str(device))
        elif e.app == "drive":
            if e.name == "change_document_visibility":
                if made_public(p):
                    public[e.actor].add(e.day)
                continue
            if _truthy(p.get("owner_is_shared_drive")) or p.get("shared_drive_id"):
                daily[e.day]["shared_drive_work"].add(e.actor)
            owner = str(p.get("owner") or "").lower()
            if e.name in ("edit", "create_comment") and owner and owner != e.actor:
                daily[e.day]["edited_others"].add(e.actor)
        elif e.app == "chat" and e.name == "message_posted":
            room = str(p.get("room_id") or "")
            if room:
                rooms[room][e.day].add(e.actor)
                posts.append((room, e.day, e.actor))
                posts_on[e.day].append((room, e.actor))
    for e in calls:
        met = daily[e.day]
        p = e.params
        if p.get("calendar_event_id"):
            met["scheduled_meeting"].add(e.actor)
        if _n(p, "video_send_seconds") > 0:
            met["video_on"].add(e.actor)
        if _n(p, "screencast_send_seconds") > 0:
            met["screen_shared"].add(e.actor)
        if len(conferences.get(str(p.get("conference_id") or ""), ())) > 1:
            met["met_others"].add(e.actor)
        if str(p.get("device_type") or "") in MOBILE:
            met["mobile_meet"].add(e.actor)

    def window(day: dt.date) -> tuple[dt.date, dt.date]:
        return day - dt.timedelta(days=LOOKBACK - 1), day

    if rolling is not None:
        for day in wanted:
            if rolling.multi_device.get(day):
                daily[day]["multi_device_28d"] |= rolling.multi_device[day]
            if rolling.public.get(day):
                daily[day]["no_public_links"] |= rolling.public[day]
            spaces = rolling.spaces.get(day, set())
            for room, actor in posts_on.get(day, ()):
                if room in spaces:
                    daily[day]["space_posts"].add(actor)
        return {day: {k: set(v) for k, v in daily[day].items()} for day in wanted}
    for day in wanted:
        first, last = window(day)
        for actor, by_day in devices.items():
            kinds = set().union(*(v for d, v in by_day.items() if first <= d <= last))
            if len(kinds) > 1:
                daily[day]["multi_device_28d"].add(actor)
        for actor, made in public.items():
            if any(first <= d <= last for d in made):
                daily[day]["no_public_links"].add(actor)
    wanted_set = set(wanted)
    room_size: dict[tuple[str, dt.date], int] = {}
    for room, day, actor in posts:
        if day not in wanted_set:
            continue
        if (room, day) not in room_size:
            first, last = window(day)
            room_size[(room, day)] = len(set().union(
                *(v for d, v in rooms[room].items() if first <= d <= last)))
        if room_size[(room, day)] >= SPACE_MIN_PEOPLE:
            daily[day]["space_posts"].add(actor)
    return {day: {k: set(v) for k, v in daily[day].items()} for day in wanted}
