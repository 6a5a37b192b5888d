"""The development query sets are well-formed: fast checks on the files alone (no model, no search).

dev_core.yaml and dev_no_answer.yaml sit beside dev_sample.yaml; realdocs_pages.yaml says where in
each real document the realdocs.yaml queries are answered. Checks that open ../shared skip without it."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, SHARED, needs_shared

GOLDEN = ROOT / "tests" / "golden"
CORPUS = ROOT / "corpus"
REALDOCS = SHARED / "realdocs"

CORE_TYPES = {"paraphrase", "long", "short", "acronym", "keyword"}
NO_ANSWER_MINIMUMS = {"out-of-scope": 25, "adjacent": 25, "gibberish": 20}
MIN_NO_ANSWER = 80
HARD_TYPES = {"short", "typo", "acronym", "chatter"}
MIN_HARD = 40
# Files with a held-out split (`split: holdout`), which the confidence calibration only measures.
SPLIT_FILES = ("dev_no_answer.yaml", "dev_hard.yaml")
MIN_CORE = 32
MAX_ANSWERS_PER_DOCUMENT = 2


def load(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((GOLDEN / name).read_text(encoding="utf-8"))
    assert isinstance(data, list), f"{name} should be a list of entries"
    return data


def normalised(query: str) -> str:
    return " ".join(query.split()).casefold()


def test_every_query_is_non_empty_and_unique_across_the_dev_sets() -> None:
    seen: Counter[str] = Counter()
    for name in ("dev_core.yaml", "dev_sample.yaml", "dev_no_answer.yaml", "dev_hard.yaml"):
        for entry in load(name):
            query = entry.get("query")
            assert isinstance(query, str) and query.strip(), f"empty query in {name}: {entry}"
            seen[normalised(query)] += 1
    repeated = sorted(query for query, count in seen.items() if count > 1)
    assert not repeated, f"queries used more than once: {repeated}"


def test_dev_core_entries_point_at_documents_in_the_corpus() -> None:
    core = load("dev_core.yaml")
    assert len(core) >= MIN_CORE
    for entry in core:
        assert entry.get("type") in CORE_TYPES, entry
        relevant = entry.get("relevant")
        assert isinstance(relevant, list) and 1 <= len(relevant) <= 2, entry
        for doc_id in relevant:
            assert not doc_id.endswith(".meta.yaml"), entry
            assert (CORPUS / doc_id).is_file(), f"{doc_id} is not under corpus/"


def test_no_document_answers_more_than_two_core_queries() -> None:
    counts = Counter(doc_id for entry in load("dev_core.yaml") for doc_id in entry["relevant"])
    overused = {doc_id: n for doc_id, n in counts.items() if n > MAX_ANSWERS_PER_DOCUMENT}
    assert not overused, overused


def test_no_answer_entries_have_no_relevant_documents_and_enough_of_each_type() -> None:
    entries = load("dev_no_answer.yaml")
    assert len(entries) >= MIN_NO_ANSWER
    for entry in entries:
        assert entry.get("relevant") == [], entry
        assert entry.get("type") in NO_ANSWER_MINIMUMS, entry
    counts = Counter(entry["type"] for entry in entries)
    for kind, minimum in NO_ANSWER_MINIMUMS.items():
        assert counts[kind] >= minimum, f"only {counts[kind]} {kind} queries, want {minimum}"


def page_judgments() -> list[dict[str, Any]]:
    return load("realdocs_pages.yaml")


def test_realdocs_pages_cover_every_realdocs_query_exactly() -> None:
    queries = [entry["query"] for entry in load("realdocs.yaml")]
    judged = [entry["query"] for entry in page_judgments()]
    assert len(judged) == len(set(judged)), "a realdocs query is judged twice"
    assert set(judged) == set(queries)


def test_realdocs_pages_name_only_relevant_files_with_positive_pages() -> None:
    relevant = {entry["query"]: set(entry["relevant"]) for entry in load("realdocs.yaml")}
    for entry in page_judgments():
        pages: dict[str, list[int]] = entry.get("pages") or {}
        sections: dict[str, list[str]] = entry.get("sections") or {}
        assert pages or sections, f"no judgment for {entry['query']!r}"
        assert set(entry) <= {"query", "pages", "sections"}, entry
        for path, numbers in pages.items():
            assert path in relevant[entry["query"]], f"{path} is not relevant to {entry['query']!r}"
            assert path.endswith(".pdf"), path
            assert numbers, f"no pages for {path}"
            assert all(type(n) is int and n > 0 for n in numbers), numbers
            assert len(numbers) == len(set(numbers)), numbers
        for path, headings in sections.items():
            assert path in relevant[entry["query"]], f"{path} is not relevant to {entry['query']!r}"
            assert path.endswith(".md"), path
            assert headings and all(isinstance(h, str) and h.strip() for h in headings), headings


HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)


def headings_in(path: Path) -> set[str]:
    """Heading text of every Markdown heading line, those inside fenced prompt or rules blocks included."""
    return {match.group(1) for match in HEADING.finditer(path.read_text(encoding="utf-8"))}


@pytest.mark.shared
@needs_shared
def test_judged_pages_and_headings_exist_in_the_real_documents() -> None:
    from pypdf import PdfReader

    page_counts: dict[str, int] = {}
    for entry in page_judgments():
        for path, numbers in (entry.get("pages") or {}).items():
            if path not in page_counts:
                page_counts[path] = len(PdfReader(REALDOCS / path).pages)
            assert max(numbers) <= page_counts[path], f"{path} has {page_counts[path]} pages: {numbers}"
        for path, headings in (entry.get("sections") or {}).items():
            missing = set(headings) - headings_in(REALDOCS / path)
            assert not missing, f"{path} has no heading {sorted(missing)}"


def test_dev_hard_entries_point_at_documents_in_the_corpus() -> None:
    hard = load("dev_hard.yaml")
    assert len(hard) >= MIN_HARD
    for entry in hard:
        assert entry.get("type") in HARD_TYPES, entry
        relevant = entry.get("relevant")
        assert isinstance(relevant, list) and 1 <= len(relevant) <= 3, entry
        for doc_id in relevant:
            assert not doc_id.endswith(".meta.yaml"), entry
            assert (CORPUS / doc_id).is_file(), f"{doc_id} is not under corpus/"
    assert Counter(entry["type"] for entry in hard).keys() == HARD_TYPES


def test_golden_queries_are_not_reused_in_the_new_dev_sets() -> None:
    golden = {
        normalised(e["query"]) for name in ("queries_A.yaml", "queries_B.yaml", "queries_C.yaml") for e in load(name)
    }
    for name in SPLIT_FILES:
        reused = [e["query"] for e in load(name) if normalised(e["query"]) in golden]
        assert not reused, f"{name} repeats golden queries: {reused}"


@pytest.mark.parametrize("name", SPLIT_FILES)
def test_held_out_split_is_marked_and_holds_each_type(name: str) -> None:
    entries = load(name)
    assert all(entry.get("split", "fit") in ("fit", "holdout") for entry in entries), name
    held = [entry for entry in entries if entry.get("split") == "holdout"]
    # dev_no_answer.yaml's first 29 queries predate the split and all belong to the fit split;
    # half of the later ones are held out.
    assert len(held) >= (len(entries) - 29 if name == "dev_no_answer.yaml" else len(entries)) // 2 - 1
    assert {entry["type"] for entry in held} == {entry["type"] for entry in entries}
