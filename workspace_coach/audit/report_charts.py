"""Inline SVG charts for the HTML report: category bars and trend lines.

Generated as text, with every label escaped, so the report needs no script, stylesheet or font
from the network and prints as it shows. Colours are fixed and print well in grey.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

BAR = "#3b6fb6"
BAND = "#d5deea"
MEDIAN = "#c0392b"
GRID = "#d9d9d9"
INK = "#333333"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def category_bars(rows: Sequence[tuple[str, float | None, tuple[float, float, float] | None]],
                  title: str) -> str:
    """Horizontal 0-100 bars: (label, value, (q1, median, q3) of peers or None) per row."""
    label_w, bar_w, row_h, top = 170, 380, 26, 8
    width = label_w + bar_w + 60
    height = top + row_h * len(rows) + 22
    out = [(f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}">'), f"<title>{escape(title)}</title>"]
    out += _score_axis(label_w, bar_w, top, height)
    for i, (label, value, peers) in enumerate(rows):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="12" fill="{INK}" '
                   f'text-anchor="end">{escape(label)}</text>')
        if peers is not None:
            q1, _median, q3 = peers
            out.append(f'<rect x="{label_w + bar_w * q1 / 100:.1f}" y="{y + 2}" '
                       f'width="{bar_w * max(q3 - q1, 0.5) / 100:.1f}" height="{row_h - 4}" '
                       f'fill="{BAND}"/>')
        if value is not None:
            out.append(f'<rect x="{label_w}" y="{y + 7}" width="{bar_w * value / 100:.1f}" '
                       f'height="{row_h - 14}" fill="{BAR}"/>')
            out.append(f'<text x="{label_w + bar_w * value / 100 + 4:.1f}" y="{y + 17}" '
                       f'font-size="11" fill="{INK}">{_num(value)}</text>')
        else:
            out.append(f'<text x="{label_w + 4}" y="{y + 17}" font-size="11" fill="{INK}">'
                       "—</text>")
        if peers is not None:
            x = label_w + bar_w * peers[1] / 100
            out.append(f'<line x1="{x:.1f}" y1="{y + 1}" x2="{x:.1f}" y2="{y + row_h - 1}" '
                       f'stroke="{MEDIAN}" stroke-width="2"/>')
    out.append("</svg>")
    return "".join(out)


def trend_line(points: Sequence[tuple[dt.date, float | None]], title: str) -> str:
    """A small 0-100 line chart of one category over time; gaps where there is no value."""
    width, height, left, right, top, bottom = 220, 110, 26, 8, 18, 20
    inner_w, inner_h = width - left - right, height - top - bottom
    out = [(f'<svg class="spark" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}">'), f"<title>{escape(title)}</title>",
           (f'<text x="{left}" y="12" font-size="11" font-weight="bold" fill="{INK}">'
            f"{escape(title)}</text>")]
    for tick in (0, 50, 100):
        y = top + inner_h * (1 - tick / 100)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{left - 3}" y="{y + 3:.1f}" font-size="9" fill="{INK}" '
                   f'text-anchor="end">{tick}</text>')
    if points:
        first, last = points[0][0], points[-1][0]
        span = max((last - first).days, 1)
        segments: list[list[str]] = [[]]
        for date, value in points:
            if value is None:
                segments.append([])
                continue
            x = left + inner_w * (date - first).days / span
            y = top + inner_h * (1 - value / 100)
            segments[-1].append(f"{x:.1f},{y:.1f}")
        for seg in segments:
            if len(seg) == 1:
                x, y = seg[0].split(",")
                out.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{BAR}"/>')
            elif seg:
                out.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{BAR}" '
                           'stroke-width="1.6"/>')
        out.append(f'<text x="{left}" y="{height - 5}" font-size="9" fill="{INK}">'
                   f"{first.isoformat()}</text>")
        out.append(f'<text x="{width - right}" y="{height - 5}" font-size="9" fill="{INK}" '
                   f'text-anchor="end">{last.isoformat()}</text>')
        latest = next((v for _, v in reversed(points) if v is not None), None)
        if latest is not None:
            out.append(f'<text x="{width - right}" y="12" font-size="11" fill="{BAR}" '
                       f'text-anchor="end">{_num(latest)}</text>')
    out.append("</svg>")
    return "".join(out)


BEFORE = "#9fb3cf"


def before_after_bars(rows: Sequence[tuple[str, float | None, float | None]], title: str,
                      legend: tuple[str, str]) -> str:
    """Paired horizontal 0-100 bars per row: (label, before, now); `legend` names the two."""
    label_w, bar_w, row_h, top = 170, 380, 30, 24
    width = label_w + bar_w + 60
    height = top + row_h * len(rows) + 22
    out = [(f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} '
            f'{height}" width="{width}" height="{height}">'), f"<title>{escape(title)}</title>"]
    for i, (name, colour) in enumerate(zip(legend, (BEFORE, BAR), strict=True)):
        x = label_w + i * 140
        out.append(f'<rect x="{x}" y="4" width="12" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 16}" y="13" font-size="11" fill="{INK}">{escape(name)}</text>')
    out += _score_axis(label_w, bar_w, top, height)
    for i, (label, before, now) in enumerate(rows):
        y = top + i * row_h
        out.append(f'<text x="{label_w - 8}" y="{y + 19}" font-size="12" fill="{INK}" '
                   f'text-anchor="end">{escape(label)}</text>')
        for offset, value, colour in ((4, before, BEFORE), (15, now, BAR)):
            if value is None:
                continue
            out.append(f'<rect x="{label_w}" y="{y + offset}" width="{bar_w * value / 100:.1f}" '
                       f'height="10" fill="{colour}"/>')
            out.append(f'<text x="{label_w + bar_w * value / 100 + 4:.1f}" y="{y + offset + 9}" '
                       f'font-size="10" fill="{INK}">{_num(value)}</text>')
        if before is None and now is None:
            out.append(f'<text x="{label_w + 4}" y="{y + 19}" font-size="11" fill="{INK}">'
                       "—</text>")
    out.append("</svg>")
    return "".join(out)


def _score_axis(label_w: int, bar_w: int, top: int, height: int) -> list[str]:
    """The 0-100 grid lines and their numbers under a chart of scores."""
    out = []
    for tick in (0, 25, 50, 75, 100):
        x = label_w + bar_w * tick / 100
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - 18}" '
                   f'stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 4}" font-size="10" fill="{INK}" '
                   f'text-anchor="middle">{tick}</text>')
    return out
