"""Realism knobs: latency, injected faults, quotas and eventual consistency. All off by default.

Quotas follow Google's shape: a queries-per-minute limit per (tenant, acting user) per API answered
with 403 userRateLimitExceeded, and a per-tenant limit answered with 429 rateLimitExceeded. Every
inner call of a batch counts. Faults are drawn per call at `fault_rate` among `fault_kinds`.
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
        if not 0.0 <= config.fault_rate <= 1.0:
            raise errors.invalid("fault_rate must be between 0 and 1")
        return config

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Realism:
    def __init__(self, config: RealismConfig | None = None) -> None:
        self._lock = threading.Lock()
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

    def before_call(self, tenant: str, user: str, api: str) -> None:
        """Charge the quotas, then maybe inject a fault. Raises the error Google would send."""
        c = self.config
        now = time.monotonic()
        with self._lock:
            if c.tenant_qpm and not self._take(("tenant", tenant), c.tenant_qpm, now):
                raise errors.rate_limit()
            if c.qpm and not self._take(("user", tenant, user, api), c.qpm, now):
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

    def user_ready(self, created_at: float | None) -> bool:
        return created_at is None or (time.time() - created_at) * 1000 >= self.config.user_ready_ms

    def drive_ready(self, created_at: float | None) -> bool:
        return created_at is None or (time.time() - created_at) * 1000 >= self.config.drive_ready_ms

    def group_ready(self, created_at: float | None) -> bool:
        return created_at is None or (time.time() - created_at) * 1000 >= self.config.group_ready_ms
