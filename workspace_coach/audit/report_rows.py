"""The report as tables: rows for the CSV files and the Google Sheet's worksheets.

Four tables, each a header of stable column ids and rows of plain values:

- `scores`: one row per scope (organisation, then teams as stored, folded), category and
  indicator of the newest scores, with the category value and the indicator's numerator,
  denominator, share, target, weight and points; `overall` has one row per category with its
  value (`points`) and weight.
- `checks`: one row per check of the newest run, failing first by severity.
- `recommendations`: in order, with curriculum module ids and titles and the actions.
- `benchmark`: one row per category: shown or why not, cohort size, quartiles, percentile.

Korean and English labels sit side by side in `*_ko` / `*_en` columns. Values written to CSV
go through `safe_cell` (a leading = + - @ tab or CR gets a `'`, so a spreadsheet never runs
them); numbers are written as numbers. CSV files are UTF-8 with a byte-order mark, so Excel
reads Hangul correctly.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from workspace_coach.audit.categories import CATEGORIES, CATEGORY_LABELS
from workspace_coach.audit.recommend import module_title
from workspace_coach.audit.report_data import ReportData, indicator_rows
from workspace_coach.safe_text import safe_cell

Table = tuple[list[str], list[list[Any]]]

SCORE_COLUMNS = ["client", "date", "window_days", "scope_type", "scope_key", "category",
                 "category_ko", "category_en", "value", "people", "indicator", "indicator_ko",
                 "indicator_en", "numerator", "denominator", "share", "target", "weight",
                 "points"]
CHECK_COLUMNS = ["check_id", "severity", "status", "reference", "affected_count", "title_ko",
                 "title_en", "why_ko", "why_en", "fix_ko", "fix_en", "console_path", "affected"]
RECOMMENDATION_COLUMNS = ["rank", "kind", "subject", "category", "severity", "impact", "title_ko",
                          "title_en", "detail_ko", "detail_en", "modules", "modules_ko",
                          "modules_en", "actions_ko", "actions_en"]
BENCHMARK_COLUMNS = ["category", "band", "shown", "reason", "cohort_size", "value", "q1",
                     "median", "q3", "percentile"]


def _text(value: Any, lang: str) -> str:
    return str(value.get(lang) or "") if isinstance(value, dict) else ""


def _score_rows(data: ReportData) -> list[list[Any]]:
    scopes = [(("org", "*"), data.scores), *data.teams.items()]
    rows: list[list[Any]] = []
    for (scope_type, scope_key), by_cat in scopes:
        for category in CATEGORIES:
            score = by_cat.get(category)
            if score is None:
                continue
            label = CATEGORY_LABELS[category]
            people = (score.inputs or {}).get("people")
            base = [data.client.slug, score.date.isoformat(), score.window_days, scope_type,
                    scope_key, category, label["ko"], label["en"], score.value,
                    people if isinstance(people, int) else None]
            parts = indicator_rows(score)
            if not parts:
                rows.append(base + [None] * 9)
            for ind in parts:
                if category == "overall":
                    sub = CATEGORY_LABELS.get(ind["id"], {"ko": ind["id"], "en": ind["id"]})
                else:
                    sub = ind.get("label") if isinstance(ind.get("label"), dict) else {}
                rows.append(base + [ind.get("id"), _text(sub, "ko"), _text(sub, "en"),
                                    ind.get("numerator"), ind.get("denominator"),
                                    ind.get("share"), ind.get("target"), ind.get("weight"),
                                    ind.get("points")])
    return rows


def _check_rows(data: ReportData) -> list[list[Any]]:
    rows = []
    for check in data.checks:
        d = check.details or {}
        affected = "; ".join(str(a.get("id", "")) for a in check.affected if isinstance(a, dict))
        rows.append([check.check_id, check.severity, check.status, check.reference,
                     check.affected_count, _text(d.get("title"), "ko"), _text(d.get("title"), "en"),
                     _text(d.get("why"), "ko"), _text(d.get("why"), "en"),
                     _text(d.get("fix"), "ko"), _text(d.get("fix"), "en"),
                     d.get("console_path"), affected])
    return rows


def _recommendation_rows(data: ReportData) -> list[list[Any]]:
    rows = []
    for rank, rec in enumerate(data.recommendations, 1):
        rows.append([rank, rec.kind, rec.subject, rec.category, rec.severity, rec.impact,
                     rec.title["ko"], rec.title["en"], rec.detail["ko"], rec.detail["en"],
                     ", ".join(ref.key for ref in rec.modules),
                     ", ".join(module_title(ref, "ko") for ref in rec.modules),
                     ", ".join(module_title(ref, "en") for ref in rec.modules),
                     " / ".join(a["ko"] for a in rec.actions),
                     " / ".join(a["en"] for a in rec.actions)])
    return rows


def _benchmark_rows(data: ReportData) -> list[list[Any]]:
    bench = data.benchmark
    rows = []
    for category in CATEGORIES:
        cat = bench.categories.get(category)
        if cat is None:
            rows.append([category, bench.band, False, bench.reason, 0, None, None, None, None,
                         None])
            continue
        rows.append([category, bench.band, cat.shown, cat.reason, cat.cohort_size, cat.value,
                     cat.q1, cat.median, cat.q3, cat.percentile])
    return rows


def tables(data: ReportData) -> dict[str, Table]:
    """{"scores" | "checks" | "recommendations" | "benchmark": (header, rows)}."""
    return {"scores": (SCORE_COLUMNS, _score_rows(data)),
            "checks": (CHECK_COLUMNS, _check_rows(data)),
            "recommendations": (RECOMMENDATION_COLUMNS, _recommendation_rows(data)),
            "benchmark": (BENCHMARK_COLUMNS, _benchmark_rows(data))}


def csv_cell(value: Any) -> Any:
    """A CSV value a spreadsheet will not run: numbers as they are, text through safe_cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    return safe_cell(value)


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header, rows = table
    writer.writerow(header)
    writer.writerows([[csv_cell(v) for v in row] for row in rows])
    return out.getvalue()


def write_csv(data: ReportData, folder: Path) -> list[Path]:
    """Write `<slug>-<table>.csv` for each table into `folder` (UTF-8 with BOM); the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables(data).items():
        path = folder / f"{data.client.slug}-{name}.csv"
        path.write_text(csv_text(table), encoding="utf-8-sig", newline="")
        written.append(path)
    return written
