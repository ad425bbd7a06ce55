"""The dashboard in a real browser: `workspace-coach dashboard` on a free port over the demo
database, driven by Playwright with Debian's Chromium (headless). Checks what AppTest cannot
see: the pages load without a Streamlit exception box, the Altair charts are drawn, the sidebar
navigation works, and a session recorded in the form reaches the database. Screenshots go to
tests/artifacts/ (not committed); their folder is printed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import need
from tests.dashboard.conftest import DemoDatabase, fill
from workspace_coach.storage import models as m

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "dashboard"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
NAV = {"overview": "개요", "teams": "팀", "security": "보안", "curriculum": "교육 과정",
       "session": "코칭 세션", "provisioning": "계정 준비", "clients": "고객 조직"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, DemoDatabase]]:
    db = fill(DemoDatabase(tmp_path_factory.mktemp("browser") / "coach.sqlite3"))
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(root), os.environ.get("PYTHONPATH")) if p)}
    log = open(tmp_path_factory.mktemp("browser-log") / "dashboard.log", "w+b")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "workspace_coach.cli.main", "dashboard", "--port", str(port),
         "--database", db.url], env=env, cwd=tmp_path_factory.mktemp("cwd"), stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if requests.get(f"{url}/_stcore/health", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None:
                break
            time.sleep(0.25)
        else:
            pass
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"the dashboard did not start:\n{log.read().decode(errors='replace')}")
        yield url, db
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "Playwright not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 2200}, locale="ko-KR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def _settle(page) -> None:
    """Wait until Streamlit has finished the run (no running indicator) and a title shows."""
    page.wait_for_selector("h1")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    page.wait_for_timeout(300)


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    charts = page.locator(".vega-embed")
    for i in range(charts.count()):   # charts are drawn once they have been on screen
        charts.nth(i).scroll_into_view_if_needed()
        charts.nth(i).locator("canvas, svg.marks").first.wait_for()
    page.wait_for_timeout(300)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def _no_exception(page) -> None:
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, boxes.first.inner_text()


def _open_haessal(page, url: str) -> None:
    page.goto(url)
    _settle(page)
    page.get_by_role("button", name="열기").nth(1).click()   # clients are listed by slug
    page.wait_for_url("**/overview")
    _settle(page)


def _nav(page, name: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(NAV[name], exact=True).click()
    page.wait_for_url(lambda url: url.rstrip("/").endswith("/" + name) if name != "clients"
                      else url.count("/") == 3)   # the default page lives at the root
    _settle(page)


def test_every_page_loads_and_navigation_works(page, server):
    url, _ = server
    _open_haessal(page, url)
    assert page.locator("h1").first.inner_text() == "해살 협동조합 개요"
    for name in ("overview", "teams", "security", "curriculum", "session", "provisioning",
                 "clients"):
        if name != "overview":
            _nav(page, name)
        _no_exception(page)
        _shot(page, name)
    assert page.locator("h1").first.inner_text() == "담당 고객 조직"
    print(f"screenshots in {ARTIFACTS}")


def test_charts_are_drawn(page, server):
    url, _ = server
    _open_haessal(page, url)
    for name, count in (("overview", 1), ("teams", 1), ("curriculum", 2)):
        if name != "overview":
            _nav(page, name)
        charts = page.locator(".vega-embed")
        charts.first.wait_for()
        page.wait_for_function("n => document.querySelectorAll('.vega-embed canvas, "
                               ".vega-embed svg.marks').length >= n", arg=count)
        assert charts.count() == count
        box = page.locator(".vega-embed canvas, .vega-embed svg.marks").first.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 100


def test_language_switch_in_the_browser(page, server):
    url, _ = server
    page.goto(url)
    _settle(page)
    page.locator('[data-testid="stSidebar"]').get_by_text("English").click()
    page.wait_for_function("() => document.querySelector('h1')?.innerText === 'Your clients'")
    _nav_en = page.locator('[data-testid="stSidebarNav"]')
    assert "Security" in _nav_en.inner_text()


def test_a_session_can_be_recorded(page, server):
    url, db = server
    _open_haessal(page, url)
    _nav(page, "session")
    form = page.locator('[data-testid="stForm"]').first
    title = form.get_by_label("제목")
    title.fill("브라우저에서 기록한 세션")
    form.get_by_label("메모").fill("공유 드라이브 정리")
    form.get_by_label("할 일").first.fill("공유 드라이브 규칙 정하기")
    form.get_by_label("담당자").first.fill("admin@haessal.kr")
    form.get_by_role("button", name="세션 저장").click()
    page.get_by_text("세션을 저장했습니다.").wait_for()
    _no_exception(page)
    _shot(page, "session-recorded")
    with db.engine.connect() as conn:
        saved = conn.execute(sa.select(m.CoachingSession).where(
            m.CoachingSession.title == "브라우저에서 기록한 세션")).one()
        actions = conn.execute(sa.select(m.FollowUp.text, m.FollowUp.owner).where(
            m.FollowUp.session_id == saved.id)).all()
    assert saved.notes == "공유 드라이브 정리"
    assert [tuple(a) for a in actions] == [("공유 드라이브 규칙 정하기", "admin@haessal.kr")]
    page.get_by_text("브라우저에서 기록한 세션").first.wait_for()
