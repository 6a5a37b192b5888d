"""What a search shows: its ranked documents as results, each with the passages a reader is sent
to and their snippets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from index.confidence import Confidence
from index.facets import FacetCounts
from index.filters import Filters
from index.present import Marked, query_terms, snippet, words_of
from index.snapshot import Snapshot
from index.store import ChunkRecord, DocumentRecord
from ingest.loaders.text import plain_words
from ingest.metadata import metadata_to_json


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
    confident: bool = True  # clears the bar of index.confidence; False: only among the closest
    recommended: bool = False  # shown first because the editors' best bets name it for the query

    def to_json(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "score": round(self.score, 6),
            "confident": self.confident,
            "recommended": self.recommended,
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
    matched_documents: int  # results that clear the confidence bar (all, when none was judged)
    mode: str
    filters: Filters = field(default_factory=Filters)
    confidence: Confidence | None = None  # None when not judged (keyword mode, no results)
    # True when there are results but none clears the bar: they are only the closest documents.
    no_good_match: bool = False
    # Terms the keyword search also looked for, from the editors' synonyms (as they wrote them).
    also_searched: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchPage:
    """What a search page shows for one view: the results under the chosen filters, and for
    each facet how many results each value would leave (see `index.facets`)."""

    results: SearchResults
    counts: FacetCounts


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


def results_of(build: Snapshot, query: str, ranking: Ranking, mode: str, filters: Filters) -> SearchResults:
    """The documents of `ranking` as results, their passages read from the store with snippets.

    A result's passages are passages of text: a summary card or a list of pointers found the
    document, but a reader sent to it lands on no answer. When only such passages matched, the
    passage of text holding most of the query's terms stands in for them."""
    top = ranking.documents
    terms = query_terms(query)
    records = {c.row: c for c in build.store.chunks(r for d in top for r, _ in d.passages)}
    hits = []
    for doc in top:
        shown = [(records[row], score) for row, score in doc.passages if row in records]
        if not shown:
            body = landing_passage(build.store.chunks_of(doc.doc_id), terms)
            shown = [(body, doc.score)] if body is not None else []
        markdown = build.documents[doc.doc_id].format == "markdown"
        passages = tuple(_passage(record, score, terms, markdown) for record, score in shown)
        hits.append(Hit(doc.doc_id, build.documents[doc.doc_id], doc.score, passages, doc.copies, doc.editions))
    return SearchResults(query, tuple(hits), ranking.matched, mode, filters)


def landing_passage(records: Sequence[ChunkRecord], terms: frozenset[str]) -> ChunkRecord | None:
    """The passage of text holding most of `terms`, the earliest of equals; a list of pointers
    only when the document has nothing else, never the summary card; None when there is none."""
    text = [r for r in records if r.role == "body"] or [r for r in records if r.role != "card"]
    return max(text, key=lambda r: (len(terms & words_of(r.text)), -r.position), default=None)


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
