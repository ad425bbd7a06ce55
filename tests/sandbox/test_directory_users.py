"""Directory users and aliases, through googleapiclient against the sandbox."""

from __future__ import annotations

import pytest
from googleapiclient.errors import HttpError

from tests.sandbox.schema import assert_matches_schema


def _user(domain: str, local: str, given: str = "민지", family: str = "김", **extra):
    return {"primaryEmail": f"{local}@{domain}", "name": {"givenName": given, "familyName": family},
            "password": "Sandbox-pass-123", **extra}


def reason(exc: HttpError) -> str:
    return exc.error_details[0]["reason"]


def test_insert_get_and_shape(directory, tenant):
    created = directory.users().insert(body=_user(tenant.domain, "minji.kim")).execute()
    assert created["primaryEmail"] == f"minji.kim@{tenant.domain}"
    assert created["name"]["fullName"] == "민지 김"
    assert "password" not in created
    assert_matches_schema("directory", "User", created)
    by_id = directory.users().get(userKey=created["id"]).execute()
    by_mail = directory.users().get(userKey=f"MINJI.KIM@{tenant.domain}").execute()
    assert by_id["id"] == by_mail["id"] == created["id"]


def test_duplicate_and_validation_errors(directory, tenant):
    directory.users().insert(body=_user(tenant.domain, "a")).execute()
    with pytest.raises(HttpError) as dup:
        directory.users().insert(body=_user(tenant.domain, "a")).execute()
    assert dup.value.resp.status == 409 and reason(dup.value) == "duplicate"
    with pytest.raises(HttpError) as missing:
        directory.users().insert(body={"primaryEmail": f"b@{tenant.domain}"}).execute()
    assert missing.value.resp.status == 400 and reason(missing.value) == "required"
    with pytest.raises(HttpError) as angle:
        directory.users().insert(body=_user(tenant.domain, "c", given="<script>")).execute()
    assert angle.value.resp.status == 400 and reason(angle.value) == "invalid"
    with pytest.raises(HttpError) as foreign:
        directory.users().insert(body=_user("elsewhere.example.com", "d")).execute()
    assert foreign.value.resp.status == 400
    with pytest.raises(HttpError) as short:
        directory.users().insert(body={**_user(tenant.domain, "e"), "password": "short"}).execute()
    assert reason(short.value) == "invalid"
    with pytest.raises(HttpError) as ou:
        directory.users().insert(body=_user(tenant.domain, "f", orgUnitPath="/nowhere")).execute()
    assert ou.value.resp.status == 400


def test_list_paging_order_and_query(directory, tenant):
    names = [("지훈", "박"), ("서연", "이"), ("도윤", "최"), ("하은", "정"), ("민준", "강")]
    for i, (given, family) in enumerate(names):
        directory.users().insert(body=_user(tenant.domain, f"user{i}", given, family,
                                            suspended=(i == 2))).execute()
    seen, token, pages = [], None, 0
    while True:
        page = directory.users().list(customer="my_customer", maxResults=2, pageToken=token,
                                      orderBy="email").execute()
        seen += [u["primaryEmail"] for u in page["users"]]
        pages += 1
        token = page.get("nextPageToken")
        if not token:
            break
    assert pages == 3  # admin + 5 users, two per page
    assert seen == sorted(seen) and len(seen) == 6
    suspended = directory.users().list(customer="my_customer", query="isSuspended=true").execute()
    assert [u["primaryEmail"] for u in suspended["users"]] == [f"user2@{tenant.domain}"]
    by_given = directory.users().list(customer="my_customer", query="givenName:서연").execute()
    assert [u["name"]["familyName"] for u in by_given["users"]] == ["이"]
    by_email = directory.users().list(domain=tenant.domain, query="email:user1*").execute()
    assert len(by_email["users"]) == 1
    with pytest.raises(HttpError) as too_many:
        directory.users().list(customer="my_customer", maxResults=501).execute()
    assert too_many.value.resp.status == 400


def test_partial_response_fields(directory, tenant):
    page = directory.users().list(customer="my_customer",
                                  fields="users(primaryEmail,name/givenName)").execute()
    assert page == {"users": [{"primaryEmail": f"admin@{tenant.domain}",
                               "name": {"givenName": "관리자"}}]}


def test_update_patch_suspend_rename(directory, tenant):
    user = directory.users().insert(body=_user(tenant.domain, "jiwoo")).execute()
    patched = directory.users().patch(userKey=user["id"], body={"suspended": True}).execute()
    assert patched["suspended"] is True and patched["name"]["givenName"] == "민지"
    renamed = directory.users().update(
        userKey=user["id"], body={"primaryEmail": f"jiwoo.kim@{tenant.domain}"}).execute()
    assert renamed["primaryEmail"] == f"jiwoo.kim@{tenant.domain}"
    # The old address still resolves, as an alias, like at Google.
    assert directory.users().get(userKey=f"jiwoo@{tenant.domain}").execute()["id"] == user["id"]


def test_delete_undelete_and_make_admin(directory, tenant):
    user = directory.users().insert(body=_user(tenant.domain, "leaver")).execute()
    directory.users().makeAdmin(userKey=user["id"], body={"status": True}).execute()
    assert directory.users().get(userKey=user["id"]).execute()["isAdmin"] is True
    directory.users().delete(userKey=user["id"]).execute()
    with pytest.raises(HttpError) as gone:
        directory.users().get(userKey=user["id"]).execute()
    assert gone.value.resp.status == 404 and reason(gone.value) == "notFound"
    deleted = directory.users().list(customer="my_customer", showDeleted="true").execute()
    assert [u["id"] for u in deleted["users"]] == [user["id"]]
    directory.users().undelete(userKey=user["id"], body={"orgUnitPath": "/"}).execute()
    assert directory.users().get(userKey=f"leaver@{tenant.domain}").execute()["id"] == user["id"]


def test_aliases(directory, tenant):
    user = directory.users().insert(body=_user(tenant.domain, "alias.owner")).execute()
    directory.users().aliases().insert(userKey=user["id"],
                                       body={"alias": f"info@{tenant.domain}"}).execute()
    aliases = directory.users().aliases().list(userKey=user["id"]).execute()["aliases"]
    assert [a["alias"] for a in aliases] == [f"info@{tenant.domain}"]
    assert directory.users().get(userKey=f"info@{tenant.domain}").execute()["id"] == user["id"]
    with pytest.raises(HttpError) as clash:
        directory.users().insert(body=_user(tenant.domain, "info")).execute()
    assert clash.value.resp.status == 409
    directory.users().aliases().delete(userKey=user["id"], alias=f"info@{tenant.domain}").execute()
    with pytest.raises(HttpError):
        directory.users().get(userKey=f"info@{tenant.domain}").execute()


def test_passwords_are_stored_hashed_only(directory, tenant, sandbox):
    user = directory.users().insert(body=_user(tenant.domain, "secret")).execute()
    stored = sandbox.app.store.get("password", user["customerId"], user["id"])
    assert stored and "Sandbox-pass-123" not in stored["hash"]
    crypt = "$6$rounds=5000$saltsalt$" + "a" * 86
    directory.users().insert(body={**_user(tenant.domain, "hashed"), "password": crypt,
                                   "hashFunction": "crypt"}).execute()
    for user_doc in directory.users().list(customer="my_customer").execute()["users"]:
        assert "password" not in user_doc and "hashFunction" not in user_doc


def test_admin_events_recorded(directory, tenant, sandbox):
    user = directory.users().insert(body=_user(tenant.domain, "evented")).execute()
    directory.users().patch(userKey=user["id"], body={"suspended": True}).execute()
    rows = sandbox.app.store.execute(
        "SELECT name, params FROM events WHERE tenant=? AND app='admin' ORDER BY id",
        (user["customerId"],)).fetchall()
    names = [r[0] for r in rows]
    assert names[-2:] == ["CREATE_USER", "SUSPEND_USER"]
    assert f"evented@{tenant.domain}" in rows[-1][1]
