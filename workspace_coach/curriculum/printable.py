"""A printable A4 HTML checklist for in-person sessions: one page block per trainee, or one
blank checklist for a team.

Korean and English side by side (title, why it matters, steps, help link), a tick box per item
(pre-ticked, with the date, for items already complete when a person's progress is given),
Korean fonts first in the font stack (Noto Sans KR, Malgun Gothic, Apple SD Gothic Neo), `@page`
A4 margins and a page break between trainees. Every text is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from workspace_coach.curriculum.progress import ItemProgress, PersonProgress
from workspace_coach.curriculum.schema import Curriculum, Item

CSS = """
@page { size: A4; margin: 15mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans KR", "Malgun Gothic", "맑은 고딕", "Apple SD Gothic Neo",
       "Nanum Gothic", sans-serif; font-size: 10pt; line-height: 1.45; color: #111;
       word-break: keep-all; overflow-wrap: anywhere; margin: 0; }
section.sheet { page-break-after: always; break-after: page; }
section.sheet:last-child { page-break-after: auto; break-after: auto; }
header h1 { font-size: 16pt; margin: 0 0 2mm; }
header p { margin: 0 0 4mm; color: #444; }
h2 { font-size: 12pt; margin: 5mm 0 2mm; border-bottom: 0.4mm solid #333; }
.module-why { color: #444; margin: 0 0 2mm; }
.item { display: flex; gap: 3mm; padding: 2mm 0; border-bottom: 0.2mm solid #ccc;
        break-inside: avoid; page-break-inside: avoid; }
.box { flex: 0 0 6mm; height: 6mm; border: 0.5mm solid #111; text-align: center;
       font-size: 11pt; line-height: 5mm; }
.body { flex: 1; }
.title { font-weight: 700; }
.en { color: #555; }
.why, .steps, .link, .done { font-size: 9pt; }
.steps { margin: 1mm 0 0 4mm; padding: 0; }
.done { color: #1a6b1a; }
.flag { color: #a40000; font-size: 9pt; }
.sign { margin-top: 8mm; display: flex; gap: 20mm; font-size: 9pt; }
.sign span { border-top: 0.3mm solid #333; padding-top: 1mm; min-width: 50mm; }
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _item(item: Item, entry: ItemProgress | None) -> str:
    ticked, done_line, flags = False, "", ""
    if entry is not None:
        ticked = entry.complete
        if ticked and entry.resolved.on:
            done_line = f'<div class="done">✓ {_e(entry.resolved.on.isoformat())}</div>'
        flags = "".join(f'<div class="flag">⚠ {_e(f.text.ko)} / {_e(f.text.en)}</div>'
                        for f in entry.evidence.flags)
    steps = "".join(f"<li>{_e(step.ko)}<br><span class=\"en\">{_e(step.en)}</span></li>"
                    for step in item.steps)
    if item.link:
        link = f'<div class="link">{_e(item.link)}</div>'
    else:
        assert item.howto is not None
        link = f'<div class="link">{_e(item.howto.ko)} / {_e(item.howto.en)}</div>'
    how = "근거로 자동 확인 · checked from Google's records" if item.evidence else \
        "스스로 체크 · tick it yourself"
    return (f'<div class="item" data-item="{_e(item.id)}">'
            f'<div class="box">{"✓" if ticked else ""}</div><div class="body">'
            f'<div class="title">{_e(item.title.ko)} <span class="en">· {_e(item.title.en)}'
            f"</span></div>"
            f'<div class="why">{_e(item.why_it_matters.ko)}<br><span class="en">'
            f"{_e(item.why_it_matters.en)}</span></div>"
            f'<ol class="steps">{steps}</ol>{link}<div class="why en">{_e(how)}</div>'
            f"{done_line}{flags}</div></div>")


def _section(curriculum: Curriculum, heading: str, progress: PersonProgress | None) -> str:
    entries = {e.item.id: e for e in progress.items} if progress else {}
    parts = [(f'<section class="sheet"><header><h1>{_e(curriculum.title.ko)} 체크리스트 · '
             f"{_e(curriculum.title.en)} checklist</h1><p>{_e(heading)}</p></header>")]
    if progress is not None:
        parts.append(f"<p>{progress.complete} / {progress.total} 완료 · complete</p>")
    for module in curriculum.modules:
        parts.append(f"<h2>{_e(module.title.ko)} · {_e(module.title.en)}</h2>"
                     f'<p class="module-why">{_e(module.why.ko)}<br><span class="en">'
                     f"{_e(module.why.en)}</span></p>")
        parts += [_item(item, entries.get(item.id)) for item in module.items]
    parts.append('<div class="sign"><span>이름 · Name</span><span>날짜 · Date</span>'
                 "<span>코치 · Coach</span></div></section>")
    return "".join(parts)


def render_html(curriculum: Curriculum, *, people: Sequence[PersonProgress] = (),
                names: Sequence[str] = (), team_label: str | None = None,
                as_of: dt.date | None = None) -> str:
    """The whole document: a section per person in `people` (with their progress), or per
    name in `names` (blank), or a single blank checklist (for `team_label`, if given)."""
    sections = [_section(curriculum, f"{p.email}"
                         + (f" · {as_of.isoformat()}" if as_of else ""), p) for p in people]
    sections += [_section(curriculum, name, None) for name in names]
    if not sections:
        sections.append(_section(curriculum, team_label or "", None))
    title = f"{curriculum.title.ko} 체크리스트 · {curriculum.title.en} checklist"
    return ("<!DOCTYPE html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
            + "".join(sections) + "</body></html>\n")
