"""Reports API audit log: `activities.list`.

Reads the sandbox's `events` table, newest first like Google: admin events written by every
directory mutation, and the user activity (login, drive, meet, calendar, chat, token) the
simulator writes. Paging is keyset-based on (time, row), so pages stay stable while new events
arrive. Parameters render typed: strings as `value`, integers as `intValue`, booleans as
`boolValue`, lists as `multiValue` / `multiIntValue`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import timedelta
from typing import Any

from workspace_coach.sandbox import errors
from workspace_coach.sandbox.events import rfc3339
from workspace_coach.sandbox.resources import Call, etag, handles
from workspace_coach.sandbox.resources.reports_usage import scoped_users
from workspace_coach.sandbox.simulator import clock

SERVED = frozenset({"login", "drive", "admin", "meet", "calendar", "chat", "token"})
RETENTION_DAYS = 180
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[-+]\d{2}:\d{2})$")
FILTER_RE = re.compile(r"^([A-Za-z0-9_]+)(==|<>|<=|>=|<|>)(.*)$")
BATCH = 500


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


def _parameters(params: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, value in params.items():
        item: dict[str, Any] = {"name": name}
        if isinstance(value, bool):
            item["boolValue"] = value
        elif isinstance(value, int):
            item["intValue"] = str(value)
        elif isinstance(value, list) and value and all(isinstance(v, int) for v in value):
            item["multiIntValue"] = [str(v) for v in value]
        elif isinstance(value, list):
            item["multiValue"] = [str(v) for v in value]
        elif value is None:
            continue
        else:
            item["value"] = str(value)
        out.append(item)
    return out


def _qualifier(row_id: int, unique_key: str | None) -> str:
    seed = unique_key or f"row:{row_id}"
    return str(int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big") >> 1)


def _item_etag(*fields: object) -> str:
    """An activity's etag from the event row it renders (rows never change): as opaque and
    stable as hashing the rendered item, without serialising every item of every page again."""
    digest = hashlib.sha1("\x1f".join(map(str, fields)).encode()).digest()
    return '"' + base64.urlsafe_b64encode(digest).decode().rstrip("=") + '"'


def _token(time: str, row_id: int) -> str:
    return base64.urlsafe_b64encode(f"a:{time}:{row_id}".encode()).decode()


def _untoken(token: str) -> tuple[str, int]:
    try:
        _, rest = base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)
        time, row = rest.rsplit(":", 1)
        return time, int(row)
    except (ValueError, UnicodeDecodeError):
        raise errors.invalid("Invalid page token") from None


@handles("reports.activities.list")
def list_activities(call: Call) -> dict[str, Any]:
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
    sql = ("SELECT id, time, actor, actor_id, event_type, name, params, ip, unique_key FROM "
           "events WHERE tenant=? AND app=? AND time>=? AND time<=?")
    args: list[Any] = [call.tenant_id, app, start, end]
    if call.params.get("eventName"):
        sql += " AND name=?"
        args.append(call.params["eventName"])
    if call.params.get("actorIpAddress"):
        sql += " AND ip=?"
        args.append(call.params["actorIpAddress"])
    scoped = (call.params.get("userKey", "all") != "all" or call.params.get("orgUnitID")
              or call.params.get("groupIdFilter"))
    actors: dict[str, str] = {}
    if scoped:
        actors = {u["primaryEmail"]: u["id"] for u in scoped_users(call)}
        if len(actors) <= 200:
            marks = ",".join("?" * len(actors))
            sql += f" AND actor IN ({marks})"
            args.extend(actors)
    if call.params.get("pageToken"):
        time, row = _untoken(call.params["pageToken"])
        sql += " AND (time<? OR (time=? AND id<?))"
        args += [time, time, row]
    sql += " ORDER BY time DESC, id DESC LIMIT ?"
    items: list[dict[str, Any]] = []
    more = False
    if app in SERVED:
        items, more = _collect(call, sql, args, rules, actors if scoped else None, size)
    body: dict[str, Any] = {"kind": "admin#reports#activities"}
    if items:
        body["items"] = items
    if more:
        body["nextPageToken"] = _token(items[-1]["id"]["time"], items[-1].pop("_row"))
    for item in items:
        item.pop("_row", None)
    body["etag"] = etag(body)
    return body


def _collect(call: Call, sql: str, args: list[Any], rules: list[tuple[str, str, str]],
             actors: dict[str, str] | None, size: int) -> tuple[list[dict[str, Any]], bool]:
    """Rows newest first until a page (plus one, to know if there is more) has matched."""
    profile_ids: dict[str, str] = {}
    items: list[dict[str, Any]] = []
    cursor: tuple[str, int] | None = None
    while True:
        query, query_args = sql, list(args)
        if cursor:
            query = query.replace(" ORDER BY", " AND (time<? OR (time=? AND id<?)) ORDER BY")
            query_args += [cursor[0], cursor[0], cursor[1]]
        rows = call.store.execute(query, [*query_args, BATCH]).fetchall()
        for row_id, time, actor, actor_id, etype, name, raw, ip, unique_key in rows:
            if actors is not None and actor not in actors:
                continue
            params = json.loads(raw)
            if rules and not _keep(params, rules):
                continue
            if len(items) == size:
                return items, True
            if not actor_id:
                actor_id = profile_ids.get(actor) or _profile_id(call, actor)
                profile_ids[actor] = actor_id
            item: dict[str, Any] = {
                "kind": "admin#reports#activity",
                "id": {"time": time, "uniqueQualifier": _qualifier(row_id, unique_key),
                       "applicationName": call.params["applicationName"],
                       "customerId": call.tenant_id},
                "actor": {"callerType": "USER", "email": actor, "profileId": actor_id},
                "events": [{"type": etype, "name": name, "parameters": _parameters(params)}],
            }
            if ip:
                item["ipAddress"] = ip
            item["etag"] = _item_etag(row_id, unique_key, time, actor, actor_id, raw, ip)
            item["_row"] = row_id
            items.append(item)
        if len(rows) < BATCH:
            return items, False
        cursor = (rows[-1][1], rows[-1][0])


def _profile_id(call: Call, email: str) -> str:
    from workspace_coach.sandbox.resources.directory_users import find_user

    user = find_user(call.store, call.tenant_id, email)
    return user["id"] if user else ""
