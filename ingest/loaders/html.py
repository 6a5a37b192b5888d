"""HTML pages, read with BeautifulSoup: page furniture dropped, the main content's outermost
blocks taken in order, table rows as lines of cells."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ingest.loaders.common import Loaded, TextBudget, decode, merge_body
from ingest.types import Segment

_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg", "iframe"]
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "tr", "dt", "dd", "figcaption"]


def load_html(name: str, raw: bytes, budget: TextBudget) -> Loaded:
    from bs4 import BeautifulSoup

    text, warnings = decode(name, raw)
    # lxml's HTML parser never loads a DTD or external entities; huge_tree stays off so libxml2's
    # limits on text node size apply.
    soup = BeautifulSoup(text, "lxml", huge_tree=False)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    segments: list[Segment] = []
    for element in _outer_blocks(root):
        if element.name == "tr":
            cells = [c.get_text(" ", strip=True) for c in element.find_all(["td", "th"])]
            segment = Segment(" | ".join(cells))
        elif element.name[0] == "h" and element.name[1:].isdigit():
            segment = Segment(element.get_text(" ", strip=True), heading_level=int(element.name[1]))
        else:
            segment = Segment(element.get_text(" ", strip=True))
        budget.add(len(segment.text))
        segments.append(segment)
    if not segments:
        segments.append(Segment(root.get_text("\n", strip=True)))
    return Loaded(merge_body(segments), native_title=title, warnings=warnings)


def _outer_blocks(root: Any) -> Iterator[Any]:
    """The block elements under `root` that are not inside another block, in document order.

    Walks the tree once with an explicit stack: asking each block for a block ancestor costs the
    depth of the tree per block, and recursion would fail on a page nested 100,000 deep."""
    from bs4 import Tag

    block_names = set(_BLOCK_TAGS)
    stack = [iter(root.children)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, Tag):
                if child.name in block_names:
                    yield child
                else:
                    stack.append(iter(child.children))
                    break
        else:
            stack.pop()
