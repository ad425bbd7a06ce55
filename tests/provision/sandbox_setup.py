"""The Haessal example on a fresh sandbox tenant of its own domain, and helpers to plan/apply."""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import make_tenant
from workspace_coach.google import scopes
from workspace_coach.google.clients import GoogleClients
from workspace_coach.google.connection import ConnectionProfile
from workspace_coach.google.retry import RetryPolicy
from workspace_coach.google.session import GoogleSession
from workspace_coach.provision.apply import Applier, ApplyResult, credentials_path, journal_path
from workspace_coach.provision.journal import Journal
from workspace_coach.provision.passwords import CredentialStore
from workspace_coach.provision.plan import Plan, make_plan
from workspace_coach.provision.roster import Roster, read_roster_bytes
from workspace_coach.provision.spec import OrgSpec, parse_spec

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "haessal"
_numbers = itertools.count(1)


@dataclass
class Example:
    profile: ConnectionProfile
    folder: Path
    domain: str

    @property
    def org(self) -> Path:
        return self.folder / "org.yaml"

    @property
    def roster(self) -> Path:
        return self.folder / "roster.csv"

    def spec(self) -> OrgSpec:
        return parse_spec(self.org.read_text(encoding="utf-8"), str(self.org))

    def people(self) -> Roster:
        return read_roster_bytes(self.roster.read_bytes(), str(self.roster))

    def edit_roster(self, edit) -> None:
        lines = self.roster.read_text(encoding="utf-8-sig").splitlines()
        self.roster.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")

    def session(self, **kwargs) -> GoogleSession:
        return GoogleSession(GoogleClients(self.profile, scopes.PROVISION), **kwargs)

    def plan(self, session: GoogleSession | None = None, **kwargs) -> Plan:
        plan, _ = make_plan(session or self.session(), domain=self.profile.domain,
                            admin=self.profile.admin, customer=self.profile.customer,
                            roster=self.people(), spec=self.spec(), **kwargs)
        return plan

    def apply(self, plan: Plan, session: GoogleSession | None = None, **kwargs) -> ApplyResult:
        journal = Journal(journal_path(self.profile))
        try:
            return Applier(session or self.session(), plan, self.profile, journal=journal,
                           credentials=CredentialStore(credentials_path(self.profile))
                           ).run(**kwargs)
        finally:
            journal.close()


def example(sandbox, tmp: Path) -> Example:
    """Copy the example into `tmp` with a domain of its own (sandbox domains are unique)."""
    domain = f"haessal{next(_numbers)}-{os.getpid()}.coop.kr"
    profile = make_tenant(sandbox, tmp / "client", domain)
    folder = tmp / "input"
    folder.mkdir()
    for name, target in (("org.yaml", "org.yaml"), ("roster-utf8.csv", "roster.csv")):
        text = (EXAMPLE / name).read_text(encoding="utf-8-sig")
        (folder / target).write_text(text.replace("haessal.coop.kr", domain), encoding="utf-8")
    return Example(profile, folder, domain)


def quick_retry() -> RetryPolicy:
    return RetryPolicy(base=0.05, cap=0.5, jitter=0.05, max_retry_after=1.0, max_tries=10,
                       fresh_tries=30)
