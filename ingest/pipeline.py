"""From corpus files to documents with passages: reading, titles, summary cards and chunking."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ingest.chunking import TokenCounter, chunk_document
from ingest.errors import LoadError, SettingError
from ingest.reading import FileText, Limits, read_guarded
from ingest.scan import Scan, scan_corpus
from ingest.types import Chunk, Document, Heading, Metadata, SourceFile

# Title and headings are put in front of every passage before it is embedded and keyword
# indexed, so a passage deep in a section still matches what the section is about.
PREFIX_TOKEN_BUDGET = 48


ReadFn = Callable[[SourceFile], FileText]


def read_document(
    source: SourceFile,
    count_tokens: TokenCounter,
    max_tokens: int,
    chunk_tokens: int,
    chunk_overlap: int,
    read: ReadFn | None = None,
) -> Document:
    """Read, clean and chunk one file. Raises LoadError naming the file when it cannot be used.

    `read` turns the file into text (default: in this process, with default limits; the build
    passes a reader that runs in a worker process). The hash recorded is that of the bytes
    actually read, so a file that changed since the scan is indexed as read and picked up
    again by the next run."""
    if chunk_tokens + 2 > max_tokens:
        raise SettingError("HUB_CHUNK_TOKENS", str(chunk_tokens), f"exceeds the model's limit of {max_tokens} tokens")
    content = read(source) if read is not None else read_guarded(source, Limits())
    extracted = content.extracted
    metadata = _with_title(content.metadata, extracted.native_title, extracted.headings, source.doc_id)
    chunks = chunk_document(source.doc_id, extracted, count_tokens, chunk_tokens, chunk_overlap)
    if not chunks:
        raise LoadError(source.doc_id, "no passages could be made from the text")
    card = summary_card(source.doc_id, metadata, extracted.page_starts, count_tokens, chunk_tokens)
    if card is not None:
        chunks = [card, *(replace(c, position=c.position + 1) for c in chunks)]
    return Document(
        doc_id=source.doc_id,
        path=source.path,
        format=source.format,
        content_hash=content.content_hash,
        metadata=metadata,
        text=extracted.text,
        page_starts=extracted.page_starts,
        chunks=tuple(chunks),
        warnings=content.warnings,
        layout=extracted.layout,
    )


# The heading of the summary card passage.
CARD_HEADING = "Summary"
# Metadata fields written by editors as plain sentences about the whole document.
CARD_FIELDS = ("summary", "problem", "approach", "outcome", "goal", "deliverable", "capability")


def summary_card(
    doc_id: str, meta: Metadata, page_starts: tuple[tuple[int, int], ...], count_tokens: TokenCounter, size: int
) -> Chunk | None:
    """A passage made of the editor's summary fields and tags, or None when there are none.

    Editors describe a document in other words than its body uses, so indexing that
    description lets a query phrased like the summary, or naming a tag, find the document."""
    # A field is a kind's detail (a case study's problem) or, for other kinds, an extra key.
    written = (getattr(meta.details, k, meta.extra.get(k)) for k in CARD_FIELDS[1:])
    parts = [meta.summary] + [v for v in written if isinstance(v, str)]
    text = " ".join(p.strip() for p in parts if p and p.strip())
    if meta.tags:
        text = f"{text}\nTopics: {'; '.join(meta.tags)}.".strip()
    if not text:
        return None
    words = text.split()
    while words and count_tokens(" ".join(words)) > size:
        if len(words) > 1:
            words = words[: max(len(words) * 9 // 10, 1)]
        else:  # one unbroken run of characters (a long code, text without spaces): cut inside it
            words = [words[0][: len(words[0]) * 9 // 10]] if len(words[0]) > 1 else []
    if not words:
        return None
    first_page = page_starts[0][0] if page_starts else None
    return Chunk(doc_id, 0, " ".join(words), 0, 0, first_page, (CARD_HEADING,))


def is_summary_card(position: int, start: int, end: int, heading_path: tuple[str, ...]) -> bool:
    """Whether a passage is a document's summary card: the first passage, covering no span of
    the text, under the card's own heading. It helps find the document, but it answers nothing
    in the text, so readers are never sent to it."""
    return position == 0 and start == end == 0 and heading_path == (CARD_HEADING,)


def _with_title(meta: Metadata, native: str, headings: tuple[Heading, ...], doc_id: str) -> Metadata:
    if meta.title:
        return meta
    title = native or (headings[0].title if headings else "") or _title_from_name(doc_id)
    return replace(meta, title=title)


def _title_from_name(doc_id: str) -> str:
    stem = Path(doc_id).stem
    words = re.sub(r"[-_]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else doc_id


def prefix_budget(max_tokens: int, chunk_tokens: int) -> int:
    """Tokens left for the title prefix once a full passage and the special tokens fit."""
    return min(PREFIX_TOKEN_BUDGET, max_tokens - chunk_tokens - 4)


def indexed_text(title: str, chunk: Chunk, count_tokens: TokenCounter, budget: int = PREFIX_TOKEN_BUDGET) -> str:
    """The text embedded and keyword-indexed for a chunk: title and heading path, then the passage.

    The prefix is cut to `budget` tokens so the whole stays within the model's limit."""
    if budget <= 0:
        return chunk.text
    context = [title, *[h for h in chunk.heading_path if h != title]]
    prefix = " > ".join(c for c in context if c)
    if count_tokens(prefix) > budget:
        words = prefix.split()
        while words and count_tokens(" ".join(words)) > budget:
            words = words[: max(len(words) * 3 // 4, len(words) - 8)] if len(words) > 8 else words[:-1]
        prefix = " ".join(words)
    return f"{prefix}\n{chunk.text}" if prefix else chunk.text


__all__ = ["Scan", "read_document", "scan_corpus"]
