"""The local PostgreSQL server: it answers on 127.0.0.1 only with pgvector and unaccent, keeps its
data through a stop or a crash, refuses a folder or port in use, and its command line."""

from __future__ import annotations

import contextlib
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from index.pg.server import FolderInUse, LocalPostgres, PortInUse, ServerError
from tests.conftest import ROOT
from tests.pg_support import own_postgres, pg_url, postgres_server

__all__ = ["own_postgres", "pg_url", "postgres_server"]  # fixtures, used by name


def refused(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_the_url_opens_the_hub_database_on_postgresql_18(postgres_server: LocalPostgres) -> None:
    assert postgres_server.url == f"postgresql://postgres@127.0.0.1:{postgres_server.port}/hub"
    with psycopg.connect(postgres_server.url) as connection:
        version, database = connection.execute("SELECT version(), current_database()").fetchone() or ()
    assert version.startswith("PostgreSQL 18") and database == "hub"


def test_a_new_database_is_empty_and_has_pgvector_and_unaccent(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as connection:
        tables = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        connection.execute("CREATE EXTENSION vector")
        connection.execute("CREATE EXTENSION unaccent")
        row = connection.execute("SELECT '[1,2,3]'::vector <-> '[1,2,5]'::vector, unaccent('Māori ākonga')").fetchone()
    assert tables == (0,)
    assert row == (2.0, "Maori akonga")


def test_databases_are_separate_and_named_safely(postgres_server: LocalPostgres) -> None:
    first = postgres_server.new_database("separate_one")
    try:
        with psycopg.connect(first, autocommit=True) as connection:
            connection.execute("CREATE TABLE notes (body text)")
        second = postgres_server.new_database("separate_two")
        with psycopg.connect(second) as connection:
            assert connection.execute("SELECT to_regclass('notes')").fetchone() == (None,)
        with pytest.raises(psycopg.errors.DuplicateDatabase):
            postgres_server.new_database("separate_one")
        for bad in ("Upper", "with-dash", "x; DROP DATABASE hub", ""):
            with pytest.raises(ValueError, match="lower-case letters"):
                postgres_server.new_database(bad)
    finally:
        postgres_server.drop_database("separate_one")
        postgres_server.drop_database("separate_two")


def test_it_listens_on_127_0_0_1_only_and_writes_no_socket_file(postgres_server: LocalPostgres) -> None:
    with psycopg.connect(postgres_server.url) as connection:
        addresses = connection.execute("SHOW listen_addresses").fetchone()
        sockets = connection.execute("SHOW unix_socket_directories").fetchone()
    assert addresses == ("127.0.0.1",) and sockets == ("",)
    # 127.0.0.2 is this machine too: a server listening on every address would answer there.
    assert refused(postgres_server.port, "127.0.0.2")
    socket_name = f".s.PGSQL.{postgres_server.port}"
    assert not list(postgres_server.folder.glob(socket_name + "*")) and not list(Path("/tmp").glob(socket_name + "*"))


def test_a_folder_holding_other_files_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ServerError, match="holds files but no PostgreSQL data"):
        LocalPostgres.start(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


# The tests below start servers of their own (about a second each) or run the command line as a
# process: the integration tier.
@pytest.mark.integration
def test_data_survives_a_stop_and_a_crash_and_the_port_stays(own_postgres: LocalPostgres) -> None:
    server = own_postgres
    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute("CREATE TABLE notes (body text)")
        connection.execute("INSERT INTO notes VALUES ('before the stop')")
    server.stop()
    assert not server.running() and refused(server.port)
    server.restart()
    with psycopg.connect(server.url, autocommit=True) as connection:
        connection.execute("INSERT INTO notes VALUES ('before the crash')")
    server.kill()
    assert not server.running() and refused(server.port)
    server.restart()
    assert server.running()
    with psycopg.connect(server.url) as connection:
        rows = connection.execute("SELECT body FROM notes ORDER BY body").fetchall()
    assert rows == [("before the crash",), ("before the stop",)]
    log = (server.folder / "server.log").read_text()
    assert "automatic recovery in progress" in log, "the kill was not a crash"


@pytest.mark.integration
def test_a_second_start_in_a_folder_in_use_fails_and_leaves_the_first(own_postgres: LocalPostgres) -> None:
    with pytest.raises(FolderInUse, match=re.escape(f"{own_postgres.folder} is in use")) as raised:
        LocalPostgres.start(own_postgres.folder, durable=False)
    assert str(own_postgres.port) in raised.value.summary
    with psycopg.connect(own_postgres.url) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)


@pytest.mark.integration
def test_a_taken_port_is_named(tmp_path: Path, postgres_server: LocalPostgres) -> None:
    with pytest.raises(PortInUse, match=f"127.0.0.1:{postgres_server.port}: could not bind") as raised:
        LocalPostgres.start(tmp_path / "postgres", port=postgres_server.port, durable=False)
    assert "Address already in use" in str(raised.value)  # the message carries the server's log
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


@pytest.mark.integration
def test_a_temporary_server_takes_its_folder_away() -> None:
    with LocalPostgres.start() as server:
        assert server.temporary and server.running() and (server.folder / "PG_VERSION").exists()
    assert not server.folder.exists() and refused(server.port)


@contextlib.contextmanager
def launched(command: list[str]) -> Iterator[subprocess.Popen[str]]:
    """`command` running from the repository; stopped with SIGTERM at the end if it still runs."""
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=60)


def server_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "index.pg.server", *args]


def first_lines(process: subprocess.Popen[str], count: int) -> list[str]:
    """The first lines the command prints; it is killed if they take more than a minute."""
    assert process.stdout is not None
    watchdog = threading.Timer(60, process.kill)
    watchdog.start()
    try:
        lines = [process.stdout.readline() for _ in range(count)]
    finally:
        watchdog.cancel()
    assert all(lines), f"the command printed {lines} and stopped"
    return lines


def terminate(process: subprocess.Popen[str]) -> tuple[str, str]:
    process.send_signal(signal.SIGTERM)
    return process.communicate(timeout=60)


@pytest.mark.integration
def test_the_command_prints_the_export_line_and_stops_on_sigterm() -> None:
    with launched(server_command()) as process:
        export, comment = first_lines(process, 2)
        found = re.fullmatch(r"export HUB_STORE=(postgresql://postgres@127\.0\.0\.1:(\d+)/hub)\n", export)
        assert found, export
        folder = Path(re.findall(r"data in (\S+) \(removed when it stops\)", comment)[0])
        with psycopg.connect(found[1]) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == ("hub",)
        out, err = terminate(process)
    assert process.returncode == 0, err
    assert out == "# stopped\n" and not folder.exists() and refused(int(found[2]))


@pytest.mark.integration
def test_the_command_keeps_a_folder_between_runs(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with launched(server_command("--folder", str(folder))) as process:
        url = first_lines(process, 1)[0].strip().removeprefix("export HUB_STORE=")
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute("CREATE TABLE kept AS SELECT 'still here' AS body")
        terminate(process)
    with launched(server_command("--folder", str(folder))) as again:
        url = first_lines(again, 1)[0].strip().removeprefix("export HUB_STORE=")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT body FROM kept").fetchone() == ("still here",)
        terminate(again)
    assert again.returncode == 0 and folder.is_dir()


@pytest.mark.integration
@pytest.mark.parametrize("port", ["abc", "70000", "in use"])
def test_a_bad_port_exits_4_naming_it(port: str, postgres_server: LocalPostgres) -> None:
    port = str(postgres_server.port) if port == "in use" else port
    with launched(server_command("--port", port)) as process:
        out, err = process.communicate(timeout=120)
    assert process.returncode == 4 and out == ""
    assert len(err.splitlines()) == 1 and port in err, err


LAUNCHER = """
import sys, time
from pathlib import Path
from index.pg.server import LocalPostgres

server = LocalPostgres.start(Path(sys.argv[1]), durable=False)
print(server.port, flush=True)
time.sleep(600)
"""


@pytest.mark.integration
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_killed_launcher_leaves_no_server_running(tmp_path: Path) -> None:
    folder = tmp_path / "postgres"
    with launched([sys.executable, "-c", LAUNCHER, str(folder)]) as process:
        port = int(first_lines(process, 1)[0])
        assert not refused(port)
        process.kill()
        process.wait()
    deadline = time.monotonic() + 30
    while (folder / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (folder / "postmaster.pid").exists() and refused(port)
    assert "received fast shutdown request" in (folder / "server.log").read_text()
