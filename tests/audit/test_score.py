"""`audit run` on simulated tenants collected from the sandbox: thriving beats struggling, small
teams never show, per-person rows only with consent, every value recomputes from its inputs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid

import pytest
import sqlalchemy as sa

from tests.sandbox.activity_world import build_tenant, pin_clock, simulate
from workspace_coach.audit.categories import CATEGORIES, CATEGORY_WEIGHTS, SCORED
from workspace_coach.audit.collect import collect
from workspace_coach.audit.fields import USER_PARAMETERS_FOR_CHECKS
from workspace_coach.audit.indicators import BY_ID, EVENT_IDS, USAGE_IDS, by_category
from workspace_coach.audit.latest import org_scores, team_scores, trend
from workspace_coach.audit.run import run_audit
from workspace_coach.audit.score import is_workday
from workspace_coach.errors import UserError
from workspace_coach.storage import models as m
from workspace_coach.storage.db import make_engine

PEOPLE, DAYS, COLLECT_DAYS = 22, 42, 40


@pytest.fixture(scope="module")
def tenants(sandbox, tmp_path_factory):
    """A thriving and a struggling tenant, 22 people each, 42 simulated days."""
    pin_clock(sandbox)
    out = {}
    for kind in ("thriving", "struggling"):
        domain = f"{kind}-{uuid.uuid4().hex[:6]}.example.kr"
        profile = build_tenant(sandbox, tmp_path_factory.mktemp(kind), domain, people=PEOPLE)
        simulate(sandbox, profile.domain, days=DAYS, seed=11, profile=kind)
        out[kind] = profile
    yield out
    pin_clock(sandbox, None)


@pytest.fixture(scope="module")
def scored(tenants, tmp_path_factory):
    """Both tenants collected into one SQLite file and scored."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('scored') / 'coach.sqlite3'}")
    reports = {}
    for kind, profile in tenants.items():
        collect(profile, engine, days=COLLECT_DAYS)
        reports[kind] = run_audit(profile, engine)
    yield engine, reports
    engine.dispose()


def org_values(report):
    return {s.category: s.value for s in report.latest("org")}


def test_thriving_scores_higher_than_struggling_on_every_category(scored):
    _, reports = scored
    thriving, struggling = org_values(reports["thriving"]), org_values(reports["struggling"])
    assert set(thriving) == set(CATEGORIES)
    for category in CATEGORIES:
        assert thriving[category] is not None and struggling[category] is not None, category
        assert thriving[category] > struggling[category], (category, thriving, struggling)


def test_every_category_has_data_from_its_source(scored):
    _, reports = scored
    for s in reports["thriving"].latest("org"):
        if s.category == "overall":
            continue
        for item in s.inputs["indicators"]:
            assert item["denominator"] > 0, item["id"]
        assert any(i["numerator"] > 0 for i in s.inputs["indicators"]), s.category


def recompute(score):
    """A score's value from its inputs alone, as docs/scoring.md explains it."""
    inputs = score["inputs"]
    if score["category"] == "overall":
        cats = [c for c in inputs["categories"].values() if c["value"] is not None]
        assert {k: c["weight"] for k, c in inputs["categories"].items()} == CATEGORY_WEIGHTS
        return (round(sum(c["value"] * c["weight"] for c in cats)
                      / sum(c["weight"] for c in cats), 1) if cats else None)
    total = weights = 0.0
    for item in inputs["indicators"]:
        assert item["target"] == BY_ID[item["id"]].target
        if item["denominator"] == 0:
            assert item["share"] is None and item["points"] is None
            continue
        assert item["share"] == item["numerator"] / item["denominator"]
        assert item["points"] == 100 * min(1.0, item["share"] / item["target"])
        total += item["weight"] * item["points"]
        weights += item["weight"]
    return round(total / weights, 1) if weights else None


def test_scores_recompute_from_their_json_inputs(scored, tmp_path):
    engine, reports = scored
    document = json.loads(json.dumps(reports["thriving"].to_json()))
    assert document["scores"]
    for score in document["scores"]:
        assert score["value"] == recompute(score), score
    # and the stored rows carry the same inputs as the JSON
    client = reports["thriving"].client
    with engine.connect() as conn:
        client_id = conn.execute(sa.select(m.Client.id).where(m.Client.slug == client)).scalar()
        stored = [*org_scores(conn, [client_id], with_value=False)[client_id].values(),
                  *(v for by_cat in team_scores(conn, client_id, 1).values()
                    for v in by_cat.values())]
        history = trend(conn, client_id)["overall"]

    def key(s):
        return s["scope_type"], s["scope_key"], s["category"]

    as_dict = lambda v: {"scope_type": v.scope_type, "scope_key": v.scope_key,  # noqa: E731
                         "category": v.category, "date": v.date.isoformat(),
                         "window_days": v.window_days, "value": v.value, "inputs": v.inputs}
    # what the readers hand out is what the run wrote (people are never read back)
    assert {key(s): s for s in map(as_dict, stored)} == {
        key(s): s for s in document["scores"] if s["scope_type"] != "person"}
    assert len(history) >= 20 and history[-1][1] == org_values(reports["thriving"])["overall"]


def recompute_compact(category, inputs):
    """A trend point's value from its compact inputs and the published definitions alone."""
    assert inputs["v"] == 1 and inputs["days"] > 0 and inputs["people"] > 0
    if category == "overall":
        pairs = [(v, CATEGORY_WEIGHTS[c]) for c, v in zip(SCORED, inputs["c"], strict=True)
                 if v is not None]
    else:
        pairs = []
        for ind, n, d in zip(by_category(category), inputs["n"], inputs["d"], strict=True):
            if d > 0:
                pairs.append((100 * min(1.0, (n / d) / ind.target), ind.weight))
    weights = sum(w for _, w in pairs)
    total = 0.0
    for value, weight in pairs:
        total += weight * value
    return round(total / weights, 1) if pairs else None


def test_every_stored_trend_point_recomputes_from_its_inputs(scored):
    """Older points store compact inputs (numerators and denominators in the category's
    indicator order); the newest point of each scope the full ones."""
    engine, reports = scored
    report = reports["thriving"]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(m.Score.scope_type, m.Score.scope_key, m.Score.category,
                                      m.Score.date, m.Score.value, m.Score.inputs)
                            .where(m.Score.run_id == report.run_id)).all()
    newest = {}
    for r in rows:
        newest[(r.scope_type, r.scope_key)] = max(newest.get((r.scope_type, r.scope_key), r.date),
                                                  r.date)
    values = {(r.scope_type, r.scope_key, r.category, r.date): r.value for r in rows}
    compact = 0
    for r in rows:
        if r.date == newest[(r.scope_type, r.scope_key)]:
            assert "v" not in r.inputs
            assert r.value == recompute({"category": r.category, "inputs": r.inputs})
            continue
        compact += 1
        assert r.value == recompute_compact(r.category, r.inputs), r
        if r.category == "overall":   # the category values it averaged are that date's
            assert r.inputs["c"] == [values[(r.scope_type, r.scope_key, c, r.date)]
                                     for c in SCORED]
    assert compact > 20 * len(CATEGORIES) * len(newest) // 2
    assert len(rows) == len(report.scores)


def test_numerators_are_the_team_counts_of_the_window_working_days(scored):
    engine, reports = scored
    report = reports["struggling"]
    score = next(s for s in report.latest("org") if s.category == "activation")
    first = report.as_of - dt.timedelta(days=27)
    with engine.connect() as conn:
        client_id = conn.execute(sa.select(m.Client.id).where(
            m.Client.slug == report.client)).scalar()
        rows = conn.execute(sa.select(m.TeamUsage.date, m.TeamUsage.count, m.TeamUsage.people)
                            .where(m.TeamUsage.client_id == client_id,
                                   m.TeamUsage.scope_type == "org",
                                   m.TeamUsage.indicator == "signed_in_28d",
                                   m.TeamUsage.date.between(first, report.as_of))).all()
    work = [r for r in rows if is_workday(r.date)]
    item = next(i for i in score.inputs["indicators"] if i["id"] == "signed_in_28d")
    assert (item["numerator"], item["denominator"]) == (sum(r.count for r in work),
                                                        sum(r.people for r in work))
    assert score.inputs["days"] == len(work) and 0 < len(work) < len(rows)


# -- storage: SQLite and PostgreSQL ----------------------------------------------------------


def test_small_teams_are_folded_and_nothing_per_person_without_consent(tenants, engine):
    # groups have 8 people, org units 11: with a minimum of 9 both groups fold into "others"
    profile = tenants["struggling"].model_copy(update={"min_group_size": 9,
                                                       "per_person_insights": False})
    collect(profile, engine, days=10)
    again = collect(profile, engine, days=10)      # re-fetches the partial date
    assert again.dates_refetched
    run_audit(profile, engine, window=7)
    with engine.connect() as conn:
        usage = conn.execute(sa.select(m.TeamUsage.scope_type, m.TeamUsage.scope_key,
                                       m.TeamUsage.people)).all()
        scores = conn.execute(sa.select(m.Score.scope_type, m.Score.scope_key,
                                        m.Score.inputs)).all()
        user_parameters = set(conn.execute(sa.select(m.UsageValue.parameter).where(
            m.UsageValue.entity_type == "user").distinct()).scalars())
        per_date = conn.execute(sa.select(m.TeamUsage.date, sa.func.count()).where(
            m.TeamUsage.scope_type == "org").group_by(m.TeamUsage.date)).all()
    scopes = {(t, k) for t, k, _ in usage}
    assert {k for t, k in scopes if t == "group"} == {"others"}
    assert {k for t, k in scopes if t == "org_unit"} == {"/sales", "/ops"}
    assert all(people >= 9 for _, _, people in usage)
    assert {(t, k) for t, k, _ in scores} == scopes
    assert all(inputs["people"] >= 9 for _, _, inputs in scores)
    assert "person" not in {t for t, _, _ in scores}
    assert user_parameters <= USER_PARAMETERS_FOR_CHECKS
    # one row per indicator and date: the re-fetched (still partial, so unscored) date
    # replaced its usage counts; scored dates have the event counts too
    partial = max(d for d, _ in per_date)
    assert {n for d, n in per_date if d != partial} == {len(USAGE_IDS) + len(EVENT_IDS)}
    assert dict(per_date)[partial] == len(USAGE_IDS)


def test_consent_adds_person_scores_and_per_person_usage(tenants, engine):
    profile = tenants["thriving"].model_copy(update={"per_person_insights": True})
    collect(profile, engine, days=10)
    report = run_audit(profile, engine, window=7)
    people = {s.scope_key for s in report.latest("person")}
    assert len(people) == PEOPLE
    assert all(s.date == report.as_of for s in report.scores if s.scope_type == "person")
    with engine.connect() as conn:
        parameters = set(conn.execute(sa.select(m.UsageValue.parameter).where(
            m.UsageValue.entity_type == "user").distinct()).scalars())
        stored = conn.execute(sa.select(sa.func.count()).select_from(m.Score).where(
            m.Score.scope_type == "person")).scalar_one()
    assert "gmail:num_emails_sent" in parameters
    assert stored == PEOPLE * len(CATEGORIES)
    for s in report.latest("person"):
        assert s.value == recompute(s.to_dict())
        if s.category != "overall":  # one person: a denominator counts their working days
            assert all(i["denominator"] <= s.inputs["days"] for i in s.inputs["indicators"]
                       if i["id"] != "recovery_info")


def test_run_before_any_collect_is_a_clear_error(tenants, engine):
    with pytest.raises(UserError, match="is not in the coach's database"):
        run_audit(tenants["thriving"], engine)


# -- the command -----------------------------------------------------------------------------

CLI = [sys.executable, "-m", "workspace_coach.cli.main"]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], check=False, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "COLUMNS": "200", **env})


def test_cli_scores_prints_and_writes_json(tenants, tmp_path):
    profile_path = tmp_path / "connection.yaml"
    profile = tenants["thriving"]
    profile.save(profile_path)
    (tmp_path / "service-account.json").write_bytes(profile.credentials_path.read_bytes())
    env = {"WC_DATA_DIR": str(tmp_path / "data"), "WC_DATABASE_URL": ""}
    before = cli("audit", "run", "--connection", str(profile_path), env=env)
    assert before.returncode == 1
    assert "is not in the coach's database" in before.stderr
    assert len(before.stderr.strip().splitlines()) == 1
    collected = cli("audit", "collect", "--connection", str(profile_path), "--days", "35",
                    env=env)
    assert collected.returncode == 0, collected.stderr
    out = tmp_path / "scores.json"
    result = cli("audit", "run", "--connection", str(profile_path), "--json", str(out), env=env)
    assert result.returncode == 0, result.stderr
    for text in ("조직 점수", "계정 활성화", "Activation", "보안 위생", "Security hygiene",
                 "org_unit /sales", "group events@"):
        assert text in result.stdout, text
    assert "↑" in result.stdout or "↓" in result.stdout or "→" in result.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    org = {s["category"]: s for s in document["scores"] if s["scope_type"] == "org"}
    assert list(org) == list(CATEGORIES)
    for score in document["scores"]:
        assert score["value"] == recompute(score)
    assert len(document["trend"]["org:*"]["overall"]) > 20
    assert f"{org['overall']['value']:.1f}" in result.stdout
    bad = cli("audit", "run", "--connection", str(profile_path), "--window", "3", env=env)
    assert bad.returncode == 1 and "--window must be between 7 and 90" in bad.stderr


def test_the_worked_example_of_the_docs_is_true(scored):
    """docs/scoring.md computes these by hand: keep them in step with the simulator."""
    _, reports = scored
    report = reports["struggling"]
    assert report.as_of == dt.date(2025, 6, 16)
    org = {s.category: s for s in report.latest("org")}
    activation = {i["id"]: (i["numerator"], i["denominator"])
                  for i in org["activation"].inputs["indicators"]}
    assert activation == {"signed_in_28d": (400, 440), "signed_in_today": (256, 440)}
    assert (org["activation"].inputs["days"], org["activation"].inputs["people"]) == (20, 22)
    assert org["activation"].value == 83.4 and org["security"].value == 36.0
    assert [org[c].value for c in CATEGORIES] == [83.4, 37.2, 7.1, 22.8, 10.9, 13.3, 36.0, 31.1]
    security = {i["id"]: (i["numerator"], i["denominator"])
                for i in org["security"].inputs["indicators"]}
    assert security == {"two_step": (108, 440), "passkey": (0, 440), "recovery_info": (0, 22),
                        "no_public_links": (407, 440), "few_apps": (440, 440)}
