"""Hybrid search: the dense and keyword legs' passages fused and gathered into documents (shown
as results by index.results); and a search page's results with its facet counts from the same
ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from index.confidence import Confidence, assess, confident_documents
from index.curated import canonical_filters, merged_hits, widened
from index.duplicates import first_of_each_group
from index.errors import ModelMismatch
from index.facets import count_facets
from index.filters import Filters
from index.fusion import (
    LegCandidates,
    best_per_document,
    document_parts,
    fuse,
    fuse_passages,
    length_adjusted,
    weighed,
)
from index.keyword import KeywordHits
from index.legs import DenseLeg, Legs, legs_of
from index.pinned import both, not_pinned, pinned_documents, pinned_first
from index.results import RankedDocument, Ranking, SearchPage, SearchResults, results_of
from index.snapshot import Snapshot
from index.store import DocumentRecord
from ingest.embed import Embedder
from ingest.roles import ROLES
from ingest.settings import SearchSettings

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[str, ...] = ("hybrid", "dense", "keyword")
# Past this length a query adds nothing: the model reads 256 word pieces, about 1,000 characters
# of English, and further words would steer the keyword leg alone. It is also short enough to
# keep in a URL.
MAX_QUERY_CHARS = 1000
BODY = ROLES.index("body")
POINTERS = ROLES.index("contents")  # roles from here on are lists of pointers (ingest.roles.ROLES)
# The scope of a search open to every reader: no restriction (see `match_documents`).
EVERYTHING = Filters()


def check_model(build: Snapshot, embedder: Embedder) -> None:
    """Refuse to mix vectors: the query must be embedded by the model that built the index."""
    built_with = build.manifest.model
    if built_with != embedder.model_key:
        raise ModelMismatch(
            f"the index was built with model {built_with!r} but the hub is set to {embedder.model_key!r}; "
            "rebuild the index (python -m ingest --full) or change HUB_MODEL back"
        )


def run_legs(
    legs: Legs,
    query: str,
    vector: np.ndarray | None,
    settings: SearchSettings,
    mode: Mode,
    filters: Filters,
    variants: Sequence[str] = (),
) -> tuple[list[LegCandidates], KeywordHits | None]:
    """The candidate passages of the dense and/or keyword leg for `query`, whose embedding is
    `vector` (None in keyword mode), among documents passing `filters`; and the keyword leg's
    hits as it found them (None without one). The keyword leg also searches for the query's
    `variants` (its rewritings with synonyms), their hits merged with its own."""
    found: list[LegCandidates] = []
    hits = None
    if mode in ("hybrid", "dense") and vector is not None:
        rows, scores = legs.dense.search(vector, settings.candidates, filters)
        found.append(LegCandidates(settings.dense_weight, rows, scores.astype(np.float64), np.ones(len(rows)), None))
    if mode in ("hybrid", "keyword"):
        hits = legs.keyword.search(query, settings.candidates, filters)
        if variants:
            others = [legs.keyword.search(v, settings.candidates, filters) for v in variants]
            hits = merged_hits(hits, others, settings.candidates)
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
    return found, hits


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
class Matches:
    """Every document with a matching passage, best first, copies of one text included."""

    docs: np.ndarray  # document indexes
    scores: np.ndarray
    found: tuple[LegCandidates, ...]
    vector: np.ndarray | None = None  # the query's embedding, for judging the confidence
    keyword: KeywordHits | None = None  # the keyword leg's hits as found, for the same
    readers: tuple[str, ...] | None = None  # who was asking (Filters.readers), for the names shown
    also: tuple[str, ...] = ()  # the synonyms the keyword leg also searched for

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
    restriction = scope.narrowed(canonical_filters(filters or Filters(), build.curation))
    if restriction is None or not any(ch.isalnum() for ch in query):
        return Matches.none()
    vector = None
    if mode != "keyword":
        check_model(build, embedder)
        vector = embedder.encode_query(query)
    legs = legs_of(build)
    widening = widened(build.curation, query) if mode != "dense" else None
    variants = widening.variants if widening else ()
    found, hits = run_legs(legs, query, vector, settings, mode, restriction, variants)
    if settings.pointer_weight != 1.0:
        # A list of pointers (contents, references, links) names topics it says nothing about:
        # it still finds its document, for less than text about the topic would.
        factors = np.where(build.row_role >= POINTERS, settings.pointer_weight, 1.0)
        found = [weighed(leg, factors) for leg in found]
    if settings.feedback_passages > 0 and mode == "hybrid" and vector is not None:
        found = with_feedback(legs.dense, found, vector, settings)
    docs, scores = fuse(document_parts(build.row_doc, build.row_card, found, settings), settings)
    docs, scores = length_adjusted(docs, scores, build.passage_counts, settings.length_penalty)
    return Matches(docs, scores, tuple(found), vector, hits, restriction.readers, widening.added if widening else ())


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
    # Passages are gathered only for the documents shown (most matched documents never are), and
    # only passages of text: a summary card or a list of pointers is no place to send a reader.
    wanted = np.isin(build.row_doc[rows], top) & (build.row_role[rows] == BODY)
    shown = best_per_document(build.row_doc, rows[wanted], row_scores[wanted], settings.passages_per_document)
    # Copies and editions are named under a result: only those the reader may see.
    gate = Filters(readers=matches.readers)

    def named(ids: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(i for i in ids if gate.lets_read(build.documents[i]))

    ranked = tuple(
        RankedDocument(
            build.doc_order[doc],
            score,
            tuple(shown.get(doc, ())),
            named(build.copies_of(doc)),
            named(build.editions_of(doc)),
        )
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
    filters = canonical_filters(filters or Filters(), build.curation)
    query = query[:MAX_QUERY_CHARS]
    if limit <= 0:
        return SearchResults(query, (), 0, mode, filters)
    matches = match_documents(build, embedder, query, settings, scope=scope, filters=filters, mode=mode)
    pinned = pinned_documents(build, query, scope.narrowed(filters))
    passing = not_pinned(build, matches.docs, pinned)
    ranking = ranking_of(build, matches, settings, max(limit - len(pinned), 0), passing)
    confidence = confidence_of(build, query, matches)
    results = judged(build, shown(build, query, ranking, mode, filters, matches), matches, confidence, passing)
    return pinned_first(build, results, pinned, widened_text(query, matches), matches.readers, matched(matches))


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
    filters = canonical_filters(filters or Filters(), build.curation)
    query = query[:MAX_QUERY_CHARS]
    matches = match_documents(build, embedder, query, settings, scope=scope, mode=mode)
    confidence = confidence_of(build, query, matches)
    # Recommended documents count as results (under the scope alone for the counts, as the
    # ranking is), each once.
    recommended = pinned_documents(build, query, scope)
    sure = confident_documents(matches.docs, matches.scores, confidence)
    sure = sure[not_pinned(build, sure, recommended)] if len(recommended) else sure
    # Filter counts count the results that clear the confidence bar, like the matched count.
    counts = count_facets(texts_of(build, np.concatenate([recommended, sure])), filters)
    pinned = pinned_documents(build, query, scope.narrowed(filters))
    # The same column check the legs use, over the matched documents only.
    chosen = None if filters.is_empty() else build.columns.allowed(filters)[matches.docs]
    passing = both(chosen, not_pinned(build, matches.docs, recommended))
    ranking = ranking_of(build, matches, settings, max(limit - len(pinned), 0), passing)
    results = judged(build, shown(build, query, ranking, mode, filters, matches), matches, confidence, passing)
    results = pinned_first(build, results, pinned, widened_text(query, matches), matches.readers, matched(matches))
    return SearchPage(results, counts)


def matched(matches: Matches) -> tuple[np.ndarray, np.ndarray]:
    """The matched documents and their fused scores."""
    return matches.docs, matches.scores


def widened_text(query: str, matches: Matches) -> str:
    """The query with the synonyms it was widened with: the words snippets highlight."""
    return " ".join((query, *matches.also))


def shown(
    build: Snapshot, query: str, ranking: Ranking, mode: str, filters: Filters, matches: Matches
) -> SearchResults:
    """The ranked documents as results for `query`, their snippets marking the synonyms searched
    for as well, and those synonyms named."""
    results = results_of(build, widened_text(query, matches), ranking, mode, filters)
    return replace(results, query=query, also_searched=matches.also)


def confidence_of(build: Snapshot, query: str, matches: Matches) -> Confidence | None:
    """The confidence of the search for `query` that found `matches` (see index.confidence.assess)."""
    return assess(build, query, matches.vector, [leg.rows for leg in matches.found], matches.docs, matches.keyword)


def judged(
    build: Snapshot, results: SearchResults, matches: Matches, confidence: Confidence | None, passing: np.ndarray | None
) -> SearchResults:
    """`results` with their `confidence`: each hit marked confident or not, and the matched count
    made the texts clearing the bar among documents marked in `passing` (all if None)."""
    if confidence is None:
        return results
    docs = confident_documents(matches.docs, matches.scores, confidence, passing)
    sure = {build.doc_order[doc] for doc in docs.tolist()}
    hits = tuple(replace(hit, confident=hit.doc_id in sure) for hit in results.hits)
    count = len(first_of_each_group(docs, build.work))
    return replace(results, hits=hits, matched_documents=count, confidence=confidence, no_good_match=count == 0)
