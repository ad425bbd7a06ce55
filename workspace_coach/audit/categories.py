"""The score categories, in display order, with their Korean and English labels.

The order is the data contract's: the seven adoption and hygiene categories, then `overall`.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "activation", "communication", "meetings", "collaboration", "teamwork", "mobility",
    "security", "overall",
)

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "activation": {"ko": "계정 활성화", "en": "Activation"},
    "communication": {"ko": "소통", "en": "Communication"},
    "meetings": {"ko": "회의", "en": "Meetings"},
    "collaboration": {"ko": "콘텐츠 협업", "en": "Content collaboration"},
    "teamwork": {"ko": "팀워크", "en": "Teamwork"},
    "mobility": {"ko": "모바일 활용", "en": "Mobility"},
    "security": {"ko": "보안 위생", "en": "Security hygiene"},
    "overall": {"ko": "종합", "en": "Overall"},
}
