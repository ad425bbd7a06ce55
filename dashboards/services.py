"""The dashboard's data: cached reads and the few writes, over `workspace_coach.coaching`.

Pages call only this module. Reads are cached with `st.cache_data`, keyed by the database URL
(two databases never share an entry) and by what the audit has stored as of (`StoredAsOf`: the
newest run started and finished, asked at most every few seconds), so a collect or scoring run
that lands shows on the next rerun; a short time-to-live covers what changes outside runs
(curriculum marks synced from sheets). The engine is one `st.cache_resource` per database URL,
migrated to the newest schema the first time. Every write here clears the caches it makes
stale. Sign-in and the current client live here too, because every page needs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from workspace_coach.audit import benchmark as peer
from workspace_coach.audit import portfolio as programme
from workspace_coach.audit import portfolio_report, report
from workspace_coach.audit.latest import StoredAsOf, stored_as_of
from workspace_coach.coaching import (
    access,
    agenda,
    checks,
    clients,
    marks,
    needs,
    provisioning,
    scores,
    sessions,
)
from workspace_coach.curriculum.schema import Curriculum
from workspace_coach.storage.db import database_url, make_engine
from workspace_coach.storage.migrations import upgrade

TTL = dt.timedelta(seconds=60)
AS_OF_TTL = dt.timedelta(seconds=2)   # how long one answer to "what is stored as of" is reused
CLIENT_KEY = "client"          # session_state: slug of the client being looked at
GOTO_KEY = "goto"              # session_state: url path of a page to open on the next run


# -- the database -------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def db() -> str:
    return database_url()


def engine() -> Engine:
    return _engine(db())


@st.cache_data(ttl=AS_OF_TTL, show_spinner=False)
def _stored_as_of(url: str) -> StoredAsOf:
    with _engine(url).connect() as conn:
        return stored_as_of(conn)


def _source() -> tuple[str, StoredAsOf]:
    """The key every cached read starts with: the database and what it holds as of now."""
    url = db()
    return url, _stored_as_of(url)


# -- sign-in and who sees what -----------------------------------------------------------------

def auth_enabled() -> bool:
    """Sign-in is required when `.streamlit/secrets.toml` has an `[auth]` section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all  # noqa: BLE001
        return False


def signed_in_email() -> str | None:
    if not auth_enabled():
        return None
    user = st.user
    if not user.get("is_logged_in"):
        return None
    email = user.get("email")
    return str(email) if email else None


def _coaches() -> dict[str, set[str]]:
    try:
        raw = st.secrets.get("coaches", {})
    except Exception:  # noqa: BLE001
        raw = {}
    return access.assignments(dict(raw))


@st.cache_data(ttl=TTL, show_spinner=False)
def _all_clients(url: str, as_of: StoredAsOf) -> list[clients.ClientInfo]:
    return clients.list_clients(_engine(url))


def visible_clients() -> list[clients.ClientInfo]:
    """Every client, or with sign-in on, only those assigned to the signed-in coach."""
    everyone = _all_clients(*_source())
    if not auth_enabled():
        return everyone
    return access.visible_clients(everyone, signed_in_email(), _coaches())


def current_client() -> clients.ClientInfo | None:
    slug = st.session_state.get(CLIENT_KEY)
    return next((c for c in visible_clients() if c.slug == slug), None)


def open_client(slug: str, page: str = "overview") -> None:
    """Widget callback: look at `slug` and open `page` on the next run."""
    st.session_state[CLIENT_KEY] = slug
    st.session_state[GOTO_KEY] = page


def add_client(profile_path: str) -> clients.ClientInfo:
    client = clients.register_client(engine(), profile_path.strip())
    _all_clients.clear()
    _summaries.clear()
    return client


# -- scores, checks, benchmark -------------------------------------------------------------------

@st.cache_data(ttl=TTL, show_spinner=False)
def _summaries(url: str, as_of: StoredAsOf, slugs: tuple[str, ...], today: dt.date
               ) -> list[clients.ClientSummary]:
    chosen = [c for c in _all_clients(url, as_of) if c.slug in slugs]
    return clients.summaries(_engine(url), chosen, today)


def summaries(shown: Sequence[clients.ClientInfo]) -> list[clients.ClientSummary]:
    return _summaries(*_source(), tuple(c.slug for c in shown), dt.date.today())


@st.cache_data(ttl=TTL, show_spinner=False)
def _needs(url: str, as_of: StoredAsOf, slugs: tuple[str, ...], today: dt.date
           ) -> list[needs.ClientNeeds]:
    chosen = [c for c in _all_clients(url, as_of) if c.slug in slugs]
    return needs.needs_this_week(_engine(url), chosen, today=today)


def needs_this_week(shown: Sequence[clients.ClientInfo]) -> list[needs.ClientNeeds]:
    """The digest's list for the clients shown (coaching/needs.py)."""
    return _needs(*_source(), tuple(c.slug for c in shown), dt.date.today())


@st.cache_data(ttl=TTL, show_spinner=False)
def _portfolio(url: str, as_of: StoredAsOf, slugs: tuple[str, ...], since: dt.date | None
               ) -> programme.Portfolio:
    chosen = [c for c in _all_clients(url, as_of) if c.slug in slugs]
    return programme.gather_portfolio(_engine(url), chosen, since)


def portfolio(shown: Sequence[clients.ClientInfo], since: dt.date | None) -> programme.Portfolio:
    return _portfolio(*_source(), tuple(c.slug for c in shown), since)


def portfolio_html(data: programme.Portfolio, lang: str) -> str:
    return portfolio_report.portfolio_html(data, lang)  # type: ignore[arg-type]


@st.cache_data(ttl=TTL, show_spinner=False)
def _newest_scores(url: str, as_of: StoredAsOf, client_id: int
                   ) -> list[scores.CategoryScore]:
    return scores.newest_scores(_engine(url), client_id)


def newest_scores(client: clients.ClientInfo) -> list[scores.CategoryScore]:
    return _newest_scores(*_source(), client.id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _trend(url: str, as_of: StoredAsOf, client_id: int) -> pd.DataFrame:
    return scores.trend(_engine(url), client_id)


def trend(client: clients.ClientInfo) -> pd.DataFrame:
    return _trend(*_source(), client.id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _team_matrix(url: str, as_of: StoredAsOf, client: clients.ClientInfo, scope_type: str
                 ) -> pd.DataFrame:
    return scores.team_matrix(_engine(url), client, scope_type)


def team_matrix(client: clients.ClientInfo, scope_type: str) -> pd.DataFrame:
    return _team_matrix(*_source(), client, scope_type)


@st.cache_data(ttl=TTL, show_spinner=False)
def _changes_since(url: str, as_of: StoredAsOf, client_id: int, day: dt.date
                   ) -> list[scores.ScoreChange]:
    return scores.changes_since(_engine(url), client_id, day)


def changes_since(client: clients.ClientInfo, day: dt.date) -> list[scores.ScoreChange]:
    return _changes_since(*_source(), client.id, day)


@st.cache_data(ttl=TTL, show_spinner=False)
def _benchmark(url: str, as_of: StoredAsOf, client_id: int) -> peer.Benchmark:
    return peer.benchmark(_engine(url), client_id)


def benchmark(client: clients.ClientInfo) -> peer.Benchmark:
    """The client's standing among comparable clients (shown only with 5 or more peers)."""
    return _benchmark(*_source(), client.id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _report_html(url: str, as_of: StoredAsOf, client_id: int, lang: str) -> str:
    return report.render_html(_engine(url), client_id, lang)  # type: ignore[arg-type]


def report_html(client: clients.ClientInfo, lang: str) -> str:
    """The printable HTML audit report (the same as `workspace-coach audit report`)."""
    return _report_html(*_source(), client.id, lang)


@st.cache_data(ttl=TTL, show_spinner=False)
def _checks(url: str, as_of: StoredAsOf, client_id: int) -> list[checks.CheckView]:
    return checks.newest_checks(_engine(url), client_id)


def newest_checks(client: clients.ClientInfo) -> list[checks.CheckView]:
    return _checks(*_source(), client.id)


# -- curriculum ---------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def curricula() -> dict[str, Curriculum]:
    return agenda.load_curricula()


@st.cache_data(ttl=TTL, show_spinner=False)
def _module_progress(url: str, as_of: StoredAsOf, client: clients.ClientInfo
                     ) -> pd.DataFrame:
    return marks.module_progress(_engine(url), client, curricula())


def module_progress(client: clients.ClientInfo) -> pd.DataFrame:
    return _module_progress(*_source(), client)


@st.cache_data(ttl=TTL, show_spinner=False)
def _person_progress(url: str, as_of: StoredAsOf, client: clients.ClientInfo
                     ) -> pd.DataFrame | None:
    return marks.person_progress(_engine(url), client, curricula())


def person_progress(client: clients.ClientInfo) -> pd.DataFrame | None:
    return _person_progress(*_source(), client)


# -- coaching sessions ----------------------------------------------------------------------------

@st.cache_data(ttl=TTL, show_spinner=False)
def _sessions(url: str, client_id: int) -> list[sessions.SessionView]:
    return sessions.list_sessions(_engine(url), client_id)


def session_history(client: clients.ClientInfo) -> list[sessions.SessionView]:
    return _sessions(db(), client.id)


def last_session(client: clients.ClientInfo) -> dt.date | None:
    history = session_history(client)
    return history[0].held_on if history else None


@st.cache_data(ttl=TTL, show_spinner=False)
def _values_on(url: str, as_of: StoredAsOf, client_id: int, day: dt.date
               ) -> dict[str, scores.CategoryScore]:
    return scores.values_on(_engine(url), client_id, day)


def values_on(client: clients.ClientInfo, day: dt.date) -> dict[str, scores.CategoryScore]:
    """The organisation's scores as they stood on `day` (the newest date on or before it)."""
    return _values_on(*_source(), client.id, day)


def proposed_agenda(client: clients.ClientInfo) -> list[agenda.AgendaItem]:
    last = last_session(client)
    since = values_on(client, last) if last else None
    return agenda.propose(newest_scores(client), since=since, checks=newest_checks(client),
                          curricula=curricula())


def _sessions_changed() -> None:
    _sessions.clear()
    _summaries.clear()
    _needs.clear()       # a follow-up done or added changes the list
    _portfolio.clear()


def record_session(client: clients.ClientInfo, *, held_on: dt.date, title: str, notes: str,
                   agenda_items: Sequence[dict[str, Any]],
                   follow_ups: Sequence[sessions.FollowUpDraft]) -> sessions.Recorded:
    recorded = sessions.create_session(engine(), client, held_on=held_on, title=title,
                                       notes=notes, agenda=agenda_items,
                                       coach=signed_in_email(), follow_ups=follow_ups)
    _sessions_changed()
    return recorded


def save_notes(session_id: int, notes: str) -> None:
    sessions.update_notes(engine(), session_id, notes)
    _sessions_changed()


def set_follow_up_done(follow_up_id: int, done: bool) -> None:
    sessions.set_follow_up_done(engine(), follow_up_id, done)
    _sessions_changed()


# -- provisioning ---------------------------------------------------------------------------------

@st.cache_data(ttl=TTL, show_spinner=False, max_entries=32)
def _provisioning_status(profile_path: str, stamp: tuple[tuple[str, float], ...]
                         ) -> provisioning.ProvisioningStatus:
    return provisioning.status(profile_path)


def provisioning_status(profile_path: str) -> provisioning.ProvisioningStatus:
    """Cached until a file beside the profile changes (a plan saved, an apply journaled)."""
    folder = provisioning.profile_folder(profile_path)
    stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("provision-*")
                         if p.is_file())) if folder.is_dir() else ()
    plans = tuple(sorted((p.name, p.stat().st_mtime) for p in folder.glob("*plan*.json")))
    return _provisioning_status(profile_path, stamp + plans)


def new_plan(profile_path: str, *, roster: str, org: str | None, adopt: bool
             ) -> tuple[Any, Path]:
    plan, path = provisioning.make_new_plan(profile_path, roster=Path(roster.strip()),
                                            org=Path(org.strip()) if org and org.strip()
                                            else None, adopt=adopt)
    _provisioning_status.clear()
    return plan, path
