"""Provisioning: the latest plan and apply found beside the client's connection profile, and a
button to make a new plan. Applying stays on the command line, where the admin sees the plan,
the safety limits and the passwords."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from workspace_coach.coaching.provisioning import ProvisioningStatus
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import t
from workspace_coach.dashboards.widgets import flash, need_client, show_flash
from workspace_coach.errors import UserError


def _plan(status: ProvisioningStatus, profile_path: str) -> None:
    st.subheader(t("prov.plan"))
    for problem in status.plan_problems:
        st.warning(problem)
    plan = status.plan
    if plan is None:
        st.info(t("prov.no_plan"), icon=":material/info:")
        return
    st.caption(t("prov.plan_file", path=status.plan_path, created=plan.created or "–"))
    if not plan.changes:
        st.success(t("prov.no_changes"))
    else:
        counts = ", ".join(f"{n} {action}" for action, n in sorted(plan.counts().items()))
        st.markdown(f"**{t('prov.changes', count=len(plan.changes))}** ({counts})")
    for reason in plan.unsafe:
        st.error(f"{t('prov.unsafe')}: {reason}", icon=":material/gpp_bad:")
    for warning in plan.warnings:
        st.warning(warning)
    applied = status.plan_applied
    if applied is not None:
        st.success(t("prov.applied", when=applied.finished.strftime("%Y-%m-%d %H:%M UTC")))
    elif plan.changes:
        st.info(t("prov.pending"), icon=":material/terminal:")
        st.code(f"workspace-coach provision apply --connection {profile_path} "
                f"--plan {status.plan_path}", language="bash")
    if plan.changes:
        st.dataframe(pd.DataFrame([(r.phase, r.action, r.object, r.fields)
                                   for r in status.plan_rows()],
                                  columns=[t("prov.phase"), t("prov.action"), t("prov.object"),
                                           t("prov.fields")]),
                     hide_index=True, width="stretch")


def _runs(status: ProvisioningStatus) -> None:
    st.subheader(t("prov.runs"))
    if not status.runs:
        st.caption(t("prov.no_runs"))
        return
    st.dataframe(pd.DataFrame(
        [(r.started.strftime("%Y-%m-%d %H:%M"), r.plan[:12],
          ", ".join(f"{n} {s}" for s, n in sorted(r.statuses.items())))
         for r in status.runs],
        columns=[t("prov.started"), t("prov.plan_id"), t("prov.steps")]),
        hide_index=True, width="stretch")
    newest = status.runs[0]
    if newest.failed:
        st.markdown(f"**{t('prov.failed')}**")
        st.dataframe(pd.DataFrame(newest.failed, columns=[t("prov.object"),
                                                          t("security.detail")]),
                     hide_index=True, width="stretch")
    if newest.unfinished:
        st.markdown(f"**{t('prov.unfinished')}**")
        st.write(", ".join(newest.unfinished))
    if status.results:
        with st.expander(t("prov.results")):
            st.dataframe(pd.DataFrame(status.results), hide_index=True, width="stretch")


def _grace(status: ProvisioningStatus) -> None:
    st.subheader(t("prov.grace"))
    if not status.grace:
        st.caption(t("prov.no_grace"))
        return
    st.caption(t("prov.grace_caption"))
    st.dataframe(pd.DataFrame([(g.email, g.suspended.isoformat(), g.until.isoformat())
                               for g in status.grace],
                              columns=[t("prov.person"), t("prov.suspended"),
                                       t("prov.grace_until")]),
                 hide_index=True, width="stretch")


def _new_plan(status: ProvisioningStatus, profile_path: str) -> None:
    st.subheader(t("prov.new"))
    st.caption(t("prov.new_caption"))
    with st.form("new-plan"):
        org = st.text_input(t("prov.org"), value=str(status.org or ""), key="plan-org")
        roster = st.text_input(t("prov.roster"), value=str(status.roster or ""),
                               key="plan-roster")
        adopt = st.checkbox(t("prov.adopt"), key="plan-adopt")
        if not st.form_submit_button(t("prov.make"), type="primary"):
            return
    if not roster.strip():
        st.error(t("prov.need_roster"))
        return
    try:
        with st.spinner(t("prov.planning")):
            _, path = services.new_plan(profile_path, roster=roster, org=org, adopt=adopt)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    flash("success", t("prov.made", path=path))
    st.rerun()


def render() -> None:
    client = need_client()
    if client is None:
        return
    st.title(t("prov.title", name=client.name))
    show_flash()
    if not client.profile_path:
        st.info(t("prov.no_profile"), icon=":material/info:")
        return
    with st.spinner(t("common.loading")):
        status = services.provisioning_status(client.profile_path)
    st.caption(t("prov.folder", folder=status.folder))
    _plan(status, client.profile_path)
    _runs(status)
    _grace(status)
    _new_plan(status, client.profile_path)
