"""Connections to the index database: one pool per app process, and its errors in plain words.

Every statement runs through `Database.connection()`, which turns a lost or refused connection
into IndexUnavailable naming the server (never the password) and a database error into
IndexCorrupt. The pool checks a connection before lending it, so a search made after the server
comes back works again without restarting the app; while every connection is in use, further
searches wait their turn (up to `WAIT_S`) rather than fail."""

from __future__ import annotations

import contextvars
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import psycopg_pool
from pgvector.psycopg import register_vector

from index.errors import IndexCorrupt, IndexUnavailable
from ingest.settings import without_password

# How long a search waits for a free connection before it is told the database is busy.
WAIT_S = 30.0
# How long a search waits before checking whether the server is there at all.
FIRST_WAIT_S = 1.0
# How long a connection attempt may take before the server counts as unreachable.
CONNECT_S = 5
# Graph candidates visited by a vector search: at least the candidates a leg asks for (500),
# Recall@10 1.000 against exact search at 214,430 passages (measured while choosing it).
EF_SEARCH = 500


class Database:
    """A pool of connections to one PostgreSQL database with pgvector; safe to share between threads."""

    def __init__(self, url: str, size: int = 4) -> None:
        self.url = url
        self.shown = without_password(url)
        self._held: contextvars.ContextVar[psycopg.Connection | None] = contextvars.ContextVar("held", default=None)
        self._pool = psycopg_pool.ConnectionPool(
            url,
            min_size=0,
            max_size=size,
            kwargs={"connect_timeout": CONNECT_S, "autocommit": True},
            configure=_configure,
            check=psycopg_pool.ConnectionPool.check_connection,
            timeout=WAIT_S,
            open=True,
            name="hub",
        )

    @contextmanager
    def session(self) -> Iterator[None]:
        """Lend one connection to every `connection()` of this thread until the block ends: a
        search makes about ten statements, and borrowing (with its check) for each doubled its
        round trips."""
        if self._held.get() is not None:
            yield
            return
        with self.connection() as conn:
            token = self._held.set(conn)
            try:
                yield
            finally:
                self._held.reset(token)

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        """A pooled connection (the session's, inside `session()`). Raises IndexUnavailable when
        the server cannot be reached (or no connection came free in time), IndexCorrupt when a
        statement fails."""
        held = self._held.get()
        if held is not None:
            with self._errors():
                yield held
            return
        with self._errors():
            conn = self._borrow()
            try:
                _with_vectors(conn)
                yield conn
            finally:
                # A connection left broken is discarded by the pool, not lent again.
                self._pool.putconn(conn)

    def _borrow(self) -> psycopg.Connection:
        """A connection from the pool. When none comes at once, the server is tried directly:
        if it is down the reader is told in seconds, not after `WAIT_S`; if it is up, every
        connection is busy and the search waits its turn."""
        try:
            return self._pool.getconn(timeout=FIRST_WAIT_S)
        except psycopg_pool.PoolTimeout:
            pass
        try:
            psycopg.connect(self.url, connect_timeout=CONNECT_S).close()
        except psycopg.Error as exc:
            raise IndexUnavailable(f"the index database {self.shown} cannot be reached ({_first_line(exc)})") from None
        try:
            return self._pool.getconn(timeout=WAIT_S)
        except psycopg_pool.PoolTimeout:
            raise IndexUnavailable(
                f"the index database {self.shown} stayed busy for {WAIT_S:.0f} s; try again in a moment"
            ) from None

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Database errors as the hub's: unreachable (IndexUnavailable) or failing (IndexCorrupt)."""
        try:
            yield
        except psycopg.OperationalError as exc:
            raise IndexUnavailable(f"the index database {self.shown} cannot be reached ({_first_line(exc)})") from None
        except psycopg.Error as exc:
            raise IndexCorrupt(f"the index database {self.shown}: {_first_line(exc)}") from None

    def close(self) -> None:
        self._pool.close()


def _configure(conn: psycopg.Connection) -> None:
    """Make a new connection ready: pgvector's types, and how vector searches run. A database
    without pgvector yet (before the first build run creates it) still gives connections."""
    _with_vectors(conn)
    # A filtered search keeps walking the graph until it has its rows, in order of distance.
    conn.execute(f"SET hnsw.ef_search = {EF_SEARCH}")
    conn.execute("SET hnsw.iterative_scan = strict_order")
    # Each search runs on one core: several searchers at once are served side by side rather
    # than each spreading over every core and waiting on the others.
    conn.execute("SET max_parallel_workers_per_gather = 0")


def _with_vectors(conn: psycopg.Connection) -> bool:
    """Teach `conn` pgvector's types once the extension exists; whether it now knows them."""
    if conn in _taught:
        return True
    found = conn.execute("SELECT 1 FROM pg_type WHERE typname = 'halfvec'").fetchone()
    if found is None:
        return False
    register_vector(conn)
    _taught.add(conn)
    return True


# Connections that know pgvector's types (a connection made before the extension was created
# learns them at its next use).
_taught: weakref.WeakSet[psycopg.Connection] = weakref.WeakSet()


def _first_line(exc: BaseException) -> str:
    """The first line of a database error, without the server's context lines."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_open: dict[tuple[str, int], Database] = {}
_open_lock = threading.Lock()


def database_of(url: str, size: int = 4) -> Database:
    """The process's one pool for `url` (app sessions share it)."""
    with _open_lock:
        db = _open.get((url, size))
        if db is None:
            db = _open[(url, size)] = Database(url, size)
        return db


def forget(url: str) -> None:
    """Close this process's pools for `url` (a database about to be dropped, in tests and tools)."""
    with _open_lock:
        for key in [k for k in _open if k[0] == url]:
            _open.pop(key).close()
