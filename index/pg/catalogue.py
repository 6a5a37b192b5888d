"""The builds in the database: which is live, the order they were published in, run reports,
the build lock, publishing, rollback and pruning.

Publishing changes the live row and the history in one transaction, so every app process sees
the old build or the new one, never neither. A build run holds a session advisory lock, which
PostgreSQL drops when the run's connection ends, so a killed run never blocks the next."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from index.errors import BuildLocked, BuildRejected, IndexCorrupt, IndexUnavailable
from index.pg.connect import CONNECT_S, Database, database_of
from index.pg.read import open_pg_build
from index.pg.schema import BUILD_LOCK, CATALOGUE_LOCK, ensure_catalogue
from index.reports import KEEP_REPORTS, RunReport, SavedReport
from index.snapshot import Snapshot
from ingest.settings import Settings


class PgCatalogue:
    """The builds of the database named by `settings.store`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db: Database = database_of(settings.store, settings.store_pool)
        self.where = self.db.shown
        self._seen_catalogue = False

    def live_id(self) -> str | None:
        if not self._has_catalogue():
            return None
        with self.db.connection() as conn:
            found = conn.execute("SELECT build_id FROM hub.live").fetchone()
        return None if found is None else str(found[0])

    def _has_catalogue(self) -> bool:
        """Whether the catalogue tables exist (once they do, they stay: asked once per process)."""
        if self._seen_catalogue:
            return True
        with self.db.connection() as conn:
            found = conn.execute("SELECT to_regclass('hub.live') IS NOT NULL").fetchone()
        self._seen_catalogue = bool(found and found[0])
        return self._seen_catalogue

    def history(self) -> list[str]:
        """Published build ids, oldest first."""
        if not self._has_catalogue():
            return []
        with self.db.connection() as conn:
            return [r[0] for r in conn.execute("SELECT build_id FROM hub.history ORDER BY position")]

    def ready(self) -> list[str]:
        """Ids of the completely written builds, oldest first (ids begin with their time)."""
        with self.db.connection() as conn:
            return [
                r[0] for r in conn.execute("SELECT build_id FROM hub.builds WHERE state = 'ready' ORDER BY build_id")
            ]

    def earlier(self, live_id: str | None) -> list[str]:
        history = self.history()
        if live_id in history:
            history = history[: history.index(live_id)]
        ids = [b for b in reversed(history) if b != live_id]
        older = [
            b for b in reversed(self.ready()) if b not in ids and b != live_id and (live_id is None or b < live_id)
        ]
        return ids + older

    def open(self, build_id: str) -> Snapshot:
        return open_pg_build(self.db, build_id)

    def opens(self, build_id: str) -> bool:
        try:
            open_pg_build(self.db, build_id).close()
        except IndexCorrupt:
            return False
        return True

    def setup(self) -> None:
        """Create the catalogue tables if missing (the first build run does)."""
        with self.db.connection() as conn:
            ensure_catalogue(conn)

    def publish(self, build_id: str) -> None:
        """Make `build_id` live and append it to the history, in one transaction."""
        with self.db.connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (CATALOGUE_LOCK,))
            conn.execute(
                "INSERT INTO hub.live (one, build_id) VALUES (true, %s) "
                "ON CONFLICT (one) DO UPDATE SET build_id = EXCLUDED.build_id",
                (build_id,),
            )
            conn.execute("DELETE FROM hub.history WHERE build_id = %s", (build_id,))
            conn.execute("INSERT INTO hub.history (build_id) VALUES (%s)", (build_id,))

    def rollback(self) -> str:
        with self.lock():
            live = self.live_id()
            history = self.history()
            earlier = history[: history.index(live)] if live in history else history
            for candidate in reversed(earlier):
                if not self.opens(candidate):
                    continue
                with self.db.connection() as conn, conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (CATALOGUE_LOCK,))
                    # The rolled-back build leaves the history, so the next run prunes it.
                    position = conn.execute(
                        "SELECT max(position) FROM hub.history WHERE build_id = %s", (candidate,)
                    ).fetchone()
                    conn.execute("DELETE FROM hub.history WHERE position > %s", (position[0] if position else 0,))
                    conn.execute("UPDATE hub.live SET build_id = %s", (candidate,))
                return candidate
        raise BuildRejected("there is no earlier build to roll back to")

    def prune(self, live_id: str, keep: int) -> None:
        """Drop every build but the newest `keep` published ones and the live one; a build still
        being written is dropped too (call it holding the build lock)."""
        history = self.history()
        kept = set(history[-keep:]) | {live_id}
        with self.db.connection() as conn:
            doomed = [
                (r[0], r[1])
                for r in conn.execute("SELECT build_id, schema_name FROM hub.builds").fetchall()
                if r[0] not in kept
            ]
            for build_id, schema in doomed:
                with conn.transaction():
                    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
                    conn.execute("DELETE FROM hub.builds WHERE build_id = %s", (build_id,))
                    conn.execute("DELETE FROM hub.history WHERE build_id = %s", (build_id,))

    def remove_leftovers(self) -> None:
        """Drop builds a killed run left half written (call it holding the build lock)."""
        with self.db.connection() as conn:
            for build_id, schema in conn.execute(
                "SELECT build_id, schema_name FROM hub.builds WHERE state <> 'ready'"
            ).fetchall():
                with conn.transaction():
                    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
                    conn.execute("DELETE FROM hub.builds WHERE build_id = %s", (build_id,))

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the database's build lock on a connection of its own. Raises BuildLocked when
        another process holds it, IndexUnavailable when the server cannot be reached."""
        try:
            conn = psycopg.connect(self.settings.store, autocommit=True, connect_timeout=CONNECT_S)
        except psycopg.Error as exc:
            raise IndexUnavailable(f"the index database {self.where} cannot be reached ({exc})") from None
        try:
            found = conn.execute("SELECT pg_try_advisory_lock(%s)", (BUILD_LOCK,)).fetchone()
            if not (found and found[0]):
                raise BuildLocked(f"a build is already publishing into {self.where}")
            yield
        finally:
            conn.close()

    def save_report(self, report: RunReport) -> None:
        """Keep `report` for the Index status page of every app process; drop the oldest past KEEP_REPORTS."""
        self.setup()
        with self.db.connection() as conn, conn.transaction():
            conn.execute("INSERT INTO hub.reports (report) VALUES (%s)", (json.dumps(report.to_json(), default=str),))
            conn.execute(
                "DELETE FROM hub.reports WHERE id NOT IN (SELECT id FROM hub.reports ORDER BY id DESC LIMIT %s)",
                (KEEP_REPORTS,),
            )

    def latest_report(self) -> SavedReport | None:
        found = self.recent_reports(1)
        return found[0] if found else None

    def recent_reports(self, limit: int) -> list[SavedReport]:
        if not self._has_catalogue():
            return []
        with self.db.connection() as conn:
            rows = conn.execute("SELECT id, report FROM hub.reports ORDER BY id DESC LIMIT %s", (limit,)).fetchall()
        return [
            SavedReport(f"report {i}", RunReport.from_json(r))
            if isinstance(r, dict)
            else SavedReport(f"report {i}", None, "not a run report")
            for i, r in rows
        ]
