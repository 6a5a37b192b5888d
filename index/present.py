"""Snippets with the query's terms marked, as plain segments the UI escapes and styles."""

from __future__ import annotations

import re

from index.keyword import analyse

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

Segment = tuple[str, bool]  # (text, is a query term)


def query_terms(query: str) -> frozenset[str]:
    return frozenset(analyse(query))


def highlight(text: str, terms: frozenset[str]) -> list[Segment]:
    """Split `text` into segments, marking words whose analysed form is a query term."""
    segments: list[Segment] = []
    last = 0
    for match in _WORD.finditer(text):
        analysed = analyse(match.group(0))
        if analysed and analysed[0] in terms:
            if match.start() > last:
                segments.append((text[last : match.start()], False))
            segments.append((match.group(0), True))
            last = match.end()
    if last < len(text):
        segments.append((text[last:], False))
    return segments


def snippet(text: str, terms: frozenset[str], width: int = 320) -> list[Segment]:
    """The window of about `width` characters of `text` holding the most query terms, marked."""
    text = " ".join(text.split())
    if len(text) <= width:
        return highlight(text, terms)
    hits = [m.start() for m in _WORD.finditer(text) if (a := analyse(m.group(0))) and a[0] in terms]
    start = 0
    if hits:
        best = max(hits, key=lambda h: sum(1 for o in hits if h <= o < h + width))
        start = max(0, best - width // 5)
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start > 0 else start
    end = min(len(text), start + width)
    space = text.rfind(" ", start, end) if end < len(text) else end
    end = space if space > start else end
    segments = highlight(text[start:end], terms)
    if start > 0:
        segments.insert(0, ("… ", False))
    if end < len(text):
        segments.append((" …", False))
    return segments


def plain(segments: list[Segment]) -> str:
    return "".join(text for text, _ in segments)
