"""Documents and passages with their metadata, behind a small interface.

The SQLite store is one file in a build folder. Anything that implements `DocumentStore`
(for example a server-backed store) can stand in for it without touching ingest or the pages."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from index.errors import IndexCorrupt
from ingest.metadata import metadata_from_json, metadata_to_json
from ingest.pipeline import is_summary_card
from ingest.roles import ROLES, Role, passage_role
from ingest.types import Document, Layout, Metadata


@dataclass(frozen=True)
class DocumentRecord:
    doc_id: str
    path: str
    format: str
    content_hash: str
    metadata: Metadata
    warnings: tuple[str, ...]
    chunk_count: int
    page_starts: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ChunkRecord:
    row: int
    doc_id: str
    position: int
    text: str
    start: int
    end: int
    page: int | None
    heading_path: tuple[str, ...]
    role: Role = "body"  # see ingest.roles: only "body" passages are shown to land on


class DocumentStore(Protocol):
    """Reading methods raise IndexCorrupt, naming the file, when the stored data cannot be read."""

    def documents(self) -> list[DocumentRecord]:
        """Every document, without its text."""
        ...

    def document_text(self, doc_id: str) -> str | None:
        """The full cleaned text of a document, or None if unknown."""
        ...

    def keeps_layouts(self) -> bool:
        """Whether the build keeps how each document's text is laid out (builds made before the
        reader drew documents with their structure do not)."""
        ...

    def document_layout(self, doc_id: str) -> Layout | None:
        """How a document's text is laid out; None if unknown, or when the build was made before
        layouts were kept."""
        ...

    def chunks(self, rows: Iterable[int]) -> list[ChunkRecord]:
        """The passages at `rows`, in the order asked."""
        ...

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """A document's passages in reading order."""
        ...

    def chunk_doc_ids(self) -> list[str]:
        """The document id of every passage row, in row order."""
        ...

    def chunk_roles(self) -> list[Role]:
        """The role of every passage row, in row order."""
        ...

    def intact(self) -> bool:
        """Whether the store passes its engine's own consistency check (damaged pages included)."""
        ...

    def close(self) -> None: ...


# The columns a ChunkRecord is read from, in its order; `role` follows when the build has it.
_CHUNK_COLUMNS = 'row, doc_id, position, text, start, "end", page, heading_path'
# The most of an error's own words kept in a damage message, which must stay one readable line.
DETAIL_CHARS = 120

_SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, path TEXT, format TEXT, content_hash TEXT,
    metadata TEXT, warnings TEXT, chunk_count INTEGER, page_starts TEXT, text TEXT, layout TEXT
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, doc_id TEXT, position INTEGER, role TEXT, text TEXT,
    start INTEGER, "end" INTEGER, page INTEGER, heading_path TEXT
);
CREATE INDEX chunks_doc ON chunks (doc_id, position);
"""


class SqliteStore:
    """A read-only view of a build's SQLite file; safe to share between threads.

    Every reading method raises IndexCorrupt, in one line naming the file, instead of the raw
    sqlite3 error: a damaged page may only show when the passage on it is first read."""

    def __init__(self, path: Path) -> None:
        """Open `path` read-only. Raises IndexCorrupt when it cannot be opened."""
        self.path = path
        with self._reading():
            # Read-only URI: a reader can never change a published build.
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            # A build written before passages had roles has no role column (see `_chunk`).
            self._has_roles = any(r[1] == "role" for r in self._db.execute("PRAGMA table_info(chunks)"))
        self._columns = _CHUNK_COLUMNS + (", role" if self._has_roles else "")

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn sqlite3 errors, and values that do not decode, into IndexCorrupt naming the file."""
        try:
            yield
        except (sqlite3.Error, ValueError) as exc:
            # ValueError: a damaged page can also hold bytes that are not the UTF-8 or JSON written.
            # sqlite3 quotes the start of a text it cannot decode: passage text is no error message.
            detail = " ".join(str(exc).split(" with text '")[0].split()) or type(exc).__name__
            if len(detail) > DETAIL_CHARS:
                detail = detail[: DETAIL_CHARS - 1] + "…"
            raise IndexCorrupt(f"{self.path}: damaged ({detail})") from None

    @staticmethod
    def write(path: Path, documents: Iterable[Document]) -> int:
        """Write `documents` and their chunks to a new file at `path`; returns the chunk count.

        Rows are numbered in the order given, matching the vector and keyword indexes."""
        db = sqlite3.connect(path)
        row = 0
        with db:
            db.executescript(_SCHEMA)
            for doc in documents:
                db.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc.doc_id,
                        doc.path,
                        doc.format,
                        doc.content_hash,
                        json.dumps(metadata_to_json(doc.metadata)),
                        json.dumps(list(doc.warnings)),
                        len(doc.chunks),
                        json.dumps(doc.page_starts),
                        doc.text,
                        layout_to_json(doc.layout),
                    ),
                )
                db.executemany(
                    f"INSERT INTO chunks ({_CHUNK_COLUMNS}, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            row + i,
                            c.doc_id,
                            c.position,
                            c.text,
                            c.start,
                            c.end,
                            c.page,
                            json.dumps(c.heading_path),
                            role,
                        )
                        for i, c in enumerate(doc.chunks)
                        for role in [role_of(c.position, c.start, c.end, c.text, c.heading_path)]
                    ],
                )
                row += len(doc.chunks)
        db.close()
        return row

    def documents(self) -> list[DocumentRecord]:
        """Every document, without its text. Raises IndexCorrupt."""
        with self._reading():
            return self._documents()

    def _documents(self) -> list[DocumentRecord]:
        rows = self._db.execute(
            "SELECT doc_id, path, format, content_hash, metadata, warnings, chunk_count, page_starts "
            "FROM documents ORDER BY doc_id"
        )
        return [
            DocumentRecord(
                doc_id=r[0],
                path=r[1],
                format=r[2],
                content_hash=r[3],
                metadata=metadata_from_json(json.loads(r[4])),
                warnings=tuple(json.loads(r[5])),
                chunk_count=r[6],
                page_starts=tuple((int(p), int(s)) for p, s in json.loads(r[7])),
            )
            for r in rows
        ]

    def document_text(self, doc_id: str) -> str | None:
        """The full cleaned text of a document, or None if unknown. Raises IndexCorrupt."""
        with self._reading():
            row = self._db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            return None if row is None else str(row[0])

    def keeps_layouts(self) -> bool:
        """Whether the documents table has the layout column. Raises IndexCorrupt."""
        with self._reading():
            return any(r[1] == "layout" for r in self._db.execute("PRAGMA table_info(documents)"))

    def document_layout(self, doc_id: str) -> Layout | None:
        """How a document's text is laid out, or None if unknown or the build predates layouts
        (the reader then draws the text without them). Raises IndexCorrupt."""
        if not self.keeps_layouts():
            return None
        with self._reading():
            row = self._db.execute("SELECT layout FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            return None if row is None else layout_from_json(str(row[0]))

    def chunks(self, rows: Iterable[int]) -> list[ChunkRecord]:
        """The passages at `rows`, in the order asked. Raises IndexCorrupt."""
        wanted = [int(r) for r in rows]
        found: dict[int, ChunkRecord] = {}
        with self._reading():
            for i in range(0, len(wanted), 500):
                batch = wanted[i : i + 500]
                marks = ",".join("?" * len(batch))
                for r in self._db.execute(f"SELECT {self._columns} FROM chunks WHERE row IN ({marks})", batch):
                    found[r[0]] = _chunk(r)
        return [found[r] for r in wanted if r in found]

    def chunks_of(self, doc_id: str) -> list[ChunkRecord]:
        """A document's passages in reading order. Raises IndexCorrupt."""
        with self._reading():
            rows = self._db.execute(f"SELECT {self._columns} FROM chunks WHERE doc_id = ? ORDER BY position", (doc_id,))
            return [_chunk(r) for r in rows]

    def chunk_doc_ids(self) -> list[str]:
        """The document id of every passage row, in row order. Raises IndexCorrupt."""
        with self._reading():
            return [r[0] for r in self._db.execute("SELECT doc_id FROM chunks ORDER BY row")]

    def chunk_roles(self) -> list[Role]:
        """The role of every passage row, in row order. A build written before passages had
        roles has them worked out from its passages' text. Raises IndexCorrupt."""
        with self._reading():
            if not self._has_roles:
                return [_chunk(r).role for r in self._db.execute(f"SELECT {self._columns} FROM chunks ORDER BY row")]
            # The role is stored before the text, so this reads no passage text (nor any damage in it).
            return [_role(r[0]) for r in self._db.execute("SELECT role FROM chunks ORDER BY row")]

    def intact(self) -> bool:
        """Whether SQLite's quick check finds the file sound; it reads every page, so a damaged
        one shows up even where no search has read it yet."""
        try:
            with self._reading():
                rows = self._db.execute("PRAGMA quick_check").fetchall()
        except IndexCorrupt:
            return False
        return rows == [("ok",)]

    def close(self) -> None:
        self._db.close()


def layout_to_json(layout: Layout) -> str:
    """`layout` as the JSON the store keeps."""
    return json.dumps({"headings": layout.headings, "items": layout.items, "source": layout.source})


def layout_from_json(raw: str) -> Layout:
    """A layout from the store's JSON. Raises ValueError (or a JSON error, also a ValueError)
    when it does not have the shape written."""
    data = json.loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get("source", ""), str):
        raise ValueError("layout is not an object")
    headings = tuple((int(level), int(start), int(end)) for level, start, end in data.get("headings", ()))
    items = tuple((int(start), int(end)) for start, end in data.get("items", ()))
    return Layout(headings, items, data.get("source", ""))


def _chunk(r: tuple[Any, ...]) -> ChunkRecord:
    heading_path = tuple(json.loads(r[7]))
    # A build written before passages had roles has no role column: the role is worked out here.
    role = _role(r[8]) if len(r) > 8 else role_of(r[2], r[4], r[5], r[3], heading_path)
    return ChunkRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], heading_path, role)


def _role(value: object) -> Role:
    """A stored role, read as "body" when it is none the hub knows (a damaged or foreign value)."""
    return next((role for role in ROLES if role == value), "body")


def role_of(position: int, start: int, end: int, text: str, heading_path: tuple[str, ...]) -> Role:
    """The role of a passage: the summary card, or what its text says it is (ingest.roles)."""
    if is_summary_card(position, start, end, heading_path):
        return "card"
    return passage_role(text, heading_path)
