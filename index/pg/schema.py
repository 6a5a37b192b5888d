"""The database's tables: one `hub` schema naming the builds and the live one, and one schema
per build holding its documents, passages, vectors and keyword postings.

A build in its own schema is written and indexed while searches read the live one, is made live
by changing one row, and is dropped whole when pruned."""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

# Serialises changes to the catalogue between processes (setting it up, publishing, pruning).
CATALOGUE_LOCK = 7_340_001
# Held for a whole build run by the one process that may write builds (see PgCatalogue.lock).
BUILD_LOCK = 7_340_002

CATALOGUE = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE SCHEMA IF NOT EXISTS hub;
CREATE TABLE IF NOT EXISTS hub.builds (
    build_id text PRIMARY KEY,
    schema_name text NOT NULL,
    state text NOT NULL,              -- writing | ready
    written timestamptz NOT NULL DEFAULT now(),
    manifest jsonb,
    curation jsonb,
    centroid bytea,                   -- float32: the collection's mean direction
    passages integer,
    dimension integer
);
CREATE TABLE IF NOT EXISTS hub.live (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    build_id text NOT NULL
);
CREATE TABLE IF NOT EXISTS hub.history (
    position bigserial PRIMARY KEY,
    build_id text NOT NULL
);
CREATE TABLE IF NOT EXISTS hub.reports (
    id bigserial PRIMARY KEY,
    report jsonb NOT NULL
);
"""

BUILD_TABLES = """
CREATE TABLE {s}.documents (
    idx integer PRIMARY KEY,
    doc_id text NOT NULL UNIQUE,
    path text NOT NULL, format text NOT NULL, content_hash text NOT NULL,
    metadata jsonb NOT NULL,          -- as the file describes it
    warnings jsonb NOT NULL, chunk_count integer NOT NULL, page_starts jsonb NOT NULL,
    text text NOT NULL, layout jsonb NOT NULL,
    first_row integer NOT NULL,       -- its passages are rows first_row .. first_row + chunk_count - 1
    -- What filters test, with agencies named as the build's agency list names them.
    kind text, agency text, focus_area text, status text, published date,
    audience text[] NOT NULL          -- case-folded groups; empty: open to everyone
);
CREATE TABLE {s}.passages (
    row integer PRIMARY KEY,
    doc_id text NOT NULL, position integer NOT NULL, role text NOT NULL, text text NOT NULL,
    start integer NOT NULL, "end" integer NOT NULL, page integer, heading_path jsonb NOT NULL,
    embedding halfvec({dimension}) NOT NULL,
    -- Its document's filterable values again: the vector search tests a filter on each row its
    -- index walk visits, and a join there would cost more than the columns.
    kind text, agency text, focus_area text, status text, published date, audience text[] NOT NULL
);
CREATE TABLE {s}.terms (
    term text PRIMARY KEY,
    df integer NOT NULL,
    idf real NOT NULL,
    rows bytea NOT NULL,              -- int32 passage rows, ascending
    scores bytea NOT NULL             -- float32 BM25 score in each
);
-- Postings are read whole and are already compact: stored out of line and uncompressed, they
-- come back without being decompressed for every search.
ALTER TABLE {s}.terms ALTER COLUMN rows SET STORAGE EXTERNAL, ALTER COLUMN scores SET STORAGE EXTERNAL;
"""

BUILD_INDEXES = """
CREATE INDEX ON {s}.passages (doc_id, position);
-- The documents' filterable values alone, narrow, for the keyword leg to find the allowed ones.
CREATE TABLE {s}.doc_filters AS
    SELECT idx, kind, agency, focus_area, status, published, audience FROM {s}.documents;
CREATE INDEX ON {s}.passages USING hnsw (embedding halfvec_cosine_ops) WITH (m = 16, ef_construction = 64);
ANALYZE {s}.documents;
ANALYZE {s}.doc_filters;
ANALYZE {s}.passages;
ANALYZE {s}.terms;
"""


def schema_of(build_id: str) -> str:
    """The schema holding build `build_id`: its id made a plain lower-case identifier."""
    return "hub_" + re.sub(r"[^a-z0-9]+", "_", build_id.lower())


def statements(template: str, schema: str, **values: object) -> list[sql.Composed]:
    """The statements of `template` for `schema` (quoted as an identifier), one per semicolon."""
    parts = [p.strip() for p in re.sub(r"--[^\n]*", "", template).split(";") if p.strip()]
    return [
        sql.SQL(p).format(s=sql.Identifier(schema), **{k: sql.Literal(v) for k, v in values.items()}) for p in parts
    ]


def ensure_catalogue(conn: psycopg.Connection) -> None:
    """Create the extension and the `hub` schema if missing; safe when several processes start at once."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (CATALOGUE_LOCK,))
        conn.execute(CATALOGUE)
