"""The two legs of a search behind small protocols, and their FAISS and BM25 implementations.

A leg is asked for its best passages under a `Filters` value, never under a mask of rows: how a
filter becomes a restriction is the store's business. The implementations here turn it into a
mask of allowed passage rows from the build's metadata columns; a store in a database could
turn the same value into a WHERE clause.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from index.filters import Filters, MetadataColumns
from index.keyword import KeywordHits, KeywordIndex
from index.snapshot import Snapshot
from index.vectors import VectorIndex


class DenseLeg(Protocol):
    """Meaning search over passage vectors."""

    def search(self, vector: np.ndarray, k: int, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        """The best `k` (rows, scores) for the query vector among passages of documents that
        pass `filters`, best first; a filter never hides a passage that passes it."""
        ...

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of passage `rows`, in order (for pseudo-relevance feedback)."""
        ...


class KeywordLeg(Protocol):
    """Word search over passage texts."""

    def search(self, query: str, k: int, filters: Filters) -> KeywordHits:
        """The best `k` passages matching words of `query` among passages of documents that pass
        `filters`, best first, with the share of the query each one covers."""
        ...


class RowMasks:
    """Filters turned into masks of allowed passage rows, through the documents' metadata columns.

    Shared by both legs of a search, so one filter is translated once (under 1 ms at 200,000
    passages, by bench/speed.py). Legs are made for each search (`legs_of`), so masks are kept
    no longer than one search. They are read-only: each is handed to both legs."""

    def __init__(self, columns: MetadataColumns, row_doc: np.ndarray) -> None:
        self._columns = columns
        self._row_doc = row_doc
        self.mask = functools.lru_cache(maxsize=4)(self._mask)

    def _mask(self, filters: Filters) -> np.ndarray | None:
        """Which passage rows belong to documents passing `filters`; None when every row does."""
        if filters.is_empty():
            return None
        allowed_docs = self._columns.allowed(filters)
        if allowed_docs.all():
            # Typical of who is asking: most readers may see every document, and a leg searches
            # fastest without a mask.
            return None
        mask = allowed_docs[self._row_doc] if allowed_docs.size else np.zeros(0, dtype=bool)
        mask.flags.writeable = False
        return mask


class FaissDenseLeg:
    """The dense leg over a FAISS `VectorIndex`."""

    def __init__(self, index: VectorIndex, masks: RowMasks) -> None:
        self._index = index
        self._masks = masks

    def search(self, vector: np.ndarray, k: int, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        """See `DenseLeg.search`."""
        return self._index.search(vector, k, self._masks.mask(filters))

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """See `DenseLeg.vectors`."""
        return self._index.vectors(rows)


class Bm25KeywordLeg:
    """The keyword leg over a BM25 `KeywordIndex`."""

    def __init__(self, index: KeywordIndex, masks: RowMasks) -> None:
        self._index = index
        self._masks = masks

    def search(self, query: str, k: int, filters: Filters) -> KeywordHits:
        """See `KeywordLeg.search`."""
        return self._index.hits(query, k, self._masks.mask(filters))


@dataclass(frozen=True)
class Legs:
    """The two legs a search runs."""

    dense: DenseLeg
    keyword: KeywordLeg


def legs_of(build: Snapshot) -> Legs:
    """The dense and keyword legs of an opened build, sharing one translation of filters: the
    build's own (a database's) when it has them, else FAISS and BM25 over its files."""
    if build.make_legs is not None:
        return build.make_legs(build)
    if not isinstance(build.vectors, VectorIndex) or not isinstance(build.keyword, KeywordIndex):
        raise TypeError(f"build {build.build_id} has no legs to search with")
    masks = RowMasks(build.columns, build.row_doc)
    return Legs(FaissDenseLeg(build.vectors, masks), Bm25KeywordLeg(build.keyword, masks))
