"""The provisioning page against a sandbox tenant: make a plan from the dashboard, apply it on
the command line, and see the apply in the journal."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import make_tenant
from tests.dashboard.conftest import run_app
from workspace_coach.coaching.clients import register_client
from workspace_coach.coaching.provisioning import PLAN_FILE
from workspace_coach.provision.plan import Plan


def test_plan_in_the_dashboard_apply_on_the_command_line(use_db, sandbox, tmp_path):
    profile = make_tenant(sandbox, tmp_path / "client")
    client = register_client(use_db.engine, profile.source)
    folder = profile.source.parent
    (folder / "roster.csv").write_text("이름,영문이름,조직\n김가람,,/새팀\n이나래,,\n",
                                       encoding="utf-8")

    at = run_app("provisioning", client=client.slug, lang="en")
    assert "No saved plan. Make one below." in [i.value for i in at.info]
    assert at.text_input(key="plan-roster").value == str(folder / "roster.csv")
    next(b for b in at.button if b.label == "Make the plan").click().run()
    assert not at.exception and not at.error
    plan_path = folder / PLAN_FILE
    assert f"Plan saved to {plan_path}." in [s.value for s in at.success]
    plan = Plan.load(plan_path)
    assert {(c.action, c.kind) for c in plan.changes} >= {("create", "user"),
                                                           ("create", "org_unit")}
    markdown = "\n".join(m.value for m in at.markdown)
    assert f"{len(plan.changes)} changes" in markdown
    assert "Not applied yet: apply it on the command line." in [i.value for i in at.info]
    table = at.dataframe[0].value
    assert len(table) == len(plan.changes) and "user garam.kim@" + profile.domain in set(
        table["Object"])

    applied = subprocess.run([sys.executable, "-m", "workspace_coach.cli.main", "provision",
                              "apply", "--connection", str(profile.source), "--plan",
                              str(plan_path)], capture_output=True, text=True, timeout=120)
    assert applied.returncode == 0, applied.stderr

    at = run_app("provisioning", client=client.slug, lang="en")
    assert any(s.value.startswith("Applied (") for s in at.success)
    runs = at.dataframe[1].value
    assert list(runs["Plan"]) == [plan.checksum[:12]]
    assert runs["Steps"][0] == f"{len(plan.changes)} done"


def test_the_page_lists_people_in_their_grace_period(use_db, sandbox, tmp_path):
    from workspace_coach.provision.journal import Journal

    profile = make_tenant(sandbox, tmp_path / "client")
    client = register_client(use_db.engine, profile.source)
    at = run_app("provisioning", client=client.slug, lang="en")
    assert "Nobody is in a grace period." in [c.value for c in at.caption]
    journal = Journal(profile.source.parent / "provision-journal.sqlite3")
    try:
        journal.record_leaver(profile.domain, f"leaver@{profile.domain}", ["all@x"])
    finally:
        journal.close()
    at = run_app("provisioning", client=client.slug, lang="en")
    assert not at.exception
    grace = next(d.value for d in at.dataframe if "Grace period ends" in d.value.columns)
    assert list(grace["Person"]) == [f"leaver@{profile.domain}"]
