"""Splitting document text into passages measured in the embedding model's own tokens."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from langchain_text_splitters import RecursiveCharacterTextSplitter

from ingest.types import Chunk, Extracted, Heading

TokenCounter = Callable[[str], int]
_SEPARATORS = ["\n\n", "\n", ". ", "; ", ", ", " ", ""]


def chunk_document(
    doc_id: str, extracted: Extracted, count_tokens: TokenCounter, size: int, overlap: int
) -> list[Chunk]:
    """Split `extracted` at its headings, then into passages of at most `size` tokens.

    Each chunk keeps its heading path, page and character offsets into `extracted.text`."""
    splitter = RecursiveCharacterTextSplitter(
        separators=_SEPARATORS,
        chunk_size=size,
        chunk_overlap=overlap,
        length_function=count_tokens,
        keep_separator="end",
        strip_whitespace=True,
    )
    chunks: list[Chunk] = []
    for start, end, path in _sections(extracted.text, extracted.headings):
        section = extracted.text[start:end]
        cursor = 0
        for piece in _split_to_fit(splitter, section, count_tokens, size):
            found = section.find(piece, cursor)
            offset = found if found >= 0 else section.find(piece)
            offset = max(offset, 0)
            cursor = offset + 1
            chunk_start = start + offset
            chunks.append(
                Chunk(
                    doc_id=doc_id,
                    position=len(chunks),
                    text=piece,
                    start=chunk_start,
                    end=chunk_start + len(piece),
                    page=page_at(extracted.page_starts, chunk_start),
                    heading_path=path,
                )
            )
    return chunks


def _split_to_fit(
    splitter: RecursiveCharacterTextSplitter, text: str, count_tokens: TokenCounter, size: int
) -> list[str]:
    """Split, then split again any piece still over `size`: token counts of pieces do not add
    up exactly to the count of their join, so the splitter's merge can overshoot slightly."""
    pieces: list[str] = []
    for piece in splitter.split_text(text):
        if not piece.strip():
            continue
        if count_tokens(piece) <= size:
            pieces.append(piece)
            continue
        smaller = RecursiveCharacterTextSplitter(
            separators=_SEPARATORS,
            chunk_size=max(size * 3 // 4, 8),
            chunk_overlap=0,
            length_function=count_tokens,
            keep_separator="end",
        )
        pieces.extend(_split_to_fit(smaller, piece, count_tokens, size) if size > 8 else [piece])
    return pieces


def _sections(text: str, headings: tuple[Heading, ...]) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, heading path) of each section; text before the first heading has no path."""
    bounds: list[tuple[int, int, tuple[str, ...]]] = []
    stack: list[Heading] = []
    first = headings[0].start if headings else len(text)
    if text[:first].strip():
        bounds.append((0, first, ()))
    for i, heading in enumerate(headings):
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
        end = headings[i + 1].start if i + 1 < len(headings) else len(text)
        if text[heading.start : end].strip():
            bounds.append((heading.start, end, tuple(h.title for h in stack)))
    return bounds


def page_at(page_starts: tuple[tuple[int, int], ...], offset: int) -> int | None:
    """The page number holding character `offset`, or None for formats without pages."""
    if not page_starts:
        return None
    starts = [start for _, start in page_starts]
    index = bisect.bisect_right(starts, offset) - 1
    return page_starts[max(index, 0)][0]
