"""Small pieces of UI several pages share: the "pick a client first" gate, percent formatting and
category names in the current language."""

from __future__ import annotations

import streamlit as st

from workspace_coach.coaching.clients import ClientInfo
from workspace_coach.coaching.scores import category_label
from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import lang, t


def need_client() -> ClientInfo | None:
    """The client being looked at; without one, a hint and None (the page shows nothing else)."""
    client = services.current_client()
    if client is None:
        st.info(t("common.pick_client"), icon=":material/info:")
    return client


def category(name: str) -> str:
    return category_label(name, lang())


def percent(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


FLASH_KEY = "flash"


def flash(kind: str, message: str) -> None:
    """Show `message` at the top of the next run (after a write and `st.rerun()`)."""
    st.session_state.setdefault(FLASH_KEY, []).append((kind, message))


def show_flash() -> None:
    for kind, message in st.session_state.pop(FLASH_KEY, []):
        {"success": st.success, "warning": st.warning, "info": st.info}.get(kind, st.info)(
            message)
