"""The data folder: the one place that knows its layout, and every change made to it outside a build.

Layout under the data folder:
  builds/<build id>/        a finished build (store.sqlite, vectors.faiss, keyword/, manifest.json)
  builds/<build id>.partial a build being written; never read, removed by the next run
  LIVE                      JSON naming the published build; replaced atomically
  history.json              published build ids, oldest first, for rollback
  build.lock, build.lock.info  held by the one run that may write builds
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import filelock

from index.errors import BuildLocked, BuildRejected, IndexCorrupt, IndexNotWritable
from ingest.durable import fsync_dir
from ingest.settings import Settings

MANIFEST = "manifest.json"
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
KEYWORD = "keyword"
PARTIAL = ".partial"
LIVE = "LIVE"
HISTORY = "history.json"


def now() -> str:
    """The time now, as the data folder's files record it (ISO, UTC, to the second)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def plain_name(build_id: str) -> bool:
    """Whether `build_id` can only name a folder directly inside the builds folder."""
    return bool(build_id) and "/" not in build_id and "\\" not in build_id and not build_id.startswith(".")


def read_pointer(settings: Settings) -> str | None:
    """The id of the live build, or None when nothing has been published. Raises IndexCorrupt."""
    pointer = settings.data_dir / LIVE
    try:
        data = json.loads(pointer.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"{pointer}: cannot read the live index pointer ({exc})") from None
    build = data.get("build") if isinstance(data, dict) else None
    if not isinstance(build, str) or not plain_name(build):
        raise IndexCorrupt(f"{pointer}: names no valid build")
    return build


def earlier_builds(settings: Settings, live_id: str | None) -> list[str]:
    """Ids of finished builds to serve while the live build `live_id` cannot be read, best first.

    First the published history before `live_id`, newest first; then any other finished build
    folder older than `live_id`, newest first (ids begin with the time they were built). A newer
    folder is left out: it is one that a rollback turned away from. With `live_id` None (the
    pointer itself is unreadable) every build qualifies. Never a `.partial` folder, which may be
    half written. Reads only; returns [] when the builds folder cannot be listed."""
    history = read_history(settings)
    if live_id in history:
        history = history[: history.index(live_id)]
    ids = [b for b in reversed(history) if b != live_id and plain_name(b)]
    for name in sorted(_build_folders(settings), reverse=True):
        if name in ids or name == live_id:
            continue
        if live_id is None or name < live_id:
            ids.append(name)
    return ids


def _build_folders(settings: Settings) -> list[str]:
    """Names of the finished build folders; [] when the builds folder cannot be listed."""
    try:
        names = [p.name for p in settings.builds_dir.iterdir() if p.is_dir()]
    except OSError:
        return []
    return [n for n in names if plain_name(n) and not n.endswith(PARTIAL)]


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that readers see the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, default=str)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_history(settings: Settings) -> list[str]:
    """Published build ids, oldest first.

    When the history file is missing or damaged, the finished build folders stand in for it
    (ids begin with the time they were built), so pruning never takes a lost history to mean
    that no earlier build exists."""
    try:
        data = json.loads((settings.data_dir / HISTORY).read_text(encoding="utf-8"))
        if isinstance(data, list) and all(isinstance(b, str) for b in data):
            return list(data)
    except (OSError, ValueError):
        pass
    try:
        live = read_pointer(settings)
    except IndexCorrupt:
        live = None
    # A folder newer than the live build is one a rollback turned away from: never history.
    return sorted(f for f in _build_folders(settings) if live is None or f <= live)


def publish(settings: Settings, build_id: str) -> None:
    """Make `build_id` the live build with one atomic replace of the pointer.

    The history is written after the pointer: a run killed in between leaves a live build that
    is missing from the history, which rollback handles, never a history naming a build that
    was not live."""
    # Read before the pointer moves: a lost history is rebuilt from the folders no newer than
    # the build live until now, which leaves out any build a rollback turned away from.
    history = [b for b in read_history(settings) if b != build_id] + [build_id]
    write_json_atomic(settings.data_dir / LIVE, {"build": build_id})
    write_json_atomic(settings.data_dir / HISTORY, history)


def not_writable(exc: OSError) -> str:
    """The sentence for a data folder that cannot be written."""
    where = exc.filename or "the data folder"
    return f"cannot write to {where} ({exc.strerror or exc}); the live index is unchanged"


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """Hold the build lock. The OS drops it when a process dies, so a killed run never blocks.

    Raises BuildLocked naming the holder, or IndexNotWritable."""
    info = settings.data_dir / "build.lock.info"
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(settings.data_dir / "build.lock"))
        lock.acquire(timeout=0)
    except filelock.Timeout:
        holder = info.read_text(encoding="utf-8").strip() if info.exists() else "another process"
        raise BuildLocked(f"a build is already running ({holder})") from None
    except OSError as exc:
        raise IndexNotWritable(not_writable(exc)) from None
    try:
        info.write_text(f"pid {os.getpid()} since {now()}", encoding="utf-8")
        yield
    finally:
        lock.release()


def rollback(settings: Settings, opens: Callable[[Path], bool]) -> str:
    """Make the build published before the live one live again; returns its id. `opens` says
    whether a build folder opens cleanly; one that does not is passed over.

    Raises BuildLocked while a build runs, BuildRejected when there is no earlier build to go to."""
    with build_lock(settings):
        live = read_pointer(settings)
        history = read_history(settings)
        earlier = history[: history.index(live)] if live in history else history
        for candidate in reversed(earlier):
            folder = settings.builds_dir / candidate
            if not folder.is_dir() or not opens(folder):
                continue
            # The rolled-back build leaves the history, so the next run prunes it.
            write_json_atomic(settings.data_dir / HISTORY, history[: history.index(candidate) + 1])
            write_json_atomic(settings.data_dir / LIVE, {"build": candidate})
            return candidate
    raise BuildRejected("there is no earlier build to roll back to")


def remove_leftovers(settings: Settings) -> None:
    """Remove the half-written builds an interrupted run left behind."""
    if settings.builds_dir.is_dir():
        for folder in settings.builds_dir.glob("*" + PARTIAL):
            shutil.rmtree(folder, ignore_errors=True)


def prune(settings: Settings, live_id: str) -> None:
    """Keep the newest `keep_builds` published builds (the live one always)."""
    history = read_history(settings)
    if live_id not in history:
        # The history is damaged or missing: it cannot say which builds are older, so keep them.
        return
    keep = set(history[-settings.keep_builds :]) | {live_id}
    for folder in settings.builds_dir.iterdir():
        if folder.is_dir() and not folder.name.endswith(PARTIAL) and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    write_json_atomic(settings.data_dir / HISTORY, [b for b in history if b in keep])
