"""A published build's documents and passages read from its schema: the `DocumentStore` of a
build kept in the database."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from psycopg import sql

from index.pg.connect import Database
from index.store import ChunkRecord, DocumentRecord, layout_from_json
from ingest.metadata import metadata_from_json
from ingest.roles import ROLES, Role
from ingest.types import Layout

_CHUNK = 'row, doc_id, position, text, start, "end", page, heading_path, role'


class PgStore:
    """The documents and passages of one build in the database; safe to share between threads
    (each call borrows a pooled connection). Calls raise IndexUnavailable or IndexCorrupt."""

    def __init__(self, db: Database, schema: str) -> None:
        self._db = db
        self._schema = sql.Identifier(schema)

    def _rows(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        statement = sql.SQL(query).format(s=self._schema)
        with self._db.connection() as conn:
            return conn.execute(statement, params).fetchall()

    def documents(self) -> list[DocumentRecord]:
        """Every document, without its text, in id order."""
        rows = self._rows(
            "SELECT doc_id, path, format, content_hash, metadata, warnings, chunk_count, page_starts "
            "FROM {s}.documents ORDER BY idx"
        )
        return [
            DocumentRecord(
                doc_id=r[0],
                path=r[1],
                format=r[2],
                content_hash=r[3],
                metadata=metadata_from_json(r[4]),
                warnings=tuple(r[5]),
                chunk_count=r[6],
                page_starts=tuple((int(p), int(s)) for p, s in r[7]),
            )
            for r in rows
        ]

    def document_text(self, doc_id: str) -> str | None:
        found = self._rows("SELECT text FROM {s}.documents WHERE doc_id = %s", (doc_id,))
        return str(found[0][0]) if found else None

    def keeps_layouts(self) -> bool:
        return True

    def document_layout(self, doc_id: str) -> Layout | None:
        found = self._rows("SELECT layout FROM {s}.documents WHERE doc_id = %s", (doc_id,))
        return layout_from_json(json.dumps(found[0][0])) if found else None

    def chunks(self, rows: Iterable[int]) -> list[ChunkRecord]:
        """The passages at `rows`, in the order asked."""
        wanted = [int(r) for r in rows]
        found = {
            r[0]: _chunk(r) for r in self._rows(f"SELECT {_CHUNK} FROM {{s}}.passages WHERE row = ANY(%s)", (wanted,))
        }
        return [found[r] for r in wanted if r in found]

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        rows = self._rows(f"SELECT {_CHUNK} FROM {{s}}.passages WHERE doc_id = %s ORDER BY position", (doc_id,))
        return [_chunk(r) for r in rows]

    def chunk_doc_ids(self) -> list[str]:
        return [r[0] for r in self._rows("SELECT doc_id FROM {s}.passages ORDER BY row")]

    def chunk_roles(self) -> list[Role]:
        return [_role(r[0]) for r in self._rows("SELECT role FROM {s}.passages ORDER BY row")]

    def intact(self) -> bool:
        """Whether every table of the build can still be read (a pruned build's cannot)."""
        try:
            self._rows("SELECT (SELECT count(*) FROM {s}.documents), (SELECT count(*) FROM {s}.terms)")
        except Exception:  # the error is the answer: any failure to read means not intact
            return False
        return True

    def close(self) -> None:
        """Nothing to release: connections belong to the process's pool."""


def _chunk(r: tuple[Any, ...]) -> ChunkRecord:
    return ChunkRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(r[7]), _role(r[8]))


def _role(value: object) -> Role:
    return next((role for role in ROLES if role == value), "body")
