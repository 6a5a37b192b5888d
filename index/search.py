"""Hybrid search: the dense and keyword legs' passages fused, gathered into documents and shown
with snippets; and a search page's results with its facet counts from the same ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from index.duplicates import first_of_each_group
from index.errors import ModelMismatch
from index.facets import FacetCounts, count_facets
from index.filters import Filters
from index.fusion import LegCandidates, best_per_document, document_parts, fuse, fuse_passages, length_adjusted
from index.legs import DenseLeg, Legs, legs_of
from index.present import Marked, query_terms, snippet, words_of
from index.snapshot import Snapshot
from index.store import ChunkRecord, DocumentRecord
from ingest.embed import Embedder
from ingest.loaders.text import plain_words
from ingest.metadata import metadata_to_json
from ingest.pipeline import is_summary_card
from ingest.settings import SearchSettings

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
# Past this length a query adds nothing: the model reads 256 word pieces, about 1,000 characters
# of English, and further words would steer the keyword leg alone. It is also short enough to
# keep in a URL.
MAX_QUERY_CHARS = 1000
# The scope of a search open to every reader: no restriction (see `match_documents`).
EVERYTHING = Filters()


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
    editions: tuple[str, ...] = ()  # other editions of this document, shown only through this one

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "score": round(self.score, 6),
            "same_text_as": list(self.copies),
            "other_editions": list(self.editions),
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


@dataclass(frozen=True)
class SearchPage:
    """What a search page shows for one view: the results under the chosen filters, and for
    each facet how many results each value would leave (see `index.facets`)."""

    results: SearchResults
    counts: FacetCounts


def check_model(build: Snapshot, embedder: Embedder) -> None:
    """Refuse to mix vectors: the query must be embedded by the model that built the index."""
    built_with = build.manifest.model
    if built_with != embedder.model_key:
        raise ModelMismatch(
            f"the index was built with model {built_with!r} but the hub is set to {embedder.model_key!r}; "
            "rebuild the index (python -m ingest --full) or change HUB_MODEL back"
        )


def run_legs(
    legs: Legs, query: str, vector: np.ndarray | None, settings: SearchSettings, mode: Mode, filters: Filters
) -> list[LegCandidates]:
    """The candidate passages of the dense and/or keyword leg for `query`, whose embedding is
    `vector` (None in keyword mode), among documents passing `filters`."""
    found: list[LegCandidates] = []
    if mode in ("hybrid", "dense") and vector is not None:
        rows, scores = legs.dense.search(vector, settings.candidates, filters)
        found.append(LegCandidates(settings.dense_weight, rows, scores.astype(np.float64), np.ones(len(rows)), None))
    if mode in ("hybrid", "keyword"):
        hits = legs.keyword.search(query, settings.candidates, filters)
        rows = hits.rows
        # In hybrid mode a keyword match counts in proportion to how much of the query it covers,
        # so a passage sharing one common word with a paraphrased question does not outrank
        # what the dense leg found.
        scale = hits.coverage.astype(np.float64) ** settings.coverage_power if mode == "hybrid" else np.ones(len(rows))
        ceiling = hits.bound if settings.keyword_ceiling == "bound" and hits.bound > 0 else None
        # Only the keyword leg's card scores count again: a card's words are the title, summary
        # and topics, so a match there is on the query's own words; the card's vector, a short
        # summary, is near every question on its topic (measured in docs/evaluation.md).
        keyword = LegCandidates(
            settings.keyword_weight, rows, hits.scores.astype(np.float64), scale, 0.0, ceiling, True
        )
        found.append(keyword)
    return found


def with_feedback(
    dense: DenseLeg, found: list[LegCandidates], vector: np.ndarray, settings: SearchSettings
) -> list[LegCandidates]:
    """The candidates with the dense leg's (the first) rescored for the query vector moved
    towards the best passages of the first ranking (pseudo-relevance feedback). The first
    ranking draws on both legs, so a passage that matched the query's exact words can pull the
    meaning search its way. Only the dense leg's own candidates are rescored: a second search
    of the whole index would cost as much again, for no better ranking on SciFact's train split."""
    rows, _ = fuse_passages(found, settings)
    top = rows[: settings.feedback_passages]
    first = found[0]
    if len(top) == 0 or len(first.rows) == 0:
        return found
    moved = vector + settings.feedback_weight * dense.vectors(top).mean(axis=0)
    moved /= max(float(np.linalg.norm(moved)), 1e-12)
    scores = dense.vectors(first.rows) @ moved.astype(np.float32)
    order = np.argsort(-scores, kind="stable")
    rescored = LegCandidates(
        first.weight, first.rows[order], scores[order].astype(np.float64), first.scale[order], first.floor
    )
    return [rescored, *found[1:]]


@dataclass(frozen=True)
class RankedDocument:
    """A document's place in the ranking: its score and its best passages as (row, score)."""

    doc_id: str
    score: float
    passages: tuple[tuple[int, float], ...]
    copies: tuple[str, ...] = ()  # other documents with the same text, not ranked themselves
    editions: tuple[str, ...] = ()  # other editions of the document, not ranked themselves


@dataclass(frozen=True)
class Ranking:
    documents: tuple[RankedDocument, ...]  # the best ones asked for, best first
    matched: int  # every work with a matching passage (a text filed twice, or in two editions, counts once)


@dataclass(frozen=True)
class Matches:
    """Every document with a matching passage, best first, copies of one text included."""

    docs: np.ndarray  # document indexes
    scores: np.ndarray
    found: tuple[LegCandidates, ...]

    @staticmethod
    def none() -> Matches:
        return Matches(np.zeros(0, dtype=np.int64), np.zeros(0), ())


def match_documents(
    build: Snapshot,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    *,
    scope: Filters = EVERYTHING,
    filters: Filters | None = None,
    mode: Mode = "hybrid",
) -> Matches:
    """Every document matching `query` within `scope` and under `filters`, fused and best first;
    nothing is cut.

    `scope` is what the search may look at before anyone chooses a filter, and `filters` what
    the reader chose. Every leg receives both as one restriction, so nothing outside the scope
    is ever a candidate. This is where a restriction by who is asking (documents only some
    readers may see) belongs: a caller passes it as `scope`, and a search page's counts, made
    from the ranking under the scope alone, then never count what the reader may not see.
    Today every reader sees every document: the scope is empty."""
    query = query[:MAX_QUERY_CHARS]
    restriction = scope.narrowed(filters or Filters())
    if restriction is None or not any(ch.isalnum() for ch in query):
        return Matches.none()
    vector = None
    if mode != "keyword":
        check_model(build, embedder)
        vector = embedder.encode_query(query)
    legs = legs_of(build)
    found = run_legs(legs, query, vector, settings, mode, restriction)
    if settings.feedback_passages > 0 and mode == "hybrid" and vector is not None:
        found = with_feedback(legs.dense, found, vector, settings)
    docs, scores = fuse(document_parts(build.row_doc, build.row_card, found, settings), settings)
    docs, scores = length_adjusted(docs, scores, build.passage_counts, settings.length_penalty)
    return Matches(docs, scores, tuple(found))


def rank_documents(
    build: Snapshot,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    *,
    scope: Filters = EVERYTHING,
    filters: Filters | None = None,
    mode: Mode = "hybrid",
    limit: int | None = None,
) -> Ranking:
    """The best `limit` documents (all if None) with a matching passage, without snippets, and
    how many matched. A text filed twice, or a work in two editions, counts and shows once, as its
    better-ranked copy or edition; the others are named under it.

    This is the ranking `search` shows; the evaluation command measures it directly."""
    matches = match_documents(build, embedder, query, settings, scope=scope, filters=filters, mode=mode)
    return ranking_of(build, matches, settings, limit)


def ranking_of(
    build: Snapshot, matches: Matches, settings: SearchSettings, limit: int | None, passing: np.ndarray | None = None
) -> Ranking:
    """The best `limit` works of `matches` (all if None), each as its best-ranked copy of its
    best-ranked edition, with their best passages; only documents marked in `passing` (all if
    None) are kept."""
    docs, doc_scores = matches.docs, matches.scores
    if passing is not None:
        docs, doc_scores = docs[passing], doc_scores[passing]
    keep = first_of_each_group(docs, build.work)
    docs, doc_scores = docs[keep], doc_scores[keep]
    top, top_scores = docs[:limit], doc_scores[:limit]
    rows, row_scores = fuse_passages(matches.found, settings)
    # Passages are gathered only for the documents shown: most matched documents never are.
    wanted = np.isin(build.row_doc[rows], top)
    shown = best_per_document(build.row_doc, rows[wanted], row_scores[wanted], settings.passages_per_document)
    ranked = tuple(
        RankedDocument(build.doc_order[doc], score, tuple(shown[doc]), build.copies_of(doc), build.editions_of(doc))
        for doc, score in zip(top.tolist(), top_scores.tolist(), strict=True)
    )
    return Ranking(ranked, len(docs))


def texts_of(build: Snapshot, docs: np.ndarray) -> list[tuple[DocumentRecord, ...]]:
    """The works among documents `docs` (best first), each as the documents of `docs` holding
    it (copies of its text and its editions), in the order of each work's best document."""
    # Dicts keep insertion order, so each work sits where its best copy ranked.
    texts: dict[int, list[DocumentRecord]] = {}
    for doc in docs.tolist():
        texts.setdefault(int(build.work[doc]), []).append(build.documents[build.doc_order[doc]])
    return [tuple(records) for records in texts.values()]


def search(
    build: Snapshot,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    *,
    scope: Filters = EVERYTHING,
    filters: Filters | None = None,
    limit: int = 10,
    mode: Mode = "hybrid",
) -> SearchResults:
    """Documents answering `query` under `filters` (given to the legs, so a filter never hides
    results that exist), best first, each with its best passages.

    Any text is accepted: a query with no letters or digits gives no results, never an error."""
    filters = filters or Filters()
    query = query[:MAX_QUERY_CHARS]
    if limit <= 0:
        return SearchResults(query, (), 0, mode, filters)
    ranking = rank_documents(build, embedder, query, settings, scope=scope, filters=filters, mode=mode, limit=limit)
    return results_of(build, query, ranking, mode, filters)


def search_page(
    build: Snapshot,
    embedder: Embedder,
    query: str,
    settings: SearchSettings,
    *,
    scope: Filters = EVERYTHING,
    filters: Filters | None = None,
    limit: int = 10,
    mode: Mode = "hybrid",
) -> SearchPage:
    """A search page's view of `query` from one ranking: the best `limit` results under
    `filters`, and every facet's counts.

    The ranking is made under the scope alone; the chosen filters are then applied to the
    ranked documents, as a search engine applies a post-filter after counting. A filtered view
    therefore holds what passes its filters among the candidates of the unfiltered search
    (settings.candidates passages a leg), which may be fewer than `search` finds by giving the
    filters to the legs. Every count equals the number of results choosing its value shows."""
    filters = filters or Filters()
    query = query[:MAX_QUERY_CHARS]
    matches = match_documents(build, embedder, query, settings, scope=scope, mode=mode)
    counts = count_facets(texts_of(build, matches.docs), filters)
    # The same column check the legs use, over the matched documents only.
    passing = None if filters.is_empty() else build.columns.allowed(filters)[matches.docs]
    ranking = ranking_of(build, matches, settings, max(limit, 0), passing)
    return SearchPage(results_of(build, query, ranking, mode, filters), counts)


def results_of(build: Snapshot, query: str, ranking: Ranking, mode: Mode, filters: Filters) -> SearchResults:
    """The documents of `ranking` as results, their passages read from the store with snippets.

    A document's summary card is never one of its passages shown: it found the document, but a
    reader sent to it lands on no text. When only the card matched, the body passage holding
    most of the query's terms stands in for it."""
    top = ranking.documents
    terms = query_terms(query)
    records = {c.row: c for c in build.store.chunks(r for d in top for r, _ in d.passages)}
    hits = []
    for doc in top:
        shown = [(records[row], score) for row, score in doc.passages if not _is_card(records[row])]
        if not shown and doc.passages:
            body = landing_passage(build.store.chunks_of(doc.doc_id), terms)
            shown = [(body, doc.passages[0][1])] if body is not None else []
        markdown = build.documents[doc.doc_id].format == "markdown"
        passages = tuple(_passage(record, score, terms, markdown) for record, score in shown)
        hits.append(Hit(doc.doc_id, build.documents[doc.doc_id], doc.score, passages, doc.copies, doc.editions))
    return SearchResults(query, tuple(hits), ranking.matched, mode, filters)


def _is_card(record: ChunkRecord) -> bool:
    return is_summary_card(record.position, record.start, record.end, record.heading_path)


def landing_passage(records: Sequence[ChunkRecord], terms: frozenset[str]) -> ChunkRecord | None:
    """The body passage (not the summary card) holding most of `terms`, the earliest of equals;
    None for a document with no body passage."""
    body = [r for r in records if not _is_card(r)]
    return max(body, key=lambda r: (len(terms & words_of(r.text)), -r.position), default=None)


def _passage(record: ChunkRecord, score: float, terms: frozenset[str], markdown: bool) -> Passage:
    # Snippets of Markdown show the words, not the markup ("[text](path)", "**bold**").
    text = plain_words(record.text) if markdown else record.text
    return Passage(
        row=record.row,
        position=record.position,
        text=record.text,
        snippet=snippet(text, terms),
        page=record.page,
        heading_path=record.heading_path,
        start=record.start,
        end=record.end,
        score=score,
    )
