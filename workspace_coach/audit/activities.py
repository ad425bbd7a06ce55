"""Activities of every application, listed side by side, and a long listing in time slices.

`activities.list` pages follow each other (each page's token comes from the one before), so a
180-day backfill of a busy application would be hundreds of calls in a row. Instead:

1. the first page of each application is asked for from the window's start to now (newest
   first, as before); an application whose events fit one page is done in one call;
2. otherwise the first page's time span tells how dense the listing is, and the rest of the
   window (start .. the oldest event on that page) is cut into slices of about `SLICE_PAGES`
   pages each, on UTC midnights, each listed on its own thread (`startTime`/`endTime`), every
   page of it; a slice costs at most one call more than the same events listed in one go;
3. a slice between two midnights, once every page of it is stored, is recorded in
   `collect_state` (kind `slice:<app>`, its first date, `watermark` its end), so a collect
   killed half-way lists only the slices not recorded when it runs again;
4. when every slice of an application is stored, its `activities:<app>` watermark moves to the
   newest event seen and its slice rows are removed, as a sequential listing would leave it.

Events are written with `insert_new` on Google's identity of an event, so the odd event on a
slice boundary, read twice, is stored once.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from workspace_coach.audit.fields import ACTIVITY_APPS, activity_params
from workspace_coach.audit.jobs import Job, Writer
from workspace_coach.google.session import GoogleSession
from workspace_coach.storage import models as m
from workspace_coach.storage.upsert import insert_new, upsert
from workspace_coach.timezones import PACIFIC, as_utc

if TYPE_CHECKING:
    from workspace_coach.audit.collect import CollectReport

ACTIVITY_PAGE = 1000
#: How far before the newest stored event the next activities window starts: Google's Meet and
#: Calendar logs can arrive hours late; login, admin, Drive and Chat are near real time.
ACTIVITY_OVERLAP = {"meet": dt.timedelta(days=1), "calendar": dt.timedelta(days=1)}
DEFAULT_OVERLAP = dt.timedelta(hours=1)
#: Pages a slice is sized for: small enough to spread a busy application over the threads, big
#: enough that the one partly filled page each slice ends with costs little.
SLICE_PAGES = 16
MAX_SLICES = 64
SLICE_KIND = "slice:"
DAY = dt.timedelta(days=1)


def stamp(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    # always UTC: SQLite keeps the wall time and drops the offset
    return as_utc(dt.datetime.fromisoformat(raw))


def rfc3339(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def event_rows(app: str, items: Sequence[dict[str, Any]], client_id: int
               ) -> list[dict[str, Any]]:
    rows = []
    for item in items:
        ident = item.get("id") or {}
        actor = item.get("actor") or {}
        when = stamp(ident.get("time"))
        for index, event in enumerate(item.get("events") or []):
            rows.append({
                "client_id": client_id, "app": app, "time": when,
                "unique_qualifier": str(ident.get("uniqueQualifier", "")),
                "event_index": index, "actor_email": actor.get("email"),
                "actor_profile_id": actor.get("profileId"), "event_type": event.get("type"),
                "event_name": event.get("name", ""),
                "params": activity_params(app, event.get("parameters") or []),
            })
    return rows


@dataclass(frozen=True)
class Slice:
    start: dt.datetime
    end: dt.datetime
    recorded: bool  # between two midnights: recorded once stored, skipped on a resumed collect

    @property
    def days(self) -> set[dt.date]:
        return {(self.start + DAY * i).date() for i in range((self.end - self.start) // DAY)}


def plan_slices(start: dt.datetime, oldest: dt.datetime, newest: dt.datetime, items: int
                ) -> list[Slice]:
    """The slices of `start .. oldest` (the part of the window the first page did not reach),
    sized from the first page's density: `items` events between `oldest` and `newest`."""
    span = oldest - start
    if span <= dt.timedelta(0):
        return [Slice(start, oldest, False)]
    page_span = (newest - oldest).total_seconds()
    pages = MAX_SLICES * SLICE_PAGES if page_span <= 0 else \
        span.total_seconds() / page_span * items / ACTIVITY_PAGE
    count = max(1, min(MAX_SLICES, math.ceil(pages / SLICE_PAGES)))
    step = DAY * max(1, math.ceil(span / DAY / count))
    midnight = dt.datetime.combine(start.date(), dt.time(), dt.UTC)
    cuts = []
    cut = midnight + step
    while cut < oldest:
        cuts.append(cut)
        cut += step
    if not cuts:
        return [Slice(start, oldest, False)]
    # the first slice starts at `start`: recorded only if that is a midnight
    out = [Slice(start, cuts[0], start == midnight)]
    out += [Slice(a, b, True) for a, b in zip(cuts, cuts[1:], strict=False)]
    out.append(Slice(cuts[-1], oldest, False))  # ends at the first page's oldest event
    return out


@dataclass
class _Listing:
    app: str
    start: dt.datetime
    mark: dt.datetime | None
    newest: dt.datetime | None = None
    left: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: events seen at a slice boundary (listed by both slices), so each is counted once
    edges: dict[dt.datetime, set[str]] = field(default_factory=dict)

    def fresh(self, items: list[dict[str, Any]]) -> int:
        """How many of `items` were not seen before (only a boundary event can be)."""
        again = 0
        with self.lock:
            for item in items:
                ident = item.get("id") or {}
                seen = self.edges.get(stamp(ident.get("time")))  # type: ignore[arg-type]
                if seen is not None:
                    key = str(ident.get("uniqueQualifier", ""))
                    again += key in seen
                    seen.add(key)
        return len(items) - again


class ActivityCollector:
    """Jobs listing every application's activities since its watermark (see the module doc)."""

    def __init__(self, session: GoogleSession, writer: Writer, client_id: int,
                 first: dt.date, report: CollectReport, now: dt.datetime,
                 advance: Callable[..., None]) -> None:
        self.session = session
        self.writer = writer
        self.client_id = client_id
        self.first = first
        self.report = report
        self.now = now
        self.advance = advance

    def jobs(self) -> list[Job]:
        return [functools.partial(self._first_page, app) for app in ACTIVITY_APPS]

    # -- calls ----------------------------------------------------------------------------------

    def _pages(self, app: str, start: dt.datetime, end: dt.datetime | None):
        service = self.session.service("reports")
        params = {"userKey": "all", "applicationName": app, "maxResults": ACTIVITY_PAGE,
                  "startTime": rfc3339(start)}
        if end is not None:
            params["endTime"] = rfc3339(end)
        token = None
        seen: set[str] = set()
        while True:
            request = service.activities().list(**params,
                                                **({"pageToken": token} if token else {}))
            page = self.session.execute(request, what=f"{app} activities") or {}
            token = page.get("nextPageToken")
            yield page.get("items") or [], token
            if not token:
                return
            if token in seen:
                raise RuntimeError(f"reports.activities.list repeated a page token for {app}")
            seen.add(token)

    def _store(self, listing: _Listing, items: list[dict[str, Any]]) -> None:
        rows = event_rows(listing.app, items, self.client_id)
        newest = max((r["time"] for r in rows if r["time"]), default=None)
        fresh = listing.fresh(items)

        def store(conn: sa.Connection) -> None:
            insert_new(conn, m.ActivityEvent.__table__, rows,
                       ["client_id", "app", "time", "unique_qualifier", "event_index"])
            seen = self.report.events_seen
            seen[listing.app] = seen.get(listing.app, 0) + fresh

        self.writer.write(store)
        with listing.lock:
            listing.newest = max(filter(None, (listing.newest, newest)), default=None)

    # -- jobs -----------------------------------------------------------------------------------

    def _first_page(self, app: str) -> list[Job]:
        kind = f"activities:{app}"
        with self.writer.engine.connect() as conn:
            mark = conn.execute(sa.select(sa.func.max(m.CollectState.watermark)).where(
                m.CollectState.client_id == self.client_id,
                m.CollectState.kind == kind)).scalar()
            done = conn.execute(sa.select(m.CollectState.date, m.CollectState.watermark).where(
                m.CollectState.client_id == self.client_id,
                m.CollectState.kind == SLICE_KIND + app)).all()
        if mark is not None:
            mark = as_utc(mark)
            start = mark - ACTIVITY_OVERLAP.get(app, DEFAULT_OVERLAP)
        else:
            start = dt.datetime.combine(self.first, dt.time(), PACIFIC).astimezone(dt.UTC)
        listing = _Listing(app, start, mark)
        self.report.events_seen.setdefault(app, 0)
        pages = self._pages(app, start, None)
        items, token = next(pages)
        times = [t for t in (stamp((i.get("id") or {}).get("time")) for i in items) if t]
        if not token or not times or min(times) <= start:
            # one page, or a page all at the window's first instant (Google wants startTime
            # before endTime, so that cannot be sliced): the rest of the listing in a row
            self._store(listing, items)
            for items, _ in pages:
                self._store(listing, items)
            self._finish(listing)
            return []
        covered = set()
        for day, end in done:
            covered |= Slice(dt.datetime.combine(day, dt.time(), dt.UTC), as_utc(end), True).days
        planned = plan_slices(start, min(times), max(times), len(items))
        listing.edges = {s.end: set() for s in planned}
        self._store(listing, items)
        slices = [s for s in planned if not (s.recorded and s.days <= covered)]
        listing.left = len(slices)
        self.advance(0, total_more=len(slices))
        if not slices:
            self._finish(listing)
        return [functools.partial(self._slice, listing, s) for s in slices]

    def _slice(self, listing: _Listing, part: Slice) -> None:
        for items, _ in self._pages(listing.app, part.start, part.end):
            self._store(listing, items)
        if part.recorded:  # queued after the slice's pages: written with or after them
            self.writer.write(lambda conn: upsert(conn, m.CollectState.__table__, [{
                "client_id": self.client_id, "kind": SLICE_KIND + listing.app,
                "date": part.start.date(), "partial": False, "fetched_at": self.now,
                "fetches": 1, "watermark": part.end, "warnings": []}],
                ["client_id", "kind", "date"]))
        self.advance(1, description=f"{listing.app} {part.start.date()}")
        with listing.lock:
            listing.left -= 1
            last = listing.left == 0
        if last:
            self._finish(listing)

    def _finish(self, listing: _Listing) -> None:
        # the watermark moves only once every page is stored: an interrupted listing is read again
        watermark = max(filter(None, (listing.newest, listing.mark, listing.start)))

        def store(conn: sa.Connection) -> None:
            upsert(conn, m.CollectState.__table__, [{
                "client_id": self.client_id, "kind": f"activities:{listing.app}",
                "date": watermark.astimezone(PACIFIC).date(), "partial": False,
                "fetched_at": self.now, "fetches": 1, "watermark": watermark, "warnings": []}],
                ["client_id", "kind", "date"])
            conn.execute(sa.delete(m.CollectState).where(
                m.CollectState.client_id == self.client_id,
                m.CollectState.kind == SLICE_KIND + listing.app))

        self.writer.write(store)
        self.advance(1, description=f"{listing.app} activities")
