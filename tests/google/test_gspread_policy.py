"""gspread under the session's limiter, counters and retry policy, against the sandbox through
the unmodified library: Sheets' own quota answers, faults that pass, failures that stay."""

from __future__ import annotations

import gspread
import pytest
import requests

from tests.conftest import configure_sandbox, make_tenant
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.gspread_http import GspreadApiError, method_of
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import GoogleApiError, RetryPolicy, describe
from workspace_coach.google.session import GoogleSession


class FakeClock:
    """One clock for the sandbox's quota windows and the client's waits: sleeping advances it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds




def session_for(profile, clock: FakeClock, **retry) -> GoogleSession:
    policy = RetryPolicy(sleep=clock.sleep, rand=lambda: 0.0, **retry)
    limiter = RateLimiter(clock=clock, sleep=clock.sleep)
    return GoogleSession(GoogleClients(profile, scopes.PUBLISH), retry=policy, limiter=limiter)


def test_gspread_urls_are_named_after_their_discovery_methods():
    sheets = "https://sheets.googleapis.com/v4/spreadsheets/abc"
    assert method_of("get", sheets) == ("sheets.spreadsheets.get", "abc")
    assert method_of("post", sheets + ":batchUpdate")[0] == "sheets.spreadsheets.batchUpdate"
    assert method_of("put", sheets + "/values/%27Scores%27%21A1")[0] == \
        "sheets.spreadsheets.values.update"
    assert method_of("post", sheets + "/values:batchClear")[0] == \
        "sheets.spreadsheets.values.batchClear"
    assert method_of("get", sheets + "/values:batchGet")[0] == "sheets.spreadsheets.values.batchGet"
    drive = "https://www.googleapis.com/drive/v3/files"
    assert method_of("get", drive) == ("drive.files.list", "")
    assert method_of("post", drive + "/f1/permissions") == ("drive.permissions.create", "f1")
    assert method_of("delete", drive + "/f1") == ("drive.files.delete", "f1")


def test_sheets_quota_is_answered_like_google_and_the_policy_gets_through(own_sandbox, tmp_path):
    profile = make_tenant(own_sandbox, tmp_path / "t")
    clock = FakeClock()
    own_sandbox.app.realism.clock = clock
    configure_sandbox(own_sandbox, sheets_write_qpm=5, sheets_read_qpm=5)

    # One try only: the sixth write in a minute meets Sheets' own 429.
    impatient = session_for(profile, clock, max_tries=1).gspread()
    sheet = impatient.create("할당량 Quota").sheet1  # gspread creates through Drive
    for n in range(5):
        sheet.update([[n]], "A1")
    with pytest.raises(GspreadApiError) as caught:
        sheet.update([["one too many"]], "A1")
    error = caught.value
    assert error.status == 429 and error.method == "sheets.spreadsheets.values.update"
    assert error.response.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert error.response.json()["error"]["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert "'Write requests per minute per user' of service 'sheets.googleapis.com'" in str(error)
    assert "\n" not in str(error) and "Traceback" not in str(error)

    # The same burst through the session's policy: retried with backoff until the minute is over.
    session = session_for(profile, clock)
    patient = session.gspread()
    ws = patient.open_by_key(sheet.spreadsheet_id).sheet1
    for n in range(12):
        ws.update([[n, f"행 {n}"]], f"A{n + 1}")
    assert [row[0] for row in ws.get_all_values()] == [str(n) for n in range(12)]
    counts = session.counters.snapshot()["sheets.spreadsheets.values.update"]
    assert counts.calls > 12  # some were answered 429 and sent again
    assert counts.round_trips == counts.calls
    assert sum(clock.slept) >= 60  # nothing passed until Google's minute had gone by


def test_faults_pass_and_a_failure_that_stays_is_one_line(own_sandbox, tmp_path):
    profile = make_tenant(own_sandbox, tmp_path / "t")
    clock = FakeClock()
    session = session_for(profile, clock)
    gc = session.gspread()
    configure_sandbox(own_sandbox, fault_rate=0.4, fault_kinds=["backend503", "rate429", "drop"], seed=3)
    book = gc.create("고장 Faults")
    ws = book.sheet1
    for n in range(8):
        ws.update([[n]], f"B{n + 1}")
    assert len(ws.col_values(2)) == 8
    assert clock.slept  # faults were met and waited out

    configure_sandbox(own_sandbox, fault_rate=1.0, fault_kinds=["backend503"])
    with pytest.raises(GoogleApiError) as caught:
        ws.update([["never"]], "A1")
    text = str(caught.value)
    assert text.startswith(f"sheets.spreadsheets.values.update for spreadsheet {book.id} failed "
                           "after 8 tries: HTTP 503")
    assert "\n" not in text
    assert isinstance(caught.value, gspread.exceptions.APIError)  # gspread's code still sees it

    configure_sandbox(own_sandbox, fault_rate=1.0, fault_kinds=["drop"])
    with pytest.raises(GoogleApiError) as dropped:
        ws.acell("A1")
    assert dropped.value.method == "sheets.spreadsheets.values.get"
    assert "connection failed" in str(dropped.value) and dropped.value.tries == 8


def test_fresh_block_waits_about_a_minute_before_believing_not_found(own_sandbox, tmp_path):
    profile = make_tenant(own_sandbox, tmp_path / "t")
    clock = FakeClock()
    session = session_for(profile, clock)
    gc = session.gspread()
    missing = "1" + "x" * 43
    with session.fresh(), pytest.raises(gspread.SpreadsheetNotFound):
        gc.open_by_key(missing)
    assert session.counters.snapshot()["sheets.spreadsheets.get"].calls == 7
    assert 60 <= sum(clock.slept) <= 70
    clock.slept.clear()
    with pytest.raises(gspread.SpreadsheetNotFound):  # outside the block: believed at once
        gc.open_by_key(missing)
    assert clock.slept == []


def test_requests_failures_are_classified_like_httplib2_ones():
    with pytest.raises(requests.exceptions.ConnectionError) as refused:
        requests.get("http://127.0.0.1:9/", timeout=5)  # nothing listens on the discard port
    failure = describe(refused.value)
    assert failure.kind == "transport" and failure.reason == "unreachable"
    assert not failure.retriable()  # a wrong endpoint: waiting will not start it
    dropped = describe(requests.exceptions.ConnectionError(
        "('Connection aborted.', RemoteDisconnected('Remote end closed connection'))"))
    assert dropped.kind == "transport" and dropped.retriable()
    assert describe(requests.exceptions.ReadTimeout("read timed out")).reason == "timeout"
