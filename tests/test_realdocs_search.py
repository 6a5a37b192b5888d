"""Search quality on real public-sector documents (needs ../shared; skipped without it).

The queries in tests/golden/realdocs.yaml were written from the documents in ../shared/realdocs
without looking at the hub's rankings, so they check the search on text nobody wrote for it:
long PDFs, one-word-per-line extraction, ligatures, duplicates and nested Markdown guidance.
The index is built by the default runtime, as the hub builds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from index.build import update_index
from index.snapshot import Snapshot, open_live
from ingest.settings import Settings
from tests.conftest import SHARED, needs_shared
from tests.test_golden import GOLDEN, MIN_MRR, RECALL_AT, load_queries, measure_and_report

QUERIES = GOLDEN / "realdocs.yaml"
REALDOCS = SHARED / "realdocs"
# Measured 0.975 and 0.826 (hybrid) when the set was written; the floors are the sample
# corpus targets, so a change that loses several real-document answers fails here.
MIN_RECALL = 0.9

pytestmark = [pytest.mark.model, pytest.mark.shared, needs_shared]


@pytest.fixture(scope="module")
def realdocs_index(tmp_path_factory: pytest.TempPathFactory, fast_embedder: Any) -> Iterator[tuple[Snapshot, Settings]]:
    settings = Settings(corpus_dir=REALDOCS, data_dir=tmp_path_factory.mktemp("realdocs-data"))
    report = update_index(settings, fast_embedder)
    assert report.outcome == "published", report.summary()
    build = open_live(settings)
    yield build, settings
    build.close()


def test_realdocs_queries_are_well_formed() -> None:
    queries = load_queries(QUERIES)
    assert len(queries) >= 40
    assert len({doc for item in queries for doc in item.relevant}) >= 30
    for item in queries:
        for doc_id in item.relevant:
            assert (REALDOCS / doc_id).is_file(), f"{item.query!r} names a missing document {doc_id}"


def test_real_documents_answer_questions_in_other_words(
    realdocs_index: tuple[Snapshot, Settings], fast_embedder: Any
) -> None:
    build, settings = realdocs_index
    hybrid = measure_and_report(build, fast_embedder, settings, load_queries(QUERIES))
    assert hybrid.recall >= MIN_RECALL, f"hybrid Recall@{RECALL_AT} {hybrid.recall:.3f} < {MIN_RECALL}"
    assert hybrid.mrr >= MIN_MRR, f"hybrid MRR@10 {hybrid.mrr:.3f} < {MIN_MRR}"
