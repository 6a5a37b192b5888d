"""Moving the live build between the stores: the data folder's into the database (the first
step of moving a hub onto PostgreSQL), and the database's back into a data folder (moving off
it, or giving a new build host a starting point without the database)."""

from __future__ import annotations

import os
import shutil

import numpy as np

from index.curated import write_curation
from index.errors import BuildRejected, IndexNotReady
from index.keyword import KeywordIndex
from index.layout import KEYWORD, PARTIAL, STORE, VECTORS, build_lock, prune, publish, read_pointer, remove_leftovers
from index.manifest import write_manifest
from index.pg.catalogue import PgCatalogue
from index.reuse import from_build
from index.snapshot import Snapshot
from index.store import SqliteStore
from index.validate import sample_of, validate
from index.vectors import VectorIndex
from ingest.durable import fsync_dir, fsync_tree
from ingest.embed import Embedder
from ingest.pipeline import prefix_budget
from ingest.settings import Settings


def copy_to_files(settings: Settings, embedder: Embedder) -> str:
    """Make the database's live build the data folder's live build, under the same id; returns
    the id. It is written beside the folder's live build, opened and searched as a new build is,
    then published; a failure leaves the folder as it was. Raises IndexNotReady (nothing live in
    the database), BuildLocked, BuildRejected, IndexUnavailable or IndexCorrupt."""
    catalogue = PgCatalogue(settings)
    live = catalogue.live_id()
    if live is None:
        raise IndexNotReady(f"no build is live in {catalogue.where}")
    with build_lock(settings):
        remove_leftovers(settings)
        if read_pointer(settings) == live:
            return live
        if not (settings.builds_dir / live).is_dir():
            build = catalogue.open(live)
            try:
                _write_folder(settings, build, embedder)
            finally:
                build.close()
        publish(settings, live)
        prune(settings, live)
    return live


def _write_folder(settings: Settings, build: Snapshot, embedder: Embedder) -> None:
    """Write `build` as a build folder, check it as a new build is checked, and move it into place."""
    budget = prefix_budget(embedder.max_tokens, settings.chunk_tokens)
    entries = [from_build(build, doc_id, embedder, budget) for doc_id in sorted(build.stored)]
    damaged = [doc_id for doc_id, entry in zip(sorted(build.stored), entries, strict=True) if entry is None]
    if damaged:
        raise BuildRejected(f"build {build.build_id}: the passages of {damaged[0]} could not be read back")
    kept = [e for e in entries if e is not None]
    staging = settings.builds_dir / (build.build_id + PARTIAL)
    staging.mkdir(parents=True)
    try:
        SqliteStore.write(staging / STORE, [e.document for e in kept])
        vectors = np.concatenate([e.vectors for e in kept]) if kept else np.zeros((0, embedder.dimension), np.float32)
        VectorIndex.build(vectors, build.manifest.dimension).save(staging / VECTORS)
        texts = [t for e in kept for t in e.texts]
        KeywordIndex.build(texts, settings.search.bm25_k1, settings.search.bm25_b).save(staging / KEYWORD)
        write_curation(staging, build.curation)
        fsync_tree(staging)
        write_manifest(staging, build.manifest)
        validate(staging, embedder, settings.search, build.manifest, sample_of(build))
        os.replace(staging, settings.builds_dir / build.build_id)
        fsync_dir(settings.builds_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
