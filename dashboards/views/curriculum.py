"""Curriculum: progress per module for the whole organisation and per team; per person only for
clients that consented."""

from __future__ import annotations

import altair as alt
import streamlit as st

from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import lang, t
from workspace_coach.dashboards.widgets import need_client


def render() -> None:
    client = need_client()
    if client is None:
        return
    st.title(t("curriculum.title"))
    st.caption(t("curriculum.caption"))
    with st.spinner(t("common.loading")):
        frame = services.module_progress(client)
    if frame.empty:
        st.info(t("curriculum.empty"), icon=":material/info:")
        return
    data = frame.copy()
    data["module_title"] = data[f"title_{lang()}"]
    data["team_label"] = data["team"].where(data["team"] != "*", t("curriculum.whole_org"))
    for track, rows in data.groupby("track", sort=True):
        st.subheader(f"{t('curriculum.track')}: {track}")
        whole = rows[rows["team"] == "*"]
        order = list(whole["module_title"])
        bars = (alt.Chart(whole).mark_bar()
                .encode(x=alt.X("share:Q", title=t("curriculum.done"),
                                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
                        y=alt.Y("module_title:N", title=t("curriculum.module"), sort=order),
                        tooltip=[alt.Tooltip("module_title:N", title=t("curriculum.module")),
                                 alt.Tooltip("share:Q", title=t("curriculum.done"),
                                             format=".0%"),
                                 alt.Tooltip("people:Q", title=t("teams.people"))])
                .properties(height=32 * len(order) + 40))
        st.altair_chart(bars, width="stretch")
        teams = rows[rows["team"] != "*"]
        if not teams.empty:
            st.markdown(f"**{t('curriculum.by_team')}**")
            heat = (alt.Chart(teams).mark_rect()
                    .encode(x=alt.X("team_label:N", title=t("teams.team")),
                            y=alt.Y("module_title:N", title=t("curriculum.module"), sort=order),
                            color=alt.Color("share:Q", title=t("curriculum.done"),
                                            scale=alt.Scale(domain=[0, 1], scheme="greens")),
                            tooltip=["team_label:N", "module_title:N",
                                     alt.Tooltip("share:Q", format=".0%"), "people:Q"])
                    .properties(height=32 * len(order) + 40))
            st.altair_chart(heat, width="stretch")
    st.subheader(t("curriculum.people"))
    people = services.person_progress(client)
    if people is None:
        st.caption(t("curriculum.no_consent"))
    elif not people.empty:
        people = people.assign(progress=people["done"].astype(str) + " / "
                               + people["total"].astype(str))
        table = people.pivot_table(index=["track", "person"], columns="module",
                                   values="progress", aggfunc="first")
        st.dataframe(table, width="stretch")
