"""How sure a search is that it found something that answers the query, and which results clear
the bar: the hub's "no good match".

Every query matches most of the collection (the dense leg always returns its nearest passages,
and one shared common word is enough for the keyword leg), so the ranking alone never says
"nothing found". A handful of signals of the whole result list do: how close the nearest passage
is in meaning, how many of the query's words the collection knows at all, how much of the query
the best keyword match covers, whether the two legs agree on their best document, how far the
best document stands out. A logistic model over them gives a confidence in [0, 1], fitted on the
development sets by `bench/calibrate.py`. Pure NumPy; nothing here changes the ranking.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from index.keyword import KeywordHits, analyse
from index.snapshot import KeywordSource, Snapshot

# A query one passage holds at least half of (by weight) is on the collection's subject however
# far the model places it: a bare acronym ("RAG") sits far from every passage's meaning but is
# found, whole, by the keyword leg. Not fitted: the off-topic rule (Calibration) never applies to it.
OFF_TOPIC_MAX_COVERAGE = 0.5
# The signals, in the order of the model's weights.
SIGNALS: tuple[str, ...] = (
    "best_cosine",
    "known_terms",
    "near_known",
    "coverage",
    "agreement",
    "cosine_gap",
    "length",
    "domain",
)
# How many documents of each leg count when asking whether the legs agree, and which document's
# cosine the best one is compared with for the gap.
AGREE_DEPTH = 3
GAP_RANK = 5
# Each leg's first passages looked at for the cosines. Reading back stored vectors is the costly
# part (about 16 ms for a leg's 500 candidates at 11,600 passages); the nearest passages are
# among the dense leg's first ones, even after the feedback reorders them.
JUDGED_PER_LEG = 100
# The best keyword matches looked at for the coverage and the keyword leg's best documents.
KEYWORD_JUDGED = 50


@dataclass(frozen=True)
class Signals:
    """What a result list says about its own quality; each is described in SIGNALS' order."""

    best_cosine: float  # the nearest passage's cosine similarity to the query
    known_terms: float  # share of the query's distinct terms some passage holds
    near_known: float  # the same, a term a typo away from a held one counting as held
    coverage: float  # IDF-weighted share of the query the best keyword match holds
    agreement: float  # 0-1: each leg's best document among the other leg's best AGREE_DEPTH
    cosine_gap: float  # best document's cosine minus the GAP_RANK-th document's
    length: float  # log(1 + the number of distinct query terms)
    domain: float  # the query's cosine with the collection's mean direction: is it the hub's subject

    def as_array(self) -> np.ndarray:
        """The signals as a vector in SIGNALS order."""
        return np.array([getattr(self, name) for name in SIGNALS], dtype=np.float64)


@dataclass(frozen=True)
class Calibration:
    """A logistic model over the signals, the confidence below which a result list is "no good
    match", and the bar a single result must clear (a share of the best result's fused score)."""

    weights: tuple[float, ...]
    bias: float
    threshold: float
    result_share: float
    # A list is also "no good match" when its nearest passage is below `off_topic_cosine` and the
    # query below `off_topic_domain` towards the collection's subject: an everyday question whose
    # words the collection happens to hold ("school holidays", "annual leave") is still off its
    # subject. The logistic model, fitted against adjacent topics as well, weighs this too little.
    off_topic_cosine: float = 0.0
    off_topic_domain: float = -1.0


# Fitted by `python bench/calibrate.py` on the fit split of the development sets (dev_no_answer
# against dev_core, dev_sample and dev_hard), with the hybrid ranking of the time and
# all-MiniLM-L6-v2: a logistic regression on the signals (standardised, L2 0.01, classes weighed
# equally). The threshold is the highest whose wrongly flagged answerable queries cost Recall@5
# at most 0.01; the off-topic rule the one that flags the most no-answer queries while costing
# no answerable one its answer. Together they flag 62% of the fit split's no-answer queries (76%
# of the held-out ones: 24 of 25 gibberish, 27 of 32 everyday topics, 7 of 30 adjacent topics)
# and 1% of its answerable ones.
# The result share is the highest that drops no answer of a query not flagged. Re-run the script
# after the ranking changes and paste what it prints here.
CALIBRATION = Calibration(
    weights=(4.9532, 1.2532, 2.0005, 2.1391, 0.1361, 13.5976, 0.7432, 1.2698),
    bias=-8.5063,
    threshold=0.10,
    result_share=0.45,
    off_topic_cosine=0.34,
    off_topic_domain=0.10,
)


@dataclass(frozen=True)
class Confidence:
    """A result list's confidence in [0, 1], whether it is "no good match" (nothing clears the
    bar), and the signals it was judged on."""

    score: float
    no_good_match: bool
    signals: Signals

    def to_json(self) -> dict[str, Any]:
        return {
            "confidence": round(self.score, 4),
            "no_good_match": self.no_good_match,
            "signals": {name: round(float(getattr(self.signals, name)), 4) for name in SIGNALS},
        }


def score_of(signals: Signals, calibration: Calibration = CALIBRATION) -> float:
    """The calibrated confidence in [0, 1] of a result list with `signals`."""
    z = float(np.dot(np.asarray(calibration.weights), signals.as_array())) + calibration.bias
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))


def is_flagged(signals: Signals, calibration: Calibration = CALIBRATION) -> bool:
    """Whether a result list with `signals` is "no good match": its confidence is below the
    threshold, or it is off the collection's subject (see Calibration)."""
    off_topic = (
        signals.best_cosine < calibration.off_topic_cosine
        and signals.domain < calibration.off_topic_domain
        and signals.coverage < OFF_TOPIC_MAX_COVERAGE
    )
    return score_of(signals, calibration) < calibration.threshold or off_topic


def judge(signals: Signals, calibration: Calibration = CALIBRATION) -> Confidence:
    """The confidence of a result list with `signals`, flagged as `is_flagged` says."""
    return Confidence(score_of(signals, calibration), is_flagged(signals, calibration), signals)


def confident_mask(scores: np.ndarray, confidence: Confidence, calibration: Calibration = CALIBRATION) -> np.ndarray:
    """Which of the results with fused `scores` (best first) clear the bar: none when the list
    is "no good match", else those scoring at least `result_share` of the best. As the scores
    come best first, the confident results are always the first ones."""
    if confidence.no_good_match or len(scores) == 0:
        return np.zeros(len(scores), dtype=bool)
    return np.asarray(scores >= calibration.result_share * float(scores[0]))


def assess(
    build: Snapshot,
    query: str,
    vector: np.ndarray | None,
    leg_rows: Sequence[np.ndarray],
    docs: np.ndarray,
    keyword: KeywordHits | None = None,
) -> Confidence | None:
    """The confidence of a search for `query` (embedded as `vector`) whose legs found passage
    rows `leg_rows` in matched documents `docs`, its keyword leg's hits being `keyword` (see
    signals_of); None when there is nothing to judge: no results, or a keyword-only search,
    which has no query embedding."""
    if vector is None or len(docs) == 0:
        return None
    return judge(signals_of(build, query, vector, leg_rows, docs, keyword))


def confident_documents(
    docs: np.ndarray, scores: np.ndarray, confidence: Confidence | None, passing: np.ndarray | None = None
) -> np.ndarray:
    """The documents of `docs` (fused `scores`, best first) that clear the bar and are marked in
    `passing` (all if None); every one of them when the search was not judged."""
    sure = np.ones(len(docs), dtype=bool) if confidence is None else confident_mask(scores, confidence)
    return docs[sure if passing is None else sure & passing]


def signals_of(
    build: Snapshot,
    query: str,
    vector: np.ndarray,
    leg_rows: Sequence[np.ndarray],
    docs: np.ndarray,
    keyword: KeywordHits | None = None,
) -> Signals:
    """The signals of a search for `query` (embedded as `vector`) whose legs found passage rows
    `leg_rows` (each leg's, best first) among matched documents `docs` (document indexes). Both
    legs are looked at within those documents only, so a restriction the search had holds here.

    `keyword` is the keyword leg's own hits, best first and unweighted, when the search ran one:
    the leg searched under the same restriction and every document it found is in `docs`, so its
    first KEYWORD_JUDGED are the best keyword matches within `docs`, taken as they are rather
    than searched for again (a second search cost about 2 ms at 200,000 passages)."""
    rows = np.unique(np.concatenate([r[:JUDGED_PER_LEG] for r in leg_rows])) if leg_rows else np.zeros(0, np.int64)
    cosines = build.vectors.vectors(rows) @ vector.astype(np.float32) if len(rows) else np.zeros(0)
    doc_best = _best_per_document(build.row_doc[rows], cosines)
    dense_docs = sorted(doc_best, key=lambda d: -doc_best[d])
    best = doc_best[dense_docs[0]] if dense_docs else 0.0
    gap = best - doc_best[dense_docs[min(GAP_RANK, len(dense_docs)) - 1]] if dense_docs else 0.0
    hits = keyword if keyword is not None else _keyword_hits(build, query, docs)
    top_rows, top_coverage = hits.rows[:KEYWORD_JUDGED], hits.coverage[:KEYWORD_JUDGED]
    keyword_docs = list(dict.fromkeys(build.row_doc[top_rows].tolist()))
    agreement = 0.0
    if keyword_docs and dense_docs:
        agreement = 0.5 * (keyword_docs[0] in dense_docs[:AGREE_DEPTH]) + 0.5 * (
            dense_docs[0] in keyword_docs[:AGREE_DEPTH]
        )
    terms = len(set(analyse(query)))
    return Signals(
        best_cosine=float(best),
        known_terms=build.keyword.known_share(query),
        near_known=near_known_share(build.keyword, query),
        coverage=float(top_coverage.max()) if len(top_coverage) else 0.0,
        agreement=agreement,
        cosine_gap=float(gap),
        length=float(np.log1p(terms)),
        domain=float(build.centroid @ vector.astype(np.float32)),
    )


def _keyword_hits(build: Snapshot, query: str, docs: np.ndarray) -> KeywordHits:
    """The best keyword matches for `query` within documents `docs`, for a search without a
    keyword leg."""
    # A mask by document then by row: np.isin would sort every row's document to test it.
    matched = np.zeros(len(build.doc_order), dtype=bool)
    matched[docs] = True
    return build.keyword.hits(query, KEYWORD_JUDGED, matched[build.row_doc])


def _best_per_document(row_docs: np.ndarray, cosines: np.ndarray) -> dict[int, float]:
    best: dict[int, float] = {}
    for doc, cosine in zip(row_docs.tolist(), cosines.tolist(), strict=True):
        if cosine > best.get(doc, -2.0):
            best[doc] = cosine
    return best


def near_known_share(keyword: KeywordSource, query: str) -> float:
    """The share of `query`'s distinct terms the collection holds, a misspelt one counting as
    held: a term is near a held one with the same first letter that is one edit away (terms of
    five letters) or two (six or more). Shorter terms must be held as they are: with so few
    letters, made-up words would be near some real one."""
    terms = list(dict.fromkeys(analyse(query)))
    if not terms:
        return 0.0
    held = _by_shape(keyword)
    near = 0
    for term in terms:
        limit = 0 if len(term) < 5 else 1 if len(term) == 5 else 2
        lengths = range(len(term) - limit, len(term) + limit + 1)
        candidates = (c for n in lengths for c in held.get((term[0], n), ()))
        near += term in keyword.vocabulary or (limit > 0 and any(_within(term, c, limit) for c in candidates))
    return near / len(terms)


@functools.lru_cache(maxsize=4)
def _by_shape(keyword: KeywordSource) -> dict[tuple[str, int], tuple[str, ...]]:
    """The held terms by first letter and length (kept for the few indexes open at a time)."""
    groups: dict[tuple[str, int], list[str]] = defaultdict(list)
    for term in keyword.vocabulary:
        if term:
            groups[term[0], len(term)].append(term)
    return {shape: tuple(terms) for shape, terms in groups.items()}


def _within(a: str, b: str, limit: int) -> bool:
    """Whether `a` and `b` are at most `limit` edits apart (Levenshtein), stopping early."""
    if abs(len(a) - len(b)) > limit:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit
