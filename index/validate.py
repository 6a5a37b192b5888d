"""Checking a staged build before it is published: it opens, its counts agree, and it answers."""

from __future__ import annotations

import re
from pathlib import Path

from index.errors import BuildRejected, IndexCorrupt
from index.manifest import Manifest
from index.snapshot import Snapshot, open_build
from ingest.embed import Embedder
from ingest.settings import SearchSettings
from ingest.types import Chunk, Document

# A passage worth a test search has this many words of three letters or more.
_WORDY = re.compile(r"[^\W\d_]{3,}")


def sample_passage(documents: list[Document]) -> tuple[str, Chunk] | None:
    """A passage to search for in a new build: the last one of the first document that has a
    passage made of words (a passage of emoji or numbers alone matches nothing). None if none."""
    for doc in documents:
        for chunk in reversed(doc.chunks):
            if len(_WORDY.findall(chunk.text)) >= 3:
                return doc.doc_id, chunk
    return None


def validate(
    folder: Path, embedder: Embedder, settings: SearchSettings, manifest: Manifest, sample: tuple[str, Chunk] | None
) -> None:
    """Open the build the way the portal does, compare counts, and search for a known passage.
    Raises BuildRejected."""
    try:
        build = open_build(folder)
    except IndexCorrupt as exc:
        raise BuildRejected(f"the new build could not be opened: {exc}") from None
    try:
        validate_opened(build, embedder, settings, manifest, sample)
    finally:
        build.close()


def validate_opened(
    build: Snapshot, embedder: Embedder, settings: SearchSettings, manifest: Manifest, sample: tuple[str, Chunk] | None
) -> None:
    """Check a build opened the way the portal opens it (from its folder or a database): its
    counts agree with `manifest` and a search for the `sample` passage finds it. Raises BuildRejected."""
    from index.search import search

    if len(build.documents) != manifest.documents or build.vectors.size != manifest.chunks:
        raise BuildRejected(
            f"the new build holds {len(build.documents)} documents and {build.vectors.size} passages, "
            f"expected {manifest.documents} and {manifest.chunks}"
        )
    if sample is None:
        return
    doc_id, chunk = sample
    hits = search(build, embedder, chunk.text, settings, limit=10).hits
    # A near-duplicate document may legitimately outrank the sample; finding the same
    # passage text in any of them, or the sample's document named under a result as a copy
    # or another edition, shows the build answers searches.
    if not any(
        doc_id in (h.doc_id, *h.copies, *h.editions) or any(p.text == chunk.text for p in h.passages) for h in hits
    ):
        raise BuildRejected(f"the new build's test search for {doc_id!r} did not find it")


def sample_of(build: Snapshot) -> tuple[str, Chunk] | None:
    """A passage of an opened build to search for (see `sample_passage`)."""
    for doc_id in build.doc_order[:50]:
        for c in reversed(build.store.chunks_of(doc_id)):
            if len(_WORDY.findall(c.text)) >= 3:
                return doc_id, Chunk(c.doc_id, c.position, c.text, c.start, c.end, c.page, c.heading_path)
    return None
