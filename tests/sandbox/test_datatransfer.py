"""Data Transfer API, users.signOut and tokens, through googleapiclient against the sandbox."""

from __future__ import annotations

import pytest
import requests
from googleapiclient.errors import HttpError

from tests.sandbox.test_drive_drives import add_user, clients_as, reason

DOC = "application/vnd.google-apps.document"
DRIVE_APP = "55656082996"
CALENDAR_APP = "435070579839"


def act(sandbox, domain: str, **body) -> None:
    answer = requests.post(sandbox.url + "_sandbox/user-actions", timeout=10,
                           json={"domain": domain, **body})
    assert answer.status_code == 201, answer.text


def _id(directory, email: str) -> str:
    return directory.users().get(userKey=email).execute()["id"]


def test_applications_list_names_drive_and_calendar(admin_clients):
    apps = admin_clients.service("datatransfer").applications().list().execute()
    by_id = {a["id"]: a for a in apps["applications"]}
    assert by_id[DRIVE_APP]["transferParams"] == [
        {"key": "PRIVACY_LEVEL", "value": ["PRIVATE", "SHARED"]}]
    assert by_id[CALENDAR_APP]["transferParams"][0]["key"] == "RELEASE_RESOURCES"


def test_a_transfer_moves_my_drive_files_after_a_delay(sandbox, tenant, directory, admin_clients,
                                                       realism):
    clock = {"now": 1000.0}
    sandbox.app.realism.ready_clock = lambda: clock["now"]
    try:
        realism(transfer_ms=5000)
        leaver = add_user(directory, tenant, "leaver")
        successor = add_user(directory, tenant, "successor")
        drive = clients_as(tenant, leaver).service("drive")
        private = drive.files().create(body={"name": "개인 메모", "mimeType": DOC}).execute()
        shared = drive.files().create(body={"name": "회의록", "mimeType": DOC}).execute()
        drive.permissions().create(fileId=shared["id"], sendNotificationEmail=False, body={
            "type": "user", "role": "reader", "emailAddress": successor}).execute()
        act(sandbox, tenant.domain, email=leaver, action="create_event", summary="정기 회의")
        api = admin_clients.service("datatransfer").transfers()
        made = api.insert(body={
            "oldOwnerUserId": _id(directory, leaver), "newOwnerUserId": _id(directory, successor),
            "applicationDataTransfers": [
                {"applicationId": DRIVE_APP, "applicationTransferParams": [
                    {"key": "PRIVACY_LEVEL", "value": ["PRIVATE", "SHARED"]}]},
                {"applicationId": CALENDAR_APP, "applicationTransferParams": [
                    {"key": "RELEASE_RESOURCES", "value": ["TRUE"]}]}]}).execute()
        assert made["overallTransferStatusCode"] == "inProgress"
        owner = drive.files().get(fileId=private["id"], fields="owners").execute()
        assert owner["owners"][0]["emailAddress"] == leaver
        clock["now"] += 5
        done = api.get(dataTransferId=made["id"]).execute()
        assert done["overallTransferStatusCode"] == "completed"
        assert {a["applicationTransferStatus"] for a in done["applicationDataTransfers"]} == {
            "completed"}
        theirs = clients_as(tenant, successor).service("drive")
        for item in (private, shared):
            got = theirs.files().get(fileId=item["id"], fields="owners").execute()
            assert got["owners"][0]["emailAddress"] == successor
        events = sandbox.app.store.list("calendar_event", sandbox_tenant_id(sandbox, tenant))
        assert [e["_owner"] for e in events] == [successor]
        listed = api.list(oldOwnerUserId=_id(directory, leaver)).execute()
        assert [t["id"] for t in listed["dataTransfers"]] == [made["id"]]
    finally:
        import time

        sandbox.app.realism.ready_clock = time.time


def sandbox_tenant_id(sandbox, tenant) -> str:
    from workspace_coach.sandbox import tenants

    return tenants.find_by_domain(sandbox.app.store, tenant.domain)["id"]


def test_a_transfer_to_an_unknown_user_is_refused(tenant, directory, admin_clients):
    leaver = add_user(directory, tenant, "leaver")
    with pytest.raises(HttpError) as caught:
        admin_clients.service("datatransfer").transfers().insert(body={
            "oldOwnerUserId": _id(directory, leaver), "newOwnerUserId": "123",
            "applicationDataTransfers": [{"applicationId": DRIVE_APP}]}).execute()
    assert caught.value.status_code == 400


def test_tokens_list_and_delete_and_sign_out(sandbox, tenant, directory):
    person = add_user(directory, tenant, "person")
    assert "items" not in directory.tokens().list(userKey=person).execute()
    act(sandbox, tenant.domain, email=person, action="authorize_app", client_id="123.apps",
        app_name="설문 도구")
    listed = directory.tokens().list(userKey=person).execute()
    assert [(t["clientId"], t["displayText"]) for t in listed["items"]] == [("123.apps", "설문 도구")]
    directory.tokens().delete(userKey=person, clientId="123.apps").execute()
    assert "items" not in directory.tokens().list(userKey=person).execute()
    with pytest.raises(HttpError) as caught:
        directory.tokens().delete(userKey=person, clientId="123.apps").execute()
    assert caught.value.status_code == 404 and reason(caught.value) == "notFound"
    directory.users().signOut(userKey=person).execute()
    with pytest.raises(HttpError) as caught:
        directory.users().signOut(userKey=f"nobody@{tenant.domain}").execute()
    assert caught.value.status_code == 404
    rows = sandbox.app.store.execute(
        "SELECT name FROM events WHERE app='token' AND actor=? ORDER BY id", (person,)).fetchall()
    assert [r[0] for r in rows] == ["authorize", "revoke"]
