"""Realism knobs: latency, injected faults, quotas and eventual consistency. All off by default.

Quotas follow Google's shape: a queries-per-minute limit per (tenant, acting user) per API answered
with 403 userRateLimitExceeded, and a per-tenant limit answered with 429 rateLimitExceeded. Every
inner call of a batch counts. Faults are drawn per call at `fault_rate` among `fault_kinds`.

Sheets has no "queries" quota but separate read and write quotas per minute per user (60 each at
Google), answered with 429 RESOURCE_EXHAUSTED; with `qpm` on, Sheets calls are charged to those
instead (`sheets_read_qpm` / `sheets_write_qpm` override Google's 60, and apply even with `qpm`
off).
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from workspace_coach.sandbox import errors

FAULT_KINDS = ("backend503", "internal500", "rate429", "user_rate403", "drop")
SHEETS_QPM = 60  # Google's read and write requests per minute per user, each
#: Sheets methods Google counts as read requests; every other Sheets method is a write.
SHEETS_READS = frozenset({
    "sheets.spreadsheets.get", "sheets.spreadsheets.getByDataFilter",
    "sheets.spreadsheets.values.get", "sheets.spreadsheets.values.batchGet",
    "sheets.spreadsheets.values.batchGetByDataFilter",
    "sheets.spreadsheets.developerMetadata.get", "sheets.spreadsheets.developerMetadata.search",
})
LATE_DATE_WORDINGS = ("later_than", "start_date", "last_reported")


class DropConnection(Exception):
    """Close the client's connection without an answer, like a reset."""


@dataclass
class RealismConfig:
    latency_ms: float = 0.0          # mean added latency per HTTP request
    latency_jitter_ms: float = 0.0   # uniform +/- jitter around the mean
    fault_rate: float = 0.0          # probability that a call fails
    fault_kinds: list[str] = field(default_factory=lambda: list(FAULT_KINDS))
    qpm: int = 0                     # queries per minute per user per API (0 = unlimited)
    tenant_qpm: int = 0              # queries per minute per tenant across APIs (0 = unlimited)
    user_ready_ms: float = 0.0       # a new user is not usable by members.insert for this long
    drive_ready_ms: float = 0.0      # a new shared drive cannot be updated for this long
    group_ready_ms: float = 0.0      # members.insert into a new group answers 404 for this long
    # a data transfer stays inProgress this long, then completes (no published figure: a modest
    # default; docs/sandbox.md, "Leavers")
    transfer_ms: float = 1000.0
    sheets_read_qpm: int = 0         # Sheets reads per minute per user (0: 60 when qpm is on)
    sheets_write_qpm: int = 0        # Sheets writes per minute per user (0: 60 when qpm is on)
    # how a usage report refuses a date past the newest: "later_than" (Google's usual words),
    # "start_date" or "last_reported" (wordings Google has also used; docs/sandbox.md)
    late_date_wording: str = "later_than"
    seed: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RealismConfig:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise errors.invalid(f"Unknown sandbox setting(s): {', '.join(sorted(unknown))}")
        config = cls(**data)
        bad = set(config.fault_kinds) - set(FAULT_KINDS)
        if bad:
            raise errors.invalid(f"Unknown fault kind(s): {', '.join(sorted(bad))}; "
                                 f"known: {', '.join(FAULT_KINDS)}")
        if config.late_date_wording not in LATE_DATE_WORDINGS:
            raise errors.invalid(f"late_date_wording must be one of "
                                 f"{', '.join(LATE_DATE_WORDINGS)}")
        if not 0.0 <= config.fault_rate <= 1.0:
            raise errors.invalid("fault_rate must be between 0 and 1")
        return config

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Settings that make the sandbox answer like Google does on a normal day (`--realism google`,
#: or `{"preset": "google"}` on `PUT /_sandbox/config`), laid over the defaults. Sources and
#: which figures are estimates: docs/sandbox.md, "CLI, Reports and the google preset".
GOOGLE_PRESET: dict[str, Any] = {
    "latency_ms": 120.0,         # estimate: Admin SDK answers take roughly 80-200 ms
    "latency_jitter_ms": 60.0,
    "fault_rate": 0.01,          # estimate: an occasional 5xx, 429 or dropped connection
    "qpm": 2400,                 # Directory API default: 2,400 queries/minute/user/project
    "user_ready_ms": 3000.0,     # estimate: a new user takes seconds to be usable everywhere
    "drive_ready_ms": 3000.0,    # estimate: same for a new shared drive
    "group_ready_ms": 3000.0,    # estimate: same for a new group
    "sheets_read_qpm": 60,       # Sheets API: 60 reads/minute/user/project
    "sheets_write_qpm": 60,      # Sheets API: 60 writes/minute/user/project
}
PRESETS: dict[str, dict[str, Any]] = {"google": GOOGLE_PRESET}


def preset_config(name: str, overrides: dict[str, Any] | None = None) -> RealismConfig:
    """The defaults with preset `name` laid over them, then `overrides`."""
    if name not in PRESETS:
        raise errors.invalid(f"Unknown sandbox preset {name!r}; known: {', '.join(PRESETS)}")
    return RealismConfig.from_dict({**PRESETS[name], **(overrides or {})})


class Realism:
    def __init__(self, config: RealismConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.clock = time.monotonic  # of the quota windows; a test may drive it by hand
        # Wall time, like the creation stamps the store keeps, for eventual consistency; a test
        # may move it forward instead of sleeping.
        self.ready_clock = time.time
        self.configure(config or RealismConfig())

    def configure(self, config: RealismConfig) -> None:
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._windows: dict[tuple[str, ...], deque[float]] = {}

    # -- per HTTP request -----------------------------------------------------------------------

    def delay(self) -> None:
        c = self.config
        if c.latency_ms <= 0:
            return
        with self._lock:
            jitter = self._random.uniform(-c.latency_jitter_ms, c.latency_jitter_ms)
        time.sleep(max(0.0, c.latency_ms + jitter) / 1000.0)

    # -- per API call (inner batch calls included) ----------------------------------------------

    def before_call(self, tenant: str, user: str, api: str, method: str = "") -> None:
        """Charge the quotas, then maybe inject a fault. Raises the error Google would send.

        `method` (the discovery id) tells a Sheets read from a Sheets write."""
        c = self.config
        now = self.clock()
        with self._lock:
            if c.tenant_qpm and not self._take(("tenant", tenant), c.tenant_qpm, now):
                raise errors.rate_limit()
            if api == "sheets":
                kind = "Read" if method in SHEETS_READS else "Write"
                limit = (c.sheets_read_qpm if kind == "Read" else c.sheets_write_qpm) or (
                    SHEETS_QPM if c.qpm else 0)
                if limit and not self._take(("sheets", tenant, user, kind), limit, now):
                    raise errors.sheets_quota(kind)
            elif c.qpm and not self._take(("user", tenant, user, api), c.qpm, now):
                raise errors.user_rate_limit()
            if c.fault_rate <= 0 or self._random.random() >= c.fault_rate:
                return
            kind = self._random.choice(c.fault_kinds)
        if kind == "backend503":
            raise errors.backend_error(503)
        if kind == "internal500":
            raise errors.backend_error(500)
        if kind == "rate429":
            raise errors.rate_limit()
        if kind == "user_rate403":
            raise errors.user_rate_limit()
        raise DropConnection()

    def _take(self, key: tuple[str, ...], limit: int, now: float) -> bool:
        window = self._windows.setdefault(key, deque())
        while window and window[0] <= now - 60.0:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(now)
        return True

    # -- eventual consistency -------------------------------------------------------------------

    def _age_ms(self, created_at: float) -> float:
        return (self.ready_clock() - created_at) * 1000

    def user_ready(self, created_at: float | None) -> bool:
        return created_at is None or self._age_ms(created_at) >= self.config.user_ready_ms

    def drive_ready(self, created_at: float | None) -> bool:
        return created_at is None or self._age_ms(created_at) >= self.config.drive_ready_ms

    def group_ready(self, created_at: float | None) -> bool:
        return created_at is None or self._age_ms(created_at) >= self.config.group_ready_ms

    def transfer_done(self, requested_at: float) -> bool:
        return self._age_ms(requested_at) >= self.config.transfer_ms
