"""Reading one corpus file into text and metadata, inside limits, in a process that can be stopped.

A corpus is written by many hands, and a single file can be hostile or just unlucky: a named pipe
that never ends, a Word file that unpacks to gigabytes, a text that sends a parser into a loop.
So every file is read in a separate worker process with a memory ceiling, and the build waits
for each file only as long as `Limits.timeout_s`; a worker that runs over is killed and replaced,
and the file is reported as failed. Nothing read here can stop the other files or hold the build
lock for ever.
"""

from __future__ import annotations

import atexit
import hashlib
import multiprocessing
import os
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ingest.errors import LoadError, first_line
from ingest.loaders import load_bytes
from ingest.metadata import load_yaml_mapping, parse_metadata
from ingest.settings import MB, Limits
from ingest.types import Extracted, Metadata, SourceFile

# Sidecars hold a few lines of YAML; anything larger is a mistake or an attack on the parser.
MAX_SIDECAR_BYTES = 64 * 1024
# Bump when reading changes which files fail: failures recorded by an older reader are then
# tried again instead of being repeated from the manifest.
READER_VERSION = 2
HINT_UNEXPECTED = "Open and save the file again in its own program; if it still fails, tell the hub's operators."


@dataclass(frozen=True)
class FileText:
    """What reading one file gives: its cleaned text, its metadata and the hash of what was read."""

    extracted: Extracted
    metadata: Metadata
    warnings: tuple[str, ...]
    content_hash: str


def failure_key(limits: Limits) -> str:
    """What a recorded failure depends on besides the file: the reader and the limits it ran
    under. A failure is repeated without reading only while this stays the same, so raising a
    limit, as a failure's hint may advise, takes effect on the next run."""
    return f"reader={READER_VERSION};file={limits.max_file_bytes};text={limits.max_text_chars}"


def content_hash(raw: bytes, sidecar: bytes | None) -> str:
    """The hash that identifies one version of a file and its sidecar."""
    digest = hashlib.sha256(raw)
    digest.update(b"\0sidecar\0" + (sidecar or b""))
    return digest.hexdigest()


class TooLarge(Exception):
    """A file is over its size limit. Carries the size seen (at least limit + 1)."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over the limit of {limit}")
        self.size = size
        self.limit = limit


def read_regular(path: str, limit: int, root: str = "") -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    The file is opened without following a final link and without blocking, then checked to be
    a regular file (and, given `root`, to lie inside it, whatever links a folder on the way was
    swapped for after the scan) before anything is read, so a named pipe, a device or a file
    outside the corpus is never read. Raises TooLarge, or OSError (ELOOP for a link)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(0, "not a regular file", path)
        if root and not _opened_inside(fd, root):
            raise PermissionError(0, "the file now lies outside the corpus folder", path)
        if info.st_size > limit:
            raise TooLarge(info.st_size, limit)
        parts: list[bytes] = []
        total = 0
        while total <= limit:
            part = os.read(fd, min(1 * MB, limit + 1 - total))
            if not part:
                break
            parts.append(part)
            total += len(part)
        if total > limit:  # the file grew after fstat
            raise TooLarge(total, limit)
        return b"".join(parts)
    finally:
        os.close(fd)


def _opened_inside(fd: int, root: str) -> bool:
    """Whether the file open as `fd` lies inside the folder `root`, by the kernel's own account
    of what was opened (Linux /proc); True where that account is not available."""
    try:
        opened = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return True
    return opened == root or opened.startswith(root.rstrip(os.sep) + os.sep)


def size_text(size: int) -> str:
    """A size in words an editor reads at a glance: '51.2 MB', '800 KB'."""
    if size >= MB:
        return f"{size / MB:,.1f} MB"
    return f"{max(size // 1024, 1):,} KB"


def too_large(doc_id: str, exc: TooLarge) -> LoadError:
    """The failure of a document whose file, or whose metadata file, is over its size limit."""
    if exc.limit == MAX_SIDECAR_BYTES:
        return LoadError(
            doc_id,
            f"its metadata file is {size_text(exc.size)}, over the {size_text(MAX_SIDECAR_BYTES)} limit",
            "A metadata file holds a few lines of YAML: check that the right file was saved.",
        )
    return LoadError(
        doc_id,
        f"the file is {size_text(exc.size)}, over the {size_text(exc.limit)} limit (HUB_MAX_FILE_MB)",
        "Split it into smaller documents, or ask the operators to raise HUB_MAX_FILE_MB.",
    )


def read_version(path: str, sidecar: str | None, max_bytes: int, root: str = "") -> tuple[bytes, bytes | None]:
    """The bytes of a document's file and of its sidecar (None without one), each read within
    its limit by `read_regular`: what `content_hash` identifies. Raises TooLarge or OSError."""
    raw = read_regular(path, max_bytes, root)
    side = read_regular(sidecar, MAX_SIDECAR_BYTES, root) if sidecar else None
    return raw, side


def read_file_text(source: SourceFile, limits: Limits) -> FileText:
    """Read, parse and clean one file and its sidecar in this process. Raises LoadError."""
    try:
        raw, side = read_version(source.path, source.sidecar, limits.max_file_bytes, source.root)
    except TooLarge as exc:
        raise too_large(source.doc_id, exc) from None
    except FileNotFoundError:
        raise LoadError(source.doc_id, "the file disappeared before it could be read (deleted or moved)") from None
    except OSError as exc:
        raise LoadError(source.doc_id, f"could not be read ({exc.strerror or exc})") from None
    extracted, front = load_bytes(source.doc_id, source.format, raw, limits.max_text_chars)
    warnings = list(extracted.warnings)
    raw_meta = front
    if side is not None:
        raw_meta, problem = load_yaml_mapping(side.decode("utf-8", errors="replace"), Path(source.sidecar or "").name)
        if problem:
            warnings.append(problem)
    parsed = parse_metadata(raw_meta)
    warnings.extend(f"metadata: {p}" for p in parsed.problems)
    return FileText(extracted, parsed.metadata, tuple(warnings), content_hash(raw, side))


def _described(exc: BaseException) -> str:
    """An unexpected error for a report: its type and the start of its first line."""
    detail = first_line(exc)[:200]
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__


class ReadInterrupted(LoadError):
    """Reading a file was stopped (time limit, memory limit, the reading process died): the
    failure says nothing final about the file, so the next run tries it again."""


class OutOfMemory(ReadInterrupted):
    """Reading a file ran out of the memory its reading process may use."""

    def __init__(self, doc_id: str, memory_bytes: int) -> None:
        super().__init__(
            doc_id,
            f"reading it needed more than {memory_bytes // MB:,} MB of memory and was stopped (HUB_READER_MEMORY_MB)",
            "The file may be damaged or a compressed 'bomb'; save it again or split it.",
        )


def read_guarded(source: SourceFile, limits: Limits) -> FileText:
    """`read_file_text`, with every other error (a parser's own bug, memory running out)
    turned into a LoadError that names the file."""
    try:
        return read_file_text(source, limits)
    except LoadError:
        raise
    except MemoryError:
        raise OutOfMemory(source.doc_id, limits.memory_bytes) from None
    except RecursionError:
        raise LoadError(source.doc_id, "its structure is nested too deeply to read", HINT_UNEXPECTED) from None
    except Exception as exc:  # a parser's bug on one file must not stop the others
        raise LoadError(source.doc_id, f"could not be read ({_described(exc)})", HINT_UNEXPECTED) from None


# ---- the worker process ---------------------------------------------------------------------------

# (status, text or reason, hint, whether the worker is ending and must be replaced)
Reply = tuple[str, Any, str, bool]


def _watch_parent(parent: int) -> None:
    """End this worker when the build that started it dies (even by kill -9), so a runaway
    parse never outlives it."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(0)


def worker_main(conn: Connection, memory_bytes: int, parent: int) -> None:
    """The worker's loop: read each file asked for and send back its text or why it failed.
    Runs in the process started by `FileReader` (ingest/reader_process.py)."""
    import resource

    # The watchdog's stack is reserved before the ceiling is set, so it always starts.
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    while True:
        try:
            source, limits = conn.recv()
        except (EOFError, OSError):
            return
        reply: Reply
        try:
            reply = ("ok", read_guarded(source, replace(limits, memory_bytes=memory_bytes)), "", False)
        except OutOfMemory as exc:
            # After running out of memory the heap may be too fragmented to trust: a fresh
            # worker reads the next file.
            reply = ("failed", exc.reason, exc.hint, True)
        except LoadError as exc:
            reply = ("failed", exc.reason, exc.hint, False)
        try:
            conn.send(reply)
        except Exception as exc:  # the result itself could not be sent back (memory, pickling)
            conn.send(("failed", f"could not be read ({_described(exc)})", HINT_UNEXPECTED, True))
            return
        if reply[3]:
            return


class FileReader:
    """Reads files in a worker process, one at a time, each within `Limits`.

    The worker is started on first use and reused; one that overruns the time limit or dies is
    replaced for the next file. Safe to share between threads: reads take turns."""

    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def read(self, source: SourceFile, limits: Limits) -> FileText:
        """The file's text and metadata. Raises LoadError naming the file for any problem."""
        with self._lock:
            conn = self._start()
            try:
                conn.send((source, limits))
                ready = conn.poll(limits.timeout_s)
                reply: Reply | None = conn.recv() if ready else None
            except (EOFError, OSError):
                code = self._stop()
                raise ReadInterrupted(
                    source.doc_id,
                    f"the reading process stopped while reading this file (exit code {code})",
                    "The file may be damaged or need more memory than allowed (HUB_READER_MEMORY_MB).",
                ) from None
            if reply is None:
                self._stop()
                raise ReadInterrupted(
                    source.doc_id,
                    f"reading it took longer than {limits.timeout_s:g} s and was stopped (HUB_FILE_TIMEOUT)",
                    "The file may be damaged or unusually complex; save it again in a simpler form or split it.",
                )
            status, value, hint, ending = reply
            if ending:
                self._stop()
        if status == "ok":
            return value
        raise (ReadInterrupted if ending else LoadError)(source.doc_id, str(value), hint)

    def _start(self) -> Connection:
        if self._process is not None and self._process.poll() is None and self._conn is not None:
            return self._conn
        self._stop()
        # A fresh interpreter running only the reader, neither a fork (the build process runs
        # model threads that a fork would copy in an unknown state) nor multiprocessing's spawn,
        # which would run the parent's main script again, and inside the portal that script is
        # a Streamlit page.
        parent_end, child_end = multiprocessing.Pipe()
        handle = child_end.fileno()
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "ingest.reader_process", str(handle), str(self.memory_bytes), str(os.getpid())],
                pass_fds=(handle,),
                stdin=subprocess.DEVNULL,
                cwd=root,
                env=env,
            )
        finally:
            child_end.close()
        self._process, self._conn = process, parent_end
        return parent_end

    def _stop(self) -> int | None:
        """Stop the worker, if any; returns its exit code."""
        process, conn = self._process, self._conn
        self._process, self._conn = None, None
        if conn is not None:
            conn.close()
        if process is None:
            return None
        if process.poll() is None:
            process.kill()
        try:
            return process.wait(10)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        with self._lock:
            self._stop()


_readers: dict[int, FileReader] = {}
_readers_lock = threading.Lock()


def shared_reader(memory_bytes: int) -> FileReader:
    """The process's reader for a memory limit: started once, reused by every build, so a
    build pays for starting the worker only the first time."""
    with _readers_lock:
        reader = _readers.get(memory_bytes)
        if reader is None:
            reader = _readers[memory_bytes] = FileReader(memory_bytes)
        return reader


@atexit.register
def _close_readers() -> None:
    for reader in list(_readers.values()):
        reader.close()
