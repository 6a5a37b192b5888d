"""Where a result sends its reader: a passage of the text that holds the query's words, never
the summary card, with a snippet of words rather than markup and highlights on whole words."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from index.build import update_index
from index.layout import STORE
from index.results import Hit
from index.search import search
from index.snapshot import Snapshot, open_live
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import write_md

BODY = (
    "# Ferry timetables\n\nThe winter ferry timetable starts in May and runs until September. "
    "Sailings leave the harbour every two hours.\n\n"
    "## Fares\n\nA return fare for an adult costs twelve dollars. Concession cards are accepted "
    "on every sailing, and children under five travel free.\n"
)
# Markup inside a fenced block (a prompt template, say) stays in the passage as written.
LINKS = (
    "# Handling client records\n\nA prompt for release notes:\n\n```\nRecords marked **IN-CONFIDENCE** "
    "stay inside the agency. Read the [privacy impact guidance](../guidance/privacy-impact.md) before "
    "sharing any of them, and keep a note of `who asked` for each release.\n```\n"
)


@pytest.fixture
def build(settings: Settings) -> Iterator[Snapshot]:
    write_md(
        settings.corpus_dir,
        "ferries.md",
        BODY,
        title="Ferry timetables",
        summary="Lighthouse keeper rota and volunteer roster for the island.",
        tags=["lighthouse"],
    )
    write_md(settings.corpus_dir, "records.md", LINKS, title="Handling client records")
    write_md(settings.corpus_dir, "people.md", "# Staff\n\nThe people's choice award goes to the roster team.\n")
    assert update_index(settings, HashEmbedder()).outcome == "published"
    opened = open_live(settings)
    yield opened
    opened.close()


def first(build: Snapshot, settings: Settings, query: str, doc_id: str) -> Hit:
    hits = search(build, HashEmbedder(), query, settings.search, limit=10, mode="keyword").hits
    return next(h for h in hits if h.doc_id == doc_id)


def test_a_document_found_by_its_summary_opens_at_a_passage_of_its_text(build: Snapshot, settings: Settings) -> None:
    hit = first(build, settings, "lighthouse keeper rota fares", "ferries.md")
    assert hit.passages, "the result must send the reader somewhere"
    landing = hit.passages[0]
    assert landing.heading_path != ("Summary",) and landing.end > landing.start
    assert "Fares" in landing.heading_path  # the body passage holding a query word


def test_the_summary_card_is_never_a_passage_shown(build: Snapshot, settings: Settings) -> None:
    for query in ("lighthouse keeper", "winter ferry timetable", "lighthouse ferry fares"):
        hit = first(build, settings, query, "ferries.md")
        assert all(p.heading_path != ("Summary",) for p in hit.passages), query


def test_markdown_snippets_show_words_not_markup(build: Snapshot, settings: Settings) -> None:
    hit = first(build, settings, "privacy impact guidance records", "records.md")
    shown = "".join(text for text, _ in hit.passages[0].snippet)
    assert "privacy impact guidance" in shown and "IN-CONFIDENCE" in shown and "who asked" in shown
    for markup in ("](", "../guidance", "**", "`", "[privacy"):
        assert markup not in shown
    # The passage itself keeps the document's own text: the reader finds it there by offset.
    assert "[privacy impact guidance](../guidance/privacy-impact.md)" in hit.passages[0].text


def test_a_lone_letter_is_never_highlighted(build: Snapshot, settings: Settings) -> None:
    hit = first(build, settings, "people's roster", "people.md")
    marked = [text for text, is_term in hit.passages[0].snippet if is_term]
    assert "people" in marked and "roster" in marked
    assert all(len(text) > 1 for text in marked)


# A report whose reference list names the topic in cited titles; its text says nothing about it.
REPORT = (
    "# Annual review\n\nThe programme met its delivery goals this year. Staff training reached every "
    "region and the helpdesk answered most calls within a day.\n\n"
    "## References\n\n"
    "- Walker, J. et al. (2021). Ferry timetable planning. Journal of Transport 3, 12-19.\n"
    "- Haddad, A. (2020). Winter ferry sailings. Proceedings of the Harbour Conference, 4-9.\n"
    "- Reyes, T. (2019). Ferry fares compared. arXiv:1901.00001.\n"
)


@pytest.fixture
def with_report(settings: Settings, build: Snapshot) -> Iterator[Snapshot]:
    write_md(settings.corpus_dir, "review.md", REPORT, title="Annual review")
    assert update_index(settings, HashEmbedder()).outcome == "published"
    opened = open_live(settings)
    yield opened
    opened.close()


def test_a_reference_list_is_never_where_a_reader_lands(with_report: Snapshot, settings: Settings) -> None:
    hit = first(with_report, settings, "winter ferry timetable fares", "review.md")
    assert hit.passages
    assert all("References" not in p.heading_path for p in hit.passages)
    assert "delivery goals" in hit.passages[0].text


def test_a_document_that_only_cites_the_topic_ranks_below_one_about_it(
    with_report: Snapshot, settings: Settings
) -> None:
    hits = search(with_report, HashEmbedder(), "winter ferry timetable", settings.search, limit=10).hits
    order = [h.doc_id for h in hits]
    assert order.index("ferries.md") < order.index("review.md")


def test_reference_lists_still_find_their_document(with_report: Snapshot, settings: Settings) -> None:
    hits = search(with_report, HashEmbedder(), "Haddad harbour conference", settings.search, limit=10).hits
    assert hits and hits[0].doc_id == "review.md"


def test_a_build_made_before_passages_had_roles_still_lands_on_text(with_report: Snapshot, settings: Settings) -> None:
    store = with_report.folder / STORE
    with_report.close()
    with sqlite3.connect(store) as db:
        db.execute("ALTER TABLE chunks DROP COLUMN role")
    db.close()
    older = open_live(settings)
    try:
        hit = first(older, settings, "winter ferry timetable fares", "review.md")
        assert all("References" not in p.heading_path for p in hit.passages)
    finally:
        older.close()
