"""Clients: every client organisation the coach looks after, and adding one from its profile."""

from __future__ import annotations

import streamlit as st

from workspace_coach.coaching.clients import ClientSummary
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import t
from workspace_coach.dashboards.last_runs import render_last_collect
from workspace_coach.dashboards.needs_list import render_needs
from workspace_coach.dashboards.widgets import flash, score, show_flash
from workspace_coach.errors import UserError


def _row(summary: ClientSummary) -> None:
    client = summary.client
    with st.container(border=True):
        name, overall, critical, since, action = st.columns([3, 2, 2, 2, 1],
                                                            vertical_alignment="center")
        name.markdown(f"**{client.name}**  \n{client.domain}")
        delta = (f"{summary.overall_change:+.1f} {t('common.points')}"
                 if summary.overall_change is not None else None)
        arrow = f" {summary.arrow}" if summary.overall_change is not None else ""
        overall.metric(t("clients.overall"), f"{score(summary.overall)}{arrow}", delta=delta)
        critical.metric(t("clients.critical"), summary.open_critical)
        since.metric(t("clients.since_session"),
                     t("clients.days_ago", days=summary.days_since_session)
                     if summary.days_since_session is not None else t("clients.never"))
        action.button(t("clients.open"), key=f"open-{client.slug}",
                      on_click=services.open_client, args=(client.slug,))
        render_last_collect(client.id)


def _add_form() -> None:
    with st.form("add-client", clear_on_submit=False):
        st.subheader(t("clients.add"))
        path = st.text_input(t("clients.profile"), key="add-profile",
                             placeholder="clients/haessal/connection.yaml")
        if not st.form_submit_button(t("clients.add_button")) or not path.strip():
            return
    try:
        client = services.add_client(path)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    flash("success", t("clients.added", name=client.name, domain=client.domain))
    if client.slug not in {c.slug for c in services.visible_clients()}:
        flash("warning", t("clients.not_assigned"))
    st.rerun()


def render() -> None:
    st.title(t("clients.title"))
    show_flash()
    shown = services.visible_clients()
    email = services.signed_in_email()
    if not shown:
        st.info(t("auth.no_clients", email=email) if email else t("clients.empty"),
                icon=":material/info:")
    else:
        render_needs(shown)
        st.caption(t("clients.caption"))
        with st.spinner(t("common.loading")):
            rows = services.summaries(shown)
        for summary in rows:
            _row(summary)
    _add_form()
