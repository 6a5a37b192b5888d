"""The search API that the pages, the command line and the tests all use."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from index.access import Viewer
from index.analytics import SearchObserver, tell
from index.answer import answering_sentence
from index.build import update_index
from index.catalogue import Catalogue, catalogue_of
from index.errors import DocumentNotFound, EditorsOnly, IndexCorrupt, IndexNotReady, IndexUnavailable, without_folders
from index.reports import RunReport, SavedReport
from index.results import SearchPage, SearchResults
from index.search import Filters, Mode, match_documents, search, search_page, texts_of
from index.snapshot import Snapshot
from index.status import IndexStatus, ServedBuild
from index.store import ChunkRecord, DocumentRecord
from ingest.embed import Embedder, load_embedder
from ingest.errors import HubError
from ingest.progress import Progress
from ingest.settings import Settings
from ingest.types import Layout

# One matching text: the matching documents that hold it, best first (more than one for a copy).
Match = tuple[DocumentRecord, ...]
T = TypeVar("T")
# Who is asking when a caller does not say: someone who has not signed in. Forgetting to pass the
# viewer therefore shows less, never more.
ANYONE = Viewer.anonymous()


@dataclass(frozen=True)
class DocumentView:
    record: DocumentRecord
    text: str
    chunks: tuple[ChunkRecord, ...]
    # How the text is laid out (headings, list items, Markdown source); empty for a build made
    # before layouts were kept.
    layout: Layout = field(default_factory=Layout)


@dataclass(frozen=True)
class _Serving:
    """The build being served for one reading of the pointer, and why, if it is not the live one."""

    live_id: str | None  # None: the pointer itself could not be read
    build: Snapshot
    reason: str | None


class Hub:
    """Loads the model once and the live build on demand; picks up a newly published build
    on the next call without a restart. Safe to share between threads (sessions).

    When the live build cannot be read, the newest earlier build that opens is served instead
    and `fallback_reason` says so. The Hub only reads the data folder: the next build run
    replaces the damaged build."""

    def __init__(
        self,
        settings: Settings,
        embedder_factory: Callable[[Settings], Embedder] | None = None,
        observer: SearchObserver | None = None,
    ) -> None:
        self.settings = settings
        # Where published builds are kept: the data folder, or the database of HUB_STORE.
        self.catalogue: Catalogue = catalogue_of(settings)
        # Told about each search page answered (the search analytics); None: nobody is.
        self.observer = observer
        self._factory = embedder_factory or (lambda s: load_embedder(s.model, s.runtime, s.data_dir / "models"))
        self._embedder: Embedder | None = None
        self._serving: _Serving | None = None
        # Builds found damaged, with why, so that no call tries to open one of them again.
        self._damaged: dict[str, str] = {}
        # Separate locks: loading the model takes seconds and must not hold up sessions that
        # only list documents.
        self._model_lock = threading.Lock()
        self._build_lock = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        with self._model_lock:
            if self._embedder is None:
                self._embedder = self._factory(self.settings)
            return self._embedder

    def snapshot(self) -> Snapshot:
        """The build to search: the live one, reopened when the pointer names a newer one, or
        the newest earlier build that opens while the live one cannot be read.

        Raises IndexNotReady when nothing was published, IndexCorrupt when no build opens."""
        return self._current().build

    @property
    def fallback_reason(self) -> str | None:
        """A sentence for readers saying that an earlier build is shown and why, or None when
        the live build is served (None too when no build opens at all: `snapshot()` raises then)."""
        try:
            return self._current().reason
        except HubError:
            return None

    def has_index(self) -> bool:
        """Whether anything was published (a pointer that cannot be read counts: it says so)."""
        try:
            return self.catalogue.live_id() is not None
        except (IndexCorrupt, IndexUnavailable):
            # Something was or may be published: searching says what is wrong with it.
            return True

    def _current(self) -> _Serving:
        """What to serve for the pointer as it is now. Raises IndexNotReady or IndexCorrupt."""
        pointer_problem = ""
        try:
            live_id = self.catalogue.live_id()
        except IndexCorrupt as exc:
            live_id, pointer_problem = None, self._shown(exc)
        else:
            if live_id is None:
                raise IndexNotReady(f"no index has been built yet in {self.catalogue.where}")
        with self._build_lock:
            serving = self._serving
            if serving is None or serving.live_id != live_id or serving.build.build_id in self._damaged:
                # The old build is not closed here: a search in another thread may still be
                # reading it. Its connection is released when the object is collected.
                serving = self._serving = self._choose(live_id, pointer_problem)
            return serving

    def _choose(self, live_id: str | None, pointer_problem: str) -> _Serving:
        """The live build if it opens, else the newest earlier one that does. Raises IndexCorrupt."""
        why = pointer_problem
        if live_id is not None:
            build, why = self._open(live_id)
            if build is not None:
                return _Serving(live_id, build, None)
        for candidate in self.catalogue.earlier(live_id):
            build, _ = self._open(candidate)
            if build is not None:
                return _Serving(live_id, build, _fallback_sentence(live_id, why, candidate))
        what = f"the live build {live_id}" if live_id else "the live index pointer"
        raise IndexCorrupt(f"{what} could not be read ({why}), and no earlier build opens")

    def _open(self, build_id: str) -> tuple[Snapshot | None, str]:
        """(the opened build, "") or (None, why it cannot be read), remembering a failure."""
        known = self._damaged.get(build_id)
        if known is not None:
            return None, known
        try:
            return self.catalogue.open(build_id), ""
        except IndexCorrupt as exc:
            self._damaged[build_id] = self._shown(exc, build_id)
            return None, self._damaged[build_id]

    def _shown(self, exc: HubError, build_id: str = "") -> str:
        """An error's message with the server's folders left out: file names within the build,
        or paths relative to the data folder, are what a reader is shown."""
        text = str(exc)
        if build_id:
            folder = str(self.settings.builds_dir / build_id)
            text = text.replace(folder + os.sep, "").replace(folder, f"build {build_id}")
        # The data folder as configured (often relative, "data") and in its absolute forms.
        return without_folders(text.replace(str(self.settings.data_dir) + os.sep, ""), [self.settings.data_dir])

    def _set_aside(self, build: Snapshot, exc: IndexCorrupt) -> None:
        """Remember that `build` turned out damaged while being read, so the next call moves on."""
        with self._build_lock:
            self._damaged.setdefault(build.build_id, self._shown(exc, build.build_id))

    def _reading(self, work: Callable[[Snapshot], T]) -> T:
        """`work` on the served build; if that build turns out damaged part way, once more on
        the build served next. Raises IndexNotReady or IndexCorrupt."""
        build = self.snapshot()
        try:
            with build.reading():
                return work(build)
        except IndexCorrupt as exc:
            self._set_aside(build, exc)
        build = self.snapshot()
        try:
            with build.reading():
                return work(build)
        except IndexCorrupt as exc:
            self._set_aside(build, exc)
            raise

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        limit: int = 10,
        mode: Mode = "hybrid",
        *,
        viewer: Viewer = ANYONE,
    ) -> SearchResults:
        """Documents answering `query` that `viewer` may see; see `index.search.search`. Raises
        IndexNotReady, IndexCorrupt (no build can be read) or ModelMismatch."""
        embedder = self._embedder_for(mode)
        scope = scope_of(viewer)
        return self._reading(
            lambda build: search(
                build, embedder, query, self.settings.search, scope=scope, filters=filters, limit=limit, mode=mode
            )
        )

    def search_page(
        self,
        query: str,
        filters: Filters | None = None,
        limit: int = 10,
        mode: Mode = "hybrid",
        *,
        viewer: Viewer = ANYONE,
        observed: bool = True,
    ) -> SearchPage:
        """A search page's view from one ranking, of what `viewer` may see: the best `limit`
        results under `filters` and each facet's counts; see `index.search.search_page`. The
        observer is told about it unless `observed` is False (the same search shown again).
        Raises IndexNotReady, IndexCorrupt (no build can be read) or ModelMismatch."""
        embedder = self._embedder_for(mode)
        scope = scope_of(viewer)
        page = self._reading(
            lambda build: search_page(
                build, embedder, query, self.settings.search, scope=scope, filters=filters, limit=limit, mode=mode
            )
        )
        if observed and self.observer is not None:
            tell(self.observer, query, filters, mode, page.results)
        return page

    def matching(
        self, query: str, filters: Filters | None = None, mode: Mode = "hybrid", *, viewer: Viewer = ANYONE
    ) -> list[Match]:
        """Every text matching `query` under `filters` that `viewer` may see, best first, each as
        the matching documents that hold it: one, or several when the same text is filed twice.
        No passages or snippets are made for it.

        Raises IndexNotReady, IndexCorrupt (no build can be read) or ModelMismatch."""
        embedder = self._embedder_for(mode)
        scope = scope_of(viewer)

        def work(build: Snapshot) -> list[Match]:
            matches = match_documents(
                build, embedder, query, self.settings.search, scope=scope, filters=filters, mode=mode
            )
            return texts_of(build, matches.docs)

        return self._reading(work)

    def answering_sentence(self, text: str, query: str) -> tuple[int, int] | None:
        """The character span in `text` (a passage) of the sentence that best answers `query`;
        None when there is none to mark. See `index.answer.answering_sentence`."""
        return answering_sentence(text, query, self.embedder)

    def _embedder_for(self, mode: Mode) -> Embedder:
        """The model, except in keyword-only mode, which never needs it loaded."""
        return self.embedder if mode != "keyword" else _NoEmbedder()

    def documents(self, *, viewer: Viewer = ANYONE) -> list[DocumentRecord]:
        """Every document of the served build that `viewer` may see. Raises IndexNotReady or
        IndexCorrupt."""
        return [r for r in self.snapshot().documents.values() if viewer.sees(r.metadata.audience)]

    def document(self, doc_id: str, *, viewer: Viewer = ANYONE) -> DocumentView:
        """A document by id, with its text and passages. Raises DocumentNotFound for any id not
        in the served build or not open to `viewer` (with the same words, so the error never
        tells that a document exists), IndexNotReady, or IndexCorrupt when no build can be read."""

        def work(build: Snapshot) -> DocumentView:
            record = build.documents.get(doc_id)
            if record is None or not viewer.sees(record.metadata.audience):
                raise DocumentNotFound(f"no document with id {doc_id!r}")
            text = build.store.document_text(doc_id) or ""
            layout = build.store.document_layout(doc_id) or Layout()
            return DocumentView(record, text, tuple(build.store.chunks_of(doc_id)), layout)

        return self._reading(work)

    def status(self, runs: int = 10, *, viewer: Viewer = ANYONE) -> IndexStatus:
        """The served build (None before the first build) and the `runs` most recent run reports.

        Raises EditorsOnly unless `viewer` is an editor (reports name every document, restricted
        ones included), IndexCorrupt when a build was published but none can be read."""
        if not viewer.editor:
            raise EditorsOnly("the Index status page and build reports are for editors only")
        latest, recent = self.last_run(), tuple(self.runs(runs))
        if not self.has_index():
            return IndexStatus(None, None, latest, recent)
        serving = self._current()
        build, manifest = serving.build, serving.build.manifest
        served = ServedBuild(
            build.build_id,
            manifest.created,
            manifest.model,
            len(build.documents),
            build.vectors.size,
            dict(manifest.failures),
            dict(manifest.stale),
            manifest.copies(),
        )
        return IndexStatus(served, self.fallback_reason, latest, recent)

    def last_run(self) -> SavedReport | None:
        """The last build run's report, or None before the first run. Never opens a build."""
        return self.catalogue.latest_report()

    def runs(self, limit: int = 10) -> list[SavedReport]:
        """The `limit` most recent build runs' reports, newest first. Never opens a build."""
        return self.catalogue.recent_reports(limit)

    def rollback(self) -> str:
        """Make the build published before the live one live again; returns its id.

        Raises BuildLocked while a build runs, BuildRejected when there is no earlier build."""
        return self.catalogue.rollback()

    def update(self, *, full: bool = False, progress: Progress | None = None) -> RunReport:
        """Bring the index up to date with the corpus (see `index.build.update_index`), and
        the database's live build with it when HUB_STORE names one."""
        return update_index(self.settings, self.embedder, full=full, progress=progress)


def scope_of(viewer: Viewer) -> Filters:
    """The restriction every search for `viewer` runs under (see Filters.readers)."""
    return Filters(readers=viewer.readers())


def _fallback_sentence(live_id: str | None, why: str, shown: str) -> str:
    """The reader's explanation of why build `shown` is served in place of the live one."""
    if live_id is None:
        return (
            f"The pointer to the live build could not be read ({why}); showing the build {shown} "
            "until the next build is published."
        )
    return (
        f"The live build {live_id} could not be read ({why}); showing the earlier build {shown} "
        "until the next build is published."
    )


class _NoEmbedder:
    """Stands in for the model in keyword-only searches, so they never load it."""

    model_key = ""
    dimension = 0
    max_tokens = 0

    def count_tokens(self, text: str) -> int:
        raise NotImplementedError

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def encode_query(self, text: str) -> np.ndarray:
        raise NotImplementedError
