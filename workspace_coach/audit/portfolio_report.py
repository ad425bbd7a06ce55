"""The portfolio report: one printable HTML page, and tables for CSV and the Google Sheet.

Made from `portfolio.gather_portfolio`, which already replaced every client that does not share
its name by "client A" / "고객사 A"; nothing here reads the database or a client's name.
The page is self-contained like the audit report (`report.CSS`, inline SVG charts from
`report_charts`, every text escaped). Table values go through `report_rows.csv_cell`
(`safe_text.safe_cell` for text), so no cell can start a formula, in the CSV or in the Sheet.
"""

from __future__ import annotations

import csv
import io
from html import escape
from pathlib import Path
from typing import Any, Literal

from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.portfolio import FIX_SEVERITIES, Portfolio, PortfolioClient
from workspace_coach.audit.report import CSS
from workspace_coach.audit.report import _Html as Html  # the audit report's bilingual text
from workspace_coach.audit.report_charts import before_after_bars
from workspace_coach.audit.report_rows import Table, csv_cell
from workspace_coach.labels import LABELS

Lang = Literal["ko", "en"]

#: This page's words; those the report and the dashboard show too come from `labels`.
UI: dict[str, dict[str, str]] = {
    **LABELS,
    "title": {"ko": "코칭 포트폴리오 보고서", "en": "Coaching portfolio report"},
    "since": {"ko": "집계 시작일", "en": "Since"},
    "all_time": {"ko": "전체 기간", "en": "all time"},
    "clients": {"ko": "고객 조직", "en": "Clients"},
    "totals": {"ko": "프로그램 합계", "en": "Programme totals"},
    "sessions": {"ko": "코칭 세션", "en": "Sessions held"},
    "items": {"ko": "완료한 체크리스트 항목", "en": "Checklist items completed"},
    "critical_fixed": {"ko": "해결한 심각 점검", "en": "Critical checks fixed"},
    "high_fixed": {"ko": "해결한 높음 점검", "en": "High checks fixed"},
    "withheld": {"ko": "소규모라 표시하지 않음", "en": "withheld (small group)"},
    "withheld_note": {"ko": "* 체크리스트 진도가 있는 교육생이 최소 인원보다 적어 표시하지 않음",
                      "en": "* withheld: fewer trainees with checklist marks than the minimum "
                            "group size"},
    "withheld_for": {"ko": "고객 조직 {n}곳은 소규모라 합계에서 빠짐",
                     "en": "{n} clients withheld (small groups)"},
    "overall": {"ko": "종합 점수: 코칭 전과 지금", "en": "Overall score: before coaching and now"},
    "before": {"ko": "코칭 전", "en": "Before"},
    "now": {"ko": "지금", "en": "Now"},
    "change": {"ko": "변화", "en": "Change"},
    "medians": {"ko": "영역별 중앙값", "en": "Medians by category"},
    "medians_note": {"ko": "코칭 전과 지금 점수가 모두 있는 고객 조직의 중앙값입니다.",
                     "en": "Medians over the clients with a score both before coaching and now."},
    "client": {"ko": "고객 조직", "en": "Client"},
    "count": {"ko": "고객 수", "en": "Clients"},
    "dates": {"ko": "기준 날짜 (코칭 전 → 지금)", "en": "Dates (before → now)"},
    "by_client": {"ko": "고객 조직별 영역 점수", "en": "Category scores by client"},
    "no_clients": {"ko": "고객 조직이 없습니다.", "en": "No client."},
    "footer": {"ko": "이름 공개에 동의하지 않은 고객 조직은 '고객사 A, B, …'로 표시합니다. 팀·그룹·개인 "
                     "수치는 싣지 않으며, 최소 인원보다 적은 집단의 수치는 표시하지 않습니다. 점수 "
                     "계산식은 docs/scoring.md에 공개되어 있습니다.",
               "en": "Clients that do not share their name appear as \"client A, B, ...\". No "
                     "team, group or person figure is included, and no figure of fewer people "
                     "than the minimum group size. Every formula is published in "
                     "docs/scoring.md."},
}

PORTFOLIO_CSS = """
.totals { display: flex; gap: 4mm; flex-wrap: wrap; margin: 2mm 0; }
.totals div { border: 1px solid #ddd; border-radius: 2mm; padding: 2mm 3mm; min-width: 35mm; }
.totals strong { display: block; font-size: 16pt; }
td.up { color: #2e7d32; } td.down { color: #c0392b; }
table.portfolio { font-size: 9pt; } table.portfolio th.num { white-space: normal; }
"""


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return escape(str(value))


def _signed(value: float | None) -> tuple[str, str]:
    if value is None:
        return "—", ""
    return f"{value:+.1f}", "up" if value > 0 else "down" if value < 0 else ""


class _H(Html):
    def p(self, key: str, block: str | None = None) -> str:
        """A text of this page's own `UI`."""
        return self.t(UI[key], block)


def _items(h: _H, client: PortfolioClient) -> str:
    return _num(client.items_completed) if client.items_completed is not None \
        else f'<span title="{escape(h.plain(UI["withheld"]))}">—*</span>'


def _totals(h: _H, data: Portfolio) -> str:
    cards = [("clients", str(len(data.clients))), ("sessions", str(data.sessions)),
             ("items", str(data.items_completed)),
             ("critical_fixed", str(data.fixed("critical"))),
             ("high_fixed", str(data.fixed("high")))]
    body = "".join(f'<div><strong>{value}</strong>{h.p(key)}</div>' for key, value in cards)
    withheld = {lang: text.format(n=data.items_withheld)
                for lang, text in UI["withheld_for"].items()}
    note = (f'<p class="meta">{h.p("items")}: {h.t(withheld)}</p>'
            if data.items_withheld else "")
    return f'<section id="totals"><h2>{h.p("totals")}</h2><div class="totals">{body}</div>' \
           f"{note}</section>"


def _clients(h: _H, data: Portfolio) -> str:
    if not data.clients:
        return f'<section id="clients"><h2>{h.p("clients")}</h2><p>{h.p("no_clients")}</p>' \
               "</section>"
    chart = before_after_bars([(h.plain(c.label), c.before.get("overall"), c.now.get("overall"))
                               for c in data.clients], h.plain(UI["overall"]),
                              (h.plain(UI["before"]), h.plain(UI["now"])))
    rows = []
    for c in data.clients:
        change, cls = _signed(c.change("overall"))
        dates = (f"{c.before_date.isoformat() if c.before_date else '—'} → "
                 f"{c.now_date.isoformat() if c.now_date else '—'}")
        rows.append(
            f'<tr class="client"><td>{h.t(c.label)}</td>'
            f'<td class="num">{_num(c.before.get("overall"))}</td>'
            f'<td class="num">{_num(c.now.get("overall"))}</td>'
            f'<td class="num {cls}">{change}</td><td class="num">{c.sessions}</td>'
            f'<td class="num">{_items(h, c)}</td><td class="num">{c.fixed.get("critical", 0)}</td>'
            f'<td class="num">{c.fixed.get("high", 0)}</td><td><small>{dates}</small></td></tr>')
    head = "".join(f'<th class="num">{h.p(k)}</th>' for k in
                   ("before", "now", "change", "sessions", "items", "critical_fixed",
                    "high_fixed"))
    note = (f'<p class="meta"><small>{h.p("withheld_note")}</small></p>'
            if data.items_withheld else "")
    return (f'<section id="clients"><h2>{h.p("overall")}</h2>{chart}'
            f'<table class="portfolio"><thead><tr><th>{h.p("client")}</th>{head}'
            f'<th>{h.p("dates")}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>{note}'
            "</section>")


def _medians(h: _H, data: Portfolio) -> str:
    chart = before_after_bars(
        [(h.plain(CATEGORY_LABELS[c]), data.medians[c].before, data.medians[c].now)
         for c in CATEGORIES if c in data.medians], h.plain(UI["medians"]),
        (h.plain(UI["before"]), h.plain(UI["now"])))
    rows = []
    for category in CATEGORIES:
        med = data.medians.get(category)
        if med is None:
            continue
        change, cls = _signed(med.change)
        rows.append(f'<tr><td>{h.t(CATEGORY_LABELS[category])}</td>'
                    f'<td class="num">{med.clients}</td><td class="num">{_num(med.before)}</td>'
                    f'<td class="num">{_num(med.now)}</td><td class="num {cls}">{change}</td>'
                    "</tr>")
    return (f'<section id="medians"><h2>{h.p("medians")}</h2>{chart}{h.p("medians_note", "p")}'
            f'<table><thead><tr><th>{h.p("category")}</th><th class="num">{h.p("count")}</th>'
            f'<th class="num">{h.p("before")}</th><th class="num">{h.p("now")}</th>'
            f'<th class="num">{h.p("change")}</th></tr></thead><tbody>{"".join(rows)}</tbody>'
            "</table></section>")


def _by_client(h: _H, data: Portfolio) -> str:
    cats = [c for c in CATEGORIES if c != "overall"]
    head = "".join(f'<th class="num">{h.t(CATEGORY_LABELS[c])}</th>' for c in cats)
    rows = []
    for c in data.clients:
        cells = "".join(f'<td class="num">{_num(c.before.get(k))} → {_num(c.now.get(k))}</td>'
                        for k in cats)
        rows.append(f"<tr><td>{h.t(c.label)}</td>{cells}</tr>")
    return (f'<section id="by-client"><h2>{h.p("by_client")}</h2><table class="teams">'
            f'<thead><tr><th>{h.p("client")}</th>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def portfolio_html(data: Portfolio, lang: Lang | None = None) -> str:
    """The portfolio page; `lang` None shows Korean with English alongside."""
    h = _H(lang)
    since = data.since.isoformat() if data.since else h.p("all_time")
    header = (f"<header><h1>{h.p('title')}</h1><p class=\"meta\">{h.p('since')} {since} · "
              f"{len(data.clients)} {h.p('clients')}</p></header>")
    body = "".join((header, _totals(h, data), _clients(h, data), _medians(h, data),
                    _by_client(h, data)))
    return (f'<!DOCTYPE html>\n<html lang="{h.primary}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(h.plain(UI['title']))}</title><style>{CSS}{PORTFOLIO_CSS}</style>"
            f'</head><body>{body}<footer>{h.p("footer", "p")}</footer></body></html>\n')


# -- tables (CSV files and the Sheet's worksheets) ------------------------------------------------

CLIENT_COLUMNS = ["client_ko", "client_en", "named", "before_date", "now_date", "overall_before",
                  "overall_now", "overall_change", "sessions", "items_completed",
                  "critical_fixed", "high_fixed"]
SCORE_COLUMNS = ["client_ko", "client_en", "category", "category_ko", "category_en", "before",
                 "now", "change"]
PROGRAMME_COLUMNS = ["measure", "measure_ko", "measure_en", "clients", "before", "now", "change",
                     "total"]


def _client_rows(data: Portfolio) -> list[list[Any]]:
    return [[c.label["ko"], c.label["en"], c.named,
             c.before_date.isoformat() if c.before_date else None,
             c.now_date.isoformat() if c.now_date else None, c.before.get("overall"),
             c.now.get("overall"), c.change("overall"), c.sessions, c.items_completed,
             c.fixed.get("critical", 0), c.fixed.get("high", 0)] for c in data.clients]


def _score_rows(data: Portfolio) -> list[list[Any]]:
    return [[c.label["ko"], c.label["en"], k, CATEGORY_LABELS[k]["ko"], CATEGORY_LABELS[k]["en"],
             c.before.get(k), c.now.get(k), c.change(k)]
            for c in data.clients for k in CATEGORIES]


def _programme_rows(data: Portfolio) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for k in CATEGORIES:
        med = data.medians.get(k)
        if med is not None:
            rows.append([f"median:{k}", CATEGORY_LABELS[k]["ko"] + " 중앙값",
                         CATEGORY_LABELS[k]["en"] + " median", med.clients, med.before, med.now,
                         med.change, None])
    totals = [("sessions", data.sessions), ("items", data.items_completed),
              *((f"{s}_fixed", data.fixed(s)) for s in FIX_SEVERITIES)]
    for key, total in totals:
        rows.append([f"total:{key}", UI[key]["ko"], UI[key]["en"], len(data.clients), None, None,
                     None, total])
    return rows


def portfolio_tables(data: Portfolio) -> dict[str, Table]:
    """{"clients" | "scores" | "programme": (header, rows)}."""
    return {"clients": (CLIENT_COLUMNS, _client_rows(data)),
            "scores": (SCORE_COLUMNS, _score_rows(data)),
            "programme": (PROGRAMME_COLUMNS, _programme_rows(data))}


def safe_rows(table: Table) -> list[list[Any]]:
    """Header and rows as cell values nothing can run: text through `safe_cell`."""
    header, rows = table
    return [list(header)] + [[csv_cell(v) for v in row] for row in rows]


def write_portfolio_csv(data: Portfolio, folder: Path, stem: str = "portfolio") -> list[Path]:
    """`<stem>-<table>.csv` per table (UTF-8 with BOM, for Excel); the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in portfolio_tables(data).items():
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(safe_rows(table))
        path = folder / f"{stem}-{name}.csv"
        path.write_text(out.getvalue(), encoding="utf-8-sig", newline="")
        written.append(path)
    return written
