"""Security: the checks of the newest run with severity, affected objects and the fix, filterable
by severity, status and text."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workspace_coach.coaching.checks import CheckView
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import labeller, pick, t
from workspace_coach.dashboards.widgets import need_client
from workspace_coach.severity import SEVERITIES, STATUSES

ICONS = {"critical": ":material/error:", "high": ":material/warning:",
         "medium": ":material/report:", "low": ":material/info:"}


def _matches(check: CheckView, text: str) -> bool:
    if not text:
        return True
    needle = text.lower()
    haystack = [check.check_id, *check.title.values(), *(str(a.get("id", ""))
                                                        for a in check.affected)]
    return any(needle in h.lower() for h in haystack)


def _check(check: CheckView) -> None:
    status = t(f"status.{check.status}") if check.status in STATUSES else check.status
    severity = t(f"severity.{check.severity}") if check.severity in SEVERITIES else check.severity
    head = f"{severity} · {pick(check.title, check.check_id)} · {status}"
    with st.expander(head, icon=ICONS.get(check.severity) if check.failing else
                     ":material/check_circle:", expanded=check.failing and
                     check.severity == "critical"):
        st.caption(f"`{check.check_id}`" + (f" · {t('security.reference')}: {check.reference}"
                                            if check.reference else ""))
        if pick(check.why):
            st.markdown(f"**{t('security.why')}**  \n{pick(check.why)}")
        if pick(check.fix):
            st.markdown(f"**{t('security.fix')}**  \n{pick(check.fix)}")
        if check.console_path:
            st.markdown(f"**{t('security.console')}**: {check.console_path}")
        if check.affected_count:
            st.markdown(f"**{t('security.affected', count=check.affected_count)}**")
            if check.affected:
                st.dataframe(pd.DataFrame(
                    [(a.get("type", ""), a.get("id", ""), a.get("detail", ""))
                     for a in check.affected],
                    columns=[t("security.type"), t("security.object"), t("security.detail")]),
                    hide_index=True, width="stretch")


def render() -> None:
    client = need_client()
    if client is None:
        return
    st.title(t("security.title"))
    with st.spinner(t("common.loading")):
        checks = services.newest_checks(client)
    if not checks:
        st.info(t("security.empty"), icon=":material/info:")
        return
    failing = {s: sum(1 for c in checks if c.failing and c.severity == s) for s in SEVERITIES}
    for column, severity in zip(st.columns(len(SEVERITIES)), SEVERITIES, strict=True):
        column.metric(t(f"severity.{severity}"), failing[severity])
    left, middle, right = st.columns([2, 2, 3])
    severities = left.multiselect(t("security.severity"), list(SEVERITIES),
                                  default=list(SEVERITIES), key="sec-severity",
                                  format_func=labeller("severity."))
    statuses = middle.multiselect(t("security.status"), list(STATUSES), default=["fail"],
                                  key="sec-status", format_func=labeller("status."))
    text = right.text_input(t("security.search"), key="sec-search")
    shown = [c for c in checks if c.severity in severities and c.status in statuses
             and _matches(c, text.strip())]
    if not shown:
        st.caption(t("security.none_match"))
    for check in shown:
        _check(check)
