"""The "no good match" confidence (index/confidence.py): its signals, its monotonic behaviour, the
flag and the per-result bar, and how search, the search page and the command line carry them.
Fast tier: the fake embedder over a small corpus; tests/test_confidence_model.py runs the real
model on the development sets."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.__main__ import main as index_main
from index.api import Hub
from index.build import update_index
from index.confidence import (
    CALIBRATION,
    Calibration,
    Confidence,
    Signals,
    confident_mask,
    judge,
    near_known_share,
    score_of,
    signals_of,
)
from index.filters import Filters
from index.search import match_documents, search
from index.snapshot import Snapshot, open_live
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.app_support import env_for, write_corpus

GIBBERISH = "blorptastic quenmire fladdow"
OUT_OF_SCOPE = "cricket score today"
ANSWERABLE = "privacy impact assessment"

MIDDLING = Signals(
    best_cosine=0.4,
    known_terms=0.6,
    near_known=0.7,
    coverage=0.3,
    agreement=0.5,
    cosine_gap=0.05,
    length=1.6,
    domain=0.2,
)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Snapshot, Settings]]:
    folder = tmp_path_factory.mktemp("confidence")
    write_corpus(folder / "corpus")
    settings = Settings(corpus_dir=folder / "corpus", data_dir=folder / "data", model="fake-hash")
    assert update_index(settings, HashEmbedder()).outcome == "published"
    build = open_live(settings)
    yield build, settings
    build.close()


@pytest.mark.parametrize("signal", ["best_cosine", "known_terms", "near_known", "coverage", "domain"])
def test_confidence_grows_with_closeness_known_words_coverage_and_subject(signal: str) -> None:
    scores = [score_of(replace(MIDDLING, **{signal: value})) for value in np.linspace(0.0, 1.0, 6)]
    assert all(later > earlier for earlier, later in itertools.pairwise(scores)), scores
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_a_list_is_flagged_exactly_below_the_threshold() -> None:
    below = Calibration(CALIBRATION.weights, CALIBRATION.bias, threshold=score_of(MIDDLING) + 0.01, result_share=0.5)
    above = replace(below, threshold=score_of(MIDDLING) - 0.01)
    assert judge(MIDDLING, below).no_good_match
    assert not judge(MIDDLING, above).no_good_match


def test_the_bar_keeps_the_best_results_and_none_of_a_flagged_list() -> None:
    scores = np.array([4.0, 3.0, 2.1, 1.9, 0.5])
    calibration = replace(CALIBRATION, result_share=0.5)
    sure = Confidence(0.9, False, MIDDLING)
    assert confident_mask(scores, sure, calibration).tolist() == [True, True, True, False, False]
    assert not confident_mask(scores, Confidence(0.01, True, MIDDLING), calibration).any()
    assert confident_mask(np.zeros(0), sure, calibration).size == 0


def test_a_misspelt_word_is_near_a_known_one_and_a_made_up_one_is_not(small: tuple[Snapshot, Settings]) -> None:
    build, _ = small
    assert near_known_share(build.keyword, "privacy asessment") == 1.0  # one letter dropped
    assert build.keyword.known_share("privacy asessment") == 0.5
    assert near_known_share(build.keyword, "privacy blorptastic") == 0.5
    assert near_known_share(build.keyword, "privazy") == 1.0  # two letters off a long word
    assert build.keyword.known_share("chat") == 1.0
    assert near_known_share(build.keyword, "chap") == 0.0  # short terms must match as they are


def test_words_the_collection_never_uses_are_unknown(small: tuple[Snapshot, Settings]) -> None:
    build, _ = small
    assert build.keyword.known_share(GIBBERISH) == 0.0
    assert build.keyword.known_share(ANSWERABLE) == 1.0
    assert build.keyword.known_share("privacy quenmire") == 0.5
    assert build.keyword.known_share("the of and") == 0.0  # stop words only: no terms at all


def test_gibberish_is_no_good_match_with_the_closest_documents_still_shown(small: tuple[Snapshot, Settings]) -> None:
    build, settings = small
    results = search(build, HashEmbedder(), GIBBERISH, settings.search)
    assert results.no_good_match and results.matched_documents == 0
    assert results.confidence is not None and results.confidence.score < CALIBRATION.threshold
    assert results.confidence.signals.known_terms == 0.0 and results.confidence.signals.coverage == 0.0
    assert results.hits and not any(hit.confident for hit in results.hits)


def test_an_answerable_query_counts_only_its_confident_results(small: tuple[Snapshot, Settings]) -> None:
    build, settings = small
    results = search(build, HashEmbedder(), ANSWERABLE, settings.search, limit=20)
    assert not results.no_good_match
    assert results.hits[0].doc_id == "guidance/privacy.md" and results.hits[0].confident
    confident = [hit.confident for hit in results.hits]
    assert confident == sorted(confident, reverse=True)  # the confident ones come first
    assert results.matched_documents == sum(confident) < len(results.hits)


@pytest.mark.parametrize("query", [ANSWERABLE, GIBBERISH, OUT_OF_SCOPE, "AI tool", "privacy officer sign off"])
@pytest.mark.parametrize("filters", [None, Filters(kinds=("guidance",)), Filters(kinds=("tool", "case-study"))])
def test_the_keyword_legs_own_hits_give_the_signals_a_second_search_would(
    small: tuple[Snapshot, Settings], query: str, filters: Filters | None
) -> None:
    # A search judges its confidence from the keyword leg's hits rather than searching again;
    # a filtered search must judge the same way, within what it was allowed to find.
    build, settings = small
    matches = match_documents(build, HashEmbedder(), query, settings.search, filters=filters)
    assert matches.vector is not None and matches.keyword is not None
    rows = [leg.rows for leg in matches.found]
    searched_again = signals_of(build, query, matches.vector, rows, matches.docs)
    assert signals_of(build, query, matches.vector, rows, matches.docs, matches.keyword) == searched_again


def test_keyword_searches_are_not_judged(small: tuple[Snapshot, Settings]) -> None:
    build, settings = small
    results = search(build, HashEmbedder(), GIBBERISH + " privacy", settings.search, mode="keyword")
    assert results.confidence is None and not results.no_good_match
    assert results.matched_documents == len(results.hits) > 0


def test_search_page_counts_only_confident_results(small: tuple[Snapshot, Settings]) -> None:
    _, settings = small
    hub = Hub(settings, lambda s: HashEmbedder())
    page = hub.search_page(ANSWERABLE, limit=20)
    assert page.counts.totals["kind"] == page.results.matched_documents == 1
    assert sum(page.counts.values["kind"].values()) == 1
    nothing = hub.search_page(OUT_OF_SCOPE, limit=20)
    assert nothing.results.no_good_match and nothing.results.hits
    assert nothing.counts.totals["kind"] == 0 and not nothing.counts.values["kind"]


def test_cli_json_and_text_say_no_good_match(
    small: tuple[Snapshot, Settings], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, settings = small
    for name, value in env_for(Path(settings.corpus_dir), Path(settings.data_dir)).items():
        monkeypatch.setenv(name, value)
    assert index_main(["search", GIBBERISH, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["no_good_match"] is True and printed["matched_documents"] == 0
    assert 0.0 <= printed["confidence"] < CALIBRATION.threshold
    assert set(printed["signals"]) >= {"best_cosine", "known_terms", "coverage"}
    assert printed["hits"] and not any(hit["confident"] for hit in printed["hits"])
    assert index_main(["search", GIBBERISH]) == 0
    assert "no good match" in capsys.readouterr().out
    assert index_main(["search", ANSWERABLE, "--json"]) == 0
    answered = json.loads(capsys.readouterr().out)
    assert answered["no_good_match"] is False and answered["hits"][0]["confident"] is True
