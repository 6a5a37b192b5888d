"""What the Search page says when nothing clears the confidence bar ("no good match"), and which
results it shows as answers and which as the closest documents only."""

from __future__ import annotations

from dataclasses import dataclass

from index import Hit, SearchResults

# How many of the closest documents a "no good match" page shows: enough to check whether one
# helps after all, few enough not to read as a list of answers.
CLOSEST_SHOWN = 5
# Who to ask about a topic the hub does not cover: the corpus names the Hub editorial team as the
# one checking and publishing its documents (programme/i-01-ai-hub.md, "How content is kept current").
HUB_TEAM = "the AI Hub editorial team at GCDO"
CLOSEST_HEADING = "Closest documents, which may not answer your question"


@dataclass(frozen=True)
class Shown:
    """The results a page shows: those that clear the bar, and (only when none does) the closest."""

    answers: tuple[Hit, ...]
    closest: tuple[Hit, ...]


def shown_results(results: SearchResults) -> Shown:
    """The answers to show (confident results, best first) or, for "no good match", the first
    CLOSEST_SHOWN results as the closest documents."""
    if results.no_good_match:
        return Shown((), results.hits[:CLOSEST_SHOWN])
    return Shown(tuple(hit for hit in results.hits if hit.confident), ())


def no_match_message(query: str) -> str:
    """The plain statement that nothing clearly answers `query` (unescaped text)."""
    return f"The hub has nothing that clearly answers “{query}”."


def next_steps(filtered: bool) -> tuple[str, ...]:
    """What a reader can do next, one sentence each (plain text); `filtered` when filters are on."""
    steps = (
        "Rephrase your question, or try fewer words: two or three of the words a document on it would use.",
        "Browse the Library, which lists every document by kind, focus area and agency.",
        f"If the hub should cover this, tell {HUB_TEAM}.",
    )
    if filtered:
        return ("Remove a filter: a document outside the chosen filters may answer it.", *steps)
    return steps
