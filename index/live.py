"""Finding, opening and publishing builds: the one place that knows the data folder's layout.

Layout under the data folder:
  builds/<build id>/        a finished build (store.sqlite, vectors.faiss, keyword/, manifest.json)
  builds/<build id>.partial a build being written; never read, removed by the next run
  LIVE                      JSON naming the published build; replaced atomically
  history.json              published build ids, oldest first, for rollback
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.duplicates import copies_by_index, copies_in_manifest, group_of
from index.errors import IndexCorrupt, IndexNotReady
from index.filters import MetadataColumns
from index.keyword import KeywordIndex
from index.store import DocumentRecord, DocumentStore, SqliteStore
from index.vectors import VectorIndex
from ingest.durable import fsync_dir
from ingest.settings import Settings

MANIFEST = "manifest.json"
STORE = "store.sqlite"
VECTORS = "vectors.faiss"
KEYWORD = "keyword"
PARTIAL = ".partial"


@dataclass
class Build:
    """An opened build: everything a search needs, loaded once and shared read-only."""

    build_id: str
    folder: Path
    manifest: dict[str, Any]
    store: DocumentStore
    vectors: VectorIndex
    keyword: KeywordIndex
    documents: dict[str, DocumentRecord]
    row_doc: np.ndarray  # document index of every passage row
    doc_order: list[str]  # document id of each document index
    columns: MetadataColumns  # the documents' filterable metadata, by document index
    group: np.ndarray  # for each document index, the document whose text it shares (itself if none)
    copies: dict[int, tuple[str, ...]]  # for each document sharing its text, the others' ids

    def copies_of(self, index: int) -> tuple[str, ...]:
        """The ids of the other documents with the same text as document `index`, in id order."""
        return self.copies.get(index, ())

    def close(self) -> None:
        self.store.close()


def read_pointer(settings: Settings) -> str | None:
    """The id of the live build, or None when nothing has been published."""
    pointer = settings.data_dir / "LIVE"
    try:
        data = json.loads(pointer.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"{pointer}: cannot read the live index pointer ({exc})") from None
    build = data.get("build") if isinstance(data, dict) else None
    if not isinstance(build, str) or not _plain_name(build):
        raise IndexCorrupt(f"{pointer}: names no valid build")
    return build


def open_live(settings: Settings) -> Build:
    """Open the published build. Raises IndexNotReady or IndexCorrupt (naming the file)."""
    build_id = read_pointer(settings)
    if build_id is None:
        raise IndexNotReady(f"no index has been built yet in {settings.data_dir}")
    return open_build(settings.builds_dir / build_id)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a build folder. Raises IndexCorrupt naming the file when missing or unreadable."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorrupt(f"{path}: missing") from None
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"{path}: unreadable ({_one_line(exc)})") from None
    if not isinstance(data, dict):
        raise IndexCorrupt(f"{path}: not a manifest")
    return data


def open_build(folder: Path) -> Build:
    """Open a build folder and check its parts agree. Raises IndexCorrupt naming the bad file."""
    manifest = read_manifest(folder)
    for name in (STORE, VECTORS):
        if not (folder / name).is_file():
            raise IndexCorrupt(f"{folder / name}: missing")
    store = SqliteStore(folder / STORE)
    try:
        return _load(folder, manifest, store)
    except BaseException:
        store.close()
        raise


def _load(folder: Path, manifest: dict[str, Any], store: SqliteStore) -> Build:
    """The rest of `open_build` once the store is open. Raises IndexCorrupt naming the bad file."""
    records = store.documents()
    row_ids = store.chunk_doc_ids()
    try:
        vectors = VectorIndex.load(folder / VECTORS)
    except Exception as exc:  # faiss raises RuntimeError with its C++ message
        raise IndexCorrupt(f"{folder / VECTORS}: unreadable ({_one_line(exc)})") from None
    try:
        keyword = KeywordIndex.load(folder / KEYWORD)
    except Exception as exc:  # bm25s raises on missing or damaged arrays
        raise IndexCorrupt(f"{folder / KEYWORD}: unreadable ({_one_line(exc)})") from None
    if vectors.size != len(row_ids) or manifest.get("chunks") != len(row_ids):
        raise IndexCorrupt(
            f"{folder}: parts disagree ({vectors.size} vectors, {len(row_ids)} passages, "
            f"manifest says {manifest.get('chunks')})"
        )
    documents = {r.doc_id: r for r in records}
    doc_order = list(documents)
    position = {doc_id: i for i, doc_id in enumerate(doc_order)}
    unknown = sorted(set(row_ids) - set(position))
    if unknown:
        raise IndexCorrupt(f"{folder / STORE}: passages of unknown documents ({unknown[0]!r})")
    row_doc = np.array([position[d] for d in row_ids], dtype=np.int32)
    columns = MetadataColumns([documents[d] for d in doc_order])
    group = group_of(doc_order, copies_in_manifest(manifest.get("duplicates")))
    copies = copies_by_index(group, doc_order)
    return Build(
        folder.name, folder, manifest, store, vectors, keyword, documents, row_doc, doc_order, columns, group, copies
    )


def _plain_name(build_id: str) -> bool:
    """Whether `build_id` can only name a folder directly inside the builds folder."""
    return bool(build_id) and "/" not in build_id and "\\" not in build_id and not build_id.startswith(".")


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line, without the C++ function and source line that faiss
    puts before its own words ("Error in void faiss::read_vector(...) at ...: Error: ...")."""
    text = " ".join(str(exc).split())
    if text.startswith("Error in ") and " Error: " in text:
        text = text.rsplit(" Error: ", 1)[1]
    return text or type(exc).__name__


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
    ids = [b for b in reversed(history) if b != live_id and _plain_name(b)]
    try:
        folders = sorted((p.name for p in settings.builds_dir.iterdir() if p.is_dir()), reverse=True)
    except OSError:
        folders = []
    for name in folders:
        if name.endswith(PARTIAL) or not _plain_name(name) or name in ids or name == live_id:
            continue
        if live_id is None or name < live_id:
            ids.append(name)
    return ids


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
    path = settings.data_dir / "history.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, list) and all(isinstance(b, str) for b in data):
            return list(data)
    except (OSError, ValueError):
        pass
    try:
        folders = [p.name for p in settings.builds_dir.iterdir() if p.is_dir()]
    except OSError:
        return []
    try:
        live = read_pointer(settings)
    except IndexCorrupt:
        live = None
    # A folder newer than the live build is one a rollback turned away from: never history.
    return sorted(f for f in folders if _plain_name(f) and not f.endswith(PARTIAL) and (live is None or f <= live))


def publish(settings: Settings, build_id: str) -> None:
    """Make `build_id` the live build with one atomic replace of the pointer.

    The history is written after the pointer: a run killed in between leaves a live build that
    is missing from the history, which rollback handles, never a history naming a build that
    was not live."""
    # Read before the pointer moves: a lost history is rebuilt from the folders no newer than
    # the build live until now, which leaves out any build a rollback turned away from.
    history = [b for b in read_history(settings) if b != build_id] + [build_id]
    write_json_atomic(settings.data_dir / "LIVE", {"build": build_id})
    write_json_atomic(settings.data_dir / "history.json", history)
