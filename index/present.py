"""Snippets with the query's terms marked, as plain segments the UI escapes and styles."""

from __future__ import annotations

import bisect
import functools
import re

from index.keyword import analyse

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# A line that only names other documents or topics: "See also: ...", "Topics: ...", "Related: ...".
_POINTER_LINE = re.compile(r"^\s*(?:see also|topics|tags|related(?: \w+)?|keywords)\s*:", re.IGNORECASE)

# Where a sentence starts in text whose spaces are already collapsed (index.sentences cuts
# passages the same way, and more carefully, for the reader; this is the cheap form for snippets).
_SENTENCE_START = re.compile(r"[.!?][\"'’”)\]]? (?=[\"'‘“(\[]?[A-Z0-9])")

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
    """About `width` characters of `text`, marked: the window holding the most of the query's
    distinct terms, begun at a sentence where that holds as many. Lines that only point elsewhere
    ("See also: ...", "Topics: ...") are left out: they name topics without saying anything."""
    text = " ".join(" ".join(line for line in text.splitlines() if not _POINTER_LINE.match(line)).split())
    marked = _marked(text, terms)
    if len(text) <= width:
        return _segments(text, marked, 0, len(text))
    start = _window_start(text, marked, width) if marked else 0
    end = min(len(text), start + width)
    space = text.rfind(" ", start, end) if end < len(text) else end
    end = space if space > start else end
    segments = _segments(text, marked, start, end)
    if start > 0:
        segments.insert(0, ("… ", False))
    if end < len(text):
        segments.append((" …", False))
    return segments


def _window_start(text: str, marked: list[tuple[int, int]], width: int) -> int:
    """Where the snippet window starts: a sentence start, or a little before a marked word, whose
    window holds the most distinct query terms; sentence starts win ties, then the start nearest
    before the first marked word it holds (a reader sees the words without reading up to them)."""
    words = [(start, term_of(text[start:end])) for start, end in marked]
    positions = [start for start, _ in words]
    candidates = [(0, True)] + [(m.end(), True) for m in _SENTENCE_START.finditer(text)]
    for word_start in positions:
        start = max(0, word_start - width // 5)
        space = text.rfind(" ", 0, start)
        candidates.append((space + 1 if space >= 0 and start > 0 else start, False))

    def held(start: int) -> int:
        first = bisect.bisect_left(positions, start)
        last = bisect.bisect_left(positions, start + width - 20)  # the last word must fit whole
        return len({term for _, term in words[first:last]})

    def lead(start: int) -> int:
        first = bisect.bisect_left(positions, start)
        return positions[first] - start if first < len(positions) else width

    return max(candidates, key=lambda c: (held(c[0]), c[1], -lead(c[0]), -c[0]))[0]
