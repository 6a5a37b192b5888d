"""The sentence of a passage that answers a query: what the reader marks inside the passage it
opens, and what a result's snippet is centred on."""

from __future__ import annotations

import numpy as np

from index.present import query_terms, words_of
from index.sentences import Sentence, Span, sentences
from ingest.embed import Embedder

# Fragments under this many words (a heading, "Yes.", a list bullet's label) rarely answer
# anything alone; they are candidates only when nothing longer is.
MIN_WORDS = 4
# A line of at most this many words without closing punctuation reads as a heading.
HEADING_WORDS = 10
# Most passages hold 5-12 sentences; past this many, the rest are not scored (the model's cost
# grows with each one, and a passage is at most a few hundred words).
MAX_SENTENCES = 24
# How much the share of the query's terms a sentence holds adds to its cosine with the query. The
# model alone favours a sentence that paraphrases the question's topic; the terms favour the one
# that holds what was asked for (a name, a number, a rule). Not tuned on a judged set (there is no
# sentence-level one): the model's cosines for sentences of one passage spread over about 0.1-0.6,
# so a quarter lets exact words decide between sentences the model rates alike without
# overriding a clear difference.
TERM_WEIGHT = 0.25


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
    """The sentences worth scoring: statements of MIN_WORDS words or more; failing those, any
    sentence of that length; failing those, all. A question (an FAQ's "Can I ...?") or a heading
    is what a reader asked, not the answer, however close it is to the query."""
    long_enough = [s for s in found if len(s.text.split()) >= MIN_WORDS]
    statements = [s for s in long_enough if not _asks_or_heads(s.text)]
    return (statements or long_enough or found)[:MAX_SENTENCES]


def _asks_or_heads(text: str) -> bool:
    """Whether `text` is a question, or a heading: a short line with no closing punctuation."""
    stripped = text.rstrip("\"'’”)] ")
    return stripped.endswith("?") or (
        len(text.split()) <= HEADING_WORDS and not stripped.endswith((".", "!", ":", ";"))
    )
