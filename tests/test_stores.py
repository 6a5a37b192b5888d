"""One contract for both stores of published builds: the data folder and PostgreSQL with
pgvector. Every test runs against each, through the Hub as the pages and the command line use it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from index.access import Viewer
from index.api import Hub
from index.catalogue import FileCatalogue
from index.errors import BuildRejected, DocumentNotFound
from index.filters import Filters
from index.pg.catalogue import PgCatalogue
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import write_md
from tests.pg_support import pg_url, postgres_server

__all__ = ["pg_url", "postgres_server"]  # fixtures, used by name

EDITOR = Viewer.operator()
TEAM = Viewer.in_groups(("pricing-team",))


def write_corpus(corpus: Path) -> None:
    """Documents with something for every contract: kinds, agencies, dates, a copy, a restricted one."""
    write_md(
        corpus,
        "harbour.md",
        "# Harbour dredging\n\nPermits for harbour dredging and the safety of crews on the water. " * 3,
        title="Harbour dredging permits",
        kind="guidance",
        agency="Ports Agency",
        published="2024-03-01",
    )
    write_md(
        corpus,
        "planner.md",
        "# Dredge planner\n\nA tool that schedules dredging crews and their vessels.",
        title="Dredge planner",
        kind="tool",
        agency="Marine Tools Ltd",
        published="2025-05-05",
    )
    write_md(
        corpus,
        "maori.md",
        "# Te ao Māori\n\nMāori data sovereignty and kaitiakitanga of taonga in public records.",
        title="Māori data",
        kind="guidance",
        agency="GCDO",
        published="2023-03-03",
    )
    copy = "# Chatbots\n\n" + "Chatbots answering the public must say they are not people and offer a human. " * 4
    for name in ("chatbots.md", "chatbots-copy.md"):
        write_md(corpus, name, copy, title="Chatbot rules", kind="standard", agency="GCDO", published="2024-06-01")
    write_md(
        corpus,
        "pricing.md",
        "# Pricing model\n\nConfidential tariff modelling for the harbour pricing review.",
        title="Harbour pricing review",
        kind="guidance",
        agency="Pricing Bureau",
        audience="pricing-team",
    )


@pytest.fixture(params=["files", "postgresql"])
def store(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The test's settings with builds served from the data folder, or from a fresh database."""
    write_corpus(settings.corpus_dir)
    if request.param == "files":
        return settings
    return replace(settings, store=request.getfixturevalue("pg_url"))


@pytest.fixture
def hub(store: Settings, fake_embedder: HashEmbedder) -> Hub:
    hub = Hub(store, lambda _: fake_embedder)
    assert hub.update().outcome == "published"
    return hub


@pytest.mark.parametrize("mode", ["hybrid", "dense", "keyword"])
def test_each_mode_finds_the_document_a_query_is_about(hub: Hub, mode: str) -> None:
    hits = hub.search("harbour dredging permits", mode=mode).hits  # type: ignore[arg-type]
    assert hits and hits[0].doc_id == "harbour.md"
    assert hits[0].passages and "dredging" in hits[0].passages[0].text.lower()


def test_macrons_fold_in_the_keyword_leg(hub: Hub) -> None:
    assert [h.doc_id for h in hub.search("maori kaitiakitanga", mode="keyword").hits][:1] == ["maori.md"]


def test_filters_keep_only_what_passes_them_and_hide_nothing_that_does(hub: Hub) -> None:
    tools = hub.search("dredging", Filters(kinds=("tool",))).hits
    assert [h.doc_id for h in tools] == ["planner.md"]
    dated = hub.search("dredging", Filters(published_from=dt.date(2025, 1, 1))).hits
    assert {h.doc_id for h in dated} == {"planner.md"}
    assert hub.search("dredging", Filters(agencies=("Nobody",))).hits == ()


def test_a_restricted_document_is_seen_only_by_its_audience(hub: Hub) -> None:
    assert "pricing.md" not in {h.doc_id for h in hub.search("harbour pricing tariff").hits}
    assert "pricing.md" in {h.doc_id for h in hub.search("harbour pricing tariff", viewer=TEAM).hits}
    assert "pricing.md" not in {r.doc_id for r in hub.documents()}
    with pytest.raises(DocumentNotFound):
        hub.document("pricing.md")
    assert hub.document("pricing.md", viewer=TEAM).text.startswith("Pricing model")


def test_a_copy_shows_once_with_the_other_named(hub: Hub) -> None:
    hits = hub.search("chatbots must say they are not people").hits
    ids = [h.doc_id for h in hits]
    assert ids.count("chatbots.md") + ids.count("chatbots-copy.md") == 1
    first = next(h for h in hits if h.doc_id in ("chatbots.md", "chatbots-copy.md"))
    assert set(first.copies) == {"chatbots.md", "chatbots-copy.md"} - {first.doc_id}


def test_a_document_opens_with_its_text_passages_and_layout(hub: Hub) -> None:
    view = hub.document("maori.md")
    assert view.record.metadata.title == "Māori data"
    assert "kaitiakitanga" in view.text
    assert [c.position for c in view.chunks] == list(range(len(view.chunks)))
    assert view.layout.headings, "the reader draws headings from the layout"


def test_similar_documents_come_from_a_documents_own_words(hub: Hub) -> None:
    text = hub.document("planner.md").text
    hits = hub.search(text[:200], limit=3).hits
    assert hits[0].doc_id == "planner.md"


def test_status_describes_the_served_build_for_editors(hub: Hub) -> None:
    status = hub.status(viewer=EDITOR)
    assert status.served is not None
    assert status.served.documents == 6
    assert status.latest is not None and status.latest.report is not None
    assert status.latest.report.outcome == "published"


def test_a_new_build_is_served_without_a_restart_and_rollback_returns_to_the_old(hub: Hub, store: Settings) -> None:
    first = hub.snapshot().build_id
    write_md(store.corpus_dir, "ferry.md", "# Ferries\n\nFerry timetables for the harbour.", title="Ferries")
    assert hub.update().outcome == "published"
    assert hub.snapshot().build_id != first
    assert hub.search("ferry timetables").hits[0].doc_id == "ferry.md"
    assert hub.rollback() == first
    assert hub.snapshot().build_id == first
    assert "ferry.md" not in {h.doc_id for h in hub.search("ferry timetables").hits}


def test_a_search_in_flight_finishes_on_the_build_it_started_with(hub: Hub, store: Settings) -> None:
    before = hub.snapshot()
    write_md(store.corpus_dir, "ferry.md", "# Ferries\n\nFerry timetables for the harbour.", title="Ferries")
    assert hub.update().outcome == "published"
    assert hub.snapshot().build_id != before.build_id
    # The older build is still whole: a search holding it reads its passages to the end.
    with before.reading():
        assert before.store.chunks_of("harbour.md")
        assert "ferry.md" not in before.documents


def test_old_builds_are_pruned_past_the_number_kept(hub: Hub, store: Settings) -> None:
    for i in range(store.keep_builds + 1):
        body = f"# Extra {i}\n\nMore harbour notes, number {i}."
        write_md(store.corpus_dir, f"extra{i}.md", body, title=f"Extra {i}")
        assert hub.update().outcome == "published"
    catalogue = hub.catalogue
    if isinstance(catalogue, PgCatalogue):
        kept = catalogue.ready()
    else:
        assert isinstance(catalogue, FileCatalogue)
        kept = [p.name for p in store.builds_dir.iterdir() if p.is_dir()]
    assert len(kept) == store.keep_builds
    assert hub.snapshot().build_id in kept


def test_rollback_with_nothing_earlier_is_refused(hub: Hub) -> None:
    with pytest.raises(BuildRejected):
        hub.rollback()


def test_both_stores_rank_alike(settings: Settings, fake_embedder: HashEmbedder, pg_url: str) -> None:
    write_corpus(settings.corpus_dir)
    files = Hub(settings, lambda _: fake_embedder)
    files.update()
    database = Hub(replace(settings, store=pg_url), lambda _: fake_embedder)
    database.update()
    for query in ("harbour dredging", "chatbots", "maori data", "crews vessels", "public records"):
        for mode in ("hybrid", "dense", "keyword"):
            a = files.search(query, mode=mode, viewer=EDITOR)
            b = database.search(query, mode=mode, viewer=EDITOR)
            assert [h.doc_id for h in a.hits] == [h.doc_id for h in b.hits], (query, mode)
            # The database compares a float16 copy of the query with the float16 vectors: scores
            # differ from the float32 query's in the third decimal at most.
            assert [h.score for h in b.hits] == pytest.approx([h.score for h in a.hits], abs=2e-3), (query, mode)
