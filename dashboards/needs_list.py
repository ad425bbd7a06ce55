"""The "needs you this week" block at the top of the Clients page: the same list the weekly
digest mails (`workspace_coach.coaching.needs`), one bordered box per client."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import pick, t


def render_needs(shown: Sequence[ClientInfo]) -> None:
    """The list for the clients shown; a short line when nothing needs the coach."""
    st.subheader(t("needs.title"))
    with st.spinner(t("common.loading")):
        entries = services.needs_this_week(shown)
    if not entries:
        st.caption(t("needs.none"))
        return
    st.caption(t("needs.caption"))
    for entry in entries:
        with st.container(border=True):
            name, action = st.columns([5, 1], vertical_alignment="center")
            name.markdown(f"**{entry.client.name}**")
            action.button(t("needs.open"), key=f"needs-open-{entry.client.slug}",
                          on_click=services.open_client, args=(entry.client.slug,))
            st.markdown("\n".join(f"- **{pick(need.label)}** · {pick(need.text)}"
                                  for need in entry.items))
