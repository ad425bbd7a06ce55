"""The `/_sandbox/` control API, for tests, the CLI and the demo (never part of Google's surface).

- `GET  /_sandbox/health`            liveness and counts
- `POST /_sandbox/reset`             forget every tenant and object
- `GET|PUT /_sandbox/config`         realism knobs (latency, faults, quotas, consistency);
                                     `{"preset": "google", ...}` starts from a preset
- `GET  /_sandbox/stats`             calls served per API method
- `POST /_sandbox/tenants`           create a tenant `{"domain": ..., "admin": ...}`, optionally
                                     with `nonAdminSubject`, `grantedScopes`, `disabledServices`
- `PATCH /_sandbox/tenants/<domain>` change `grantedScopes` (null = all) / `disabledServices`
- `GET  /_sandbox/tenants`           list tenants
- `GET  /_sandbox/tenants/<domain>/mail`  the messages sent through Gmail `users.messages.send`
                                     in that tenant, oldest first: `{"messages": [...]}`
- `POST /_sandbox/logins`            a person's OAuth consent: `{"domain", "email", "scopes"}`
                                     -> an authorized-user JSON with a refresh token
- `/_sandbox/clock`, `/_sandbox/simulate`, `/_sandbox/coaching-sessions`,
  `/_sandbox/user-actions`: activity, see
  `simulator/control.py`
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from workspace_coach.sandbox import auth, errors, tenants
from workspace_coach.sandbox.realism import RealismConfig, preset_config
from workspace_coach.sandbox.simulator import control as activity_control

if TYPE_CHECKING:
    from workspace_coach.sandbox.app import SandboxApp


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    content_type="application/json; charset=UTF-8")


def handle(app: SandboxApp, request: Request, raw_path: str) -> Response:
    route = (request.method, raw_path.rstrip("/"))
    try:
        if route[1] in activity_control.ROUTES:
            status, body = activity_control.handle(app, request, route[1])
            return _json(body, status)
        if route == ("GET", "/_sandbox/health"):
            return _json({"status": "ok", "tenants": len(tenants.list_tenants(app.store)),
                          "requests": app.requests})
        if route == ("POST", "/_sandbox/reset"):
            app.store.reset()
            app.realism.configure(RealismConfig())
            with app._stats_lock:
                app.calls.clear()
            return _json({"status": "reset"})
        if route == ("GET", "/_sandbox/config"):
            return _json(app.realism.config.to_dict())
        if route in (("PUT", "/_sandbox/config"), ("PATCH", "/_sandbox/config")):
            data = request.get_json(force=True, silent=True)
            if not isinstance(data, dict):
                raise errors.parse_error()
            merged = {**app.realism.config.to_dict(), **data} if request.method == "PATCH" else data
            preset = merged.pop("preset", None)
            if preset is not None:
                # {"preset": "google", "seed": 7}: the preset over the defaults, then the rest
                rest = {k: v for k, v in data.items() if k != "preset"}
                config = preset_config(str(preset), rest)
            else:
                config = RealismConfig.from_dict(merged)
            app.realism.configure(config)
            app.store.meta_set("realism", config.to_dict())
            return _json(config.to_dict())
        if route == ("GET", "/_sandbox/stats"):
            with app._stats_lock:
                return _json({"requests": app.requests, "calls": dict(app.calls)})
        if route == ("POST", "/_sandbox/logins"):
            data = request.get_json(force=True, silent=True) or {}
            for key in ("domain", "email", "scopes"):
                if not data.get(key):
                    raise errors.required(key)
            tenant = tenants.find_by_domain(app.store, data["domain"])
            if tenant is None:
                raise errors.not_found(f"No tenant with the domain {data['domain']}")
            with app.store.transaction():
                info = auth.create_user_login(app.store, tenant["id"], data["email"],
                                              list(data["scopes"]), app.router.all_scopes,
                                              request.host_url + "token")
            return _json(info, status=201)
        if route == ("GET", "/_sandbox/tenants"):
            return _json({"tenants": tenants.list_tenants(app.store)})
        if route == ("POST", "/_sandbox/tenants"):
            data = request.get_json(force=True, silent=True) or {}
            if not data.get("domain"):
                raise errors.required("domain")
            root = request.host_url
            created = tenants.create_tenant(app.store, data["domain"], data.get("admin"),
                                            token_uri=root + "token",
                                            non_admin_subject=data.get("nonAdminSubject"),
                                            settings=data, known_scopes=app.router.all_scopes)
            return _json({"customerId": created.customer_id, "domain": created.domain,
                          "admin": created.admin, "subject": created.subject,
                          "serviceAccount": created.service_account_info}, status=201)
        if (request.method == "GET" and route[1].startswith("/_sandbox/tenants/")
                and route[1].endswith("/mail")):
            from workspace_coach.sandbox.resources.gmail_messages import mailbox

            domain = route[1][len("/_sandbox/tenants/"):-len("/mail")]
            tenant = tenants.find_by_domain(app.store, domain)
            if tenant is None:
                raise errors.not_found(f"No tenant with the domain {domain}")
            return _json({"messages": mailbox(app.store, tenant["id"])})
        if request.method == "PATCH" and route[1].startswith("/_sandbox/tenants/"):
            data = request.get_json(force=True, silent=True)
            if not isinstance(data, dict):
                raise errors.parse_error()
            domain = route[1][len("/_sandbox/tenants/"):]
            return _json(tenants.update_settings(app.store, domain, data,
                                                 app.router.all_scopes))
    except errors.GoogleError as exc:
        return _json(exc.body(), exc.code)
    return _json(errors.method_not_found(raw_path).body(), 404)
