"""Build runs as their JSON reports tell them, for the Index status page.

A report is read as found: reports written before a field existed lack it, and a damaged one
gives a summary naming why rather than an error."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal.values import as_text, as_texts


@dataclass(frozen=True)
class FileProblem:
    """A corpus file that a build run could not index (failed) or did not read (skipped)."""

    file: str
    reason: str
    hint: str = ""
    kept: bool = False  # failed this run, but its last good version is still searchable


@dataclass(frozen=True)
class RunSummary:
    """One build run as its JSON report tells it; `problem` is set when the report is unreadable.

    Reports written before a field existed simply lack it: the field is then empty."""

    name: str
    started: str = ""
    finished: str = ""
    outcome: str = ""
    message: str = ""
    build_id: str = ""
    model: str = ""
    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    failed: tuple[FileProblem, ...] = ()
    skipped: tuple[FileProblem, ...] = ()
    # Documents that failed this run (or could not be listed) whose last good version is kept.
    stale: tuple[str, ...] = ()
    # Per document, what the run noticed but indexed anyway (invalid metadata values and such).
    warnings: tuple[tuple[str, tuple[str, ...]], ...] = ()
    problem: str = ""


def _problems(value: Any, stale: Collection[str] = ()) -> tuple[FileProblem, ...]:
    """A report's list of file entries; entries that are not objects, or a value that is not a
    list, are left out rather than trusted."""
    if not isinstance(value, list):
        return ()
    out = []
    for entry in value:
        if not isinstance(entry, dict):
            continue
        file = as_text(entry.get("file"))
        kept = entry.get("kept") is True or as_text(entry.get("kept")).lower() == "yes" or file in stale
        out.append(FileProblem(file, as_text(entry.get("reason")), as_text(entry.get("hint")), kept))
    return tuple(out)


def _doc_warnings(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A report's warnings ({doc_id: [text, ...]}) by document id; anything else gives none."""
    if not isinstance(value, dict):
        return ()
    found = ((as_text(doc_id), as_texts(texts)) for doc_id, texts in value.items())
    return tuple(sorted((doc_id, texts) for doc_id, texts in found if doc_id and texts))


def read_run(path: Path) -> RunSummary:
    """A run report file as a summary; a missing or damaged file gives a summary naming why."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return RunSummary(path.name, problem=f"{path.name} cannot be read ({exc})")
    if not isinstance(data, dict):
        return RunSummary(path.name, problem=f"{path.name} is not a run report")

    def count(key: str) -> int:
        value = data.get(key)
        if isinstance(value, list):
            return len(value)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    raw_stale = data.get("stale")
    stale = as_texts(raw_stale) if isinstance(raw_stale, list) else ()
    return RunSummary(
        path.name,
        started=as_text(data.get("started")),
        finished=as_text(data.get("finished")),
        outcome=as_text(data.get("outcome")),
        message=as_text(data.get("message")),
        build_id=as_text(data.get("build_id")),
        model=as_text(data.get("model")),
        documents=count("documents"),
        chunks=count("chunks"),
        added=count("added"),
        updated=count("updated"),
        removed=count("removed"),
        failed=_problems(data.get("failed"), stale),
        skipped=_problems(data.get("skipped")),
        stale=stale,
        warnings=_doc_warnings(data.get("warnings")),
    )


def latest_run(reports_dir: Path) -> RunSummary | None:
    path = reports_dir / "latest.json"
    return read_run(path) if path.exists() else None


def run_history(reports_dir: Path, limit: int = 10) -> list[RunSummary]:
    """The most recent runs, newest first (report names start with the run's start time)."""
    if not reports_dir.is_dir():
        return []
    paths = sorted(reports_dir.glob("run-*.json"), key=lambda p: p.name, reverse=True)
    return [read_run(p) for p in paths[:limit]]


def number_of(number: int, thing: str, things: str = "") -> str:
    """The count with its noun in the right number: "1 file", "2 files"."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"
