"""Overview of one client: category scores with their explanations, the 180-day trend, the peer
benchmark, and what changed since the last coaching session."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.coaching.scores import CATEGORIES, CategoryScore
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import lang as current_lang
from workspace_coach.dashboards.i18n import pick, t
from workspace_coach.dashboards.widgets import category, need_client, percent, score


def _metrics(scores: list[CategoryScore]) -> None:
    columns = st.columns(len(scores))
    for column, item in zip(columns, scores, strict=True):
        delta = f"{item.change:+.1f}" if item.change is not None else None
        column.metric(category(item.category), score(item.value), delta=delta)


def _explanation(item: CategoryScore) -> None:
    if item.weights:
        frame = pd.DataFrame([(category(c), w) for c, w in item.weights.items()],
                             columns=[t("common.category"), t("overview.weight")])
        st.dataframe(frame, hide_index=True, width="stretch")
        return
    if not item.indicators:
        st.caption(t("overview.no_inputs"))
        return
    rows = []
    for ind in item.indicators:
        counts = (f"{ind.numerator:g} / {ind.denominator:g}"
                  if ind.numerator is not None and ind.denominator is not None else "–")
        rows.append((pick(ind.label, ind.id), counts, percent(ind.share), percent(ind.target),
                     score(ind.points)))
    st.dataframe(pd.DataFrame(rows, columns=[t("overview.indicator"), t("overview.counts"),
                                             t("overview.share"), t("overview.target"),
                                             t("overview.points")]),
                 hide_index=True, width="stretch")


def _trend(frame: pd.DataFrame) -> None:
    st.subheader(t("overview.trend"))
    data = frame.dropna(subset=["value"]).copy()
    data["label"] = data["category"].map({c: category(c) for c in data["category"].unique()})
    order = [category(c) for c in CATEGORIES]
    chart = (alt.Chart(data).mark_line(interpolate="monotone")
             .encode(x=alt.X("date:T", title=t("common.date")),
                     y=alt.Y("value:Q", title=t("common.score"),
                             scale=alt.Scale(domain=[0, 100])),
                     color=alt.Color("label:N", title=t("common.category"), sort=order),
                     strokeWidth=alt.condition(alt.datum.category == "overall",
                                               alt.value(3.5), alt.value(1.5)),
                     tooltip=[alt.Tooltip("date:T", title=t("common.date")),
                              alt.Tooltip("label:N", title=t("common.category")),
                              alt.Tooltip("value:Q", title=t("common.score"), format=".1f")])
             .properties(height=320))
    st.altair_chart(chart, width="stretch")


def _since_last_session(client: ClientInfo) -> None:
    last = services.last_session(client)
    if last is None:
        st.subheader(t("overview.since", date="–"))
        st.info(t("overview.no_session"), icon=":material/info:")
        return
    st.subheader(t("overview.since", date=last.isoformat()))
    changes = services.changes_since(client, last)
    if not changes:
        st.caption(t("overview.no_change"))
        return
    improved = [category(c.category) for c in changes if c.delta > 0]
    if improved:
        # an explicit icon: without one Streamlit scans the text for a leading emoji, and the
        # first such scan compiles its whole emoji catalogue (a noticeable wait)
        st.success(t("overview.improved", names=", ".join(improved)),
                   icon=":material/trending_up:")
    st.dataframe(pd.DataFrame([(category(c.category), score(c.before), score(c.after),
                                f"{c.delta:+.1f}") for c in changes],
                              columns=[t("common.category"), t("overview.before"),
                                       t("overview.after"), t("overview.delta")]),
                 hide_index=True, width="stretch")


def render() -> None:
    client = need_client()
    if client is None:
        return
    st.title(t("overview.title", name=client.name))
    with st.spinner(t("common.loading")):
        scores = services.newest_scores(client)
        trend = services.trend(client)
    if not scores:
        st.info(t("common.no_scores"), icon=":material/info:")
        _since_last_session(client)
        return
    st.caption(t("overview.as_of", date=scores[0].date.isoformat(),
                 days=scores[0].window_days or "?"))
    _metrics(scores)
    st.subheader(t("overview.explain"))
    for item in scores:
        with st.expander(f"{category(item.category)} · {score(item.value)}"):
            _explanation(item)
    if not trend.empty:
        _trend(trend)
    st.subheader(t("overview.benchmark"))
    _benchmark(client)
    _since_last_session(client)
    _download(client)


def _benchmark(client: ClientInfo) -> None:
    """Median, quartiles and percentile among peers of the same size band; never a peer."""
    result = services.benchmark(client)
    if not result.shown:
        st.caption(t("overview.benchmark_empty"))
        return
    rows = []
    for name, item in result.categories.items():
        if not item.shown:
            continue
        rows.append({t("benchmark.category"): category(name), t("benchmark.client"): item.value,
                     t("benchmark.q1"): item.q1, t("benchmark.median"): item.median,
                     t("benchmark.q3"): item.q3, t("benchmark.percentile"): item.percentile,
                     t("benchmark.peers"): item.cohort_size})
    st.caption(t("benchmark.band", band=result.band or "?"))
    if result.peer_windows and set(result.peer_windows) != {result.window_days}:
        st.caption(t("benchmark.windows", windows=", ".join(map(str, result.peer_windows))))
    st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)


def _download(client: ClientInfo) -> None:
    lang = current_lang()
    # Built when the button is pressed, not on every load of the page: the report reads
    # everything the audit stored, which most visits to this page never download.
    st.download_button(t("overview.report_download"),
                       lambda: services.report_html(client, lang),
                       file_name=f"{client.slug}-audit-report.html", mime="text/html")
