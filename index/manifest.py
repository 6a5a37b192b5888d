"""A build's manifest: what it was built with and from. The only reader and writer of manifest.json."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import IndexCorrupt, one_line
from index.layout import MANIFEST, write_json_atomic
from ingest.plan import KnownFailure


@dataclass(frozen=True)
class StaleRecord:
    """A document kept at its last good version: why, and since when (ISO time)."""

    reason: str
    since: str


@dataclass(frozen=True)
class Manifest:
    """What a build was made with (model, chunking) and from (each file's hash, the failures,
    the copies and the stale documents)."""

    build_id: str
    created: str = ""
    model: str = ""
    dimension: int = 0
    chunking: str = ""
    documents: int = 0
    chunks: int | None = None
    # Each indexed document's content hash. A stale document records that of its last good
    # version, so the next run tries the file again.
    files: dict[str, str] = field(default_factory=dict)
    # A copy's id -> the document whose text it repeats; None for a build made before copies
    # were recorded (the next run rebuilds it once to find them).
    duplicates: dict[str, str] | None = None
    # A later edition's id -> the first document it is an edition of (index/duplicates.py); a
    # build made before editions were recorded has none, and the next reading of files finds them.
    editions: dict[str, str] = field(default_factory=dict)
    failures: dict[str, KnownFailure] = field(default_factory=dict)
    stale: dict[str, StaleRecord] = field(default_factory=dict)
    # A hash of the curation files the build was made with ('' when there were none): a run that
    # finds them changed publishes a new build, its documents and vectors carried over as they are.
    curation: str = ""

    def copies(self) -> dict[str, str]:
        """The copies recorded (none for a build made before they were)."""
        return dict(self.duplicates or {})

    def to_json(self) -> dict[str, Any]:
        return {
            "build_id": self.build_id,
            "created": self.created,
            "model": self.model,
            "dimension": self.dimension,
            "chunking": self.chunking,
            "documents": self.documents,
            "chunks": self.chunks,
            "files": self.files,
            "duplicates": self.duplicates,
            "editions": self.editions,
            "failures": {
                doc_id: {"hash": f.hash, "reason": f.reason, "hint": f.hint, "reader": f.reader}
                for doc_id, f in self.failures.items()
            },
            "stale": {doc_id: {"reason": s.reason, "since": s.since} for doc_id, s in self.stale.items()},
            "curation": self.curation,
        }

    @staticmethod
    def from_json(data: dict[str, Any], build_id: str) -> Manifest:
        """A manifest from its JSON. A field of the wrong shape (a build from an earlier version,
        a hand-edited file) reads as absent, never as an error: the counts that matter are
        checked against the build's parts when it is opened."""
        chunks = data.get("chunks")
        return Manifest(
            build_id=_text(data.get("build_id")) or build_id,
            created=_text(data.get("created")),
            model=_text(data.get("model")),
            dimension=_number(data.get("dimension")),
            chunking=_text(data.get("chunking")),
            documents=_number(data.get("documents")),
            chunks=chunks if isinstance(chunks, int) and not isinstance(chunks, bool) else None,
            files=_texts(data.get("files")),
            duplicates=_texts(data.get("duplicates")) if "duplicates" in data else None,
            editions=_texts(data.get("editions")),
            failures={k: _failure(v) for k, v in _mapping(data.get("failures")).items()},
            stale={k: _stale(v) for k, v in _mapping(data.get("stale")).items()},
            curation=_text(data.get("curation")),
        )


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a build folder. Raises IndexCorrupt naming the file when missing or unreadable."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorrupt(f"{path}: missing") from None
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(f"{path}: unreadable ({one_line(exc)})") from None
    if not isinstance(data, dict):
        raise IndexCorrupt(f"{path}: not a manifest")
    return Manifest.from_json(data, folder.name)


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Write the manifest atomically: it is the last file of a build, so a build folder with
    a manifest is complete."""
    write_json_atomic(folder / MANIFEST, manifest.to_json())


def _mapping(value: object) -> dict[str, Any]:
    return {k: v for k, v in value.items() if isinstance(k, str)} if isinstance(value, dict) else {}


def _texts(value: object) -> dict[str, str]:
    return {k: v for k, v in _mapping(value).items() if isinstance(v, str)}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _failure(value: object) -> KnownFailure:
    data = _mapping(value)
    return KnownFailure(
        _text(data.get("hash")), _text(data.get("reason")), _text(data.get("hint")), _text(data.get("reader"))
    )


def _stale(value: object) -> StaleRecord:
    data = _mapping(value)
    return StaleRecord(_text(data.get("reason")), _text(data.get("since")))
