"""Hybrid search behaviour a user notices: filters, grouping, folding and safe queries."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import replace

import numpy as np
import pytest

from index.build import update_index
from index.keyword import KeywordIndex, analyse
from index.search import Filters, search
from index.snapshot import Snapshot, open_live
from ingest.embed import HashEmbedder
from ingest.settings import SearchSettings, Settings
from tests.helpers import write_md


@pytest.fixture
def build(settings: Settings, fake_embedder: HashEmbedder) -> Iterator[Snapshot]:
    corpus = settings.corpus_dir
    for i in range(12):
        write_md(
            corpus,
            f"guide{i}.md",
            "# Harbour\n\n" + "Harbour dredging permits and harbour safety. " * 6,
            title=f"Harbour guide {i}",
            kind="guidance",
            agency="Ports Agency",
            published=f"2024-0{1 + i % 9}-01",
        )
    write_md(
        corpus,
        "tool.md",
        "# Dredge planner\n\nA tool that schedules harbour dredging crews.",
        title="Dredge planner",
        kind="tool",
        agency="Marine Tools Ltd",
        published="2025-05-05",
    )
    write_md(
        corpus,
        "maori.md",
        "# Te ao Māori\n\nMāori data sovereignty and kaitiakitanga of taonga.",
        title="Māori data",
        kind="guidance",
        agency="GCDO",
        published="2023-03-03",
    )
    write_md(
        corpus,
        "plain.md",
        "# Maori names\n\nSpelling Maori place names without macrons.",
        title="Place names",
        kind="other",
        agency="GCDO",
        status="superseded",
    )
    write_md(
        corpus,
        "long.md",
        "# Records\n\n"
        + "\n\n".join(f"Section {i}: keep records of every automated decision about benefits." for i in range(30)),
        title="Records",
        kind="standard",
        agency="Archives",
    )
    assert update_index(settings, fake_embedder).outcome == "published"
    opened = open_live(settings)
    yield opened
    opened.close()


def ids(build: Snapshot, query: str, settings: SearchSettings | None = None, **kwargs: object) -> list[str]:
    results = search(build, HashEmbedder(), query, settings or SearchSettings(), **kwargs)  # type: ignore[arg-type]
    return [h.doc_id for h in results.hits]


def test_filter_never_hides_results_that_exist(build: Snapshot) -> None:
    # With only 3 candidates per leg, the tool would be cut before a later filter could keep it.
    narrow = SearchSettings(candidates=3)
    assert "tool.md" not in ids(build, "harbour dredging", narrow)
    assert ids(build, "harbour dredging", narrow, filters=Filters(kinds=("tool",))) == ["tool.md"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(agencies=("GCDO",)), {"maori.md", "plain.md"}),
        (Filters(statuses=("superseded",)), {"plain.md"}),
        (Filters(kinds=("guidance",), agencies=("GCDO",)), {"maori.md"}),
        (Filters(published_from=dt.date(2025, 1, 1)), {"tool.md"}),
        (Filters(published_to=dt.date(2023, 12, 31)), {"maori.md"}),
        (Filters(kinds=("training",)), set()),
    ],
)
def test_filters_restrict_results(build: Snapshot, filters: Filters, expected: set[str]) -> None:
    assert set(ids(build, "maori harbour records dredging", filters=filters, limit=50)) == expected


def test_a_document_appears_once_with_a_few_passages(build: Snapshot) -> None:
    results = search(build, HashEmbedder(), "records of automated decisions", SearchSettings())
    found = [h.doc_id for h in results.hits]
    assert found.count("long.md") == 1
    hit = results.hits[found.index("long.md")]
    assert 1 < len(hit.passages) <= 3
    assert hit.passages[0].score >= hit.passages[-1].score


def test_macrons_fold_both_ways(build: Snapshot) -> None:
    without = ids(build, "Maori", mode="keyword")
    with_macron = ids(build, "Māori", mode="keyword")
    assert {"maori.md", "plain.md"} <= set(without)
    assert set(without) == set(with_macron)


def test_case_and_stemming_do_not_matter(build: Snapshot) -> None:
    assert ids(build, "DREDGED PERMIT", mode="keyword")[0].startswith(("guide", "tool"))
    assert "long.md" in ids(build, "recording decision", mode="keyword")


def test_question_need_not_contain_every_word(build: Snapshot) -> None:
    found = ids(build, "how do I look after taonga when the weather is terrible", mode="keyword")
    assert found[0] == "maori.md"


def test_snippet_marks_query_terms(build: Snapshot) -> None:
    hit = search(build, HashEmbedder(), "kaitiakitanga", SearchSettings(), mode="keyword").hits[0]
    marked = [text for text, is_match in hit.passages[0].snippet if is_match]
    assert marked == ["kaitiakitanga"]


@pytest.mark.parametrize(
    "query",
    [
        '"unclosed quote',
        "harbour AND (dredging OR NOT safety) NEAR/3 x",
        "dredg* title:harbour -safety +permits",
        "x" * 10_000,
        "harbour " * 2_000,
        "🙂🚢 harbour 🌊",
        "🙂🚢",
        "?!.,;:()[]{}<>\"'`~@#$%^&*-_=+|\\/",
        "",
        "   \n\t ",
        "'; DROP TABLE chunks; --",
        "\x00\x01 harbour",
    ],
)
def test_any_user_input_is_safe(build: Snapshot, query: str) -> None:
    for mode in ("hybrid", "dense"):
        found = ids(build, query, mode=mode)
        assert len(found) == len(set(found))  # each document once, whatever the query
    # Query syntax, quotes, SQL and control characters are just text: a query finds the harbour
    # guides exactly when "harbour" is among its words.
    keyword = ids(build, query, mode="keyword")
    assert any(d.startswith("guide") for d in keyword) == ("harbour" in query)


def test_queries_without_words_give_no_results(build: Snapshot) -> None:
    assert ids(build, "?!.,") == []
    assert ids(build, "") == []
    assert ids(build, "🙂🚢") == []


def test_limit_caps_documents_not_passages(build: Snapshot) -> None:
    assert len(ids(build, "harbour", limit=4)) == 4


def test_settings_candidates_do_not_change_top_result(build: Snapshot) -> None:
    wide = replace(SearchSettings(), candidates=500)
    assert ids(build, "kaitiakitanga taonga", wide)[0] == "maori.md"


def test_keyword_scores_are_bm25_as_the_library_computes_it(build: Snapshot) -> None:
    # The keyword leg reads the index's sparse columns directly; it must rank exactly as
    # summing the library's own per-term scores over every passage would.
    query = "harbour dredging records of Māori taonga"
    terms = dict.fromkeys(analyse(query))
    assert isinstance(build.keyword, KeywordIndex)
    reference = np.sum([np.asarray(build.keyword._model.get_scores([t])) for t in terms], axis=0)
    hits = build.keyword.hits(query, 10)
    assert len(hits.rows) == 10
    np.testing.assert_allclose(hits.scores, reference[hits.rows], rtol=1e-5)
    assert hits.scores[-1] >= np.sort(reference)[-10] - 1e-5
    allowed = np.zeros(build.keyword.size, dtype=bool)
    allowed[::3] = True
    filtered = build.keyword.hits(query, 500, allowed)
    assert set(filtered.rows.tolist()) == set(np.flatnonzero(allowed & (reference > 0)).tolist())


@pytest.mark.parametrize(
    "filters",
    [
        Filters(kinds=("guidance", "tool")),
        Filters(agencies=("GCDO", "Nobody")),
        Filters(kinds=("nothing-like-this",)),
        Filters(statuses=("current",), focus_areas=("",)),
        Filters(published_from=dt.date(2024, 3, 1), published_to=dt.date(2024, 6, 30)),
        Filters(published_to=dt.date(2030, 1, 1)),
    ],
)
def test_filters_on_many_documents_agree_with_each_document(build: Snapshot, filters: Filters) -> None:
    one_by_one = [filters.allows(build.documents[d]) for d in build.doc_order]
    assert build.columns.allowed(filters).tolist() == one_by_one


def test_a_document_matching_in_many_passages_can_rank_higher(build: Snapshot) -> None:
    # With passage_decay above zero a document's further passages add to its score.
    flat = search(build, HashEmbedder(), "automated decision", SearchSettings(), mode="keyword")
    summed = search(build, HashEmbedder(), "automated decision", SearchSettings(passage_decay=0.5), mode="keyword")
    flat_score = {h.doc_id: h.score for h in flat.hits}["long.md"]
    assert {h.doc_id: h.score for h in summed.hits}["long.md"] > flat_score


def test_keyword_index_with_unsorted_columns_ranks_the_same(build: Snapshot) -> None:
    # The keyword leg looks passages up by bisection in each term's rows; an index whose rows
    # come unsorted is put in order when it is opened, and ranks exactly as before.
    query = "harbour records taonga automated"
    before = build.keyword.hits(query, 50)
    assert isinstance(build.keyword, KeywordIndex)
    model = build.keyword._model
    indices, data, indptr = model.scores["indices"].copy(), model.scores["data"].copy(), model.scores["indptr"]
    rng = np.random.default_rng(0)
    for start, end in itertools.pairwise(indptr):
        shuffled = start + rng.permutation(end - start)
        indices[start:end], data[start:end] = indices[shuffled], data[shuffled]
    assert any(np.any(np.diff(indices[start:end]) < 0) for start, end in itertools.pairwise(indptr))
    model.scores["indices"], model.scores["data"] = indices, data
    after = KeywordIndex(model).hits(query, 50)
    np.testing.assert_array_equal(after.rows, before.rows)
    np.testing.assert_allclose(after.coverage, before.coverage)
