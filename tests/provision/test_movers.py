"""Five people change teams: their groups, org unit and shared-drive access follow."""

from __future__ import annotations

from tests.provision.sandbox_setup import example, quick_retry
from tests.sandbox.test_drive_drives import clients_as

#: employee id -> (old team, new team)
MOVES = {"H008": ("교육", "마을카페"), "H009": ("교육", "마을카페"), "H010": ("교육", "마을카페"),
         "H024": ("마을카페", "교육"), "H025": ("마을카페", "교육")}
GROUP = {"교육": "edu", "마을카페": "cafe"}
DRIVE = {"교육": "교육 자료실", "마을카페": "마을카페 운영"}


def _drives(haessal, email: str) -> set[str]:
    drive = clients_as(haessal.profile, email).service("drive")
    return {d["name"] for d in drive.drives().list(pageSize=100).execute().get("drives", [])}


def test_five_movers_change_groups_org_unit_and_drive_access(sandbox, tmp_path):
    haessal = example(sandbox, tmp_path)
    session = haessal.session(retry=quick_retry())
    assert not haessal.apply(haessal.plan(session), session).failed
    emails = {}
    for line in haessal.roster.read_text(encoding="utf-8-sig").splitlines():
        cells = line.split(",")
        if cells[0] in MOVES:
            emails[cells[0]] = cells[3]

    def move(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            cells = line.split(",")
            if cells[0] in MOVES:
                new = MOVES[cells[0]][1]
                cells[4], cells[5] = new, f"/{new}"
            out.append(",".join(cells))
        return out

    haessal.edit_roster(move)
    plan = haessal.plan(session)
    assert plan.safe, plan.unsafe
    assert sorted(c.key for c in plan.changes if c.kind == "user") == sorted(emails.values())
    assert not [c for c in plan.changes if c.kind in ("transfer", "signout", "token")
                or c.action == "suspend"]
    result = haessal.apply(plan, session)
    assert not result.failed, result.failed
    directory = session.service("directory")
    for key, (old, new) in MOVES.items():
        email = emails[key]
        user = directory.users().get(userKey=email).execute()
        assert user["orgUnitPath"] == f"/{new}" and not user["suspended"]
        groups = {g["email"].split("@")[0]
                  for g in directory.groups().list(userKey=email).execute()["groups"]}
        assert GROUP[new] in groups and GROUP[old] not in groups, (email, groups)
        drives = _drives(haessal, email)
        assert DRIVE[new] in drives, (email, drives)
    # 교육 자료실 stays readable to everyone (all@ reads it); 마을카페 운영 is the café's own
    for key in ("H008", "H009", "H010"):
        assert "마을카페 운영" in _drives(haessal, emails[key])
    for key in ("H024", "H025"):
        assert "마을카페 운영" not in _drives(haessal, emails[key])
    assert haessal.plan(session).changes == []
