"""Run reports read back by their one reader (index/reports.py), as the Index status page shows them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from index.reports import FileNote, read_report
from portal.labels import number_of


def test_number_of() -> None:
    assert number_of(1, "file") == "1 file"
    assert number_of(0, "file") == "0 files"
    assert number_of(2, "file was", "files were") == "2 files were"


def test_read_report_reads_failed_skipped_stale_and_warnings(tmp_path: Path) -> None:
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
    saved = read_report(path)
    run = saved.report
    assert run is not None and not saved.problem
    assert run.failed == [
        FileNote("a.pdf", "r", "h", kept=True),
        FileNote("b.pdf", "r2"),
        FileNote("c.pdf", "r3", kept=True),  # listed as stale, though its entry does not say so
    ]
    assert run.skipped == [FileNote("x.exe", "unsupported", "convert it")]
    assert run.stale == ["a.pdf", "c.pdf", "gone.md"]
    assert run.warnings == {"y.md": ["one warning"], "z.md": ["bad tags"]}
    assert run.documents == 4


@pytest.mark.parametrize(
    "report",
    [
        {"outcome": "published"},  # written before failed, skipped, stale and warnings existed
        {"failed": 5, "skipped": "x", "stale": {"a": 1}, "warnings": ["a"], "documents": True, "chunks": -3},
        {"failed": [None, 3, "x"], "skipped": [[]], "stale": "a.pdf", "warnings": {"": ["x"], "d": {"k": 1}}},
    ],
)
def test_read_report_tolerates_missing_and_odd_fields(tmp_path: Path, report: dict[str, Any]) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    saved = read_report(path)
    run = saved.report
    assert run is not None and not saved.problem
    assert (run.failed, run.skipped, run.stale, run.warnings) == ([], [], [], {})
    assert (run.documents, run.chunks) == (0, 0)


@pytest.mark.parametrize("content", ["{not json", "[" * 100_000 + "]" * 100_000, '"text"', "\udcff"])
def test_read_report_names_a_damaged_report(tmp_path: Path, content: str) -> None:
    path = tmp_path / "latest.json"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    saved = read_report(path)
    assert saved.report is None and saved.problem.startswith("latest.json ")


def test_a_saved_report_reads_back_as_written(tmp_path: Path) -> None:
    from index.reports import RunReport, latest_report, recent_reports, save_report

    report = RunReport(started="2026-03-01T02:00:00+00:00", outcome="published", added=["a.md"])
    report.failed.append(FileNote("b.pdf", "damaged", "export it again", kept=True))
    report.warnings["a.md"] = ["tags: not a list"]
    save_report(tmp_path, report)
    save_report(tmp_path, report)  # the same second: both kept
    latest = latest_report(tmp_path)
    assert latest is not None and latest.report == report
    assert [saved.report for saved in recent_reports(tmp_path)] == [report, report]
