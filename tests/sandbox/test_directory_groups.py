"""Directory groups and group aliases through googleapiclient."""

from __future__ import annotations

import json

import pytest
from googleapiclient.errors import HttpError

from tests.conftest import make_tenant
from tests.sandbox.schema import assert_matches_schema
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients


def reason(exc: HttpError) -> str:
    return exc.error_details[0]["reason"]


def group(directory, domain, local, **extra):
    return directory.groups().insert(body={"email": f"{local}@{domain}", **extra}).execute()


def user(directory, domain, local):
    return directory.users().insert(body={
        "primaryEmail": f"{local}@{domain}", "name": {"givenName": "길동", "familyName": "홍"},
        "password": "Sandbox-pass-123"}).execute()


def test_insert_get_and_shape(directory, tenant):
    created = group(directory, tenant.domain, "Sales", name="영업팀", description="영업 부서")
    assert created["email"] == f"sales@{tenant.domain}"
    assert created["name"] == "영업팀" and created["description"] == "영업 부서"
    assert created["adminCreated"] is True and created["directMembersCount"] == "0"
    assert created["kind"] == "admin#directory#group" and len(created["id"]) == 15
    assert_matches_schema("directory", "Group", created)
    for key in (created["id"], f"SALES@{tenant.domain}"):
        assert directory.groups().get(groupKey=key).execute()["id"] == created["id"]
    unnamed = group(directory, tenant.domain, "noname")
    assert unnamed["name"] == "noname"


def test_insert_errors(directory, tenant):
    user(directory, tenant.domain, "taken")
    group(directory, tenant.domain, "team")
    for local in ("taken", "team"):
        with pytest.raises(HttpError) as dup:
            group(directory, tenant.domain, local)
        assert dup.value.resp.status == 409 and reason(dup.value) == "duplicate"
    with pytest.raises(HttpError) as user_clash:
        user(directory, tenant.domain, "team")
    assert user_clash.value.resp.status == 409
    with pytest.raises(HttpError) as long_name:
        group(directory, tenant.domain, "long", name="가" * 74)
    assert long_name.value.resp.status == 400 and reason(long_name.value) == "invalid"
    assert group(directory, tenant.domain, "max", name="가" * 73)["name"] == "가" * 73
    with pytest.raises(HttpError) as missing:
        directory.groups().insert(body={"name": "x"}).execute()
    assert missing.value.resp.status == 400 and reason(missing.value) == "required"
    with pytest.raises(HttpError) as foreign:
        group(directory, "gmail.com", "outside")
    assert foreign.value.resp.status == 403
    with pytest.raises(HttpError) as bad:
        directory.groups().insert(body={"email": "not-an-address"}).execute()
    assert bad.value.resp.status == 400
    with pytest.raises(HttpError) as unknown:
        directory.groups().get(groupKey=f"nobody@{tenant.domain}").execute()
    assert unknown.value.resp.status == 404 and reason(unknown.value) == "notFound"


def test_list_paging_query_and_user_key(directory, tenant):
    created = [group(directory, tenant.domain, local, name=name) for local, name in
               [("delta", "Delta Team"), ("alpha", "Alpha"), ("charlie", "Charlie"),
                ("bravo", "Bravo Crew"), ("echo", "Echo")]]
    seen, token, pages = [], None, 0
    while True:
        result = directory.groups().list(customer="my_customer", maxResults=2,
                                         pageToken=token).execute()
        assert_matches_schema("directory", "Groups", result)
        seen += [g["email"] for g in result["groups"]]
        pages += 1
        token = result.get("nextPageToken")
        if not token:
            break
    assert pages == 3 and seen == sorted(g["email"] for g in created)
    desc = directory.groups().list(domain=tenant.domain, orderBy="email",
                                   sortOrder="DESCENDING").execute()
    assert [g["email"].split("@")[0] for g in desc["groups"]] == [
        "echo", "delta", "charlie", "bravo", "alpha"]
    by_email = directory.groups().list(customer="my_customer", query="email:br*").execute()
    assert [g["name"] for g in by_email["groups"]] == ["Bravo Crew"]
    by_name = directory.groups().list(customer="my_customer",
                                      query="name:'Delta Team'").execute()
    assert [g["email"] for g in by_name["groups"]] == [f"delta@{tenant.domain}"]
    prefix = directory.groups().list(customer="my_customer", query="name:Ch*").execute()
    assert len(prefix["groups"]) == 1
    none = directory.groups().list(customer="my_customer", query="email:zulu*").execute()
    assert "groups" not in none
    with pytest.raises(HttpError) as bad_query:
        directory.groups().list(customer="my_customer", query="color:red").execute()
    assert bad_query.value.resp.status == 400
    with pytest.raises(HttpError) as no_scope:
        directory.groups().list().execute()
    assert no_scope.value.resp.status == 400
    member = user(directory, tenant.domain, "joiner")
    for target in ("alpha", "echo"):
        directory.members().insert(groupKey=f"{target}@{tenant.domain}",
                                   body={"email": member["primaryEmail"]}).execute()
    mine = directory.groups().list(userKey=member["primaryEmail"]).execute()
    assert [g["email"].split("@")[0] for g in mine["groups"]] == ["alpha", "echo"]
    assert [g["directMembersCount"] for g in mine["groups"]] == ["1", "1"]
    by_member = directory.groups().list(customer="my_customer",
                                        query=f"memberKey={member['id']}").execute()
    assert len(by_member["groups"]) == 2


def test_update_patch_and_rename(directory, tenant, sandbox):
    created = group(directory, tenant.domain, "old", name="Old")
    patched = directory.groups().patch(groupKey=created["id"],
                                       body={"description": "새 설명"}).execute()
    assert patched["description"] == "새 설명" and patched["name"] == "Old"
    renamed = directory.groups().update(groupKey=f"old@{tenant.domain}", body={
        "email": f"new@{tenant.domain}", "name": "New"}).execute()
    assert renamed["email"] == f"new@{tenant.domain}" and renamed["name"] == "New"
    assert renamed["aliases"] == [f"old@{tenant.domain}"]
    assert directory.groups().get(groupKey=f"old@{tenant.domain}").execute()["id"] == created["id"]
    settings = sandbox.app.store.get("group_settings", renamed_customer(directory, tenant),
                                     f"new@{tenant.domain}")
    assert settings["name"] == "New" and settings["description"] == "새 설명"
    group(directory, tenant.domain, "other")
    with pytest.raises(HttpError) as clash:
        directory.groups().patch(groupKey=created["id"],
                                 body={"email": f"other@{tenant.domain}"}).execute()
    assert clash.value.resp.status == 409
    with pytest.raises(HttpError) as long_name:
        directory.groups().patch(groupKey=created["id"], body={"name": "x" * 80}).execute()
    assert long_name.value.resp.status == 400


def renamed_customer(directory, tenant) -> str:
    return directory.users().get(userKey=tenant.admin).execute()["customerId"]


def test_delete_removes_members_memberships_and_settings(directory, tenant, sandbox):
    parent = group(directory, tenant.domain, "parent")
    child = group(directory, tenant.domain, "child")
    person = user(directory, tenant.domain, "person")
    directory.members().insert(groupKey=child["id"],
                               body={"email": person["primaryEmail"]}).execute()
    directory.members().insert(groupKey=parent["id"], body={"email": child["email"]}).execute()
    assert directory.groups().get(groupKey=parent["id"]).execute()["directMembersCount"] == "1"
    directory.groups().delete(groupKey=child["id"]).execute()
    with pytest.raises(HttpError) as gone:
        directory.groups().get(groupKey=child["id"]).execute()
    assert gone.value.resp.status == 404
    assert directory.groups().get(groupKey=parent["id"]).execute()["directMembersCount"] == "0"
    customer = renamed_customer(directory, tenant)
    assert sandbox.app.store.count("member", customer) == 0
    assert sandbox.app.store.get("group_settings", customer, child["email"]) is None
    # The address is free again.
    assert group(directory, tenant.domain, "child")["id"] != child["id"]
    rows = sandbox.app.store.execute(
        "SELECT name, params FROM events WHERE tenant=? AND app='admin' AND name LIKE '%GROUP%'"
        " ORDER BY id", (customer,)).fetchall()
    assert [r[0] for r in rows] == ["CREATE_GROUP", "CREATE_GROUP", "ADD_GROUP_MEMBER",
                                    "ADD_GROUP_MEMBER", "DELETE_GROUP", "CREATE_GROUP"]
    assert json.loads(rows[4][1]) == {"GROUP_EMAIL": child["email"]}


def test_group_aliases(directory, tenant):
    created = group(directory, tenant.domain, "support")
    alias = directory.groups().aliases().insert(
        groupKey=created["id"], body={"alias": f"help@{tenant.domain}"}).execute()
    assert alias["alias"] == f"help@{tenant.domain}" and alias["primaryEmail"] == created["email"]
    assert_matches_schema("directory", "Alias", alias)
    listed = directory.groups().aliases().list(groupKey=created["email"]).execute()
    assert [a["alias"] for a in listed["aliases"]] == [f"help@{tenant.domain}"]
    assert directory.groups().get(groupKey=f"help@{tenant.domain}").execute()["id"] == created["id"]
    with pytest.raises(HttpError) as clash:
        user(directory, tenant.domain, "help")
    assert clash.value.resp.status == 409
    found = directory.groups().list(customer="my_customer", query="email:help*").execute()
    assert [g["id"] for g in found["groups"]] == [created["id"]]
    directory.groups().aliases().delete(groupKey=created["id"],
                                        alias=f"help@{tenant.domain}").execute()
    with pytest.raises(HttpError):
        directory.groups().get(groupKey=f"help@{tenant.domain}").execute()
    with pytest.raises(HttpError) as missing:
        directory.groups().aliases().delete(groupKey=created["id"],
                                            alias=f"help@{tenant.domain}").execute()
    assert missing.value.resp.status == 404


def test_tenant_isolation(directory, tenant, sandbox, tmp_path):
    mine = group(directory, tenant.domain, "secret")
    other = GoogleClients(make_tenant(sandbox, tmp_path / "other"), scopes.PROVISION)
    theirs = other.service("directory")
    for key in (mine["id"], mine["email"]):
        with pytest.raises(HttpError) as hidden:
            theirs.groups().get(groupKey=key).execute()
        assert hidden.value.resp.status == 404
    with pytest.raises(HttpError):
        theirs.groups().delete(groupKey=mine["id"]).execute()
    with pytest.raises(HttpError) as foreign_domain:
        theirs.groups().list(domain=tenant.domain).execute()
    assert foreign_domain.value.resp.status == 403
    with pytest.raises(HttpError) as foreign_insert:
        theirs.groups().insert(body={"email": f"grab@{tenant.domain}"}).execute()
    assert foreign_insert.value.resp.status == 403
    assert "groups" not in theirs.groups().list(customer="my_customer").execute()
    assert directory.groups().get(groupKey=mine["id"]).execute()["email"] == mine["email"]
