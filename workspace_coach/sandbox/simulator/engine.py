"""The simulation engine: personas, teams and days in, audit events out.

Every random choice comes from a `random.Random` seeded by (seed, person, day) or (seed, team,
day), never the global generator or the wall clock, so a seed reproduces a tenant exactly and
simulating days in any chunking gives the same events. Days already simulated are skipped and
every row carries a `unique_key`, so running again appends and never duplicates.

People live in Korea: a day here is a Korean (KST) date with Korean working hours and public
holidays; the events table keys reports on the Pacific-time date Google uses (see docs).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.events import rfc3339
from workspace_coach.sandbox.simulator import clock
from workspace_coach.sandbox.simulator.calendar import is_workday
from workspace_coach.sandbox.simulator.personas import PERSONAS, Persona
from workspace_coach.sandbox.simulator.profiles import assign_personas, get_profile
from workspace_coach.sandbox.store import Store
from workspace_coach.timezones import PACIFIC

STATE_KIND = "simulation"
COACHING_KIND = "coaching_session"
MAX_DAYS = 450  # Google keeps about 450 days of usage history

_encode = json.JSONEncoder(ensure_ascii=False).encode
DOC_TYPES = (("document", 0.47), ("spreadsheet", 0.35), ("presentation", 0.13), ("form", 0.05))
UPLOAD_TYPES = ("pdf", "msexcel", "msword", "mspowerpoint", "image")
TITLES = ("주간 회의록", "예산안", "사업계획서", "회원 명단", "행사 준비", "월간 보고", "설문지",
          "교육 자료", "견적서", "업무 분장표", "공지 초안", "결산 보고")
EXTERNAL = ("partner.kr", "gmail.com", "naver.com", "daum.net")
APPS = (("1072944905499-zoom.apps.googleusercontent.com", "Zoom"),
        ("887217513232-notion.apps.googleusercontent.com", "Notion"),
        ("339121853215-slack.apps.googleusercontent.com", "Slack"),
        ("602348772812-canva.apps.googleusercontent.com", "Canva"),
        ("775124401223-hancom.apps.googleusercontent.com", "Hancom Docs"),
        ("918223405113-trello.apps.googleusercontent.com", "Trello"))


@dataclass
class SimulationResult:
    customer_id: str
    domain: str
    profile: str
    seed: int
    users: int
    days_simulated: list[str] = field(default_factory=list)
    days_skipped: list[str] = field(default_factory=list)
    events_written: int = 0
    by_app: dict[str, int] = field(default_factory=dict)
    personas: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Person:
    id: str
    email: str
    local: str
    persona: Persona
    active: bool                          # not suspended, and the persona logs in
    teams: list[str]
    mates: list[str]                      # emails of people sharing a team
    enrolled: bool = False
    apps: set[str] = field(default_factory=set)
    last_login: str = ""


# -- entry point ----------------------------------------------------------------------------------

def simulate(store: Store, tenant: str, *, days: int, until: date | None = None, seed: int = 0,
             profile: str = "mixed") -> SimulationResult:
    """Simulate `days` Korean days ending with `until` (default: yesterday in Korea)."""
    if not 1 <= days <= MAX_DAYS:
        raise errors.invalid(f"days must be between 1 and {MAX_DAYS}")
    record = store.get("tenant", "", tenant)
    if record is None:
        raise errors.not_found("Unknown customer")
    prof = get_profile(profile)
    today = clock.today_korea(store)
    until = until or today - timedelta(days=1)
    if until >= today:
        raise errors.invalid(f"until must be before today in Korea ({today.isoformat()}): "
                             "the simulator only writes the past")
    wanted = [until - timedelta(days=n) for n in range(days - 1, -1, -1)]

    state = store.get(STATE_KIND, tenant, "state") or {
        "start": wanted[0].isoformat(), "days": [], "personas": {}, "seed": seed,
        "profile": profile}
    users = [u for u in store.list("user", tenant)]
    newcomers = [u["primaryEmail"].split("@")[0] for u in users
                 if u["primaryEmail"].split("@")[0] not in state["personas"]]
    if newcomers:
        state["personas"].update(assign_personas(prof, newcomers, seed))
    people = _people(store, tenant, users, state["personas"])
    first_run = not state["days"]
    start = min(date.fromisoformat(state["start"]), wanted[0])
    state["start"] = start.isoformat()
    done = set(state["days"])
    coaching = sorted(date.fromisoformat(c["date"]) for c in store.list(COACHING_KIND, tenant))

    result = SimulationResult(tenant, record["customerDomain"], profile, seed, len(people))
    result.personas = dict(Counter(p.persona.name for p in people.values()))
    _load_state(store, tenant, people)
    before = store.execute("SELECT total_changes()").fetchone()[0]
    by_app: Counter[str] = Counter()
    rows: list[tuple] = []
    if first_run or newcomers:
        rows += _initial_2sv(tenant, people, seed, start, set(newcomers), first_run)
    teams = _teams(people)
    for day in wanted:
        if day.isoformat() in done:
            result.days_skipped.append(day.isoformat())
            continue
        sim = _Day(tenant, day, seed, start, coaching, prof.coaching_boost)
        rows += sim.run(people, teams)
        result.days_simulated.append(day.isoformat())
        done.add(day.isoformat())
        if len(rows) > 50_000:
            _flush(store, rows, by_app)
    _flush(store, rows, by_app)
    result.events_written = store.execute("SELECT total_changes()").fetchone()[0] - before
    result.by_app = dict(sorted(by_app.items()))
    state["days"] = sorted(done)
    store.put(STATE_KIND, tenant, "state", state)
    _update_directory(store, tenant, people)
    return result


def record_coaching(store: Store, tenant: str, day: date, note: str = "") -> dict[str, Any]:
    doc = {"date": day.isoformat(), "note": note}
    store.put(COACHING_KIND, tenant, day.isoformat(), doc)
    return doc


def _flush(store: Store, rows: list[tuple], by_app: Counter[str]) -> None:
    if not rows:
        return
    for row in rows:
        by_app[row[1]] += 1
    store.add_events(rows)
    rows.clear()


# -- who is who -----------------------------------------------------------------------------------

def _people(store: Store, tenant: str, users: list[dict[str, Any]],
            personas: dict[str, str]) -> dict[str, Person]:
    teams = _team_membership(store, tenant, users)
    people: dict[str, Person] = {}
    for user in sorted(users, key=lambda u: u["primaryEmail"]):
        local = user["primaryEmail"].split("@")[0]
        persona = PERSONAS[personas[local]]
        people[user["id"]] = Person(
            user["id"], user["primaryEmail"], local, persona,
            active=persona.logs_in and not user.get("suspended"),
            teams=teams.get(user["id"], []), mates=[],
            enrolled=bool(user.get("isEnrolledIn2Sv")),
        )
    by_team: dict[str, list[str]] = defaultdict(list)
    for person in people.values():
        for team in person.teams:
            by_team[team].append(person.email)
    for person in people.values():
        mates = {m for t in person.teams for m in by_team[t] if m != person.email}
        person.mates = sorted(mates)
    return people


def _team_membership(store: Store, tenant: str,
                     users: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Teams are groups (by group address); people in no group fall back to their org unit."""
    ids = {u["id"] for u in users}
    out: dict[str, list[str]] = defaultdict(list)
    for group in store.list("group", tenant):
        key = "g:" + str(group.get("email", group.get("id", ""))).split("@")[0]
        for member in store.list("member", tenant, group["id"]):
            if member.get("type", "USER") == "USER" and member.get("id") in ids:
                out[member["id"]].append(key)
    for user in users:
        if not out.get(user["id"]):
            out[user["id"]] = ["ou:" + user.get("orgUnitPath", "/")]
    return {k: sorted(set(v)) for k, v in out.items()}


def _teams(people: dict[str, Person]) -> dict[str, list[Person]]:
    teams: dict[str, list[Person]] = defaultdict(list)
    for person in people.values():
        for team in person.teams:
            teams[team].append(person)
    return dict(sorted(teams.items()))


def _load_state(store: Store, tenant: str, people: dict[str, Person]) -> None:
    """2SV and app grants as the events left them (so chunked runs continue seamlessly)."""
    twosv: dict[str, tuple[str, str]] = {}
    for actor_id, name, when in store.execute(
            "SELECT actor_id, name, MAX(time) FROM events WHERE tenant=? AND app='login' AND "
            "name IN ('2sv_enroll', '2sv_disable') GROUP BY actor_id, name", (tenant,)):
        if actor_id not in twosv or when > twosv[actor_id][1]:
            twosv[actor_id] = (name, when)
    for actor_id, (name, _) in twosv.items():
        if actor_id in people:
            people[actor_id].enrolled = name == "2sv_enroll"
    grants: dict[tuple[str, str], tuple[str, str]] = {}
    for actor_id, client, name, when in store.execute(
            "SELECT actor_id, json_extract(params, '$.client_id'), name, MAX(time) FROM events "
            "WHERE tenant=? AND app='token' GROUP BY 1, 2, 3", (tenant,)):
        key = (actor_id, client)
        if key not in grants or when > grants[key][1]:
            grants[key] = (name, when)
    for (actor_id, client), (name, _) in grants.items():
        if actor_id in people and name == "authorize":
            people[actor_id].apps.add(client)


def _initial_2sv(tenant: str, people: dict[str, Person], seed: int, start: date,
                 newcomers: set[str], first_run: bool) -> list[tuple]:
    """People who enrolled in 2SV before the simulated period get an enrolment event then."""
    rows = []
    for person in people.values():
        if not first_run and person.local not in newcomers:
            continue
        rng = random.Random(f"{seed}:{person.local}:2sv")
        if person.enrolled or not person.active or rng.random() >= person.persona.twosv_initial:
            continue
        when = datetime(start.year, start.month, start.day, 1, tzinfo=UTC) - timedelta(
            days=rng.randint(5, 300), seconds=rng.randint(0, 30000))
        person.enrolled = True
        rows.append((tenant, "login", rfc3339(when), when.astimezone(PACIFIC).date().isoformat(),
                     person.email, person.id, "2sv_change", "2sv_enroll", "{}",
                     _office_ip(seed, person.local), f"s:{person.id}:2sv-initial"))
    return rows


def _update_directory(store: Store, tenant: str, people: dict[str, Person]) -> None:
    """Keep the directory in step: 2SV enrolment, last login and a recovery phone once one
    was added, as Google shows them."""
    last = dict(store.execute(
        "SELECT actor_id, MAX(time) FROM events WHERE tenant=? AND app='login' AND "
        "name='login_success' GROUP BY actor_id", (tenant,)).fetchall())
    recovery = {row[0] for row in store.execute(
        "SELECT DISTINCT actor_id FROM events WHERE tenant=? AND app='login' AND "
        "name='recovery_phone_edit'", (tenant,))}
    for person in people.values():
        user = store.get("user", tenant, person.id)
        if user is None:
            continue
        changed = False
        if person.id in recovery and not user.get("recoveryPhone"):
            user["recoveryPhone"] = _recovery_phone(person.local)
            changed = True
        if bool(user.get("isEnrolledIn2Sv")) != person.enrolled:
            user["isEnrolledIn2Sv"] = person.enrolled
            changed = True
        if person.id in last and last[person.id] > user.get("lastLoginTime", ""):
            user["lastLoginTime"] = last[person.id]
            changed = True
        if changed:
            store.put("user", tenant, person.id, user)


def _recovery_phone(local: str) -> str:
    """A made-up Korean mobile number (E.164, as the Directory API stores recovery phones)."""
    digits = int(hashlib.sha256(f"{local}:phone".encode()).hexdigest(), 16) % 10**8
    return f"+8210{digits:08d}"


# -- one day --------------------------------------------------------------------------------------

def _office_ip(seed: int, local: str) -> str:
    h = hashlib.sha256(f"{seed}:{local}:ip".encode()).digest()
    return f"211.{h[0] % 200 + 20}.{h[1]}.{h[2] % 250 + 2}"


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _doc_id(*parts: object) -> str:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=24).digest()
    return "1" + base64.urlsafe_b64encode(digest).decode()


class _Day:
    """Events of every person for one Korean day."""

    def __init__(self, tenant: str, day: date, seed: int, start: date, coaching: list[date],
                 boost: float) -> None:
        self.tenant, self.day, self.seed, self.start, self.boost = tenant, day, seed, start, boost
        self.coaching = [c for c in coaching if c <= day]
        self.fresh_coaching = any((day - c).days < 14 for c in self.coaching)
        self.work = is_workday(day)
        self.key = day.isoformat()
        kst_midnight = datetime(day.year, day.month, day.day, tzinfo=clock.KOREA)
        self.base = kst_midnight.astimezone(UTC)
        pacific_midnight = datetime(day.year, day.month, day.day, tzinfo=PACIFIC)
        self.switch = int((pacific_midnight - kst_midnight).total_seconds())
        self.pdays = ((day - timedelta(days=1)).isoformat(), day.isoformat())
        self.utc_dates = ((day - timedelta(days=1)).isoformat(), day.isoformat())
        self.rows: list[tuple] = []
        self.counter: Counter[str] = Counter()

    # time helpers: seconds since KST midnight -> (UTC RFC 3339, Pacific day)
    def _when(self, sec: float) -> tuple[str, str]:
        sec = min(max(sec, 0.0), 86399.999)
        ms = int(sec * 1000)
        utc = ms - 9 * 3600 * 1000
        udate = self.utc_dates[1] if utc >= 0 else self.utc_dates[0]
        utc %= 86400 * 1000
        s, ms3 = divmod(utc, 1000)
        h, rest = divmod(s, 3600)
        m, s = divmod(rest, 60)
        return (f"{udate}T{h:02d}:{m:02d}:{s:02d}.{ms3:03d}Z",
                self.pdays[1] if sec >= self.switch else self.pdays[0])

    def emit(self, person: Person, sec: float, app: str, etype: str, name: str,
             params: dict[str, Any], ip: str) -> None:
        when, pday = self._when(sec)
        n = self.counter[person.id]
        self.counter[person.id] += 1
        self.rows.append((self.tenant, app, when, pday, person.email, person.id, etype, name,
                          _encode(params), ip,
                          f"s:{person.id}:{self.key}:{n}"))

    def adoption(self, persona: Persona) -> float:
        t = (self.day - self.start).days
        a = persona.adoption_start + (persona.adoption_ceiling - persona.adoption_start) * (
            1 - math.exp(-t / persona.growth_days))
        a += persona.coachability * self.boost * len(self.coaching)
        return min(1.0, a)

    def run(self, people: dict[str, Person], teams: dict[str, list[Person]]) -> list[tuple]:
        rngs: dict[str, random.Random] = {}
        present: dict[str, tuple[float, float, float]] = {}   # id -> (start, end, adoption)
        for person in people.values():
            rng = rngs[person.id] = random.Random(f"{self.seed}:{person.local}:{self.key}")
            away = rng.random() < 0.05  # sick or on leave
            chance = person.persona.presence if self.work else person.persona.weekend
            if person.active and not away and rng.random() < chance:
                if self.work:
                    begin = 8 * 3600 + rng.uniform(0, 5400)
                    end = 18 * 3600 + rng.uniform(-1800, 7200)
                else:
                    begin = 10 * 3600 + rng.uniform(0, 14400)
                    end = begin + rng.uniform(1800, 7200)
                present[person.id] = (begin, end, self.adoption(person.persona))
        for team, members in teams.items():
            self._meetings(team, [m for m in members if m.id in present], present)
        for person in people.values():
            self._person(person, rngs[person.id], present.get(person.id))
        return self.rows

    # -- team meetings ----------------------------------------------------------------------

    def _meetings(self, team: str, members: list[Person],
                  present: dict[str, tuple[float, float, float]]) -> None:
        if not members:
            return
        rng = random.Random(f"{self.seed}:{team}:{self.key}")
        intensity = 1.0 if self.work else 0.2
        for host in members:
            begin, end, a = present[host.id]
            for n in range(min(3, _poisson(rng, host.persona.meet_host * a * intensity))):
                others = [m for m in members if m.id != host.id]
                rng.shuffle(others)
                joined = [m for m in others[:7]
                          if rng.random() < m.persona.meet_join * (0.4 + 0.6 * present[m.id][2])]
                scheduled = rng.random() < 0.45 + 0.4 * a
                sec = rng.uniform(begin, max(begin + 1, end - 3600))
                minutes = rng.choice((15, 25, 30, 30, 45, 50, 60))
                code = "".join(rng.choice("abcdefghijkmnopqrstuvwxyz") for _ in range(10))
                code = f"{code[:3]}-{code[3:7]}-{code[7:]}"
                conference = _doc_id(self.seed, team, self.key, n, host.local)[1:23]
                event_id = ""
                if scheduled:
                    event_id = _doc_id("evt", self.seed, team, self.key, host.local, n)[1:27]
                    self.emit(host, sec - rng.uniform(600, 7200), "calendar", "event_change",
                              "create_event", {
                                  "event_id": event_id, "event_title": f"{team[2:]} 회의",
                                  "calendar_id": host.email, "organizer_calendar_id": host.email,
                                  "event_guest": [m.email for m in joined] or [host.email]},
                              _office_ip(self.seed, host.local))
                for who in [host, *joined]:
                    self._call(rng, who, host, who is host, sec, minutes, code, conference,
                               event_id, present[who.id][2])

    def _call(self, rng: random.Random, who: Person, host: Person, is_host: bool, sec: float,
              minutes: int, code: str, conference: str, event_id: str, a: float) -> None:
        persona = who.persona
        mobile = rng.random() < persona.mobile
        device = rng.choice(("android", "ios")) if mobile else "web"
        duration = int(minutes * 60 * rng.uniform(0.7, 1.05))
        video = int(duration * rng.uniform(0.6, 1.0)) if rng.random() < persona.video * (
            0.5 + 0.5 * a) else 0
        screen = int(duration * rng.uniform(0.2, 0.7)) if is_host and rng.random() < (
            persona.screen_share * a) and not mobile else 0
        params: dict[str, Any] = {
            "meeting_code": code.replace("-", "").upper(), "conference_id": conference,
            "organizer_email": host.email, "device_type": device, "identifier": who.email,
            "identifier_type": "email_address", "display_name": who.local,
            "is_external": False, "duration_seconds": duration, "video_send_seconds": video,
            "screencast_send_seconds": screen, "audio_send_seconds": duration,
        }
        if event_id:
            params["calendar_event_id"] = event_id
        ip = _mobile_ip(rng) if mobile else _office_ip(self.seed, who.local)
        self.emit(who, sec + duration + rng.uniform(0, 60), "meet", "call", "call_ended", params,
                  ip)

    # -- one person's day -------------------------------------------------------------------

    def _person(self, person: Person, rng: random.Random,
                presence: tuple[float, float, float] | None) -> None:
        persona = person.persona
        received = _poisson(rng, persona.emails_received * (1.0 if self.work else 0.2))
        if presence is None:
            if received:
                self.emit(person, 7.5 * 3600, "gmail", "email_summary", "email_summary",
                          {"num_emails_sent": 0, "num_emails_received": received,
                           "interacted": False}, "")
            return
        begin, end, a = presence
        intensity = 1.0 if self.work else 0.3
        ip = _office_ip(self.seed, person.local)

        def at() -> float:
            return rng.uniform(begin, end)

        # logins, 2SV, recovery phone, password, OAuth grants
        methods = ["password", "google_prompt"] if person.enrolled else ["password"]
        if rng.random() < persona.login_failure:
            self.emit(person, begin - 40, "login", "login", "login_failure", {
                "login_type": "google_password", "login_challenge_method": ["password"],
                "login_failure_type": "login_failure_invalid_password", "is_suspicious": False},
                ip)
        self._login(person, begin, methods, ip)
        if rng.random() < persona.mobile * (0.5 + a):
            self._login(person, at(), methods, _mobile_ip(rng))
        boost = 4.0 if self.fresh_coaching else 1.0
        enrol = persona.twosv_daily * a * boost
        if self.fresh_coaching:  # coaches walk people through 2SV in the weeks after a session
            enrol += 0.06 * persona.coachability * self.boost
        if not person.enrolled and rng.random() < enrol:
            person.enrolled = True
            self.emit(person, at(), "login", "2sv_change", "2sv_enroll", {}, ip)
        elif person.enrolled and rng.random() < 0.0008:
            person.enrolled = False
            self.emit(person, at(), "login", "2sv_change", "2sv_disable", {}, ip)
        if rng.random() < persona.recovery_phone * (0.5 + a):
            self.emit(person, at(), "login", "account_info_change", "recovery_phone_edit", {}, ip)
        if rng.random() < 0.003:
            self.emit(person, at(), "login", "account_info_change", "password_edit", {}, ip)
        if rng.random() < persona.oauth_grant * (0.5 + a) * boost:
            client, name = rng.choice(APPS)
            if client not in person.apps:
                person.apps.add(client)
                self.emit(person, at(), "token", "auth", "authorize", {
                    "client_id": client, "app_name": name, "client_type": "WEB",
                    "scope": ["https://www.googleapis.com/auth/userinfo.email", "openid"]}, ip)
        elif person.apps and rng.random() < 0.003:
            client = min(person.apps)
            person.apps.discard(client)
            self.emit(person, at(), "token", "auth", "revoke", {
                "client_id": client, "app_name": dict(APPS).get(client, client),
                "client_type": "WEB"}, ip)

        # Gmail: one summary row per person and day (see docs: Gmail's message log is not served)
        sent = _poisson(rng, persona.emails_sent * intensity)
        self.emit(person, end - rng.uniform(0, 1800), "gmail", "email_summary", "email_summary",
                  {"num_emails_sent": sent, "num_emails_received": received, "interacted": True},
                  "")

        self._drive(person, rng, a, intensity, at, ip)

        for _ in range(_poisson(rng, persona.calendar_events * a * intensity)):
            self.emit(person, at(), "calendar", "event_change", "create_event", {
                "event_id": _doc_id("cal", person.local, self.key, rng.random())[1:27],
                "event_title": rng.choice(("외근", "교육", "상담", "점검", "마감")),
                "calendar_id": person.email, "organizer_calendar_id": person.email}, ip)
        for _ in range(_poisson(rng, persona.chat_messages * a * intensity)):
            mate = rng.choice(person.mates) if person.mates and rng.random() < 0.4 else ""
            room = (_doc_id("dm", *sorted((person.email, mate)))[1:12] if mate
                    else _doc_id("space", person.teams[0] if person.teams else "all")[1:12])
            self.emit(person, at(), "chat", "user_action", "message_posted", {
                "room_id": room, "room_name": "" if mate else (person.teams or ["all"])[0][2:],
                "conversation_ownership": "internal"}, ip)
        if rng.random() < persona.chat_spaces * a * intensity:
            self.emit(person, at(), "chat", "user_action", "room_created", {
                "room_id": _doc_id("room", person.local, self.key)[1:12],
                "room_name": rng.choice(("프로젝트", "행사팀", "번개", "스터디"))}, ip)

    def _login(self, person: Person, sec: float, methods: list[str], ip: str) -> None:
        when, _ = self._when(sec)
        stamp = int(datetime.fromisoformat(when).timestamp() * 1_000_000)
        self.emit(person, sec, "login", "login", "login_success", {
            "login_type": "google_password", "login_challenge_method": methods,
            "is_suspicious": False, "login_timestamp": stamp}, ip)

    def _drive(self, person: Person, rng: random.Random, a: float, intensity: float, at: Any,
               ip: str) -> None:
        persona = person.persona
        team = person.teams[0] if person.teams else "all"
        shared_drive = "0A" + _doc_id("drive", self.seed, team)[1:18]

        def doc(owner: str, n: int) -> tuple[str, str, str]:
            kind = DOC_TYPES[n % 3][0]
            return _doc_id(self.seed, owner, n), f"{TITLES[n % len(TITLES)]} {n}", kind

        def base(doc_id: str, title: str, kind: str, owner: str, in_shared: bool,
                 visibility: str) -> dict[str, Any]:
            params: dict[str, Any] = {
                "doc_id": doc_id, "doc_title": title, "doc_type": kind,
                "owner": "" if in_shared else owner, "owner_is_shared_drive": in_shared,
                "primary_event": True, "billable": True, "visibility": visibility}
            if in_shared:
                params["shared_drive_id"] = shared_drive
            return params

        for n in range(_poisson(rng, persona.drive_create * a * intensity)):
            r, kind = rng.random(), "document"
            for name, share in DOC_TYPES:
                if r < share:
                    kind = name
                    break
                r -= share
            in_shared = rng.random() < persona.shared_drive_share * (0.5 + 0.5 * a)
            doc_id = _doc_id(self.seed, person.local, self.key, "new", n)
            title = f"{rng.choice(TITLES)} ({self.day.month}/{self.day.day})"
            sec = at()
            params = base(doc_id, title, kind, person.email, in_shared,
                          "shared_internally" if in_shared else "private")
            self.emit(person, sec, "drive", "access", "create", params, ip)
            self.emit(person, sec + rng.uniform(30, 900), "drive", "access", "edit", params, ip)
        for n in range(_poisson(rng, persona.drive_upload * intensity)):
            kind = rng.choice(UPLOAD_TYPES)
            self.emit(person, at(), "drive", "access", "upload", base(
                _doc_id(self.seed, person.local, self.key, "up", n), f"{rng.choice(TITLES)}.{kind}",
                kind, person.email, False, "private"), ip)
        own = person.email
        for _ in range(_poisson(rng, persona.drive_edit * a * intensity)):
            owner = rng.choice(person.mates) if person.mates and rng.random() < 0.4 else own
            doc_id, title, kind = doc(owner.split("@")[0], rng.randrange(20))
            self.emit(person, at(), "drive", "access", "edit", base(
                doc_id, title, kind, owner, False,
                "private" if owner == own else "shared_internally"), ip)
        for _ in range(_poisson(rng, persona.drive_view * (0.5 + 0.5 * a) * intensity)):
            owner = rng.choice(person.mates) if person.mates and rng.random() < 0.6 else own
            doc_id, title, kind = doc(owner.split("@")[0], rng.randrange(20))
            self.emit(person, at(), "drive", "access", "view", base(
                doc_id, title, kind, owner, False,
                "private" if owner == own else "shared_internally"), ip)
        for _ in range(_poisson(rng, persona.drive_comment * a * intensity)):
            owner = rng.choice(person.mates) if person.mates else own
            doc_id, title, kind = doc(owner.split("@")[0], rng.randrange(20))
            self.emit(person, at(), "drive", "access", "create_comment", base(
                doc_id, title, kind, owner, False, "shared_internally"), ip)
        for _ in range(_poisson(rng, persona.drive_share * a * intensity)):
            doc_id, title, kind = doc(person.local, rng.randrange(20))
            r = rng.random()
            if r < persona.public_link:
                new = "public_on_the_web" if rng.random() < 0.2 else "people_with_link"
                params = base(doc_id, title, kind, own, False, new)
                params.update({"new_value": [new], "old_value": ["private"],
                               "visibility_change": "external"})
                self.emit(person, at(), "drive", "acl_change", "change_document_visibility",
                          params, ip)
                continue
            external = r < persona.public_link + persona.external_share or not person.mates
            target = (f"{rng.choice(('kim', 'lee', 'park', 'choi'))}{rng.randint(1, 99)}@"
                      f"{rng.choice(EXTERNAL)}" if external else rng.choice(person.mates))
            role = rng.choice(("can_view", "can_comment", "can_edit", "can_edit"))
            params = base(doc_id, title, kind, own, False,
                          "shared_externally" if external else "shared_internally")
            params.update({"target_user": target, "new_value": [role], "old_value": ["none"],
                           "visibility_change": "external" if external else "internal"})
            self.emit(person, at(), "drive", "acl_change", "change_user_access", params, ip)


def _mobile_ip(rng: random.Random) -> str:
    return f"223.{rng.choice((38, 39, 62))}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
