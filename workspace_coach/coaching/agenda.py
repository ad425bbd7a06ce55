"""Propose a coaching session's agenda from the biggest gaps, the biggest gains and the failing
serious checks, each item linked to the curriculum modules that teach it.

- A gap is a category far from 100; its evidence is the indicators furthest below target.
- A gain is a category that rose since the last session (or over 28 days when there was none):
  worth celebrating and asking what worked.
- A failing critical or high check is always worth the time; its evidence is what it affects.

Items carry Korean and English titles, so an agenda stored with a session reads the same later
in either language. Curricula are read from `curricula/*.yaml` through the curriculum schema;
a module named below that no curriculum defines is simply not linked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from workspace_coach.audit.recommend import CATEGORY_ADVICE, CHECK_ADVICE
from workspace_coach.coaching.checks import CheckView
from workspace_coach.coaching.scores import CATEGORY_LABELS, CategoryScore
from workspace_coach.curriculum.schema import Curriculum

GAP_BELOW = 80.0        # categories at or above this are not a gap worth a session
GAIN_AT_LEAST = 2.0     # points
SERIOUS = ("critical", "high")


@dataclass(frozen=True)
class ModuleLink:
    track: str
    module: str
    title: dict[str, str]


@dataclass(frozen=True)
class AgendaItem:
    kind: str                       # gap | gain | check
    key: str                        # category or check id
    title: dict[str, str]
    value: float | None = None
    delta: float | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    modules: list[ModuleLink] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_curricula(folder: Path | None = None) -> dict[str, Curriculum]:
    """Every valid curriculum in `folder` (see `resources.curricula`), by id."""
    from workspace_coach import resources
    from workspace_coach.curriculum.lint import files_in, load

    files, _ = files_in([resources.curricula(folder)])
    out = {}
    for path in files:
        loaded = load(path)
        if loaded.curriculum is not None:
            out[loaded.curriculum.id] = loaded.curriculum
    return out


def _links(pairs: Sequence[tuple[str, str]], curricula: dict[str, Curriculum]) -> list[ModuleLink]:
    out = []
    for track, module_id in pairs:
        curriculum = curricula.get(track)
        module = next((mo for mo in curriculum.modules if mo.id == module_id), None) \
            if curriculum else None
        if module is not None:
            out.append(ModuleLink(track, module_id, {"ko": module.title.ko,
                                                     "en": module.title.en}))
    return out


def _label(category: str) -> dict[str, str]:
    return CATEGORY_LABELS.get(category, {"ko": category, "en": category})


def _indicator_evidence(score: CategoryScore, limit: int = 3) -> list[dict[str, Any]]:
    worst = sorted((i for i in score.indicators if i.gap > 0), key=lambda i: -i.gap)[:limit]
    return [{"indicator": i.id, "label": i.label, "share": i.share, "target": i.target,
             "numerator": i.numerator, "denominator": i.denominator} for i in worst]


def _category_modules(category: str) -> list[tuple[str, str]]:
    """The modules that teach what a category measures (the audit's recommendation advice)."""
    advice = CATEGORY_ADVICE.get(category)
    return [(ref.track, ref.module) for ref in advice.modules] if advice else []


def _check_modules(check_id: str) -> list[tuple[str, str]]:
    """The module that teaches the fix of a check (the first of its recommendation advice)."""
    advice = CHECK_ADVICE.get(check_id)
    return [(ref.track, ref.module) for ref in advice.modules][:1] if advice else \
        [("admin", "enforce-2sv")]


def propose(scores: Sequence[CategoryScore], *, since: dict[str, CategoryScore] | None = None,
            checks: Sequence[CheckView] = (), curricula: dict[str, Curriculum] | None = None,
            gaps: int = 3, gains: int = 2, serious_checks: int = 3) -> list[AgendaItem]:
    """The proposed agenda: serious failing checks, then the biggest gaps, then the gains.

    `since` holds the values at the last session; without it a category's 28-day change counts.
    """
    curricula = curricula or {}
    items: list[AgendaItem] = []
    for check in [c for c in checks if c.failing and c.severity in SERIOUS][:serious_checks]:
        items.append(AgendaItem(
            kind="check", key=check.check_id, title=check.title,
            evidence=[{"severity": check.severity, "affected_count": check.affected_count,
                       "fix": check.fix, "reference": check.reference}],
            modules=_links(_check_modules(check.check_id), curricula)))
    scored = [s for s in scores if s.category != "overall" and s.value is not None]
    for score in sorted((s for s in scored if s.value < GAP_BELOW),
                        key=lambda s: s.value)[:gaps]:
        label = _label(score.category)
        items.append(AgendaItem(
            kind="gap", key=score.category, value=score.value,
            title={"ko": f"{label['ko']} 끌어올리기", "en": f"Lift {label['en'].lower()}"},
            evidence=_indicator_evidence(score),
            modules=_links(_category_modules(score.category), curricula)))
    moved = []
    for score in scored:
        before = (since or {}).get(score.category)
        delta = (round(score.value - before.value, 1)
                 if before is not None and before.value is not None else
                 (score.change if since is None else None))
        if delta is not None and delta >= GAIN_AT_LEAST:
            moved.append((delta, score))
    for delta, score in sorted(moved, key=lambda pair: -pair[0])[:gains]:
        label = _label(score.category)
        items.append(AgendaItem(
            kind="gain", key=score.category, value=score.value, delta=delta,
            title={"ko": f"{label['ko']}: 무엇이 잘 됐는지 나누기",
                   "en": f"{label['en']}: share what worked"},
            evidence=[{"delta": delta}],
            modules=_links(_category_modules(score.category)[:1], curricula)))
    return items
