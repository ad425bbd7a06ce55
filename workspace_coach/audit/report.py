"""The audit report as one self-contained, printable HTML page, in Korean, English or both.

`render_html(db, client_id, lang)` (lang `ko`, `en`, or None for both) renders what
`report_data.gather` read: the organisation's scores with the inputs that explain them, the
trend, the teams table (stored, folded scopes only), the checks by severity with their fix, the
peer benchmark when it may be shown, and the recommendations.

Self-contained: the page loads nothing (no script at all, styles inline, system fonts, charts
as inline SVG from `report_charts`); every text from storage is HTML-escaped. Printable: A4
pages through `@page`, sections kept whole where they fit.

CSV files and the Google Sheet are made from the same data in `report_rows` and
`report_sheet`.
"""

from __future__ import annotations

from html import escape
from typing import Any, Literal

import sqlalchemy as sa

from workspace_coach.audit.benchmark import REASONS
from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.recommend import KIND_LABELS, module_title
from workspace_coach.audit.report_charts import category_bars, trend_line
from workspace_coach.audit.report_data import ReportData, gather, indicator_rows
from workspace_coach.labels import LABELS
from workspace_coach.severity import SEVERITIES, SEVERITY_LABELS, STATUS_LABELS

Lang = Literal["ko", "en"]
LANGS: tuple[Lang, ...] = ("ko", "en")

#: The report's words: the ones the dashboard shows too come from `workspace_coach.labels`.
UI: dict[str, dict[str, str]] = {
    **LABELS,
    "title": {"ko": "Google Workspace 활용 진단 보고서", "en": "Google Workspace adoption report"},
    "as_of": {"ko": "기준일", "en": "As of"},
    "window": {"ko": "기간", "en": "Window"},
    "peer_windows": {"ko": "비교 고객의 점수 기간", "en": "Peers scored over"},
    "days": {"ko": "일", "en": "days"},
    "scores": {"ko": "조직 점수", "en": "Organisation scores"},
    "scores_note": {"ko": "각 점수는 아래 지표의 달성도(목표 대비 비율, 최대 100점)를 가중 평균한 "
                          "값입니다. 막대의 빨간 선은 비슷한 규모 고객의 중앙값, 옅은 띠는 "
                          "사분위 범위입니다.",
                    "en": "Each score is the weighted mean of its indicators' points (share "
                          "against target, at most 100). On the bars, the red line is the median "
                          "of clients of a similar size and the light band their middle half."},
    "no_data": {"ko": "데이터 없음", "en": "no data"},
    "people": {"ko": "명", "en": "people"},
    "others": {"ko": "기타 (작은 팀 합계)", "en": "Others (small teams combined)"},
    "no_teams": {"ko": "팀별 점수가 없습니다.", "en": "No team scores."},
    "affected": {"ko": "대상", "en": "Affected"},
    "band": {"ko": "규모", "en": "Size band"},
    "quartiles": {"ko": "사분위 (25%–75%)", "en": "Quartiles (25%–75%)"},
    "recommendations": {"ko": "추천 과제", "en": "Recommendations"},
    "no_recommendations": {"ko": "추천할 과제가 없습니다.", "en": "Nothing to recommend."},
    "actions": {"ko": "실행 방법", "en": "Actions"},
    "footer": {"ko": "점수 계산식과 가중치는 docs/scoring.md에 공개되어 있습니다. 다른 고객의 이름이나 "
                     "개별 수치는 표시하지 않습니다.",
               "en": "Every formula and weight is published in docs/scoring.md. No other "
                     "client's name or individual figure is shown."},
}


CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "Nanum Gothic",
       system-ui, sans-serif; color: #222; margin: 0 auto; max-width: 190mm; font-size: 10.5pt;
       line-height: 1.45; word-break: keep-all; }
h1 { font-size: 18pt; margin: 0 0 2mm; } h2 { font-size: 13pt; margin: 7mm 0 2mm;
   border-bottom: 2px solid #3b6fb6; padding-bottom: 1mm; }
.meta { color: #555; } .alt { color: #666; } .alt::before { content: " / "; }
p.alt::before, div.alt::before, li.alt::before { content: ""; }
section { break-inside: avoid-page; } tr, li, svg { break-inside: avoid; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; }
th, td { border-bottom: 1px solid #ddd; padding: 1.2mm 1.5mm; text-align: left;
         vertical-align: top; } th { background: #f2f5fa; }
td.num, th.num { text-align: right; white-space: nowrap; }
ul.inputs { margin: 0; padding-left: 4mm; font-size: 9pt; }
.badge { display: inline-block; border-radius: 2mm; padding: 0 1.5mm; font-size: 8.5pt;
         color: #fff; background: #777; white-space: nowrap; }
.sev-critical { background: #8e1b10; } .sev-high { background: #c0392b; }
.sev-medium { background: #d68910; } .sev-low { background: #7f8c8d; }
.st-pass { background: #2e7d32; } .st-fail { background: #c0392b; }
.k-check { background: #8e1b10; } .k-loss { background: #d68910; } .k-gap { background: #3b6fb6; }
.k-gain { background: #2e7d32; }
.sparks { display: flex; flex-wrap: wrap; gap: 2mm; }
ol.recs > li { margin-bottom: 2.5mm; }
.console { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 8.5pt; color: #555; }
svg { max-width: 100%; height: auto; }
table.teams { font-size: 9pt; } table.teams th.num { white-space: normal; width: 9.5%; }
table.teams td:first-child, table.teams th:first-child { width: 24%; overflow-wrap: anywhere; }
footer { margin-top: 8mm; font-size: 8.5pt; color: #666; }
"""


class _Html:
    """Text in one language or both, always escaped."""

    def __init__(self, lang: Lang | None) -> None:
        self.langs: tuple[Lang, ...] = (lang,) if lang else LANGS

    @property
    def primary(self) -> Lang:
        return self.langs[0]

    def t(self, text: dict[str, str] | str | None, block: str | None = None) -> str:
        """A bilingual text: the primary language, then the other in a muted span/block."""
        if text is None:
            return ""
        if isinstance(text, str):
            return escape(text)
        parts = [escape(str(text.get(lang) or "")) for lang in self.langs]
        if len(parts) == 1 or parts[0] == parts[1]:
            return parts[0]
        if block:
            return (f'<{block} lang="ko">{parts[0]}</{block}>'
                    f'<{block} class="alt" lang="en">{parts[1]}</{block}>')
        return f'{parts[0]}<span class="alt" lang="en">{parts[1]}</span>'

    def ui(self, key: str, block: str | None = None, **values: Any) -> str:
        """One of the report's words (`UI`), with any `{placeholders}` filled."""
        text = UI[key]
        return self.t({lang: words.format(**values) for lang, words in text.items()}
                      if values else text, block)

    def plain(self, text: dict[str, str]) -> str:
        """Unescaped text for SVG labels (report_charts escapes): the primary language."""
        return text[self.primary]


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return escape(str(value))


def _pct(value: Any) -> str:
    return f"{value:.0%}" if isinstance(value, (int, float)) else "—"


def _header(h: _Html, data: ReportData) -> str:
    client = data.client
    name = escape(client.name)
    when = data.as_of.isoformat() if data.as_of else "—"
    window = data.window_days if data.window_days is not None else "—"
    return (f"<header><h1>{h.ui('title')}</h1>"
            f'<p class="meta"><strong>{name}</strong> ({escape(client.domain)}) · '
            f"{h.ui('as_of')} {when} · {h.ui('window')} {window} {h.ui('days')}</p>"
            "</header>")


def _explain(h: _Html, category: str, score: Any) -> str:
    items = []
    for ind in indicator_rows(score):
        if category == "overall":
            label = h.t(CATEGORY_LABELS.get(ind["id"], {"ko": ind["id"], "en": ind["id"]}))
            items.append(f"<li>{label}: {_num(ind.get('points'))} × {h.ui('weight')} "
                         f"{_num(ind.get('weight'))}</li>")
            continue
        label = h.t(ind.get("label")) if isinstance(ind.get("label"), dict) \
            else escape(str(ind.get("id", "")))
        items.append(
            f"<li>{label}: {_num(ind.get('numerator'))}/{_num(ind.get('denominator'))} "
            f"({_pct(ind.get('share'))}, {h.ui('target')} {_pct(ind.get('target'))}) → "
            f"{_num(ind.get('points'))} {h.ui('points')}, {h.ui('weight')} "
            f"{_num(ind.get('weight'))}</li>")
    people = (score.inputs or {}).get("people")
    if isinstance(people, int):
        items.append(f"<li>{people} {h.ui('people')}</li>")
    return f'<ul class="inputs">{"".join(items)}</ul>' if items else ""


def _scores(h: _Html, data: ReportData) -> str:
    bench = data.benchmark.categories
    bars = []
    rows = []
    for category in CATEGORIES:
        score = data.scores.get(category)
        value = score.value if score else None
        peer = bench.get(category)
        peers = (peer.q1, peer.median, peer.q3) if peer and peer.shown else None
        bars.append((h.plain(CATEGORY_LABELS[category]), value, peers))
        rows.append(
            f"<tr><td>{h.t(CATEGORY_LABELS[category])}</td>"
            f'<td class="num">{_num(value) if value is not None else h.ui("no_data")}</td>'
            f"<td>{_explain(h, category, score) if score else ''}</td></tr>")
    chart = category_bars(bars, h.plain(UI["scores"]))
    return (f'<section id="scores"><h2>{h.ui("scores")}</h2>{chart}'
            f'{h.ui("scores_note", "p")}'
            f'<table><thead><tr><th>{h.ui("category")}</th><th class="num">{h.ui("score")}</th>'
            f'<th>{h.ui("explanation")}</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></section>")


def _trend(h: _Html, data: ReportData) -> str:
    charts = [trend_line(data.trend.get(c, []), h.plain(CATEGORY_LABELS[c]))
              for c in CATEGORIES if c in data.trend]
    body = "".join(charts) or h.ui("no_data")
    return f'<section id="trend"><h2>{h.ui("trend")}</h2><div class="sparks">{body}</div></section>'


def _scope_name(h: _Html, scope_type: str, key: str) -> str:
    if key == "others":
        return f'{h.ui(scope_type)}: {h.ui("others")}'
    return f"{h.ui(scope_type)}: {escape(key)}"


def _teams(h: _Html, data: ReportData) -> str:
    cats = [c for c in CATEGORIES]
    head = "".join(f'<th class="num">{h.t(CATEGORY_LABELS[c])}</th>' for c in cats)
    rows = []
    for (scope_type, key), by_cat in data.teams.items():
        people = next((s.inputs.get("people") for s in by_cat.values()
                       if isinstance(s.inputs.get("people"), int)), None)
        size = f" <small>({people} {h.ui('people')})</small>" if people is not None else ""
        cells = "".join(f'<td class="num">{_num(by_cat[c].value) if c in by_cat else "—"}</td>'
                        for c in cats)
        rows.append(f"<tr><td>{_scope_name(h, scope_type, key)}{size}</td>{cells}</tr>")
    table = (f'<table class="teams"><thead><tr><th>{h.ui("team")}</th>{head}</tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table>') if rows else f'<p>{h.ui("no_teams")}</p>'
    return (f'<section id="teams"><h2>{h.ui("teams")}</h2>{h.ui("teams_note", "p", size=data.client.min_group_size)}{table}'
            "</section>")


def _checks(h: _Html, data: ReportData) -> str:
    if not data.checks:
        return f'<section id="checks"><h2>{h.ui("checks")}</h2><p>{h.ui("no_checks")}</p></section>'
    rows = []
    for check in data.checks:
        details = check.details or {}
        sev = check.severity if check.severity in SEVERITIES else "low"
        title = h.t(details.get("title")) if isinstance(details.get("title"), dict) \
            else escape(check.check_id)
        ref = f' <small class="meta">{escape(check.reference)}</small>' if check.reference else ""
        fix = ""
        if check.status == "fail":
            why = details.get("why")
            fix_text = details.get("fix")
            if isinstance(why, dict):
                fix += f'<div><strong>{h.ui("why")}</strong> {h.t(why)}</div>'
            if isinstance(fix_text, dict):
                fix += f'<div><strong>{h.ui("fix")}</strong> {h.t(fix_text)}</div>'
            if details.get("console_path"):
                fix += f'<div class="console">{escape(str(details["console_path"]))}</div>'
        rows.append(
            f'<tr class="check" data-check="{escape(check.check_id)}">'
            f'<td><span class="badge sev-{sev}">{h.t(SEVERITY_LABELS[sev])}</span></td>'
            f'<td><span class="badge st-{escape(check.status)}">'
            f'{h.t(STATUS_LABELS.get(check.status, {"ko": check.status, "en": check.status}))}'
            f"</span></td><td>{title}{ref}{fix}</td>"
            f'<td class="num">{check.affected_count}</td></tr>')
    return (f'<section id="checks"><h2>{h.ui("checks")}</h2><table><thead><tr>'
            f'<th>{h.ui("severity")}</th><th>{h.ui("status")}</th><th>{h.ui("checks")}</th>'
            f'<th class="num">{h.ui("affected")}</th></tr></thead><tbody>{"".join(rows)}'
            "</tbody></table></section>")


def _benchmark(h: _Html, data: ReportData) -> str:
    bench = data.benchmark
    if not bench.shown:
        reason = REASONS.get(bench.reason or "", None)
        return (f'<section id="benchmark"><h2>{h.ui("benchmark")}</h2>'
                f"{h.t(reason, 'p') if reason else ''}</section>")
    # peers are compared on their newest run; say so when one scored another window
    windows = ""
    if bench.peer_windows and set(bench.peer_windows) != {bench.window_days}:
        windows = (f' · {h.ui("peer_windows")} {", ".join(map(str, bench.peer_windows))} '
                   f'{h.ui("days")}')
    rows = []
    for category in CATEGORIES:
        cat = bench.categories.get(category)
        if cat is None:
            continue
        if cat.shown:
            cells = (f'<td class="num">{_num(cat.value)}</td><td class="num">{cat.cohort_size}</td>'
                     f'<td class="num">{_num(cat.median)}</td>'
                     f'<td class="num">{_num(cat.q1)}–{_num(cat.q3)}</td>'
                     f'<td class="num">{_num(cat.percentile)}</td>')
        else:
            cells = (f'<td class="num">{_num(cat.value)}</td>'
                     f'<td colspan="4">{h.t(REASONS[cat.reason or "no-score"])}</td>')
        rows.append(f"<tr><td>{h.t(CATEGORY_LABELS[category])}</td>{cells}</tr>")
    return (f'<section id="benchmark"><h2>{h.ui("benchmark")}</h2>'
            f'<p class="meta">{h.ui("band")}: {escape(bench.band or "—")} · {bench.people} '
            f'{h.ui("people")}{windows}</p><table><thead><tr><th>{h.ui("category")}</th>'
            f'<th class="num">{h.ui("score")}</th><th class="num">{h.ui("peers")}</th>'
            f'<th class="num">{h.ui("median")}</th><th class="num">{h.ui("quartiles")}</th>'
            f'<th class="num">{h.ui("percentile")}</th></tr></thead><tbody>{"".join(rows)}'
            "</tbody></table></section>")


def _recommendations(h: _Html, data: ReportData) -> str:
    if not data.recommendations:
        return (f'<section id="recommendations"><h2>{h.ui("recommendations")}</h2>'
                f'<p>{h.ui("no_recommendations")}</p></section>')
    items = []
    for rec in data.recommendations:
        modules = ", ".join(
            h.t({lang: module_title(ref, lang) for lang in LANGS}) for ref in rec.modules)
        actions = "".join(f"<li>{h.t(a)}</li>" for a in rec.actions)
        detail = f" — {h.t(rec.detail)}" if rec.detail.get("en") else ""
        items.append(
            f'<li class="rec" data-kind="{rec.kind}"><span class="badge k-{rec.kind}">'
            f"{h.t(KIND_LABELS[rec.kind])}</span> <strong>{h.t(rec.title)}</strong>{detail}"
            f'<div><strong>{h.ui("modules")}</strong>: {modules}</div>'
            f'<div><strong>{h.ui("actions")}</strong><ul>{actions}</ul></div></li>')
    return (f'<section id="recommendations"><h2>{h.ui("recommendations")}</h2>'
            f'<ol class="recs">{"".join(items)}</ol></section>')


def html_from(data: ReportData, lang: Lang | None = None) -> str:
    """The report page for gathered data; `lang` None shows Korean with English alongside."""
    h = _Html(lang)
    title = f"{data.client.name} · {h.plain(UI['title'])}"
    body = "".join((_header(h, data), _recommendations(h, data), _scores(h, data),
                    _trend(h, data), _teams(h, data), _checks(h, data), _benchmark(h, data)))
    return (f'<!DOCTYPE html>\n<html lang="{h.primary}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>{body}"
            f'<footer>{h.ui("footer", "p")}</footer>'
            "</body></html>\n")


def render_html(db: sa.Engine | sa.Connection, client_id: int, lang: Lang | None = None) -> str:
    """The self-contained HTML report of a client (see the module docstring)."""
    return html_from(gather(db, client_id), lang)
