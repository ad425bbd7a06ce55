"""Korean and English for every word the dashboard shows.

`t(key, **values)` looks the key up in the current language (`st.session_state["lang"]`, Korean
by default) and fills `{placeholders}`; the words the printed report shows too come from
`workspace_coach.labels`, so both say the same. `pick(text)` chooses from a
`{"ko": ..., "en": ...}` mapping as stored by the audit and the curricula. The switch itself
sits in the entry point, so every page shares it. A test checks that every key has both languages and that every key the
pages use exists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from workspace_coach.audit.portfolio_report import UI as PORTFOLIO_WORDS
from workspace_coach.audit.recommend import KIND_LABELS
from workspace_coach.labels import LABELS
from workspace_coach.severity import SEVERITY_LABELS, STATUS_LABELS

LANGUAGES = {"ko": "한국어", "en": "English"}
DEFAULT = "ko"
KEY = "lang"

MESSAGES: dict[str, dict[str, str]] = {
    # entry point
    "app.title": {"ko": "워크스페이스 코치", "en": "Workspace Coach"},
    "app.language": {"ko": "언어 · Language", "en": "Language · 언어"},
    "app.client": {"ko": "고객 조직", "en": "Client"},
    "app.no_client": {"ko": "아직 고객 조직이 없습니다.", "en": "No client yet."},
    "page.clients": {"ko": "고객 조직", "en": "Clients"},
    "page.overview": {"ko": "개요", "en": "Overview"},
    "page.teams": {"ko": "팀", "en": "Teams"},
    "page.security": {"ko": "보안", "en": "Security"},
    "page.curriculum": {"ko": "교육 과정", "en": "Curriculum"},
    "page.session": {"ko": "코칭 세션", "en": "Session"},
    "page.provisioning": {"ko": "계정 준비", "en": "Provisioning"},
    "page.portfolio": {"ko": "포트폴리오", "en": "Portfolio"},
    # sign-in
    "auth.title": {"ko": "코치 로그인", "en": "Coach sign-in"},
    "auth.explain": {"ko": "담당 고객 조직을 보려면 로그인하세요.",
                     "en": "Sign in to see the client organisations you coach."},
    "auth.login": {"ko": "로그인", "en": "Sign in"},
    "auth.logout": {"ko": "로그아웃", "en": "Sign out"},
    "auth.signed_in": {"ko": "{email} 님으로 로그인됨", "en": "Signed in as {email}"},
    "auth.no_clients": {"ko": "{email} 님에게 배정된 고객 조직이 없습니다. secrets.toml의 "
                              "[coaches]에 추가해 달라고 요청하세요.",
                        "en": "No client is assigned to {email}. Ask to be added under "
                              "[coaches] in secrets.toml."},
    # common
    "common.pick_client": {"ko": "왼쪽에서 고객 조직을 고르거나 '고객 조직' 페이지에서 추가하세요.",
                           "en": "Pick a client on the left, or add one on the Clients page."},
    "common.loading": {"ko": "불러오는 중…", "en": "Loading…"},
    "common.no_scores": {"ko": "아직 점수가 없습니다. `workspace-coach audit collect`와 점수 "
                               "계산을 먼저 실행하세요.",
                         "en": "No scores yet. Run `workspace-coach audit collect` and the "
                               "scoring first."},
    "common.points": LABELS["points"],
    "common.category": LABELS["category"],
    "common.score": LABELS["score"],
    "common.date": {"ko": "날짜", "en": "Date"},
    "common.none": {"ko": "없음", "en": "none"},
    # clients
    "clients.title": {"ko": "담당 고객 조직", "en": "Your clients"},
    "clients.caption": {"ko": "종합 점수, 최근 28일 추세, 해결되지 않은 심각 점검, 마지막 "
                              "세션 이후 지난 날.",
                        "en": "Overall score, its 28-day trend, open critical checks, and days "
                              "since the last session."},
    "clients.empty": {"ko": "아직 고객 조직이 없습니다. 아래에서 연결 프로필로 추가하세요.",
                      "en": "No clients yet. Add one below from its connection profile."},
    "clients.overall": {"ko": "종합", "en": "Overall"},
    "clients.critical": {"ko": "심각 점검", "en": "Critical checks"},
    "clients.since_session": {"ko": "마지막 세션", "en": "Last session"},
    "clients.days_ago": {"ko": "{days}일 전", "en": "{days} days ago"},
    "clients.never": {"ko": "세션 없음", "en": "no session yet"},
    "clients.open": {"ko": "열기", "en": "Open"},
    "clients.add": {"ko": "고객 조직 추가", "en": "Add a client"},
    "clients.profile": {"ko": "연결 프로필 경로 (connection.yaml 또는 그 폴더)",
                        "en": "Connection profile path (connection.yaml or its folder)"},
    "clients.add_button": {"ko": "추가", "en": "Add"},
    "clients.added": {"ko": "{name} ({domain})을(를) 추가했습니다.",
                      "en": "Added {name} ({domain})."},
    "clients.not_assigned": {"ko": "추가했지만 아직 담당 코치로 배정되지 않아 목록에 보이지 "
                                   "않습니다.",
                             "en": "Added, but it is not assigned to you yet, so it is not "
                                   "listed."},
    # the "needs you this week" list at the top of the Clients page (coaching/needs.py)
    "needs.title": {"ko": "이번 주 확인할 일", "en": "Needs you this week"},
    "needs.open": {"ko": "바로 가기", "en": "Go to"},
    "needs.none": {"ko": "이번 주에는 확인할 일이 없습니다.", "en": "Nothing needs you this week."},
    "needs.caption": {"ko": "`workspace-coach digest`가 메일로 보내는 목록과 같습니다.",
                      "en": "The same list `workspace-coach digest` mails you."},
    # portfolio (audit/portfolio.py)
    "portfolio.title": {"ko": "코칭 포트폴리오", "en": "Coaching portfolio"},
    "portfolio.caption": {"ko": "담당 고객 조직 전체의 코칭 전후 변화입니다. 이름 공개에 동의하지 "
                                "않은 조직은 '고객사 A, B, …'로 표시합니다.",
                          "en": "Every client's change under coaching. Clients that do not share "
                                "their name appear as \"client A, B, ...\"."},
    "portfolio.use_since": {"ko": "시작일 지정", "en": "Count from a date"},
    "portfolio.since": {"ko": "시작일", "en": "Since"},
    "portfolio.clients": {"ko": "고객 조직", "en": "Clients"},
    "portfolio.sessions": PORTFOLIO_WORDS["sessions"],
    "portfolio.items": PORTFOLIO_WORDS["items"],
    "portfolio.critical_fixed": PORTFOLIO_WORDS["critical_fixed"],
    "portfolio.high_fixed": PORTFOLIO_WORDS["high_fixed"],
    "portfolio.client": PORTFOLIO_WORDS["client"],
    "portfolio.before": PORTFOLIO_WORDS["before"],
    "portfolio.now": PORTFOLIO_WORDS["now"],
    "portfolio.change": PORTFOLIO_WORDS["change"],
    "portfolio.when": {"ko": "시점", "en": "When"},
    "portfolio.medians": PORTFOLIO_WORDS["medians"],
    "portfolio.count": PORTFOLIO_WORDS["count"],
    "portfolio.withheld": PORTFOLIO_WORDS["withheld"],
    "portfolio.empty": {"ko": "아직 고객 조직이 없습니다.", "en": "No client yet."},
    "portfolio.download": {"ko": "보고서 내려받기 (HTML, 인쇄용)",
                           "en": "Download the report (HTML, printable)"},
    "portfolio.download_csv": {"ko": "고객 조직 표 내려받기 (CSV)",
                               "en": "Download the clients table (CSV)"},
    # overview
    "overview.title": {"ko": "{name} 개요", "en": "{name}: overview"},
    "overview.as_of": {"ko": "{date} 기준 (최근 {days}일)", "en": "As of {date} (last {days} days)"},
    "benchmark.windows": {"ko": "다른 고객은 각자의 최신 진단으로 비교합니다 (점수 기간 {windows}일).",
                          "en": "Each peer is compared on its newest audit (scored over {windows} "
                                "days)."},
    "overview.explain": LABELS["explanation"],
    "overview.indicator": {"ko": "지표", "en": "Indicator"},
    "overview.counts": {"ko": "해당 / 전체", "en": "Met / of"},
    "overview.share": {"ko": "비율", "en": "Share"},
    "overview.target": LABELS["target"],
    "overview.points": {"ko": "점수", "en": "Points"},
    "overview.weight": LABELS["weight"],
    "overview.no_inputs": {"ko": "이 점수에는 설명 자료가 없습니다.",
                           "en": "No explanation was recorded for this score."},
    "overview.trend": {"ko": "180일 추세", "en": "180-day trend"},
    "overview.benchmark": LABELS["benchmark"],
    "overview.benchmark_empty": {"ko": "비교할 만한 고객 조직이 5곳 이상 모이면 비교가 "
                                       "나타납니다.",
                                 "en": "The benchmark appears when 5 or more comparable "
                                       "clients exist."},
    "overview.report_download": {"ko": "보고서 내려받기 (HTML, 인쇄용)",
                                 "en": "Download the report (HTML, printable)"},
    "benchmark.band": {"ko": "같은 규모대({band}명)의 다른 고객과 비교합니다. 다른 고객의 이름과 "
                             "개별 점수는 보이지 않습니다.",
                       "en": "Compared with other clients of the same size band ({band} people); "
                             "no other client's name or score is shown."},
    "benchmark.category": LABELS["category"],
    "benchmark.client": {"ko": "이 조직", "en": "This client"},
    "benchmark.q1": {"ko": "하위 25%", "en": "Lower quartile"},
    "benchmark.median": LABELS["median"],
    "benchmark.q3": {"ko": "상위 25%", "en": "Upper quartile"},
    "benchmark.percentile": LABELS["percentile"],
    "benchmark.peers": LABELS["peers"],
    "overview.since": {"ko": "지난 세션({date}) 이후 달라진 점",
                       "en": "What changed since the last session ({date})"},
    "overview.no_session": {"ko": "아직 코칭 세션이 없습니다. 첫 세션을 기록하면 다음부터 "
                                  "변화가 여기에 보입니다.",
                            "en": "No coaching session yet. After the first one, changes "
                                  "since then show here."},
    "overview.no_change": {"ko": "지난 세션 이후 새 점수가 아직 없습니다.",
                           "en": "No newer scores since the last session yet."},
    "overview.before": {"ko": "그때", "en": "Then"},
    "overview.after": {"ko": "지금", "en": "Now"},
    "overview.delta": {"ko": "변화", "en": "Change"},
    "overview.improved": {"ko": "좋아진 영역: {names}", "en": "Improved: {names}"},
    # teams
    "teams.title": LABELS["teams"],
    "teams.caption": LABELS["teams_note"],
    "teams.by": {"ko": "기준", "en": "By"},
    "teams.org_unit": LABELS["org_unit"],
    "teams.group": LABELS["group"],
    "teams.empty": {"ko": "이 기준으로 보여 줄 팀 점수가 아직 없습니다.",
                    "en": "No team scores for this view yet."},
    "teams.team": LABELS["team"],
    "teams.people": {"ko": "인원", "en": "People"},
    # security
    "security.title": LABELS["checks"],
    "security.empty": LABELS["no_checks"],
    "security.severity": LABELS["severity"],
    "security.status": LABELS["status"],
    "security.search": {"ko": "검색 (제목, ID, 대상)", "en": "Search (title, id, object)"},
    "security.none_match": {"ko": "조건에 맞는 점검이 없습니다.",
                            "en": "No check matches the filters."},
    "security.why": LABELS["why"],
    "security.fix": LABELS["fix"],
    "security.console": {"ko": "관리 콘솔 위치", "en": "Admin console"},
    "security.reference": {"ko": "근거", "en": "Reference"},
    "security.affected": {"ko": "영향받는 대상 {count}개", "en": "{count} affected"},
    "security.type": {"ko": "종류", "en": "Type"},
    "security.object": {"ko": "대상", "en": "Object"},
    "security.detail": {"ko": "내용", "en": "Detail"},
    # the report's words for checks, so both say the same
    **{f"severity.{key}": label for key, label in SEVERITY_LABELS.items()},
    **{f"status.{key}": label for key, label in STATUS_LABELS.items()},
    # curriculum
    "curriculum.title": {"ko": "교육 진행", "en": "Curriculum progress"},
    "curriculum.caption": {"ko": "Workspace 활동 기록으로 확인된 항목, 구성원의 자기 확인, 코치의 "
                                 "확인을 합친 진행입니다 (코치 확인 > 활동 근거 > 자기 확인).",
                           "en": "Items proved by Workspace activity, self-attested by "
                                 "trainees or decided by a coach (coach > evidence > "
                                 "self-attestation)."},
    "curriculum.empty": {"ko": "아직 교육 진행을 판단할 자료가 없습니다. 활동을 수집하거나 "
                               "체크리스트를 배포하면 여기에 나타납니다.",
                         "en": "Nothing to judge curriculum progress on yet. It appears once "
                               "activity is collected or checklists are published."},
    "curriculum.track": {"ko": "과정", "en": "Track"},
    "curriculum.module": {"ko": "모듈", "en": "Module"},
    "curriculum.done": {"ko": "완료 비율", "en": "Done"},
    "curriculum.whole_org": {"ko": "조직 전체", "en": "Whole organisation"},
    "curriculum.by_team": {"ko": "팀별", "en": "By team"},
    "curriculum.people": {"ko": "개인별", "en": "By person"},
    "curriculum.no_consent": {"ko": "이 고객 조직은 개인별 보기에 동의하지 않았습니다.",
                              "en": "This client has not consented to per-person insights."},
    "curriculum.person": {"ko": "구성원", "en": "Person"},
    # session
    "session.title": {"ko": "{name} 코칭 세션", "en": "{name}: coaching session"},
    "session.agenda": {"ko": "제안 안건", "en": "Proposed agenda"},
    "session.agenda_caption": {"ko": "가장 큰 격차와 성과, 실패한 심각 점검에서 뽑았습니다. "
                                     "다룰 안건을 고르세요.",
                               "en": "From the biggest gaps and gains and failing serious "
                                     "checks. Tick what you will cover."},
    "session.agenda_empty": {"ko": "제안할 안건이 없습니다. 점수나 점검 결과가 생기면 "
                                   "나타납니다.",
                             "en": "Nothing to propose yet: items appear once there are scores "
                                   "or check results."},
    **{f"session.kind.{key}": label for key, label in KIND_LABELS.items()},
    "session.modules": LABELS["modules"],
    "session.evidence": {"ko": "근거", "en": "Evidence"},
    "session.record": {"ko": "세션 기록", "en": "Record the session"},
    "session.held_on": {"ko": "날짜", "en": "Date"},
    "session.name": {"ko": "제목", "en": "Title"},
    "session.default_title": {"ko": "코칭 세션", "en": "Coaching session"},
    "session.notes": {"ko": "메모", "en": "Notes"},
    "session.follow_ups": {"ko": "후속 조치", "en": "Follow-ups"},
    "session.action": {"ko": "할 일", "en": "Action"},
    "session.owner": {"ko": "담당자", "en": "Owner"},
    "session.due": {"ko": "기한", "en": "Due"},
    "session.more_rows": {"ko": "후속 조치 줄 추가", "en": "Add a follow-up row"},
    "session.save": {"ko": "세션 저장", "en": "Save the session"},
    "session.saved": {"ko": "세션을 저장했습니다.", "en": "Session saved."},
    "session.simulator_told": {"ko": "샌드박스 시뮬레이터에도 세션 날짜를 알렸습니다.",
                               "en": "The sandbox simulator was told the session's date too."},
    "session.simulator_problem": {"ko": "세션은 저장했지만 샌드박스에 알리지 못했습니다: {problem}",
                                  "en": "Session saved, but the sandbox was not told: "
                                        "{problem}"},
    "session.history": {"ko": "지난 세션", "en": "History"},
    "session.history_empty": {"ko": "아직 기록된 세션이 없습니다.",
                              "en": "No session recorded yet."},
    "session.save_notes": {"ko": "메모 저장", "en": "Save notes"},
    "session.notes_saved": {"ko": "메모를 저장했습니다.", "en": "Notes saved."},
    "session.done": {"ko": "완료", "en": "Done"},
    "session.coach": {"ko": "코치: {coach}", "en": "Coach: {coach}"},
    # provisioning
    "prov.grace": {"ko": "유예 기간 중인 사람", "en": "People in their grace period"},
    "prov.no_grace": {"ko": "유예 기간 중인 사람이 없습니다.",
                      "en": "Nobody is in a grace period."},
    "prov.grace_caption": {"ko": "정지된 뒤 삭제를 기다리는 사람입니다. 기간이 지나면 --allow-delete "
                                 "계획으로 계정을 삭제해 라이선스를 돌려받을 수 있습니다.",
                           "en": "Suspended and waiting before a deletion. Once the period is "
                                 "over, a plan with --allow-delete can delete the account and "
                                 "free its seat."},
    "prov.person": {"ko": "사람", "en": "Person"},
    "prov.suspended": {"ko": "정지일", "en": "Suspended"},
    "prov.grace_until": {"ko": "유예 종료", "en": "Grace period ends"},
    "prov.title": {"ko": "{name} 계정 준비", "en": "{name}: provisioning"},
    "prov.no_profile": {"ko": "이 고객 조직에는 연결 프로필 경로가 기록되어 있지 않습니다.",
                        "en": "No connection profile is recorded for this client."},
    "prov.folder": {"ko": "폴더: {folder}", "en": "Folder: {folder}"},
    "prov.plan": {"ko": "최근 계획", "en": "Latest plan"},
    "prov.no_plan": {"ko": "저장된 계획이 없습니다. 아래에서 새 계획을 만드세요.",
                     "en": "No saved plan. Make one below."},
    "prov.plan_file": {"ko": "{path} · {created}", "en": "{path} · {created}"},
    "prov.changes": {"ko": "변경 {count}건", "en": "{count} changes"},
    "prov.no_changes": {"ko": "바꿀 것이 없습니다: 테넌트가 명단과 일치합니다.",
                        "en": "Nothing to change: the tenant matches the roster."},
    "prov.unsafe": {"ko": "안전 한도를 넘는 계획입니다", "en": "Unsafe plan"},
    "prov.applied": {"ko": "적용됨 ({when})", "en": "Applied ({when})"},
    "prov.pending": {"ko": "아직 적용되지 않음: 명령줄에서 적용하세요.",
                     "en": "Not applied yet: apply it on the command line."},
    "prov.phase": {"ko": "단계", "en": "Phase"},
    "prov.action": {"ko": "작업", "en": "Action"},
    "prov.object": {"ko": "대상", "en": "Object"},
    "prov.fields": {"ko": "바뀌는 항목", "en": "Fields"},
    "prov.runs": {"ko": "적용 기록", "en": "Apply runs"},
    "prov.no_runs": {"ko": "아직 적용 기록이 없습니다.", "en": "No apply has run yet."},
    "prov.plan_id": {"ko": "계획", "en": "Plan"},
    "prov.started": {"ko": "시작", "en": "Started"},
    "prov.steps": {"ko": "단계 결과", "en": "Steps"},
    "prov.failed": {"ko": "실패한 단계", "en": "Failed steps"},
    "prov.unfinished": {"ko": "끝나지 않은 단계 (다시 적용하면 확인합니다)",
                        "en": "Unfinished steps (a new apply checks them)"},
    "prov.results": {"ko": "마지막 적용 결과", "en": "Results of the last apply"},
    "prov.new": {"ko": "새 계획 만들기", "en": "Make a new plan"},
    "prov.new_caption": {"ko": "테넌트를 읽기만 하고 아무것도 바꾸지 않습니다.",
                         "en": "Reads the tenant; changes nothing."},
    "prov.org": {"ko": "조직 명세 (org.yaml, 선택)", "en": "Org spec (org.yaml, optional)"},
    "prov.roster": {"ko": "명단 (CSV 또는 XLSX)", "en": "Roster (CSV or XLSX)"},
    "prov.adopt": {"ko": "명단과 맞는 기존 계정을 관리 대상으로", "en": "Adopt matching "
                   "existing users"},
    "prov.make": {"ko": "계획 만들기", "en": "Make the plan"},
    "prov.planning": {"ko": "테넌트를 읽고 계획을 만드는 중…",
                      "en": "Reading the tenant and planning…"},
    "prov.made": {"ko": "계획을 {path}에 저장했습니다.", "en": "Plan saved to {path}."},
    "prov.apply_hint": {"ko": "적용은 명령줄에서:", "en": "Apply on the command line:"},
    "prov.need_roster": {"ko": "명단 파일 경로를 입력하세요.", "en": "Give the roster file."},
}


def lang() -> str:
    value = st.session_state.get(KEY, DEFAULT)
    return value if value in LANGUAGES else DEFAULT


def t(key: str, **values: Any) -> str:
    """The message for `key` in the current language, with `{placeholders}` filled."""
    text = MESSAGES[key][lang()]
    return text.format(**values) if values else text


def labeller(prefix: str) -> Callable[[str], str]:
    """A `format_func` for options whose labels are messages `prefix + option`, fixed to the
    current language (so it gives the same label whenever Streamlit calls it)."""
    current = lang()
    return lambda option: MESSAGES[f"{prefix}{option}"][current]


def pick(text: Mapping[str, Any] | None, fallback: str = "") -> str:
    """Choose the current language from a `{"ko", "en"}` mapping (the other one if missing)."""
    if not text:
        return fallback
    current = lang()
    other = "en" if current == "ko" else "ko"
    return str(text.get(current) or text.get(other) or fallback)


def language_switch() -> None:
    """The shared switch, shown in the sidebar of every page."""
    st.sidebar.radio(t("app.language"), list(LANGUAGES), key=KEY, horizontal=True,
                     format_func=LANGUAGES.__getitem__)
