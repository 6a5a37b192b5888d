"""The golden query set of the sample corpus, run against the real bundled model.

Each query in tests/golden/queries_*.yaml names the documents that answer it. The set is a test,
not a tuning set: the ranking is tuned on SciFact's train split (see docs/evaluation.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from index.metrics import hit_rate, reciprocal_rank
from index.search import Mode, rank_documents
from index.snapshot import Snapshot, open_live
from ingest.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
RECALL_AT = 5
# The target is 0.9; today's default search reaches 0.854 (41 of 48). It was 0.875 before the
# summary card counted as a document-level field (card_weight, chosen on the development sets,
# where it puts the right document first more often): one golden query left the top five while
# MRR rose. This floor guards against regressions until the remaining paraphrase misses are
# fixed; raise it to 0.9 then.
MIN_RECALL = 0.85
MIN_MRR = 0.75
# The development set (dev_sample.yaml) is as hard as the golden set; measured 0.837 and 0.728
# when it was written. Its floors catch a change that loses several of its answers.
DEV = GOLDEN / "dev_sample.yaml"
DEV_MIN_RECALL = 0.8
DEV_MIN_MRR = 0.7

pytestmark = pytest.mark.model


@dataclass(frozen=True)
class Golden:
    query: str
    relevant: tuple[str, ...]
    type: str


def load_queries(path: Path) -> list[Golden]:
    """The queries of one file: a YAML list of {query, relevant, type}."""
    return [
        Golden(entry["query"], tuple(entry["relevant"]), entry.get("type", ""))
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]


def load_golden() -> list[Golden]:
    return [item for path in sorted(GOLDEN.glob("queries_*.yaml")) for item in load_queries(path)]


@dataclass(frozen=True)
class Figures:
    recall: float  # share of queries with a relevant document in the top RECALL_AT
    mrr: float  # mean reciprocal rank of the first relevant document within the top 10
    missed: tuple[tuple[Golden, list[str]], ...]  # queries with nothing relevant in the top RECALL_AT


def measure(build: Snapshot, embedder: Any, settings: Settings, queries: list[Golden], mode: Mode) -> Figures:
    found: list[float] = []
    reciprocal: list[float] = []
    missed: list[tuple[Golden, list[str]]] = []
    for item in queries:
        ranking = rank_documents(build, embedder, item.query, settings.search, mode=mode, limit=10).documents
        top = [d.doc_id for d in ranking]
        grades = dict.fromkeys(item.relevant, 1)
        found.append(hit_rate(top, grades, RECALL_AT))
        reciprocal.append(reciprocal_rank(top, grades, 10))
        if not found[-1]:
            missed.append((item, top[:RECALL_AT]))
    return Figures(sum(found) / len(queries), sum(reciprocal) / len(queries), tuple(missed))


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory, real_embedder: Any) -> Iterator[tuple[Snapshot, Settings]]:
    from index.build import update_index

    settings = Settings(corpus_dir=ROOT / "corpus", data_dir=tmp_path_factory.mktemp("golden-data"))
    report = update_index(settings, real_embedder)
    assert report.outcome == "published", report.summary()
    build = open_live(settings)
    yield build, settings
    build.close()


@pytest.mark.parametrize("queries", [load_golden(), load_queries(DEV)], ids=["golden", "dev"])
def test_query_sets_are_well_formed(queries: list[Golden]) -> None:
    assert len(queries) >= 40
    for item in queries:
        for doc_id in item.relevant:
            assert (ROOT / "corpus" / doc_id).is_file(), f"{item.query!r} names a missing document {doc_id}"


def test_dev_and_golden_queries_differ() -> None:
    golden = {item.query.casefold() for item in load_golden()}
    assert not golden & {item.query.casefold() for item in load_queries(DEV)}


def measure_and_report(build: Snapshot, embedder: Any, settings: Settings, queries: list[Golden]) -> Figures:
    """Every mode's figures printed, and every query the hybrid search missed; returns hybrid's."""
    figures = {mode: measure(build, embedder, settings, queries, mode) for mode in ("dense", "keyword", "hybrid")}
    for mode, fig in figures.items():
        print(f"{mode:<8} Recall@{RECALL_AT} {fig.recall:.3f}  MRR@10 {fig.mrr:.3f}  missed {len(fig.missed)}")
    hybrid = figures["hybrid"]
    for item, top in hybrid.missed:
        print(f"MISSED [{item.type}] {item.query!r}\n  wanted {list(item.relevant)}\n  got    {top}")
    return hybrid


def test_golden_queries(sample_index: tuple[Snapshot, Settings], real_embedder: Any) -> None:
    build, settings = sample_index
    hybrid = measure_and_report(build, real_embedder, settings, load_golden())
    assert hybrid.recall >= MIN_RECALL, f"hybrid Recall@{RECALL_AT} {hybrid.recall:.3f} < {MIN_RECALL}"
    assert hybrid.mrr >= MIN_MRR, f"hybrid MRR@10 {hybrid.mrr:.3f} < {MIN_MRR}"


def test_development_queries(sample_index: tuple[Snapshot, Settings], real_embedder: Any) -> None:
    build, settings = sample_index
    hybrid = measure_and_report(build, real_embedder, settings, load_queries(DEV))
    assert hybrid.recall >= DEV_MIN_RECALL, f"hybrid Recall@{RECALL_AT} {hybrid.recall:.3f} < {DEV_MIN_RECALL}"
    assert hybrid.mrr >= DEV_MIN_MRR, f"hybrid MRR@10 {hybrid.mrr:.3f} < {DEV_MIN_MRR}"
