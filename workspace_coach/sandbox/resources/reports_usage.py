"""Reports API usage reports: `userUsageReport.get` and `customerUsageReports.get`.

Figures come from `simulator.usage`, which derives them from the same `events` rows that
`activities.list` serves. Google's timing is kept: data for a Pacific date appears two days later
(a later date is refused with Google's 400), the newest available date is partial (a
`PARTIAL_DATA_AVAILABLE` warning per incomplete application, whose figures are left out), and a
date before the tenant's data begins carries `DATA_NOT_AVAILABLE` warnings and no reports.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from workspace_coach.report_fields import canonical
from workspace_coach.sandbox import errors
from workspace_coach.sandbox.events import pacific_day
from workspace_coach.sandbox.resources import Call, etag, handles, now_rfc3339, page
from workspace_coach.sandbox.resources.directory_users import find_user
from workspace_coach.sandbox.simulator import clock, usage
from workspace_coach.sandbox.simulator.usage import CUSTOMER_APPS, USER_APPS, Stamp

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PARAM_RE = re.compile(r"^([a-z_]+):([a-z0-9_]+)$")
FILTER_RE = re.compile(r"^([a-z_]+):([a-z0-9_]+)(==|!=|<=|>=|<|>)(.*)$")
HISTORY_DAYS = 450
COMPLETE_ON_NEWEST = ("accounts",)  # apps whose figures are complete on the newest date


# -- shared pieces (also used by the customer report) ---------------------------------------------

def report_date(call: Call) -> date:
    raw = call.params["date"]
    if not DATE_RE.match(raw):
        raise errors.invalid(f"Invalid value '{raw}'. Values must match the following regular "
                             "expression: '(\\d){4}-(\\d){2}-(\\d){2}'",
                             location="date", locationType="parameter")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise errors.invalid(f"Invalid value '{raw}' for date") from None
    latest = clock.latest_report_date(call.store)
    if day > latest:
        raise errors.invalid(late_date_message(call.realism.config.late_date_wording, latest))
    return day


def late_date_message(wording: str, latest: date) -> str:
    """Google's 400 for a date past the newest report: its usual words, or the other two it
    has answered with (sources in docs/sandbox.md)."""
    if wording == "start_date":
        return f"Start date can not be later than {latest.isoformat()}"
    if wording == "last_reported":
        return "End date greater than LastReportedDate"
    return (f"Data for dates later than {latest.isoformat()} is not yet available. Please "
            "check back later")


def data_start(call: Call) -> date:
    """The first Pacific date the tenant has data for: its creation or its simulated past."""
    created = call.tenant().get("creationTime") or now_rfc3339()
    first = date.fromisoformat(pacific_day(datetime.fromisoformat(created)))
    state = call.store.get("simulation", call.tenant_id, "state")
    if state:
        first = min(first, date.fromisoformat(state["start"]) - timedelta(days=1))
    return max(first, clock.today_pacific(call.store) - timedelta(days=HISTORY_DAYS))


def requested(raw: str | None, apps: tuple[str, ...]) -> dict[str, str] | None:
    """`parameters` as {name to emit: canonical name}; None means every parameter."""
    if not raw:
        return None
    out: dict[str, str] = {}
    for item in raw.split(","):
        item = item.strip()
        found = PARAM_RE.match(item)
        if not found:
            raise errors.invalid(f"Invalid value '{raw}'. Values must match the following "
                                 "regular expression: '(app:parameter,)*(app:parameter)'",
                                 location="parameters", locationType="parameter")
        if found.group(1) in apps:  # Google ignores parameters of other applications
            out[item] = canonical(item)
    return out


def warnings_for(kind: str, day: date, apps: list[str]) -> list[dict[str, Any]]:
    text = ('Sorry, data for date {d} for application "{a}" is not available.'
            if kind == "DATA_NOT_AVAILABLE" else
            'Data for date {d} for application "{a}" is not available right now, please try '
            'again after a few hours.')
    return [{"code": kind, "message": text.format(d=day.isoformat(), a=app),
             "data": [{"key": "application", "value": app}]} for app in apps]


def render(figures: dict[str, Any], wanted: dict[str, str] | None,
           skip_apps: set[str]) -> list[dict[str, Any]]:
    """Typed parameters as Google renders them, in name order."""
    names = wanted or {k: k for k in figures}
    out = []
    for emitted, name in sorted(names.items()):
        if name not in figures or emitted.split(":")[0] in skip_apps:
            continue
        value = figures[name]
        item: dict[str, Any] = {"name": emitted}
        if isinstance(value, bool):
            item["boolValue"] = value
        elif isinstance(value, int):
            item["intValue"] = str(value)
        elif isinstance(value, Stamp):
            item["datetimeValue"] = str(value)
        else:
            item["stringValue"] = str(value)
        out.append(item)
    return out


def _apps_of(wanted: dict[str, str] | None, apps: tuple[str, ...]) -> set[str]:
    if wanted is None:
        return set(apps)
    return {name.split(":")[0] for name in wanted.values()}


# -- filters --------------------------------------------------------------------------------------

def parse_filters(raw: str | None) -> list[tuple[str, str, str]]:
    if not raw:
        return []
    out = []
    for item in raw.split(","):
        found = FILTER_RE.match(item.strip())
        if not found or found.group(1) not in USER_APPS:
            raise errors.invalid(f"Invalid value '{raw}' for filters",
                                 location="filters", locationType="parameter")
        name = f"{found.group(1)}:{found.group(2)}"
        out.append((canonical(name), found.group(3), found.group(4)))
    return out


def _matches(figures: dict[str, Any], rules: list[tuple[str, str, str]]) -> bool:
    for name, op, raw in rules:
        if name not in figures:
            raise errors.invalid(f"Invalid value '{name}' for filters",
                                 location="filters", locationType="parameter")
        value = figures[name]
        other: Any
        if isinstance(value, bool):
            other = raw.lower() == "true"
        elif isinstance(value, int):
            try:
                other = int(raw)
            except ValueError:
                raise errors.invalid(f"Invalid value '{raw}' for filters") from None
        else:
            other = raw
        ok = {"==": value == other, "!=": value != other, "<": value < other,
              "<=": value <= other, ">": value > other, ">=": value >= other}[op]
        if not ok:
            return False
    return True


# -- users in scope -------------------------------------------------------------------------------

def scoped_users(call: Call) -> list[dict[str, Any]]:
    """`userKey` (all or one), narrowed by `orgUnitID` and `groupIdFilter`, by address."""
    store, tenant = call.store, call.tenant_id
    key = call.params.get("userKey", "all")
    if key == "all":
        users = store.list("user", tenant)
    else:
        user = find_user(store, tenant, key)
        if user is None:
            raise errors.not_found("Resource Not Found: userKey")
        users = [user]
    unit = call.params.get("orgUnitID")
    if unit:
        from workspace_coach.sandbox.resources.directory_orgunits import root_id

        record = store.get("orgunit", tenant, unit)
        if record is None and unit != root_id(tenant):
            raise errors.invalid("Invalid Input: orgUnitID")
        path = (record or {}).get("orgUnitPath", "/").lower().rstrip("/")
        users = [u for u in users if (u.get("orgUnitPath", "/").lower() + "/").startswith(
            path + "/")]
    groups = call.params.get("groupIdFilter")
    if groups:
        members = {m.get("id") for g in groups.split(",")
                   for m in store.list("member", tenant, g.strip().removeprefix("id:"))}
        users = [u for u in users if u["id"] in members]
    return sorted(users, key=lambda u: u["primaryEmail"])


# -- figures, cached per date ----------------------------------------------------------------------

def _user_figures(call: Call, day: date, users: list[dict[str, Any]],
                  apps: set[str]) -> dict[str, dict[str, Any]]:
    """Figures of `users` for `day`, computed once per (date, people, applications) until the
    tenant's events up to that date or its documents change (`Store.cached`)."""
    key = (call.tenant_id, day.isoformat(),
           ("user", frozenset(apps), tuple(u["id"] for u in users)))
    return call.store.cached(
        key, lambda: usage.user_figures(call.store, call.tenant_id, day, users, apps),
        weight=len(users))


def _opening(call: Call, day: date, apps: set[str]) -> tuple[dict[str, Any], set[str]]:
    """A usage report's body so far, and the applications whose figures are partial.

    Before the tenant's data starts the body is already the whole answer: a DATA_NOT_AVAILABLE
    warning per application (and its etag). On the newest report date, the applications Google
    completes later are partial."""
    body: dict[str, Any] = {"kind": "admin#reports#usageReports"}
    if day < data_start(call):
        body["warnings"] = warnings_for("DATA_NOT_AVAILABLE", day, sorted(apps))
        body["etag"] = etag(body)
        return body, set()
    partial: set[str] = set()
    if day == clock.latest_report_date(call.store):
        partial = apps - set(COMPLETE_ON_NEWEST)
    return body, partial


def _page_etag(body: dict[str, Any]) -> str:
    """A report page's etag from its reports' etags and the rest of the page: content-derived
    like theirs, without encoding a thousand reports once more (see `activities.list`)."""
    rest = {k: v for k, v in body.items() if k not in ("etag", "usageReports")}
    tags = [report["etag"] for report in body.get("usageReports", ())]
    return etag({"rest": rest, "reports": tags})


# -- handlers -------------------------------------------------------------------------------------

@handles("reports.userUsageReport.get")
def user_usage(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params.get("customerId"))
    day = report_date(call)
    wanted = requested(call.params.get("parameters"), USER_APPS)
    rules = parse_filters(call.params.get("filters"))
    users = scoped_users(call)
    apps = _apps_of(wanted, USER_APPS)
    body, partial = _opening(call, day, apps)
    if "warnings" in body:
        return body
    need = apps | {name.split(":")[0] for name, _, _ in rules}
    size = call.params.get("maxResults", 1000)
    if rules:
        figures = _user_figures(call, day, users, need)
        users = [u for u in users if _matches(figures[u["id"]], rules)]
        chunk, token = page(users, size, call.params.get("pageToken"))
    else:
        chunk, token = page(users, size, call.params.get("pageToken"))
        figures = _user_figures(call, day, chunk, need)
    reports = []
    for user in chunk:
        report = {
            "kind": "admin#reports#usageReport",
            "date": day.isoformat(),
            "entity": {"customerId": call.tenant_id, "userEmail": user["primaryEmail"],
                       "profileId": user["id"], "type": "USER"},
            "parameters": render(figures[user["id"]], wanted, partial),
        }
        report["etag"] = etag(report)
        reports.append(report)
    if partial:
        body["warnings"] = warnings_for("PARTIAL_DATA_AVAILABLE", day, sorted(partial))
    body["usageReports"] = reports
    if token:
        body["nextPageToken"] = token
    body["etag"] = _page_etag(body)
    return body


@handles("reports.customerUsageReports.get")
def customer_usage(call: Call) -> dict[str, Any]:
    call.resolve_customer(call.params.get("customerId"))
    day = report_date(call)
    wanted = requested(call.params.get("parameters"), CUSTOMER_APPS)
    apps = _apps_of(wanted, CUSTOMER_APPS)
    body, partial = _opening(call, day, apps)
    if "warnings" in body:
        return body
    if call.params.get("pageToken"):
        page([], 1, call.params["pageToken"])  # validates the token like Google does
    users = call.store.list("user", call.tenant_id)
    figures = call.store.cached(
        (call.tenant_id, day.isoformat(), ("customer", frozenset(apps))),
        lambda: usage.customer_figures(call.store, call.tenant_id, day, users, apps))
    report = {
        "kind": "admin#reports#usageReport",
        "date": day.isoformat(),
        "entity": {"customerId": call.tenant_id, "type": "CUSTOMER"},
        "parameters": render(figures, wanted, partial),
    }
    report["etag"] = etag(report)
    if partial:
        body["warnings"] = warnings_for("PARTIAL_DATA_AVAILABLE", day, sorted(partial))
    body["usageReports"] = [report]
    body["etag"] = _page_etag(body)
    return body
