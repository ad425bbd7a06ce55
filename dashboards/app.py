"""The coaching dashboard's entry point: `workspace-coach dashboard` runs this file.

It sets the page up, asks coaches to sign in when `.streamlit/secrets.toml` has an `[auth]`
section, shows the shared language switch and client picker in the sidebar, and hands the rest to
`st.navigation`. Every page is a module of `workspace_coach.dashboards.views` with a `render()`
(not `pages/`, which Streamlit would run as legacy multipage scripts).
"""

from __future__ import annotations

# This folder ships inside the package as `workspace_coach.dashboards`, so the pages import it
# under that name whether Workspace Coach is installed from a wheel or from a checkout.
import streamlit as st

from workspace_coach.dashboards import services
from workspace_coach.dashboards.i18n import language_switch, t
from workspace_coach.dashboards.views import (
    clients,
    curriculum,
    overview,
    portfolio,
    provisioning,
    security,
    session,
    teams,
)

PAGES = (  # (url path, module, icon); the first is the default
    ("clients", clients, ":material/groups:"),
    ("overview", overview, ":material/insights:"),
    ("teams", teams, ":material/grid_view:"),
    ("security", security, ":material/shield:"),
    ("curriculum", curriculum, ":material/school:"),
    ("session", session, ":material/event_note:"),
    ("provisioning", provisioning, ":material/person_add:"),
    ("portfolio", portfolio, ":material/monitoring:"),
)


def _sign_in() -> None:
    """Stop here until a coach has signed in, when sign-in is configured."""
    if not services.auth_enabled():
        return
    if not st.user.get("is_logged_in"):
        st.title(t("auth.title"))
        st.write(t("auth.explain"))
        st.button(t("auth.login"), on_click=st.login, type="primary")
        st.stop()
    st.sidebar.caption(t("auth.signed_in", email=services.signed_in_email() or ""))
    st.sidebar.button(t("auth.logout"), on_click=st.logout)


def _client_picker() -> None:
    shown = services.visible_clients()
    if not shown:
        st.sidebar.caption(t("app.no_client"))
        return
    slugs = [c.slug for c in shown]
    if st.session_state.get(services.CLIENT_KEY) not in slugs:
        st.session_state[services.CLIENT_KEY] = slugs[0]
    names = {c.slug: c.name for c in shown}
    st.sidebar.selectbox(t("app.client"), slugs, key=services.CLIENT_KEY,
                         format_func=names.__getitem__)


def main() -> None:
    st.set_page_config(page_title="Workspace Coach", page_icon=":material/explore:",
                       layout="wide")
    language_switch()
    _sign_in()
    _client_picker()
    pages = {path: st.Page(module.render, title=t(f"page.{path}"), icon=icon, url_path=path,
                           default=(path == PAGES[0][0]))
             for path, module, icon in PAGES}
    navigation = st.navigation(list(pages.values()))
    goto = st.session_state.pop(services.GOTO_KEY, None)
    if goto in pages:
        st.switch_page(pages[goto])
    navigation.run()


main()
