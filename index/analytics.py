"""Search analytics, recorded without knowing who searched: each search, each document opened (with
its place in the results when opened from them) and each "Was this helpful?" answer.

The Hub tells its observer about every search page it answers (`SearchObserver`); the portal tells
the same `Recorder` about documents opened and feedback. The store is its own SQLite file in the
data folder (`data/analytics/analytics.sqlite`), never inside a build: builds are replaced and
pruned, and readers' activity has nothing to do with what was indexed. With HUB_STORE it is the
`hub_analytics` tables of that database instead (index/pg/analytics.py), so that every app process
serving the hub records into one place (`writer_of`).

What is kept, and what is not:
- the day (UTC) of each event, never the time: a time of day could be matched against a proxy's
  log to find who searched; no user, no IP address, no session.
- query text and comments only after `index.redact.redact` has taken identifiers out;
- rows older than the retention period are deleted on the first write of each day.

Recording never holds up or breaks a search. `Recorder.searched` only puts the event on a queue
(well under a microsecond of the search's time); one writer thread redacts and writes batches. A
store that is locked, full or read-only keeps its events waiting (up to MAX_PENDING, the oldest
dropped beyond that, and counted) and says so in `health()`; a damaged file is set aside and a
new store started. Every problem is logged. Where the writer writes is an `EventWriter`."""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from index.analytics_store import BUSY_SECONDS, EventWriter, Row, SqliteWriter, WriteFailed, storable
from index.filters import Filters
from index.redact import redact
from index.results import SearchResults
from ingest.settings import Settings

LOG = logging.getLogger("hub.analytics")
STORE_NAME = "analytics.sqlite"
COMMENT_CHARS = 500
# Events kept in memory while the store cannot be written: about 2 MB, a busy day's searches.
MAX_PENDING = 10_000
# The writer thread ends after this long without events, so idle hubs (and tests that make many
# Hubs) hold no threads; the next event starts it again.
IDLE_SECONDS = 5.0
RETRY_SECONDS = 1.0
# The writer waits this long after an event before writing, so that under load it writes once a
# second, not once a search: redacting holds Python's GIL, and writing after every search made
# the next search wait for it (bench/analytics.py measured +2.8 ms at the median that way).
BATCH_SECONDS = 1.0


class SearchObserver(Protocol):
    """Told about each search page the Hub answers, after it is answered. Must return at once."""

    def searched(self, query: str, filters: Filters | None, mode: str, results: SearchResults) -> None: ...


def tell(observer: SearchObserver, query: str, filters: Filters | None, mode: str, results: SearchResults) -> None:
    """Pass a search to `observer`; whatever it raises is logged, never passed on to the search."""
    try:
        observer.searched(query, filters, mode, results)
    except Exception:  # an observer's failure must never fail the search it watched
        LOG.exception("The search analytics could not be told about a search")


def normalise_query(text: str) -> str:
    """`text` as queries are grouped: lower case, words only, single spaces."""
    return " ".join(re.findall(r"\w+", text.casefold()))


@dataclass(frozen=True)
class _Search:
    day: str
    query: str
    filters: Filters | None
    mode: str
    results: int
    hits: int
    matched: int
    no_good_match: bool


@dataclass(frozen=True)
class _Open:
    day: str
    doc_id: str
    rank: int | None
    query: str


@dataclass(frozen=True)
class _Feedback:
    day: str
    doc_id: str
    helpful: bool
    comment: str
    query: str


_Event = _Search | _Open | _Feedback


@dataclass(frozen=True)
class Health:
    """How recording is going, for the editors' Search insights page."""

    problem: str | None = None  # why events cannot be written right now; None when they can
    notes: tuple[str, ...] = ()  # what happened earlier that editors should know (a store set aside)
    waiting: int = 0  # events not yet written
    dropped: int = 0  # events lost because too many were waiting


def filters_json(filters: Filters | None) -> str:
    """The filters a reader chose, as JSON; who is asking (`readers`) is never part of it."""
    if filters is None:
        return "{}"
    chosen = {
        "kind": list(filters.kinds),
        "agency": list(filters.agencies),
        "focus_area": list(filters.focus_areas),
        "status": list(filters.statuses),
        "from": filters.published_from.isoformat() if filters.published_from else "",
        "to": filters.published_to.isoformat() if filters.published_to else "",
    }
    return json.dumps({k: v for k, v in chosen.items() if v}, sort_keys=True)


def _row(event: _Event) -> Row:
    """The table and values for one event, its texts redacted."""
    if isinstance(event, _Search):
        query = storable(redact(event.query))
        values = (event.day, query, normalise_query(query), event.mode, filters_json(event.filters))
        return "searches", (*values, event.results, event.hits, event.matched, event.no_good_match)
    if isinstance(event, _Open):
        query = storable(redact(event.query))
        return "opens", (event.day, storable(event.doc_id), event.rank, query, normalise_query(query))
    comment = storable(redact(event.comment[:COMMENT_CHARS])[:COMMENT_CHARS])
    return "feedback", (event.day, storable(event.doc_id), event.helpful, comment, storable(redact(event.query)))


@dataclass
class _Counts:
    submitted: int = 0
    settled: int = 0  # written or dropped
    dropped: int = 0
    problem: str | None = None
    notes: list[str] = field(default_factory=list)


class Recorder:
    """Records searches, documents opened and feedback into `store` (the SQLite file at a path, or
    another `EventWriter`), keeping `keep_days` days. Safe to share between threads; no method
    raises or waits (but `flush`, which waits on purpose). `today` gives the day events are filed
    under (UTC); the writer collects events for `batch_seconds` before writing them, waits
    `busy_seconds` for another connection's lock (the SQLite file's; a writer passed in has its
    own) and retries failed writes after `retry_seconds`."""

    def __init__(
        self,
        store: Path | EventWriter,
        keep_days: int,
        *,
        today: Callable[[], dt.date] | None = None,
        busy_seconds: float = BUSY_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self._writer = SqliteWriter(store, busy_seconds) if isinstance(store, Path) else store
        self.where = self._writer.where
        self.keep_days = keep_days
        self._retry = retry_seconds
        self._batch = batch_seconds
        self._hurry = threading.Event()  # set by `flush`: write what is waiting now
        self._today = today or (lambda: dt.datetime.now(dt.UTC).date())
        self._queue: queue.SimpleQueue[_Event] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._counts = _Counts()
        self._purged_on: str | None = None

    # ---- what callers record --------------------------------------------------------------------

    def searched(self, query: str, filters: Filters | None, mode: str, results: SearchResults) -> None:
        """Record a search: its query, filters, mode and how many results it had."""
        confident = sum(1 for hit in results.hits if hit.confident) if not results.no_good_match else 0
        day = self._day()
        hits = len(results.hits)
        self._put(_Search(day, query, filters, mode, confident, hits, results.matched_documents, results.no_good_match))

    def opened(self, doc_id: str, rank: int | None, query: str = "") -> None:
        """Record that a document was opened: `rank` is its place in the results (1 for the
        first) when opened from them, None otherwise; `query` the search it came from."""
        self._put(_Open(self._day(), doc_id, rank, query))

    def feedback(self, doc_id: str, helpful: bool, comment: str = "", query: str = "") -> None:
        """Record a "Was this helpful?" answer, with its comment (redacted, at most COMMENT_CHARS)."""
        self._put(_Feedback(self._day(), doc_id, helpful, comment, query))

    def _day(self) -> str:
        return self._today().isoformat()

    def _put(self, event: _Event) -> None:
        with self._lock:
            self._counts.submitted += 1
            self._queue.put(event)
            if self._thread is None:
                self._thread = threading.Thread(target=self._write_loop, name="hub-analytics", daemon=True)
                self._thread.start()

    # ---- what editors and tests read ------------------------------------------------------------

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait up to `timeout` seconds for every event recorded so far to be written (or
        dropped); True when none is left waiting."""
        deadline = time.monotonic() + timeout
        self._hurry.set()
        with self._settled:
            target = self._counts.submitted
            while self._counts.settled < target:
                left = deadline - time.monotonic()
                if left <= 0 or not self._settled.wait(left):
                    return self._counts.settled >= target
            return True

    def health(self) -> Health:
        """How recording is going: the current problem, earlier notes, events waiting and lost."""
        with self._lock:
            c = self._counts
            return Health(c.problem, tuple(c.notes), c.submitted - c.settled, c.dropped)

    # ---- the writer thread ----------------------------------------------------------------------

    def _write_loop(self) -> None:
        # Redacted as they are taken from the queue, once: not again each time a write is retried.
        pending: list[Row] = []
        while True:
            try:
                pending.append(_row(self._queue.get(timeout=self._retry if pending else IDLE_SECONDS)))
            except queue.Empty:
                if not pending:
                    with self._lock:
                        if self._queue.empty():
                            self._thread = None
                            self._writer.close()
                            return
                    continue
            self._hurry.wait(self._batch)
            self._hurry.clear()
            while len(pending) < MAX_PENDING:
                try:
                    pending.append(_row(self._queue.get_nowait()))
                except queue.Empty:
                    break
            self._write(pending)
            if pending:
                self._drop_beyond_limit(pending)
                time.sleep(self._retry)

    def _write(self, pending: list[Row]) -> None:
        """Write `pending` (on the first write of each day, after deleting rows older than
        `keep_days` days) and empty it; on failure keep it and note why."""
        today = self._today()
        purged = self._purged_on == today.isoformat()
        cutoff = None if purged else (today - dt.timedelta(days=self.keep_days)).isoformat()
        try:
            self._writer.write(pending, cutoff)
        except WriteFailed as failure:
            self._failed(failure)
            return
        self._purged_on = today.isoformat()
        with self._settled:
            self._counts.settled += len(pending)
            self._counts.problem = None
            self._settled.notify_all()
        pending.clear()

    def _failed(self, failure: WriteFailed) -> None:
        """Note why the store cannot be written, and what editors should know."""
        problem = None
        if failure.reason is not None:
            problem = f"The search analytics cannot be written ({failure.reason}); "
            problem += "events are kept in memory and retried."
        with self._lock:
            if failure.note is not None:
                self._counts.notes.append(f"{self._day()}: {failure.note}")
                LOG.error("%s", failure.note)
            if problem is not None and problem != self._counts.problem:
                LOG.warning("%s", problem)
            self._counts.problem = problem

    def _drop_beyond_limit(self, pending: list[Row]) -> None:
        excess = len(pending) - MAX_PENDING
        if excess <= 0:
            return
        del pending[:excess]
        with self._settled:
            self._counts.dropped += excess
            self._counts.settled += excess
            self._settled.notify_all()
        LOG.warning("The search analytics lost %d events that could not be written", excess)


def open_recorder(settings: Settings) -> Recorder | None:
    """The recorder for a hub with `settings`, or None when analytics are off (HUB_ANALYTICS).
    Nothing is created on disk or in the database until the first event is written."""
    return Recorder(writer_of(settings), settings.analytics_days) if settings.analytics else None


def writer_of(settings: Settings) -> EventWriter:
    """Where a hub with `settings` keeps its analytics: the database of HUB_STORE, shared by every
    app process serving it, else its own file in the data folder."""
    if settings.store:
        from index.pg.analytics import PgWriter

        return PgWriter(settings.store)
    return SqliteWriter(store_path(settings))


def store_path(settings: Settings) -> Path:
    """Where the analytics store of a hub with `settings` is (it may not exist yet)."""
    return settings.analytics_dir / STORE_NAME
