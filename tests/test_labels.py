"""One wording per concept: the printed report and the dashboard take the words they both show
from `workspace_coach.labels`, so a heading reads the same on the page and on paper."""

from __future__ import annotations

import string

from workspace_coach.audit.report import UI
from workspace_coach.dashboards.i18n import MESSAGES
from workspace_coach.labels import LABELS

# dashboard message -> the shared concept it shows
DASHBOARD = {
    "common.category": "category", "benchmark.category": "category", "common.score": "score",
    "common.points": "points", "overview.explain": "explanation", "overview.target": "target",
    "overview.weight": "weight", "overview.benchmark": "benchmark", "benchmark.peers": "peers",
    "benchmark.median": "median", "benchmark.percentile": "percentile", "teams.title": "teams",
    "teams.caption": "teams_note", "teams.team": "team", "teams.org_unit": "org_unit",
    "teams.group": "group", "security.title": "checks", "security.empty": "no_checks",
    "security.severity": "severity", "security.status": "status", "security.why": "why",
    "security.fix": "fix", "session.modules": "modules",
}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_shared_word_has_both_languages_and_the_same_placeholders():
    for key, text in LABELS.items():
        assert set(text) == {"ko", "en"} and all(text.values()), key
        assert _fields(text["ko"]) == _fields(text["en"]), key


def test_the_report_and_the_dashboard_show_the_shared_words():
    for key, text in LABELS.items():
        assert UI[key] == text, key
    for message, key in DASHBOARD.items():
        assert MESSAGES[message] == LABELS[key], message
    shown = {key for key in DASHBOARD.values()}
    assert shown == set(LABELS) - {"trend"}   # the dashboard says "180-day trend" in a sentence
