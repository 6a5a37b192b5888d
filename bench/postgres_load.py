"""bench/postgres.py's machinery: a local PostgreSQL to measure against, copying a build into it,
and app processes searching concurrently.

Each searcher is a separate Python process (started with "spawn", so it shares nothing with the
benchmark's own process) that does what an app process does: loads the model with the hub's own
runtime, opens a `Hub` on the settings it is given (the data folder, or the database), searches
a few queries to warm up, then waits for the others before the timed searches begin.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.measure import RESULTS_SHOWN
from index.access import Viewer
from index.api import Hub
from index.layout import read_pointer
from index.pg.catalogue import PgCatalogue
from index.pg.schema import schema_of
from index.pg.server import LocalPostgres
from index.pg.write import write_build
from index.snapshot import open_build
from ingest.embed import load_embedder
from ingest.settings import Settings

# Every searcher waits at most this long for the others to be ready (loading a 200,000-passage
# build in four processes at once on two cores takes under a minute).
READY_S = 600.0
VIEWERS = {"anonymous": Viewer.anonymous, "editor": Viewer.operator}


# --- the server ---------------------------------------------------------------------------------


@contextmanager
def local_server(folder: Path, shared_buffers: str) -> Iterator[LocalPostgres]:
    """A fresh server (index.pg.server) with its data in `folder` (emptied first) and
    `shared_buffers`, stopped at the end. Raises ServerError when it does not start."""
    shutil.rmtree(folder, ignore_errors=True)
    server = LocalPostgres.start(folder)
    try:
        with psycopg.connect(server.url_for("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("ALTER SYSTEM SET shared_buffers = {}").format(sql.Literal(shared_buffers)))
        server.restart()  # shared_buffers is read at start only
        yield server
    finally:
        server.close()


def fresh_database(server: LocalPostgres, name: str) -> str:
    """The URL of database `name` on `server`, created empty (an earlier one is dropped)."""
    server.drop_database(name)
    return server.new_database(name)


def setting(server: LocalPostgres, name: str) -> str:
    """A server setting as SHOW gives it."""
    with psycopg.connect(server.url_for("postgres"), autocommit=True) as conn:
        found = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
    return str(found[0]) if found else ""


# --- copying a build in -------------------------------------------------------------------------


@dataclass(frozen=True)
class Copied:
    """A file build copied into a database: how long it took and what it takes there."""

    url: str
    build_id: str
    passages: int
    seconds: float  # write_build: rows, postings, the HNSW and other indexes
    rows_seconds: float  # of which copying the passages' rows
    vacuum_seconds: float
    bytes: int  # pg_total_relation_size summed over the build schema's tables
    file_bytes: int  # the build's folder in the data folder

    @property
    def bytes_per_100k(self) -> float:
        return self.bytes / self.passages * 100_000


def copy_build(data_dir: Path, url: str) -> Copied:
    """Copy `data_dir`'s live build into the (empty) database at `url` and make it live there;
    then vacuum it, so no autovacuum of the fresh tables runs during the timings."""
    settings = Settings(data_dir=data_dir, store=url)
    catalogue = PgCatalogue(settings)
    catalogue.setup()
    build_id = read_pointer(settings)
    if build_id is None:
        raise SystemExit(f"{data_dir} has no live build")
    local = open_build(settings.builds_dir / build_id)
    rows_done = [0.0]
    start = time.perf_counter()

    def progress(_: str, done: int, total: int) -> None:
        if done == total:
            rows_done[0] = time.perf_counter() - start

    try:
        write_build(catalogue.db, local, progress)
        seconds = time.perf_counter() - start
        passages = local.vectors.size
    finally:
        local.close()
    catalogue.publish(build_id)
    schema = schema_of(build_id)
    start = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("documents", "passages", "terms"):
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        conn.execute("CHECKPOINT")
        found = conn.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            (schema,),
        ).fetchone()
    vacuum = time.perf_counter() - start
    folder = settings.builds_dir / build_id
    file_bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return Copied(url, build_id, passages, seconds, rows_done[0], vacuum, int(found[0]) if found else 0, file_bytes)


# --- searchers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """What one searcher process does: the settings its Hub opens, and its timed searches."""

    settings: Settings
    models: Path  # where the model's export for the runtime is kept
    queries: tuple[str, ...]  # searched in this order, starting at `offset`
    warm: tuple[str, ...]  # searched first, untimed
    viewers: tuple[str, ...]  # keys of VIEWERS; each query is searched as each, in turn
    offset: int = 0
    seconds: float | None = None  # search for this long, going round the queries; None: each once


@dataclass(frozen=True)
class Searched:
    """One searcher's timings: milliseconds per viewer, and the timed span in seconds."""

    ms: dict[str, list[float]]
    span: float


def search_for(job: Job, ready: Any, out: Any) -> None:
    """A searcher process's body: warm up, wait for `ready` (a Barrier), search, put a Searched
    (or the traceback, as a string) on `out`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the hub never reaches the network
    try:
        embedder = load_embedder(job.settings.model, job.settings.runtime, job.models)
        hub = Hub(job.settings, lambda _: embedder)
        viewers = {name: VIEWERS[name]() for name in job.viewers}
        for query in job.warm:
            for viewer in viewers.values():
                hub.search_page(query, limit=RESULTS_SHOWN, viewer=viewer)
        ready.wait(READY_S)
        out.put(_timed(hub, job, viewers))
    except BaseException:
        ready.abort()
        out.put(traceback.format_exc())


def _timed(hub: Hub, job: Job, viewers: dict[str, Viewer]) -> Searched:
    order = [*job.queries[job.offset :], *job.queries[: job.offset]]
    ms: dict[str, list[float]] = {name: [] for name in viewers}
    start = time.perf_counter()
    n = 0
    while True:
        query = order[n % len(order)]
        for name, viewer in viewers.items():
            tick = time.perf_counter()
            hub.search_page(query, limit=RESULTS_SHOWN, viewer=viewer)
            ms[name].append((time.perf_counter() - tick) * 1000)
        n += 1
        if job.seconds is None and n == len(order):
            break
        if job.seconds is not None and time.perf_counter() - start >= job.seconds:
            break
    return Searched(ms, time.perf_counter() - start)


def run_searchers(jobs: Sequence[Job]) -> list[Searched]:
    """Run each job in a process of its own, all timed searches starting together; their
    timings. Raises SystemExit with a searcher's traceback when one fails."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(len(jobs))
    out = context.Queue()
    processes = [context.Process(target=search_for, args=(job, ready, out)) for job in jobs]
    try:
        for process in processes:
            process.start()
        found = [out.get(timeout=READY_S + 3600) for _ in jobs]
    finally:
        for process in processes:
            process.join(timeout=60)
            if process.is_alive():
                process.kill()
    failed = [f for f in found if isinstance(f, str)]
    if failed:
        raise SystemExit(f"a searcher failed:\n{failed[0]}")
    return [f for f in found if isinstance(f, Searched)]
