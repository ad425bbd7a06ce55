"""Reports API audit log: `activities.list`.

Reads the sandbox's `events` table, newest first like Google: admin events written by every
directory mutation, and the user activity (login, drive, meet, calendar, chat, token) the
simulator writes. Paging is keyset-based on (time, row): a page token holds the position of the
last event served, so a page costs the same at 10 thousand or 10 million events and pages stay
stable while new events arrive. A page is written straight as JSON text (a page of 1,000 is
about 800 kB); `fields=` parses it back. Parameters render typed: strings as `value`, integers as `intValue`, booleans as
`boolValue`, lists as `multiValue` / `multiIntValue`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import timedelta
from json.encoder import encode_basestring as _str  # the escaping json.dumps uses
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.events import rfc3339
from workspace_coach.sandbox.resources import Call, RenderedJson, handles
from workspace_coach.sandbox.resources.reports_usage import scoped_users
from workspace_coach.sandbox.simulator import clock

SERVED = frozenset({"login", "drive", "admin", "meet", "calendar", "chat", "token"})
RETENTION_DAYS = 180
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[-+]\d{2}:\d{2})$")
FILTER_RE = re.compile(r"^([A-Za-z0-9_]+)(==|<>|<=|>=|<|>)(.*)$")
TOKEN_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
TOKEN_KEY = b"wc-sandbox-activities"  # not a secret: it only tells our tokens from others
BATCH = 500  # rows read at a time when filters are applied here rather than in SQL
COLUMNS = "id, time, actor, actor_id, event_type, name, params, ip, unique_key"


def _time(call: Call, name: str) -> str | None:
    raw = call.params.get(name)
    if raw is None:
        return None
    if not TIME_RE.match(raw):
        raise errors.invalid(f"Invalid value '{raw}'. Values must match the following regular "
                             "expression: '(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)T(\\d\\d):(\\d\\d):"
                             "(\\d\\d)(?:\\.(\\d+))?(?:(Z)|([-+])(\\d\\d):(\\d\\d))'",
                             location=name, locationType="parameter")
    return rfc3339(clock.parse_instant(raw))


def _filters(raw: str | None) -> list[tuple[str, str, str]]:
    if not raw:
        return []
    out = []
    for item in raw.split(","):
        found = FILTER_RE.match(item.strip())
        if not found:
            raise errors.invalid(f"Invalid value '{raw}'. Values must match the following "
                                 "regular expression: '(.+[<,<=,==,>=,>,<>].+,)*"
                                 "(.+[<,<=,==,>=,>,<>].+)'",
                                 location="filters", locationType="parameter")
        out.append((found.group(1), found.group(2), found.group(3)))
    return out


def _compare(value: Any, op: str, raw: str) -> bool:
    if isinstance(value, list):
        hits = [_compare(v, "==", raw) for v in value]
        return any(hits) if op == "==" else (not any(hits) if op == "<>" else False)
    if isinstance(value, bool):
        value, raw_value = str(value).lower(), raw.lower()
    elif isinstance(value, int):
        try:
            raw_value = int(raw)
        except ValueError:
            return False
    else:
        value, raw_value = str(value), raw
    return {"==": value == raw_value, "<>": value != raw_value, "<": value < raw_value,
            "<=": value <= raw_value, ">": value > raw_value, ">=": value >= raw_value}[op]


def _keep(params: dict[str, Any], rules: list[tuple[str, str, str]]) -> bool:
    return all(name in params and _compare(params[name], op, raw) for name, op, raw in rules)


def _parameters(params: dict[str, Any]) -> str:
    """The typed `parameters` list as JSON text, exactly as `json.dumps` would write it."""
    out = []
    for name, value in params.items():
        head = _HEADS.get(name) or _head(name)
        kind = type(value)
        if kind is str:
            out.append(head + '"value": ' + _str(value) + "}")
        elif kind is bool:
            out.append(head + ('"boolValue": true}' if value else '"boolValue": false}'))
        elif kind is int:
            out.append(head + '"intValue": "' + str(value) + '"}')
        elif kind is list and value and all(isinstance(v, int) for v in value):
            out.append(head + '"multiIntValue": [' + ", ".join(_str(str(v)) for v in value)
                       + "]}")
        elif kind is list:
            out.append(head + '"multiValue": [' + ", ".join(_str(str(v)) for v in value) + "]}")
        elif value is not None:
            out.append(head + '"value": ' + _str(str(value)) + "}")
    return "[" + ", ".join(out) + "]"


_HEADS: dict[str, str] = {}


def _head(name: str) -> str:
    head = '{"name": ' + _str(name) + ", "
    if len(_HEADS) < 4096:  # parameter names are few; the bound only guards odd input
        _HEADS[name] = head
    return head


def _qualifier(row_id: int, unique_key: str | None) -> str:
    seed = unique_key or f"row:{row_id}"
    return str(int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big") >> 1)


def _item_etag(row_id: int, unique_key: str | None, time: str, actor_id: str) -> str:
    """An activity's etag from the identity of the event row it renders (rows never change)
    and the one looked-up field (the actor's profile id): as opaque and stable as hashing the
    rendered item, without hashing every item of every page again."""
    seed = f"{row_id}\x1f{unique_key}\x1f{time}\x1f{actor_id}"
    digest = hashlib.sha1(seed.encode()).digest()
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


# -- page tokens: the position of the last event served, so a page costs the same anywhere ------

def _token(time: str, row_id: int) -> str:
    position = f"a:{time}:{row_id}"
    return base64.urlsafe_b64encode(f"{position}:{_check(position)}".encode()).decode()


def _untoken(token: str) -> tuple[str, int]:
    """The (time, row) a token of ours points after; anything else is Google's 400."""
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
        position, check = text.rsplit(":", 1)
        kind, rest = position.split(":", 1)
        time, row = rest.rsplit(":", 1)
        if kind == "a" and TOKEN_TIME_RE.match(time) and row.isdigit() and (
                hmac.compare_digest(check, _check(position))):
            return time, int(row)
    except (ValueError, UnicodeError):
        pass
    raise errors.invalid("Invalid page token")


def _check(position: str) -> str:
    """A short digest that makes an edited or invented token fail like a foreign one."""
    return hashlib.blake2b(position.encode(), key=TOKEN_KEY, digest_size=6).hexdigest()


@handles("reports.activities.list")
def list_activities(call: Call) -> RenderedJson:
    call.resolve_customer(call.params.get("customerId"))
    app = call.params["applicationName"]
    now = clock.now(call.store)
    end = _time(call, "endTime") or rfc3339(now)
    start = _time(call, "startTime") or rfc3339(now - timedelta(days=RETENTION_DAYS))
    if start > end:
        raise errors.invalid("Invalid request: Start time is after end time.")
    end = min(end, rfc3339(now))
    rules = _filters(call.params.get("filters"))
    size = call.params.get("maxResults", 1000)
    after: tuple[str, int] | None = None
    if call.params.get("pageToken"):
        after = _untoken(call.params["pageToken"])
    where = "tenant=? AND app=? AND time>=? AND time<=?"
    args: list[Any] = [call.tenant_id, app, start, end]
    if call.params.get("eventName"):
        where += " AND name=?"
        args.append(call.params["eventName"])
    if call.params.get("actorIpAddress"):
        where += " AND ip=?"
        args.append(call.params["actorIpAddress"])
    scoped = (call.params.get("userKey", "all") != "all" or call.params.get("orgUnitID")
              or call.params.get("groupIdFilter"))
    actors: dict[str, str] | None = None
    if scoped:
        actors = {u["primaryEmail"]: u["id"] for u in scoped_users(call)}
        if len(actors) <= 200:
            where += f" AND actor IN ({','.join('?' * len(actors))})"
            args.extend(actors)
    rows: list[tuple] = []
    more = False
    if app in SERVED:
        rows, more = _matching_rows(call, where, args, after, rules, actors, size)
    items = _render(call, rows)
    token = _token(rows[-1][1], rows[-1][0]) if more else None
    # the page's etag from its items' etags: content-derived like the items', computed once
    digest = hashlib.sha1("\x1f".join([*(tag for _, tag in items), token or ""]).encode())
    etag = '"' + base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=") + '"'
    # One join of UTF-8 pieces: a page is about 800 kB, and each extra concatenation (or a
    # str of it, wide for its Korean titles, then encoded) copies all of it again.
    parts = [b'{"kind": "admin#reports#activities"']
    if items:
        parts.append(b', "items": [')
        parts.append(b", ".join(item.encode() for item, _ in items))
        parts.append(b"]")
    if token:
        parts.append(b', "nextPageToken": ' + _str(token).encode())
    parts.append(b', "etag": ' + _str(etag).encode() + b"}")
    return RenderedJson(b"".join(parts))


def _matching_rows(call: Call, where: str, args: list[Any], after: tuple[str, int] | None,
                   rules: list[tuple[str, str, str]], actors: dict[str, str] | None,
                   size: int) -> tuple[list[tuple], bool]:
    """Rows newest first after `after`, until a page (plus one, to know if there is more) has
    matched. The (tenant, app, time) index is walked from the position on, never from the top:
    the time bound narrows the index range, the row id breaks ties within one instant."""
    sifting = bool(rules) or actors is not None
    batch = BATCH if sifting else size + 1
    out: list[tuple] = []
    end = args[3]
    while True:
        sql, query_args = f"SELECT {COLUMNS} FROM events WHERE {where}", list(args)
        if after:
            # one upper bound for the index range (SQLite would use only one of two)
            query_args[3] = min(end, after[0])
            sql += " AND (time<? OR id<?)"
            query_args += [after[0], after[1]]
        sql += " ORDER BY time DESC, id DESC LIMIT ?"
        rows = call.store.execute(sql, [*query_args, batch]).fetchall()
        for row in rows:
            if actors is not None and row[2] not in actors:
                continue
            if rules and not _keep(json.loads(row[6]), rules):
                continue
            if len(out) == size:
                return out, True
            out.append(row)
        if len(rows) < batch:
            return out, False
        after = (rows[-1][1], rows[-1][0])


# One activity as Google writes it (json.dumps spacing, Google's key order).
ITEM = ('{"kind": "admin#reports#activity", "id": {"time": "%s", "uniqueQualifier": "%s", '
        '"applicationName": %s, "customerId": %s}, "actor": {"callerType": "USER", "email": %s, '
        '"profileId": %s}, "events": [{"type": %s, "name": %s, "parameters": %s}]%s, '
        '"etag": "%s"}')


def _render(call: Call, rows: list[tuple]) -> list[tuple[str, str]]:
    """Each row as (activity JSON text, its etag)."""
    app = _str(call.params["applicationName"])
    customer = _str(call.tenant_id)
    profile_ids: dict[str, str] = {}
    out = []
    for row_id, time, actor, actor_id, etype, name, raw, ip, unique_key in rows:
        if not actor_id:
            actor_id = profile_ids.get(actor) or _profile_id(call, actor)
            profile_ids[actor] = actor_id
        tag = _item_etag(row_id, unique_key, time, actor_id)
        # `time` is written by the sandbox in RFC 3339 and `tag` is base64: nothing to escape
        out.append((ITEM % (time, _qualifier(row_id, unique_key), app, customer, _str(actor),
                            _str(actor_id), _str(etype), _str(name),
                            _parameters(json.loads(raw)),
                            ', "ipAddress": ' + _str(ip) if ip else "", tag[1:-1]), tag))
    return out


def _profile_id(call: Call, email: str) -> str:
    from workspace_coach.sandbox.resources.directory_users import find_user

    user = find_user(call.store, call.tenant_id, email)
    return user["id"] if user else ""
