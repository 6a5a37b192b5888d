"""Writing an opened build into the database under its own schema, ready to be checked and published."""

from __future__ import annotations

import json

import numpy as np
import psycopg
from pgvector import HalfVector
from psycopg import sql

from index.curated import curation_to_json
from index.keyword import KeywordIndex, idf_of
from index.pg.connect import Database
from index.pg.schema import BUILD_INDEXES, BUILD_TABLES, schema_of, statements
from index.snapshot import Snapshot
from index.store import layout_to_json
from ingest.metadata import metadata_to_json
from ingest.progress import Progress

# Passages copied per batch: bounds the memory a copy of a large build takes.
BATCH = 20_000


def write_build(db: Database, build: Snapshot, progress: Progress | None = None) -> None:
    """Copy `build` (opened from its folder) into the database as build `build.build_id`, in
    state "writing" until every table and index is in place, then "ready". Nothing live changes:
    publishing is a separate step. Raises IndexUnavailable, IndexCorrupt, or TypeError for a
    build whose keyword index is not a file one."""
    if not isinstance(build.keyword, KeywordIndex):
        raise TypeError(f"build {build.build_id}: only a build opened from its folder can be copied")
    schema = schema_of(build.build_id)
    dimension = build.manifest.dimension
    with db.connection() as conn:
        conn.execute(
            "INSERT INTO hub.builds (build_id, schema_name, state, manifest, curation, dimension) "
            "VALUES (%s, %s, 'writing', %s, %s, %s)",
            (
                build.build_id,
                schema,
                json.dumps(build.manifest.to_json(), default=str),
                json.dumps(curation_to_json(build.curation)),
                dimension,
            ),
        )
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        for statement in statements(BUILD_TABLES, schema, dimension=dimension):
            conn.execute(statement)
        _write_documents(conn, build, schema)
        _write_passages(conn, build, schema, progress)
        _write_terms(conn, build.keyword, schema)
        # Building the graph is the long step; more memory keeps it from spilling to disk.
        conn.execute("SET maintenance_work_mem = '1GB'")
        for statement in statements(BUILD_INDEXES, schema):
            conn.execute(statement)
        conn.execute(
            "UPDATE hub.builds SET state = 'ready', centroid = %s, passages = %s WHERE build_id = %s",
            (build.centroid.astype(np.float32).tobytes(), build.vectors.size, build.build_id),
        )


def _write_documents(conn: psycopg.Connection, build: Snapshot, schema: str) -> None:
    """Every document with its text, layout, first passage row and filterable values."""
    first_rows = _first_rows(build)
    target = sql.SQL("COPY {}.documents FROM STDIN").format(sql.Identifier(schema))
    with conn.cursor() as cur, cur.copy(target) as copy:
        for index, doc_id in enumerate(build.doc_order):
            stored, shown = build.stored[doc_id], build.documents[doc_id]
            meta = shown.metadata
            layout = build.store.document_layout(doc_id)
            copy.write_row(
                (
                    index,
                    doc_id,
                    stored.path,
                    stored.format,
                    stored.content_hash,
                    json.dumps(metadata_to_json(stored.metadata), default=str),
                    json.dumps(list(stored.warnings)),
                    stored.chunk_count,
                    json.dumps(stored.page_starts),
                    build.store.document_text(doc_id) or "",
                    layout_to_json(layout) if layout is not None else "{}",
                    first_rows.get(index, 0),
                    meta.kind,
                    meta.agency,
                    meta.focus_area,
                    meta.status,
                    meta.published,
                    [g.casefold() for g in meta.audience],
                )
            )


def _first_rows(build: Snapshot) -> dict[int, int]:
    """Each document index's first passage row. Raises ValueError when a document's passages
    are not one run of rows (every build writes them so: the filters rely on it)."""
    firsts: dict[int, int] = {}
    changes = np.flatnonzero(np.diff(build.row_doc, prepend=-1) != 0)
    for row in changes.tolist():
        doc = int(build.row_doc[row])
        if doc in firsts:
            raise ValueError(f"build {build.build_id}: the passages of {build.doc_order[doc]} are not in one run")
        firsts[doc] = row
    return firsts


def _write_passages(conn: psycopg.Connection, build: Snapshot, schema: str, progress: Progress | None) -> None:
    """Every passage with its vector, in row order."""
    total = build.vectors.size
    target = sql.SQL("COPY {}.passages FROM STDIN").format(sql.Identifier(schema))
    with conn.cursor() as cur, cur.copy(target) as copy:
        for start in range(0, total, BATCH):
            rows = np.arange(start, min(start + BATCH, total))
            vectors = build.vectors.vectors(rows)
            for chunk, vector in zip(build.store.chunks(rows.tolist()), vectors, strict=True):
                meta = build.documents[chunk.doc_id].metadata
                copy.write_row(
                    (
                        chunk.row,
                        chunk.doc_id,
                        chunk.position,
                        chunk.role,
                        chunk.text,
                        chunk.start,
                        chunk.end,
                        chunk.page,
                        json.dumps(list(chunk.heading_path)),
                        HalfVector(vector),
                        meta.kind,
                        meta.agency,
                        meta.focus_area,
                        meta.status,
                        meta.published,
                        [g.casefold() for g in meta.audience],
                    )
                )
            if progress:
                progress("copying passages", min(start + BATCH, total), total)


def _write_terms(conn: psycopg.Connection, keyword: KeywordIndex, schema: str) -> None:
    """Every term with its BM25 postings, exactly as the file index scores them."""
    target = sql.SQL("COPY {}.terms FROM STDIN").format(sql.Identifier(schema))
    with conn.cursor() as cur, cur.copy(target) as copy:
        for term, rows, scores in keyword.postings():
            copy.write_row(
                (
                    term,
                    len(rows),
                    idf_of(keyword.size, len(rows)),
                    rows.astype("<i4").tobytes(),
                    scores.astype("<f4").tobytes(),
                )
            )
