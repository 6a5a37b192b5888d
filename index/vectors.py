"""The dense leg: a FAISS inner-product index over unit-length passage vectors.

Vectors are stored as float16: half the memory of float32, and scores that differ from exact
float32 ones by about 1e-4 (Recall@10 against exact search 0.999, measured by bench/speed.py).
Up to HNSW_MIN_ROWS passages every search scans them all; above that an HNSW graph answers
unfiltered searches in about 3 ms, at Recall@10 >= 0.98 against exact search (measured at
200,000 passages by bench/speed.py). The index takes 768 bytes a passage flat, 1,040 with the graph.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

HNSW_MIN_ROWS = 100_000
# Measured at 208,314 bench passages (dense clusters of near-duplicates, the hard case):
# M=32, efConstruction=100, efSearch=400 gave Recall@10 0.917; efConstruction=200 with
# efSearch=800 gave 0.985 and 1600 gave 0.992 (2.2 and 4.6 ms); M=48 costs 128 bytes a passage more.
# With real queries at efConstruction 200: efSearch 600 / 800 / 1000 gave Recall@10 0.974 / 0.984 /
# 0.989 for 1.6 / 2.5 / 3.0 ms a search of 500 candidates.
HNSW_LINKS = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 800
# Below this share of allowed passages a filtered search scans the allowed ones exactly:
# the graph search would visit many excluded nodes and could miss allowed ones.
HNSW_MIN_ALLOWED_SHARE = 0.25


class VectorIndex:
    """Inner-product search; with unit vectors the score is the cosine similarity."""

    def __init__(self, index: faiss.Index) -> None:
        self._index = index
        # The flat codes of an HNSW index, scanned exactly for narrow filters.
        self._flat: faiss.Index = faiss.downcast_index(index.storage) if isinstance(index, faiss.IndexHNSW) else index

    @classmethod
    def build(cls, vectors: np.ndarray, dimension: int, hnsw_min_rows: int = HNSW_MIN_ROWS) -> VectorIndex:
        """An index of `vectors` (rows in order): flat float16, or HNSW over float16 from `hnsw_min_rows`."""
        data = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, dimension)
        index: faiss.Index
        if len(data) >= hnsw_min_rows:
            index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_fp16, HNSW_LINKS, faiss.METRIC_INNER_PRODUCT)  # type: ignore[arg-type]
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index = faiss.IndexScalarQuantizer(dimension, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        index.train(data)  # float16 needs no training data; the call only marks the index ready
        if len(data):
            index.add(data)
        return cls(index)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        """'hnsw' or 'flat', for reports and benchmarks."""
        return "hnsw" if self._flat is not self._index else "flat"

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        return cls(faiss.read_index(str(path)))

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of `rows`, to carry unchanged passages into a new build."""
        if len(rows) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._flat.reconstruct_batch(np.asarray(rows, dtype=np.int64)), dtype=np.float32)

    def centroid(self, batch: int = 50_000) -> np.ndarray:
        """The unit-length mean direction of every stored vector (zeros for an empty index): what
        the collection as a whole is about. Read back in batches to bound the memory it takes."""
        total = np.zeros(self.dimension, dtype=np.float64)
        for start in range(0, self.size, batch):
            total += self.vectors(np.arange(start, min(start + batch, self.size))).sum(axis=0, dtype=np.float64)
        norm = float(np.linalg.norm(total))
        return (total / norm if norm > 0 else total).astype(np.float32)

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None, exact: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top `k` (rows, scores) for `query`, among `allowed` rows if a mask is given.

        The mask is applied inside the search, so a filter never hides passages that exist.
        `exact` scans every stored vector even when a graph exists (to measure recall)."""
        k = min(k, self.size)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        index = self._flat if exact else self._index
        params: faiss.SearchParameters | None = None
        if allowed is not None:
            count = int(np.count_nonzero(allowed))
            if count == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            k = min(k, count)
            # The selector reads `bits` through a raw pointer: it must outlive the search below.
            bits = np.packbits(np.asarray(allowed, dtype=bool), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
            share = count / max(self.size, 1)
            if index is self._index and self.kind == "hnsw" and share >= HNSW_MIN_ALLOWED_SHARE:
                ef = int(min(HNSW_EF_SEARCH / share, 4 * HNSW_EF_SEARCH))
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(ef, 2 * k))  # type: ignore[attr-defined]
            else:
                index = self._flat
                params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
            scores, rows = index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        else:
            if index is not self._flat:
                params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, 2 * k))  # type: ignore[attr-defined]
            scores, rows = index.search(query.reshape(1, -1).astype(np.float32), k, params=params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]
