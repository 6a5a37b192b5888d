"""Deciding what a run must do with each corpus file, from the scan and what the last build holds."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ingest.scan import Scan
from ingest.types import Failure, SourceFile


@dataclass(frozen=True)
class KnownFailure:
    """A file that failed in the last build: the bytes that failed (their hash; empty when the
    failure was no verdict on the file, such as a read stopped for time), why, and the reader's
    key (its version and limits) at the time."""

    hash: str
    reason: str
    hint: str
    reader: str


@dataclass(frozen=True)
class Known:
    """What the last build recorded about the corpus: each indexed document's content hash,
    each failed file, and every document id it serves."""

    files: Mapping[str, str] = field(default_factory=dict)
    failures: Mapping[str, KnownFailure] = field(default_factory=dict)
    documents: Collection[str] = ()


@dataclass
class ChangePlan:
    """What a run will do with each file."""

    unchanged: list[SourceFile] = field(default_factory=list)
    to_read: list[SourceFile] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Documents whose folder could not be listed: kept as they are, never taken for deleted.
    unlisted: list[str] = field(default_factory=list)
    # The content hash of every file scanned, failed ones included.
    hashes: dict[str, str] = field(default_factory=dict)


def plan_changes(scan: Scan, known: Known, reader: str, *, reuse: bool = True) -> ChangePlan:
    """Sort the scanned files into unchanged, to read and failed again, and the documents of
    the last build into removed and unlisted.

    A file is unchanged when its hash matches the indexed one. A file whose same bytes failed
    with the same `reader` key is reported again without being read. With `reuse` False (a full
    rebuild, or a build made with another model or chunking) every file is read."""
    files = known.files if reuse else {}
    failures = known.failures if reuse else {}
    plan = ChangePlan(failures=list(scan.failures), hashes={s.doc_id: s.content_hash for s in scan.files})
    for source in scan.files:
        old = failures.get(source.doc_id)
        if files.get(source.doc_id) == source.content_hash:
            plan.unchanged.append(source)
        elif old is not None and old.hash == source.content_hash and old.reader == reader:
            plan.failures.append(Failure(source.doc_id, old.reason, old.hint))
        else:
            plan.to_read.append(source)
    present = {s.doc_id for s in scan.files} | {f.doc_id for f in scan.failures}
    for doc_id in sorted(known.documents):
        if doc_id in present:
            continue
        if scan.covers_unread(doc_id):
            plan.unlisted.append(doc_id)
        else:
            plan.removed.append(doc_id)
    return plan
