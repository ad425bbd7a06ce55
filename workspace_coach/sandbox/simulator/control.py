"""Control routes for activity (part of `/_sandbox/`, never Google's surface).

- `GET|PUT /_sandbox/clock`               the sandbox's "now": `{"now": RFC 3339 | null}`
- `POST /_sandbox/simulate`               `{customerId|domain, days, until?, seed?, profile?}`
- `GET|POST /_sandbox/coaching-sessions`  `{customerId|domain, date, note?}` (GET: `?domain=`)
- `POST /_sandbox/user-actions`           `{customerId|domain, email, action, at?, ...}`: what a
                                          person does themselves, see `simulator/actions.py`
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request

from workspace_coach.sandbox import errors, tenants
from workspace_coach.sandbox.simulator import actions, clock, engine

if TYPE_CHECKING:
    from workspace_coach.sandbox.app import SandboxApp

ROUTES = frozenset({"/_sandbox/clock", "/_sandbox/simulate", "/_sandbox/coaching-sessions",
                    "/_sandbox/user-actions"})


def _tenant(app: SandboxApp, data: dict[str, Any]) -> str:
    if data.get("customerId"):
        if app.store.get("tenant", "", data["customerId"]) is None:
            raise errors.not_found(f"Unknown customer {data['customerId']}")
        return str(data["customerId"])
    if not data.get("domain"):
        raise errors.required("domain")
    record = tenants.find_by_domain(app.store, str(data["domain"]).lower())
    if record is None:
        raise errors.not_found(f"No tenant with the domain {data['domain']}")
    return str(record["id"])


def _date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise errors.invalid(f"Invalid {field}: {value} (expected YYYY-MM-DD)") from None


def _body(request: Request) -> dict[str, Any]:
    data = request.get_json(force=True, silent=True)
    if data is None and request.get_data():
        raise errors.parse_error()
    if data is not None and not isinstance(data, dict):
        raise errors.parse_error()
    return data or {}


def handle(app: SandboxApp, request: Request, path: str) -> tuple[int, Any]:
    """Answer one of ROUTES; returns (status, JSON body). Raises GoogleError on bad input."""
    store, method = app.store, request.method
    if path == "/_sandbox/clock":
        if method == "GET":
            return 200, clock.describe(store)
        if method == "PUT":
            with store.transaction():
                clock.set_now(store, _body(request).get("now"))
            return 200, clock.describe(store)
    if path == "/_sandbox/simulate" and method == "POST":
        data = _body(request)
        try:
            days, seed = int(data.get("days", 30)), int(data.get("seed", 0))
        except (TypeError, ValueError):
            raise errors.invalid("days and seed must be integers") from None
        until = _date(data["until"], "until") if data.get("until") else None
        with store.transaction():
            tenant = _tenant(app, data)
            result = engine.simulate(store, tenant, days=days, until=until, seed=seed,
                                     profile=str(data.get("profile") or "mixed"))
        return 200, result.to_dict()
    if path == "/_sandbox/coaching-sessions":
        if method == "GET":
            tenant = _tenant(app, dict(request.args))
            return 200, {"sessions": store.list(engine.COACHING_KIND, tenant)}
        if method == "POST":
            data = _body(request)
            if not data.get("date"):
                raise errors.required("date")
            with store.transaction():
                tenant = _tenant(app, data)
                doc = engine.record_coaching(store, tenant, _date(data["date"], "date"),
                                             str(data.get("note", "")))
            return 201, doc
    if path == "/_sandbox/user-actions" and method == "POST":
        data = _body(request)
        with store.transaction():
            return 201, actions.perform(store, _tenant(app, data), data)
    raise errors.GoogleError(405, "methodNotAllowed", "Method Not Allowed")
