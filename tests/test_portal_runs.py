"""Build run reports as the Index status page reads them (portal/runs.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from portal.runs import FileProblem, number_of, read_run


def test_number_of() -> None:
    assert number_of(1, "file") == "1 file"
    assert number_of(0, "file") == "0 files"
    assert number_of(2, "file was", "files were") == "2 files were"


def test_read_run_reads_failed_skipped_stale_and_warnings(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    report = {
        "outcome": "published",
        "failed": [
            {"file": "a.pdf", "reason": "r", "hint": "h", "kept": "yes"},
            {"file": "b.pdf", "reason": "r2"},
            {"file": "c.pdf", "reason": "r3"},
        ],
        "stale": ["a.pdf", "c.pdf", "gone.md"],
        "skipped": [{"file": "x.exe", "reason": "unsupported", "hint": "convert it"}],
        "warnings": {"z.md": ["bad tags"], "y.md": "one warning", "w.md": []},
        "documents": 4,
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    run = read_run(path)
    assert run.failed == (
        FileProblem("a.pdf", "r", "h", kept=True),
        FileProblem("b.pdf", "r2"),
        FileProblem("c.pdf", "r3", kept=True),  # listed as stale, though its entry does not say so
    )
    assert run.skipped == (FileProblem("x.exe", "unsupported", "convert it"),)
    assert run.stale == ("a.pdf", "c.pdf", "gone.md")
    assert run.warnings == (("y.md", ("one warning",)), ("z.md", ("bad tags",)))
    assert run.documents == 4 and not run.problem


@pytest.mark.parametrize(
    "report",
    [
        {"outcome": "published"},  # written before failed, skipped, stale and warnings existed
        {"failed": 5, "skipped": "x", "stale": {"a": 1}, "warnings": ["a"], "documents": True, "chunks": -3},
        {"failed": [None, 3, "x"], "skipped": [[]], "stale": "a.pdf", "warnings": {"": ["x"], "d": {"k": 1}}},
    ],
)
def test_read_run_tolerates_missing_and_odd_fields(tmp_path: Path, report: dict[str, Any]) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    run = read_run(path)
    assert (run.failed, run.skipped, run.stale, run.warnings) == ((), (), (), ())
    assert (run.documents, run.chunks, run.problem) == (0, 0, "")


@pytest.mark.parametrize("content", ["{not json", "[" * 100_000 + "]" * 100_000, '"text"', "\udcff"])
def test_read_run_names_a_damaged_report(tmp_path: Path, content: str) -> None:
    path = tmp_path / "latest.json"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    assert read_run(path).problem.startswith("latest.json ")
