"""A search page's view, results and facet counts, from one ranking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from index.api import Hub
from index.build import update_index
from index.facets import count_facets
from index.filters import FACETS, Filters
from index.legs import Bm25KeywordLeg, FaissDenseLeg
from index.search import rank_documents
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import write_md
from tests.test_facets import choose

QUERY = "harbour dredging permits and privacy records"
BODY = "# Harbour\n\nHarbour dredging permits need privacy records of every decision. " * 6
CHOICES = [
    Filters(),
    Filters(kinds=("tool",)),
    Filters(agencies=("Roads",)),
    Filters(kinds=("guidance",), agencies=("Transport", "Health")),
    Filters(published_from=dt.date(2024, 1, 1), published_to=dt.date(2024, 12, 31)),
    Filters(kinds=("tool",), agencies=("Health",)),
]


@pytest.fixture
def hub(settings: Settings, fake_embedder: HashEmbedder) -> Hub:
    corpus = settings.corpus_dir
    kinds = ("guidance", "tool", "standard")
    agencies = ("Transport", "Health", "Archives")
    for i in range(12):
        write_md(
            corpus,
            f"doc{i}.md",
            "# Harbour\n\n" + f"Harbour dredging permits, privacy and records, part {i}. " * (2 + i % 5),
            title=f"Document {i}",
            kind=kinds[i % 3],
            agency=agencies[i % 4 % 3],
            **({"published": f"202{i % 5}-06-01"} if i % 6 else {}),
        )
    # One text filed twice, under two agencies.
    write_md(corpus, "fleet.md", BODY, title="Fleet", kind="guidance", agency="Transport", published="2024-02-02")
    write_md(corpus, "old/fleet.md", BODY, title="Fleet copy", kind="guidance", agency="Roads", published="2025-02-02")
    assert update_index(settings, fake_embedder).outcome == "published"
    return Hub(settings, lambda s: fake_embedder)


@pytest.mark.parametrize("chosen", CHOICES)
def test_every_count_is_the_number_of_results_choosing_its_value_shows(hub: Hub, chosen: Filters) -> None:
    page = hub.search_page(QUERY, chosen, limit=100)
    assert page.counts.values["agency"] or chosen.agencies  # something is counted
    for facet in FACETS:
        for value, count in page.counts.values[facet].items():
            picked = choose(chosen.without(facet), facet, value)
            shown = hub.search_page(QUERY, picked, limit=100).results
            assert len(shown.hits) == shown.matched_documents == count, (facet, value)
        left = hub.search_page(QUERY, chosen.without(facet), limit=100).results
        assert page.counts.totals[facet] == len(left.hits)


def test_a_text_filed_twice_counts_under_each_agency_and_shows_once(hub: Hub) -> None:
    page = hub.search_page("fleet harbour dredging permits privacy records decision", limit=100)
    fleet = [h for h in page.results.hits if "fleet" in h.doc_id]
    assert len(fleet) == 1 and len(fleet[0].copies) == 1
    roads = hub.search_page("fleet harbour dredging permits privacy records decision", Filters(agencies=("Roads",)))
    assert [h.doc_id for h in roads.results.hits] == ["old/fleet.md"]
    assert page.counts.values["agency"]["Roads"] == 1


@pytest.mark.parametrize("chosen", CHOICES)
def test_the_results_are_those_the_filters_pushed_into_the_legs_find_when_every_passage_is_a_candidate(
    hub: Hub, chosen: Filters
) -> None:
    # This corpus has far fewer passages than a leg's candidates, so post-filtering the
    # unfiltered ranking keeps every document a filtered search finds.
    page = hub.search_page(QUERY, chosen, limit=100).results
    pushed = hub.search(QUERY, chosen, limit=100)
    assert {h.doc_id for h in page.hits} == {h.doc_id for h in pushed.hits}
    assert page.matched_documents == pushed.matched_documents
    assert page.filters == chosen and page.query == QUERY


def test_without_filters_the_page_shows_what_search_shows(hub: Hub) -> None:
    page = hub.search_page(QUERY, limit=5).results
    plain = hub.search(QUERY, limit=5)
    assert [(h.doc_id, h.score, h.passages) for h in page.hits] == [(h.doc_id, h.score, h.passages) for h in plain.hits]
    assert page.matched_documents == plain.matched_documents


def test_the_counts_are_those_of_the_ranked_texts(hub: Hub) -> None:
    chosen = Filters(kinds=("guidance",))
    page = hub.search_page(QUERY, chosen, limit=3)
    assert len(page.results.hits) == 3  # the limit cuts the results shown, never the counts
    assert page.counts == count_facets(hub.matching(QUERY), chosen)


@pytest.fixture
def leg_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Filters]]:
    """Every call of a leg's search from now on, as (leg, the filters it was given)."""
    calls: list[tuple[str, Filters]] = []

    def counted(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: object, query: object, k: int, filters: Filters) -> Any:
            calls.append((name, filters))
            return original(self, query, k, filters)

        return wrapper

    monkeypatch.setattr(FaissDenseLeg, "search", counted("dense", FaissDenseLeg.search))
    monkeypatch.setattr(Bm25KeywordLeg, "search", counted("keyword", Bm25KeywordLeg.search))
    return calls


@pytest.mark.parametrize("chosen", CHOICES)
def test_a_page_is_made_from_exactly_one_ranking(
    hub: Hub, leg_calls: list[tuple[str, Filters]], chosen: Filters
) -> None:
    hub.search_page(QUERY, chosen, limit=10)
    # One search of each leg, under the scope alone: the chosen filters never reach the legs.
    # The legs see who is asking (someone not signed in: open documents only), never the filters.
    anyone = Filters(readers=())
    assert leg_calls == [("dense", anyone), ("keyword", anyone)]


def test_search_gives_its_filters_to_the_legs(hub: Hub, leg_calls: list[tuple[str, Filters]]) -> None:
    chosen = Filters(kinds=("tool",))
    hub.search(QUERY, chosen)
    given = replace(chosen, readers=())  # and who is asking: someone not signed in
    assert leg_calls == [("dense", given), ("keyword", given)]


def test_keyword_mode_needs_no_model_and_a_query_without_words_gives_an_empty_page(
    hub: Hub, leg_calls: list[tuple[str, Filters]]
) -> None:
    page = hub.search_page(QUERY, mode="keyword")
    assert page.results.hits and page.results.mode == "keyword"
    assert [name for name, _ in leg_calls] == ["keyword"]
    empty = hub.search_page("?!", Filters(kinds=("tool",)))
    assert empty.results.hits == () and empty.results.matched_documents == 0
    assert all(not counted for counted in empty.counts.values.values())
    assert set(empty.counts.totals.values()) == {0}


def test_limit_zero_shows_no_results_but_counts_them(hub: Hub) -> None:
    page = hub.search_page(QUERY, limit=0)
    assert page.results.hits == ()
    assert page.results.matched_documents == page.counts.totals["kind"] > 0


def test_a_scope_reaches_every_leg_with_the_chosen_filters(
    hub: Hub, leg_calls: list[tuple[str, Filters]], fake_embedder: HashEmbedder
) -> None:
    build, settings = hub.snapshot(), hub.settings.search
    scope = Filters(kinds=("guidance", "tool"))
    ranking = rank_documents(build, fake_embedder, QUERY, settings, scope=scope, filters=Filters(kinds=("tool",)))
    assert leg_calls == [("dense", Filters(kinds=("tool",))), ("keyword", Filters(kinds=("tool",)))]
    assert ranking.documents and all(build.documents[d.doc_id].metadata.kind == "tool" for d in ranking.documents)
    leg_calls.clear()
    outside = rank_documents(build, fake_embedder, QUERY, settings, scope=scope, filters=Filters(kinds=("standard",)))
    assert outside.documents == () and outside.matched == 0 and leg_calls == []
