"""Usage figures derived from the `events` table: the same rows `activities.list` serves.

Nothing here is stored separately, so usage and activities cannot disagree: a user with a Drive
`create` event on a (Pacific) day has `drive:num_items_created` >= 1 for that day. Account state
(suspended, admin, names, creation time) comes from the directory as it is now; 2SV enrolment,
last login and authorised apps are replayed from login and token events up to the date; password
strength is the one judged when the password was set, and less-secure-app access is the person's
own switch (see `actions.py`).

Values are typed like Google types them: `bool` -> boolValue, `int` -> intValue, `Stamp` ->
datetimeValue, `str` -> stringValue.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from workspace_coach.sandbox.events import rfc3339
from workspace_coach.sandbox.store import Store
from workspace_coach.timezones import PACIFIC

EPOCH = "1970-01-01T00:00:00.000Z"
TOTAL_QUOTA_MB = 30720


class Stamp(str):
    """An RFC 3339 instant, rendered as datetimeValue."""


USER_APPS = ("accounts", "gmail", "drive", "chat")
CUSTOMER_APPS = ("accounts", "gmail", "drive", "chat", "meet", "calendar")

DOC_KINDS = (("document", "documents"), ("spreadsheet", "spreadsheets"),
             ("presentation", "presentations"), ("form", "forms"))


#: One day's events of a tenant: SQLite's planner otherwise picks the (tenant, app, actor) index
#: for these grouped queries and reads every event the application ever had, hundreds of times
#: slower once a tenant holds months of activity.
ONE_DAY = "INDEXED BY events_day"


def _start(day: date) -> str:
    """Pacific midnight of `day` as a UTC RFC 3339 string (comparable with `events.time`)."""
    return rfc3339(datetime(day.year, day.month, day.day, tzinfo=PACIFIC))


def _window(day: date, span: int) -> tuple[str, str]:
    return _start(day - timedelta(days=span - 1)), _start(day + timedelta(days=1))


def _actor_clause(actor_ids: list[str] | None) -> tuple[str, list[str]]:
    if actor_ids is None:
        return "", []
    return f" AND actor_id IN ({','.join('?' * len(actor_ids))})", list(actor_ids)


# -- per user -------------------------------------------------------------------------------------

def user_figures(store: Store, tenant: str, day: date, users: list[dict[str, Any]],
                 apps: set[str]) -> dict[str, dict[str, Any]]:
    """Figures per user id for the Pacific `day`, only for `apps`."""
    ids = [u["id"] for u in users] if len(users) <= 50 else None
    out: dict[str, dict[str, Any]] = {u["id"]: {} for u in users}
    if "accounts" in apps:
        _accounts(store, tenant, day, users, ids, out)
    if "gmail" in apps or "drive" in apps:
        _daily(store, tenant, day, ids, out, apps)
    if "gmail" in apps:
        _gmail_history(store, tenant, day, ids, out)
    if "drive" in apps:
        _drive_history(store, tenant, day, ids, out)
    if "chat" in apps:
        _chat(store, tenant, day, ids, out)
    return out


def _accounts(store: Store, tenant: str, day: date, users: list[dict[str, Any]],
              ids: list[str] | None, out: dict[str, dict[str, Any]]) -> None:
    clause, args = _actor_clause(ids)
    end = _start(day + timedelta(days=1))
    last: dict[tuple[str, str], str] = {
        key: when for key, (when,) in _history(
            store, tenant, "login", day, ids, ("actor_id", "name"), "MAX(time)",
            " AND name IN ('login_success','2sv_enroll','2sv_disable')").items()}
    first_2sv: dict[str, tuple[str, str]] = {}
    for actor, name, when in store.execute(
            "SELECT actor_id, name, MIN(time) FROM events WHERE tenant=? AND app='login' AND "
            "name IN ('2sv_enroll','2sv_disable')" + clause + " GROUP BY 1, 2", [tenant, *args]):
        if actor not in first_2sv or when < first_2sv[actor][1]:
            first_2sv[actor] = (name, when)
    grants: dict[tuple[str, str], tuple[str, str]] = {}
    totals = _history(store, tenant, "token", day, ids,
                      ("actor_id", "json_extract(params, '$.client_id')", "name"), "MAX(time)")
    # in SQL's GROUP BY order, so that of two answers at one instant the same one counts
    for (actor, client, name), (when,) in sorted(
            totals.items(), key=lambda item: tuple(v or "" for v in item[0])):
        if (actor, client) not in grants or when > grants[(actor, client)][1]:
            grants[(actor, client)] = (name, when)
    apps: dict[str, int] = defaultdict(int)
    for (actor, _), (name, _) in grants.items():
        if name == "authorize":
            apps[actor] += 1
    domain_of = {u["id"]: u["primaryEmail"].split("@")[1] for u in users}
    from workspace_coach.sandbox.simulator.actions import less_secure_apps_allowed

    less_secure = less_secure_apps_allowed(store, tenant)
    strength = {uid: json.loads(data).get("strength", "STRONG") for uid, data in store.execute(
        "SELECT id, data FROM objects WHERE kind='password' AND tenant=?", (tenant,))}
    for user in users:
        uid = user["id"]
        enrol, disable = last.get((uid, "2sv_enroll"), ""), last.get((uid, "2sv_disable"), "")
        if enrol or disable:
            enrolled = enrol > disable
        elif uid in first_2sv:
            enrolled = first_2sv[uid][0] == "2sv_disable"
        else:
            enrolled = bool(user.get("isEnrolledIn2Sv"))
        login = last.get((uid, "login_success"))
        if login is None:
            login = user.get("lastLoginTime") or EPOCH
            login = login if login < end else EPOCH
        name = user.get("name", {})
        figures = out[uid]
        figures.update({
            "accounts:is_2sv_enrolled": enrolled,
            "accounts:is_2sv_enforced": bool(user.get("isEnforcedIn2Sv")),
            "accounts:is_suspended": bool(user.get("suspended")),
            "accounts:is_archived": bool(user.get("archived")),
            "accounts:disabled": False,
            "accounts:is_super_admin": bool(user.get("isAdmin")),
            "accounts:is_delegated_admin": bool(user.get("isDelegatedAdmin")),
            "accounts:is_less_secure_apps_access_allowed": uid in less_secure,
            "accounts:num_authorized_apps": apps.get(uid, 0),
            "accounts:num_security_keys": 0,
            "accounts:num_passkeys_enrolled": 0,
            "accounts:password_strength": strength.get(uid, "STRONG"),
            "accounts:first_name": name.get("givenName", ""),
            "accounts:last_name": name.get("familyName", ""),
            "accounts:admin_set_name": name.get("fullName", ""),
            "accounts:domain_name": domain_of[uid],
            "accounts:timestamp_creation": Stamp(user.get("creationTime", EPOCH)),
            "accounts:timestamp_last_login": Stamp(login),
            "accounts:total_quota_in_mb": TOTAL_QUOTA_MB,
        })


def _daily(store: Store, tenant: str, day: date, ids: list[str] | None,
           out: dict[str, dict[str, Any]], apps: set[str]) -> None:
    clause, args = _actor_clause(ids)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for actor, app, name, kind, change, n, sent, received in store.execute(
            "SELECT actor_id, app, name, json_extract(params, '$.doc_type'), "
            "json_extract(params, '$.visibility_change'), COUNT(*), "
            "SUM(json_extract(params, '$.num_emails_sent')), "
            "SUM(json_extract(params, '$.num_emails_received')) FROM events "
            f"{ONE_DAY} WHERE tenant=? AND day=? AND app IN ('gmail', 'drive')" + clause + " GROUP BY 1, 2, 3, 4, 5",
            [tenant, day.isoformat(), *args]):
        c = counts[actor]
        if app == "gmail":
            c["sent"] += sent or 0
            c["received"] += received or 0
            continue
        c[name] += n
        c[f"{name}:{kind}"] += n
        if name == "change_user_access":
            c[f"share:{change}"] += n
        if name == "change_document_visibility":
            c["share:link"] += n
    for uid, figures in out.items():
        c = counts.get(uid, {})
        if "gmail" in apps:
            figures.update({
                "gmail:num_emails_sent": c.get("sent", 0),
                "gmail:num_emails_received": c.get("received", 0),
                "gmail:num_emails_exchanged": c.get("sent", 0) + c.get("received", 0),
            })
        if "drive" not in apps:
            continue
        figures.update({
            "drive:num_items_created": c.get("create", 0) + c.get("upload", 0),
            "drive:num_items_edited": c.get("edit", 0),
            "drive:num_items_viewed": c.get("view", 0),
            "drive:num_items_commented": c.get("create_comment", 0),
        })
        for kind, plural in DOC_KINDS:
            figures[f"drive:num_google_{plural}_created"] = c.get(f"create:{kind}", 0)
            if kind != "form":
                figures[f"drive:num_google_{plural}_edited"] = c.get(f"edit:{kind}", 0)
                figures[f"drive:num_google_{plural}_viewed"] = c.get(f"view:{kind}", 0)
        figures.update({
            "drive:num_owned_items_with_visibility_shared_externally_added":
                c.get("share:external", 0),
            "drive:num_owned_items_with_visibility_shared_internally_added":
                c.get("share:internal", 0),
            "drive:num_owned_items_with_visibility_anyone_with_link_added":
                c.get("share:link", 0),
        })


def _gmail_history(store: Store, tenant: str, day: date, ids: list[str] | None,
                   out: dict[str, dict[str, Any]]) -> None:
    rows = {actor: (last, received) for (actor,), (last, received) in _history(
        store, tenant, "gmail", day, ids, ("actor_id",),
        "MAX(CASE WHEN json_extract(params, '$.interacted') THEN time END), "
        "SUM(json_extract(params, '$.num_emails_received'))").items()}
    for uid, figures in out.items():
        last, received = rows.get(uid, (None, 0))
        stamp = Stamp(last or EPOCH)
        figures.update({"gmail:timestamp_last_interaction": stamp,
                        "gmail:timestamp_last_access": stamp,
                        "gmail:timestamp_last_webmail": stamp})
        figures["accounts:gmail_used_quota_in_mb"] = 120 + int((received or 0) * 0.06)


def _drive_history(store: Store, tenant: str, day: date, ids: list[str] | None,
                   out: dict[str, dict[str, Any]]) -> None:
    rows = {actor: (last, created, uploaded) for (actor,), (last, created, uploaded) in _history(
        store, tenant, "drive", day, ids, ("actor_id",),
        "MAX(time), SUM(name='create'), SUM(name='upload')").items()}
    for uid, figures in out.items():
        last, created, uploaded = rows.get(uid, (None, 0, 0))
        figures["drive:timestamp_last_active_usage"] = Stamp(last or EPOCH)
        drive_mb = int((created or 0) * 0.2 + (uploaded or 0) * 1.5)
        figures["accounts:drive_used_quota_in_mb"] = drive_mb
    for figures in out.values():
        if "accounts:gmail_used_quota_in_mb" in figures and "accounts:is_2sv_enrolled" in figures:
            used = figures["accounts:gmail_used_quota_in_mb"] + figures[
                "accounts:drive_used_quota_in_mb"]
            figures["accounts:used_quota_in_mb"] = used
            figures["accounts:used_quota_in_percentage"] = used * 100 // TOTAL_QUOTA_MB


def _chat(store: Store, tenant: str, day: date, ids: list[str] | None,
          out: dict[str, dict[str, Any]]) -> None:
    clause, args = _actor_clause(ids)
    begin, end = _window(day, 28)
    counts: dict[tuple[str, str], int] = {
        (actor, name): n for actor, name, n in store.execute(
            "SELECT actor_id, name, COUNT(*) FROM events WHERE tenant=? AND app='chat' AND "
            "time>=? AND time<?" + clause + " GROUP BY 1, 2", [tenant, begin, end, *args])}
    for uid, figures in out.items():
        figures["chat:num_28day_messages_and_reactions_sent"] = counts.get(
            (uid, "message_posted"), 0)
        figures["chat:num_28day_spaces_created"] = counts.get((uid, "room_created"), 0)


# -- history up to a date -------------------------------------------------------------------------

#: Days between the dates whose history totals are kept (`_history`).
STEP = 7


def _history(store: Store, tenant: str, app: str, day: date, ids: list[str] | None,
             columns: tuple[str, ...], aggregates: str, where: str = ""
             ) -> dict[tuple, tuple]:
    """Per group of `columns`, `aggregates` (MAX first, then only SUMs) over the tenant's `app`
    events up to the end of the Pacific `day`, filtered by `where`.

    For everyone (no `ids`) the totals of every seventh date are kept (`Store.cached`), each built
    from the one before plus its week, and a date's totals are those plus the days since: a
    backfill asks for 180 dates, and reading the whole history for each would grow with the
    square of its length. MAX and SUM add up across weeks, which is why only they are allowed."""
    group, columns_sql = len(columns), ", ".join(columns)
    if ids is not None:
        clause, args = _actor_clause(ids)
        return _grouped(store.execute(
            f"SELECT {columns_sql}, {aggregates} FROM events WHERE tenant=? AND app=? AND "
            f"time<?{where}{clause} GROUP BY {columns_sql}",
            [tenant, app, _start(day + timedelta(days=1)), *args]), group)
    first = store.execute("SELECT day FROM events WHERE tenant=? AND app=? ORDER BY time "
                          "LIMIT 1", (tenant, app)).fetchone()
    if first is None:
        return {}
    oldest = date.fromisoformat(first[0])

    def between(after: date, upto: date) -> dict[tuple, tuple]:
        """The totals of the days after `after` up to `upto`."""
        return _grouped(store.execute(
            f"SELECT {columns_sql}, {aggregates} FROM events WHERE tenant=? AND app=? AND "
            f"time>=? AND time<?{where} GROUP BY {columns_sql}",
            (tenant, app, _start(after + timedelta(days=1)), _start(upto + timedelta(days=1)))),
            group)

    # the weeks oldest first, each cached total built on the one before (a loop, not
    # recursion: a tenant may hold years of events); weeks already cached are only looked up
    mark = day - timedelta(days=day.toordinal() % STEP)
    first_mark = oldest + timedelta(days=-oldest.toordinal() % STEP)
    weight = 1 + store.count("user", tenant) // 20  # a short tuple per person, for everyone
    total: dict[tuple, tuple] = {}
    week = first_mark
    while week <= mark:
        total = store.cached(
            (tenant, week.isoformat(), ("history", app, columns, aggregates, where)),
            lambda before=total, end=week: _add(before, between(end - timedelta(days=STEP), end)),
            weight=weight)
        week += timedelta(days=STEP)
    return _add(total, between(mark, day)) if mark < day else total


def _grouped(rows: Any, group: int) -> dict[tuple, tuple]:
    return {tuple(row[:group]): tuple(row[group:]) for row in rows}


def _add(base: dict[tuple, tuple], more: dict[tuple, tuple]) -> dict[tuple, tuple]:
    """`base` and `more` together: the larger MAX (the first value), the sum of the rest."""
    if not more:
        return base
    out = dict(base)
    for key, (top, *sums) in more.items():
        have = out.get(key)
        if have is None:
            out[key] = (top, *sums)
        else:
            tops = [t for t in (have[0], top) if t is not None]
            out[key] = (max(tops) if tops else None,
                        *(a + (b or 0) if a is not None else b for a, b in zip(
                            have[1:], sums, strict=True)))
    return out


# -- per customer ---------------------------------------------------------------------------------

_ACTIVE = {  # what makes a user count as active in an app
    "login": ("login_success",), "drive": None, "chat": ("message_posted", "room_created"),
    "meet": ("call_ended",), "calendar": None, "gmail": ("email_summary",),
}


def _active_on(store: Store, tenant: str, day: date, people: int
               ) -> dict[str, frozenset[str]]:
    """Users active per app (and per Drive event name, as `drive:<name>`) on `day` alone.

    Kept per date (`Store.cached`): each customer report needs the last 30 days of these, and a
    backfill of many dates would otherwise read every day's events thirty times."""
    def compute() -> dict[str, frozenset[str]]:
        active: dict[str, set[str]] = defaultdict(set)
        for app, name, actor in store.execute(
                f"SELECT DISTINCT app, name, actor_id FROM events {ONE_DAY} WHERE tenant=? AND "
                "day=? AND app IN ('login','drive','chat','meet','calendar','gmail') "
                "AND (app != 'gmail' OR json_extract(params, '$.interacted'))",
                (tenant, day.isoformat())):
            names = _ACTIVE[app]
            if names is not None and name not in names:
                continue
            active[app].add(actor)
            if app == "drive":
                active[f"drive:{name}"].add(actor)
        return {key: frozenset(actors) for key, actors in active.items()}

    # a day's sets hold about a tenth of what one person's figures do, per person
    return store.cached((tenant, day.isoformat(), ("active",)), compute,
                        weight=1 + people // 10)


def _active_users(store: Store, tenant: str, day: date, spans: tuple[int, ...], people: int
                  ) -> dict[int, dict[str, set[str]]]:
    """Users active per app in the windows of `spans` days ending with `day`."""
    windows: dict[int, dict[str, set[str]]] = {span: defaultdict(set) for span in spans}
    for back in range(max(spans)):
        for key, actors in _active_on(store, tenant, day - timedelta(days=back), people).items():
            for span, active in windows.items():
                if back < span:
                    active[key] |= actors
    return windows


def customer_figures(store: Store, tenant: str, day: date, users: list[dict[str, Any]],
                     apps: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    windows = _active_users(store, tenant, day, (1, 7, 28, 30), len(users))
    one = windows[1]
    if "accounts" in apps:
        per_user = user_figures(store, tenant, day, users, {"accounts"})
        out.update({
            "accounts:num_users": len(users),
            "accounts:num_suspended_users": sum(bool(u.get("suspended")) for u in users),
            "accounts:num_1day_logins": len(one["login"]),
            "accounts:num_7day_logins": len(windows[7]["login"]),
            "accounts:num_30day_logins": len(windows[30]["login"]),
            "accounts:num_users_2sv_enrolled": sum(
                f["accounts:is_2sv_enrolled"] for f in per_user.values()),
            "accounts:num_users_2sv_enforced": sum(
                f["accounts:is_2sv_enforced"] for f in per_user.values()),
            "accounts:num_authorized_apps": sum(
                f["accounts:num_authorized_apps"] for f in per_user.values()),
        })
    if "gmail" in apps or "drive" in apps:
        # the customer sums are of one day's counts: the per-person history is not needed
        per_user = {u["id"]: {} for u in users}
        _daily(store, tenant, day, None, per_user, {"gmail", "drive"} & apps)
        for app in ("gmail", "drive"):
            if app not in apps:
                continue
            for name in ("num_emails_sent", "num_emails_received", "num_emails_exchanged",
                         "num_items_created", "num_items_edited", "num_items_viewed",
                         "num_owned_items_with_visibility_shared_externally_added",
                         "num_owned_items_with_visibility_anyone_with_link_added"):
                key = f"{app}:{name}"
                if any(key in f for f in per_user.values()):
                    out[key] = sum(f.get(key, 0) for f in per_user.values())
    for app in ("gmail", "drive", "calendar", "meet"):
        if app in apps:
            out[f"{app}:num_1day_active_users"] = len(one[app])
            out[f"{app}:num_7day_active_users"] = len(windows[7][app])
            out[f"{app}:num_30day_active_users"] = len(windows[30][app])
    if "drive" in apps:
        out["drive:num_creators"] = len(one["drive:create"] | one["drive:upload"])
        out["drive:num_collaborators"] = len(one["drive:edit"] | one["drive:create_comment"])
        out["drive:num_consumers"] = len(one["drive:view"])
        out["drive:num_sharers"] = len(one["drive:change_user_access"]
                                       | one["drive:change_document_visibility"])
    if "chat" in apps:
        out.update(_chat_customer(store, tenant, day, windows))
    if "meet" in apps:
        out.update(_meet_customer(store, tenant, day))
    return out


def _chat_customer(store: Store, tenant: str, day: date,
                   windows: dict[int, dict[str, set[str]]]) -> dict[str, int]:
    posted = spaces = 0
    rooms: set[str] = set()
    for name, room, n in store.execute(
            "SELECT name, json_extract(params, '$.room_id'), COUNT(*) FROM events "
            f"{ONE_DAY} WHERE tenant=? AND app='chat' AND day=? GROUP BY 1, 2", (tenant, day.isoformat())):
        rooms.add(room)
        if name == "message_posted":
            posted += n
        elif name == "room_created":
            spaces += n
    return {
        "chat:num_1day_messages_posted": posted,
        "chat:num_1day_created_spaces": spaces,
        "chat:num_1day_active_spaces": len(rooms),
        "chat:num_1day_communicator_users": len(windows[1]["chat"]),
        "chat:num_7day_communicator_users": len(windows[7]["chat"]),
        "chat:num_28day_communicator_users": len(windows[28]["chat"]),
    }


def _meet_customer(store: Store, tenant: str, day: date) -> dict[str, int]:
    calls = {"android": 0, "ios": 0, "web": 0}
    call_seconds = 0
    meetings: dict[str, list[int]] = defaultdict(list)
    for conference, device, seconds in store.execute(
            "SELECT json_extract(params, '$.conference_id'), json_extract(params, "
            "'$.device_type'), json_extract(params, '$.duration_seconds') FROM events "
            f"{ONE_DAY} WHERE tenant=? AND app='meet' AND day=? AND name='call_ended'", (tenant, day.isoformat())):
        calls[device if device in calls else "web"] += 1
        call_seconds += seconds or 0
        meetings[conference].append(seconds or 0)
    meeting_minutes = sum(max(v) for v in meetings.values()) // 60
    return {
        "meet:num_calls": sum(calls.values()),
        "meet:num_calls_android": calls["android"],
        "meet:num_calls_ios": calls["ios"],
        "meet:num_calls_web": calls["web"],
        "meet:total_call_minutes": call_seconds // 60,
        "meet:num_meetings": len(meetings),
        "meet:total_meeting_minutes": meeting_minutes,
        "meet:average_meeting_minutes": meeting_minutes // len(meetings) if meetings else 0,
        "meet:lonely_meetings": sum(len(v) == 1 for v in meetings.values()),
    }


def first_data_day(store: Store, tenant: str) -> str | None:
    """The earliest Pacific day with any activity, or the tenant's creation day."""
    row = store.execute("SELECT MIN(day) FROM events WHERE tenant=?", (tenant,)).fetchone()
    return row[0] if row else None
