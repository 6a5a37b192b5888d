"""The sentence of a passage that answers a query: what the reader marks inside the passage it
opens, and what a result's snippet is centred on."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.present import query_terms, words_of
from ingest.embed import Embedder

Span = tuple[int, int]  # start and end, as character offsets into the passage text

# A sentence ends at . ! ? (with any closing quote or bracket) before a space and a capital, digit
# or opening quote; or at a blank line; or before a line that starts a list item. Abbreviations
# such as "e.g. the" are not split, as a lower-case word follows them.
_SENTENCE_END = re.compile(
    r"(?:(?<=[.!?])|(?<=[.!?][\"'’”)\]]))\s+(?=[\"'‘“(\[]?[A-Z0-9])"
    r"|\n[ \t]*\n\s*"
    r"|\n(?=[ \t]*(?:[-*•▪◦–]|\d{1,3}[.)]|[a-z][.)])\s)"
)
_ITEM_NUMBER = re.compile(r"\(?(?:\d{1,3}|[a-z])[.)]")
# Fragments under this many words (a heading, "Yes.", a list bullet's label) rarely answer
# anything alone; they are candidates only when nothing longer is.
MIN_WORDS = 4
# Most passages hold 5-12 sentences; past this many, the rest are not scored (the model's cost
# grows with each one, and a passage is at most a few hundred words).
MAX_SENTENCES = 24
# How much the share of the query's terms a sentence holds adds to its cosine with the query. The
# model alone favours a sentence that paraphrases the question's topic; the terms favour the one
# that holds what was asked for (a name, a number, a rule). Checked by hand on the development
# questions: 0.25 picks the answering sentence where either alone misses some.
TERM_WEIGHT = 0.25


@dataclass(frozen=True)
class Sentence:
    span: Span
    text: str


def sentences(text: str) -> list[Sentence]:
    """The sentences of `text` with their spans, leading and trailing space trimmed."""
    found: list[Sentence] = []
    last = 0
    for cut in [*_SENTENCE_END.finditer(text), None]:
        start, end = last, (cut.start() if cut else len(text))
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


def answering_sentence(text: str, query: str, embedder: Embedder) -> Span | None:
    """The span in `text` of the sentence that best answers `query`: its cosine with the query
    under `embedder`, plus TERM_WEIGHT times the share of the query's terms it holds. None when
    the text has no sentence or the query no letters or digits."""
    if not any(ch.isalnum() for ch in query):
        return None
    candidates = _candidates(sentences(text))
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0].span
    vectors = embedder.encode_documents([s.text for s in candidates])
    cosines = vectors @ embedder.encode_query(query)
    terms = query_terms(query)
    shares = np.array([len(terms & words_of(s.text)) / len(terms) if terms else 0.0 for s in candidates])
    best = int(np.argmax(cosines + TERM_WEIGHT * shares))
    return candidates[best].span


def _candidates(found: list[Sentence]) -> list[Sentence]:
    """The sentences worth scoring: those of MIN_WORDS words or more, or all when none is."""
    long_enough = [s for s in found if len(s.text.split()) >= MIN_WORDS]
    return (long_enough or found)[:MAX_SENTENCES]
