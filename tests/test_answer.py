"""The sentence a reader is sent to inside a passage: cut where a reader sees sentences end, and
chosen as the one that answers."""

from __future__ import annotations

from typing import Any

import pytest

from index.answer import answering_sentence, sentences
from ingest.embed import HashEmbedder

PASSAGE = (
    "Agencies record each AI system in the register before it goes live. The register is kept by "
    "the data office, e.g. the team that runs the catalogue. Incidents must be reported to the "
    "oversight team within two working days.\n"
    "- Keep a person in the loop for decisions about benefits.\n"
    "- Publish a plain-language notice on the service page.\n\n"
    "1. Complete the impact assessment. 2. Ask the privacy officer to sign it off."
)


def _texts(text: str) -> list[str]:
    return [text[a:b] for a, b in (s.span for s in sentences(text))]


def test_sentences_are_cut_where_a_reader_sees_them_end() -> None:
    assert _texts(PASSAGE) == [
        "Agencies record each AI system in the register before it goes live.",
        "The register is kept by the data office, e.g. the team that runs the catalogue.",
        "Incidents must be reported to the oversight team within two working days.",
        "- Keep a person in the loop for decisions about benefits.",
        "- Publish a plain-language notice on the service page.",
        "1. Complete the impact assessment.",
        "2. Ask the privacy officer to sign it off.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   \n\n  ", []),
        ("No full stop at the end", ["No full stop at the end"]),
        ("Version 2.1 is used. It runs nightly.", ["Version 2.1 is used.", "It runs nightly."]),
        ('He said "stop." Then it stopped.', ['He said "stop."', "Then it stopped."]),
        ("Is it allowed? Yes, with approval!", ["Is it allowed?", "Yes, with approval!"]),
        ("A heading\n\nThe body text follows here.", ["A heading", "The body text follows here."]),
    ],
)
def test_sentence_edges(text: str, expected: list[str]) -> None:
    assert _texts(text) == expected


def test_the_sentence_holding_the_query_is_chosen() -> None:
    span = answering_sentence(PASSAGE, "who must sign off the impact assessment", HashEmbedder())
    assert span is not None
    assert PASSAGE[span[0] : span[1]] == "2. Ask the privacy officer to sign it off."


def test_a_short_fragment_is_not_chosen_over_a_sentence() -> None:
    text = "Register.\n\nEvery system goes in the register before it goes live."
    span = answering_sentence(text, "register", HashEmbedder())
    assert span is not None and text[span[0] : span[1]].startswith("Every system")


@pytest.mark.parametrize("query", ["", "   ", "?!", "—"])
def test_nothing_is_marked_for_a_query_without_words(query: str) -> None:
    assert answering_sentence(PASSAGE, query, HashEmbedder()) is None


def test_nothing_is_marked_in_an_empty_passage() -> None:
    assert answering_sentence("  ", "register", HashEmbedder()) is None


@pytest.mark.model
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how long do we have to tell anyone when the system breaks", "Incidents must be reported"),
        ("does a human have to approve welfare decisions", "- Keep a person in the loop"),
        ("who keeps the register", "The register is kept by the data office"),
    ],
)
def test_the_model_finds_the_sentence_a_paraphrase_asks_for(fast_embedder: Any, query: str, expected: str) -> None:
    span = answering_sentence(PASSAGE, query, fast_embedder)
    assert span is not None
    assert PASSAGE[span[0] : span[1]].startswith(expected)


FAQ = (
    "Can I use a free public chat assistant on my phone for work?\n\n"
    "No. Public chat assistants keep what you type, so official information must only go into "
    "the secure assistant the agency provides.\n\n"
    "Using chat assistants safely\n\n"
    "Check every output before you use it."
)


def test_a_question_or_heading_is_not_the_answer() -> None:
    span = answering_sentence(FAQ, "can I use a free public chat assistant on my phone for work", HashEmbedder())
    assert span is not None
    assert FAQ[span[0] : span[1]].startswith("Public chat assistants keep what you type")


def test_a_passage_of_questions_only_still_marks_one() -> None:
    text = "Can I use it at home? Who signs off the assessment?"
    span = answering_sentence(text, "who signs off the assessment", HashEmbedder())
    assert span is not None and text[span[0] : span[1]] == "Who signs off the assessment?"
