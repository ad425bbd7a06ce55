"""The weekly digest: the "needs you this week" list, and `digest --send` delivering one
message per coach to the sandbox's mailbox through the real Gmail client."""

from __future__ import annotations

import base64
import datetime as dt
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import googleapiclient.errors
import pytest
import requests
import sqlalchemy as sa

from tests.audit import stored
from tests.conftest import make_tenant
from workspace_coach.coaching.needs import needs_this_week
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.storage.clients import all_clients
from workspace_coach.storage.db import make_engine
from workspace_coach.storage.models import Client, CoachingSession, CurriculumMark, FollowUp

CLI = [sys.executable, "-m", "workspace_coach.cli.main"]
TODAY = stored.NEWEST + dt.timedelta(days=1)        # 2025-06-18, the day of stored.NOW
NOW = stored.NOW


def _follow_up(conn: sa.Connection, client_id: int, text: str, due: dt.date, now: dt.datetime,
               done: bool = False) -> None:
    session = conn.execute(sa.insert(CoachingSession).values(
        client_id=client_id, held_on=due - dt.timedelta(days=14), title="코칭", agenda=[],
        notes="", coach=None, created_at=now, updated_at=now).returning(CoachingSession.id)
    ).scalar_one()
    conn.execute(sa.insert(FollowUp).values(session_id=session, client_id=client_id, text=text,
                                            owner="admin@x.kr", due_on=due, done=done))


def build(engine: sa.Engine, now: dt.datetime = NOW) -> dict[str, int]:
    """haessal slipped (overall 72 → 60), has a new critical check and an overdue follow-up;
    saessak is steady, with one follow-up due this week and one long done; gureum needs
    nothing. Dates are relative to `now` (scores up to the day before)."""
    today, newest = now.date(), now.date() - dt.timedelta(days=1)
    stored.migrate(engine)
    with engine.begin() as conn:
        ids = {slug: stored.add_client(conn, slug, 20, display_name=name) for slug, name in
               (("haessal", "해살 협동조합"), ("saessak", "새싹 학교"), ("gureum", "구름 센터"))}
        week_ago = now - dt.timedelta(days=10)
        for slug, cid in ids.items():
            run = stored.add_run(conn, cid, started=now)
            before = stored.uniform(72.0)
            after = stored.uniform(60.0 if slug == "haessal" else 72.5)
            stored.add_scores(conn, cid, run, before, date=newest - dt.timedelta(days=7))
            stored.add_scores(conn, cid, run, after, date=newest)
            old = stored.add_run(conn, cid, started=week_ago)
            new = stored.add_run(conn, cid, started=now)
            stored.add_check(conn, cid, old, "admin-2sv", "critical", "pass")
            stored.add_check(conn, cid, old, "old-high", "high", "fail")
            stored.add_check(conn, cid, new, "admin-2sv", "critical",
                             "fail" if slug == "haessal" else "pass",
                             title=("관리자 2단계 인증", "Admin 2-Step Verification"),
                             affected=[{"id": "u1"}])
            stored.add_check(conn, cid, new, "old-high", "high", "fail")  # not new
        _follow_up(conn, ids["haessal"], "공유 드라이브 정리", today - dt.timedelta(days=3), now)
        _follow_up(conn, ids["saessak"], "2단계 인증 안내", today + dt.timedelta(days=4), now)
        _follow_up(conn, ids["saessak"], "이미 끝난 일", today - dt.timedelta(days=9), now,
                   done=True)
        # one trainee of saessak stuck, but saessak has no per-person consent and one person
        # is under its minimum group size: not reported
        conn.execute(sa.insert(CurriculumMark).values(
            client_id=ids["saessak"], track="basics", item_id="i1", person_email="p1@x.kr",
            kind="self", status="done", marked_by="p1@x.kr",
            marked_at=now - dt.timedelta(days=30)))
    return ids


def test_the_list_has_the_regression_new_critical_check_and_overdue_follow_up(engine):
    build(engine)
    with engine.connect() as conn:
        needs = needs_this_week(conn, all_clients(conn), today=TODAY, now=NOW)
    by_slug = {entry.client.slug: entry.items for entry in needs}
    assert set(by_slug) == {"haessal", "saessak"}
    haessal = by_slug["haessal"]
    kinds = [n.kind for n in haessal]
    assert kinds[:2] == ["overdue", "new_critical"]
    assert "regression" in kinds and "new_high" not in kinds
    assert {n.subject for n in haessal if n.kind == "regression"} >= {"overall", "security"}
    overdue = haessal[0]
    assert "공유 드라이브 정리" in overdue.text["ko"] and "3 days overdue" in overdue.text["en"]
    critical = haessal[1]
    assert critical.subject == "admin-2sv" and "Admin 2-Step Verification" in critical.text["en"]
    assert [n.kind for n in by_slug["saessak"]] == ["due"]


class _Items(HTMLParser):
    """(client slug, kind, subject) of every item of a digest page."""

    def __init__(self) -> None:
        super().__init__()
        self.client = ""
        self.items: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section":
            self.client = found.get("data-client") or ""
        if tag == "li" and "data-kind" in found:
            self.items.append((self.client, found["data-kind"] or "", found["data-subject"] or ""))


def _items(html: str) -> list[tuple[str, str, str]]:
    parser = _Items()
    parser.feed(html)
    return parser.items


def test_digest_send_mails_one_message_per_coach_matching_the_list(sandbox, tmp_path):
    db = tmp_path / "coach.sqlite3"
    engine = make_engine(f"sqlite:///{db}")
    build(engine)
    with engine.connect() as conn:
        expected = [(e.client.slug, n.kind, n.subject)
                    for e in needs_this_week(conn, all_clients(conn), today=TODAY, now=NOW)
                    for n in e.items]
    engine.dispose()
    coach_org = make_tenant(sandbox, tmp_path / "coach-org")
    second = f"mina@{coach_org.domain}"
    GoogleClients(coach_org, scopes.PROVISION).service("directory").users().insert(body={
        "primaryEmail": second, "password": "p" * 12,
        "name": {"givenName": "Mina", "familyName": "Kim"}}).execute()
    (tmp_path / "secrets.toml").write_text(
        f'[coaches]\n"{coach_org.admin}" = ["*"]\n"{second}" = ["saessak"]\n', encoding="utf-8")
    result = subprocess.run(
        [*CLI, "digest", "--send", "--connection", str(coach_org.source), "--coaches",
         str(tmp_path / "secrets.toml"), "--today", TODAY.isoformat(), "--out",
         str(tmp_path / "out")],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "WC_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "mailed" in result.stdout
    files = sorted((tmp_path / "out").glob("digest-*.html"))
    assert len(files) == 2

    mail = requests.get(f"{sandbox.url}_sandbox/tenants/{coach_org.domain}/mail",
                        timeout=10).json()["messages"]
    assert sorted(m["to"][0] for m in mail) == sorted([coach_org.admin, second])
    assert all(m["from"] == m["to"][0] and m["labelIds"] == ["SENT"] for m in mail)
    by_coach = {m["to"][0]: m for m in mail}
    lead = by_coach[coach_org.admin]
    assert _items(lead["bodies"]["text/html"]) == expected
    assert "공유 드라이브 정리" in lead["bodies"]["text/plain"]
    assert _items(by_coach[second]["bodies"]["text/html"]) == [
        item for item in expected if item[0] == "saessak"]
    written = {p.read_text(encoding="utf-8") for p in files}
    assert lead["bodies"]["text/html"].strip() in {w.strip() for w in written}


def test_gmail_send_follows_googles_rules(tenant):
    gmail = GoogleClients(tenant, scopes.MAIL_SEND).service("gmail")
    with pytest.raises(googleapiclient.errors.HttpError) as empty:
        gmail.users().messages().send(userId="me", body={}).execute()
    assert empty.value.resp.status == 400 and "'raw' RFC822 payload" in str(empty.value)
    no_to = base64.urlsafe_b64encode(b"Subject: hi\r\n\r\nbody").decode()
    with pytest.raises(googleapiclient.errors.HttpError) as missing:
        gmail.users().messages().send(userId="me", body={"raw": no_to}).execute()
    assert "Recipient address required" in str(missing.value)
    with pytest.raises(googleapiclient.errors.HttpError) as other:
        gmail.users().messages().send(userId=f"else@{tenant.domain}",
                                      body={"raw": no_to}).execute()
    assert other.value.resp.status == 403 and "Delegation denied" in str(other.value)
    reader = GoogleClients(tenant, scopes.SHEETS_READ).service("gmail")
    with pytest.raises(googleapiclient.errors.HttpError) as scope:
        reader.users().messages().send(userId="me", body={"raw": no_to}).execute()
    assert scope.value.resp.status == 403
    ok = base64.urlsafe_b64encode(f"To: {tenant.admin}\r\nSubject: hi\r\n\r\nbody".encode())
    sent = gmail.users().messages().send(userId="me", body={"raw": ok.decode()}).execute()
    assert sent["labelIds"] == ["SENT"] and sent["id"] == sent["threadId"]


def test_digest_without_a_coach_is_one_line(tmp_path):
    result = subprocess.run([*CLI, "digest", "--coaches", str(tmp_path / "none.toml")],
                            capture_output=True, text=True, timeout=120,
                            env={**os.environ, "WC_DATA_DIR": str(tmp_path), "WC_DATABASE_URL": "",
                                 "HOME": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.strip().startswith("error: --coaches")
    assert len(result.stderr.strip().splitlines()) == 1
    assert Path(tmp_path).exists()


def test_connection_check_knows_the_digest_mail_capability(tenant):
    from workspace_coach.google.check import check_connection

    report = check_connection(tenant, ("digest-mail",))
    rows = {row.id: row.status for row in report.rows}
    assert rows["api:gmail.googleapis.com"] == "pass", report.rows
    assert report.ok, [r for r in report.rows if r.status == "fail"]
    # the probe sends no message: the mailbox stays empty
    root = tenant.endpoint
    assert requests.get(f"{root}_sandbox/tenants/{tenant.domain}/mail", timeout=10).json() == {
        "messages": []}


def test_gmail_send_through_the_media_upload_paths(tenant):
    # google-api-python-client keeps https for upload URLs when the endpoint is overridden
    # (discovery._fix_up_media_path_base_url swaps the host only), so it cannot reach a plain
    # http sandbox there; the paths are exercised with the same credentials over HTTP.
    from google.auth.transport.requests import AuthorizedSession

    http = AuthorizedSession(GoogleClients(tenant, scopes.MAIL_SEND).credentials)
    url = f"{tenant.endpoint}upload/gmail/v1/users/me/messages/send"
    message = (f"To: {tenant.admin}\r\nSubject: upload\r\nContent-Type: text/plain; "
               "charset=utf-8\r\n\r\n본문").encode()
    alone = http.post(url, params={"uploadType": "media"}, data=message,
                      headers={"Content-Type": "message/rfc822"}, timeout=10)
    assert alone.status_code == 200, alone.text
    boundary = "===b==="
    related = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
               '{"threadId": "t1"}\r\n'
               f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n").encode() \
        + message + f"\r\n--{boundary}--".encode()
    both = http.post(url, params={"uploadType": "multipart"}, data=related, timeout=10,
                     headers={"Content-Type": f'multipart/related; boundary="{boundary}"'})
    assert both.status_code == 200, both.text
    assert alone.json()["labelIds"] == both.json()["labelIds"] == ["SENT"]
    mail = requests.get(f"{tenant.endpoint}_sandbox/tenants/{tenant.domain}/mail",
                        timeout=10).json()["messages"]
    assert [m["subject"] for m in mail] == ["upload", "upload"]
    assert mail[0]["bodies"]["text/plain"].strip() == "본문"
    empty = http.post(url, params={"uploadType": "media"}, data=b"",
                      headers={"Content-Type": "message/rfc822"}, timeout=10)
    assert empty.status_code == 400 and "'raw' RFC822 payload" in empty.text


def test_stuck_trainees_are_named_only_with_consent(engine):
    stored.migrate(engine)
    with engine.begin() as conn:
        consent = stored.add_client(conn, "consent", 20)
        counted = stored.add_client(conn, "counted", 20)
        conn.execute(sa.update(Client).where(Client.id == consent)
                     .values(per_person_insights=True))
        for cid, people in ((consent, 1), (counted, 5)):
            for n in range(people):
                conn.execute(sa.insert(CurriculumMark).values(
                    client_id=cid, track="basics", item_id="i1", person_email=f"p{n}@x.kr",
                    kind="self", status="done", marked_by=f"p{n}@x.kr",
                    marked_at=NOW - dt.timedelta(days=15)))
        # a fresh mark: not stuck
        conn.execute(sa.insert(CurriculumMark).values(
            client_id=counted, track="basics", item_id="i1", person_email="new@x.kr",
            kind="self", status="done", marked_by="new@x.kr", marked_at=NOW))
    with engine.connect() as conn:
        needs = {e.client.slug: e.items for e in
                 needs_this_week(conn, all_clients(conn), today=TODAY, now=NOW)}
    assert needs["consent"][0].kind == "stuck" and "p0@x.kr" in needs["consent"][0].text["en"]
    counted_text = needs["counted"][0].text["en"]
    assert counted_text.startswith("5 people") and "@" not in counted_text
