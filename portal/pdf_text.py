"""A PDF's text for the reader: page by page under "Page N" headings (anchors page-N), its lines
joined into paragraphs.

A PDF's text layer breaks at every line of the printed page and rarely marks where paragraphs
end, so the ends are inferred from the lines themselves: a blank line, a line clearly shorter
than the document's usual line, a bullet starting the next line, a page number on its own. Runs
of short lines (tables of contents, table cells, addresses) keep their line breaks, and words
that came out one to a line are joined back into a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from portal.render import Span, Writer

# A line starting like this begins a paragraph of its own: a bullet or a numbered item.
_ITEM_START = re.compile(r"[•◦▪▫■□●○➔➢►‣⁃∙·*–—-]\s|\(?(?:[0-9]{1,3}|[a-zA-Z])[.)]\s")
# A page number or running footer on a line of its own ("Page 12", "7 of 142", "Page | 3", "iv").
_PAGE_NUMBER = re.compile(
    r"(?:page\s*\|?\s*)?(?:[0-9]{1,5}|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))(?:\s*(?:of|/)\s*[0-9]{1,5})?",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "?", "!", ":", ";")
# Against the document's usual line length: a line shorter than SHORT of it ends its paragraph
# (a heading, a page number, the last line of a paragraph), and one ending a sentence and shorter
# than SENTENCE_SHORT of it does too. Measured on the realdocs PDFs, whose body lines fill 85 to
# 100% of the usual length.
SHORT, SENTENCE_SHORT = 0.6, 0.85


def usual_line_length(text: str) -> int:
    """The length three lines in four of `text` stay within (non-blank lines), at least 1."""
    lengths = sorted(len(line.strip()) for line in text.split("\n") if line.strip())
    return max(lengths[len(lengths) * 3 // 4], 1) if lengths else 1


def _lines(text: str, start: int, end: int) -> list[Span | None]:
    """The spans of the lines of `text[start:end]` without their outer spaces; None for a blank."""
    out: list[Span | None] = []
    cursor = start
    for line in text[start:end].split("\n"):
        a, b = cursor, cursor + len(line)
        cursor = b + 1
        if not line.strip():
            out.append(None)
            continue
        out.append((a + len(line) - len(line.lstrip()), b - (len(line) - len(line.rstrip()))))
    return out


def _lone_word(text: str, line: Span | None) -> bool:
    return line is not None and not any(c.isspace() for c in text[line[0] : line[1]])


def pdf_paragraphs(text: str, start: int, end: int, usual: int) -> list[list[Span]]:
    """The paragraphs of a PDF page's text `text[start:end]`, each as its lines' spans, to be
    joined by spaces: see the module's docstring for where a paragraph ends."""
    lines = _lines(text, start, end)
    out: list[list[Span]] = []
    current: list[Span] = []
    for i, line in enumerate(lines):
        if line is None:
            current = _flush(out, current)
            continue
        stripped = text[line[0] : line[1]]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        # Words that came out one to a line: joined until a sentence ends.
        in_words = _lone_word(text, line) and (
            (bool(current) and _lone_word(text, current[-1])) or _lone_word(text, nxt)
        )
        alone = bool(_PAGE_NUMBER.fullmatch(stripped)) and not in_words
        if current and (alone or (_ITEM_START.match(stripped) and not in_words)):
            current = _flush(out, current)
        current.append(line)
        length = line[1] - line[0]
        ends = stripped.endswith(_SENTENCE_END)
        if in_words and _lone_word(text, nxt):
            if stripped.endswith((".", "?", "!")):
                current = _flush(out, current)
        elif alone or length < usual * SHORT or (ends and length < usual * SENTENCE_SHORT):
            current = _flush(out, current)
    _flush(out, current)
    return out


def _flush(out: list[list[Span]], current: list[Span]) -> list[Span]:
    if current:
        out.append(current)
    return []


def _blocks(text: str, paragraphs: list[list[Span]], usual: int) -> list[list[list[Span]]]:
    """`paragraphs` grouped into blocks: a run of one-line paragraphs that are all short (table
    cells, a contents list) is one block, drawn with its line breaks; any other is its own."""
    blocks: list[list[list[Span]]] = []
    for lines in paragraphs:
        short = len(lines) == 1 and lines[0][1] - lines[0][0] < usual * SHORT
        previous = blocks[-1] if blocks else None
        if short and previous and len(previous[-1]) == 1 and previous[-1][0][1] - previous[-1][0][0] < usual * SHORT:
            previous.append(lines)
        else:
            blocks.append([lines])
    return blocks


def _paragraph_html(text: str, lines: Sequence[Span], writer: Writer) -> None:
    """One paragraph's lines, joined by a space, or with nothing where a word was hyphenated
    across the line break (a hyphen ending a line before a lowercase letter)."""
    for i, (a, b) in enumerate(lines):
        nxt = lines[i + 1][0] if i + 1 < len(lines) else None
        hyphenated = (
            nxt is not None and b - a > 1 and text[b - 1] == "-" and text[b - 2].isalpha() and text[nxt].islower()
        )
        writer.text(text[a : b - 1] if hyphenated else text[a:b], a)
        if nxt is not None and not hyphenated:
            writer.text(" ", b)  # the line break's own offset


def pdf_html(text: str, page_starts: Sequence[tuple[int, int]], writer: Writer) -> None:
    """Write a PDF's text page by page, each under a "Page N" heading with the anchor page-N."""
    usual = usual_line_length(text)
    pages = [(page, start) for page, start in page_starts if 0 <= start <= len(text)]
    if not pages or pages[0][1] > 0:
        pages.insert(0, (0, 0))  # text before the first page (never, for the loader's PDFs)
    bounds = [start for _, start in pages[1:]] + [len(text)]
    for (page, start), end in zip(pages, bounds, strict=True):
        if page:
            writer.tag(f'<h2 class="hub-page" id="page-{page}">Page {page}</h2>')
        for block in _blocks(text, pdf_paragraphs(text, start, max(start, end), usual), usual):
            writer.tag("<p>")
            for i, lines in enumerate(block):
                if i:
                    last = block[i - 1][-1]
                    # Lone words (some PDFs put each word on a line of its own) make a sentence.
                    words = _lone_word(text, last) and _lone_word(text, lines[0])
                    joined = words and not text[last[0] : last[1]].endswith((".", "?", "!"))
                    writer.text(" " if joined else "\n", last[1])  # the break's own offset
                _paragraph_html(text, lines, writer)
            writer.tag("</p>")
