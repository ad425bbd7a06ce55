"""Session: plan a coaching session from the proposed agenda, record it with notes and follow-ups,
and look back at earlier sessions (edit their notes, tick follow-ups done)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from workspace_coach.coaching.agenda import AgendaItem
from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.coaching.sessions import FollowUpDraft, SessionView
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import pick, t
from workspace_coach.dashboards.widgets import flash, need_client, percent, score, show_flash
from workspace_coach.errors import UserError

ROWS_KEY = "session-follow-up-rows"
DEFAULT_ROWS = 3
FORM_KEYS = ("session-date", "session-title", "session-notes", "fu-text-", "fu-owner-", "fu-due-",
             "agenda-")


def _evidence(item: AgendaItem) -> str:
    parts = []
    for ev in item.evidence:
        if "indicator" in ev:
            parts.append(f"{pick(ev.get('label'), ev['indicator'])}: {percent(ev.get('share'))}"
                         f" → {percent(ev.get('target'))}")
        elif "severity" in ev:
            parts.append(f"{t('severity.' + ev['severity'])} · "
                         f"{t('security.affected', count=ev.get('affected_count', 0))}")
        elif "delta" in ev:
            parts.append(f"{ev['delta']:+.1f} {t('common.points')}")
    return " · ".join(parts)


def _agenda_item(index: int, item: AgendaItem) -> bool:
    kind = t(f"session.kind.{item.kind}")
    value = f" ({score(item.value)})" if item.value is not None else ""
    chosen = st.checkbox(f"**{kind}** · {pick(item.title)}{value}", value=True,
                         key=f"agenda-{index}-{item.kind}-{item.key}")
    details = []
    evidence = _evidence(item)
    if evidence:
        details.append(f"{t('session.evidence')}: {evidence}")
    if item.modules:
        details.append(f"{t('session.modules')}: " + ", ".join(
            f"{pick(mod.title)} (`{mod.track}/{mod.module}`)" for mod in item.modules))
    if details:
        st.caption("  \n".join(details))
    return chosen


def _record(client: ClientInfo, agenda: list[AgendaItem]) -> None:
    st.subheader(t("session.record"))
    rows = st.session_state.setdefault(ROWS_KEY, DEFAULT_ROWS)
    with st.form("record-session"):
        st.markdown(f"**{t('session.agenda')}**")
        if agenda:
            st.caption(t("session.agenda_caption"))
        else:
            st.caption(t("session.agenda_empty"))
        chosen = [item for i, item in enumerate(agenda) if _agenda_item(i, item)]
        left, right = st.columns([1, 3])
        held_on = left.date_input(t("session.held_on"), value=dt.date.today(),
                                  key="session-date")
        title = right.text_input(t("session.name"), value=t("session.default_title"),
                                 key="session-title", max_chars=200)
        notes = st.text_area(t("session.notes"), key="session-notes", height=160)
        st.markdown(f"**{t('session.follow_ups')}**")
        drafts = []
        for i in range(rows):
            action, owner, due = st.columns([4, 2, 2])
            drafts.append(FollowUpDraft(
                text=action.text_input(t("session.action"), key=f"fu-text-{i}"),
                owner=owner.text_input(t("session.owner"), key=f"fu-owner-{i}"),
                due_on=due.date_input(t("session.due"), value=None, key=f"fu-due-{i}")))
        submitted = st.form_submit_button(t("session.save"), type="primary")
    st.button(t("session.more_rows"), key="session-more-rows",
              on_click=lambda: st.session_state.__setitem__(ROWS_KEY, rows + 1))
    if not submitted:
        return
    try:
        recorded = services.record_session(client, held_on=held_on, title=title, notes=notes,
                                           agenda_items=[item.to_dict() for item in chosen],
                                           follow_ups=drafts)
    except UserError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    flash("success", t("session.saved"))
    if recorded.simulator_told:
        flash("info", t("session.simulator_told"))
    if recorded.simulator_problem:
        flash("warning", t("session.simulator_problem", problem=recorded.simulator_problem))
    # a clean form for the next session; kept as typed when saving failed
    for key in [k for k in st.session_state if str(k).startswith(FORM_KEYS)]:
        del st.session_state[key]
    st.session_state[ROWS_KEY] = DEFAULT_ROWS
    st.rerun()


def _past(session: SessionView) -> None:
    with st.expander(f"{session.held_on.isoformat()} · {session.title}"):
        if session.coach:
            st.caption(t("session.coach", coach=session.coach))
        if session.agenda:
            st.markdown(f"**{t('session.agenda')}**")
            st.markdown("\n".join(
                f"- {t('session.kind.' + a.get('kind', 'gap'))} · {pick(a.get('title'))}"
                for a in session.agenda))
        notes = st.text_area(t("session.notes"), value=session.notes,
                             key=f"notes-{session.id}")
        if st.button(t("session.save_notes"), key=f"save-notes-{session.id}"):
            services.save_notes(session.id, notes)
            flash("success", t("session.notes_saved"))
            st.rerun()
        if session.follow_ups:
            st.markdown(f"**{t('session.follow_ups')}**")
        for fu in session.follow_ups:
            due = f" · {t('session.due')} {fu.due_on.isoformat()}" if fu.due_on else ""
            owner = f" · {fu.owner}" if fu.owner else ""
            st.checkbox(f"{fu.text}{owner}{due}", value=fu.done, key=f"fu-done-{fu.id}",
                        on_change=lambda fid=fu.id, key=f"fu-done-{fu.id}":
                        services.set_follow_up_done(fid, bool(st.session_state[key])))


def render() -> None:
    client = need_client()
    if client is None:
        return
    st.title(t("session.title", name=client.name))
    show_flash()
    with st.spinner(t("common.loading")):
        agenda = services.proposed_agenda(client)
        history = services.session_history(client)
    _record(client, agenda)
    st.subheader(t("session.history"))
    if not history:
        st.caption(t("session.history_empty"))
    for past in history:
        _past(past)

