"""What a result shows of its passage: a window of whole sentences holding the query's words,
with nothing that only points elsewhere."""

from __future__ import annotations

from index.present import Marked, query_terms, snippet

FILLER = "The team met every week through the winter to plan the next release of the service. " * 3
PASSAGE = (
    FILLER + "Incidents must be reported to the oversight team within two working days. "
    "The report names the system, what went wrong and who was affected. " + FILLER
)


def shown(segments: list[Marked]) -> str:
    return "".join(text for text, _ in segments)


def marked(segments: list[Marked]) -> list[str]:
    return [text.lower() for text, is_term in segments if is_term]


def test_the_window_starts_at_the_sentence_holding_the_query_words() -> None:
    segments = snippet(PASSAGE, query_terms("how soon are incidents reported"))
    text = shown(segments)
    assert text.startswith("… Incidents must be reported")
    assert len(text) <= 330 and text.endswith(" …")
    assert marked(segments)[:2] == ["incidents", "reported"]


def test_distinct_query_words_beat_one_word_repeated() -> None:
    text = (
        "Winter planning: winter rosters, winter leave and winter cover are set in May. " * 4
        + "Fares for winter ferry sailings are set by the harbour board each year. "
        + "Other notes follow about the depot and its staff and the car park. " * 4
    )
    segments = snippet(text, query_terms("winter ferry fares"))
    assert {"fares", "ferry", "winter"} <= set(marked(segments))


def test_see_also_and_topic_lines_are_never_shown() -> None:
    text = (
        "Keep a person in the loop for every decision about benefits.\n"
        "See also: Human oversight; Benefits decisions; Oversight guidance.\n"
        "Topics: oversight; benefits; decisions"
    )
    segments = snippet(text, query_terms("oversight of benefits decisions"))
    assert shown(segments) == "Keep a person in the loop for every decision about benefits."


def test_a_short_passage_is_shown_whole_with_its_words_marked() -> None:
    segments = snippet("Report incidents within two days.", query_terms("incidents"))
    assert shown(segments) == "Report incidents within two days."
    assert marked(segments) == ["incidents"]


def test_no_query_words_shows_the_start() -> None:
    segments = snippet(PASSAGE, frozenset())
    assert shown(segments).startswith("The team met every week")
    assert not marked(segments)
