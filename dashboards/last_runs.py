"""The Clients page's line on each client's last collect: when, its result, data up to which
date (from `client_runs`, written by `audit collect`, with or without `--all`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import streamlit as st

from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import pick
from workspace_coach.runs.every_client import LastRun, last_runs

KOREA = ZoneInfo("Asia/Seoul")  # the coach reads times in Korea
WORDS = {
    "never": {"ko": "아직 수집한 적 없음", "en": "Never collected"},
    "ok": {"ko": "성공", "en": "OK"},
    "failed": {"ko": "실패", "en": "failed"},
    "running": {"ko": "실행 중", "en": "running"},
    "line": {"ko": "마지막 수집 {when} · {result} · 데이터 기준일 {until}",
             "en": "Last collect {when} · {result} · data up to {until}"},
}


@st.cache_data(ttl=services.TTL, show_spinner=False)
def _last_collects(url: str) -> dict[int, LastRun]:
    with services.engine().connect() as conn:
        return last_runs(conn, "collect")


def last_collect_line(client_id: int) -> tuple[str, str | None]:
    """(the line to show, the error line if the last collect failed)."""
    run = _last_collects(services.db()).get(client_id)
    if run is None:
        return pick(WORDS["never"]), None
    stamp = run.started_at if run.started_at.tzinfo else run.started_at.replace(tzinfo=dt.UTC)
    line = pick(WORDS["line"]).format(
        when=stamp.astimezone(KOREA).strftime("%Y-%m-%d %H:%M"),
        result=pick(WORDS.get(run.status, WORDS["failed"])),
        until=run.data_until.isoformat() if run.data_until else "-")
    return line, run.error if run.status == "failed" else None


def render_last_collect(client_id: int) -> None:
    """One caption line under a client's row (and the error line, if it failed)."""
    line, error = last_collect_line(client_id)
    st.caption(("⚠️ " if error else "") + line)
    if error:
        st.caption(error)
