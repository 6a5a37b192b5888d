"""The keyword (BM25) leg: analysis of text into terms, and a bm25s index over passages."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterator
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
        _sort_columns(model.scores)

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

    def _columns(self, query: str) -> tuple[list[tuple[np.ndarray, np.ndarray, float]], float]:
        """(passage rows ascending, their scores, IDF) of each distinct query term the index
        holds, and the summed IDF of every query term. A term the index has never seen counts
        as rare: it says the query is worded unlike the collection."""
        scores = self._model.scores
        data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
        vocab = self._model.vocab_dict
        columns: list[tuple[np.ndarray, np.ndarray, float]] = []
        weight_sum = 0.0
        for term in dict.fromkeys(analyse(query)):
            token = vocab.get(term)
            start, end = (int(indptr[token]), int(indptr[token + 1])) if token is not None else (0, 0)
            idf = idf_of(self.size, end - start)
            weight_sum += idf
            if end > start:
                columns.append((indices[start:end], data[start:end], idf))
        return columns, weight_sum

    @property
    def vocabulary(self) -> Collection[str]:
        """Every term some passage holds."""
        return self._model.vocab_dict.keys()

    def known_share(self, query: str) -> float:
        """The share of `query`'s distinct terms that some passage holds (0.0 for a query with no
        terms). Made-up words and keyboard mash hold none; a question worded like the collection
        holds most."""
        terms = dict.fromkeys(analyse(query))
        vocab = self._model.vocab_dict
        return sum(term in vocab for term in terms) / len(terms) if terms else 0.0

    def hits(self, query: str, k: int, allowed: np.ndarray | None = None) -> KeywordHits:
        """Top `k` passages with a score above zero, among `allowed` rows if given, each with
        the share of the query it matches, and the score a passage would reach by matching
        every query term as strongly as BM25 allows (see `top_hits`)."""
        columns, bound = self._columns(query)
        return top_hits(columns, bound, self.size, k, allowed)

    def postings(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Each term with the passage rows holding it (ascending) and its BM25 score in each:
        what a copy of the index elsewhere (a database) needs to score exactly as this one."""
        scores = self._model.scores
        data, indices, indptr = scores["data"], scores["indices"], scores["indptr"]
        for term, token in self._model.vocab_dict.items():
            # bm25s keeps a token for the empty string past the last column: it holds nothing.
            if not term or token + 1 >= len(indptr):
                continue
            start, end = int(indptr[token]), int(indptr[token + 1])
            if end > start:
                yield term, indices[start:end], data[start:end]


def idf_of(size: int, df: int) -> float:
    """Lucene's BM25 weight of a term held by `df` of `size` passages (0 < weight; a term held by
    none weighs most)."""
    return float(np.log(1 + (size - df + 0.5) / (df + 0.5)))


def top_hits(
    columns: list[tuple[np.ndarray, np.ndarray, float]], bound: float, size: int, k: int, allowed: np.ndarray | None
) -> KeywordHits:
    """The best `k` of `size` passages with a score above zero, among `allowed` rows if given,
    from each query term's (rows ascending, scores, IDF) `columns`; each with its share of
    `bound`, the summed IDF of every query term.

    The share weighs each query term by its rarity (IDF). It tells a passage matching the
    query's distinctive words apart from one matching only a common word of it. Only the
    passages a term occurs in are touched: each term's scores are precomputed as a sparse column."""
    # Summed over a dense array: linear in the index size, and faster than sorting the
    # matched rows once common terms match tens of thousands of passages.
    total = np.zeros(size, dtype=np.float32)
    for rows, values, _ in columns:
        np.add.at(total, rows, values)
    if allowed is not None:
        total[~allowed] = 0.0
    found = np.flatnonzero(total > 0)
    scores = total[found]
    if len(found) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        found, scores = found[part], scores[part]
    # Best first; equal scores in row order, as an exhaustive scan would give them.
    order = np.lexsort((found, -scores))
    found, scores = found[order], scores[order]
    # The share is needed for the returned passages only: looked up in each term's sorted rows.
    matched = np.zeros(len(found), dtype=np.float32)
    for rows, _, idf in columns:
        at = np.minimum(np.searchsorted(rows, found), len(rows) - 1)
        matched += np.float32(idf) * (rows[at] == found)
    coverage = matched / np.float32(bound) if bound > 0 else matched
    return KeywordHits(found.astype(np.int64), scores, coverage, bound)


def _sort_columns(scores: dict[str, np.ndarray]) -> None:
    """Make each term's passage rows ascending (with their scores), as `hits` looks rows up by
    bisection. bm25s writes them sorted; an index from elsewhere is sorted once, on load."""
    if not _columns_sorted(scores["indices"], scores["indptr"]):
        indices, indptr = scores["indices"], scores["indptr"]
        column = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
        order = np.lexsort((indices, column))
        scores["indices"], scores["data"] = indices[order], scores["data"][order]


def _columns_sorted(indices: np.ndarray, indptr: np.ndarray, block: int = 1 << 20) -> bool:
    """Whether rows only ever fall where a new term's column starts. Checked a block at a
    time: a copy of the whole postings array would raise the process's peak memory by more
    than the index itself takes."""
    starts = np.unique(indptr)
    for first in range(1, len(indices), block):
        part = indices[first - 1 : first + block]
        falls = np.flatnonzero(part[1:] <= part[:-1]) + first
        if not np.isin(falls, starts).all():
            return False
    return True


@dataclass(frozen=True)
class KeywordHits:
    rows: np.ndarray
    scores: np.ndarray
    coverage: np.ndarray
    # With Lucene's BM25 a term adds at most its IDF, however often it occurs. A query word no
    # passage holds still counts: it says the query is worded unlike the collection, so its
    # literal matches deserve less trust than the dense leg's.
    bound: float
