"""The search analytics in the index database (HUB_STORE): the `hub_analytics` schema, which
every app process serving the hub writes its readers' searches, opened documents and feedback
into, and which the Search insights page reads, so that editors see all of them whichever
process answered.

The tables have the SQLite store's columns (index/analytics_store.py), with PostgreSQL's types
for days and flags; the reader hands rows back as the SQLite store gives them (ISO days, 0 and
1), so the insights' own code and queries serve both stores alike."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from psycopg import sql

from index.analytics_store import BUSY_SECONDS, COLUMNS, TABLES, Row, WriteFailed
from index.errors import IndexCorrupt
from index.insights import AnalyticsUnreadable, Insights, Rows, no_rows
from index.pg.connect import CONNECT_S, Database, database_of
from ingest.settings import Settings, without_password

SCHEMA = "hub_analytics"
# Serialises creating the tables between processes starting at once (beside index/pg/schema.py's
# CATALOGUE_LOCK and BUILD_LOCK).
ANALYTICS_LOCK = 7_340_003
# A write stuck behind something that is not a lock (a server that stopped answering) gives up
# after this long; its events wait in memory and are tried again.
STATEMENT_MS = 30_000
TABLES_SQL = """
CREATE SCHEMA IF NOT EXISTS hub_analytics;
CREATE TABLE IF NOT EXISTS hub_analytics.searches (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, day date NOT NULL, query text NOT NULL,
    norm text NOT NULL, mode text NOT NULL, filters text NOT NULL, results integer NOT NULL,
    hits integer NOT NULL, matched integer NOT NULL, no_good_match boolean NOT NULL);
CREATE TABLE IF NOT EXISTS hub_analytics.opens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, day date NOT NULL, doc_id text NOT NULL,
    rank integer, query text NOT NULL, norm text NOT NULL);
CREATE TABLE IF NOT EXISTS hub_analytics.feedback (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, day date NOT NULL, doc_id text NOT NULL,
    helpful boolean NOT NULL, comment text NOT NULL, query text NOT NULL);
CREATE INDEX IF NOT EXISTS searches_day ON hub_analytics.searches (day);
CREATE INDEX IF NOT EXISTS opens_day ON hub_analytics.opens (day);
CREATE INDEX IF NOT EXISTS feedback_day ON hub_analytics.feedback (day);
"""


def ensure_analytics(conn: psycopg.Connection[Any]) -> None:
    """Create the `hub_analytics` schema and its tables if missing; safe when several processes
    start at once. Raises psycopg.Error."""
    if _has_tables(conn):
        return
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ANALYTICS_LOCK,))
        conn.execute(TABLES_SQL)


def _has_tables(conn: psycopg.Connection[Any]) -> bool:
    # The last table made: when it is there, so are the others.
    found = conn.execute("SELECT to_regclass('hub_analytics.feedback') IS NOT NULL").fetchone()
    return bool(found and found[0])


class PgWriter:
    """Events into the `hub_analytics` tables of the database at `url`, waiting `busy_seconds`
    for another session's lock.

    The writer thread has a connection of its own, not one of the searches' pool
    (index/pg/connect.py): the pool is sized for searches (HUB_STORE_POOL), so a writer held up
    by a lock or a struggling server would keep a connection from them, and a pool busy with
    searches would make the writer queue behind them (or report the store unreachable after
    the pool's wait). Its own connection also keeps its time limits off the searches'
    connections, and it ends with the writer thread whenever the hub is idle."""

    def __init__(self, url: str, busy_seconds: float = BUSY_SECONDS) -> None:
        self.url = url
        self.where = without_password(url)
        self._busy = busy_seconds
        self._conn: psycopg.Connection[Any] | None = None

    def write(self, rows: Sequence[Row], cutoff: str | None) -> None:
        by_table: dict[str, list[tuple[object, ...]]] = {}
        for table, values in rows:  # in the order written, so ids keep it
            by_table.setdefault(table, []).append(values)
        try:
            conn = self._conn = self._conn or self._connect()
            with conn.transaction():
                if cutoff is not None:
                    for table in TABLES:
                        conn.execute(sql.SQL("DELETE FROM {} WHERE day < %s").format(_table(table)), (cutoff,))
                with conn.cursor() as cursor:
                    for table, values_list in by_table.items():
                        cursor.executemany(_insert(table), values_list)
        except psycopg.Error as exc:
            self.close()
            raise WriteFailed(f"{self.where}: {first_line(exc)}") from None

    def _connect(self) -> psycopg.Connection[Any]:
        conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_S, application_name="hub-analytics")
        try:
            # Set here, not as connection options, which would replace any the URL gives.
            conn.execute(f"SET lock_timeout = {max(1, int(self._busy * 1000))}; SET statement_timeout = {STATEMENT_MS}")
            ensure_analytics(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _table(name: str) -> sql.Composable:
    return sql.Identifier(SCHEMA, name)


def _insert(table: str) -> sql.Composed:
    columns = COLUMNS[table]
    return sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        _table(table),
        sql.SQL(", ").join(sql.Identifier(c) for c in columns),
        sql.SQL(", ").join(sql.Placeholder() for _ in columns),
    )


def first_line(exc: BaseException) -> str:
    """The first line of a database error, without the server's hints."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class PgReader:
    """The `hub_analytics` tables of the database HUB_STORE names, read through the app's pool."""

    def __init__(self, settings: Settings) -> None:
        self.db: Database = database_of(settings.store, settings.store_pool)

    def read(self, work: Callable[[Rows], Insights]) -> Insights:
        try:
            with self.db.connection() as conn, conn.transaction():
                # One snapshot for every figure, while other app processes go on writing.
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                if not _has_tables(conn):
                    return work(no_rows)
                # The insights' queries name the tables as the SQLite store does.
                conn.execute(f"SET LOCAL search_path TO {SCHEMA}")
                return work(lambda query: [as_sqlite(r) for r in conn.execute(query).fetchall()])
        except IndexCorrupt as exc:
            raise AnalyticsUnreadable(f"the search analytics in {self.db.shown} cannot be read: {exc}") from None


def as_sqlite(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """`row` as the SQLite store gives it: days as ISO text, flags as 0 and 1."""
    return tuple(v.isoformat() if isinstance(v, dt.date) else int(v) if isinstance(v, bool) else v for v in row)
