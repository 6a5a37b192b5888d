"""PostgreSQL for the tests: one server for the whole session, a fresh database for each test,
and a private server for the tests that stop or kill theirs.

A test module imports the fixtures it uses and names them in `__all__`, as with the others:

    from tests.pg_support import pg_url, postgres_server

    __all__ = ["pg_url", "postgres_server"]  # fixtures, used by name

Every server is stopped when its fixture ends; if the test run itself is killed, the servers stop
with it (see index.pg.server). initdb skips its fsync here: test data need not outlive a power cut.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.pg.connect import forget
from index.pg.server import LocalPostgres


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPostgres]:
    """One server for the whole test session; tests share it through their own databases (pg_url)."""
    server = LocalPostgres.start(tmp_path_factory.mktemp("postgres"), durable=False)
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def pg_url(postgres_server: LocalPostgres) -> Iterator[str]:
    """The URL of a new empty database on the session's server, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.new_database(name)
    try:
        yield url
    finally:
        forget(url)
        postgres_server.drop_database(name)


@pytest.fixture
def own_postgres(tmp_path: Path) -> Iterator[LocalPostgres]:
    """A server of the test's own, which it may stop, kill and restart; stopped after the test."""
    server = LocalPostgres.start(tmp_path / "postgres", durable=False)
    try:
        yield server
    finally:
        server.close()
