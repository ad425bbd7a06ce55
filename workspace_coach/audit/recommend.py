"""Recommendations: where the coach should help next, mapped to curriculum modules and actions.

Four kinds, in this order (published in docs/reports.md):

1. `check`: failing checks of severity critical or high, most severe first, then by how many
   objects they affect. Security problems come before habits.
2. `loss`: categories whose organisation score fell by at least `MIN_CHANGE` points since the
   last coaching session (the newest `coaching_sessions.held_on` on or before the newest score:
   the score as it stood on that date against the newest), biggest drop first.
3. `gap`: the indicators (or, for a category without indicators in its inputs, the category)
   that cost the overall score the most points: `(100 - points) x indicator weight / sum of the
   category's indicator weights x category weight / sum of category weights`, where category
   weights come from the `overall` score's inputs (equal weights when absent). The `MAX_GAPS`
   biggest, skipping categories already listed as a loss.
4. `check` of severity medium or low, then `gain`: categories that rose by at least
   `MIN_CHANGE` points since the last session (to acknowledge, and the next module to build on).

Each recommendation carries curriculum modules (`ModuleRef`: track and module ids of
`curricula/*.yaml`, optionally an item) and concrete actions in Korean and English, from
`CATEGORY_ADVICE`, `CHECK_ADVICE` and `INDICATOR_ADVICE` (indicator ids override their
category's advice once the scoring defines them). A test checks every mapped module exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa

from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.latest import (
    StoredCheck,
    StoredScore,
    connect,
    latest_checks,
    org_scores,
)
from workspace_coach.errors import UserError
from workspace_coach.severity import severity_rank
from workspace_coach.storage.models import CoachingSession

MIN_CHANGE = 5.0
MAX_GAPS = 5

Kind = Literal["check", "loss", "gap", "gain"]
#: What a person reads for each kind (the report, and the dashboard's session agenda).
KIND_LABELS: dict[str, dict[str, str]] = {"check": {"ko": "점검", "en": "Check"},
                                          "loss": {"ko": "하락", "en": "Dropped"},
                                          "gap": {"ko": "개선 여지", "en": "Gap"},
                                          "gain": {"ko": "상승", "en": "Improved"}}
Bilingual = dict[str, str]


@dataclass(frozen=True)
class ModuleRef:
    """A curriculum module (and optionally one of its items) by id."""

    track: str
    module: str
    item: str | None = None

    @property
    def key(self) -> str:
        return f"{self.track}/{self.module}" + (f"#{self.item}" if self.item else "")


@dataclass(frozen=True)
class Advice:
    modules: tuple[ModuleRef, ...]
    actions: tuple[Bilingual, ...]


def _a(ko: str, en: str) -> Bilingual:
    return {"ko": ko, "en": en}


M = ModuleRef

CATEGORY_ADVICE: dict[str, Advice] = {
    "activation": Advice((M("new-member", "account-security", "first-sign-in"),), (
        _a("아직 로그인하지 않은 구성원에게 첫 로그인 안내 메일을 보내고 30분 첫 로그인 시간을 잡으세요.",
           "Email first sign-in steps to people who have not signed in, and hold a 30-minute "
           "first sign-in session."),)),
    "communication": Advice((M("new-member", "gmail"), M("new-member", "chat")), (
        _a("팀 공지는 메일로, 짧은 질문은 채팅으로 나누는 규칙을 한 줄로 정해 공유하세요.",
           "Agree one line on what goes by email (announcements) and what by Chat (quick "
           "questions), and share it."),)),
    "meetings": Advice((M("new-member", "calendar-meet"),), (
        _a("정기 회의를 캘린더 일정으로 만들고 Meet 링크를 붙여 초대하세요.",
           "Put recurring meetings in Calendar with a Meet link and invite the team."),
        _a("다음 회의에서 한 사람씩 화면 공유를 해 보게 하세요.",
           "At the next meeting, have each person share their screen once."),)),
    "collaboration": Advice((M("new-member", "drive-docs"),), (
        _a("첨부 파일 대신 문서 링크를 공유하고, 동료 문서에 댓글을 하나씩 달아 보게 하세요.",
           "Share document links instead of attachments, and have everyone comment on a "
           "colleague's document once."),)),
    "teamwork": Advice((M("new-member", "shared-drives"), M("new-member", "chat", "create-space")), (
        _a("팀마다 공유 드라이브를 하나 만들고 팀 파일을 옮기세요.",
           "Create one shared drive per team and move the team's files into it."),
        _a("팀 채팅 스페이스를 만들어 업무 대화를 모으세요.",
           "Create a Chat space per team to keep work conversations together."),)),
    "mobility": Advice((M("new-member", "calendar-meet", "join-from-phone"),), (
        _a("휴대폰에 Gmail, 캘린더, Meet, 드라이브 앱을 설치하고 회사 계정으로 로그인하게 하세요.",
           "Have people install the Gmail, Calendar, Meet and Drive apps on their phones and "
           "sign in with their work account."),)),
    "security": Advice((M("new-member", "account-security"), M("admin", "enforce-2sv")), (
        _a("모든 구성원이 2단계 인증과 패스키, 복구 전화번호를 설정하게 하세요.",
           "Have everyone turn on 2-Step Verification, add a passkey and a recovery phone."),)),
}

CHECK_ADVICE: dict[str, Advice] = {
    "admins-without-2sv": Advice((M("admin", "enforce-2sv"), M("admin", "super-admins")), (
        _a("오늘 관리자 계정부터 2단계 인증을 켜고, 보안 키를 등록하세요.",
           "Turn on 2-Step Verification for every admin account today and register a "
           "security key."),)),
    "users-without-2sv": Advice((M("admin", "enforce-2sv"),
                                 M("new-member", "account-security", "turn-on-2sv")), (
        _a("등록 기간을 공지한 뒤 2단계 인증을 의무화하세요.",
           "Announce an enrolment period, then enforce 2-Step Verification."),)),
    "super-admins-count": Advice((M("admin", "super-admins"),), (
        _a("최고 관리자를 2~4명으로 맞추고, 일상 업무에는 별도 계정을 쓰게 하세요.",
           "Keep 2 to 4 super admins, and have them use a separate account for daily work."),)),
    "admins-without-recovery": Advice((M("admin", "recovery"),), (
        _a("관리자마다 복구 전화번호와 복구 이메일을 등록하세요.",
           "Add a recovery phone and a recovery email to every admin account."),)),
    "inactive-users-30d": Advice((M("admin", "offboarding"),), (
        _a("오래 로그인하지 않은 계정을 확인해 퇴사자는 정지하고 파일을 넘기세요.",
           "Review accounts that have not signed in; suspend leavers and transfer their "
           "files."),)),
    "inactive-users-90d": Advice((M("admin", "offboarding"),), (
        _a("오래 로그인하지 않은 계정을 확인해 퇴사자는 정지하고 파일을 넘기세요.",
           "Review accounts that have not signed in; suspend leavers and transfer their "
           "files."),)),
    "inactive-admins": Advice((M("admin", "offboarding"), M("admin", "super-admins")), (
        _a("쓰지 않는 관리자 계정의 관리자 권한을 회수하세요.",
           "Remove admin roles from admin accounts nobody uses."),)),
    "suspended-users-licensed": Advice((M("admin", "offboarding", "delete-or-keep"),), (
        _a("정지된 계정의 라이선스를 회수하거나, 보관이 필요하면 보관 사용자로 전환하세요.",
           "Release the licences of suspended accounts, or archive them if they must be "
           "kept."),)),
    "files-public-by-link": Advice((M("admin", "sharing-settings", "review-public-links"),
                                 M("new-member", "drive-docs", "share-with-people-not-links")), (
        _a("링크가 있는 모든 사용자에게 공개된 파일을 검토해 사람에게 직접 공유로 바꾸세요.",
           "Review files shared with anyone who has the link and share them with people "
           "instead."),)),
    "shared-drive-external-sharing": Advice((M("admin", "sharing-settings",
                                               "shared-drive-settings"),), (
        _a("공유 드라이브 설정에서 조직 외부 사용자와의 공유를 필요한 드라이브에만 허용하세요.",
           "Allow sharing outside the organisation only on the shared drives that need it."),)),
    "less-secure-apps-allowed": Advice((M("admin", "enforce-2sv"),), (
        _a("보안 수준이 낮은 앱의 액세스를 끄고, 메일 앱은 OAuth로 다시 연결하세요.",
           "Turn off access for less secure apps and reconnect mail apps with OAuth."),)),
    "weak-passwords": Advice((M("admin", "enforce-2sv"),
                              M("new-member", "account-security", "add-passkey")), (
        _a("비밀번호 최소 길이와 강도를 설정하고, 패스키 사용을 권하세요.",
           "Set a minimum password length and strength, and encourage passkeys."),)),
    "many-oauth-apps": Advice((M("new-member", "account-security", "spot-phishing"),), (
        _a("API 제어에서 연결된 앱을 검토해 쓰지 않는 앱을 차단하세요.",
           "Review connected apps under API controls and block the ones nobody needs."),)),
    "groups-open-to-external": Advice((M("admin", "sharing-settings",
                                        "external-sharing-policy"),), (
        _a("외부 회원을 허용한 그룹을 검토해 필요한 그룹만 남기세요.",
           "Review groups that allow external members and keep it only where needed."),)),
    "shared-drives-without-organizer": Advice((M("admin", "offboarding", "transfer-drive-files"),
                                               M("new-member", "shared-drives")), (
        _a("관리자가 없는 공유 드라이브마다 관리자를 한 명 이상 지정하세요.",
           "Give every shared drive without a manager at least one manager."),)),
}

#: Indicator ids (from the scoring's indicators) whose advice is more precise than their
#: category's; an indicator not listed here gets its category's advice.
INDICATOR_ADVICE: dict[str, Advice] = {}

GAIN_ACTION = _a("잘된 점을 팀과 공유하고, 같은 흐름으로 다음 단계를 이어가세요.",
                 "Share what worked with the team and build on it with the next step.")


@dataclass(frozen=True)
class Recommendation:
    """One thing to work on (or, for `gain`, to acknowledge), with modules and actions.

    `impact` orders recommendations of a kind: overall points at stake for gaps, points moved
    for losses and gains, objects affected for checks (after their severity).
    """

    kind: Kind
    subject: str            # check id, indicator id or category
    category: str | None
    title: Bilingual
    detail: Bilingual
    impact: float
    modules: tuple[ModuleRef, ...]
    actions: tuple[Bilingual, ...]
    severity: str | None = None
    value: float | None = None
    previous: float | None = None
    since: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# -- curricula -----------------------------------------------------------------------------------

@cache
def curriculum_modules(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """{"track/module": {"title": {ko, en}, "items": {item id: {ko, en}}}} of the curricula."""
    from workspace_coach import resources
    from workspace_coach.curriculum.lint import lint

    where = resources.curricula(folder)
    loaded, problems = lint([where])
    if problems:
        first = problems[0]
        raise UserError(f"{first.source}:{first.line}: curriculum problem ({first.message}); "
                        "run `workspace-coach curriculum lint`")
    out: dict[str, dict[str, Any]] = {}
    for entry in loaded:
        assert entry.curriculum is not None
        for module in entry.curriculum.modules:
            out[f"{entry.curriculum.id}/{module.id}"] = {
                "title": {"ko": module.title.ko, "en": module.title.en},
                "items": {i.id: {"ko": i.title.ko, "en": i.title.en} for i in module.items}}
    return out


def module_title(ref: ModuleRef, lang: str) -> str:
    """`트랙 · 모듈 · 항목` titles of a module reference, in one language."""
    modules = curriculum_modules()
    module = modules.get(f"{ref.track}/{ref.module}")
    if module is None:
        return ref.key
    text = module["title"][lang]
    if ref.item and ref.item in module["items"]:
        text += " · " + module["items"][ref.item][lang]
    return text


# -- inputs ---------------------------------------------------------------------------------------

def _category_weights(overall: StoredScore | None) -> dict[str, float]:
    given = ((overall.inputs if overall else {}) or {}).get("categories") or {}
    weights = {c: float((given.get(c) or {}).get("weight") or 0) for c in CATEGORIES
               if c != "overall"}
    if not any(weights.values()):
        weights = {c: 1.0 for c in weights}
    total = sum(weights.values())
    return {c: w / total for c, w in weights.items()}


def _label(text: Any, fallback: str) -> Bilingual:
    if isinstance(text, dict) and text.get("ko") and text.get("en"):
        return {"ko": str(text["ko"]), "en": str(text["en"])}
    return {"ko": fallback, "en": fallback}


def _gaps(scores: dict[str, StoredScore]) -> list[Recommendation]:
    weights = _category_weights(scores.get("overall"))
    out: list[Recommendation] = []
    for category, cat_weight in weights.items():
        score = scores.get(category)
        if score is None or score.value is None or cat_weight == 0:
            continue
        label = CATEGORY_LABELS[category]
        indicators = [i for i in score.inputs.get("indicators") or []
                      if isinstance(i, dict) and i.get("points") is not None]
        total = sum(float(i.get("weight") or 0) for i in indicators)
        if not indicators or total == 0:
            impact = (100 - score.value) * cat_weight
            if impact > 0:
                advice = CATEGORY_ADVICE[category]
                out.append(Recommendation(
                    "gap", category, category, dict(label),
                    _a(f"{label['ko']} {score.value:g}점", f"{label['en']} {score.value:g}"),
                    round(impact, 1), advice.modules, advice.actions, value=score.value))
            continue
        for ind in indicators:
            impact = (100 - float(ind["points"])) * float(ind.get("weight") or 0) / total \
                * cat_weight
            if impact <= 0:
                continue
            ident = str(ind.get("id") or category)
            advice = INDICATOR_ADVICE.get(ident) or CATEGORY_ADVICE[category]
            ind_label = _label(ind.get("label"), ident)
            share, target = ind.get("share"), ind.get("target")
            num, den = ind.get("numerator"), ind.get("denominator")
            detail = _a(f"{label['ko']}: {ind_label['ko']} {num}/{den}명",
                        f"{label['en']}: {ind_label['en']} {num}/{den}")
            if isinstance(share, (int, float)) and isinstance(target, (int, float)):
                detail = _a(detail["ko"] + f" ({share:.0%}, 목표 {target:.0%})",
                            detail["en"] + f" ({share:.0%}, target {target:.0%})")
            out.append(Recommendation(
                "gap", ident, category, ind_label, detail, round(impact, 1), advice.modules,
                advice.actions, value=float(ind["points"]),
                extra={"numerator": num, "denominator": den, "share": share, "target": target}))
    out.sort(key=lambda r: (-r.impact, CATEGORIES.index(r.category or "overall"), r.subject))
    return out


def _check_recommendation(check: StoredCheck) -> Recommendation:
    details = check.details or {}
    advice = CHECK_ADVICE.get(check.check_id, Advice((), ()))
    fix = details.get("fix")
    has_fix = isinstance(fix, dict) and bool(fix.get("ko")) and bool(fix.get("en"))
    actions = advice.actions + ((_label(fix, ""),) if has_fix else ())
    count = check.affected_count
    detail = _a(f"대상 {count}개", f"{count} affected") if count else _a("", "")
    return Recommendation(
        "check", check.check_id, "security", _label(details.get("title"), check.check_id),
        detail, float(count), advice.modules, actions,
        severity=check.severity, extra={"console_path": details.get("console_path"),
                                        "reference": check.reference})


def last_session(conn: sa.Connection, client_id: int, until: dt.date | None = None
                 ) -> dt.date | None:
    query = sa.select(sa.func.max(CoachingSession.held_on)).where(
        CoachingSession.client_id == client_id)
    if until is not None:
        query = query.where(CoachingSession.held_on <= until)
    return conn.execute(query).scalar()


def _changes(now: dict[str, StoredScore], then: dict[str, StoredScore], since: dt.date
             ) -> list[Recommendation]:
    out: list[Recommendation] = []
    for category in CATEGORIES:
        if category == "overall" or category not in now or category not in then:
            continue
        new, old = now[category].value, then[category].value
        if new is None or old is None or abs(new - old) < MIN_CHANGE:
            continue
        label = CATEGORY_LABELS[category]
        advice = CATEGORY_ADVICE[category]
        kind: Kind = "gain" if new > old else "loss"
        out.append(Recommendation(
            kind, category, category, dict(label),
            _a(f"{old:g} → {new:g} ({new - old:+.1f}), {since.isoformat()} 코칭 이후",
               f"{old:g} → {new:g} ({new - old:+.1f}) since the coaching session of "
               f"{since.isoformat()}"),
            round(abs(new - old), 1), advice.modules,
            advice.actions if kind == "loss" else (GAIN_ACTION,),
            value=new, previous=old, since=since))
    out.sort(key=lambda r: (-r.impact, CATEGORIES.index(r.subject)))
    return out


def recommendations(db: sa.Engine | sa.Connection, client_id: int) -> list[Recommendation]:
    """What to work on next for a client, most urgent first (see the module docstring)."""
    with connect(db) as conn:
        now = org_scores(conn, [client_id]).get(client_id, {})
        checks = [c for c in latest_checks(conn, client_id) if c.status == "fail"]
        newest = max((s.date for s in now.values()), default=None)
        since = last_session(conn, client_id, newest) if newest else None
        then = (org_scores(conn, [client_id], on_or_before=since).get(client_id, {})
                if since else {})
    check_recs = sorted((_check_recommendation(c) for c in checks),
                        key=lambda r: (severity_rank(r.severity), -r.impact, r.subject))
    urgent = [r for r in check_recs if r.severity in ("critical", "high")]
    later = [r for r in check_recs if r.severity not in ("critical", "high")]
    changes = _changes(now, then, since) if since else []
    losses = [r for r in changes if r.kind == "loss"]
    gains = [r for r in changes if r.kind == "gain"]
    lost = {r.category for r in losses}
    gaps = [r for r in _gaps(now) if r.category not in lost][:MAX_GAPS]
    return [*urgent, *losses, *gaps, *later, *gains]
