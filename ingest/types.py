"""Records that flow from the corpus to the index."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ingest.kinds import Details

KINDS: tuple[str, ...] = ("guidance", "case-study", "tool", "initiative", "standard", "training", "other")
STATUSES: tuple[str, ...] = ("current", "superseded", "withdrawn")
FORMATS: dict[str, str] = {
    ".pdf": "pdf",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".docx": "word",
    ".html": "html",
    ".htm": "html",
}
SIDECAR_SUFFIX = ".meta.yaml"


@dataclass(frozen=True)
class Metadata:
    """What an editor says about a document. Empty strings and None mean 'not given'."""

    title: str = ""
    kind: str = ""
    agency: str = ""
    focus_area: str = ""
    initiative: str = ""
    published: date | None = None
    review_by: date | None = None
    status: str = "current"
    tags: tuple[str, ...] = ()
    summary: str = ""
    source_url: str = ""
    # The groups the document is for (ingest/audience.py); empty: everyone.
    audience: tuple[str, ...] = ()
    # The fields of a tool, case study or initiative (ingest/kinds.py); None for other kinds.
    details: Details | None = None
    # Every other key the editor wrote, as written (made JSON-safe).
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Segment:
    """A piece of extracted text: a page of a PDF, a heading, or a block of body text."""

    text: str
    page: int | None = None
    heading_level: int | None = None
    list_item: bool = False


@dataclass(frozen=True)
class Layout:
    """How a document's text is laid out, for the reader to draw it; offsets are into the text.

    Markdown keeps its source (the body after any front matter), which the reader renders with
    its links, lists and tables; the other formats keep where their headings and list items are."""

    headings: tuple[tuple[int, int, int], ...] = ()  # (level, start, end)
    items: tuple[tuple[int, int], ...] = ()  # list items: (start, end)
    source: str = ""


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    start: int


@dataclass(frozen=True)
class Extracted:
    """A file's text after clean-up, with where its pages and headings start."""

    text: str
    page_starts: tuple[tuple[int, int], ...] = ()  # (page number, start offset)
    headings: tuple[Heading, ...] = ()
    native_title: str = ""
    warnings: tuple[str, ...] = ()
    layout: Layout = Layout()


@dataclass(frozen=True)
class Chunk:
    """A passage of a document, small enough for the embedding model."""

    doc_id: str
    position: int
    text: str
    start: int
    end: int
    page: int | None
    heading_path: tuple[str, ...]


@dataclass(frozen=True)
class SourceFile:
    """A corpus file found on disk, before it is read."""

    doc_id: str
    path: str
    format: str
    content_hash: str
    size: int
    sidecar: str | None
    # The corpus folder's real path: reading refuses a file that turns out to lie elsewhere.
    root: str = ""


@dataclass(frozen=True)
class Document:
    """A document ready for the index: its metadata, text and passages."""

    doc_id: str
    path: str
    format: str
    content_hash: str
    metadata: Metadata
    text: str
    page_starts: tuple[tuple[int, int], ...]
    chunks: tuple[Chunk, ...]
    warnings: tuple[str, ...] = ()
    layout: Layout = Layout()


@dataclass(frozen=True)
class Failure:
    """A file that could not be indexed, with why and what an editor can do."""

    doc_id: str
    reason: str
    hint: str = ""
    # True when the failure is no verdict on the file (reading was stopped): try it next run.
    retry: bool = False
