"""The reader's full text as HTML: its headings, lists, paragraphs and PDF pages, with the chosen
passage and its answering sentence marked where they fall.

Document text is hostile input. Every character of it goes through `esc`; the only tags written
are the fixed ones in this module and `portal/markdown.py`, never a tag or attribute taken from a
document. Marks are placed by character offsets into the document's stored text (the offsets the
passages carry), one <mark> per run of text inside a block, so a passage that crosses headings,
list items or pages is marked in each of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from ingest.types import Layout
from portal.html import esc

# Ids of the page's anchors: the start of the passage (the "Jump to it" link and the scroll on
# opening lead there) and the answering sentence.
PASSAGE_ID = "hub-passage"
ANSWER_ID = "hub-answer"
Span = tuple[int, int]

# Mark states of a run of text.
PLAIN, PASSAGE, ANSWER = 0, 1, 2
_MARK_CLASS = {PASSAGE: "hub-mark", ANSWER: "hub-answer"}


@dataclass(frozen=True)
class Marks:
    """The chosen passage and its answering sentence, as offsets into the document's text."""

    passage: Span | None = None
    answer: Span | None = None

    def state(self, offset: int) -> int:
        """ANSWER, PASSAGE or PLAIN: how the character at `offset` is marked."""
        if self.answer and self.answer[0] <= offset < self.answer[1]:
            return ANSWER
        if self.passage and self.passage[0] <= offset < self.passage[1]:
            return PASSAGE
        return PLAIN

    def cuts(self, start: int, end: int) -> list[int]:
        """The offsets strictly between `start` and `end` where the mark state may change."""
        bounds = [b for span in (self.passage, self.answer) if span for b in span]
        return sorted({b for b in bounds if start < b < end})


@dataclass
class Writer:
    """Collects the HTML of the full text. Text goes in escaped and marked; a <mark> stays open
    across pieces of text until the state changes or markup follows. The first marked run is
    preceded by the passage's anchor, and the first answer mark carries the answer's id."""

    marks: Marks
    parts: list[str] = field(default_factory=list)
    state: int = PLAIN  # the state of the <mark> open at the end, PLAIN for none
    anchored: bool = False
    answered: bool = False

    def tag(self, html: str) -> None:
        """Add markup written by the hub itself (never document text)."""
        self._close()
        self.parts.append(html)

    def text(self, text: str, start: int) -> None:
        """Add `text`, which stands for the document's characters from `start` one for one."""
        end = start + len(text)
        points = [start, *self.marks.cuts(start, end), end]
        self.runs((text[a - start : b - start], self.marks.state(a)) for a, b in pairwise(points) if b > a)

    def runs(self, runs: Iterable[tuple[str, int]]) -> None:
        """Add runs of text, each with its mark state."""
        for text, state in runs:
            if not text:
                continue
            if state != self.state:
                self._close()
                self._open(state)
            self.parts.append(esc(text))

    def _open(self, state: int) -> None:
        if state == PLAIN:
            return
        if not self.anchored:
            self.anchored = True
            self.parts.append(f'<span id="{PASSAGE_ID}" class="hub-anchor" tabindex="-1"></span>')
        ident = ""
        if state == ANSWER and not self.answered:
            self.answered = True
            ident = f' id="{ANSWER_ID}"'
        self.parts.append(f'<mark class="{_MARK_CLASS[state]}"{ident}>')
        self.state = state

    def _close(self) -> None:
        if self.state != PLAIN:
            self.parts.append("</mark>")
            self.state = PLAIN

    def html(self) -> str:
        """Everything added, as one string."""
        self._close()
        return "".join(self.parts)


# ---- text with its layout (Word, HTML, plain text) -------------------------------------------------

_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


def paragraphs(text: str, start: int, end: int) -> list[Span]:
    """The paragraphs of `text[start:end]`: the stretches between blank lines, without the space
    around them."""
    spans: list[Span] = []
    cursor = start
    for match in _BLANK_LINES.finditer(text, start, end):
        spans.append((cursor, match.start()))
        cursor = match.end()
    spans.append((cursor, end))
    out = []
    for a, b in spans:
        piece = text[a:b]
        a, b = a + len(piece) - len(piece.lstrip()), b - (len(piece) - len(piece.rstrip()))
        if b > a:
            out.append((a, b))
    return out


def heading_tag(level: int) -> str:
    """The HTML heading for a document heading of `level`: the page's own title is the h1, so a
    document's top headings are h2."""
    return f"h{min(max(level, 1) + 1, 6)}"


def layout_html(text: str, layout: Layout, writer: Writer) -> None:
    """Write `text` as paragraphs, with the headings and list items `layout` records."""
    blocks: list[tuple[int, int, str]] = [(s, e, heading_tag(level)) for level, s, e in layout.headings]
    blocks += [(s, e, "li") for s, e in layout.items]
    blocks = sorted(b for b in blocks if 0 <= b[0] < b[1] <= len(text))
    cursor = 0
    in_list = False
    for start, end, tag in blocks:
        if start < cursor:  # overlapping records (a damaged layout) are drawn as plain text
            continue
        if tag != "li" or text[cursor:start].strip():  # a list ends at anything but an item
            in_list = _close_list(writer, in_list)
        _paragraphs_html(text, cursor, start, writer)
        if tag == "li" and not in_list:
            writer.tag("<ul>")
            in_list = True
        writer.tag(f"<{tag}>")
        writer.text(text[start:end], start)
        writer.tag(f"</{tag}>")
        cursor = end
    _close_list(writer, in_list)
    _paragraphs_html(text, cursor, len(text), writer)


def _close_list(writer: Writer, in_list: bool) -> bool:
    if in_list:
        writer.tag("</ul>")
    return False


def _paragraphs_html(text: str, start: int, end: int, writer: Writer) -> None:
    for a, b in paragraphs(text, start, end):
        # The lines of a plain text or a Word paragraph are kept as written (CSS pre-line).
        writer.tag("<p>")
        writer.text(text[a:b], a)
        writer.tag("</p>")


# ---- PDF --------------------------------------------------------------------------------------------

# A line starting like this begins a paragraph of its own: a bullet or a numbered item.
_ITEM_START = re.compile(r"[•◦▪▫■□●○➔➢►‣⁃∙·*–—-]\s|\(?(?:[0-9]{1,3}|[a-zA-Z])[.)]\s")
# A page number or running footer on a line of its own ("Page 12", "7 of 142", "Page | 3").
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


def pdf_paragraphs(text: str, start: int, end: int, usual: int) -> list[list[Span]]:
    """The paragraphs of a PDF page's text `text[start:end]`, each as its lines' spans.

    PDF text breaks at every line of the page; a paragraph ends at a blank line, before a line
    that starts a bullet or numbered item, and after a line clearly shorter than `usual`; a page
    number is a paragraph of its own."""
    out: list[list[Span]] = []
    current: list[Span] = []
    cursor = start
    for line in text[start:end].split("\n"):
        a, b = cursor, cursor + len(line)
        cursor = b + 1
        stripped = line.strip()
        if not stripped:
            current = _flush(out, current)
            continue
        a += len(line) - len(line.lstrip())
        b -= len(line) - len(line.rstrip())
        alone = bool(_PAGE_NUMBER.fullmatch(stripped))
        if current and (alone or _ITEM_START.match(stripped)):
            current = _flush(out, current)
        current.append((a, b))
        length = b - a
        if alone or length < usual * SHORT or (stripped.endswith(_SENTENCE_END) and length < usual * SENTENCE_SHORT):
            current = _flush(out, current)
    _flush(out, current)
    return out


def _flush(out: list[list[Span]], current: list[Span]) -> list[Span]:
    if current:
        out.append(current)
    return []


def _pdf_paragraph_html(text: str, lines: Sequence[Span], writer: Writer) -> None:
    """One paragraph: its lines joined by a space, or with nothing where a word was hyphenated
    across the line break (a hyphen ending a line before a lowercase letter)."""
    writer.tag("<p>")
    for i, (a, b) in enumerate(lines):
        nxt = lines[i + 1][0] if i + 1 < len(lines) else None
        hyphenated = (
            nxt is not None and b - a > 1 and text[b - 1] == "-" and text[b - 2].isalpha() and text[nxt].islower()
        )
        writer.text(text[a : b - 1] if hyphenated else text[a:b], a)
        if nxt is not None and not hyphenated:
            writer.text(" ", b)  # the line break's own offset
    writer.tag("</p>")


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
        for lines in pdf_paragraphs(text, start, max(start, end), usual):
            _pdf_paragraph_html(text, lines, writer)
