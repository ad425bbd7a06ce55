"""Fixtures for the dashboard: a demo database (SQLite file written through the storage models)
and a helper that runs the real entry point with AppTest on one page."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.dashboard.demo_data import Demo, build
from workspace_coach import resources
from workspace_coach.storage.db import make_engine

APP = resources.dashboard_app()


class DemoDatabase:
    def __init__(self, path: Path) -> None:
        self.url = f"sqlite:///{path}"
        self.engine = make_engine(self.url)
        self.clients: dict[str, Demo] = {}

    def add(self, slug: str, **kwargs: Any) -> Demo:
        self.clients[slug] = build(self.engine, slug=slug, **kwargs)
        return self.clients[slug]


def fill(db: DemoDatabase) -> DemoDatabase:
    """Three clients: one with everything, one that consented to per-person insights, and one
    that was just added (no scores, checks, sessions or marks)."""
    db.add("haessal", display_name="해살 협동조합", people=40, seed=1)
    db.add("saessak", display_name="새싹 사회적기업", people=24, seed=2, consent=True,
           units={"/본부": 12, "/현장": 12}, groups={"all@saessak.kr": 24})
    db.add("empty", display_name="빈 조직", days=0, sessions=False, checks=False, marks=False)
    return db


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoDatabase]:
    db = fill(DemoDatabase(tmp_path_factory.mktemp("dashboard") / "coach.sqlite3"))
    yield db
    db.engine.dispose()


@pytest.fixture
def use_db(demo_db: DemoDatabase) -> Iterator[DemoDatabase]:
    """Point the dashboard at the demo database with empty caches."""
    before = os.environ.get("WC_DATABASE_URL")
    os.environ["WC_DATABASE_URL"] = demo_db.url
    st.cache_data.clear()
    st.cache_resource.clear()
    yield demo_db
    st.cache_data.clear()
    st.cache_resource.clear()
    if before is None:
        os.environ.pop("WC_DATABASE_URL", None)
    else:
        os.environ["WC_DATABASE_URL"] = before


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Switch a ran AppTest to the page registered under `url_path` and run it.

    `AppTest.switch_page` only knows file pages; our pages are `render` callables, which
    `st.navigation` registers by url path (the default page under "")."""
    for page_hash, info in at._registered_pages.items():
        if info.get("url_pathname") == url_path or (
                url_path == "clients" and info.get("url_pathname") == ""):
            at._page_hash = page_hash
            return at.run()
    raise AssertionError(f"no page {url_path!r} in {at._registered_pages}")


def run_app(page: str = "clients", *, client: str | None = None, lang: str | None = None,
            secrets: dict[str, Any] | None = None, user: dict[str, Any] | None = None
            ) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if client:
        at.session_state["client"] = client
    if lang:
        at.session_state["lang"] = lang
    if secrets:
        for key, value in secrets.items():
            at.secrets[key] = value
    if user is not None:
        at.user = user
    at.run()
    assert not at.exception, at.exception
    if page != "clients":
        open_page(at, page)
        assert not at.exception, at.exception
    return at
