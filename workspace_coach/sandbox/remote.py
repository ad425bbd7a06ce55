"""Calling a running sandbox's `/_sandbox/` control API from outside it (CLI, demo, tests).

One request function, so every caller says the same thing when no sandbox answers or when it
refuses (whatever the body of the refusal: JSON or not), and a tenant is created one way.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import requests

from workspace_coach.errors import UserError
from workspace_coach.google.connection import ConnectionProfile

DEFAULT_ENDPOINT = "http://127.0.0.1:8765/"


def root_of(endpoint: str) -> str:
    return endpoint if endpoint.endswith("/") else endpoint + "/"


def control(endpoint: str, method: str, path: str, body: dict[str, Any] | None = None, *,
            params: dict[str, str] | None = None, timeout: float = 600) -> Any:
    """One call to the control API; a refusal or an absent sandbox is one UserError line."""
    root = root_of(endpoint)
    try:
        answer = requests.request(method, root + path, json=body, params=params, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout):
        raise UserError(f"no sandbox answers at {root}; start one with 'workspace-coach sandbox "
                        f"serve' / {root}에 샌드박스가 없습니다: 'workspace-coach sandbox "
                        "serve'로 시작하세요") from None
    if answer.status_code >= 400:
        try:
            message = answer.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):  # not JSON, or not Google's error shape
            message = answer.text[:200]
        raise UserError(f"the sandbox refused {method} {path} / 샌드박스가 거절했습니다: "
                        f"{message}")
    return answer.json()


def write_secret(path: Path, data: dict[str, Any]) -> None:
    """Credentials are readable by their owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)


def create_tenant_profile(domain: str, out: Path, *, admin: str | None = None,
                          endpoint: str = DEFAULT_ENDPOINT,
                          name: str | None = None, non_admin_subject: str | None = None,
                          granted_scopes: list[str] | None = None,
                          disabled_services: list[str] | tuple[str, ...] = ()
                          ) -> ConnectionProfile:
    """Ask a running sandbox for a new tenant; write `connection.yaml` + key file into `out`.

    `granted_scopes` (None: all) and `disabled_services` set how its domain-wide delegation and
    Cloud project refuse; `non_admin_subject` makes the profile impersonate a user who is not an
    administrator."""
    endpoint = root_of(endpoint)
    body: dict[str, Any] = {"domain": domain, "admin": admin,
                            "disabledServices": list(disabled_services)}
    if granted_scopes is not None:
        body["grantedScopes"] = list(granted_scopes)
    if non_admin_subject:
        body["nonAdminSubject"] = non_admin_subject
    data = control(endpoint, "POST", "_sandbox/tenants", body, timeout=30)
    write_secret(out / "service-account.json", data["serviceAccount"])
    slug = name or data["domain"].split(".")[0].replace("_", "-")
    subject = data.get("subject", data["admin"])
    profile = ConnectionProfile(name=slug, domain=data["domain"], admin=subject,
                                credentials=Path("service-account.json"), endpoint=endpoint)
    profile.save(out / "connection.yaml")
    return profile
