"""Where the search analytics' writer thread keeps events: the seam (`EventWriter`), the rows it
writes, and the data folder's SQLite file (`SqliteWriter`). The database of HUB_STORE is the
other side of the seam (index/pg/analytics.py); index/analytics.py chooses between them.

Both stores hold the same three tables with the same columns (`COLUMNS`), so the insights
(index/insights.py) run the same queries on either and give the same figures."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

# How long the writer waits for another connection's lock before trying again later. Only the
# writer waits: searches never do.
BUSY_SECONDS = 2.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY, day TEXT NOT NULL, query TEXT NOT NULL, norm TEXT NOT NULL,
    mode TEXT NOT NULL, filters TEXT NOT NULL, results INTEGER NOT NULL, hits INTEGER NOT NULL,
    matched INTEGER NOT NULL, no_good_match INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS opens (
    id INTEGER PRIMARY KEY, day TEXT NOT NULL, doc_id TEXT NOT NULL, rank INTEGER,
    query TEXT NOT NULL, norm TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, day TEXT NOT NULL, doc_id TEXT NOT NULL, helpful INTEGER NOT NULL,
    comment TEXT NOT NULL, query TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS searches_day ON searches (day);
CREATE INDEX IF NOT EXISTS opens_day ON opens (day);
CREATE INDEX IF NOT EXISTS feedback_day ON feedback (day);
"""
# What each event fills in, in both stores; each numbers its rows in the order they were written,
# so the newest feedback has the highest id.
COLUMNS = {
    "searches": ("day", "query", "norm", "mode", "filters", "results", "hits", "matched", "no_good_match"),
    "opens": ("day", "doc_id", "rank", "query", "norm"),
    "feedback": ("day", "doc_id", "helpful", "comment", "query"),
}
TABLES = tuple(COLUMNS)
Row = tuple[str, tuple[object, ...]]  # a table, and its values in the order of COLUMNS


def storable(text: str) -> str:
    """`text` as both stores can keep it: PostgreSQL refuses NUL characters, and neither store can
    encode a lone surrogate (which a browser can send). Either would stop every write after it."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


class WriteFailed(Exception):
    """Events could not be written; they are kept and tried again. `reason` says why (None when
    the writer mended the store itself), `note` what editors should know of it afterwards."""

    def __init__(self, reason: str | None, note: str | None = None) -> None:
        super().__init__(reason or note or "")
        self.reason = reason
        self.note = note


class EventWriter(Protocol):
    """Where the writer thread keeps events. Used by one thread at a time; connects on its first
    write, so nothing is created before the first event."""

    where: str  # the store, as messages name it

    def write(self, rows: Sequence[Row], cutoff: str | None) -> None:
        """Write `rows` in one transaction, first deleting rows of days before `cutoff` (an ISO
        date) when one is given. Raises WriteFailed, and then nothing was written."""
        ...

    def close(self) -> None:
        """Let go of the connection; the next write opens another."""
        ...


class SqliteWriter:
    """Events into the SQLite file at `path`, waiting `busy_seconds` for another connection's lock."""

    def __init__(self, path: Path, busy_seconds: float = BUSY_SECONDS) -> None:
        self.path = path
        self.where = str(path)
        self._busy = busy_seconds
        self._conn: sqlite3.Connection | None = None

    def write(self, rows: Sequence[Row], cutoff: str | None) -> None:
        try:
            conn = self._conn = self._conn or connect(self.path, self._busy)
            conn.execute("BEGIN IMMEDIATE")
            try:
                if cutoff is not None:
                    for table in TABLES:
                        conn.execute(f"DELETE FROM {table} WHERE day < ?", (cutoff,))
                for table, values in rows:
                    conn.execute(f"INSERT INTO {table} ({', '.join(COLUMNS[table])}) VALUES ({_marks(values)})", values)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            self.close()
            raise self._failure(exc) from None

    def _failure(self, exc: sqlite3.Error) -> WriteFailed:
        """Why writing failed; a damaged file is set aside for a new one, which mends it."""
        if type(exc) is sqlite3.DatabaseError:  # not a lock, a full disk or a read-only file: damage
            aside = set_aside(self.path)
            return WriteFailed(
                None, f"The analytics store was damaged ({exc}); it was set aside as {aside.name}, a new one started."
            )
        return WriteFailed(str(exc))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _marks(values: tuple[object, ...]) -> str:
    return ", ".join("?" * len(values))


def connect(path: Path, busy_seconds: float = BUSY_SECONDS) -> sqlite3.Connection:
    """A writing connection to the store at `path`, created with its tables if new, in WAL mode
    (readers never wait for the writer). Raises sqlite3.Error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=busy_seconds, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed row survives the process dying; only a power cut can
        # lose the last few, which analytics can afford.
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.executescript(SCHEMA)
    except sqlite3.Error:
        conn.close()
        raise
    return conn


def set_aside(path: Path) -> Path:
    """Move a damaged store (and its WAL files) out of the way; returns where it went."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            source.replace(aside.with_name(aside.name + suffix))
    return aside
