"""The words the audit report and the dashboard both show, in Korean and English: one wording per
concept, so a coach reads the same heading on the page and on the printed report.

The report (`audit/report.py`) and the dashboard (`dashboards/i18n.py`) take these entries and
keep only the words that are theirs alone. Category names live in `audit/categories.py`,
severities and check outcomes in `severity.py`, recommendation kinds in `audit/recommend.py`.
Entries with `{placeholders}` are filled by the caller (`str.format`).
"""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    # scores
    "category": {"ko": "영역", "en": "Category"},
    "score": {"ko": "점수", "en": "Score"},
    "explanation": {"ko": "점수 계산 근거", "en": "How the scores were computed"},
    "target": {"ko": "목표", "en": "Target"},
    "weight": {"ko": "가중치", "en": "Weight"},
    "points": {"ko": "점", "en": "points"},          # the unit after a number
    "trend": {"ko": "추세", "en": "Trend"},
    # teams
    "teams": {"ko": "팀별 점수", "en": "Scores by team"},
    "teams_note": {"ko": "{size}명 미만인 조직 단위와 그룹은 '기타'로 묶어 보여 줍니다.",
                   "en": "Org units and groups under {size} people are folded into "
                         "\"others\"."},
    "team": {"ko": "팀", "en": "Team"},
    "org_unit": {"ko": "조직 단위", "en": "Org unit"},
    "group": {"ko": "그룹", "en": "Group"},
    # checks
    "checks": {"ko": "보안 점검", "en": "Security checks"},
    "no_checks": {"ko": "아직 점검 결과가 없습니다.", "en": "No check results yet."},
    "severity": {"ko": "심각도", "en": "Severity"},
    "status": {"ko": "상태", "en": "Status"},
    "why": {"ko": "왜 중요한가", "en": "Why it matters"},
    "fix": {"ko": "해결 방법", "en": "How to fix"},
    # peer benchmark
    "benchmark": {"ko": "비슷한 규모 고객과 비교", "en": "Compared with clients of a similar size"},
    "peers": {"ko": "비교 고객 수", "en": "Clients compared"},
    "median": {"ko": "중앙값", "en": "Median"},
    "percentile": {"ko": "백분위", "en": "Percentile"},
    # curriculum
    "modules": {"ko": "교육 모듈", "en": "Curriculum modules"},
}
