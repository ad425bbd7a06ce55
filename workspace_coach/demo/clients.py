"""The demo's client organisations: who they are, how they take to Workspace, how they are coached.

Three clients a coach might well look after together, each from a folder in `examples/`:

- 해살 협동조합 (Haessal), a 40-person co-operative in six teams: a *mixed* adoption.
- 새봄일터 (Saebom Works), a 120-person social enterprise in seven departments: *struggling* at
  first, improving after each coaching session. It has recorded consent for per-person insights
  and does not share its name in reports (the portfolio shows it as "client A").
- 모음 프리랜서 협동조합 (Moum), a 15-person flat network of freelancers with rotating catalyst
  and treasurer roles: *thriving*.

A `DemoPlan` says how long to simulate and when the coaching sessions fall; tests use a small one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workspace_coach import resources


@dataclass(frozen=True)
class DemoClient:
    """One client organisation of the demo and the example it is provisioned from."""

    slug: str                      # folder under clients/ and the connection profile's name
    domain: str
    display_name: str              # Korean first, as the coach and the client call it
    example: str                   # folder under examples/
    roster: str                    # file in that folder
    profile: str                   # the simulator's adoption profile
    seed: int
    per_person_insights: bool = False
    share_name_in_reports: bool = False   # named in the portfolio report, else "client A"
    session_notes: tuple[str, ...] = ()   # what each coaching session covered, in order
    checklist_team: str | None = None     # the group whose checklists the demo publishes

    @property
    def org_file(self) -> Path:
        return resources.examples() / self.example / "org.yaml"

    @property
    def roster_file(self) -> Path:
        return resources.examples() / self.example / self.roster


HAESSAL = DemoClient(
    slug="haessal", domain="haessal.coop.kr", display_name="해살 협동조합 · Haessal Co-operative",
    example="haessal", roster="roster.csv", profile="mixed", seed=1, share_name_in_reports=True,
    session_notes=("2단계 인증과 공유 드라이브 안내", "팀별 공유 드라이브 정리와 Meet 회의 습관"))
SAEBOM = DemoClient(
    slug="saebom", domain="saebom.co.kr", display_name="새봄일터 · Saebom Works",
    example="saebom", roster="roster.xlsx", profile="struggling", seed=2,
    per_person_insights=True, checklist_team="homecare@saebom.co.kr",
    session_notes=("첨부파일 대신 공유 드라이브 링크로: 팀장단 실습",
                   "현장 직원 휴대폰 로그인과 2단계 인증 함께 켜기"))
MOUM = DemoClient(
    slug="moum", domain="moum.coop", display_name="모음 프리랜서 협동조합 · Moum",
    example="moum", roster="roster.csv", profile="thriving", seed=3, share_name_in_reports=True,
    session_notes=("촉진자 교대: 공동 드라이브 관리 권한 넘기기", "외부 공유 링크 점검과 정리"))

CLIENTS: tuple[DemoClient, ...] = (HAESSAL, SAEBOM, MOUM)


@dataclass(frozen=True)
class DemoPlan:
    """How much history the demo makes: `days` Korean days ending yesterday, with coaching
    sessions a third and three quarters into that window (days 40 and 90 of 120), so adoption
    has time to respond to each."""

    clients: tuple[DemoClient, ...] = CLIENTS
    days: int = 120
    session_fractions: tuple[float, ...] = (1 / 3, 3 / 4)
    simulate_chunk_days: int = 10

    @property
    def session_days(self) -> tuple[int, ...]:
        """Days into the window on which the coaching sessions fall."""
        return tuple(round(self.days * f) for f in self.session_fractions)


def pick_clients(slugs: list[str] | None) -> tuple[DemoClient, ...]:
    """The demo clients named by slug (all when none are named)."""
    if not slugs:
        return CLIENTS
    known = {c.slug: c for c in CLIENTS}
    unknown = [s for s in slugs if s not in known]
    if unknown:
        from workspace_coach.errors import UserError

        raise UserError(f"--client {unknown[0]!r} is not a demo client; choose from "
                        + ", ".join(known))
    return tuple(known[s] for s in dict.fromkeys(slugs))
