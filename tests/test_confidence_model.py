"""The "no good match" confidence with the real model on the sample corpus: the development
queries it cannot answer are flagged at the rate measured by bench/calibrate.py, and answerable
ones are not. Floors sit a little under the measured figures (docs/evaluation.md), so a change
that loses several is caught."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from index.search import search
from index.snapshot import Snapshot
from ingest.settings import Settings
from tests.test_dev_sets import load
from tests.test_golden import sample_index

pytestmark = pytest.mark.model

__all__ = ["sample_index"]  # a fixture, used by name

# Measured with the committed calibration: 67% of the no-answer queries flagged (gibberish 96%,
# out-of-scope 84%, adjacent 23%), 2.3% of the answerable ones (bench/calibrate.py).
MIN_NO_ANSWER_FLAGGED = 0.6
MIN_GIBBERISH_FLAGGED = 0.9
MIN_OUT_OF_SCOPE_FLAGGED = 0.8
MAX_ANSWERABLE_FLAGGED = 0.05
MAX_RECALL_LOSS = 0.02


def flagged(build: Snapshot, settings: Settings, embedder: Any, queries: list[str]) -> list[bool]:
    return [search(build, embedder, q, settings.search, limit=5).no_good_match for q in queries]


def test_queries_the_corpus_cannot_answer_are_flagged(
    sample_index: tuple[Snapshot, Settings], real_embedder: Any
) -> None:
    build, settings = sample_index
    entries = load("dev_no_answer.yaml")
    marks = flagged(build, settings, real_embedder, [e["query"] for e in entries])
    assert statistics.mean(marks) >= MIN_NO_ANSWER_FLAGGED
    gibberish = [m for m, e in zip(marks, entries, strict=True) if e["type"] == "gibberish"]
    assert statistics.mean(gibberish) >= MIN_GIBBERISH_FLAGGED
    everyday = [m for m, e in zip(marks, entries, strict=True) if e["type"] == "out-of-scope"]
    assert statistics.mean(everyday) >= MIN_OUT_OF_SCOPE_FLAGGED


def test_answerable_queries_are_not_flagged(sample_index: tuple[Snapshot, Settings], real_embedder: Any) -> None:
    build, settings = sample_index
    queries = [e["query"] for name in ("dev_core.yaml", "dev_sample.yaml", "dev_hard.yaml") for e in load(name)]
    assert statistics.mean(flagged(build, settings, real_embedder, queries)) <= MAX_ANSWERABLE_FLAGGED


def test_counting_only_confident_results_keeps_recall(
    sample_index: tuple[Snapshot, Settings], real_embedder: Any
) -> None:
    build, settings = sample_index
    every, sure = [], []
    # dev_hard.yaml loses more (0.065 of its 46 queries: three misspelt or unknown words flagged),
    # which bench/calibrate.py reports; the two large sets hold the line.
    for entry in load("dev_core.yaml") + load("dev_sample.yaml"):
        hits = search(build, real_embedder, entry["query"], settings.search, limit=5).hits
        relevant = set(entry["relevant"])
        every.append(len(relevant & {h.doc_id for h in hits}) / len(relevant))
        sure.append(len(relevant & {h.doc_id for h in hits if h.confident}) / len(relevant))
    assert statistics.mean(every) - statistics.mean(sure) <= MAX_RECALL_LOSS
