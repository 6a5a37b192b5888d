"""Taking documents from the previous build into the next one, so unchanged files are not read
and embedded again, and a file that starts to fail keeps its last good version."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.errors import IndexCorrupt, IndexNotReady
from index.layout import earlier_builds, read_pointer
from index.snapshot import Snapshot, open_build, open_live
from ingest.embed import Embedder
from ingest.errors import HubError
from ingest.pipeline import indexed_text
from ingest.plan import ChangePlan
from ingest.settings import Settings
from ingest.types import Chunk, Document, Layout


@dataclass(frozen=True)
class Entry:
    """One document carried into the new build: the document, its vectors and its keyword texts."""

    document: Document
    vectors: np.ndarray
    texts: list[str]


def open_previous(settings: Settings, notices: list[str]) -> Snapshot | None:
    """The build to start from: the live one, or, when it cannot be opened, the newest earlier
    build that can (so its unchanged documents are not read and embedded again), with a notice
    added saying so. None when there is none: everything is read."""
    try:
        return open_live(settings)
    except IndexNotReady:
        return _from_database(settings, notices)
    except IndexCorrupt as exc:
        damage = str(exc)
    try:
        live_id = read_pointer(settings)
    except IndexCorrupt:
        live_id = None
    for build_id in earlier_builds(settings, live_id):
        try:
            build = open_build(settings.builds_dir / build_id)
        except IndexCorrupt:
            continue
        notices.append(f"the live build could not be opened ({damage}); this run started from build {build_id}")
        return build
    notices.append(f"the live build could not be opened ({damage}); every file was read again")
    return None


def _from_database(settings: Settings, notices: list[str]) -> Snapshot | None:
    """The database's live build, for a run whose data folder holds none (a build host that is
    new, or whose disk was replaced): its documents are carried over as they are, not read and
    embedded again. None without HUB_STORE, or when the database has nothing to start from."""
    if not settings.store:
        return None
    from index.catalogue import catalogue_of

    catalogue = catalogue_of(settings)
    try:
        live = catalogue.live_id()
        build = catalogue.open(live) if live is not None else None
    except HubError as exc:
        notices.append(f"the live build in {catalogue.where} could not be opened ({exc}); every file was read")
        return None
    if build is not None:
        notices.append(
            f"the data folder held no build; this run started from build {build.build_id} in {catalogue.where}"
        )
    return build


def reusable(previous: Snapshot | None, embedder: Embedder, settings: Settings) -> bool:
    """True when the previous build's passages and vectors can go into the new build as they are.

    A build made before layouts were kept is not: every file is read again (its vectors mostly
    come from the embedding cache), so the reader can draw every document with its structure."""
    return (
        previous is not None
        and previous.manifest.model == embedder.model_key
        and previous.manifest.chunking == settings.chunking_key()
        and previous.store.keeps_layouts()
    )


def carry_over(previous: Snapshot | None, plan: ChangePlan, embedder: Embedder, budget: int) -> dict[str, Entry]:
    """The unchanged documents, taken from the previous build. One whose passages there are
    damaged is moved to `plan.to_read`, to be read again from its file."""
    kept: dict[str, Entry] = {}
    for source in list(plan.unchanged):
        entry = from_build(previous, source.doc_id, embedder, budget) if previous is not None else None
        if entry is not None:
            kept[source.doc_id] = entry
            continue
        plan.unchanged.remove(source)
        plan.to_read.append(source)
    return kept


def from_build(build: Snapshot, doc_id: str, embedder: Embedder, budget: int) -> Entry | None:
    """A document of `build` with its vectors and keyword texts, or None when any of it is
    damaged (missing or extra passages, unreadable rows, vectors that are not finite)."""
    try:
        # As the file described it: the agency list's names are applied when a build is opened.
        record = build.stored[doc_id]
        records = build.store.chunks_of(doc_id)
        text = build.store.document_text(doc_id)
        # None from a build made before layouts were kept: such a build is not reused (see
        # `reusable`), but a document kept at its last good version comes without one.
        layout = build.store.document_layout(doc_id) or Layout()
        positions = [c.position for c in records]
        if text is None or len(records) != record.chunk_count or positions != list(range(len(records))):
            return None
        if not all(isinstance(c.text, str) and c.text for c in records):
            return None
        vectors = build.vectors.vectors(np.array([c.row for c in records]))
        if vectors.shape != (len(records), embedder.dimension) or not np.isfinite(vectors).all():
            return None
    except Exception:  # sqlite, faiss and JSON each raise their own on a damaged build
        return None
    chunks = tuple(Chunk(c.doc_id, c.position, c.text, c.start, c.end, c.page, c.heading_path) for c in records)
    doc = Document(
        doc_id=doc_id,
        path=record.path,
        format=record.format,
        content_hash=record.content_hash,
        metadata=record.metadata,
        text=text,
        page_starts=record.page_starts,
        chunks=chunks,
        warnings=record.warnings,
        layout=layout,
    )
    texts = [indexed_text(doc.metadata.title, c, embedder.count_tokens, budget) for c in chunks]
    return Entry(doc, vectors, texts)


def keep_stale(
    previous: Snapshot | None, plan: ChangePlan, kept: dict[str, Entry], embedder: Embedder, budget: int
) -> dict[str, str]:
    """Keep the last good version of each previous document that failed this run, or whose
    folder could not be listed; returns {document id: why it is stale}. Adds them to `kept`."""
    if previous is None:
        return {}
    reasons = {f.doc_id: f.reason for f in plan.failures}
    for doc_id in plan.unlisted:
        reasons.setdefault(doc_id, "its folder could not be read")
    stale: dict[str, str] = {}
    for doc_id in sorted(reasons):
        if doc_id not in previous.documents or doc_id in kept:
            continue
        entry = from_build(previous, doc_id, embedder, budget)
        if entry is not None:
            kept[doc_id] = entry
            stale[doc_id] = reasons[doc_id]
    return stale
