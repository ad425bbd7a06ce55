"""Where `audit report` and `audit portfolio` write when --out is not given, and what they say.

Both commands share one way of checking --format/--lang/--out and of writing html or csv."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from tests.audit.test_portfolio import build
from tests.audit.test_report import populate
from workspace_coach.cli.main import app as cli
from workspace_coach.errors import UserError
from workspace_coach.storage.db import make_engine


@pytest.fixture
def coach(tmp_path, monkeypatch):
    """A coach's database with one scored client and a portfolio, and the client's profile;
    the current folder is an empty one, where the default file names land."""
    engine = make_engine(f"sqlite:///{tmp_path / 'coach.sqlite3'}")
    populate(engine, slug="sunflower")
    build(engine)
    url = str(engine.url)
    engine.dispose()
    profile = tmp_path / "connection.yaml"
    profile.write_text("name: sunflower\ndomain: haessal.example.kr\n"
                       "admin: a@haessal.example.kr\ncredentials: sa.json\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    env = {"WC_DATABASE_URL": url, "WC_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "300"}
    return work, profile, env


def _run(env, *args):
    done = CliRunner().invoke(cli, list(args), env=env)
    assert done.exit_code == 0, done.output
    return done.output


def test_default_names_for_html_and_csv(coach):
    work, profile, env = coach
    printed = _run(env, "audit", "report", "--connection", str(profile))
    html = [p.name for p in work.glob("sunflower-audit-*.html")]
    assert len(html) == 1 and f"sunflower: wrote {html[0]}" in printed
    printed = _run(env, "audit", "report", "--connection", str(profile), "--format", "csv")
    folder = html[0].removesuffix(".html")
    assert sorted(p.name for p in (work / folder).iterdir()) == sorted(
        f"sunflower-{n}.csv" for n in ("scores", "checks", "recommendations", "benchmark"))
    assert f"sunflower: wrote {folder}/sunflower-scores.csv" in printed
    today = dt.date.today().isoformat()
    printed = _run(env, "audit", "portfolio")
    assert (work / f"portfolio-{today}.html").is_file()
    assert f"wrote portfolio-{today}.html" in printed
    printed = _run(env, "audit", "portfolio", "--format", "csv")
    written = sorted(p.name for p in (work / f"portfolio-{today}").iterdir())
    assert written and all(n.endswith(".csv") for n in written)
    assert f"wrote portfolio-{today}/{written[0]}" in printed


@pytest.mark.parametrize(("args", "message"), [
    (["report", "--format", "sheet", "--out", "x"],
     "--out is for html and csv; a sheet goes to the client's shared drive"),
    (["portfolio", "--format", "sheet", "--out", "x"],
     "--out is for html and csv; a sheet goes to the shared drive"),
    (["portfolio", "--format", "pdf"], "--format 'pdf': use html, csv or sheet"),
    (["report", "--lang", "ja"], "--lang 'ja': use ko or en (or leave it out for both)"),
])
def test_format_lang_and_out_are_checked_alike(coach, args, message):
    _, profile, env = coach
    extra = ["--connection", str(profile)] if args[0] == "report" else []
    done = CliRunner().invoke(cli, ["audit", *args, *extra], env=env)
    assert isinstance(done.exception, UserError) and str(done.exception) == message
