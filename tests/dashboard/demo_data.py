"""A coach's database filled the way the audit and coaching fill it, for dashboard tests and the
dashboard benchmark.

Rows are written through the storage models, shaped as the data contract says (scores with
their `inputs`, check results with bilingual details, sessions with follow-ups, curriculum marks
and a directory snapshot). Values are synthesised deterministically from a seed: they follow a
rising trend with noise, so trends, gaps and gains are all present.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from workspace_coach.coaching.scores import CATEGORIES
from workspace_coach.storage import models as m
from workspace_coach.storage.migrations import upgrade

NOW = dt.datetime(2025, 6, 20, 3, 0, tzinfo=dt.UTC)

INDICATORS = {
    "activation": [("signed_in_28d", "28일 안에 로그인", "Signed in within 28 days", 0.95),
                   ("has_2sv", "2단계 인증 등록", "Enrolled in 2SV", 0.9)],
    "communication": [("chat_active", "채팅 사용", "Used Chat", 0.6),
                      ("gmail_active", "메일 사용", "Used Gmail", 0.8)],
    "meetings": [("meet_joined", "회의 참여", "Joined a meeting", 0.6)],
    "collaboration": [("docs_created", "문서 만들기", "Created a document", 0.5),
                      ("docs_shared", "문서 공유", "Shared a document", 0.4)],
    "teamwork": [("shared_drive_used", "공유 드라이브 사용", "Used a shared drive", 0.5)],
    "mobility": [("mobile_active", "모바일 사용", "Used a mobile device", 0.4)],
    "security": [("has_2sv", "2단계 인증 등록", "Enrolled in 2SV", 1.0),
                 ("recovery_set", "복구 정보 등록", "Recovery info set", 0.9)],
}
WEIGHTS = {"activation": 0.2, "communication": 0.15, "meetings": 0.1, "collaboration": 0.2,
           "teamwork": 0.1, "mobility": 0.05, "security": 0.2}

CHECKS = [
    ("admins-without-2sv", "critical", "fail", "CIS GWS 1.1.1",
     ("2단계 인증이 없는 관리자", "Admins without 2-Step Verification"),
     ("관리자 계정 하나가 뚫리면 조직 전체가 위험합니다.",
      "One compromised admin account puts the whole organisation at risk."),
     ("관리자에게 2단계 인증을 켜게 하세요.", "Have every admin turn on 2SV."),
     "Admin console > Security > 2-Step Verification"),
    ("single-super-admin", "high", "fail", "Google SMB checklist",
     ("최고 관리자가 한 명뿐", "Only one super admin"),
     ("그 사람이 없으면 아무도 관리할 수 없습니다.", "Nobody can manage the domain without them."),
     ("두 번째 최고 관리자를 지정하세요.", "Assign a second super admin."),
     "Admin console > Account > Admin roles"),
    ("external-sharing-open", "medium", "fail", "CIS GWS 3.1.3.1.1",
     ("외부 공유가 열려 있음", "External sharing is open"),
     ("외부로 파일이 새어 나갈 수 있습니다.", "Files can leak outside."),
     ("외부 공유를 허용 목록으로 제한하세요.", "Restrict external sharing to allowlisted domains."),
     "Admin console > Apps > Google Workspace > Drive and Docs > Sharing settings"),
    ("users-without-recovery", "low", "pass", "Google SMB checklist",
     ("복구 정보가 없는 사용자", "Users without recovery info"),
     ("계정을 잃어버렸을 때 되찾기 어렵습니다.", "Lost accounts are hard to recover."),
     ("복구 이메일과 전화를 등록하게 하세요.", "Ask people to add recovery email and phone."),
     "Admin console > Directory > Users"),
]


@dataclass
class Demo:
    """What was written, for tests to compare the dashboard against."""

    client_id: int
    slug: str
    newest: dt.date
    units: dict[str, int] = field(default_factory=dict)     # org unit path -> people
    groups: dict[str, int] = field(default_factory=dict)    # group email -> members
    session_day: dt.date | None = None


def _value(rng: random.Random, base: float, day_index: int, days: int, slope: float) -> float:
    trend = base + slope * day_index / max(days - 1, 1)
    return round(max(0.0, min(100.0, trend + 3 * math.sin(day_index / 9) + rng.uniform(-1, 1))),
                 1)


def _inputs(category: str, value: float, people: int) -> dict:
    indicators = []
    for ident, ko, en, target in INDICATORS[category]:
        share = round(min(1.0, target * value / 100), 3)
        indicators.append({"id": ident, "label": {"ko": ko, "en": en},
                           "numerator": round(share * people), "denominator": people,
                           "share": share, "target": target, "weight": 1.0,
                           "points": round(100 * share / target, 1) if target else 100.0})
    return {"indicators": indicators, "people": people, "days": 28}


def _scopes(units: dict[str, int], groups: dict[str, int], people: int,
            min_size: int) -> list[tuple[str, str, int]]:
    scopes = [("org", "*", people)]
    small_units = sum(n for n in units.values() if n < min_size)
    scopes += [("org_unit", path, n) for path, n in units.items() if n >= min_size]
    if small_units >= min_size:
        scopes.append(("org_unit", "others", small_units))
    small_groups = sum(n for n in groups.values() if n < min_size)
    scopes += [("group", email, n) for email, n in groups.items() if n >= min_size]
    if small_groups >= min_size:
        scopes.append(("group", "others", small_groups))
    return scopes


def build(engine: Engine, *, slug: str = "haessal", display_name: str = "해살 협동조합",
          people: int = 40, days: int = 180, units: dict[str, int] | None = None,
          groups: dict[str, int] | None = None, consent: bool = False, min_group_size: int = 5,
          seed: int = 1, sessions: bool = True, checks: bool = True, marks: bool = True,
          profile_path: Path | None = None, newest: dt.date | None = None) -> Demo:
    """Write one client with `days` dates of scores ending on `newest` (two days ago)."""
    upgrade(engine)
    rng = random.Random(seed)
    newest = newest or dt.date.today() - dt.timedelta(days=2)
    units = units if units is not None else {"/교육": 14, "/사업": 12, "/운영": 11, "/이사회": 3}
    groups = groups if groups is not None else {f"events@{slug}.kr": 10,
                                                 f"finance@{slug}.kr": 6,
                                                 f"board@{slug}.kr": 3}
    domain = f"{slug}.kr"
    with engine.begin() as conn:
        client_id = conn.execute(sa.insert(m.Client).values(
            slug=slug, domain=domain, display_name=display_name, per_person_insights=consent,
            min_group_size=min_group_size, created_at=NOW,
            profile_path=str(profile_path) if profile_path else None)
            .returning(m.Client.id)).scalar_one()
        demo = Demo(client_id, slug, newest, units, groups)
        run_id = conn.execute(sa.insert(m.AuditRun).values(
            client_id=client_id, kind="score", started_at=NOW, finished_at=NOW, status="ok",
            first_date=newest - dt.timedelta(days=days - 1), last_date=newest)
            .returning(m.AuditRun.id)).scalar_one()
        bases = {c: rng.uniform(30, 70) for c in CATEGORIES if c != "overall"}
        slopes = {c: rng.uniform(-5, 25) for c in bases}
        rows = []
        for scope_type, key, size in _scopes(units, groups, people, min_group_size):
            offset = rng.uniform(-10, 10) if scope_type != "org" else 0.0
            for i in range(days):
                day = newest - dt.timedelta(days=days - 1 - i)
                values = {c: _value(rng, bases[c] + offset, i, days, slopes[c]) for c in bases}
                for category, value in values.items():
                    rows.append({"run_id": run_id, "client_id": client_id,
                                 "scope_type": scope_type, "scope_key": key,
                                 "category": category, "date": day, "window_days": 28,
                                 "value": value, "inputs": _inputs(category, value, size)})
                overall = round(sum(values[c] * w for c, w in WEIGHTS.items()), 1)
                rows.append({"run_id": run_id, "client_id": client_id, "scope_type": scope_type,
                             "scope_key": key, "category": "overall", "date": day,
                             "window_days": 28, "value": overall,
                             "inputs": {"categories": {c: {"value": values[c], "weight": w}
                                                       for c, w in WEIGHTS.items()}}})
                if len(rows) >= 5000:
                    conn.execute(sa.insert(m.Score), rows)
                    rows.clear()
        if rows:
            conn.execute(sa.insert(m.Score), rows)

        snapshot = conn.execute(sa.insert(m.DirectorySnapshot).values(
            client_id=client_id, taken_at=NOW, digest="demo").returning(m.DirectorySnapshot.id)
        ).scalar_one()
        emails = []
        unit_of = [path for path, n in units.items() for _ in range(n)]
        unit_of += ["/"] * max(0, people - len(unit_of))
        person_rows = []
        for i in range(people):
            email = f"user{i:04d}@{domain}"
            emails.append(email)
            person_rows.append({"snapshot_id": snapshot, "user_id": f"u{i}", "email": email,
                                "org_unit_path": unit_of[i], "is_admin": i == 0,
                                "is_delegated_admin": False, "admin_roles": [],
                                "suspended": False, "archived": False,
                                "is_enrolled_2sv": i % 3 == 0, "is_enforced_2sv": False,
                                "has_recovery_email": True, "has_recovery_phone": False,
                                "created_at": NOW, "last_login_at": NOW})
        conn.execute(sa.insert(m.Person), person_rows)

        if checks:
            check_run = conn.execute(sa.insert(m.AuditRun).values(
                client_id=client_id, kind="score", started_at=NOW, finished_at=NOW,
                status="ok").returning(m.AuditRun.id)).scalar_one()
            for ident, severity, status, ref, title, why, fix, path in CHECKS:
                affected = [{"type": "user", "id": emails[0], "detail": "super admin"}] \
                    if status == "fail" else []
                conn.execute(sa.insert(m.CheckResult).values(
                    run_id=check_run, client_id=client_id, check_id=ident, reference=ref,
                    severity=severity, status=status, affected_count=len(affected),
                    affected=affected,
                    details={"title": {"ko": title[0], "en": title[1]},
                             "why": {"ko": why[0], "en": why[1]},
                             "fix": {"ko": fix[0], "en": fix[1]}, "console_path": path}))

        if sessions:
            day = newest - dt.timedelta(days=40)
            demo.session_day = day
            session_id = conn.execute(sa.insert(m.CoachingSession).values(
                client_id=client_id, held_on=day, title="첫 코칭 세션",
                agenda=[{"kind": "gap", "key": "security",
                         "title": {"ko": "보안 끌어올리기", "en": "Lift security"}}],
                notes="2단계 인증 안내", coach="coach@example.kr", created_at=NOW,
                updated_at=NOW).returning(m.CoachingSession.id)).scalar_one()
            conn.execute(sa.insert(m.FollowUp).values(
                session_id=session_id, client_id=client_id, text="관리자 2단계 인증 켜기",
                owner=emails[0], due_on=day + dt.timedelta(days=14), done=False))

        if marks:
            items = ["first-sign-in", "turn-on-2sv", "recovery-phone", "send-first-email",
                     "email-signature"]
            mark_rows = []
            for i, email in enumerate(emails[: max(people // 2, 1)]):
                for j, item in enumerate(items):
                    mark_rows.append({"client_id": client_id, "track": "new-member",
                                      "item_id": item, "person_email": email, "kind": "self",
                                      "status": "done" if (i + j) % 3 else "not_done",
                                      "marked_by": email, "marked_at": NOW})
            conn.execute(sa.insert(m.CurriculumMark), mark_rows)
    return demo
