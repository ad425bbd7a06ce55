"""The shape of a curriculum file (`curricula/*.yaml`).

A curriculum is a track (new member, admin) of modules; each module holds 3 to 7 items a trainee
works through. Every human-facing text is given in Korean and English. Each item is verified
either by `evidence` (declarative rules over the Admin SDK Reports API) or by `self_attest: true`.

Evidence rules:

- `source: activity`: an event of an application's activity log (`login`, `drive`, `meet`,
  `calendar`, `chat`, `token`, `admin`) by the trainee, optionally with conditions on its
  parameters (`where: [{param, op, value}]`; a list parameter such as `new_value` matches when
  any element does).
- `source: usage`: a user-level usage parameter (`accounts:is_2sv_enrolled == true`,
  `drive:num_items_created >= 1`) on a report date.

`any_of` rules prove the item; `min_count` matching events (or report dates, for usage) are
needed; only evidence in the `window` counts (`since: start`, the trainee's start on the
curriculum, or `within_days: N` before the evaluation); with `completion: first_seen` the item is
done on the date the `min_count`-th matching evidence was first seen and stays done, with
`completion: latest` (usage rules only) it is done only while the newest report still matches.
`negative` rules flag the item when matching evidence appears after the item was done
(`after: done`) or at any time since the start (`after: start`).

Whether names exist in the Reports API vocabulary is checked by `lint.py`, which knows where each
value is in the file.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from workspace_coach.curriculum.vocabulary import APPLICATIONS, OPERATORS

MIN_ITEMS, MAX_ITEMS = 3, 7
MAX_WINDOW_DAYS = 450  # Google keeps about 450 days of reports

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Scalar = bool | int | str
Op = Literal["==", "!=", ">", ">=", "<", "<=", "in", "not in"]
Application = Literal["login", "drive", "meet", "calendar", "chat", "token", "admin"]

assert set(Op.__args__) == set(OPERATORS)  # type: ignore[attr-defined]
assert set(Application.__args__) == set(APPLICATIONS)  # type: ignore[attr-defined]

HELP_LINK = re.compile(
    r"^https://support\.google\.com/[a-z]+(/users)?/(answer|topic)/\d+"
    r"(\?[A-Za-z0-9_=&%.-]*)?(#[A-Za-z0-9_%.-]*)?$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in Korean and English; both are required and non-empty."""

    ko: NonEmpty
    en: NonEmpty

    @model_validator(mode="before")
    @classmethod
    def _both_languages(cls, data: Any) -> Any:
        if isinstance(data, str):
            raise ValueError("needs Korean and English: write {ko: ..., en: ...}")
        return data


# -- evidence ------------------------------------------------------------------------------------

class Condition(Strict):
    """`param op value`, e.g. `{param: video_send_seconds, op: ">", value: 0}`."""

    param: NonEmpty
    op: Op
    value: Scalar | list[Scalar]


class ActivityRule(Strict):
    source: Literal["activity"]
    application: Application
    event: NonEmpty
    where: list[Condition] = []


class UsageRule(Strict):
    source: Literal["usage"]
    parameter: Annotated[str, StringConstraints(pattern=r"^[a-z]+:[a-z0-9_]+$")]
    op: Op
    value: Scalar | list[Scalar]


Rule = Annotated[ActivityRule | UsageRule, Field(discriminator="source")]


class Window(Strict):
    """Which evidence counts: since the trainee started the curriculum, or the last N days."""

    since: Literal["start"] | None = None
    within_days: Annotated[int, Field(ge=1, le=MAX_WINDOW_DAYS)] | None = None

    @model_validator(mode="after")
    def _one(self) -> Window:
        if (self.since is None) == (self.within_days is None):
            raise ValueError("give either 'since: start' or 'within_days: N'")
        return self


class Evidence(Strict):
    any_of: Annotated[list[Rule], Field(min_length=1)]
    min_count: Annotated[int, Field(ge=1)] = 1
    window: Window = Window(since="start")
    completion: Literal["first_seen", "latest"] = "first_seen"


class NegativeActivity(ActivityRule):
    after: Literal["done", "start"] = "done"
    flag: Text


class NegativeUsage(UsageRule):
    after: Literal["done", "start"] = "done"
    flag: Text


Negative = Annotated[NegativeActivity | NegativeUsage, Field(discriminator="source")]


# -- items, modules, curricula -------------------------------------------------------------------

class Item(Strict):
    id: Slug
    title: Text
    why_it_matters: Text
    steps: Annotated[list[Text], Field(min_length=1, max_length=10)]
    link: str | None = None
    howto: Text | None = None
    evidence: Evidence | None = None
    self_attest: bool | None = None
    negative: list[Negative] = []

    @field_validator("link")
    @classmethod
    def _help_link(cls, value: str | None) -> str | None:
        if value is not None and not HELP_LINK.match(value):
            raise ValueError("not a Google help article link: use "
                             "https://support.google.com/<product>/answer/<number>")
        return value

    @model_validator(mode="after")
    def _verified_and_linked(self) -> Item:
        if self.evidence is not None and self.self_attest:
            raise ValueError("give either 'evidence' or 'self_attest: true', not both")
        if self.evidence is None and not self.self_attest:
            raise ValueError("needs 'evidence' rules or 'self_attest: true'")
        if self.link is None and self.howto is None:
            raise ValueError("needs a 'link' to Google's help article or a short 'howto'")
        return self

    @property
    def verified_by(self) -> Literal["evidence", "self_attest"]:
        return "evidence" if self.evidence is not None else "self_attest"


class Module(Strict):
    id: Slug
    title: Text
    why: Text
    items: Annotated[list[Item], Field(min_length=MIN_ITEMS, max_length=MAX_ITEMS)]


class Curriculum(Strict):
    id: Slug
    version: Annotated[int, Field(ge=1)]
    title: Text
    audience: Literal["member", "admin"]
    modules: Annotated[list[Module], Field(min_length=1)]

    def items(self) -> list[tuple[Module, Item]]:
        return [(module, item) for module in self.modules for item in module.items]


MODELS: tuple[type[BaseModel], ...] = (Text, Condition, ActivityRule, UsageRule, Window, Evidence,
                                       NegativeActivity, NegativeUsage, Item, Module, Curriculum)
TAGS = frozenset({"activity", "usage"})  # discriminator tags pydantic puts in error locations
