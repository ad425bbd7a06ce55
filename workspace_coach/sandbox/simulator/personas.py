"""Personas: how one kind of person uses Workspace on an ordinary day.

Rates are per working day at full adoption; `adoption` (0..1, growing over time and jumping after
coaching) scales the collaborative habits (Drive creation and sharing, Meet, Chat, Calendar,
security hygiene), while mail and logins mostly follow presence.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    name: str
    label: str                 # what a coach would call this person
    presence: float            # chance of working on a working day
    weekend: float             # chance of touching Workspace on a weekend day or holiday
    emails_sent: float         # mean emails sent on an active day
    emails_received: float     # mean emails received per day (even when away)
    drive_create: float        # items created (Docs/Sheets/Slides/Forms) per active day
    drive_upload: float        # files uploaded
    drive_edit: float
    drive_view: float
    drive_comment: float
    drive_share: float         # sharing actions per active day
    shared_drive_share: float  # share of new items that live in a shared drive
    external_share: float      # chance a sharing action goes outside the domain
    public_link: float         # chance a sharing action opens a link to anyone
    meet_join: float           # chance to join a team meeting one is invited to
    meet_host: float           # meetings organised per active day
    video: float               # chance to send video in a call
    screen_share: float        # chance an organiser presents
    mobile: float              # share of sessions from a phone
    calendar_events: float     # personal calendar events created per active day
    chat_messages: float       # chat messages per active day
    chat_spaces: float         # spaces created per active day
    twosv_initial: float       # chance of being enrolled in 2SV before the simulation starts
    twosv_daily: float         # daily chance to enrol (times adoption)
    recovery_phone: float      # daily chance to add or change a recovery phone
    oauth_grant: float         # daily chance to authorise a third-party app
    login_failure: float       # chance of a failed login before a successful one
    adoption_start: float
    adoption_ceiling: float
    growth_days: float         # time constant of organic growth
    coachability: float        # how much one coaching session lifts adoption
    logs_in: bool = True


CHAMPION = Persona(
    "champion", "Champion: lives in Docs, Meet and Chat, shares with the team, 2SV early",
    presence=0.96, weekend=0.25, emails_sent=12, emails_received=35, drive_create=2.2,
    drive_upload=0.6, drive_edit=6.0, drive_view=9.0, drive_comment=1.5, drive_share=1.4,
    shared_drive_share=0.55, external_share=0.06, public_link=0.03, meet_join=0.9, meet_host=0.8,
    video=0.85, screen_share=0.6, mobile=0.35, calendar_events=1.2, chat_messages=14,
    chat_spaces=0.08, twosv_initial=0.9, twosv_daily=0.08, recovery_phone=0.01,
    oauth_grant=0.03, login_failure=0.03, adoption_start=0.75, adoption_ceiling=1.0,
    growth_days=30, coachability=0.15)

STEADY = Persona(
    "steady", "Steady adopter: uses the basics every day and picks up more over the weeks",
    presence=0.93, weekend=0.08, emails_sent=8, emails_received=28, drive_create=0.9,
    drive_upload=0.5, drive_edit=3.0, drive_view=5.0, drive_comment=0.5, drive_share=0.5,
    shared_drive_share=0.35, external_share=0.08, public_link=0.05, meet_join=0.75,
    meet_host=0.25, video=0.6, screen_share=0.35, mobile=0.2, calendar_events=0.5,
    chat_messages=5, chat_spaces=0.02, twosv_initial=0.6, twosv_daily=0.03,
    recovery_phone=0.006, oauth_grant=0.015, login_failure=0.05, adoption_start=0.4,
    adoption_ceiling=0.85, growth_days=45, coachability=0.25)

EMAIL_ONLY = Persona(
    "email_only", "Email-only: logs in for Gmail and attachments, rarely anything else",
    presence=0.9, weekend=0.05, emails_sent=10, emails_received=30, drive_create=0.08,
    drive_upload=0.5, drive_edit=0.3, drive_view=1.5, drive_comment=0.02, drive_share=0.1,
    shared_drive_share=0.05, external_share=0.25, public_link=0.2, meet_join=0.35,
    meet_host=0.02, video=0.2, screen_share=0.1, mobile=0.08, calendar_events=0.05,
    chat_messages=0.4, chat_spaces=0.0, twosv_initial=0.15, twosv_daily=0.006,
    recovery_phone=0.003, oauth_grant=0.004, login_failure=0.08, adoption_start=0.1,
    adoption_ceiling=0.45, growth_days=90, coachability=0.3)

RELUCTANT = Persona(
    "reluctant", "Reluctant: logs in some days, prefers paper and phone calls",
    presence=0.5, weekend=0.02, emails_sent=3, emails_received=20, drive_create=0.05,
    drive_upload=0.15, drive_edit=0.2, drive_view=0.8, drive_comment=0.01, drive_share=0.05,
    shared_drive_share=0.05, external_share=0.3, public_link=0.3, meet_join=0.2,
    meet_host=0.0, video=0.1, screen_share=0.05, mobile=0.05, calendar_events=0.02,
    chat_messages=0.1, chat_spaces=0.0, twosv_initial=0.05, twosv_daily=0.003,
    recovery_phone=0.001, oauth_grant=0.002, login_failure=0.15, adoption_start=0.05,
    adoption_ceiling=0.3, growth_days=120, coachability=0.35)

NEVER = Persona(
    "never", "Never logged in: the account exists, mail piles up unread",
    presence=0.0, weekend=0.0, emails_sent=0, emails_received=12, drive_create=0,
    drive_upload=0, drive_edit=0, drive_view=0, drive_comment=0, drive_share=0,
    shared_drive_share=0, external_share=0, public_link=0, meet_join=0, meet_host=0, video=0,
    screen_share=0, mobile=0, calendar_events=0, chat_messages=0, chat_spaces=0,
    twosv_initial=0, twosv_daily=0, recovery_phone=0, oauth_grant=0, login_failure=0,
    adoption_start=0, adoption_ceiling=0, growth_days=1, coachability=0, logs_in=False)

PERSONAS: dict[str, Persona] = {p.name: p for p in (CHAMPION, STEADY, EMAIL_ONLY, RELUCTANT,
                                                      NEVER)}
