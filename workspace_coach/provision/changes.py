"""The vocabulary of a plan: typed changes and the phases apply runs them in.

Like octoDNS: identity (kind, key) is kept apart from content; a change is a `Create`,
`Update` (field-level before -> after), `Suspend` or `Remove`. The per-type diffs
(`diffs.py`) make them, the plan (`plan.py`) orders and checksums them, apply runs them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

from workspace_coach.errors import UserError

#: Phases in the order apply runs them.
PHASES: tuple[str, ...] = ("org_unit", "user", "group", "group_settings", "transfer", "member",
                           "drive", "drive_permission", "signout", "token", "suspension")
PHASE_TITLES = {"org_unit": "Org units", "user": "Users", "group": "Groups",
                "group_settings": "Group settings", "transfer": "Data transfers",
                "member": "Memberships", "drive": "Shared drives",
                "drive_permission": "Drive permissions", "signout": "Sign-outs",
                "token": "App token revocations", "suspension": "Suspensions and deletions"}
#: Kinds of the leaver steps (docs/provisioning.md, "Leavers"), keyed by the leaver's address.
LEAVER_KINDS = frozenset({"transfer", "signout", "token"})


class PlanFileError(UserError):
    """A plan file that cannot be read, or was edited after it was made."""


@dataclass(frozen=True)
class Change:
    """One change to one object. `kind` and `key` are its identity; `after` the wanted view
    (only the fields this change sets); `before` the current values of those fields."""

    action: ClassVar[str] = "change"
    kind: str
    key: str
    after: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def phase(self) -> str:
        if self.kind == "user" and self.action in ("suspend", "remove"):
            return "suspension"
        return self.kind

    @property
    def ident(self) -> str:
        return f"{self.kind}|{self.key}"

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, **asdict(self)}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Change:
        cls = ACTIONS.get(data.get("action", ""))
        if cls is None:
            raise PlanFileError(f"unknown action {data.get('action')!r}")
        return cls(kind=data["kind"], key=data["key"], after=data.get("after") or {},
                   before=data.get("before") or {}, meta=data.get("meta") or {})


@dataclass(frozen=True)
class Create(Change):
    action: ClassVar[str] = "create"


@dataclass(frozen=True)
class Update(Change):
    action: ClassVar[str] = "update"


@dataclass(frozen=True)
class Suspend(Change):
    action: ClassVar[str] = "suspend"


@dataclass(frozen=True)
class Remove(Change):
    action: ClassVar[str] = "remove"


ACTIONS: dict[str, type[Change]] = {c.action: c for c in (Create, Update, Suspend, Remove)}


def in_phase_order(changes: list[Change]) -> list[Change]:
    """`changes` sorted by phase, keeping their order within a phase."""
    order = {p: i for i, p in enumerate(PHASES)}
    return sorted(changes, key=lambda c: order[c.phase])
