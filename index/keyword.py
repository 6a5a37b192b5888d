"""The keyword (BM25) leg: analysis of text into terms, and a bm25s index over passages."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

# A short English stop list: these words match almost every passage and only add noise.
STOP_WORDS = frozenset(
    (
        "a an and are as at be been but by can do does for from had has have how i if in into is "
        "it its me my no not of on or our so such that the their them then there these they this "
        "to was we were what when where which who why will with would you your"
    ).split()
)


@functools.lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def fold(text: str) -> str:
    """Lower-case and strip diacritics, so 'Māori' and 'Maori' become the same term."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def analyse(text: str) -> list[str]:
    """The terms of `text`: folded, split on non-letters, stop words dropped, stemmed."""
    words = [w for w in _TOKEN.findall(fold(text)) if w not in STOP_WORDS]
    return list(_stemmer().stemWords(words))


class KeywordIndex:
    """BM25 over passages. Any text is a valid query: it is analysed, never parsed as syntax."""

    def __init__(self, model: bm25s.BM25) -> None:
        self._model = model

    @classmethod
    def build(cls, texts: list[str], k1: float, b: float) -> KeywordIndex:
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        corpus = [analyse(t) for t in texts]
        model.index(corpus, show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        return cls(bm25s.BM25.load(str(folder), mmap=False, show_progress=False))

    @property
    def size(self) -> int:
        return int(self._model.scores["num_docs"])

    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """BM25 score of every passage for `query`, and the share of the query it matches.

        The share weighs each query term by its rarity (IDF); a term the index has never seen
        counts as rare. It tells a passage matching the query's distinctive words apart from one
        matching only a common word of it."""
        total, coverage, _ = self._score(query)
        return total, coverage

    def _score(self, query: str) -> tuple[np.ndarray, np.ndarray, float]:
        terms = list(dict.fromkeys(analyse(query)))
        total = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=np.float32)
        weight_sum = 0.0
        for term in terms:
            term_scores = np.asarray(self._model.get_scores([term]), dtype=np.float32)
            present = term_scores > 0
            df = int(np.count_nonzero(present))
            idf = float(np.log(1 + (self.size - df + 0.5) / (df + 0.5)))
            total += term_scores
            matched += idf * present
            weight_sum += idf
        coverage = matched / weight_sum if weight_sum > 0 else matched
        return total, coverage, weight_sum

    def search(
        self, query: str, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top `k` (rows, scores, coverage) with a score above zero, among `allowed` rows if given."""
        hits = self.hits(query, k, allowed)
        return hits.rows, hits.scores, hits.coverage

    def hits(self, query: str, k: int, allowed: np.ndarray | None = None) -> KeywordHits:
        """Top `k` passages with a score above zero, among `allowed` rows if given, and the
        score a passage would reach by matching every query term as strongly as BM25 allows."""
        scores, coverage, bound = self._score(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        rows, top = top_k(scores, k)
        return KeywordHits(rows, top, coverage[rows], bound)


@dataclass(frozen=True)
class KeywordHits:
    rows: np.ndarray
    scores: np.ndarray
    coverage: np.ndarray
    # With Lucene's BM25 a term adds at most its IDF, however often it occurs. A query word no
    # passage holds still counts: it says the query is worded unlike the collection, so its
    # literal matches deserve less trust than the dense leg's.
    bound: float


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the `k` highest positive scores, best first."""
    positive = np.flatnonzero(scores > 0)
    if positive.size == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if positive.size > k:
        part = np.argpartition(-scores[positive], k - 1)[:k]
        positive = positive[part]
    order = np.argsort(-scores[positive], kind="stable")
    rows = positive[order]
    return rows.astype(np.int64), scores[rows]
