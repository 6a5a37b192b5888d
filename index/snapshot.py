"""Opening a finished build: everything a search needs, loaded once and shared read-only."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from index.curated import canonical_records, read_curation
from index.duplicates import copies_by_index, group_of
from index.errors import IndexCorrupt, IndexNotReady, one_line
from index.filters import MetadataColumns
from index.keyword import KeywordHits, KeywordIndex
from index.layout import KEYWORD, STORE, VECTORS, read_pointer
from index.manifest import Manifest, read_manifest
from index.store import DocumentRecord, DocumentStore, SqliteStore
from index.vectors import VectorIndex
from ingest.curation import Curation
from ingest.roles import ROLES
from ingest.settings import Settings

if TYPE_CHECKING:
    from index.legs import Legs

CARD = ROLES.index("card")


class VectorSource(Protocol):
    """A build's stored passage vectors, read back by row (FAISS in a folder, or a database)."""

    @property
    def size(self) -> int: ...

    def vectors(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of passage `rows`, in order, as float32."""
        ...

    def centroid(self) -> np.ndarray:
        """The unit-length mean direction of every stored vector (zeros when there is none)."""
        ...


class KeywordSource(Protocol):
    """A build's keyword index as the confidence reads it, besides the keyword leg."""

    @property
    def size(self) -> int: ...

    @property
    def vocabulary(self) -> Collection[str]:
        """Every term some passage holds."""
        ...

    def known_share(self, query: str) -> float:
        """The share of `query`'s distinct terms that some passage holds."""
        ...

    def hits(self, query: str, k: int, allowed: np.ndarray | None = None) -> KeywordHits:
        """The best `k` keyword matches for `query` among `allowed` passage rows (all if None)."""
        ...

    def __hash__(self) -> int: ...


@dataclass
class Snapshot:
    """An opened build: everything a search needs, loaded once and shared read-only."""

    build_id: str
    folder: Path
    manifest: Manifest
    store: DocumentStore
    vectors: VectorSource
    keyword: KeywordSource
    documents: dict[str, DocumentRecord]
    row_doc: np.ndarray  # document index of every passage row
    doc_order: list[str]  # document id of each document index
    columns: MetadataColumns  # the documents' filterable metadata, by document index
    group: np.ndarray  # for each document index, the document whose text it shares (itself if none)
    copies: dict[int, tuple[str, ...]]  # for each document sharing its text, the others' ids
    row_role: np.ndarray  # each passage row's place in ingest.roles.ROLES
    # For each document index, the document standing for its work: every copy of every edition
    # of one text has the same one (the first edition's first copy; itself if it has none).
    work: np.ndarray
    # The editors' best bets, synonyms and agency list, as checked when the build was made.
    curation: Curation = field(default_factory=Curation)
    # The documents as their files describe them; `documents` names agencies as the agency
    # list does. A build carries documents over from these, so changing the list changes nothing stored.
    stored: dict[str, DocumentRecord] = field(default_factory=dict)
    # The legs a search of this build runs, for a build kept outside the data folder (a
    # database); None: the FAISS and BM25 legs over `vectors` and `keyword` (index.legs).
    make_legs: Callable[[Snapshot], Legs] | None = None
    # Called by `close`, besides closing the store.
    on_close: Callable[[], None] | None = None
    # Holds what one search reads through (a database connection) for as long as it runs.
    session: Callable[[], AbstractContextManager[None]] | None = None

    def reading(self) -> AbstractContextManager[None]:
        """A block in which one search or page reads the build."""
        return self.session() if self.session is not None else nullcontext()

    @functools.cached_property
    def position(self) -> dict[str, int]:
        """Each document id's document index."""
        return {doc_id: i for i, doc_id in enumerate(self.doc_order)}

    @functools.cached_property
    def centroid(self) -> np.ndarray:
        """The collection's mean direction (see VectorIndex.centroid), worked out at first use."""
        return self.vectors.centroid()

    def copies_of(self, index: int) -> tuple[str, ...]:
        """The ids of the other documents with the same text as document `index`, in id order."""
        return self.copies.get(index, ())

    def editions_of(self, index: int) -> tuple[str, ...]:
        """The ids of the other editions of document `index` (texts sharing most of its wording;
        copies of those texts included, copies of its own text not), in id order."""
        others = np.flatnonzero((self.work == self.work[index]) & (self.group != self.group[index]))
        return tuple(sorted(self.doc_order[i] for i in others.tolist()))

    @functools.cached_property
    def row_card(self) -> np.ndarray:
        """Whether each passage row is its document's summary card."""
        return np.asarray(self.row_role == CARD)

    @functools.cached_property
    def passage_counts(self) -> np.ndarray:
        """For each document index, how many passages it has (its summary card included: one
        passage more or less changes nothing where length counts, past 32 passages)."""
        return np.bincount(self.row_doc, minlength=len(self.doc_order))

    def close(self) -> None:
        self.store.close()
        if self.on_close is not None:
            self.on_close()


def open_live(settings: Settings) -> Snapshot:
    """Open the published build. Raises IndexNotReady or IndexCorrupt (naming the file)."""
    build_id = read_pointer(settings)
    if build_id is None:
        raise IndexNotReady(f"no index has been built yet in {settings.data_dir}")
    return open_build(settings.builds_dir / build_id)


def open_build(folder: Path) -> Snapshot:
    """Open a build folder and check its parts agree. Raises IndexCorrupt naming the bad file."""
    manifest = read_manifest(folder)
    for name in (STORE, VECTORS):
        if not (folder / name).is_file():
            raise IndexCorrupt(f"{folder / name}: missing")
    store = SqliteStore(folder / STORE)
    try:
        return _load(folder, manifest, store)
    except BaseException:
        store.close()
        raise


def opens(folder: Path) -> bool:
    """Whether the build folder opens cleanly."""
    try:
        open_build(folder).close()
    except IndexCorrupt:
        return False
    return True


def _load(folder: Path, manifest: Manifest, store: SqliteStore) -> Snapshot:
    """The rest of `open_build` once the store is open. Raises IndexCorrupt naming the bad file."""
    curation = read_curation(folder)
    try:
        vectors = VectorIndex.load(folder / VECTORS)
    except Exception as exc:  # faiss raises RuntimeError with its C++ message
        raise IndexCorrupt(f"{folder / VECTORS}: unreadable ({one_line(exc)})") from None
    try:
        keyword = KeywordIndex.load(folder / KEYWORD)
    except Exception as exc:  # bm25s raises on missing or damaged arrays
        raise IndexCorrupt(f"{folder / KEYWORD}: unreadable ({one_line(exc)})") from None
    return assemble(folder.name, folder, manifest, store, vectors, keyword, curation)


def assemble(
    build_id: str,
    folder: Path,
    manifest: Manifest,
    store: DocumentStore,
    vectors: VectorSource,
    keyword: KeywordSource,
    curation: Curation,
) -> Snapshot:
    """A build from its opened parts, wherever they are kept: checks they agree and works out
    what searches need from the documents. Raises IndexCorrupt naming where (`folder`)."""
    stored = store.documents()
    records = canonical_records(stored, curation)
    row_ids = store.chunk_doc_ids()
    if vectors.size != len(row_ids) or manifest.chunks != len(row_ids):
        raise IndexCorrupt(
            f"{folder}: parts disagree ({vectors.size} vectors, {len(row_ids)} passages, "
            f"manifest says {manifest.chunks})"
        )
    documents = {r.doc_id: r for r in records}
    doc_order = list(documents)
    position = {doc_id: i for i, doc_id in enumerate(doc_order)}
    unknown = sorted(set(row_ids) - set(position))
    if unknown:
        raise IndexCorrupt(f"{folder / STORE}: passages of unknown documents ({unknown[0]!r})")
    row_doc = np.array([position[d] for d in row_ids], dtype=np.int32)
    row_role = np.array([ROLES.index(role) for role in store.chunk_roles()], dtype=np.int8)
    columns = MetadataColumns([documents[d] for d in doc_order])
    group = group_of(doc_order, manifest.copies())
    copies = copies_by_index(group, doc_order)
    work = group_of(doc_order, manifest.editions)[group]
    return Snapshot(
        build_id,
        folder,
        manifest,
        store,
        vectors,
        keyword,
        documents,
        row_doc,
        doc_order,
        columns,
        group,
        copies,
        row_role,
        work,
        curation,
        {r.doc_id: r for r in stored},
    )
