"""Run reports: what each build run did, written as JSON for editors and read back by one reader."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.layout import write_json_atomic
from ingest.types import Failure

# Run reports kept for the Index status page's history.
KEEP_REPORTS = 30
LATEST = "latest.json"


@dataclass(frozen=True)
class FileNote:
    """A corpus file a run could not index (failed) or did not read (skipped), with why."""

    file: str
    reason: str
    hint: str = ""
    kept: bool = False  # failed this run, but its last good version is still searchable

    @staticmethod
    def of(failure: Failure, kept: bool = False) -> FileNote:
        return FileNote(failure.doc_id, failure.reason, failure.hint, kept)


@dataclass(frozen=True)
class CurationNote:
    """A problem in one of the editors' curation files (corpus/_curation/), with its line (0:
    the whole file). The entry it is in is left out; the rest of the file still applies."""

    file: str
    line: int
    problem: str

    def text(self) -> str:
        """'file, line N: problem'."""
        return f"{self.file}, line {self.line}: {self.problem}" if self.line else f"{self.file}: {self.problem}"


@dataclass
class RunReport:
    """What one run did; written as JSON and summarised for people."""

    started: str
    finished: str = ""
    outcome: str = "running"  # published | unchanged | dry-run | rejected | failed | locked
    message: str = ""
    build_id: str = ""
    previous_build: str = ""
    model: str = ""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FileNote] = field(default_factory=list)
    skipped: list[FileNote] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    curation: list[CurationNote] = field(default_factory=list)  # problems of the curation files
    same_text: dict[str, str] = field(default_factory=dict)  # a copy's id -> the document it repeats
    stale: list[str] = field(default_factory=list)  # failed this run; the last good version is kept
    notices: list[str] = field(default_factory=list)  # things the run repaired on its way
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        """A few lines for people."""
        lines = [
            f"{self.outcome}: {self.message}" if self.message else self.outcome,
            f"added {len(self.added)}, updated {len(self.updated)}, removed {len(self.removed)}, "
            f"unchanged {len(self.unchanged)}, failed {len(self.failed)}, skipped {len(self.skipped)}",
        ]
        if self.build_id:
            lines.append(
                f"build {self.build_id}: {self.documents} documents, {self.chunks} passages, "
                f"{self.embedded} passages embedded"
            )
        for failure in self.failed:
            hint = f" ({failure.hint})" if failure.hint else ""
            kept = "; its last good version is still searchable" if failure.kept else ""
            lines.append(f"  FAILED {failure.file}: {failure.reason}{hint}{kept}")
        lines += [f"  SKIPPED {s.file}: {s.reason}" for s in self.skipped]
        lines += [f"  WARNING {doc_id}: {w}" for doc_id, warnings in self.warnings.items() for w in warnings]
        lines += [f"  CURATION {note.text()}" for note in self.curation]
        lines += [f"  NOTE {notice}" for notice in self.notices]
        lines += [f"  SAME TEXT {c} repeats {o}: search shows one of them" for c, o in self.same_text.items()]
        lines.append(f"time {sum(self.timings.values()):.1f}s")
        return "\n".join(lines)

    @staticmethod
    def from_json(data: dict[str, Any]) -> RunReport:
        """A report from its JSON. Reports written before a field existed lack it, and a field
        of the wrong shape is not trusted: either reads as empty."""
        stale = _texts(data.get("stale"))
        timings = data.get("timings")
        return RunReport(
            started=_text(data.get("started")),
            finished=_text(data.get("finished")),
            outcome=_text(data.get("outcome")),
            message=_text(data.get("message")),
            build_id=_text(data.get("build_id")),
            previous_build=_text(data.get("previous_build")),
            model=_text(data.get("model")),
            added=_texts(data.get("added")),
            updated=_texts(data.get("updated")),
            removed=_texts(data.get("removed")),
            unchanged=_texts(data.get("unchanged")),
            failed=_notes(data.get("failed"), set(stale)),
            skipped=_notes(data.get("skipped"), set()),
            warnings=_warnings(data.get("warnings")),
            curation=_curation_notes(data.get("curation")),
            same_text={k: v for k, v in _mapping(data.get("same_text")).items() if isinstance(v, str)},
            stale=stale,
            notices=_texts(data.get("notices")),
            documents=_count(data.get("documents")),
            chunks=_count(data.get("chunks")),
            embedded=_count(data.get("embedded")),
            timings={k: float(v) for k, v in _mapping(timings).items() if isinstance(v, int | float)},
        )


@dataclass(frozen=True)
class SavedReport:
    """A report file as read back: the report, or why it could not be read."""

    name: str
    report: RunReport | None
    problem: str = ""


def save_report(reports_dir: Path, report: RunReport) -> None:
    """Write the report under a name that sorts by start time, as the latest report, and drop
    reports past the newest KEEP_REPORTS."""
    # A random tail: two runs started in the same second must not overwrite each other's report.
    name = report.started.replace(":", "").replace("+00:00", "Z") + "-" + secrets.token_hex(2)
    data = report.to_json()
    write_json_atomic(reports_dir / f"run-{name}.json", data)
    write_json_atomic(reports_dir / LATEST, data)
    for old in sorted(reports_dir.glob("run-*.json"))[:-KEEP_REPORTS]:
        old.unlink(missing_ok=True)


def read_report(path: Path) -> SavedReport:
    """A report file; a missing or damaged file gives a SavedReport naming why, never an error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return SavedReport(path.name, None, f"{path.name} cannot be read ({exc})")
    if not isinstance(data, dict):
        return SavedReport(path.name, None, f"{path.name} is not a run report")
    return SavedReport(path.name, RunReport.from_json(data))


def latest_report(reports_dir: Path) -> SavedReport | None:
    """The last run's report, or None before the first run."""
    path = reports_dir / LATEST
    return read_report(path) if path.exists() else None


def recent_reports(reports_dir: Path, limit: int = KEEP_REPORTS) -> list[SavedReport]:
    """The most recent runs' reports, newest first (names start with the run's start time)."""
    if not reports_dir.is_dir():
        return []
    paths = sorted(reports_dir.glob("run-*.json"), key=lambda p: p.name, reverse=True)
    return [read_report(p) for p in paths[:limit]]


def _mapping(value: object) -> dict[str, Any]:
    return {k: v for k, v in value.items() if isinstance(k, str)} if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _texts(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _notes(value: object, stale: set[str]) -> list[FileNote]:
    """A report's list of file entries; entries that are not objects are left out. A failed file
    is kept when the report says so (earlier reports wrote "yes") or lists it as stale."""
    notes = []
    for entry in value if isinstance(value, list) else []:
        if not isinstance(entry, dict):
            continue
        file = _text(entry.get("file"))
        kept = entry.get("kept") is True or _text(entry.get("kept")).lower() == "yes" or file in stale
        notes.append(FileNote(file, _text(entry.get("reason")), _text(entry.get("hint")), kept))
    return notes


def _warnings(value: object) -> dict[str, list[str]]:
    """A report's warnings by document id; entries without text are left out."""
    found = {doc_id: _texts([texts] if isinstance(texts, str) else texts) for doc_id, texts in _mapping(value).items()}
    return {doc_id: texts for doc_id, texts in sorted(found.items()) if doc_id and texts}


def _curation_notes(value: object) -> list[CurationNote]:
    """A report's curation problems; entries that are not objects are left out."""
    notes = []
    for entry in value if isinstance(value, list) else []:
        if isinstance(entry, dict):
            line = entry.get("line")
            number = line if isinstance(line, int) and not isinstance(line, bool) and line >= 0 else 0
            notes.append(CurationNote(_text(entry.get("file")), number, _text(entry.get("problem"))))
    return notes
