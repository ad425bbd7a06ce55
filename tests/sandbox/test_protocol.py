"""Wire-level behaviour: routing from discovery, parameter and body validation, batch framing.

Raw HTTP is used here on purpose, for malformed input and the batch wire format.
"""

from __future__ import annotations

import json
import uuid

import requests
from googleapiclient.http import BatchHttpRequest


def _token(admin_clients) -> str:
    creds = admin_clients.credentials
    from google.auth.transport.requests import Request

    creds.refresh(Request())
    return creds.token


def test_unknown_path_is_googles_404(sandbox, admin_clients):
    answer = requests.get(sandbox.url + "admin/nothing/at/all",
                          headers={"Authorization": f"Bearer {_token(admin_clients)}"})
    assert answer.status_code == 404
    assert answer.json()["error"]["errors"][0]["reason"] == "notFound"


def test_known_but_unserved_method_says_so(sandbox, admin_clients, tenant):
    answer = requests.get(sandbox.url + f"admin/directory/v1/users/{tenant.admin}/photos/thumbnail",
                          headers={"Authorization": f"Bearer {_token(admin_clients)}"})
    assert answer.status_code == 404
    assert "directory.users.photos.get" in answer.json()["error"]["message"]


def test_typed_parameters_are_validated(sandbox, admin_clients):
    headers = {"Authorization": f"Bearer {_token(admin_clients)}"}
    base = sandbox.url + "admin/directory/v1/users?customer=my_customer"
    assert requests.get(base + "&maxResults=abc", headers=headers).status_code == 400
    assert requests.get(base + "&maxResults=0", headers=headers).status_code == 400
    assert requests.get(base + "&orderBy=shoeSize", headers=headers).status_code == 400
    assert requests.get(base + "&bogus=1", headers=headers).status_code == 400
    assert requests.get(base + "&maxResults=500", headers=headers).status_code == 200


def test_malformed_and_mistyped_bodies(sandbox, admin_clients):
    headers = {"Authorization": f"Bearer {_token(admin_clients)}",
               "Content-Type": "application/json"}
    url = sandbox.url + "admin/directory/v1/users"
    broken = requests.post(url, data=b"{not json", headers=headers)
    assert broken.status_code == 400
    assert broken.json()["error"]["errors"][0]["reason"] == "parseError"
    mistyped = requests.post(url, data=json.dumps({"primaryEmail": 42}), headers=headers)
    assert mistyped.status_code == 400


def _raw_batch(sandbox, token, parts):
    boundary = "===============" + uuid.uuid4().hex + "=="
    body = ""
    for i, (method, path) in enumerate(parts, 1):
        body += (f"--{boundary}\r\nContent-Type: application/http\r\n"
                 f"Content-Transfer-Encoding: binary\r\nContent-ID: <base + {i}>\r\n\r\n"
                 f"{method} {path} HTTP/1.1\r\nAuthorization: Bearer {token}\r\n\r\n\r\n")
    body += f"--{boundary}--"
    return requests.post(sandbox.url + "batch/admin/directory_v1", data=body.encode(),
                         headers={"Content-Type": f'multipart/mixed; boundary="{boundary}"'})


def test_batch_wire_format(sandbox, admin_clients, tenant):
    token = _token(admin_clients)
    answer = _raw_batch(sandbox, token, [
        ("GET", f"/admin/directory/v1/users/{tenant.admin}"),
        ("GET", "/admin/directory/v1/users/ghost@nowhere.example"),
    ])
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("multipart/mixed; boundary=")
    text = answer.text
    assert "Content-ID: <response-base + 1>" in text and "Content-ID: <response-base + 2>" in text
    assert "HTTP/1.1 200 OK" in text and "HTTP/1.1 404 Not Found" in text


def test_batch_size_limit(sandbox, admin_clients, tenant):
    token = _token(admin_clients)
    answer = _raw_batch(sandbox, token,
                        [("GET", f"/admin/directory/v1/users/{tenant.admin}")] * 1001)
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "batchSizeTooLarge"


def test_batch_through_googleapiclient_with_per_call_results(directory, admin_clients, tenant):
    results: dict[str, object] = {}

    def remember(request_id, response, exception):
        results[request_id] = exception.resp.status if exception else response["primaryEmail"]

    batch = BatchHttpRequest(callback=remember, batch_uri=admin_clients.batch_uri("directory"))
    for i in range(120):
        batch.add(directory.users().insert(body={
            "primaryEmail": f"b{i}@{tenant.domain}", "password": "p" * 10,
            "name": {"givenName": "배치", "familyName": str(i)}}))
    batch.add(directory.users().insert(body={
        "primaryEmail": f"b0@{tenant.domain}", "password": "p" * 10,
        "name": {"givenName": "중복", "familyName": "x"}}))
    batch.execute()
    assert len(results) == 121
    assert results["121"] == 409
    assert sum(1 for v in results.values() if isinstance(v, str)) == 120
    listed = directory.users().list(customer="my_customer", maxResults=500).execute()["users"]
    assert len(listed) == 121
