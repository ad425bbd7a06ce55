"""Directory domains, customers, roles, role assignments and privileges through googleapiclient."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.conftest import make_tenant
from tests.sandbox.schema import assert_matches_schema
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.sandbox.discovery import router


def customer(directory, tenant) -> str:
    return directory.users().get(userKey=tenant.admin).execute()["customerId"]


def test_domains(directory, tenant):
    listing = directory.domains().list(customer="my_customer").execute()
    assert_matches_schema("directory", "Domains2", listing)
    kind = router().schemas["directory"]["Domains2"]["properties"]["kind"]["default"]
    assert listing["kind"] == kind == "admin#directory#domains"
    [domain] = listing["domains"]
    assert domain["domainName"] == tenant.domain
    assert domain["isPrimary"] is True and domain["verified"] is True
    assert domain["creationTime"].isdigit()
    got = directory.domains().get(customer=customer(directory, tenant),
                                  domainName=tenant.domain).execute()
    assert got["domainName"] == tenant.domain
    assert_matches_schema("directory", "Domains", got)
    with pytest.raises(HttpError) as missing:
        directory.domains().get(customer="my_customer", domainName="elsewhere.kr").execute()
    assert missing.value.resp.status == 404


CUSTOMER_SCOPE = "https://www.googleapis.com/auth/admin.directory.customer.readonly"


def test_customer(directory, tenant, sandbox, tmp_path):
    # customers.get needs its own scope, as at Google; the provisioning set does not carry it.
    with pytest.raises(HttpError) as scope:
        directory.customers().get(customerKey="my_customer").execute()
    assert scope.value.resp.status == 403
    assert scope.value.error_details[0]["reason"] == "insufficientPermissions"
    reader = GoogleClients(tenant, (*scopes.PROVISION, CUSTOMER_SCOPE)).service("directory")
    mine = reader.customers().get(customerKey="my_customer").execute()
    assert_matches_schema("directory", "Customer", mine)
    assert mine["id"] == customer(directory, tenant) and mine["id"].startswith("C0")
    assert mine["customerDomain"] == tenant.domain
    assert reader.customers().get(customerKey=mine["id"]).execute()["id"] == mine["id"]
    other = make_tenant(sandbox, tmp_path / "other")
    theirs = GoogleClients(other, (*scopes.PROVISION, CUSTOMER_SCOPE)).service("directory")
    with pytest.raises(HttpError) as foreign:
        theirs.customers().get(customerKey=mine["id"]).execute()
    assert foreign.value.resp.status == 403
    with pytest.raises(HttpError) as foreign_roles:
        theirs.roleAssignments().list(customer=mine["id"]).execute()
    assert foreign_roles.value.resp.status == 403


def test_roles_and_privileges(directory):
    roles = directory.roles().list(customer="my_customer").execute()
    assert_matches_schema("directory", "Roles", roles)
    by_name = {r["roleName"]: r for r in roles["items"]}
    seed = by_name["_SEED_ADMIN_ROLE"]
    assert seed["isSuperAdminRole"] is True and seed["isSystemRole"] is True
    assert seed["roleDescription"] == "Super Admin"
    assert by_name["_GROUPS_ADMIN_ROLE"]["isSuperAdminRole"] is False
    assert directory.roles().get(customer="my_customer",
                                 roleId=seed["roleId"]).execute() == seed
    with pytest.raises(HttpError) as missing:
        directory.roles().get(customer="my_customer", roleId="123").execute()
    assert missing.value.resp.status == 404
    paged = directory.roles().list(customer="my_customer", maxResults=2).execute()
    assert len(paged["items"]) == 2 and paged["nextPageToken"]
    privileges = directory.privileges().list(customer="my_customer").execute()
    assert_matches_schema("directory", "Privileges", privileges)
    assert "SUPER_ADMIN" in {p["privilegeName"] for p in privileges["items"]}


def test_role_assignments_follow_admin_status(directory, tenant):
    seed = next(r for r in directory.roles().list(customer="my_customer").execute()["items"]
                if r["isSuperAdminRole"])
    admin = directory.users().get(userKey=tenant.admin).execute()
    listing = directory.roleAssignments().list(customer="my_customer").execute()
    assert_matches_schema("directory", "RoleAssignments", listing)
    assert [(a["assignedTo"], a["roleId"], a["assigneeType"], a["scopeType"])
            for a in listing["items"]] == [(admin["id"], seed["roleId"], "user", "CUSTOMER")]
    helper = directory.users().insert(body={
        "primaryEmail": f"helper@{tenant.domain}", "name": {"givenName": "a", "familyName": "b"},
        "password": "Sandbox-pass-123"}).execute()
    directory.users().makeAdmin(userKey=helper["id"], body={"status": True}).execute()
    both = directory.roleAssignments().list(customer="my_customer", roleId=seed["roleId"]).execute()
    assert {a["assignedTo"] for a in both["items"]} == {admin["id"], helper["id"]}
    just = directory.roleAssignments().list(customer="my_customer",
                                            userKey=helper["primaryEmail"]).execute()
    [assignment] = just["items"]
    assert assignment["assignedTo"] == helper["id"]
    got = directory.roleAssignments().get(
        customer="my_customer", roleAssignmentId=assignment["roleAssignmentId"]).execute()
    assert got == assignment
    directory.users().makeAdmin(userKey=helper["id"], body={"status": False}).execute()
    after = directory.roleAssignments().list(customer="my_customer",
                                             userKey=helper["id"]).execute()
    assert after["items"] == []
    with pytest.raises(HttpError) as unknown:
        directory.roleAssignments().list(customer="my_customer",
                                         userKey=f"ghost@{tenant.domain}").execute()
    assert unknown.value.resp.status == 400
