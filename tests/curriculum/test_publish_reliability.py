"""Publishing checklists the way Google really behaves: faults and throttles on every call
(gspread's included), a run killed between creating a sheet and recording it, a shared drive
that is not ready yet, and an organizer who lifted the drive's restriction."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa

from workspace_coach.curriculum import publish as publish_module
from workspace_coach.curriculum.publish import APP_KEY, publish
from workspace_coach.curriculum.tracks import load_track
from workspace_coach.google import scopes
from workspace_coach.google.calls import SHEETS_READS
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.ratelimit import RateLimiter
from workspace_coach.google.retry import RetryPolicy
from workspace_coach.google.session import GoogleSession
from workspace_coach.storage import models as m

TRACK = load_track("new-member")



def quick_session(profile, sleep=lambda seconds: None) -> GoogleSession:
    """The production policy with its waits injected (and a few more tries for 30% faults)."""
    retry = RetryPolicy(sleep=sleep, rand=lambda: 0.0, max_tries=12)
    return GoogleSession(GoogleClients(profile, scopes.PUBLISH), retry=retry,
                         limiter=RateLimiter(sleep=sleep))


def drive_files(profile, drive_id: str) -> list[dict]:
    drive = GoogleClients(profile, scopes.PUBLISH).service("drive")
    return drive.files().list(corpora="drive", driveId=drive_id, includeItemsFromAllDrives=True,
                              supportsAllDrives=True, q="trashed = false",
                              fields="files(id, appProperties)").execute()["files"]


def drive_restrictions(profile, drive_id: str) -> dict:
    drive = GoogleClients(profile, scopes.PUBLISH).service("drive")
    return drive.drives().get(driveId=drive_id, fields="restrictions").execute()["restrictions"]


def test_publish_with_faults_everywhere_makes_each_sheet_once(world, realism):
    drive_name = f"교육 Faults {uuid.uuid4().hex[:6]}"
    people = [world.trainee, world.colleague, world.people[4]]
    realism(fault_rate=0.3, fault_kinds=["backend503", "rate429", "drop"], seed=11)
    session = quick_session(world.profile)
    first = publish(world.profile, world.engine, TRACK, people=people, drive_name=drive_name,
                    session=session)
    again = publish(world.profile, world.engine, TRACK, people=people, drive_name=drive_name,
                    session=quick_session(world.profile))
    realism(fault_rate=0.0)
    assert [s.created for s in first.sheets] == [True, True, True]
    assert [s.spreadsheet_id for s in again.sheets] == [s.spreadsheet_id for s in first.sheets]
    assert not any(s.created for s in again.sheets)
    files = drive_files(world.profile, first.drive_id)
    assert sorted(f["id"] for f in files) == sorted(s.spreadsheet_id for s in first.sheets)
    assert drive_restrictions(world.profile, first.drive_id)["domainUsersOnly"] is True
    calls = session.counters.snapshot()
    # two writes a new sheet (its values, then its formatting and title); gspread's writes met
    # faults and were sent again
    sheet_writes = sum(c.calls for method, c in calls.items()
                       if method.startswith("sheets.") and method not in SHEETS_READS)
    assert sheet_writes > 2 * len(people)


def test_kill_between_create_and_record_leaves_one_sheet(world, monkeypatch):
    drive_name = f"교육 Kill {uuid.uuid4().hex[:6]}"
    person = world.people[5]

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the process dies after files.create, before the record

    with monkeypatch.context() as patch:
        patch.setattr(publish_module, "upsert", killed)
        with pytest.raises(KeyboardInterrupt):
            publish(world.profile, world.engine, TRACK, people=[person], drive_name=drive_name)
    with world.engine.connect() as conn:
        assert conn.execute(sa.select(m.PublishedSheet.id).where(
            m.PublishedSheet.person_email == person)).first() is None
    rerun = publish(world.profile, world.engine, TRACK, people=[person], drive_name=drive_name)
    files = drive_files(world.profile, rerun.drive_id)
    assert [f["id"] for f in files] == [rerun.sheets[0].spreadsheet_id]
    assert files[0]["appProperties"][APP_KEY] == "checklist"
    assert not rerun.sheets[0].created  # found by its appProperties, not made again


def test_restriction_applied_on_a_not_ready_drive_and_restored_on_a_rerun(world, realism):
    drive_name = f"교육 Ready {uuid.uuid4().hex[:6]}"
    person = world.people[6]
    # A new shared drive answers 404 for a while; the waits are real here, scaled down 20x.
    realism(drive_ready_ms=300)
    first = publish(world.profile, world.engine, TRACK, people=[person], drive_name=drive_name,
                    session=quick_session(world.profile, sleep=lambda s: time.sleep(s / 20)))
    realism(drive_ready_ms=0)
    assert first.drive_created and first.sheets[0].created
    assert drive_restrictions(world.profile, first.drive_id)["domainUsersOnly"] is True

    # An organizer lifts the restriction; the next run puts it back.
    drive = GoogleClients(world.profile, scopes.PUBLISH).service("drive")
    drive.drives().update(driveId=first.drive_id,
                          body={"restrictions": {"domainUsersOnly": False}}).execute()
    again = publish(world.profile, world.engine, TRACK, people=[person], drive_name=drive_name)
    assert not again.drive_created and again.drive_id == first.drive_id
    assert drive_restrictions(world.profile, first.drive_id)["domainUsersOnly"] is True
