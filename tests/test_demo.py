"""The demo's building blocks: the example organisations, and a small run of the whole demo that
a second run leaves as it found it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from rich.console import Console

from tests.conftest import make_tenant
from workspace_coach.demo.clients import CLIENTS, MOUM, DemoClient, DemoPlan, pick_clients
from workspace_coach.demo.run import DemoSettings, run_demo
from workspace_coach.errors import UserError
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import load_profile
from workspace_coach.google.session import GoogleSession
from workspace_coach.provision.plan import make_plan
from workspace_coach.provision.roster import read_roster
from workspace_coach.provision.spec import load_spec
from workspace_coach.provision.validate import validate
from workspace_coach.sandbox.server import start
from workspace_coach.storage import models as m
from workspace_coach.storage.db import make_engine

# The examples' rotating roles and end dates are written for this day; pinning it keeps the
# checks below from changing as terms end.
TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize("client", CLIENTS, ids=lambda c: c.slug)
def test_example_validates_cleanly(client: DemoClient):
    spec = load_spec(client.org_file)
    roster = read_roster(client.roster_file)
    result = validate(roster, spec, today=TODAY)
    assert result.errors == [] and result.warnings == []
    assert spec.domain == client.domain
    assert all(result.email_of(p) for p in result.people)


def test_examples_are_the_organisations_the_demo_promises():
    people = {c.slug: read_roster(c.roster_file).people for c in CLIENTS}
    assert len(people["saebom"]) == 120 and len(people["moum"]) == 15
    saebom = load_spec(CLIENTS[1].org_file)
    assert len(saebom.org_units) >= 6
    roles = {m.role for g in saebom.groups for m in g.members}
    assert roles == {"OWNER", "MANAGER", "MEMBER"}
    assert any(p.english_name or not any("가" <= ch <= "힣" for ch in p.name)
               for p in people["saebom"])
    assert sum(p.end_date is not None for p in people["saebom"]) >= 3
    moum = load_spec(MOUM.org_file)
    assert moum.rotating_roles and not moum.org_units
    assert sum(bool(p.rotating_roles) for p in people["moum"]) >= 4


@pytest.fixture(scope="module")
def demo_sandbox():
    """A sandbox of this module's own, so the examples' real domains are free."""
    running = start(":memory:")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def plan_sandbox():
    running = start(":memory:")
    yield running
    running.stop()


@pytest.mark.parametrize("client", CLIENTS, ids=lambda c: c.slug)
def test_example_plans_on_a_sandbox_tenant(client: DemoClient, plan_sandbox, tmp_path: Path):
    profile = make_tenant(plan_sandbox, tmp_path / "tenant", domain=client.domain)
    spec = load_spec(client.org_file)
    roster = read_roster(client.roster_file)
    session = GoogleSession(GoogleClients(profile, scopes.PROVISION))
    plan, _ = make_plan(session, domain=profile.domain, admin=profile.admin,
                        customer=profile.customer, roster=roster, spec=spec, today=TODAY)
    assert plan.safe and not plan.warnings
    creates = [c for c in plan.changes if c.action == "create"]
    staying = [p for p in roster.people if not (p.end_date and p.end_date < TODAY)]
    assert sum(c.kind == "user" for c in creates) == len(staying)
    assert sum(c.kind == "group" for c in creates) == len(spec.groups)
    assert sum(c.kind == "drive" for c in creates) == len(spec.shared_drives)
    for role in spec.rotating_roles:  # people in a term today join the role's group
        holders = {p.email for p in roster.people for h in p.rotating_roles
                   if h.role == role.name and h.since and h.since <= TODAY}
        waiting = {p.email for p in roster.people for h in p.rotating_roles
                   if h.role == role.name and h.since and h.since > TODAY}
        planned = {c.key.split(" ", 1)[1] for c in creates
                   if c.kind == "member" and c.key.startswith(role.group + " ")}
        assert len(holders) >= role.min_holders and holders <= planned
        assert not waiting & planned


def test_pick_clients_names_unknown_ones():
    assert pick_clients(None) == CLIENTS
    assert pick_clients(["moum", "moum"]) == (MOUM,)
    with pytest.raises(UserError, match="'nobody' is not a demo client"):
        pick_clients(["nobody"])


def test_demo_plan_places_sessions_inside_the_window():
    assert DemoPlan().session_days == (40, 90)
    assert all(0 < d < 9 for d in DemoPlan(days=9).session_days)


def test_a_second_run_reuses_everything(demo_sandbox, tmp_path: Path):
    port = int(demo_sandbox.url.rstrip("/").rsplit(":", 1)[1])
    settings = DemoSettings(port=port, data=tmp_path / "unused", clients_dir=tmp_path / "clients",
                            database_url=f"sqlite:///{tmp_path / 'coach.sqlite3'}",
                            plan=DemoPlan(clients=(MOUM,), days=8), dashboard_port=None)
    out = io.StringIO()
    console = Console(file=out, width=120)
    (first,) = run_demo(settings, console)
    assert first.created and first.applied and first.plan_summary.startswith("Plan:")
    assert first.days_simulated == 8 and first.events_written > 0
    assert len(first.sessions) == 2 and first.sessions_recorded == 2
    assert first.collected is not None and first.collected.total_rows > 0
    profile = load_profile(tmp_path / "clients/moum/connection.yaml")
    assert profile.display_name == MOUM.display_name
    assert profile.per_person_insights is MOUM.per_person_insights
    assert "모음 프리랜서 협동조합" in out.getvalue()

    (second,) = run_demo(settings, Console(file=io.StringIO(), width=120))
    assert not second.created and not second.applied
    assert second.plan_summary.startswith("No changes")
    assert second.days_simulated == 0 and second.events_written == 0
    assert second.sessions == first.sessions and second.sessions_recorded == 0
    assert second.collected is not None and second.collected.total_rows == 0
    assert len(second.collected.dates_fetched) <= 1  # only the newest, still partial, date
    # the coach's history holds each session once, and every run scored and checked
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        held = conn.execute(sa.select(m.CoachingSession.held_on)).scalars().all()
        runs = conn.execute(sa.select(m.AuditRun.id).where(m.AuditRun.kind == "score")
                            ).scalars().all()
        checked = conn.execute(sa.select(sa.func.count()).select_from(m.CheckResult).where(
            m.CheckResult.run_id == runs[-1])).scalar()
    engine.dispose()
    assert sorted(held) == first.sessions
    assert len(runs) == 2 and checked > 0
