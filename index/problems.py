"""What a build run tells editors about the corpus beyond failed files: every document's metadata
problems (from reading it, its audience, its agency) and the problems of the curation files.

Each run lists them for every document of the build, those carried over unchanged included, so
the run's output and the Index status page always show every problem still in the corpus, not
only those of the files read this time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from index.curated import unknown_agency
from index.reports import CurationNote, RunReport
from ingest.audience import unknown_groups
from ingest.curation import Curation, read_curation
from ingest.types import SIDECAR_SUFFIX, Metadata

METADATA = "metadata: "


class Described(Protocol):
    """A document as a build holds it (ingest's Document or the store's DocumentRecord)."""

    @property
    def doc_id(self) -> str: ...

    @property
    def format(self) -> str: ...

    @property
    def metadata(self) -> Metadata: ...

    @property
    def warnings(self) -> tuple[str, ...]: ...


def check_curation(corpus_dir: Path, doc_ids: Iterable[str], report: RunReport) -> Curation:
    """The corpus's curation files checked against the build's documents `doc_ids`; their
    problems are added to `report`."""
    curation = read_curation(corpus_dir, frozenset(doc_ids))
    report.curation = [CurationNote(p.file, p.line, p.message) for p in curation.problems]
    return curation


def where_described(doc: Described) -> str:
    """The file holding a document's metadata: its sidecar, or the Markdown file's front matter."""
    if doc.format == "markdown":
        return f"{doc.doc_id} (front matter)"
    return f"{doc.doc_id}{SIDECAR_SUFFIX}"


def record_warnings(
    documents: Iterable[Described], groups: tuple[str, ...], curation: Curation, report: RunReport
) -> None:
    """Add to `report.warnings` every problem of every document of the build: what reading it
    found (kept in the build, so also for documents carried over), an audience naming a group
    the identity provider does not issue, and an agency the agency list does not know.

    A metadata problem names the file it is in (the sidecar, or the front matter) and its field."""
    for doc in documents:
        found = report.warnings.setdefault(doc.doc_id, [])
        named = [_named(doc, w) for w in found]
        fresh = [_named(doc, w) for w in doc.warnings]
        unknown = unknown_groups(doc.metadata.audience, groups)
        if unknown:
            names = ", ".join(repr(g) for g in unknown)
            fresh.append(
                _named(
                    doc,
                    f"{METADATA}audience: {names} {'is' if len(unknown) == 1 else 'are'} not among the known "
                    f"groups (HUB_GROUPS: {', '.join(groups)}); no reader is in it, so only editors and the "
                    "other groups named see the document",
                )
            )
        agency = unknown_agency(doc.metadata.agency, curation)
        if agency:
            fresh.append(_named(doc, agency))
        found[:] = list(dict.fromkeys([*named, *fresh]))
        if not found:
            del report.warnings[doc.doc_id]


def _named(doc: Described, warning: str) -> str:
    """A metadata problem with the file it is in: 'metadata (guidance/x.pdf.meta.yaml): kind: ...'."""
    if not warning.startswith(METADATA):
        return warning
    return f"metadata ({where_described(doc)}): {warning[len(METADATA) :]}"
