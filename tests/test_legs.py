"""The search legs take a Filters value and return only passages of documents that pass it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest

from index.build import update_index
from index.filters import Filters
from index.legs import Bm25KeywordLeg, FaissDenseLeg, RowMasks, legs_of
from index.snapshot import Snapshot, open_live
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import write_md

QUERY = "harbour dredging permits and privacy of records"


@pytest.fixture
def build(settings: Settings, fake_embedder: HashEmbedder) -> Iterator[Snapshot]:
    corpus = settings.corpus_dir
    kinds = ("guidance", "tool", "standard")
    agencies = ("Ports Agency", "Archives")
    for i in range(9):
        write_md(
            corpus,
            f"doc{i}.md",
            "# Harbour\n\n" + "Harbour dredging permits, privacy and records of decisions. " * (3 + i),
            title=f"Document {i}",
            kind=kinds[i % 3],
            agency=agencies[i % 2],
            **({"published": f"202{i % 4}-06-01"} if i != 4 else {}),
        )
    assert update_index(settings, fake_embedder).outcome == "published"
    opened = open_live(settings)
    yield opened
    opened.close()


def rows_of_documents_passing(build: Snapshot, filters: Filters) -> set[int]:
    """Every passage row whose document passes `filters`, checked document by document."""
    passing = {i for i, doc_id in enumerate(build.doc_order) if filters.allows(build.documents[doc_id])}
    return {row for row, doc in enumerate(build.row_doc.tolist()) if doc in passing}


FILTERS = [
    Filters(),
    Filters(kinds=("tool",)),
    Filters(kinds=("guidance", "standard"), agencies=("Archives",)),
    Filters(published_from=dt.date(2021, 1, 1), published_to=dt.date(2022, 12, 31)),
    Filters(statuses=("withdrawn",)),
    Filters(agencies=("Nobody at all",)),
]


@pytest.mark.parametrize("filters", FILTERS)
def test_the_dense_leg_returns_every_passage_of_allowed_documents_and_no_other(
    build: Snapshot, filters: Filters
) -> None:
    leg = legs_of(build).dense
    vector = HashEmbedder().encode_query(QUERY)
    rows, scores = leg.search(vector, build.vectors.size, filters)
    assert set(rows.tolist()) == rows_of_documents_passing(build, filters)
    assert list(scores) == sorted(scores, reverse=True)


@pytest.mark.parametrize("filters", FILTERS)
def test_the_keyword_leg_returns_only_passages_of_allowed_documents(build: Snapshot, filters: Filters) -> None:
    leg = legs_of(build).keyword
    everything = leg.search(QUERY, build.keyword.size, Filters())
    hits = leg.search(QUERY, build.keyword.size, filters)
    allowed = rows_of_documents_passing(build, filters)
    assert set(hits.rows.tolist()) == set(everything.rows.tolist()) & allowed
    assert len(hits.rows) == len(hits.scores) == len(hits.coverage)


def test_no_filter_means_every_row(build: Snapshot) -> None:
    leg = legs_of(build).keyword
    hits = leg.search(QUERY, build.keyword.size, Filters())
    # Every passage holds the query's words, so every one of them comes back.
    assert set(hits.rows.tolist()) == set(range(build.keyword.size))
    assert RowMasks(build.columns, build.row_doc).mask(Filters()) is None


@pytest.mark.parametrize("filters", FILTERS[1:])
def test_a_filter_becomes_a_mask_of_rows_through_the_metadata_columns(build: Snapshot, filters: Filters) -> None:
    mask = RowMasks(build.columns, build.row_doc).mask(filters)
    assert mask is not None and not mask.flags.writeable
    assert set(np.flatnonzero(mask).tolist()) == rows_of_documents_passing(build, filters)


def test_the_legs_of_a_search_share_one_translation_of_a_filter(build: Snapshot) -> None:
    legs = legs_of(build)
    assert isinstance(legs.dense, FaissDenseLeg) and isinstance(legs.keyword, Bm25KeywordLeg)
    filters = Filters(kinds=("tool",))
    legs.dense.search(HashEmbedder().encode_query(QUERY), 5, filters)
    legs.keyword.search(QUERY, 5, filters)
    masks = legs.dense._masks
    assert masks is legs.keyword._masks
    assert masks.mask.cache_info().misses == 1
