"""Where the sentences of a passage start and end, as a reader sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass

Span = tuple[int, int]  # start and end, as character offsets into the passage text

# A sentence ends at . ! ? (with any closing quote or bracket) before a space and a capital, digit
# or opening quote; or at a blank line; or before a line that starts a list item. Abbreviations
# such as "e.g. the" are not split, as a lower-case word follows them.
_SENTENCE_END = re.compile(
    r"[.!?][\"'’”)\]]?(?P<gap>\s+)(?=[\"'‘“(\[]?[A-Z0-9])"
    r"|\n[ \t]*\n\s*"
    r"|\n(?=[ \t]*(?:[-*•▪◦–]|\d{1,3}[.)]|[a-z][.)])\s)"
)
_ITEM_NUMBER = re.compile(r"\(?(?:\d{1,3}|[a-z])[.)]")


@dataclass(frozen=True)
class Sentence:
    span: Span
    text: str


def sentences(text: str) -> list[Sentence]:
    """The sentences of `text` with their spans, leading and trailing space trimmed."""
    found: list[Sentence] = []
    last = 0
    for cut in [*_SENTENCE_END.finditer(text), None]:
        # A sentence ends after its stop (and closing quote), or where a blank line or item begins.
        end = len(text) if cut is None else cut.start("gap") if cut.group("gap") else cut.start()
        start = last
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            found.append(Sentence((start + lead, start + lead + len(stripped)), stripped))
        last = cut.end() if cut else len(text)
    return _with_numbers_joined(found)


def _with_numbers_joined(found: list[Sentence]) -> list[Sentence]:
    """`found` with a lone item number ("1.", "b)") joined to the sentence after it: the split
    before a capital cannot tell "1. Complete the form" from the end of a sentence."""
    joined: list[Sentence] = []
    for sentence in found:
        if joined and _ITEM_NUMBER.fullmatch(joined[-1].text):
            start = joined[-1].span[0]
            joined[-1] = Sentence((start, sentence.span[1]), joined[-1].text + " " + sentence.text)
        else:
            joined.append(sentence)
    return joined
