"""A cache of embedding vectors so text is never embedded twice, and embedding through it.

The cache only saves work: a damaged cache file is set aside and rebuilt, and a cache that cannot
be used at all is kept in memory for the run, each with a sentence for the run report."""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hashlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ingest.embed import Embedder
from ingest.progress import Progress


def text_hash(text: str) -> str:
    """The key of `text` in the cache: the SHA-256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Damaged cache files set aside are kept for a look, but only the newest few, so a cache that
# keeps getting damaged cannot fill the disk.
KEEP_DAMAGED = 2
# SQLITE_CORRUPT and SQLITE_NOTADB: the file's contents are wrong. Other errors (locked, disk
# full, read-only) say nothing against the file, which is then left where it is.
_DAMAGE_CODES = (11, 26)


class EmbeddingCache:
    """Vectors keyed by (model key, hash of the text), kept in SQLite in the data folder.

    The cache only saves work, so trouble with it never stops a run. A damaged file is renamed
    aside (`<name>.damaged-<UTC time>`) and an empty cache started in its place; a cache that
    cannot be used at all is replaced by one in memory for the rest of the run. Each time, a
    sentence naming the file is added to `problems` for the run report."""

    def __init__(self, path: Path) -> None:
        """Open or create the cache at `path`; never raises for a damaged or unusable file."""
        self.path = path
        self.problems: list[str] = []
        try:
            self._db = self._connect()
        except (sqlite3.Error, OSError) as exc:
            self._db = self._recover(exc)

    def _connect(self) -> sqlite3.Connection:
        """A connection to the file with its table. Raises sqlite3.Error or OSError."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return _with_table(sqlite3.connect(self.path))

    def _recover(self, exc: sqlite3.Error | OSError) -> sqlite3.Connection:
        """A usable connection after `exc`: a fresh file if the old one was damaged, else memory."""
        db = getattr(self, "_db", None)
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        detail = " ".join(str(exc).split())
        if isinstance(exc, sqlite3.Error) and (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in _DAMAGE_CODES:
            try:
                aside = self._set_aside()
                fresh = self._connect()
            except (sqlite3.Error, OSError) as again:
                detail = f"{detail}; setting it aside failed: {' '.join(str(again).split())}"
            else:
                self.problems.append(
                    f"the embedding cache {self.path} was damaged ({detail}); it was set aside as "
                    f"{aside.name} and rebuilt"
                )
                return fresh
        self.problems.append(
            f"the embedding cache {self.path} could not be used ({detail}); vectors made in this run "
            "were kept in memory only"
        )
        return _with_table(sqlite3.connect(":memory:"))

    def _set_aside(self) -> Path:
        """Rename the damaged file aside and prune older ones; returns the new name. Raises OSError."""
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        os.replace(self.path, aside)
        # A journal left beside the new file would be played back into it.
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        for old in sorted(self.path.parent.glob(f"{glob.escape(self.path.name)}.damaged-*"))[:-KEEP_DAMAGED]:
            old.unlink(missing_ok=True)
        return aside

    def get_many(self, model_key: str, hashes: Sequence[str], dimension: int | None = None) -> dict[str, np.ndarray]:
        """The cached vectors of `hashes` that are present and well formed (of `dimension` values
        when given), by hash. Never raises for a damaged file: it returns what it could read."""
        found: dict[str, np.ndarray] = {}
        try:
            self._get_many(model_key, hashes, dimension, found)
        except sqlite3.Error as exc:
            self._db = self._recover(exc)
        return found

    def _get_many(
        self, model_key: str, hashes: Sequence[str], dimension: int | None, found: dict[str, np.ndarray]
    ) -> None:
        size = 4 * dimension if dimension else None
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 500):
            batch = unique[i : i + 500]
            marks = ",".join("?" * len(batch))
            rows = self._db.execute(
                f"SELECT hash, vector FROM vectors WHERE model = ? AND hash IN ({marks})", [model_key, *batch]
            )
            for digest, blob in rows:
                # A vector of the wrong size (a damaged row) is treated as missing, and made again.
                if isinstance(blob, bytes) and blob and len(blob) % 4 == 0 and size in (None, len(blob)):
                    found[digest] = np.frombuffer(blob, dtype=np.float32)

    def put_many(self, model_key: str, items: dict[str, np.ndarray]) -> None:
        """Store `items` (hash -> vector). If the file turns out damaged it is replaced and the
        write tried once more; never raises for a damaged or unusable file."""
        rows = [(model_key, h, v.astype(np.float32).tobytes()) for h, v in items.items()]
        for _ in range(2):
            try:
                with self._db:
                    self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
                return
            except sqlite3.Error as exc:
                self._db = self._recover(exc)

    def close(self) -> None:
        self._db.close()


def _with_table(db: sqlite3.Connection) -> sqlite3.Connection:
    """`db` with the vectors table created. Raises sqlite3.Error (closing `db`) if it cannot be."""
    try:
        db.execute("CREATE TABLE IF NOT EXISTS vectors (model TEXT, hash TEXT, vector BLOB, PRIMARY KEY (model, hash))")
    except BaseException:
        db.close()
        raise
    return db


def embed_with_cache(
    texts: Sequence[str],
    embedder: Embedder,
    cache: EmbeddingCache,
    progress: Progress | None = None,
    batch_size: int = 256,
    stage: str = "embedding",
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only what the cache lacks. Returns (vectors, number embedded).
    `progress` is told of the texts embedded so far under the stage name `stage`.

    New vectors are cached batch by batch, so work survives an interrupted run. A batch is a few
    seconds of work: enough for a runtime to keep several model batches in flight, and little
    to lose to an interruption."""
    hashes = [text_hash(t) for t in texts]
    known = cache.get_many(embedder.model_key, hashes, embedder.dimension)
    by_hash = dict(zip(hashes, texts, strict=True))
    # Longest first: each batch then holds texts of similar length and little time goes on padding.
    missing = sorted(dict.fromkeys(h for h in hashes if h not in known), key=lambda h: -len(by_hash[h]))
    done = 0
    if progress:
        progress(stage, 0, len(missing))
    for i in range(0, len(missing), batch_size):
        batch = missing[i : i + batch_size]
        vectors = embedder.encode_documents([by_hash[h] for h in batch])
        fresh = dict(zip(batch, vectors, strict=True))
        cache.put_many(embedder.model_key, fresh)
        known.update(fresh)
        done += len(batch)
        if progress:
            progress(stage, done, len(missing))
    matrix = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for row, digest in enumerate(hashes):
        matrix[row] = known[digest]
    return matrix, len(missing)
