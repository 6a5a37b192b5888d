"""What the reader (the Document page) shows: the original file, if it may be downloaded; the
warnings to see first; where a passage is; and the full text drawn with its structure."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from index import DocumentRecord, DocumentView, highlight, query_terms
from ingest.reading import TooLarge, content_hash, read_version
from ingest.types import SIDECAR_SUFFIX
from portal.html import highlight_html
from portal.labels import format_date
from portal.markdown import markdown_html
from portal.pdf_text import pdf_html
from portal.render import Marks, Writer, layout_html
from portal.values import as_text

# ---- the original file ---------------------------------------------------------------------------


def original_file(record: DocumentRecord, corpus_dir: Path) -> Path | None:
    """The document's original file, only if it resolves (symlinks followed) to a file inside the
    configured corpus folder; None otherwise, so nothing outside the corpus is ever served."""
    root = corpus_dir.resolve()
    try:
        path = Path(record.path).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or path == root or not path.is_file():
        return None
    return path


@dataclass(frozen=True)
class Original:
    """A document's original file as the Document page offers it for download."""

    path: Path
    size: int
    problem: str  # why it cannot be downloaded, or "" when it can


class ChangedSinceIndexed(OSError):
    """The original file is no longer the version the index holds."""


def indexed_original(record: DocumentRecord, corpus_dir: Path, max_bytes: int) -> bytes:
    """The bytes of `record`'s original file, if they are still the version that was indexed.

    The file and its sidecar are found and read as the corpus scan does (the sidecar beside the
    document's name in the corpus, both checked to lie inside it when opened). Raises TooLarge,
    or OSError when the file is gone, lies outside the corpus or has changed since."""
    root = os.path.realpath(corpus_dir)
    path = original_file(record, corpus_dir)
    if path is None:
        raise FileNotFoundError(0, "not in the corpus folder", record.doc_id)
    sidecar = os.path.realpath(corpus_dir / (record.doc_id + SIDECAR_SUFFIX))
    raw, side = read_version(str(path), sidecar if os.path.isfile(sidecar) else None, max_bytes, root)
    if content_hash(raw, side) != record.content_hash:
        raise ChangedSinceIndexed(0, "changed since it was indexed", record.doc_id)
    return raw


def original_download(record: DocumentRecord, corpus_dir: Path, max_bytes: int) -> Original | None:
    """The original file of `record` if it is still the version that was indexed; None when there
    is no such file inside the corpus. A file over `max_bytes`, or one that changed since it was
    indexed (its text in the hub is then an earlier version), comes with the reason instead."""
    path = original_file(record, corpus_dir)
    if path is None:
        return None
    try:
        size = len(indexed_original(record, corpus_dir, max_bytes))
    except TooLarge as exc:
        return Original(path, exc.size, "The original file is larger than the hub serves for download.")
    except ChangedSinceIndexed:
        return Original(
            path,
            0,
            "The file has changed since this version was indexed; "
            "it can be downloaded again once the index is updated.",
        )
    except OSError:
        return None
    return Original(path, size, "")


# ---- warnings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Banner:
    level: Literal["warning", "error"]
    message: str
    link: str | None = None  # a document id the banner points to


def banners(record: DocumentRecord, today: dt.date, known: Collection[str]) -> list[Banner]:
    """Warnings a reader must see before trusting a document."""
    meta = record.metadata
    out: list[Banner] = []
    successor = as_text(meta.extra.get("superseded_by"))
    link = successor if successor in known else None
    if meta.status == "superseded":
        out.append(Banner("warning", "This document has been superseded and is kept for reference only.", link))
    elif meta.status == "withdrawn":
        out.append(Banner("error", "This document has been withdrawn. Do not rely on it.", link))
    if meta.review_by and meta.review_by < today:
        out.append(
            Banner(
                "warning",
                f"This document was due for review by {format_date(meta.review_by)}; check it is still current.",
            )
        )
    return out


# ---- passages and text -----------------------------------------------------------------------------


def location(page: int | None, heading_path: Sequence[str], title: str = "") -> str:
    """Where a passage is, for people: its page in a PDF, or its section. A top heading that
    repeats the document's title says nothing new and is left out."""
    if page is not None:
        return f"Page {page}"
    path = [h for h in heading_path if h]
    if path and title and path[0].casefold() == title.casefold():
        path = path[1:]
    return " › ".join(path)


def full_text_html(
    view: DocumentView,
    marks: Marks,
    known: Collection[str],
    search: Mapping[str, str | list[str]] | None = None,
) -> str:
    """The document's whole text as HTML with its structure: a Markdown document rendered from
    its source (unless too long, see `markdown_html`), a PDF page by page (anchors page-N), other
    formats as paragraphs with the headings and list items their layout records. What `marks`
    covers is marked wherever it falls."""
    record, layout = view.record, view.layout
    writer = None
    if record.format == "markdown" and layout.source:
        writer = markdown_html(layout.source, view.text, marks, record.doc_id, known, search)
    if writer is None:
        writer = Writer(marks)
        if record.format == "pdf":
            pdf_html(view.text, record.page_starts, writer)
        else:
            layout_html(view.text, layout, writer)
    return f'<article class="hub-text" aria-label="Document text">{writer.html()}</article>'


# A Markdown list item's marker at the start of a line: the passage box shows a bullet instead.
_LIST_MARKER = re.compile(r"^[ \t]*[-*+][ \t]+", re.MULTILINE)
# A line break inside a PDF paragraph, where the page's line ended, not the sentence.
_PDF_LINE_BREAK = re.compile(r"(?<![\n])\n(?![\n])")


def passage_html(text: str, query: str, answer: tuple[int, int] | None, pdf: bool) -> str:
    """The opened passage as HTML for the box above the full text: query terms marked, the
    answering sentence (`answer`, offsets into `text`) in a stronger mark, list markers shown as
    bullets and a PDF's line breaks joined. Every piece of text is escaped."""
    cuts = [(0, len(text), False)]
    if answer and 0 <= answer[0] < answer[1] <= len(text):
        cuts = [(0, answer[0], False), (answer[0], answer[1], True), (answer[1], len(text), False)]
    terms = query_terms(query)
    parts = []
    for start, end, is_answer in cuts:
        piece = _LIST_MARKER.sub("• ", text[start:end])
        piece = _PDF_LINE_BREAK.sub(" ", piece) if pdf else piece
        html = highlight_html(highlight(piece, terms))
        parts.append(f'<mark class="hub-answer">{html}</mark>' if is_answer else html)
    return "".join(parts).strip()
