"""activities.list keyset paging over a few thousand events, through googleapiclient.

The events are written straight into the sandbox's event log (as the simulator does), each with
its own `doc_id`, so the expected order is known without asking the sandbox: newest first, and
among events of the same instant the later written first.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import requests
from google.auth.transport.requests import Request
from googleapiclient.errors import HttpError

from tests.sandbox.activity_world import build_tenant, pin_clock, reports
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.sandbox import events, tenants

EVENTS = 3000
BASE = datetime(2025, 6, 1, tzinfo=UTC)


def _moment(i: int) -> datetime:
    # every third event shares its instant with the one before: ties broken by write order
    return BASE + timedelta(seconds=60 * (i - i // 3))


def _write(sandbox, tenant_id: str, actor: str, numbers: list[int],
           when=_moment) -> list[tuple[datetime, int, str]]:
    """Write drive events doc-<n> in the order given (n grows with every write); return
    (time, n, doc id) of each."""
    store = sandbox.app.store
    written = []
    with store.transaction():
        for n in numbers:
            name = "view" if n % 5 else "edit"
            events.record(store, tenant_id, "drive", actor, "access", name,
                          {"doc_id": f"doc-{n}", "doc_title": f"회의록 \"{n}\"", "billable": True,
                           "n": n}, when=when(n), actor_id="1", unique_key=f"keyset-{n}")
            written.append((when(n), n, f"doc-{n}"))
    return written


def _expected(rows: list[tuple[datetime, int, str]]) -> list[str]:
    ordered = sorted(rows, key=lambda r: (r[0], r[1]), reverse=True)
    return [doc for _, _, doc in ordered]


def _doc(item: dict) -> str:
    return next(p["value"] for p in item["events"][0]["parameters"] if p["name"] == "doc_id")


@pytest.fixture(scope="module")
def world(sandbox, tmp_path_factory):
    pin_clock(sandbox)
    profile = build_tenant(sandbox, tmp_path_factory.mktemp("keyset"), "keyset.example.kr",
                           people=2, teams=False)
    tenant_id = tenants.find_by_domain(sandbox.app.store, profile.domain)["id"]
    rows = _write(sandbox, tenant_id, profile.admin, list(range(EVENTS)))
    yield profile, reports(profile), tenant_id, rows
    pin_clock(sandbox, None)


def _pages(service, size: int, **kw):
    token = None
    while True:
        page = service.activities().list(userKey="all", applicationName="drive",
                                         maxResults=size, pageToken=token, **kw).execute()
        yield page
        token = page.get("nextPageToken")
        if not token:
            return


def test_paging_returns_exactly_a_full_scan_in_order(world):
    profile, service, _, rows = world
    docs = [_doc(item) for page in _pages(service, 137) for item in page.get("items", [])]
    assert docs == _expected(rows)
    one_size = [_doc(item) for page in _pages(service, 1000) for item in page.get("items", [])]
    assert one_size == docs


def test_filters_and_windows_page_like_a_scan(world):
    profile, service, _, rows = world
    start, end = _moment(500), _moment(2500)
    window = [r for r in rows if start <= r[0] <= end]
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    docs = [_doc(item) for page in _pages(service, 100, eventName="edit",
                                          startTime=start.strftime(fmt),
                                          endTime=end.strftime(fmt))
            for item in page.get("items", [])]
    expected = [d for d in _expected(window) if int(d.split("-")[1]) % 5 == 0]
    assert docs == expected
    filtered = [_doc(item) for page in _pages(service, 50, filters="n>=2990")
                for item in page.get("items", [])]
    assert filtered == [d for d in _expected(rows) if int(d.split("-")[1]) >= 2990]


def test_events_written_between_pages_neither_repeat_nor_skip(sandbox, world):
    """Pages are positions, not offsets: events newer than the position (already served, or
    arrived since) do not shift later pages; older ones written meanwhile are served once."""
    profile, service, tenant_id, rows = world
    pages = _pages(service, 400)
    seen = [_doc(item) for _ in range(3) for item in next(pages)["items"]]
    position = len(seen)
    newer = _write(sandbox, tenant_id, profile.admin, list(range(EVENTS, EVENTS + 40)),
                   when=lambda n: _moment(EVENTS - 1) - timedelta(seconds=n - EVENTS))
    older = _write(sandbox, tenant_id, profile.admin, list(range(EVENTS + 40, EVENTS + 60)),
                   when=lambda n: BASE - timedelta(minutes=n))
    try:
        seen += [_doc(item) for page in pages for item in page.get("items", [])]
        assert len(seen) == len(set(seen))
        assert seen == _expected(rows)[:position] + _expected(rows + older)[position:]
        assert not {doc for _, _, doc in newer} & set(seen)
    finally:
        added = [f"keyset-{n}" for n in range(EVENTS, EVENTS + 60)]
        marks = ",".join("?" * len(added))
        sandbox.app.store.execute(
            f"DELETE FROM events WHERE tenant=? AND unique_key IN ({marks})", [tenant_id, *added])
        sandbox.app.store.forget(tenant_id)


@pytest.mark.parametrize("forge", [
    lambda good: "not-a-token",
    lambda good: base64.urlsafe_b64encode(b"a:2025-06-01T00:00:00.000Z:12").decode(),
    lambda good: base64.urlsafe_b64encode(
        base64.urlsafe_b64decode(good).replace(b":", b":9", 1)).decode(),
    lambda good: good[:-4],
])
def test_a_forged_page_token_is_googles_400(world, forge):
    _, service, _, _ = world
    good = service.activities().list(userKey="all", applicationName="drive",
                                     maxResults=10).execute()["nextPageToken"]
    with pytest.raises(HttpError) as refused:
        service.activities().list(userKey="all", applicationName="drive", maxResults=10,
                                  pageToken=forge(good)).execute()
    assert refused.value.resp.status == 400
    assert refused.value.error_details[0]["reason"] == "invalid"


def test_wire_text_is_what_json_dumps_writes_and_fields_still_apply(sandbox, world):
    profile, service, _, _ = world
    credentials = GoogleClients(profile, scopes.AUDIT).credentials
    credentials.refresh(Request())
    headers = {"Authorization": f"Bearer {credentials.token}"}
    url = sandbox.url + "admin/reports/v1/activity/users/all/applications/drive"
    answer = requests.get(url, params={"maxResults": 300}, headers=headers, timeout=30)
    assert answer.status_code == 200
    assert answer.content == json.dumps(answer.json(), ensure_ascii=False).encode()
    partial = service.activities().list(userKey="all", applicationName="drive", maxResults=3,
                                        fields="items(id/time),nextPageToken").execute()
    assert set(partial) == {"items", "nextPageToken"}
    assert all(set(item) == {"id"} and set(item["id"]) == {"time"} for item in partial["items"])

