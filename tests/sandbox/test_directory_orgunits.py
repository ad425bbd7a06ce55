"""Directory org units through googleapiclient: paths, ids, listing, renames, moves, deletes."""

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


def customer_id(directory, tenant) -> str:
    return directory.users().get(userKey=tenant.admin).execute()["customerId"]


def admin_events(sandbox, customer: str) -> list[tuple[str, dict]]:
    rows = sandbox.app.store.execute(
        "SELECT name, params FROM events WHERE tenant=? AND app='admin' ORDER BY id",
        (customer,)).fetchall()
    return [(name, json.loads(params)) for name, params in rows]


def ou(directory, name, parent="/", **extra):
    body = {"name": name, "parentOrgUnitPath": parent, **extra}
    return directory.orgunits().insert(customerId="my_customer", body=body).execute()


def paths(listing) -> list[str]:
    return sorted(u["orgUnitPath"] for u in listing.get("organizationUnits", []))


def test_insert_get_by_path_and_id(directory):
    teams = ou(directory, "teams", description="모든 팀")
    assert teams["orgUnitPath"] == "/teams" and teams["parentOrgUnitPath"] == "/"
    assert teams["orgUnitId"].startswith("id:") and teams["parentOrgUnitId"].startswith("id:")
    assert_matches_schema("directory", "OrgUnit", teams)
    finance = directory.orgunits().insert(customerId="my_customer", body={
        "name": "finance", "parentOrgUnitId": teams["orgUnitId"]}).execute()
    assert finance["orgUnitPath"] == "/teams/finance"
    assert finance["parentOrgUnitPath"] == "/teams"
    sales = ou(directory, "영업 1팀", "/teams")
    for key in ("teams/finance", "/teams/finance", "TEAMS/Finance", finance["orgUnitId"]):
        got = directory.orgunits().get(customerId="my_customer", orgUnitPath=key).execute()
        assert got["orgUnitId"] == finance["orgUnitId"], key
    got = directory.orgunits().get(customerId="my_customer", orgUnitPath="teams/영업 1팀").execute()
    assert got["orgUnitId"] == sales["orgUnitId"] and got["name"] == "영업 1팀"


def test_list_types(directory):
    ou(directory, "a")
    ou(directory, "b")
    ou(directory, "a1", "/a")
    ou(directory, "a2", "/a")
    ou(directory, "deep", "/a/a1")
    listing = directory.orgunits().list(customerId="my_customer").execute()
    assert paths(listing) == ["/a", "/b"]
    assert_matches_schema("directory", "OrgUnits", listing)
    every = directory.orgunits().list(customerId="my_customer", type="all").execute()
    assert paths(every) == ["/a", "/a/a1", "/a/a1/deep", "/a/a2", "/b"]
    under = directory.orgunits().list(customerId="my_customer", type="children",
                                      orgUnitPath="/a").execute()
    assert paths(under) == ["/a/a1", "/a/a2"]
    with_parent = directory.orgunits().list(customerId="my_customer", type="allIncludingParent",
                                            orgUnitPath="a").execute()
    assert paths(with_parent) == ["/a", "/a/a1", "/a/a1/deep", "/a/a2"]
    empty = directory.orgunits().list(customerId="my_customer", orgUnitPath="/b").execute()
    assert "organizationUnits" not in empty


def test_errors(directory, tenant):
    ou(directory, "dup")
    with pytest.raises(HttpError) as dup:
        ou(directory, "dup")
    # Google answers a duplicate path with 400 "Invalid Ou Id" (GAM reads it as "exists").
    assert dup.value.resp.status == 400 and reason(dup.value) == "invalid"
    assert "Invalid Ou Id" in str(dup.value)
    with pytest.raises(HttpError) as parent:
        ou(directory, "orphan", "/nowhere")
    assert parent.value.resp.status == 400 and "Invalid Parent Orgunit Id" in str(parent.value)
    with pytest.raises(HttpError) as nameless:
        directory.orgunits().insert(customerId="my_customer",
                                    body={"parentOrgUnitPath": "/"}).execute()
    assert nameless.value.resp.status == 400 and reason(nameless.value) == "required"
    with pytest.raises(HttpError) as slash:
        ou(directory, "a/b")
    assert reason(slash.value) == "invalid"
    with pytest.raises(HttpError) as missing:
        directory.orgunits().get(customerId="my_customer", orgUnitPath="ghost").execute()
    assert missing.value.resp.status == 404 and reason(missing.value) == "notFound"
    with pytest.raises(HttpError) as foreign:
        directory.orgunits().list(customerId="C0someone").execute()
    assert foreign.value.resp.status == 403


def test_rename_and_move_carry_children_and_users(directory, tenant):
    ou(directory, "sales")
    ou(directory, "seoul", "/sales")
    ou(directory, "busan", "/sales/seoul")
    ou(directory, "hq")
    user = directory.users().insert(body={
        "primaryEmail": f"seller@{tenant.domain}", "name": {"givenName": "판매",
                                                             "familyName": "김"},
        "password": "Sandbox-pass-123", "orgUnitPath": "/sales/seoul/busan"}).execute()
    renamed = directory.orgunits().patch(customerId="my_customer", orgUnitPath="sales",
                                         body={"name": "영업"}).execute()
    assert renamed["orgUnitPath"] == "/영업"
    child = directory.orgunits().get(customerId="my_customer",
                                     orgUnitPath="영업/seoul/busan").execute()
    assert child["orgUnitPath"] == "/영업/seoul/busan"
    assert child["parentOrgUnitPath"] == "/영업/seoul"
    assert directory.users().get(userKey=user["id"]).execute()["orgUnitPath"] == "/영업/seoul/busan"
    with pytest.raises(HttpError) as old:
        directory.orgunits().get(customerId="my_customer", orgUnitPath="sales/seoul").execute()
    assert old.value.resp.status == 404
    moved = directory.orgunits().update(customerId="my_customer", orgUnitPath="영업/seoul",
                                        body={"parentOrgUnitPath": "/hq"}).execute()
    assert moved["orgUnitPath"] == "/hq/seoul" and moved["parentOrgUnitPath"] == "/hq"
    assert directory.users().get(userKey=user["id"]).execute()["orgUnitPath"] == "/hq/seoul/busan"
    # The user listing query follows the new path too.
    found = directory.users().list(customer="my_customer",
                                   query="orgUnitPath='/hq/seoul/busan'").execute()
    assert [u["id"] for u in found["users"]] == [user["id"]]
    with pytest.raises(HttpError) as into_self:
        directory.orgunits().patch(customerId="my_customer", orgUnitPath="hq",
                                   body={"parentOrgUnitPath": "/hq/seoul"}).execute()
    assert into_self.value.resp.status == 400
    ou(directory, "seoul")
    with pytest.raises(HttpError) as clash:
        directory.orgunits().patch(customerId="my_customer", orgUnitPath="hq/seoul",
                                   body={"parentOrgUnitPath": "/"}).execute()
    assert clash.value.resp.status == 400 and "Invalid Ou Id" in str(clash.value)


def test_delete_refused_while_not_empty(directory, tenant):
    ou(directory, "temp")
    ou(directory, "inner", "/temp")
    user = directory.users().insert(body={
        "primaryEmail": f"temp.user@{tenant.domain}", "name": {"givenName": "a", "familyName": "b"},
        "password": "Sandbox-pass-123", "orgUnitPath": "/temp/inner"}).execute()
    with pytest.raises(HttpError) as children:
        directory.orgunits().delete(customerId="my_customer", orgUnitPath="temp").execute()
    assert children.value.resp.status == 412 and reason(children.value) == "conditionNotMet"
    with pytest.raises(HttpError) as users:
        directory.orgunits().delete(customerId="my_customer", orgUnitPath="temp/inner").execute()
    assert users.value.resp.status == 412
    directory.users().patch(userKey=user["id"], body={"orgUnitPath": "/"}).execute()
    directory.orgunits().delete(customerId="my_customer", orgUnitPath="temp/inner").execute()
    directory.orgunits().delete(customerId="my_customer", orgUnitPath="/temp").execute()
    listing = directory.orgunits().list(customerId="my_customer", type="all").execute()
    assert paths(listing) == []
    with pytest.raises(HttpError) as gone:
        directory.orgunits().delete(customerId="my_customer", orgUnitPath="temp").execute()
    assert gone.value.resp.status == 404


def test_admin_events(directory, tenant, sandbox):
    ou(directory, "ev")
    ou(directory, "dest")
    directory.orgunits().patch(customerId="my_customer", orgUnitPath="ev",
                               body={"name": "ev2", "parentOrgUnitPath": "/dest"}).execute()
    directory.orgunits().delete(customerId="my_customer", orgUnitPath="dest/ev2").execute()
    events = admin_events(sandbox, customer_id(directory, tenant))
    names = [n for n, _ in events if "ORG_UNIT" in n]
    assert names == ["CREATE_ORG_UNIT", "CREATE_ORG_UNIT", "EDIT_ORG_UNIT_NAME", "MOVE_ORG_UNIT",
                     "REMOVE_ORG_UNIT"]
    params = {n: p for n, p in events}
    assert params["EDIT_ORG_UNIT_NAME"] == {"ORG_UNIT_NAME": "/ev", "NEW_VALUE": "ev2"}
    assert params["REMOVE_ORG_UNIT"] == {"ORG_UNIT_NAME": "/dest/ev2"}


def test_tenant_isolation(directory, tenant, sandbox, tmp_path):
    mine = ou(directory, "private")
    other = GoogleClients(make_tenant(sandbox, tmp_path / "other"), scopes.PROVISION)
    theirs = other.service("directory")
    with pytest.raises(HttpError) as by_id:
        theirs.orgunits().get(customerId="my_customer", orgUnitPath=mine["orgUnitId"]).execute()
    assert by_id.value.resp.status == 404
    with pytest.raises(HttpError) as by_customer:
        theirs.orgunits().list(customerId=customer_id(directory, tenant)).execute()
    assert by_customer.value.resp.status == 403
    with pytest.raises(HttpError):
        theirs.orgunits().delete(customerId="my_customer", orgUnitPath="private").execute()
    # The same name is free in the other tenant.
    assert ou(theirs, "private")["orgUnitId"] != mine["orgUnitId"]
    assert paths(directory.orgunits().list(customerId="my_customer").execute()) == ["/private"]
