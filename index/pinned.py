"""Best bets in a search: the documents editors recommend for a query, shown first.

A recommended document is found like any other: only when it passes the search's restriction
(who is asking, and the filters chosen), so a best bet never shows a document the reader may not
see or one the filters leave out. It is shown once, first, and counted once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np

from index.curated import allowed_ids, recommended
from index.filters import Filters
from index.results import Hit, RankedDocument, Ranking, SearchResults, results_of
from index.snapshot import Snapshot


def pinned_documents(build: Snapshot, query: str, restriction: Filters | None) -> np.ndarray:
    """The document indexes best bets recommend for `query` that pass `restriction` (None: no
    document can), in the order the best bets file gives them; at most one of each work (a
    copy or another edition of a recommended document is not recommended again)."""
    ids = recommended(build.curation, query, dt.date.today())
    if not ids or restriction is None:
        return np.zeros(0, dtype=np.int64)
    found: list[int] = []
    for doc in allowed_ids(ids, build.position, build.columns.allowed(restriction)):
        if all(build.work[doc] != build.work[other] for other in found):
            found.append(doc)
    return np.array(found, dtype=np.int64)


def not_pinned(build: Snapshot, docs: np.ndarray, pinned: np.ndarray) -> np.ndarray | None:
    """Which of `docs` are of no work shown as recommended (None when nothing is pinned), so a
    recommended document is never listed again lower down."""
    if len(pinned) == 0:
        return None
    return np.asarray(~np.isin(build.work[docs], build.work[pinned]))


def both(first: np.ndarray | None, second: np.ndarray | None) -> np.ndarray | None:
    """Two masks of the same documents combined (None stands for all marked)."""
    if first is None:
        return second
    return first if second is None else first & second


def pinned_first(
    build: Snapshot,
    results: SearchResults,
    pinned: np.ndarray,
    terms_of: str,
    readers: tuple[str, ...] | None,
    matched: tuple[np.ndarray, np.ndarray],
) -> SearchResults:
    """`results` with the `pinned` documents first, marked recommended, each at the passage
    holding most of the words of `terms_of` (the query and the terms it was widened with), and
    with the score the search gave it (`matched`: documents and their fused scores; 0.0 when it
    did not match). They are counted among the matched documents, and the results are no longer
    "no good match"."""
    if len(pinned) == 0:
        return results
    gate = Filters(readers=readers)
    docs, scores = matched
    found = np.isin(docs, pinned)
    score_of = dict(zip(docs[found].tolist(), scores[found].tolist(), strict=True))
    ranked = tuple(
        RankedDocument(
            build.doc_order[doc],
            score_of.get(doc, 0.0),
            (),
            tuple(i for i in build.copies_of(doc) if gate.lets_read(build.documents[i])),
        )
        for doc in pinned.tolist()
    )
    shown = results_of(build, terms_of, Ranking(ranked, len(ranked)), results.mode, results.filters)
    hits: tuple[Hit, ...] = tuple(replace(hit, recommended=True, confident=True) for hit in shown.hits)
    return replace(
        results,
        hits=hits + results.hits,
        matched_documents=results.matched_documents + len(hits),
        no_good_match=False,
    )
