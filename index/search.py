"""Hybrid search: dense and keyword legs fused by weighted reciprocal rank, grouped by document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from index.errors import ModelMismatch
from index.live import Build
from index.present import Segment, query_terms, snippet
from index.store import DocumentRecord
from ingest.embed import Embedder
from ingest.metadata import metadata_to_json
from ingest.settings import SearchSettings

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
# Past this length a query adds nothing: the model reads 256 tokens and BM25 terms repeat.
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Filters:
    """Restrictions on results. Empty tuples and None mean 'any'."""

    kinds: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def allows(self, record: DocumentRecord) -> bool:
        meta = record.metadata
        if self.kinds and meta.kind not in self.kinds:
            return False
        if self.agencies and meta.agency not in self.agencies:
            return False
        if self.focus_areas and meta.focus_area not in self.focus_areas:
            return False
        if self.statuses and meta.status not in self.statuses:
            return False
        if self.published_from and (meta.published is None or meta.published < self.published_from):
            return False
        return not (self.published_to and (meta.published is None or meta.published > self.published_to))


@dataclass(frozen=True)
class Passage:
    row: int
    position: int
    text: str
    snippet: list[Segment]
    page: int | None
    heading_path: tuple[str, ...]
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class Hit:
    """One document in the results: its best passage first."""

    doc_id: str
    record: DocumentRecord
    score: float
    passages: tuple[Passage, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "score": round(self.score, 6),
            "metadata": metadata_to_json(self.record.metadata),
            "passages": [
                {
                    "position": p.position,
                    "page": p.page,
                    "heading_path": list(p.heading_path),
                    "start": p.start,
                    "end": p.end,
                    "score": round(p.score, 6),
                    "snippet": "".join(f"[{t}]" if marked else t for t, marked in p.snippet),
                }
                for p in self.passages
            ],
        }


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: tuple[Hit, ...]
    matched_documents: int
    mode: str
    filters: Filters = field(default_factory=Filters)


def check_model(build: Build, embedder: Embedder) -> None:
    """Refuse to mix vectors: the query must be embedded by the model that built the index."""
    built_with = build.manifest.get("model")
    if built_with != embedder.model_key:
        raise ModelMismatch(
            f"the index was built with model {built_with!r} but the hub is set to {embedder.model_key!r}; "
            "rebuild the index (python -m ingest --full) or change HUB_MODEL back"
        )


def allowed_rows(build: Build, filters: Filters) -> np.ndarray | None:
    """A mask of passage rows whose document passes `filters`, or None for no filter."""
    if filters.is_empty():
        return None
    allowed_docs = np.array([filters.allows(build.documents[d]) for d in build.doc_order], dtype=bool)
    if allowed_docs.size == 0:
        return np.zeros(0, dtype=bool)
    return allowed_docs[build.row_doc]


def rank_passages(
    build: Build,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    mode: Mode = "hybrid",
    allowed: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    """Passage rows with fused scores, best first."""
    n = settings.candidates
    fused: dict[int, float] = {}
    if mode in ("hybrid", "dense"):
        check_model(build, embedder)
        rows, _ = build.vectors.search(embedder.encode_query(query), n, allowed)
        for rank, row in enumerate(rows):
            fused[int(row)] = fused.get(int(row), 0.0) + settings.dense_weight / (settings.rrf_k + rank + 1)
    if mode in ("hybrid", "keyword"):
        rows, _, coverage = build.keyword.search(query, n, allowed)
        # In hybrid mode a keyword match counts in proportion to how much of the query it covers,
        # so a passage sharing one common word with a paraphrased question does not outrank
        # what the dense leg found.
        scale = coverage**settings.coverage_power if mode == "hybrid" else np.ones(len(rows))
        for rank, row in enumerate(rows):
            contribution = settings.keyword_weight * float(scale[rank]) / (settings.rrf_k + rank + 1)
            fused[int(row)] = fused.get(int(row), 0.0) + contribution
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def search(
    build: Build,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    *,
    filters: Filters | None = None,
    limit: int = 10,
    mode: Mode = "hybrid",
) -> SearchResults:
    """Documents answering `query`, best first, each with its best passages.

    Any text is accepted: a query with no letters or digits gives no results, never an error."""
    filters = filters or Filters()
    query = query[:MAX_QUERY_CHARS]
    if not any(ch.isalnum() for ch in query) or limit <= 0:
        return SearchResults(query, (), 0, mode, filters)
    allowed = allowed_rows(build, filters)
    if allowed is not None and not allowed.any():
        return SearchResults(query, (), 0, mode, filters)
    ranked = rank_passages(build, embedder, query, settings, mode, allowed)
    grouped: dict[str, list[tuple[int, float]]] = {}
    for row, score in ranked:
        doc_id = build.doc_order[build.row_doc[row]]
        passages = grouped.setdefault(doc_id, [])
        if len(passages) < settings.passages_per_document:
            passages.append((row, score))
    top = list(grouped.items())[:limit]
    terms = query_terms(query)
    records = {c.row: c for c in build.store.chunks(r for _, ps in top for r, _ in ps)}
    hits = []
    for doc_id, passages in top:
        shown = tuple(
            Passage(
                row=row,
                position=records[row].position,
                text=records[row].text,
                snippet=snippet(records[row].text, terms),
                page=records[row].page,
                heading_path=records[row].heading_path,
                start=records[row].start,
                end=records[row].end,
                score=score,
            )
            for row, score in passages
        )
        hits.append(Hit(doc_id, build.documents[doc_id], passages[0][1], shown))
    return SearchResults(query, tuple(hits), len(grouped), mode, filters)
