"""Directory group members through googleapiclient: roles, nesting, external addresses, paging,
eventual consistency and a 300-call batch."""

from __future__ import annotations

import json
import time

import pytest
import requests
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from tests.conftest import make_tenant
from tests.sandbox.schema import assert_matches_schema
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients


def reason(exc: HttpError) -> str:
    return exc.error_details[0]["reason"]


def user(directory, domain, local):
    return directory.users().insert(body={
        "primaryEmail": f"{local}@{domain}", "name": {"givenName": "수진", "familyName": "최"},
        "password": "Sandbox-pass-123"}).execute()


def group(directory, domain, local):
    return directory.groups().insert(body={"email": f"{local}@{domain}"}).execute()


def add(directory, group_key, email, **extra):
    return directory.members().insert(groupKey=group_key, body={"email": email, **extra}).execute()


def customer(directory, tenant) -> str:
    return directory.users().get(userKey=tenant.admin).execute()["customerId"]


def test_insert_get_update_delete(directory, tenant):
    team = group(directory, tenant.domain, "team")
    alice = user(directory, tenant.domain, "alice")
    member = add(directory, team["id"], f"ALICE@{tenant.domain}")
    assert member == {**member, "kind": "admin#directory#member", "id": alice["id"],
                      "email": alice["primaryEmail"], "role": "MEMBER", "type": "USER",
                      "status": "ACTIVE"}
    assert_matches_schema("directory", "Member", member)
    by_id = directory.members().insert(groupKey=team["email"], body={
        "id": user(directory, tenant.domain, "bob")["id"], "role": "OWNER"}).execute()
    assert by_id["role"] == "OWNER" and by_id["email"] == f"bob@{tenant.domain}"
    for key in (alice["id"], alice["primaryEmail"]):
        assert directory.members().get(groupKey=team["id"], memberKey=key).execute()["id"] == \
            alice["id"]
    patched = directory.members().patch(groupKey=team["id"], memberKey=alice["id"],
                                        body={"role": "MANAGER"}).execute()
    assert patched["role"] == "MANAGER" and patched["email"] == alice["primaryEmail"]
    updated = directory.members().update(groupKey=team["id"], memberKey=alice["primaryEmail"],
                                         body={"delivery_settings": "DIGEST"}).execute()
    assert updated["delivery_settings"] == "DIGEST" and updated["role"] == "MANAGER"
    assert directory.groups().get(groupKey=team["id"]).execute()["directMembersCount"] == "2"
    directory.members().delete(groupKey=team["id"], memberKey=alice["primaryEmail"]).execute()
    assert directory.groups().get(groupKey=team["id"]).execute()["directMembersCount"] == "1"
    with pytest.raises(HttpError) as gone:
        directory.members().get(groupKey=team["id"], memberKey=alice["id"]).execute()
    assert gone.value.resp.status == 404 and reason(gone.value) == "notFound"


def test_insert_errors(directory, tenant):
    team = group(directory, tenant.domain, "errs")
    carol = user(directory, tenant.domain, "carol")
    add(directory, team["id"], carol["primaryEmail"])
    with pytest.raises(HttpError) as dup:
        add(directory, team["id"], carol["primaryEmail"], role="OWNER")
    assert dup.value.resp.status == 409 and reason(dup.value) == "duplicate"
    assert "Member already exists." in str(dup.value)
    with pytest.raises(HttpError) as unknown:
        add(directory, team["id"], f"ghost@{tenant.domain}")
    assert unknown.value.resp.status == 404 and reason(unknown.value) == "notFound"
    with pytest.raises(HttpError) as no_group:
        add(directory, f"nogroup@{tenant.domain}", carol["primaryEmail"])
    assert no_group.value.resp.status == 404 and "groupKey" in str(no_group.value)
    with pytest.raises(HttpError) as no_key:
        directory.members().insert(groupKey=team["id"], body={"role": "MEMBER"}).execute()
    assert no_key.value.resp.status == 400 and reason(no_key.value) == "required"
    with pytest.raises(HttpError) as bad_role:
        add(directory, team["id"], user(directory, tenant.domain, "dave")["primaryEmail"],
            role="BOSS")
    assert bad_role.value.resp.status == 400 and reason(bad_role.value) == "invalid"


def test_external_members_need_the_group_setting(directory, admin_clients, tenant):
    team = group(directory, tenant.domain, "partners")
    with pytest.raises(HttpError) as refused:
        add(directory, team["id"], "friend@partner.example.com")
    assert refused.value.resp.status == 400 and reason(refused.value) == "invalid"
    assert "memberKey" in str(refused.value)
    settings = admin_clients.service("groupssettings")
    settings.groups().patch(groupUniqueId=team["email"],
                            body={"allowExternalMembers": "true"}).execute()
    member = add(directory, team["id"], "Friend@Partner.example.com")
    assert member["email"] == "friend@partner.example.com" and member["type"] == "USER"
    again = group(directory, tenant.domain, "partners2")
    settings.groups().patch(groupUniqueId=again["email"],
                            body={"allowExternalMembers": "true"}).execute()
    # One outside address keeps one id across groups, and groups.list(userKey) finds both.
    assert add(directory, again["id"], "friend@partner.example.com")["id"] == member["id"]
    mine = directory.groups().list(userKey="friend@partner.example.com").execute()
    assert len(mine["groups"]) == 2
    got = directory.members().get(groupKey=team["id"],
                                  memberKey="friend@partner.example.com").execute()
    assert got["id"] == member["id"]


def test_nested_groups_and_has_member(directory, tenant):
    outer = group(directory, tenant.domain, "outer")
    inner = group(directory, tenant.domain, "inner")
    erin = user(directory, tenant.domain, "erin")
    frank = user(directory, tenant.domain, "frank")
    add(directory, inner["id"], erin["primaryEmail"])
    nested = add(directory, outer["id"], inner["email"])
    assert nested["type"] == "GROUP" and nested["id"] == inner["id"]
    has = directory.members().hasMember(groupKey=outer["id"], memberKey=erin["id"]).execute()
    assert has == {"isMember": True}
    assert_matches_schema("directory", "MembersHasMember", has)
    assert directory.members().hasMember(groupKey=outer["email"],
                                         memberKey=frank["primaryEmail"]).execute() == {
        "isMember": False}
    with pytest.raises(HttpError) as unknown:
        directory.members().hasMember(groupKey=outer["id"],
                                      memberKey=f"ghost@{tenant.domain}").execute()
    assert unknown.value.resp.status == 404
    with pytest.raises(HttpError) as cycle:
        add(directory, inner["id"], outer["email"])
    assert cycle.value.resp.status == 412 and reason(cycle.value) == "conditionNotMet"
    with pytest.raises(HttpError) as itself:
        add(directory, inner["id"], inner["email"])
    assert itself.value.resp.status == 412
    with pytest.raises(HttpError) as group_manager:
        add(directory, inner["id"], group(directory, tenant.domain, "third")["email"],
            role="MANAGER")
    assert group_manager.value.resp.status == 400 and "memberKey" in str(group_manager.value)
    derived = directory.members().list(groupKey=outer["id"],
                                       includeDerivedMembership=True).execute()
    assert {m["email"] for m in derived["members"]} == {inner["email"], erin["primaryEmail"]}
    direct = directory.members().list(groupKey=outer["id"]).execute()
    assert [m["email"] for m in direct["members"]] == [inner["email"]]


def test_list_roles_and_paging(directory, tenant):
    team = group(directory, tenant.domain, "big")
    roles = ["OWNER", "MANAGER", "MEMBER", "MEMBER", "MEMBER"]
    for i, role in enumerate(roles):
        add(directory, team["id"], user(directory, tenant.domain, f"p{i}")["primaryEmail"],
            role=role)
    seen, token, pages = [], None, 0
    while True:
        result = directory.members().list(groupKey=team["id"], maxResults=2,
                                          pageToken=token).execute()
        assert_matches_schema("directory", "Members", result)
        seen += [m["email"] for m in result["members"]]
        pages += 1
        token = result.get("nextPageToken")
        if not token:
            break
    assert pages == 3 and seen == [f"p{i}@{tenant.domain}" for i in range(5)]
    bosses = directory.members().list(groupKey=team["id"], roles="OWNER,MANAGER").execute()
    assert [m["role"] for m in bosses["members"]] == ["OWNER", "MANAGER"]
    plain = directory.members().list(groupKey=team["id"], roles="MEMBER").execute()
    assert len(plain["members"]) == 3
    empty = directory.members().list(groupKey=group(directory, tenant.domain, "empty")["id"]
                                     ).execute()
    assert "members" not in empty
    with pytest.raises(HttpError) as bad:
        directory.members().list(groupKey=team["id"], roles="KING").execute()
    assert bad.value.resp.status == 400


def test_user_delete_removes_memberships(directory, tenant):
    team = group(directory, tenant.domain, "leavers")
    gone = user(directory, tenant.domain, "gone")
    add(directory, team["id"], gone["primaryEmail"])
    directory.users().delete(userKey=gone["id"]).execute()
    assert "members" not in directory.members().list(groupKey=team["id"]).execute()
    assert directory.groups().get(groupKey=team["id"]).execute()["directMembersCount"] == "0"


def later(sandbox, seconds: float) -> None:
    """Move the sandbox's readiness clock `seconds` ahead instead of sleeping."""
    sandbox.app.realism.ready_clock = lambda: time.time() + seconds


def test_user_not_ready_answers_condition_not_met(directory, tenant, sandbox):
    team = group(directory, tenant.domain, "fresh")
    try:
        answer = requests.put(sandbox.url + "_sandbox/config", json={"user_ready_ms": 60_000})
        assert answer.status_code == 200
        newbie = user(directory, tenant.domain, "newbie")
        with pytest.raises(HttpError) as early:
            add(directory, team["id"], newbie["primaryEmail"])
        assert early.value.resp.status == 412 and reason(early.value) == "conditionNotMet"
        assert "User creation is not complete." in str(early.value)
        later(sandbox, 61)  # once the user is old enough, the same call succeeds
        assert add(directory, team["id"], newbie["primaryEmail"])["id"] == newbie["id"]
    finally:
        sandbox.app.realism.ready_clock = time.time
        requests.put(sandbox.url + "_sandbox/config", json={})
    assert requests.get(sandbox.url + "_sandbox/config").json()["user_ready_ms"] == 0


def test_group_not_ready_answers_not_found(directory, tenant, sandbox):
    # Google answers 404 "Resource Not Found: groupKey" to members.insert for a while after
    # groups.insert; reads of the group itself already work.
    someone = user(directory, tenant.domain, "early.bird")
    try:
        answer = requests.put(sandbox.url + "_sandbox/config", json={"group_ready_ms": 60_000})
        assert answer.status_code == 200
        team = group(directory, tenant.domain, "brand-new")
        assert directory.groups().get(groupKey=team["id"]).execute()["id"] == team["id"]
        with pytest.raises(HttpError) as early:
            add(directory, team["id"], someone["primaryEmail"])
        assert early.value.resp.status == 404 and reason(early.value) == "notFound"
        assert "Resource Not Found: groupKey" in str(early.value)
        later(sandbox, 61)
        assert add(directory, team["id"], someone["primaryEmail"])["id"] == someone["id"]
    finally:
        sandbox.app.realism.ready_clock = time.time
        requests.put(sandbox.url + "_sandbox/config", json={})
    assert requests.get(sandbox.url + "_sandbox/config").json()["group_ready_ms"] == 0


def test_batch_of_300_inserts(directory, admin_clients, tenant):
    team = group(directory, tenant.domain, "everyone")
    created, failures = [], []

    def on_user(_rid, response, exc):
        (failures.append(exc) if exc else created.append(response["primaryEmail"]))

    batch = BatchHttpRequest(callback=on_user, batch_uri=admin_clients.batch_uri("directory"))
    for i in range(300):
        batch.add(directory.users().insert(body={
            "primaryEmail": f"m{i:03d}@{tenant.domain}", "name": {"givenName": "a",
                                                                   "familyName": "b"},
            "password": "Sandbox-pass-123"}))
    batch.execute()
    assert failures == [] and len(created) == 300
    added = []

    def on_member(_rid, response, exc):
        (failures.append(exc) if exc else added.append(response["email"]))

    batch = BatchHttpRequest(callback=on_member, batch_uri=admin_clients.batch_uri("directory"))
    for email in created:
        batch.add(directory.members().insert(groupKey=team["id"], body={"email": email}))
    batch.execute()
    assert failures == [] and sorted(added) == sorted(created)
    listed, token = [], None
    while True:
        result = directory.members().list(groupKey=team["id"], pageToken=token).execute()
        assert len(result["members"]) <= 200
        listed += [m["email"] for m in result["members"]]
        token = result.get("nextPageToken")
        if not token:
            break
    assert sorted(listed) == sorted(created)
    assert directory.groups().get(groupKey=team["id"]).execute()["directMembersCount"] == "300"


def test_member_events(directory, tenant, sandbox):
    team = group(directory, tenant.domain, "evt")
    gina = user(directory, tenant.domain, "gina")
    add(directory, team["id"], gina["primaryEmail"])
    directory.members().patch(groupKey=team["id"], memberKey=gina["id"],
                              body={"role": "OWNER"}).execute()
    directory.members().delete(groupKey=team["id"], memberKey=gina["id"]).execute()
    rows = sandbox.app.store.execute(
        "SELECT name, event_type, params FROM events WHERE tenant=? AND app='admin' "
        "AND name LIKE '%GROUP_MEMBER%' ORDER BY id", (customer(directory, tenant),)).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("ADD_GROUP_MEMBER", "GROUP_SETTINGS"),
                                            ("UPDATE_GROUP_MEMBER", "GROUP_SETTINGS"),
                                            ("REMOVE_GROUP_MEMBER", "GROUP_SETTINGS")]
    params = [json.loads(r[2]) for r in rows]
    assert all(p["GROUP_EMAIL"] == team["email"] and p["USER_EMAIL"] == gina["primaryEmail"]
               for p in params)
    assert params[1]["GROUP_MEMBER_ROLE"] == "OWNER"


def test_tenant_isolation(directory, tenant, sandbox, tmp_path):
    team = group(directory, tenant.domain, "closed")
    add(directory, team["id"], tenant.admin)
    other_profile = make_tenant(sandbox, tmp_path / "other")
    theirs = GoogleClients(other_profile, scopes.PROVISION).service("directory")
    for call in (
        lambda: theirs.members().list(groupKey=team["id"]).execute(),
        lambda: theirs.members().insert(groupKey=team["id"],
                                        body={"email": other_profile.admin}).execute(),
        lambda: theirs.members().delete(groupKey=team["email"], memberKey=tenant.admin).execute(),
        lambda: theirs.members().hasMember(groupKey=team["id"], memberKey=tenant.admin).execute(),
    ):
        with pytest.raises(HttpError) as refused:
            call()
        assert refused.value.resp.status == 404
    assert len(directory.members().list(groupKey=team["id"]).execute()["members"]) == 1
