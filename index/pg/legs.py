"""Searching a build kept in the database: both legs, with filters evaluated by PostgreSQL.

A filter becomes one WHERE condition over the documents' filterable values (`filter_sql`). The
dense leg's statement tests it on each passage row the vector index walk visits (each passage
carries its document's values; pgvector keeps walking until it has its rows). The keyword leg
asks PostgreSQL which documents pass (kept for the build's few recurring restrictions) and sums
the query terms' BM25 postings over their passages only, before the best are taken. Summing the
postings in SQL measured 129 ms a search at 214,430 passages, against 3 ms for the same sums
here; the scores are the file index's own, so both stores rank alike."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from pgvector import HalfVector
from psycopg import sql

from index.filters import Filters
from index.keyword import KeywordHits, analyse, idf_of, top_hits
from index.pg.connect import Database

# Restrictions whose allowed rows a build keeps at hand (see PgKeyword.passing).
KEPT_FILTERS = 8
# Below this share of allowed passages a filtered vector search reads the allowed ones exactly:
# the graph walk would pass over many excluded nodes (the file store draws the same line).
EXACT_BELOW_SHARE = 0.25


def filter_sql(filters: Filters) -> tuple[sql.Composable, list[Any]]:
    """A condition on the documents table that the documents passing `filters` meet, and its
    parameters ("true" for no filter)."""
    parts: list[sql.Composable] = []
    params: list[Any] = []
    for column, values in (
        ("kind", filters.kinds),
        ("agency", filters.agencies),
        ("focus_area", filters.focus_areas),
        ("status", filters.statuses),
    ):
        if values:
            parts.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
            params.append(list(values))
    if filters.published_from:
        parts.append(sql.SQL("published >= %s"))
        params.append(filters.published_from)
    if filters.published_to:
        parts.append(sql.SQL("published <= %s"))
        params.append(filters.published_to)
    if filters.readers is not None:
        parts.append(sql.SQL("(cardinality(audience) = 0 OR audience && %s::text[])"))
        params.append(list(filters.readers))
    return (sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")), params


class PgVectors:
    """A build's passage vectors in the database (`VectorSource`)."""

    def __init__(self, db: Database, schema: str, size: int, dimension: int, centroid: np.ndarray) -> None:
        self._db = db
        self._schema = schema
        self.size = size
        self.dimension = dimension
        self._centroid = centroid

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of `rows`, in order, as float32."""
        wanted = [int(r) for r in rows]
        if not wanted:
            return np.zeros((0, self.dimension), dtype=np.float32)
        query = sql.SQL("SELECT row, embedding FROM {}.passages WHERE row = ANY(%s)").format(
            sql.Identifier(self._schema)
        )
        with self._db.connection() as conn:
            # Binary results: vectors read as text would take most of a search's time to parse.
            found = {r: v.to_numpy() for r, v in conn.execute(query, (wanted,), binary=True).fetchall()}
        return np.array([found[r] for r in wanted], dtype=np.float32).reshape(len(wanted), self.dimension)

    def centroid(self) -> np.ndarray:
        """Worked out when the build was written (reading every vector back would take seconds)."""
        return self._centroid


class PgKeyword:
    """A build's keyword postings in the database (`KeywordSource`); the vocabulary is read once."""

    def __init__(self, db: Database, schema: str, size: int) -> None:
        self._db = db
        self._schema = schema
        self.size = size
        self._vocabulary: frozenset[str] | None = None
        # Set once the build is assembled: the document index of every passage row.
        self.row_doc = np.zeros(0, dtype=np.int32)
        self.documents = 0
        self._passing: dict[Filters, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def vocabulary(self) -> frozenset[str]:
        if self._vocabulary is None:
            query = sql.SQL("SELECT term FROM {}.terms").format(sql.Identifier(self._schema))
            with self._db.connection() as conn:
                self._vocabulary = frozenset(r[0] for r in conn.execute(query).fetchall())
        return self._vocabulary

    def known_share(self, query: str) -> float:
        terms = dict.fromkeys(analyse(query))
        return sum(term in self.vocabulary for term in terms) / len(terms) if terms else 0.0

    def hits(
        self, query: str, k: int, allowed: np.ndarray | None = None, filters: Filters | None = None
    ) -> KeywordHits:
        """The best `k` passages for `query` among `allowed` rows (all if None) and documents
        passing `filters` (all if None), as the file index finds them."""
        terms = list(dict.fromkeys(analyse(query)))
        statement = sql.SQL(
            "SELECT array_agg(term), array_agg(df), array_agg(rows), array_agg(scores) FROM {} WHERE term = ANY(%s)"
        ).format(sql.Identifier(self._schema, "terms"))
        with self._db.connection() as conn:
            found = conn.execute(statement, [terms], binary=True).fetchone() or (None, None, None, None)
        passing = self.passing(filters) if filters is not None and not filters.is_empty() else None
        return top_hits(*self._columns(terms, found), self.size, k, _both(allowed, passing))

    def passing(self, filters: Filters) -> np.ndarray:
        """The passage rows of the documents PostgreSQL finds passing `filters`. Searches ask
        under the same few restrictions again and again (who is asking, a kind), so the last
        few answers are kept for this build, which never changes."""
        with self._lock:
            kept = self._passing.get(filters)
        if kept is not None:
            return kept
        condition, params = filter_sql(filters)
        statement = sql.SQL("SELECT coalesce(array_agg(idx), '{{}}') FROM {} WHERE {}").format(
            sql.Identifier(self._schema, "doc_filters"), condition
        )
        with self._db.connection() as conn:
            found = conn.execute(statement, params, binary=True).fetchone()
        documents = np.zeros(self.documents, dtype=bool)
        documents[np.asarray(found[0] if found else [], dtype=np.int64)] = True
        mask = documents[self.row_doc]
        mask.flags.writeable = False
        with self._lock:
            self._passing[filters] = mask
            while len(self._passing) > KEPT_FILTERS:
                self._passing.pop(next(iter(self._passing)))
        return mask

    def _columns(self, terms: list[str], found: Any) -> tuple[list[tuple[np.ndarray, np.ndarray, float]], float]:
        """Each held query term's (rows, scores, IDF), and the summed IDF of every query term."""
        held: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        if found[0] is not None:
            for term, df, rows, scores in zip(*found, strict=True):
                held[term] = (
                    np.frombuffer(rows, dtype="<i4").astype(np.int64),
                    np.frombuffer(scores, dtype="<f4"),
                    idf_of(self.size, df),
                )
        bound = sum(held[t][2] if t in held else idf_of(self.size, 0) for t in terms)
        return [held[t] for t in terms if t in held], bound


def _both(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    return a if b is None else a & b


class PgDenseLeg:
    """The dense leg over pgvector's HNSW index (`DenseLeg`). Made for one search: it keeps the
    vectors of the candidates it found, which pseudo-relevance feedback reads back at once."""

    def __init__(self, vectors: PgVectors, share: Callable[[Filters], float]) -> None:
        self._vectors = vectors
        self._share = share
        self._seen: dict[int, np.ndarray] = {}

    def search(self, vector: np.ndarray, k: int, filters: Filters) -> tuple[np.ndarray, np.ndarray]:
        """See `DenseLeg.search`: the filter is tested inside the index walk (or, for a narrow
        one, the allowed passages are compared exactly)."""
        schema = self._vectors._schema
        # The passages carry their documents' filterable values: tested on each row visited.
        where, params = filter_sql(filters)
        # "+ 0" makes the order one the index cannot give, so PostgreSQL compares every allowed row.
        exact = not filters.is_empty() and self._share(filters) < EXACT_BELOW_SHARE
        order = sql.SQL("(embedding <=> %s) + 0" if exact else "embedding <=> %s")
        statement = sql.SQL(
            "SELECT row, 1 - (embedding <=> %s), embedding FROM {s}.passages WHERE {where} ORDER BY {order} LIMIT %s"
        ).format(s=sql.Identifier(schema), where=where, order=order)
        query = HalfVector(vector.astype(np.float32))
        with self._vectors._db.connection() as conn, conn.transaction():
            if not exact and not filters.is_empty():
                # The planner cannot estimate who may read what, and took a filter that passes
                # 80% of passages for a rare one: it read every row (262 ms against 29 ms at
                # 214,430 passages). A wide filter walks the graph; a narrow one is read exactly.
                conn.execute("SET LOCAL enable_seqscan = off")
            found = conn.execute(statement, [query, *params, query, k], binary=True).fetchall()
        for row, _, embedding in found:
            self._seen[row] = embedding.to_numpy()
        rows = np.array([r[0] for r in found], dtype=np.int64)
        return rows, np.array([r[1] for r in found], dtype=np.float32)

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """See `DenseLeg.vectors`; candidates of this search come from memory."""
        missing = np.array([r for r in rows.tolist() if r not in self._seen], dtype=np.int64)
        if len(missing):
            for row, vector in zip(missing.tolist(), self._vectors.vectors(missing), strict=True):
                self._seen[row] = vector
        if len(rows) == 0:
            return np.zeros((0, self._vectors.dimension), dtype=np.float32)
        return np.array([self._seen[r] for r in rows.tolist()], dtype=np.float32)


class PgKeywordLeg:
    """The keyword leg over the build's postings in the database (`KeywordLeg`)."""

    def __init__(self, keyword: PgKeyword) -> None:
        self._keyword = keyword

    def search(self, query: str, k: int, filters: Filters) -> KeywordHits:
        """See `KeywordLeg.search`."""
        return self._keyword.hits(query, k, None, filters)
