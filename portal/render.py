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
from collections.abc import Iterable
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


# A plain text's heading underlined the way e-mail and README files do: "Title" over "=====" is a
# top heading, over "-----" the next level.
_UNDERLINE = re.compile(r"\n[ \t]*(=|-)\1{2,}[ \t]*")


def _paragraphs_html(text: str, start: int, end: int, writer: Writer) -> None:
    for a, b in paragraphs(text, start, end):
        underline = _UNDERLINE.search(text, a, b)
        if underline and underline.end() == b and "\n" not in text[a : underline.start()]:
            tag = heading_tag(1 if underline.group(1) == "=" else 2)
            writer.tag(f"<{tag}>")
            writer.text(text[a : underline.start()], a)
            writer.tag(f"</{tag}>")
            continue
        # The lines of a plain text or a Word paragraph are kept as written (CSS pre-line).
        writer.tag("<p>")
        writer.text(text[a:b], a)
        writer.tag("</p>")
