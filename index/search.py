"""Hybrid search: dense and keyword legs over passages, gathered into documents and fused."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from index.duplicates import first_of_each_group
from index.errors import ModelMismatch
from index.filters import Filters
from index.present import Marked, query_terms, snippet
from index.snapshot import Build
from index.store import DocumentRecord
from ingest.embed import Embedder
from ingest.metadata import metadata_to_json
from ingest.settings import SearchSettings

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
# Past this length a query adds nothing: the model reads 256 tokens and BM25 terms repeat.
MAX_QUERY_CHARS = 2000


@dataclass(frozen=True)
class Passage:
    row: int
    position: int
    text: str
    snippet: list[Marked]
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
    copies: tuple[str, ...] = ()  # other documents with the same text, shown only through this one

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "score": round(self.score, 6),
            "same_text_as": list(self.copies),
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
    built_with = build.manifest.model
    if built_with != embedder.model_key:
        raise ModelMismatch(
            f"the index was built with model {built_with!r} but the hub is set to {embedder.model_key!r}; "
            "rebuild the index (python -m ingest --full) or change HUB_MODEL back"
        )


def allowed_rows(build: Build, filters: Filters) -> np.ndarray | None:
    """A mask of passage rows whose document passes `filters`, or None for no filter."""
    if filters.is_empty():
        return None
    allowed_docs = build.columns.allowed(filters)
    if allowed_docs.size == 0:
        return np.zeros(0, dtype=bool)
    return allowed_docs[build.row_doc]


@dataclass(frozen=True)
class Leg:
    """One leg's candidate passages, best first, with the factor its contribution is scaled by."""

    weight: float
    rows: np.ndarray
    scores: np.ndarray
    scale: np.ndarray
    floor: float | None  # the lowest possible score, or None to take the lowest candidate's
    ceiling: float | None = None  # the highest possible score, or None to take the best candidate's


def run_legs(
    build: Build,
    query: str,
    vector: np.ndarray | None,
    settings: SearchSettings,
    mode: Mode = "hybrid",
    allowed: np.ndarray | None = None,
) -> list[Leg]:
    """The candidate passages of the dense and/or keyword leg for `query`, whose embedding is
    `vector` (None in keyword mode)."""
    legs: list[Leg] = []
    if mode in ("hybrid", "dense") and vector is not None:
        legs.append(dense_leg(build, vector, settings, allowed))
    if mode in ("hybrid", "keyword"):
        hits = build.keyword.hits(query, settings.candidates, allowed)
        rows = hits.rows
        # In hybrid mode a keyword match counts in proportion to how much of the query it covers,
        # so a passage sharing one common word with a paraphrased question does not outrank
        # what the dense leg found.
        scale = hits.coverage.astype(np.float64) ** settings.coverage_power if mode == "hybrid" else np.ones(len(rows))
        ceiling = hits.bound if settings.keyword_ceiling == "bound" and hits.bound > 0 else None
        legs.append(Leg(settings.keyword_weight, rows, hits.scores.astype(np.float64), scale, 0.0, ceiling))
    return legs


def dense_leg(build: Build, vector: np.ndarray, settings: SearchSettings, allowed: np.ndarray | None) -> Leg:
    rows, scores = build.vectors.search(vector, settings.candidates, allowed)
    return Leg(settings.dense_weight, rows, scores.astype(np.float64), np.ones(len(rows)), None)


def with_feedback(build: Build, legs: list[Leg], vector: np.ndarray, settings: SearchSettings) -> list[Leg]:
    """The legs with the dense one rescored for the query vector moved towards the best passages
    of the first ranking (pseudo-relevance feedback). The first ranking draws on both legs, so a
    passage that matched the query's exact words can pull the meaning search its way. Only the
    dense leg's own candidates are rescored: a second search of the whole index would cost as
    much again, for no better ranking on SciFact's train split."""
    rows, _ = fuse([(leg, leg.rows, leg.scores, leg.scale) for leg in legs], settings)
    top = rows[: settings.feedback_passages]
    dense = legs[0]
    if len(top) == 0 or len(dense.rows) == 0:
        return legs
    moved = vector + settings.feedback_weight * build.vectors.vectors(top).mean(axis=0)
    moved /= max(float(np.linalg.norm(moved)), 1e-12)
    scores = build.vectors.vectors(dense.rows) @ moved.astype(np.float32)
    order = np.argsort(-scores, kind="stable")
    rescored = Leg(dense.weight, dense.rows[order], scores[order].astype(np.float64), dense.scale[order], dense.floor)
    return [rescored, *legs[1:]]


Candidates = list[tuple[Leg, np.ndarray, np.ndarray, np.ndarray]]
Shown = list[tuple[int, float]]  # a document's passages as (row, score), best first


def fuse(candidates: Candidates, settings: SearchSettings) -> tuple[np.ndarray, np.ndarray]:
    """Every key found by any leg and its fused score, best first (ties by key); each item is
    (leg, keys, scores, scale).

    'rrf' adds weight / (rrf_k + rank); 'convex' adds weight times the score scaled to [0, 1]
    between the leg's floor and its best score."""
    keys_parts: list[np.ndarray] = []
    score_parts: list[np.ndarray] = []
    for leg, keys, scores, scale in candidates:
        if len(keys) == 0:
            continue
        order = np.argsort(-scores, kind="stable")
        if settings.fusion == "rrf":
            parts = leg.weight * scale[order] / (settings.rrf_k + np.arange(1, len(order) + 1))
        else:
            top = float(scores[order[0]]) if leg.ceiling is None else leg.ceiling
            floor = float(scores.min()) if leg.floor is None else leg.floor
            spread = top - floor
            normed = (scores[order] - floor) / spread if spread > 0 else np.ones(len(order))
            parts = leg.weight * scale[order] * normed
        keys_parts.append(keys[order])
        score_parts.append(parts)
    if not keys_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    unique, inverse = np.unique(np.concatenate(keys_parts), return_inverse=True)
    fused = np.bincount(inverse, weights=np.concatenate(score_parts), minlength=len(unique))
    order = np.lexsort((unique, -fused))
    return unique[order], fused[order]


def runs(grouped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal values in `grouped` starts, and each item's place in its run."""
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    return starts, np.arange(len(grouped)) - np.repeat(starts, np.diff(np.r_[starts, len(grouped)]))


def by_document(build: Build, leg: Leg, decay: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A leg's passages gathered into documents: (document indexes, scores, scale).

    A document scores its best passage, plus `decay` times what its next passage scores above
    the leg's floor, `decay`**2 times the one after, and so on: a document matching in several
    passages ranks above one matching once, and a passage that barely matched adds nothing.
    Its scale is the best of its passages'."""
    docs = build.row_doc[leg.rows].astype(np.int64)
    if len(docs) == 0:
        return docs, np.zeros(0), np.zeros(0)
    floor = leg.floor if leg.floor is not None else float(leg.scores.min())
    # Passages arrive best first; a stable sort by document keeps that order within each one.
    order = np.argsort(docs, kind="stable")
    grouped, scores, scale = docs[order], leg.scores[order], leg.scale[order]
    starts, nth = runs(grouped)
    parts = np.where(nth == 0, scores, (scores - floor) * decay ** nth.astype(np.float64))
    return grouped[starts], np.add.reduceat(parts, starts), np.maximum.reduceat(scale, starts)


def best_per_document(build: Build, rows: np.ndarray, scores: np.ndarray, keep: int) -> dict[int, Shown]:
    """The first `keep` of each document's passages, from passages given best first."""
    docs = build.row_doc[rows]
    order = np.argsort(docs, kind="stable")
    _, nth = runs(docs[order])
    chosen = np.sort(order[nth < keep])
    shown: dict[int, Shown] = {}
    for doc, row, score in zip(docs[chosen].tolist(), rows[chosen].tolist(), scores[chosen].tolist(), strict=True):
        shown.setdefault(doc, []).append((row, score))
    return shown


@dataclass(frozen=True)
class RankedDocument:
    """A document's place in the ranking: its score and its best passages as (row, score)."""

    doc_id: str
    score: float
    passages: tuple[tuple[int, float], ...]
    copies: tuple[str, ...] = ()  # other documents with the same text, not ranked themselves


@dataclass(frozen=True)
class Ranking:
    documents: tuple[RankedDocument, ...]  # the best ones asked for, best first
    matched: int  # every document with a matching passage


@dataclass(frozen=True)
class Matches:
    """Every document with a matching passage, best first, copies of one text included."""

    docs: np.ndarray  # document indexes
    scores: np.ndarray
    legs: tuple[Leg, ...]

    @staticmethod
    def none() -> Matches:
        return Matches(np.zeros(0, dtype=np.int64), np.zeros(0), ())


def match_documents(
    build: Build,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    *,
    filters: Filters | None = None,
    mode: Mode = "hybrid",
) -> Matches:
    """Every document matching `query` under `filters`, fused and best first; nothing is cut."""
    filters = filters or Filters()
    query = query[:MAX_QUERY_CHARS]
    if not any(ch.isalnum() for ch in query):
        return Matches.none()
    allowed = allowed_rows(build, filters)
    if allowed is not None and not allowed.any():
        return Matches.none()
    vector = None
    if mode != "keyword":
        check_model(build, embedder)
        vector = embedder.encode_query(query)
    legs = run_legs(build, query, vector, settings, mode, allowed)
    if settings.feedback_passages > 0 and mode == "hybrid" and vector is not None:
        legs = with_feedback(build, legs, vector, settings)
    docs, scores = fuse([(leg, *by_document(build, leg, settings.passage_decay)) for leg in legs], settings)
    return Matches(docs, scores, tuple(legs))


def rank_documents(
    build: Build,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    *,
    filters: Filters | None = None,
    mode: Mode = "hybrid",
    limit: int | None = None,
) -> Ranking:
    """The best `limit` documents (all if None) with a matching passage, without snippets, and
    how many matched. A text filed twice counts and shows once, as its better-ranked copy.

    This is the ranking `search` shows; the evaluation command measures it directly."""
    matches = match_documents(build, embedder, query, settings, filters=filters, mode=mode)
    keep = first_of_each_group(matches.docs, build.group)
    docs, doc_scores = matches.docs[keep], matches.scores[keep]
    top, top_scores = docs[:limit], doc_scores[:limit]
    rows, row_scores = fuse([(leg, leg.rows, leg.scores, leg.scale) for leg in matches.legs], settings)
    # Passages are gathered only for the documents shown: most matched documents never are.
    wanted = np.isin(build.row_doc[rows], top)
    shown = best_per_document(build, rows[wanted], row_scores[wanted], settings.passages_per_document)
    ranked = tuple(
        RankedDocument(build.doc_order[doc], score, tuple(shown[doc]), build.copies_of(doc))
        for doc, score in zip(top.tolist(), top_scores.tolist(), strict=True)
    )
    return Ranking(ranked, len(docs))


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
    if limit <= 0:
        return SearchResults(query, (), 0, mode, filters)
    ranking = rank_documents(build, embedder, query, settings, filters=filters, mode=mode, limit=limit)
    top = ranking.documents
    terms = query_terms(query)
    records = {c.row: c for c in build.store.chunks(r for d in top for r, _ in d.passages)}
    hits = []
    for doc in top:
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
            for row, score in doc.passages
        )
        hits.append(Hit(doc.doc_id, build.documents[doc.doc_id], doc.score, shown, doc.copies))
    return SearchResults(query, tuple(hits), ranking.matched, mode, filters)
