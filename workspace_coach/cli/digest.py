"""`workspace-coach digest`: the coach's weekly list of what needs them, per client.

Reads the coach's database only (docs/dashboard.md, "Weekly digest"); writes one HTML page per
coach and prints its path. `--send` also mails it to the coach through the Gmail API, as the
coach, with the connection of the coach's own organisation (capability `digest-mail`).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from workspace_coach.errors import UserError

console = Console()


def _assignments(path: Path | None) -> dict[str, set[str]]:
    """The `[coaches]` table: from `path`, else from the dashboard's secrets files."""
    from workspace_coach.cli.dashboard import secrets_files
    from workspace_coach.coaching.access import assignments

    files = [path] if path is not None else [p for p in secrets_files() if p.is_file()]
    merged: dict[str, set[str]] = {}
    for file in files:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"--coaches {file}: file not found / 파일이 없습니다") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"{file}: not valid TOML ({exc}) / TOML 형식이 아닙니다") from None
        for email, slugs in assignments(data.get("coaches")).items():
            merged.setdefault(email, set()).update(slugs)
    return merged


def digest(
    send: bool = typer.Option(False, "--send", help="Also mail each coach their digest through "
                              "the Gmail API, as the coach (needs --connection with the "
                              "digest-mail capability)."),
    connection: Path = typer.Option(None, "--connection", "-c", envvar="WC_CONNECTION",
                                    help="With --send: the connection profile of the coach's "
                                    "own organisation (the coaches' mailboxes)."),
    coach: str = typer.Option(None, "--coach", help="Only this coach's digest; without a "
                              "coaches table, the coach who gets every client."),
    coaches: Path = typer.Option(None, "--coaches", help="A TOML file with a `coaches` table "
                                 "(default: the dashboard's .streamlit/secrets.toml)."),
    out: Path = typer.Option(Path("."), "--out", "-o", help="Folder for the HTML files."),
    today: str = typer.Option(None, "--today", help="The day the week ends (YYYY-MM-DD; "
                              "default today)."),
    lang: str = typer.Option(None, "--lang", help="ko or en; both languages when not given."),
) -> None:
    """Per client, what changed since last week: score drops, new critical and high checks,
    follow-ups due or overdue, trainees without progress for two weeks.
    """
    from workspace_coach.coaching.digest import CoachDigest, coaches_for, render_html, send_digest
    from workspace_coach.coaching.needs import needs_this_week
    from workspace_coach.storage.clients import all_clients
    from workspace_coach.storage.db import make_engine
    from workspace_coach.storage.migrations import upgrade

    if lang not in (None, "ko", "en"):
        raise UserError(f"--lang {lang!r}: use ko or en (or leave it out for both)")
    day = dt.date.today()
    if today is not None:
        try:
            day = dt.date.fromisoformat(today)
        except ValueError:
            raise UserError(f"--today {today!r} is not a date (YYYY-MM-DD)") from None
    now = dt.datetime.combine(day, dt.time(23, 59), dt.UTC)
    profile = None
    if send:
        from workspace_coach.google.connection import load_profile

        profile = load_profile(connection)
    table = _assignments(coaches)
    fallback = coach or (profile.admin if profile else None)
    if not table and not fallback:
        raise UserError("no coach to write for: pass --coach EMAIL, or list coaches under "
                        "[coaches] in .streamlit/secrets.toml (or --coaches FILE) / 받는 코치가 "
                        "없습니다: --coach EMAIL을 주거나 [coaches]를 설정하세요")
    engine = make_engine()
    try:
        upgrade(engine)
        with engine.connect() as conn:
            clients = all_clients(conn)
            per_coach = coaches_for(clients, table, fallback if not table else coach)
            if not per_coach:
                raise UserError(f"{coach} is not listed under [coaches] / [coaches]에 없는 "
                                "코치입니다")
            digests = [CoachDigest(email, day, needs_this_week(conn, mine, today=day, now=now))
                       for email, mine in per_coach.items()]
    finally:
        engine.dispose()
    out.mkdir(parents=True, exist_ok=True)
    for item in digests:
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in item.coach)
        path = out / f"digest-{safe}-{day.isoformat()}.html"
        path.write_text(render_html(item, lang), encoding="utf-8")  # type: ignore[arg-type]
        count = sum(len(c.items) for c in item.clients)
        console.print(f"[bold]{escape(item.coach)}[/]: {count} items, "
                      f"{len(item.clients)} clients → {escape(str(path))}")
        if send:
            sent = send_digest(profile, item, lang)  # type: ignore[arg-type]
            console.print(f"  mailed / 메일 발송: message {escape(str(sent.get('id')))}")
