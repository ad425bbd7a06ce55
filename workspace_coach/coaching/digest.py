"""The coach's weekly digest: what needs them at each client this week, as one HTML page in
Korean and English, written to a file or mailed to the coach.

The list is `needs.needs_this_week`, the same one the dashboard's Clients page shows at its top.
Which clients a coach gets comes from the dashboard's `[coaches]` table (`access.assignments`);
without one, a single coach gets every client.

Mailing (`send_digest`) goes through the Gmail API, `users.messages.send` as the coach
(`userId="me"`, the connection's subject replaced by the coach's address), with only the
`gmail.send` scope (capability `digest-mail`). The message is multipart/alternative: a plain-text
part for mail readers that show no HTML, and the HTML page itself.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from html import escape
from typing import Any, Literal

from workspace_coach.coaching.access import EVERY_CLIENT
from workspace_coach.coaching.needs import REGRESSION_POINTS, STUCK_DAYS, ClientNeeds
from workspace_coach.storage.clients import ClientInfo

Lang = Literal["ko", "en"]

UI: dict[str, dict[str, str]] = {
    "title": {"ko": "이번 주 확인할 일", "en": "Needs you this week"},
    "for": {"ko": "받는 코치", "en": "For"},
    "week_of": {"ko": "기준일", "en": "Week of"},
    "nothing": {"ko": "이번 주에는 확인할 일이 없습니다.", "en": "Nothing needs you this week."},
    "rules": {"ko": f"점수 하락은 1주 전보다 {REGRESSION_POINTS:g}점 이상 떨어진 경우, 새 점검은 1주 전 "
                    f"실행에서는 통과했던 심각·높음 점검, 교육생은 {STUCK_DAYS}일 넘게 체크리스트 "
                    "진도가 없는 경우입니다.",
              "en": f"A score dropped when it fell {REGRESSION_POINTS:g} points or more in a week; "
                    "a new check is a critical or high check that was not failing a week ago; "
                    f"trainees are stuck after {STUCK_DAYS} days without checklist progress."},
}

CSS = """
body { font-family: "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", system-ui,
       sans-serif; color: #222; max-width: 760px; margin: 0 auto; line-height: 1.5;
       word-break: keep-all; }
h1 { font-size: 20px; margin-bottom: 4px; } h2 { font-size: 16px; margin: 18px 0 6px;
   border-bottom: 2px solid #3b6fb6; }
.meta, .alt { color: #666; } .alt::before { content: " / "; }
ul { margin: 4px 0 0; padding-left: 18px; } li { margin-bottom: 4px; }
.kind { display: inline-block; border-radius: 4px; padding: 0 5px; font-size: 12px;
        color: #fff; background: #777; }
.k-overdue, .k-new_critical { background: #8e1b10; } .k-regression, .k-new_high
{ background: #c0392b; } .k-due { background: #d68910; } .k-stuck { background: #3b6fb6; }
.kind .alt { color: #eee; }
"""


@dataclass(frozen=True)
class CoachDigest:
    coach: str
    today: dt.date
    clients: list[ClientNeeds]

    @property
    def subject(self) -> str:
        count = sum(len(c.items) for c in self.clients)
        return (f"[Workspace Coach] 이번 주 확인할 일 {count}건 · Needs you this week "
                f"({self.today.isoformat()})")


def _t(text: Mapping[str, str], lang: Lang | None) -> str:
    if lang:
        return escape(text[lang])
    return f'{escape(text["ko"])}<span class="alt" lang="en">{escape(text["en"])}</span>'


def render_html(digest: CoachDigest, lang: Lang | None = None) -> str:
    """A self-contained page (no script, styles inline); every stored text escaped."""
    sections = []
    for entry in digest.clients:
        items = "".join(
            f'<li data-kind="{need.kind}" data-subject="{escape(need.subject)}">'
            f'<span class="kind k-{need.kind}">{_t(need.label, lang)}</span> '
            f"{_t(need.text, lang)}</li>" for need in entry.items)
        sections.append(f'<section data-client="{escape(entry.client.slug)}">'
                        f"<h2>{escape(entry.client.name)} <small class=\"meta\">"
                        f"{escape(entry.client.domain)}</small></h2><ul>{items}</ul></section>")
    body = "".join(sections) or f"<p>{_t(UI['nothing'], lang)}</p>"
    return ("<!doctype html>\n"
            f'<html lang="{lang or "ko"}"><head><meta charset="utf-8">'
            f"<title>{escape(digest.subject)}</title><style>{CSS}</style></head><body>"
            f"<h1>{_t(UI['title'], lang)}</h1>"
            f'<p class="meta">{_t(UI["for"], lang)} {escape(digest.coach)} · '
            f"{_t(UI['week_of'], lang)} {digest.today.isoformat()}</p>{body}"
            f'<p class="meta"><small>{_t(UI["rules"], lang)}</small></p></body></html>\n')


def render_text(digest: CoachDigest) -> str:
    """The same list as plain text (both languages), for the mail's text part."""
    lines = [(f"{UI['title']['ko']} / {UI['title']['en']} — {digest.coach}, "
              f"{digest.today.isoformat()}"), ""]
    if not digest.clients:
        lines.append(f"{UI['nothing']['ko']} / {UI['nothing']['en']}")
    for entry in digest.clients:
        lines.append(f"{entry.client.name} ({entry.client.domain})")
        for need in entry.items:
            lines.append(f"  - [{need.label['ko']} / {need.label['en']}] {need.text['ko']}")
            lines.append(f"    {need.text['en']}")
        lines.append("")
    return "\n".join(lines) + "\n"


def coaches_for(clients: Sequence[ClientInfo], assignments: Mapping[str, set[str]],
                coach: str | None = None) -> dict[str, list[ClientInfo]]:
    """{coach email: the clients they coach}. With no `[coaches]` table, `coach` gets every
    client; with one, `coach` (if given) narrows it to that coach."""
    if not assignments:
        return {coach: list(clients)} if coach else {}
    out = {}
    for email, slugs in sorted(assignments.items()):
        if coach and email != coach.strip().lower():
            continue
        out[email] = (list(clients) if EVERY_CLIENT in slugs
                      else [c for c in clients if c.slug in slugs])
    return out


def mime_message(digest: CoachDigest, lang: Lang | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = digest.coach
    message["To"] = digest.coach
    message["Subject"] = digest.subject
    message["Date"] = formatdate(localtime=False)
    message.set_content(render_text(digest))
    message.add_alternative(render_html(digest, lang), subtype="html")
    return message


def raw_message(message: EmailMessage) -> str:
    """The message as Gmail's `raw`: RFC 2822 bytes, base64url encoded."""
    return base64.urlsafe_b64encode(message.as_bytes()).decode("ascii")


def send_digest(profile: Any, digest: CoachDigest, lang: Lang | None = None, *,
                session: Any = None) -> dict[str, Any]:
    """Mail the digest to the coach, as the coach; Gmail's answer (`id`, `threadId`, ...).

    `profile` is the connection of the coach's own organisation; its subject is replaced by the
    coach, so the mail leaves from the coach's own mailbox."""
    from workspace_coach.google import scopes
    from workspace_coach.google.clients import GoogleClients
    from workspace_coach.google.session import GoogleSession

    if session is None:
        as_coach = profile.model_copy(update={"admin": digest.coach})
        session = GoogleSession(GoogleClients(as_coach, scopes.MAIL_SEND))
    request = session.service("gmail").users().messages().send(
        userId="me", body={"raw": raw_message(mime_message(digest, lang))})
    return session.execute(request, what=f"digest for {digest.coach}")
