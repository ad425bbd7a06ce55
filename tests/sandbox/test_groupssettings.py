"""Groups Settings API through googleapiclient: defaults, validation, rules and isolation."""

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


@pytest.fixture
def settings(admin_clients):
    return admin_clients.service("groupssettings")


def group(directory, domain, local, **extra):
    return directory.groups().insert(body={"email": f"{local}@{domain}", **extra}).execute()


def test_defaults_and_shape(directory, settings, tenant):
    created = group(directory, tenant.domain, "news", name="소식", description="공지")
    request = settings.groups().get(groupUniqueId=created["email"])
    # The discovery document's default alt is "atom"; the client asks for JSON explicitly.
    assert "alt=json" in request.uri
    doc = request.execute()
    assert_matches_schema("groupssettings", "Groups", doc)
    assert doc["kind"] == "groupsSettings#groups"
    assert (doc["email"], doc["name"], doc["description"]) == (created["email"], "소식", "공지")
    assert doc["allowExternalMembers"] == "false"
    assert doc["whoCanJoin"] == "CAN_REQUEST_TO_JOIN"
    assert doc["whoCanViewMembership"] == "ALL_MEMBERS_CAN_VIEW"
    assert doc["whoCanPostMessage"] == "ANYONE_CAN_POST"
    assert doc["membersCanPostAsTheGroup"] == "false"
    assert doc["whoCanModerateMembers"] == "OWNERS_AND_MANAGERS"
    assert doc["includeInGlobalAddressList"] == "true"
    assert all(isinstance(v, str) for k, v in doc.items() if k != "maxMessageBytes")


def test_patch_update_and_validation(directory, settings, tenant, sandbox):
    created = group(directory, tenant.domain, "board")
    patched = settings.groups().patch(groupUniqueId=created["email"], body={
        "whoCanJoin": "INVITED_CAN_JOIN", "whoCanViewGroup": "ALL_OWNERS_CAN_VIEW",
        "allowExternalMembers": "true"}).execute()
    assert patched["whoCanJoin"] == "INVITED_CAN_JOIN"
    assert patched["whoCanViewGroup"] == "ALL_OWNERS_CAN_VIEW"
    assert patched["whoCanPostMessage"] == "ANYONE_CAN_POST"  # untouched
    updated = settings.groups().update(groupUniqueId=created["email"], body={
        "whoCanContactOwner": "ALL_MANAGERS_CAN_CONTACT"}).execute()
    assert updated["whoCanContactOwner"] == "ALL_MANAGERS_CAN_CONTACT"
    again = settings.groups().get(groupUniqueId=created["email"]).execute()
    assert again["allowExternalMembers"] == "true" and again["whoCanJoin"] == "INVITED_CAN_JOIN"
    for bad in ({"whoCanJoin": "EVERYONE"}, {"allowExternalMembers": "yes"},
                {"whoCanPostMessage": "NONE_CAN_POST"}, {"replyTo": "REPLY_TO_CUSTOM"}):
        with pytest.raises(HttpError) as refused:
            settings.groups().patch(groupUniqueId=created["email"], body=bad).execute()
        assert refused.value.resp.status == 400 and reason(refused.value) == "invalid", bad
    with pytest.raises(HttpError) as typed:
        settings.groups().patch(groupUniqueId=created["email"],
                                body={"allowExternalMembers": True}).execute()
    assert typed.value.resp.status == 400
    # A refused patch changes nothing.
    assert settings.groups().get(groupUniqueId=created["email"]).execute() == again
    customer = directory.users().get(userKey=tenant.admin).execute()["customerId"]
    rows = sandbox.app.store.execute(
        "SELECT params FROM events WHERE tenant=? AND name='CHANGE_GROUP_SETTING' ORDER BY id",
        (customer,)).fetchall()
    changed = [json.loads(r[0]) for r in rows]
    assert [c["SETTING_NAME"] for c in changed] == [
        "whoCanJoin", "whoCanViewGroup", "allowExternalMembers", "whoCanContactOwner"]
    assert changed[0] == {"GROUP_EMAIL": created["email"], "SETTING_NAME": "whoCanJoin",
                          "OLD_VALUE": "CAN_REQUEST_TO_JOIN", "NEW_VALUE": "INVITED_CAN_JOIN"}


def test_archive_only_rules(directory, settings, tenant):
    created = group(directory, tenant.domain, "archive")
    archived = settings.groups().patch(groupUniqueId=created["email"],
                                       body={"archiveOnly": "true"}).execute()
    assert archived["whoCanPostMessage"] == "NONE_CAN_POST"
    restored = settings.groups().patch(groupUniqueId=created["email"],
                                       body={"archiveOnly": "false"}).execute()
    assert restored["whoCanPostMessage"] == "ALL_MANAGERS_CAN_POST"


def test_name_and_description_shared_with_directory(directory, settings, tenant):
    created = group(directory, tenant.domain, "shared")
    settings.groups().patch(groupUniqueId=created["email"],
                            body={"name": "공유 그룹", "description": "설명"}).execute()
    got = directory.groups().get(groupKey=created["id"]).execute()
    assert (got["name"], got["description"]) == ("공유 그룹", "설명")
    directory.groups().patch(groupKey=created["id"],
                             body={"email": f"renamed@{tenant.domain}"}).execute()
    moved = settings.groups().get(groupUniqueId=f"renamed@{tenant.domain}").execute()
    assert moved["email"] == f"renamed@{tenant.domain}" and moved["name"] == "공유 그룹"


def test_unknown_and_deleted_groups(directory, settings, tenant):
    with pytest.raises(HttpError) as unknown:
        settings.groups().get(groupUniqueId=f"nothing@{tenant.domain}").execute()
    assert unknown.value.resp.status == 404 and reason(unknown.value) == "notFound"
    created = group(directory, tenant.domain, "shortlived")
    settings.groups().patch(groupUniqueId=created["email"],
                            body={"whoCanJoin": "ANYONE_CAN_JOIN"}).execute()
    directory.groups().delete(groupKey=created["id"]).execute()
    with pytest.raises(HttpError) as gone:
        settings.groups().get(groupUniqueId=created["email"]).execute()
    assert gone.value.resp.status == 404
    # A new group at the same address starts from the defaults again.
    group(directory, tenant.domain, "shortlived")
    fresh = settings.groups().get(groupUniqueId=created["email"]).execute()
    assert fresh["whoCanJoin"] == "CAN_REQUEST_TO_JOIN"


def test_tenant_isolation(directory, settings, tenant, sandbox, tmp_path):
    created = group(directory, tenant.domain, "mine")
    other = GoogleClients(make_tenant(sandbox, tmp_path / "other"), scopes.PROVISION)
    theirs = other.service("groupssettings")
    with pytest.raises(HttpError) as hidden:
        theirs.groups().get(groupUniqueId=created["email"]).execute()
    assert hidden.value.resp.status == 404
    with pytest.raises(HttpError):
        theirs.groups().patch(groupUniqueId=created["email"],
                              body={"allowExternalMembers": "true"}).execute()
    assert settings.groups().get(groupUniqueId=created["email"]).execute()[
        "allowExternalMembers"] == "false"


def test_needs_the_groups_settings_scope(tenant, directory):
    created = group(directory, tenant.domain, "scoped")
    audit = GoogleClients(tenant, scopes.SHEETS_READ).service("groupssettings")
    with pytest.raises(HttpError) as refused:
        audit.groups().get(groupUniqueId=created["email"]).execute()
    assert refused.value.resp.status == 403 and reason(refused.value) == "insufficientPermissions"
