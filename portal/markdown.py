"""Markdown documents for the reader: headings, lists, tables, emphasis, code and links, drawn
from the document's Markdown source. The only module that imports markdown-it.

markdown-it only parses here (raw HTML off); the HTML is written by `_Renderer` from a fixed set
of tags, every piece of text escaped by `Writer`. Links: one to another hub document opens it in
the reader, a web address is marked as leaving the hub, and anything else (javascript:, data:,
a file that is not in the hub) shows as its text alone.

The passage to mark is given as offsets into the stored text, which is the source with its
markup taken out and its spacing cleaned (ingest/loaders/text.py, ingest/normalise.py). Each
word drawn from the source is found in the stored text, in order, from where the last one was
found; its offset there decides whether it is marked.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from portal.html import esc
from portal.render import PLAIN, Marks, Writer, heading_tag
from portal.urls import doc_href

# CommonMark with GitHub's tables and strikethrough; raw HTML is text, never markup.
_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
# Tags drawn as they are, without attributes; headings, ordered lists, links, cells, code blocks
# and images are handled on their own.
_PLAIN_TAGS = frozenset({"p", "ul", "li", "blockquote", "thead", "tbody", "tr", "em", "strong", "s"})
# How far ahead in the stored text a word is looked for. Markup dropped from the stored text is
# short, so a word further away is one the stored text does not have (it was cleaned away).
LOOK_AHEAD = 1000
# Where the loader and markdown-it read the source differently (a fence inside a fence), the
# stored text can hold a stretch the rendering does not, or the other way round; a word this long,
# rare enough not to be found by chance, is looked for this far ahead to find the place again.
RESYNC_CHARS, RESYNC_AHEAD = 6, 20_000
# Markdown longer than this is drawn from its stored text instead (headings and paragraphs):
# markdown-it parses 180,000 (list-heavy) to 400,000 (prose) characters a second on this machine
# (bench/reader.py), and 300,000 characters of "*a " took 2.9 s to draw; the longest real
# Markdown document seen (realdocs) is under 20,000 characters.
MAX_SOURCE_CHARS = 100_000
# The share of the stored text's letters and digits the rendered source must show; less means
# the parser dropped text (markdown-it leaves out what is nested past its limit), and the stored
# text is drawn instead, so no document text is ever missing from the reader.
MIN_SHOWN = 0.9
_WORD_CHARS = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class LinkTarget:
    """Where a Markdown link leads: a hub document (its id), a web address, or nowhere."""

    kind: Literal["document", "web", "none"]
    target: str = ""


def link_target(href: str, doc_id: str, known: Collection[str]) -> LinkTarget:
    """Where the link `href` in document `doc_id` leads: a document of `known` (relative to
    `doc_id`'s folder, or to the corpus when it starts with "/"), an http(s) address, or nowhere."""
    try:
        parts = urlsplit(href.strip())
    except ValueError:
        return LinkTarget("none")
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.netloc:
        return LinkTarget("web", href.strip())
    if scheme or parts.netloc or not parts.path:
        return LinkTarget("none")
    path = unquote(parts.path)
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(doc_id), path)
    target = posixpath.normpath(joined)
    # Sites built from Markdown link to pages without the ".md", and to folders by their README.
    for candidate in (target, f"{target}.md", f"{target}/README.md", f"{target}/index.md"):
        if candidate in known:
            return LinkTarget("document", candidate)
    return LinkTarget("none")


class _Aligner:
    """Finds the words of the rendered source in the stored text, in order, and counts the
    letters and digits of those it found."""

    def __init__(self, text: str, marks: Marks) -> None:
        self.text = text
        self.marks = marks
        self.cursor = 0
        self.found = 0

    def runs(self, fragment: str) -> list[tuple[str, int]]:
        """`fragment` cut into runs of one mark state: each word takes the state of where it is
        found; the space between two words the state they share (none if they differ)."""
        out: list[tuple[str, int]] = []
        previous = PLAIN
        for i, word in enumerate(fragment.split(" ")):
            state = self._state(word) if word.strip() else previous
            if i:
                space_state = state if state == previous else PLAIN
                out.append((" ", space_state))
            out.append((word, state))
            previous = state
        return out

    def _state(self, word: str) -> int:
        wanted = unicodedata.normalize("NFKC", word.strip())
        if not _WORD_CHARS.search(wanted):
            # Marks alone ("#", "-", "|", "```") are what the stored text most often lacks; looked
            # for, they would be found further on and pull the words after them out of place.
            return self.marks.state(self.cursor)
        found = self.text.find(wanted, self.cursor, self.cursor + LOOK_AHEAD + len(wanted))
        if found < 0 and len(wanted) >= RESYNC_CHARS:
            found = self.text.find(wanted, self.cursor, self.cursor + RESYNC_AHEAD)
        if found < 0:
            return self.marks.state(self.cursor)
        self.cursor = found + len(wanted)
        self.found += len(_WORD_CHARS.findall(wanted))
        return self.marks.state(found)


class _Renderer:
    def __init__(
        self, text: str, writer: Writer, doc_id: str, known: Collection[str], search: Mapping[str, str | list[str]]
    ) -> None:
        self.aligner = _Aligner(text, writer.marks)
        self.writer = writer
        self.doc_id = doc_id
        self.known = known
        self.search = search
        self.links: list[LinkTarget] = []

    def text(self, fragment: str) -> None:
        self.writer.runs(self.aligner.runs(fragment))

    def block(self, token: Token) -> None:
        tag = token.tag
        if token.type == "inline":
            self.inline(token.children or [])
        elif token.type in ("fence", "code_block"):
            self.writer.tag("<pre><code>")
            content = token.content[:-1] if token.content.endswith("\n") else token.content
            for i, line in enumerate(content.split("\n")):
                self.text(("\n" if i else "") + line)
            self.writer.tag("</code></pre>")
        elif token.type == "hr":
            self.writer.tag("<hr>")
        elif token.type in ("heading_open", "heading_close"):
            level = heading_tag(int(tag[1]))
            self.writer.tag(f"<{level}>" if token.nesting == 1 else f"</{level}>")
        elif token.type == "ordered_list_open":
            start = token.attrs.get("start")
            first = f' start="{int(start)}"' if isinstance(start, int | str) and str(start).isdigit() else ""
            self.writer.tag(f"<ol{first}>")
        elif token.type == "ordered_list_close":
            self.writer.tag("</ol>")
        elif token.type == "table_open":
            self.writer.tag('<div class="hub-table-wrap"><table class="hub-table">')
        elif token.type == "table_close":
            self.writer.tag("</table></div>")
        elif tag in ("th", "td"):
            scope = ' scope="col"' if tag == "th" and token.nesting == 1 else ""
            self.writer.tag(f"<{tag}{scope}>" if token.nesting == 1 else f"</{tag}>")
        elif tag in _PLAIN_TAGS and not token.hidden:
            self.writer.tag(f"<{tag}>" if token.nesting == 1 else f"</{tag}>")
        elif token.content and token.nesting == 0:
            self.text(token.content)

    def inline(self, tokens: Sequence[Token]) -> None:
        for token in tokens:
            if token.type == "text":
                self.text(token.content)
            elif token.type == "softbreak":
                self.text(" ")
            elif token.type == "hardbreak":
                self.writer.tag("<br>")
            elif token.type == "code_inline":
                self.writer.tag("<code>")
                self.text(token.content)
                self.writer.tag("</code>")
            elif token.type == "image":  # its description only: the hub loads nothing a document names
                self.text(token.content)
            elif token.type == "link_open":
                self.link_open(str(token.attrs.get("href", "")))
            elif token.type == "link_close":
                self.link_close()
            elif token.tag in _PLAIN_TAGS:
                self.writer.tag(f"<{token.tag}>" if token.nesting == 1 else f"</{token.tag}>")
            elif token.content:
                self.text(token.content)

    def link_open(self, href: str) -> None:
        target = link_target(href, self.doc_id, self.known)
        self.links.append(target)
        if target.kind == "document":
            self.writer.tag(f'<a href="{esc(doc_href(target.target, None, self.search))}">')
        elif target.kind == "web":
            self.writer.tag(f'<a href="{esc(target.target)}" class="hub-external" rel="external noopener noreferrer">')

    def link_close(self) -> None:
        target = self.links.pop() if self.links else LinkTarget("none")
        if target.kind == "web":
            self.writer.tag('<span class="hub-external-note"> (external site)</span></a>')
        elif target.kind == "document":
            self.writer.tag("</a>")


def markdown_html(
    source: str,
    text: str,
    marks: Marks,
    doc_id: str,
    known: Collection[str],
    search: Mapping[str, str | list[str]] | None = None,
) -> Writer | None:
    """The Markdown `source` of document `doc_id` drawn as HTML, marking what lies in `marks`'
    spans of the stored `text`; links to documents in `known` carry `search`. None when the
    source is too long to parse quickly or its rendering leaves out text the stored text has."""
    if len(source) > MAX_SOURCE_CHARS:
        return None
    writer = Writer(marks)
    renderer = _Renderer(text, writer, doc_id, known, search or {})
    for token in _PARSER.parse(source):
        renderer.block(token)
    if renderer.aligner.found < MIN_SHOWN * len(_WORD_CHARS.findall(text)):
        return None
    return writer
