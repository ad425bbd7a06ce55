"""The printable checklist: every item, A4, Korean fonts, escaped text; and the CLI commands."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

from workspace_coach.curriculum.printable import render_html
from workspace_coach.curriculum.progress import person_progress
from workspace_coach.curriculum.schema import Curriculum
from workspace_coach.curriculum.tracks import load_track
from workspace_coach.storage.clients import client_by_slug

TRACK = load_track("new-member")


class _Items(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.items: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        found = dict(attrs).get("data-item")
        if found:
            self.items.append(found)


def test_blank_checklist_has_every_item_a4_and_korean_fonts():
    html = render_html(TRACK, team_label="/영업")
    parser = _Items()
    parser.feed(html)
    assert parser.items == [item.id for _, item in TRACK.items()]
    assert "@page { size: A4" in html and "Noto Sans KR" in html and "Malgun Gothic" in html
    assert "Apple SD Gothic Neo" in html and '<html lang="ko">' in html
    for _, item in TRACK.items():
        assert item.title.en.replace('"', "&quot;").replace("'", "&#x27;") in html


def test_text_is_escaped():
    data = TRACK.model_dump()
    data["modules"][0]["items"][0]["title"] = {"ko": "<script>alert(1)</script>",
                                               "en": "a & b \"c\""}
    evil = Curriculum.model_validate(data)
    html = render_html(evil, names=["<b>x@y</b>"])
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "a &amp; b &quot;c&quot;" in html and "&lt;b&gt;x@y&lt;/b&gt;" in html


def test_person_page_ticks_done_items(world):
    with world.engine.connect() as conn:
        progress = person_progress(conn, client_by_slug(conn, world.profile.name).id, TRACK,
                                   world.trainee)
    html = render_html(TRACK, people=[progress], as_of=dt.date(2025, 6, 20))
    create = html.split('data-item="create-doc"')[1].split('data-item=')[0]
    assert '<div class="box">✓</div>' in create and world.trainee in html
    send = html.split('data-item="send-chat-message"')[1].split('data-item=')[0]
    assert '<div class="box"></div>' in send


def _cli(world, *args):
    from rich.console import Console
    from typer.testing import CliRunner

    from workspace_coach.cli import curriculum
    from workspace_coach.cli.main import app

    # The module's console took its width when first imported (maybe by another test in this
    # worker, before COLUMNS was set): give it a wide one so table cells are not wrapped.
    wide, curriculum.console = curriculum.console, Console(width=200)
    try:
        return CliRunner().invoke(
            app, ["curriculum", *args, "--connection", str(world.profile.source)],
            env={"COLUMNS": "200", "WC_DATABASE_URL": str(world.engine.url)})
    finally:
        curriculum.console = wide


def test_cli_progress_attest_and_print(world, tmp_path):
    result = _cli(world, "progress", "--person", world.trainee)
    assert result.exit_code == 0, result.output
    assert "drive create" in result.output and "drive change_user_access" in result.output
    result = _cli(world, "progress", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "org_unit" in result.output and "Create a Doc" in result.output
    result = _cli(world, "attest", "--person", world.colleague, "--item", "nope")
    # main's run() prints a UserError as one line; in-process it is the exception
    assert result.exit_code == 1 and "no item 'nope'" in str(result.exception)
    result = _cli(world, "attest", "--person", world.colleague, "--item", "undo-send")
    assert result.exit_code == 0 and "self mark" in result.output
    out = tmp_path / "checklist.html"
    result = _cli(world, "print", "--team", "/sales", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count('<section class="sheet">') == 6
