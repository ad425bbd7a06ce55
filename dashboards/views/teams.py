"""Teams: a heatmap of category scores by org unit or group, small teams folded into "others"."""

from __future__ import annotations

import altair as alt
import streamlit as st

from workspace_coach.coaching.scores import CATEGORIES
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import labeller, t
from workspace_coach.dashboards.widgets import category, need_client


def render() -> None:
    client = need_client()
    if client is None:
        return
    st.title(t("teams.title"))
    st.caption(t("teams.caption", size=client.min_group_size))
    scope = st.radio(t("teams.by"), ["org_unit", "group"], horizontal=True, key="teams-scope",
                     format_func=labeller("teams."))
    with st.spinner(t("common.loading")):
        frame = services.team_matrix(client, scope)
    if frame.empty:
        st.info(t("teams.empty"), icon=":material/info:")
        return
    data = frame.copy()
    data["label"] = data["category"].map(category)
    order = [category(c) for c in CATEGORIES]
    base = alt.Chart(data).encode(
        x=alt.X("label:N", title=t("common.category"), sort=order,
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("scope:N", title=t("teams.team")))
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", title=t("common.score"),
                        scale=alt.Scale(domain=[0, 100], scheme="redyellowgreen")),
        tooltip=[alt.Tooltip("scope:N", title=t("teams.team")),
                 alt.Tooltip("label:N", title=t("common.category")),
                 alt.Tooltip("value:Q", title=t("common.score"), format=".1f"),
                 alt.Tooltip("people:Q", title=t("teams.people"))])
    text = base.mark_text(baseline="middle").encode(text=alt.Text("value:Q", format=".0f"))
    rows = data["scope"].nunique()
    st.altair_chart((cells + text).properties(height=max(160, 36 * rows)), width="stretch")
    table = data.pivot_table(index="scope", columns="label", values="value", aggfunc="first")
    table.index.name = t("teams.team")
    st.dataframe(table[[c for c in order if c in table.columns]].round(0),
                 width="stretch")
