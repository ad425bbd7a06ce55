"""A plan for people: Rich text for the terminal, Markdown for a client report.

Hangul is double-width in a terminal; padding uses Rich's cell widths (`cell_len`) so columns
line up whatever mix of Korean and Latin the names are.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.text import Text

from workspace_coach.provision.changes import (
    LEAVER_KINDS,
    PHASE_TITLES,
    Change,
    in_phase_order,
)
from workspace_coach.provision.plan import Plan, leaver_scopes
from workspace_coach.safe_text import safe_cell

SIGNS = {"create": ("+", "green"), "update": ("~", "yellow"), "suspend": ("⏸", "magenta"),
         "remove": ("-", "red")}


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items()) or "{}"
    if isinstance(value, list):
        return "[" + "; ".join(_value(v) for v in value) + "]"
    if value is None:
        return "-"
    return str(value)


def _label(change: Change) -> str:
    if change.kind == "user" and change.meta.get("name"):
        return f"{change.key} ({change.meta['name']})"
    return change.key


def describe(change: Change) -> list[str]:
    """Field-level lines under a change: `field: before -> after`."""
    if change.action == "create":
        return [f"{k}: {_value(v)}" for k, v in change.after.items()
                if k not in ("externalIds", "suspended")]
    if change.action == "update":
        return [f"{k}: {_value(change.before.get(k))} -> {_value(v)}"
                for k, v in change.after.items()]
    reason = change.meta.get("reason")
    return [reason] if reason else []


def _step(change: Change) -> str | None:
    """One leaver step in words (English · Korean), or None when `change` is not one."""
    if change.kind == "transfer":
        what = "Drive files and calendar" if change.after.get("calendar") else "Drive files"
        note = " (waits for the running one)" if change.meta.get("status") else ""
        return (f"transfer {what} to {change.after['successor']}{note} · "
                "후임자에게 파일·캘린더 이전")
    if change.kind == "member" and change.action == "remove":
        return f"leave group {change.key.partition(' ')[0]} · 그룹에서 제외"
    if change.kind == "drive_permission" and change.action == "remove":
        return f"leave shared drive {change.key.rpartition(' ')[0]} · 공유 드라이브에서 제외"
    if change.kind == "signout":
        return "sign out of every session · 모든 세션 로그아웃"
    if change.kind == "token":
        app = change.before.get("app") or change.key.partition(" ")[2]
        return f"revoke app access: {app} · 앱 권한 취소"
    if change.kind == "user" and change.action == "suspend":
        return "suspend, hidden from the address list · 계정 정지, 주소록에서 숨김"
    if change.kind == "user" and change.action == "remove":
        return "delete the account (frees the seat) · 계정 삭제(라이선스 반환)"
    return None


def leaver_steps(plan: Plan) -> dict[str, list[str]]:
    """Per leaver (anyone with a transfer, sign-out, token or suspension step), their steps in
    the order apply runs them."""
    people = {c.key.partition(" ")[0] for c in plan.changes
              if c.kind in LEAVER_KINDS or (c.kind == "user" and c.action in ("suspend",
                                                                                "remove"))}
    out: dict[str, list[str]] = {}
    for change in in_phase_order(plan.changes):
        if change.kind in ("member", "drive_permission"):
            person = change.key.rpartition(" ")[2].removeprefix("user:")
        else:
            person = change.key.partition(" ")[0]
        step = _step(change)
        if person in people and step is not None:
            out.setdefault(person, []).append(step)
    return dict(sorted(out.items()))


def summary(plan: Plan) -> str:
    counts = plan.counts()
    if not counts:
        return "No changes: the tenant matches the spec and roster."
    parts = [f"{counts[a]} to {a}" for a in ("create", "update", "suspend", "remove")
             if a in counts]
    return "Plan: " + ", ".join(parts) + "."


def render_text(plan: Plan) -> RenderableType:
    out: list[RenderableType] = []
    for phase, changes in plan.by_phase().items():
        out.append(Text(f"\n{PHASE_TITLES[phase]} ({len(changes)})", style="bold"))
        width = max(cell_len(_label(c)) for c in changes)
        for change in changes:
            sign, style = SIGNS[change.action]
            label = _label(change)
            line = Text(f"  {sign} ", style=style)
            line.append(label + " " * (width - cell_len(label)))
            details = describe(change)
            if details and change.action != "create":
                line.append("  " + details[0], style="dim")
                details = details[1:]
            out.append(line)
            if change.action != "create" or change.kind in ("org_unit", "group", "drive"):
                for detail in details:
                    out.append(Text(" " * (width + 6) + detail, style="dim"))
    steps = leaver_steps(plan)
    if steps:
        out.append(Text(f"\nLeavers, step by step · 떠나는 사람 ({len(steps)})", style="bold"))
        for person, items in steps.items():
            out.append(Text(f"  {person}"))
            out += [Text(f"    {n}. {item}", style="dim") for n, item in enumerate(items, 1)]
    extra = leaver_scopes(plan)
    if extra:
        out.append(Text("Leaver steps need these scopes too · 추가 범위: " + ", ".join(extra),
                        style="dim"))
    for warning in plan.warnings:
        out.append(Text(f"warning: {warning}", style="yellow"))
    unmanaged = {k: v for k, v in plan.unmanaged.items() if v}
    for kind, names in unmanaged.items():
        out.append(Text(f"unmanaged {kind} (left alone): " + ", ".join(names), style="dim"))
    for reason in plan.unsafe:
        out.append(Text(f"UNSAFE: {reason}; apply needs --force", style="bold red"))
    out.append(Text(summary(plan), style="bold"))
    return Group(*out)


def _md(text: str) -> str:
    """A Markdown table cell that is also safe when the table is pasted into a spreadsheet."""
    return safe_cell(text.strip()).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(plan: Plan) -> str:
    lines = [f"# Provisioning plan for {plan.domain}", "", summary(plan), ""]
    for phase, changes in plan.by_phase().items():
        lines += [f"## {PHASE_TITLES[phase]} ({len(changes)})", "",
                  "| | Object | Details |", "| --- | --- | --- |"]
        for change in changes:
            lines.append(f"| {change.action} | {_md(_label(change))} | "
                         f"{_md('; '.join(describe(change)))} |")
        lines.append("")
    steps = leaver_steps(plan)
    if steps:
        lines += [f"## Leavers ({len(steps)})", ""]
        for person, items in steps.items():
            lines.append(f"- {_md(person)}")
            lines += [f"  {n}. {_md(item)}" for n, item in enumerate(items, 1)]
        lines.append("")
    extra = leaver_scopes(plan)
    if extra:
        lines += ["Leaver steps need these scopes: " + ", ".join(f"`{s}`" for s in extra), ""]
    if plan.warnings:
        lines += ["## Warnings", ""] + [f"- {_md(w)}" for w in plan.warnings] + [""]
    if plan.unsafe:
        lines += ["## Unsafe", ""] + [f"- {_md(w)}" for w in plan.unsafe] + [""]
    unmanaged = {k: v for k, v in plan.unmanaged.items() if v}
    if unmanaged:
        lines += ["## Left alone (not managed)", ""]
        lines += [f"- {kind}: {_md(', '.join(names))}" for kind, names in unmanaged.items()]
        lines.append("")
    lines.append(f"Plan checksum `{plan.checksum[:16]}`, state checksum "
                 f"`{plan.state_checksum[:16]}`.")
    return "\n".join(lines) + "\n"
