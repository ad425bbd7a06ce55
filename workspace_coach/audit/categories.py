"""The score categories, in the order every reader shows them, with labels and weights.

Seven categories are scored from indicators (`workspace_coach.audit.indicators`); `overall` is
the weighted mean of the seven with the weights below. docs/scoring.md publishes the same table.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = ("activation", "communication", "meetings", "collaboration",
                               "teamwork", "mobility", "security", "overall")

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "activation": {"ko": "계정 활성화", "en": "Activation"},
    "communication": {"ko": "소통", "en": "Communication"},
    "meetings": {"ko": "회의", "en": "Meetings"},
    "collaboration": {"ko": "문서 협업", "en": "Content collaboration"},
    "teamwork": {"ko": "팀워크", "en": "Teamwork"},
    "mobility": {"ko": "모바일 활용", "en": "Mobility"},
    "security": {"ko": "보안 위생", "en": "Security hygiene"},
    "overall": {"ko": "종합", "en": "Overall"},
}

#: Weight of each category in `overall`. Collaboration and security count most: they are where
#: coaching changes the most for a small organisation; mobility counts least (many desk jobs).
CATEGORY_WEIGHTS: dict[str, float] = {
    "activation": 1.0,
    "communication": 1.0,
    "meetings": 1.0,
    "collaboration": 1.5,
    "teamwork": 1.0,
    "mobility": 0.5,
    "security": 1.5,
}

SCORED: tuple[str, ...] = tuple(c for c in CATEGORIES if c != "overall")


def label(category: str, lang: str = "en") -> str:
    return CATEGORY_LABELS[category][lang]
