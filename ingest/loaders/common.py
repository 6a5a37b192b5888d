"""What every loader shares: the result of a loader, the budget that stops a file once its text
is clearly too long, joining segments into one text, reading the bytes of a text file, and
joining runs of body paragraphs."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.errors import LoadError
from ingest.normalise import normalise
from ingest.types import Extracted, Heading, Layout, Segment

# Clean-up can shrink extracted text (runs of spaces collapse, Markdown link targets go), so while a
# file is read it is stopped only once its raw text passes this multiple of the limit; the cleaned
# text is then checked against the limit itself. The multiple bounds memory at twice the limit.
EARLY_LIMIT_FACTOR = 2


@dataclass
class Loaded:
    segments: list[Segment]
    native_title: str = ""
    front_matter: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Markdown's source, kept for the reader to render (see Layout).
    source: str = ""


class TextBudget:
    """Counts the characters a loader extracts and stops the file once it is clearly too long,
    before the whole text is built."""

    def __init__(self, name: str, max_chars: int | None) -> None:
        self.name = name
        self.max_chars = max_chars
        self.used = 0

    def add(self, chars: int) -> None:
        """Count `chars` more characters. Raises LoadError once the count passes
        EARLY_LIMIT_FACTOR times the limit."""
        self.used += chars
        if self.max_chars is not None and self.used > self.max_chars * EARLY_LIMIT_FACTOR:
            raise too_long(self.name, self.max_chars)


# A loader: (file name, its bytes, the budget) -> what it found. Raises LoadError.
Loader = Callable[[str, bytes, TextBudget], Loaded]


def too_long(name: str, max_chars: int) -> LoadError:
    """The error for a file whose text is over `max_chars` characters."""
    return LoadError(
        name,
        f"the text is over {max_chars:,} characters (the limit is HUB_MAX_TEXT_CHARS={max_chars})",
        f"Split the document into parts of under {max_chars:,} characters each, "
        "or ask the hub's administrator to raise HUB_MAX_TEXT_CHARS.",
    )


def assemble(
    segments: list[Segment], native_title: str = "", warnings: list[str] | None = None, source: str = ""
) -> Extracted:
    """Normalise each segment and join them, recording where pages, headings and list items are."""
    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    headings: list[Heading] = []
    spans: list[tuple[int, int, int]] = []
    items: list[tuple[int, int]] = []
    offset = 0
    for segment in segments:
        text = normalise(segment.text)
        if segment.page is not None:
            pages.append((segment.page, offset))
        if not text:
            continue
        if segment.heading_level is not None:
            headings.append(Heading(segment.heading_level, " ".join(text.split()), offset))
            spans.append((segment.heading_level, offset, offset + len(text)))
        elif segment.list_item:
            items.append((offset, offset + len(text)))
        parts.append(text)
        offset += len(text) + 2
    return Extracted(
        text="\n\n".join(parts),
        page_starts=tuple(pages),
        headings=tuple(headings),
        native_title=" ".join(normalise(native_title).split()),
        warnings=tuple(warnings or ()),
        layout=Layout(tuple(spans), tuple(items), source),
    )


def merge_body(segments: list[Segment]) -> list[Segment]:
    """Join runs of body paragraphs on the same page into one block so chunks do not break at
    every paragraph. Each run is joined once: adding to a string per paragraph copies the block
    every time and took minutes on a file of 300,000 paragraphs."""
    merged: list[Segment] = []
    run: list[Segment] = []

    def close_run() -> None:
        if len(run) == 1:
            merged.append(run[0])
        elif run:
            merged.append(Segment("\n\n".join(s.text for s in run), page=run[0].page))
        run.clear()

    for segment in segments:
        # Headings and list items stay segments of their own, so the reader knows where they are.
        if segment.heading_level is not None or segment.list_item:
            close_run()
            merged.append(segment)
        else:
            if run and run[-1].page != segment.page:
                close_run()
            run.append(segment)
    close_run()
    return merged


# Byte order marks of the wide encodings, longest first: UTF-32 LE's begins with UTF-16 LE's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_SNIFF_BYTES = 8192
# Unicode categories of what text never holds: control characters, unassigned and private-use code
# points, lone surrogates. Binary data read as UTF-16 lands on them about a quarter of the time.
_NOT_TEXT = frozenset({"Cc", "Cn", "Co", "Cs"})
_TEXT_CONTROLS = frozenset("\t\n\r\x0b\x0c")


def decode(name: str, raw: bytes) -> tuple[str, list[str]]:
    """The text of a text, Markdown or HTML file, and warnings about how it was read.

    Reads UTF-8, UTF-16 and UTF-32 with a byte order mark, UTF-16 without one when the text is
    mostly ASCII, and anything else as Windows-1252. Raises LoadError for binary data."""
    encoding = next((enc for bom, enc in _WIDE_BOMS if raw.startswith(bom)), None) or _utf16_without_bom(raw)
    if encoding is None:
        if b"\x00" in raw[:_SNIFF_BYTES]:
            raise _binary(name)
        try:
            return raw.decode("utf-8-sig"), []
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]
    warnings: list[str] = []
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode(encoding, errors="replace")
        warnings.append(f"damaged {encoding.upper()} text: unreadable characters replaced")
    # Binary data can begin with bytes that look like a byte order mark.
    if _looks_binary(text[:_SNIFF_BYTES]):
        raise _binary(name)
    return text, warnings


def _looks_binary(sample: str) -> bool:
    """True when more than 1 in 20 characters of `sample` are ones text never holds (or any is NUL)."""
    if "\x00" in sample:
        return True
    odd = sum(
        1
        for char in sample
        if char == "\ufffd" or (unicodedata.category(char) in _NOT_TEXT and char not in _TEXT_CONTROLS)
    )
    return odd > len(sample) / 20


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when `raw` looks like mostly-ASCII UTF-16 without a byte order
    mark: nearly every other byte NUL and the bytes between them not. Otherwise None."""
    sample = raw[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    # Letters beyond Latin-1 (ā, ś, Chinese) have no NUL byte, and a few (Ā is 00 01) a NUL in
    # the other place, so the test is "mostly" on both sides.
    if odd_nuls >= pairs * 0.7 and even_nuls <= pairs * 0.05:
        return "utf-16-le"
    if even_nuls >= pairs * 0.7 and odd_nuls <= pairs * 0.05:
        return "utf-16-be"
    return None


def _binary(name: str) -> LoadError:
    return LoadError(name, "binary data in a text file", "The file may be mislabelled: check its extension.")
