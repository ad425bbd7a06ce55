"""Who belongs to an org unit: a person in /A/B counts in /A too, and the root is the
organisation, the same in the audit's teams (Teams heatmap) and in curriculum progress."""

from __future__ import annotations

import sqlalchemy as sa

from tests.audit.stored import add_client, migrate
from workspace_coach.audit.teams import snapshot_scopes
from workspace_coach.curriculum.progress import load_directory, team_progress
from workspace_coach.curriculum.tracks import load_track
from workspace_coach.orgunits import unit_paths
from workspace_coach.storage import models as m
from workspace_coach.storage.snapshots import newest_snapshot

PATHS = {"/": 2, "/A": 3, "/A/B": 4}


def _nested(conn: sa.Connection) -> tuple[int, int]:
    client = add_client(conn, "nested", 0, min_group_size=3)
    snapshot = newest_snapshot(conn, client)
    assert snapshot is not None
    conn.execute(sa.insert(m.OrgUnit), [
        {"snapshot_id": snapshot, "org_unit_id": f"id{n}", "path": path, "name": path[1:],
         "parent_path": path.rsplit("/", 1)[0] or "/"}
        for n, path in enumerate(("/A", "/A/B"))])
    conn.execute(sa.insert(m.Person), [
        {"snapshot_id": snapshot, "user_id": f"{path}{n}", "email": f"p{n}{path.replace('/', '-')}"
         "@nested.example.kr", "org_unit_path": path, "is_admin": False,
         "is_delegated_admin": False, "admin_roles": [], "suspended": False, "archived": False,
         "is_enrolled_2sv": False, "is_enforced_2sv": False, "has_recovery_email": False,
         "has_recovery_phone": False, "created_at": None, "last_login_at": None}
        for path, count in PATHS.items() for n in range(count)])
    return client, snapshot


def test_unit_paths_are_the_unit_and_its_parents():
    assert unit_paths("/A/B") == ["/A/B", "/A"]
    assert unit_paths("/") == []


def test_nested_units_count_the_same_in_the_audit_and_in_curriculum_progress(engine):
    migrate(engine)
    with engine.begin() as conn:
        client, snapshot = _nested(conn)
    expected = {"/A": 7, "/A/B": 4}
    with engine.connect() as conn:
        audit = {key: len(who) for (kind, key), who in snapshot_scopes(conn, snapshot, 3)
                 .members.items() if kind == "org_unit"}
        progress = team_progress(conn, client, load_track("new-member"))
        directory = load_directory(conn, client)
        one = team_progress(conn, client, load_track("new-member"), team="/A")
    curriculum = {s.scope_key: s.people for s in progress.scopes if s.scope_type == "org_unit"}
    assert audit == curriculum == expected          # no "/" unit: the root is the organisation
    assert {s.scope_key: s.people for s in progress.scopes if s.scope_type == "org"} == {"*": 9}
    assert [(s.scope_key, s.people) for s in one.scopes] == [("/A", 7)]
    assert len(directory.team_members("/A")[2]) == 7
    assert directory.team_members("/")[:2] == ("org", "*")
