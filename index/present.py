"""Snippets with the query's terms marked, as plain segments the UI escapes and styles."""

from __future__ import annotations

import bisect
import functools
import re

from index.keyword import analyse

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

Marked = tuple[str, bool]  # (text, is a query term)


def query_terms(query: str) -> frozenset[str]:
    """The terms a snippet marks: the query's analysed words of two letters or more. A lone
    letter (the "s" of "people's", an initial) is no word a reader looks for."""
    return frozenset(t for t in analyse(query) if len(t) > 1)


def words_of(text: str) -> frozenset[str]:
    """The analysed terms of `text`, as `query_terms` gives them."""
    return frozenset(t for w in _WORD.findall(text) if len(t := term_of(w)) > 1)


@functools.lru_cache(maxsize=65536)
def term_of(word: str) -> str:
    """The analysed form of one word, or '' for a stop word. Cached: snippets analyse the same
    common words over and over, and stemming each anew is most of their cost."""
    analysed = analyse(word)
    return analysed[0] if analysed else ""


def highlight(text: str, terms: frozenset[str]) -> list[Marked]:
    """Split `text` into segments, marking words whose analysed form is a query term."""
    return _segments(text, _marked(text, terms), 0, len(text))


def _marked(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Where the words of `text` that are query terms start and end."""
    return [m.span() for m in _WORD.finditer(text) if term_of(m.group(0)) in terms]


def _segments(text: str, marked: list[tuple[int, int]], start: int, end: int) -> list[Marked]:
    segments: list[Marked] = []
    last = start
    for word_start, word_end in marked:
        if word_start < start or word_end > end:
            continue
        if word_start > last:
            segments.append((text[last:word_start], False))
        segments.append((text[word_start:word_end], True))
        last = word_end
    if last < end:
        segments.append((text[last:end], False))
    return segments


def snippet(text: str, terms: frozenset[str], width: int = 320) -> list[Marked]:
    """The window of about `width` characters of `text` holding the most query terms, marked."""
    text = " ".join(text.split())
    marked = _marked(text, terms)
    if len(text) <= width:
        return _segments(text, marked, 0, len(text))
    start = 0
    if marked:
        starts = [s for s, _ in marked]
        # The marked word that begins the window holding the most marked words.
        best = max(range(len(starts)), key=lambda i: bisect.bisect_left(starts, starts[i] + width) - i)
        start = max(0, starts[best] - width // 5)
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start > 0 else start
    end = min(len(text), start + width)
    space = text.rfind(" ", start, end) if end < len(text) else end
    end = space if space > start else end
    segments = _segments(text, marked, start, end)
    if start > 0:
        segments.insert(0, ("… ", False))
    if end < len(text):
        segments.append((" …", False))
    return segments
