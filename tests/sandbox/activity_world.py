"""Shared helpers for the Reports API and simulator tests.

Tenants are built through googleapiclient (users, org units, groups, members); activity is made
by the simulator through the control API, as the CLI does; everything is read back only through
the admin reports_v1 service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from tests.conftest import make_tenant
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile

# Friday 2025-06-20, noon in Korea; Thursday evening in California.
CLOCK = "2025-06-20T03:00:00Z"
TODAY_PACIFIC = "2025-06-19"
LATEST = "2025-06-17"           # two Pacific days before "today"
UNTIL = "2025-06-19"            # yesterday in Korea: the last simulated day


def pin_clock(sandbox: Any, now: str | None = CLOCK) -> dict[str, Any]:
    answer = requests.put(sandbox.url + "_sandbox/clock", json={"now": now}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def simulate(sandbox: Any, domain: str, **body: Any) -> dict[str, Any]:
    answer = requests.post(sandbox.url + "_sandbox/simulate", json={"domain": domain, **body},
                           timeout=300)
    assert answer.status_code == 200, answer.text
    return answer.json()


def coaching(sandbox: Any, domain: str, day: str) -> None:
    answer = requests.post(sandbox.url + "_sandbox/coaching-sessions",
                           json={"domain": domain, "date": day}, timeout=10)
    assert answer.status_code == 201, answer.text


def build_tenant(sandbox: Any, out: Path, domain: str, people: int = 24,
                 teams: bool = True) -> ConnectionProfile:
    """A tenant with `people` users (user00.. plus the admin), two org units and two groups."""
    profile = make_tenant(sandbox, out, domain)
    directory = GoogleClients(profile, scopes.PROVISION).service("directory")
    units = ["/"]
    if teams:
        for name in ("sales", "ops"):
            directory.orgunits().insert(customerId="my_customer", body={
                "name": name, "parentOrgUnitPath": "/"}).execute()
        units = ["/sales", "/ops"]
    emails = []
    for i in range(people - 1):
        email = f"user{i:02d}@{domain}"
        directory.users().insert(body={
            "primaryEmail": email, "name": {"givenName": "지민", "familyName": f"박{i}"},
            "password": "correct horse battery", "orgUnitPath": units[i % len(units)]}).execute()
        emails.append(email)
    if teams:
        for g, name in enumerate(("events", "finance")):
            group = directory.groups().insert(body={"email": f"{name}@{domain}",
                                                    "name": name}).execute()
            for email in emails[g::2][:8]:
                directory.members().insert(groupKey=group["id"],
                                           body={"email": email, "role": "MEMBER"}).execute()
    return profile


def reports(profile: ConnectionProfile):
    return GoogleClients(profile, scopes.AUDIT).service("reports")


def user_reports(service, day: str, **kw: Any) -> list[dict[str, Any]]:
    """Every page of userUsageReport.get for userKey=all."""
    out: list[dict[str, Any]] = []
    request = service.userUsageReport().get(userKey="all", date=day, **kw)
    while request is not None:
        page = request.execute()
        out += page.get("usageReports", [])
        request = service.userUsageReport().get_next(request, page)
    return out


def values(report: dict[str, Any]) -> dict[str, Any]:
    """Typed parameter values: int, bool, or the string of a datetime/string value."""
    out: dict[str, Any] = {}
    for p in report.get("parameters", []):
        if "intValue" in p:
            out[p["name"]] = int(p["intValue"])
        elif "boolValue" in p:
            out[p["name"]] = p["boolValue"]
        else:
            out[p["name"]] = p.get("datetimeValue", p.get("stringValue"))
    return out


def by_person(reports_list: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Figures keyed by the address' local part (comparable across tenants)."""
    return {r["entity"]["userEmail"].split("@")[0]: values(r) for r in reports_list}


def customer(service, day: str, **kw: Any) -> dict[str, Any]:
    page = service.customerUsageReports().get(date=day, **kw).execute()
    return values(page["usageReports"][0]) if page.get("usageReports") else {}


def activities(service, app: str, user: str = "all", **kw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    request = service.activities().list(userKey=user, applicationName=app, **kw)
    while request is not None:
        page = request.execute()
        out += page.get("items", [])
        request = service.activities().list_next(request, page)
    return out


def param(event: dict[str, Any], name: str) -> Any:
    for p in event.get("parameters", []):
        if p["name"] == name:
            for key in ("value", "intValue", "boolValue", "multiValue", "multiIntValue"):
                if key in p:
                    return int(p[key]) if key == "intValue" else p[key]
    return None
