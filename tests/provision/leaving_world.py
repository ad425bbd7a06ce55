"""The Haessal example, applied, then five people leave: two with My Drive files, one who
organises calendar events, one who authorised an app, one more with an end date."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from tests.provision.sandbox_setup import Example, example, quick_retry
from tests.sandbox.test_drive_drives import clients_as

DOC = "application/vnd.google-apps.document"
#: employee id -> local part of the address, for the five who leave
LEAVERS = {"H036": "jihun.park", "H006": "hyunwoo.jegal", "H004": "sangcheol.han",
           "H034": "dareum.nam", "H003": "hyunju.jung"}
ENDED = "H003"  # leaves by an end date in the past; the other four leave the roster


@dataclass
class World:
    haessal: Example
    files: dict[str, list[str]] = field(default_factory=dict)  # leaver -> file ids

    def email(self, local: str) -> str:
        return f"{local}@{self.haessal.domain}"

    @property
    def leavers(self) -> list[str]:
        return sorted(self.email(local) for local in LEAVERS.values())

    def successor_of(self, email: str) -> str:
        # 개발's lead for Park; everyone else has org.yaml's offboarding successor
        return self.email("jaewon.shim" if email.startswith("jihun.park") else "mikyung.lee")


def _act(sandbox, domain: str, **body) -> None:
    answer = requests.post(sandbox.url + "_sandbox/user-actions", timeout=10,
                           json={"domain": domain, **body})
    assert answer.status_code == 201, answer.text


def leaving_world(sandbox, tmp) -> World:
    haessal = example(sandbox, tmp)
    session = haessal.session(retry=quick_retry())
    result = haessal.apply(haessal.plan(session), session)
    assert not result.failed, result.failed
    world = World(haessal)
    # A group the spec does not manage: leavers leave it too, a returner comes back to it.
    directory = session.service("directory")
    club = f"book-club@{haessal.domain}"
    directory.groups().insert(body={"email": club, "name": "독서 모임"}).execute()
    for local in ("hyunju.jung", "dareum.nam", "minji.kim"):
        directory.members().insert(groupKey=club, body={"email": world.email(local)}).execute()
    for local in ("jihun.park", "hyunwoo.jegal"):
        drive = clients_as(haessal.profile, world.email(local)).service("drive")
        ids = []
        for name in ("회의록", "예산안"):
            ids.append(drive.files().create(body={"name": name, "mimeType": DOC}).execute()["id"])
        drive.permissions().create(fileId=ids[0], sendNotificationEmail=False, body={
            "type": "user", "role": "reader", "emailAddress": world.email("minji.kim")}
        ).execute()
        world.files[world.email(local)] = ids
    _act(sandbox, haessal.domain, email=world.email("sangcheol.han"), action="create_event",
         summary="월례 회의")
    _act(sandbox, haessal.domain, email=world.email("dareum.nam"), action="authorize_app",
         client_id="42.apps.googleusercontent.com", app_name="영상 편집기")

    def edit(lines: list[str]) -> list[str]:
        out = []
        for line in lines:
            key = line.lstrip("\ufeff").split(",", 1)[0]
            if key in LEAVERS and key != ENDED:
                continue
            if key == ENDED:
                cells = line.split(",")
                cells[9] = "2026-01-31"
                line = ",".join(cells)
            out.append(line)
        return out

    haessal.edit_roster(edit)
    text = haessal.org.read_text(encoding="utf-8")
    text = text.replace("{name: 개발, org_unit: /개발}",
                        f"{{name: 개발, org_unit: /개발, lead: jaewon.shim@{haessal.domain}}}")
    text = text.replace("max_suspensions: {percent: 10, count: 5}",
                        "max_suspensions: {percent: 15, count: 5}")
    text += f"\noffboarding:\n  successor: mikyung.lee@{haessal.domain}\n  grace_days: 30\n"
    haessal.org.write_text(text, encoding="utf-8")
    return world
