"""The search API that the pages, the command line and the tests all use."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.build import Progress, RunReport, update_index
from index.errors import DocumentNotFound, IndexNotReady
from index.live import Build, open_live, read_pointer
from index.search import Filters, Mode, SearchResults, match_documents, search
from index.store import ChunkRecord, DocumentRecord
from ingest.embed import Embedder, load_embedder
from ingest.settings import Settings

# One matching text: the matching documents that hold it, best first (more than one for a copy).
Match = tuple[DocumentRecord, ...]


@dataclass(frozen=True)
class DocumentView:
    record: DocumentRecord
    text: str
    chunks: tuple[ChunkRecord, ...]


class Hub:
    """Loads the model once and the live build on demand; picks up a newly published build
    on the next call without a restart. Safe to share between threads (sessions)."""

    def __init__(self, settings: Settings, embedder_factory: Callable[[Settings], Embedder] | None = None) -> None:
        self.settings = settings
        self._factory = embedder_factory or (lambda s: load_embedder(s.model, s.runtime, s.data_dir / "models"))
        self._embedder: Embedder | None = None
        self._build: Build | None = None
        # Separate locks: loading the model takes seconds and must not hold up sessions that
        # only list documents.
        self._model_lock = threading.Lock()
        self._build_lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        with self._model_lock:
            if self._embedder is None:
                self._embedder = self._factory(self.settings)
            return self._embedder

    def build(self) -> Build:
        """The live build, reopened when the pointer names a newer one.

        Raises IndexNotReady or IndexCorrupt."""
        live_id = read_pointer(self.settings)
        if live_id is None:
            raise IndexNotReady(f"no index has been built yet in {self.settings.data_dir}")
        with self._build_lock:
            if self._build is None or self._build.build_id != live_id:
                # The old build is not closed here: a search in another thread may still be
                # reading it. Its connection is released when the object is collected.
                self._build = open_live(self.settings)
            return self._build

    def has_index(self) -> bool:
        return read_pointer(self.settings) is not None

    def search(
        self, query: str, filters: Filters | None = None, limit: int = 10, mode: Mode = "hybrid"
    ) -> SearchResults:
        """Documents answering `query`; see `index.search.search`."""
        build = self.build()
        return search(
            build, self._embedder_for(mode), query, self.settings.search, filters=filters, limit=limit, mode=mode
        )

    def matching(self, query: str, filters: Filters | None = None, mode: Mode = "hybrid") -> list[Match]:
        """Every text matching `query`, best first, each as the matching documents that hold it:
        one, or several when the same text is filed twice. This is what the filter counts and
        "N documents match" are made of; no passages or snippets are made for it."""
        build = self.build()
        matches = match_documents(
            build, self._embedder_for(mode), query, self.settings.search, filters=filters, mode=mode
        )
        # Dicts keep insertion order, so each text sits where its best copy ranked.
        texts: dict[int, list[DocumentRecord]] = {}
        for doc in matches.docs.tolist():
            texts.setdefault(int(build.group[doc]), []).append(build.documents[build.doc_order[doc]])
        return [tuple(records) for records in texts.values()]

    def _embedder_for(self, mode: Mode) -> Embedder:
        """The model, except in keyword-only mode, which never needs it loaded."""
        return self.embedder if mode != "keyword" else _NoEmbedder()

    def documents(self) -> list[DocumentRecord]:
        return list(self.build().documents.values())

    def document(self, doc_id: str) -> DocumentView:
        """A document by id. Raises DocumentNotFound for any id not in the live index."""
        build = self.build()
        record = build.documents.get(doc_id)
        if record is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        text = build.store.document_text(doc_id) or ""
        return DocumentView(record, text, tuple(build.store.chunks_of(doc_id)))

    def update(self, *, full: bool = False, progress: Progress | None = None) -> RunReport:
        """Bring the index up to date with the corpus (see `index.build.update_index`)."""
        return update_index(self.settings, self.embedder, full=full, progress=progress)


class _NoEmbedder:
    """Stands in for the model in keyword-only searches, so they never load it."""

    model_key = ""
    dimension = 0
    max_tokens = 0

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        raise NotImplementedError
