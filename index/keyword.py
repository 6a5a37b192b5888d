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

    def matches(self, query: str) -> KeywordMatches:
        """Every passage holding a term of `query`, with its BM25 score and the share of the
        query it matches.

        The share weighs each query term by its rarity (IDF); a term the index has never seen
        counts as rare. It tells a passage matching the query's distinctive words apart from one
        matching only a common word of it. Only the passages a term occurs in are touched: the
        index stores each term's precomputed scores as a sparse column."""
        scores = self._model.scores
        data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
        vocab = self._model.vocab_dict
        columns: list[tuple[np.ndarray, np.ndarray, float]] = []
        weight_sum = 0.0
        for term in dict.fromkeys(analyse(query)):
            token = vocab.get(term)
            start, end = (int(indptr[token]), int(indptr[token + 1])) if token is not None else (0, 0)
            idf = float(np.log(1 + (self.size - (end - start) + 0.5) / (end - start + 0.5)))
            weight_sum += idf
            if end > start:
                columns.append((indices[start:end], data[start:end], idf))
        if not columns:
            empty = np.zeros(0, dtype=np.float32)
            return KeywordMatches(np.zeros(0, dtype=np.int64), empty, empty, weight_sum)
        # Summed over a dense array: linear in the index size, and faster than sorting the
        # matched rows once common terms match tens of thousands of passages.
        total = np.zeros(self.size, dtype=np.float32)
        matched = np.zeros(self.size, dtype=np.float32)
        for rows, values, idf in columns:
            np.add.at(total, rows, values)
            np.add.at(matched, rows, np.full(len(rows), idf, dtype=np.float32))
        hit = np.flatnonzero(matched)
        return KeywordMatches(hit.astype(np.int64), total[hit], matched[hit] / np.float32(weight_sum), weight_sum)

    def hits(self, query: str, k: int, allowed: np.ndarray | None = None) -> KeywordHits:
        """Top `k` passages with a score above zero, among `allowed` rows if given, and the
        score a passage would reach by matching every query term as strongly as BM25 allows."""
        found = self.matches(query)
        keep = found.scores > 0
        if allowed is not None:
            keep &= allowed[found.rows]
        rows, scores, coverage = found.rows[keep], found.scores[keep], found.coverage[keep]
        if len(rows) > k:
            part = np.argpartition(-scores, k - 1)[:k]
            rows, scores, coverage = rows[part], scores[part], coverage[part]
        # Best first; equal scores in row order, as an exhaustive scan would give them.
        order = np.lexsort((rows, -scores))
        return KeywordHits(rows[order], scores[order], coverage[order], found.bound)


@dataclass(frozen=True)
class KeywordMatches:
    rows: np.ndarray  # passages holding at least one query term, ascending
    scores: np.ndarray
    coverage: np.ndarray
    bound: float


@dataclass(frozen=True)
class KeywordHits:
    rows: np.ndarray
    scores: np.ndarray
    coverage: np.ndarray
    # With Lucene's BM25 a term adds at most its IDF, however often it occurs. A query word no
    # passage holds still counts: it says the query is worded unlike the collection, so its
    # literal matches deserve less trust than the dense leg's.
    bound: float
