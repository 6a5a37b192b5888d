"""Building a new index beside the live one, checking it, and publishing it atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import filelock
import numpy as np

from index.duplicates import copies_in_manifest, same_text
from index.errors import BuildLocked, BuildRejected, IndexCorrupt, IndexNotReady, IndexNotWritable
from index.keyword import KeywordIndex
from index.live import (
    KEYWORD,
    MANIFEST,
    PARTIAL,
    STORE,
    VECTORS,
    Build,
    earlier_builds,
    open_build,
    open_live,
    publish,
    read_history,
    read_pointer,
    write_json_atomic,
)
from index.store import SqliteStore
from index.vectors import VectorIndex
from ingest.durable import fsync_dir, fsync_tree
from ingest.embed import Embedder
from ingest.embed_cache import EmbeddingCache, embed_with_cache
from ingest.errors import HubError, LoadError, SettingError
from ingest.pipeline import indexed_text, prefix_budget, read_document
from ingest.progress import Progress
from ingest.reading import HINT_UNEXPECTED, ReadInterrupted, failure_key, shared_reader
from ingest.scan import Scan, scan_corpus
from ingest.settings import Settings
from ingest.types import Chunk, Document, Failure, SourceFile


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
    failed: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)
    same_text: dict[str, str] = field(default_factory=dict)  # a copy's id -> the document it repeats
    stale: list[str] = field(default_factory=list)  # failed this run; the last good version is kept
    notices: list[str] = field(default_factory=list)  # things the run repaired on its way
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    timings: dict[str, float] = field(default_factory=dict)

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
            hint = f" ({failure['hint']})" if failure.get("hint") else ""
            kept = "; its last good version is still searchable" if failure.get("kept") else ""
            lines.append(f"  FAILED {failure['file']}: {failure['reason']}{hint}{kept}")
        for skipped in self.skipped:
            lines.append(f"  SKIPPED {skipped['file']}: {skipped['reason']}")
        for doc_id, warnings in self.warnings.items():
            for warning in warnings:
                lines.append(f"  WARNING {doc_id}: {warning}")
        for notice in self.notices:
            lines.append(f"  NOTE {notice}")
        for copy, original in self.same_text.items():
            lines.append(f"  SAME TEXT {copy} repeats {original}: search shows one of them")
        lines.append(f"time {sum(self.timings.values()):.1f}s")
        return "\n".join(lines)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _failure(f: Failure, kept: bool = False) -> dict[str, str]:
    """A failure as the run report records it; `kept` when its last good version stays searchable."""
    record = {"file": f.doc_id, "reason": f.reason, "hint": f.hint}
    if kept:
        record["kept"] = "yes"
    return record


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """Hold the build lock. The OS drops it when a process dies, so a killed run never blocks."""
    info = settings.data_dir / "build.lock.info"
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(str(settings.data_dir / "build.lock"))
        lock.acquire(timeout=0)
    except filelock.Timeout:
        holder = info.read_text(encoding="utf-8").strip() if info.exists() else "another process"
        raise BuildLocked(f"a build is already running ({holder})") from None
    except OSError as exc:
        raise IndexNotWritable(_not_writable(exc)) from None
    try:
        info.write_text(f"pid {os.getpid()} since {_now()}", encoding="utf-8")
        yield
    finally:
        lock.release()


def _not_writable(exc: OSError) -> str:
    where = exc.filename or "the data folder"
    return f"cannot write to {where} ({exc.strerror or exc}); the live index is unchanged"


def update_index(
    settings: Settings,
    embedder: Embedder,
    *,
    full: bool = False,
    dry_run: bool = False,
    allow_shrink: bool = False,
    progress: Progress | None = None,
) -> RunReport:
    """Bring the index up to date with the corpus, incrementally unless `full`.

    Raises BuildLocked when another build runs. A build that fails or is rejected leaves the
    live index as it was; the report says why (outcome 'rejected' or 'failed')."""
    report = RunReport(started=_now(), model=embedder.model_key)
    with build_lock(settings):
        try:
            _run(settings, embedder, report, full=full, dry_run=dry_run, allow_shrink=allow_shrink, progress=progress)
        except BuildRejected as exc:
            report.outcome, report.message = "rejected", str(exc)
        except PermissionError as exc:
            report.outcome, report.message = "failed", _not_writable(exc)
        except (HubError, OSError) as exc:
            report.outcome, report.message = "failed", str(exc)
        except Exception as exc:  # an unattended job must always leave a report; the live index is untouched
            report.outcome, report.message = "failed", f"unexpected error: {type(exc).__name__}: {exc}"
        finally:
            report.finished = _now()
            if not dry_run:
                try:
                    _save_report(settings, report)
                except OSError as exc:
                    report.message += f" (the run report could not be saved: {exc.strerror or exc})"
    return report


def _run(
    settings: Settings,
    embedder: Embedder,
    report: RunReport,
    *,
    full: bool,
    dry_run: bool,
    allow_shrink: bool,
    progress: Progress | None,
) -> None:
    tick = time.perf_counter()
    _remove_partials(settings)
    live = _open_previous(settings, report)
    try:
        _update(
            settings,
            embedder,
            report,
            live,
            tick,
            full=full,
            dry_run=dry_run,
            allow_shrink=allow_shrink,
            progress=progress,
        )
    finally:
        if live is not None:
            live.close()


@dataclass
class _Plan:
    """What a run will do with each file, decided from the scan and the live build."""

    unchanged: list[SourceFile] = field(default_factory=list)
    to_read: list[SourceFile] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # Documents whose folder could not be listed: kept as they are, never taken for deleted.
    unlisted: list[str] = field(default_factory=list)


# One document carried into the new build: the document, its vectors and its keyword texts.
_Entry = tuple[Document, np.ndarray, list[str]]


def _reusable(live: Build | None, embedder: Embedder, settings: Settings) -> bool:
    """True when the live build's passages and vectors can go into the new build as they are."""
    return (
        live is not None
        and live.manifest.get("model") == embedder.model_key
        and live.manifest.get("chunking") == settings.chunking_key()
    )


def _plan(scan: Scan, live: Build | None, reusable: bool, full: bool, reader: str) -> _Plan:
    manifest = live.manifest if live is not None and reusable and not full else {}
    known: dict[str, str] = manifest.get("files", {}) if isinstance(manifest.get("files"), dict) else {}
    known_failures = manifest.get("failures", {}) if isinstance(manifest.get("failures"), dict) else {}
    plan = _Plan(failures=list(scan.failures))
    for source in scan.files:
        old = known_failures.get(source.doc_id)
        if known.get(source.doc_id) == source.content_hash:
            plan.unchanged.append(source)
        elif isinstance(old, dict) and old.get("hash") == source.content_hash and old.get("reader") == reader:
            # The same bytes failed last time: report it again without reading it again.
            plan.failures.append(Failure(source.doc_id, str(old.get("reason", "")), str(old.get("hint", ""))))
        else:
            plan.to_read.append(source)
    present = {s.doc_id for s in scan.files} | {f.doc_id for f in scan.failures}
    for doc_id in sorted(live.documents if live is not None else ()):
        if doc_id in present:
            continue
        if scan.covers_unread(doc_id):
            plan.unlisted.append(doc_id)
        else:
            plan.removed.append(doc_id)
    return plan


def _update(
    settings: Settings,
    embedder: Embedder,
    report: RunReport,
    live: Build | None,
    tick: float,
    *,
    full: bool,
    dry_run: bool,
    allow_shrink: bool,
    progress: Progress | None,
) -> None:
    report.previous_build = live.build_id if live else ""
    reusable = _reusable(live, embedder, settings)
    scan = scan_corpus(settings.corpus_dir, settings.limits)
    report.skipped = [_failure(f) for f in scan.skipped]
    plan = _plan(scan, live, reusable, full, failure_key(settings.limits))
    previous = set(live.documents) if live else set()
    report.removed = plan.removed
    report.unchanged = [s.doc_id for s in plan.unchanged]
    report.added = [s.doc_id for s in plan.to_read if s.doc_id not in previous]
    report.updated = [s.doc_id for s in plan.to_read if s.doc_id in previous]
    report.timings["scan"] = time.perf_counter() - tick
    if dry_run:
        report.failed = [_failure(f) for f in plan.failures]
        report.outcome, report.message = "dry-run", "nothing was changed"
        return
    serving = live if live is not None and _is_live(settings, live) else None
    if serving is not None and _nothing_to_do(serving, plan, reusable, full):
        _report_unchanged(settings, report, serving, plan)
        return

    tick = time.perf_counter()
    budget = prefix_budget(embedder.max_tokens, settings.chunk_tokens)
    kept = _carry_over(live if reusable else None, plan, embedder, budget, report)
    fresh = _read_all(settings, embedder, plan, progress)
    stale = _keep_stale(live if reusable else None, plan, kept, embedder, budget)
    if serving is not None and _failed_again(serving, plan, fresh, reusable, full):
        report.added, report.updated = [], []
        _report_unchanged(settings, report, serving, plan)
        return
    report.stale = sorted(stale)
    report.failed = [_failure(f, kept=f.doc_id in stale) for f in plan.failures]
    report.warnings.update({d.doc_id: list(d.warnings) for d in fresh if d.warnings})
    failed_ids = {f.doc_id for f in plan.failures}
    report.added = [d for d in report.added if d not in failed_ids]
    report.updated = [d for d in report.updated if d not in failed_ids]
    report.timings["read"] = time.perf_counter() - tick

    tick = time.perf_counter()
    texts = [indexed_text(d.metadata.title, c, embedder.count_tokens, budget) for d in fresh for c in d.chunks]
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite")
    try:
        fresh_vectors, report.embedded = embed_with_cache(texts, embedder, cache, progress)
    finally:
        report.notices.extend(cache.problems)
        cache.close()
    report.timings["embed"] = time.perf_counter() - tick

    tick = time.perf_counter()
    documents, vectors, keyword_texts = _assemble(kept, fresh, fresh_vectors, texts, embedder)
    if not documents:
        raise BuildRejected(f"no document in {settings.corpus_dir} could be indexed; the live index was kept")
    if live is not None and not allow_shrink:
        floor = len(live.documents) * (1 - settings.max_shrink)
        if len(documents) < floor:
            raise BuildRejected(
                f"the new build has {len(documents)} documents, down from {len(live.documents)} "
                f"(more than {settings.max_shrink:.0%} fewer); not published. Is the corpus folder "
                "mounted? Use --allow-shrink if the drop is intended."
            )
    report.same_text = same_text((d.doc_id, d.text) for d in documents)
    stale_record = _stale_record(stale, live.manifest if live is not None and reusable else {}, report.started)
    build_id = _new_build_id()
    staging = settings.builds_dir / (build_id + PARTIAL)
    staging.mkdir(parents=True)
    try:
        chunk_count = _write_build(
            staging,
            settings,
            embedder,
            _BuildContents(
                documents, vectors, keyword_texts, plan.failures, scan.files, report.same_text, stale_record
            ),
            build_id,
        )
        report.timings["write"] = time.perf_counter() - tick
        tick = time.perf_counter()
        _validate(staging, embedder, settings, len(documents), chunk_count, _test_passage(documents))
        final = settings.builds_dir / build_id
        os.replace(staging, final)
        fsync_dir(settings.builds_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if progress:
        progress("publishing", 1, 1)
    publish(settings, build_id)
    report.timings["validate_publish"] = time.perf_counter() - tick
    _prune(settings, build_id)
    report.outcome, report.message = "published", f"build {build_id} is live"
    report.build_id, report.documents, report.chunks = build_id, len(documents), chunk_count


def _stale_record(stale: dict[str, str], manifest: dict[str, Any], now: str) -> dict[str, dict[str, str]]:
    """The manifest's record of stale documents: why, and since when (carried over from
    `manifest` for a document that was already stale, else `now`)."""
    before = manifest.get("stale", {})
    before = before if isinstance(before, dict) else {}
    return {
        doc_id: {
            "reason": reason,
            "since": str(before[doc_id].get("since", now)) if isinstance(before.get(doc_id), dict) else now,
        }
        for doc_id, reason in stale.items()
    }


def _new_build_id() -> str:
    """A build id that sorts by time: to the microsecond, plus a random tail."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def _is_live(settings: Settings, build: Build) -> bool:
    """False when `build` is an earlier build standing in for a live one that cannot be opened."""
    try:
        return read_pointer(settings) == build.build_id
    except IndexCorrupt:
        return False


def _nothing_to_do(live: Build, plan: _Plan, reusable: bool, full: bool) -> bool:
    """True when the live build already is what this run would build.

    A build made before copies were recorded is rebuilt once (from its own vectors) to find
    them; so is one whose set of stale documents would change, and one whose store is damaged."""
    if full or not reusable or plan.to_read or plan.removed or "duplicates" not in live.manifest:
        return False
    failed = {f.doc_id for f in plan.failures}
    failed_before = live.manifest.get("failures", {})
    if set(failed_before if isinstance(failed_before, dict) else {}) != failed:
        return False
    stale_before = live.manifest.get("stale", {})
    stale_now = {d for d in failed | set(plan.unlisted) if d in live.documents}
    if set(stale_before if isinstance(stale_before, dict) else {}) != stale_now:
        return False
    # SQLite's own check of the live store: a damaged page shows up here, so a night with no
    # changes still rebuilds (rereading the damaged documents) instead of keeping it.
    return live.store.intact()


def _failed_again(live: Build, plan: _Plan, fresh: list[Document], reusable: bool, full: bool) -> bool:
    """True when every file read this run failed and, those aside, there was nothing to do: a
    failure worth retrying (reading was stopped) is retried each run, but a build identical to
    the live one is not published again, so the builds kept for rollback stay distinct."""
    if fresh or not {s.doc_id for s in plan.to_read} <= {f.doc_id for f in plan.failures}:
        return False
    return _nothing_to_do(live, replace(plan, to_read=[]), reusable, full)


def _report_unchanged(settings: Settings, report: RunReport, live: Build, plan: _Plan) -> None:
    stale = live.manifest.get("stale", {})
    stale_ids = set(stale) if isinstance(stale, dict) else set()
    report.failed = [_failure(f, kept=f.doc_id in stale_ids) for f in plan.failures]
    report.stale = sorted(stale_ids)
    report.same_text = copies_in_manifest(live.manifest["duplicates"])
    report.outcome, report.message = "unchanged", "the live index is up to date"
    report.build_id = live.build_id
    report.documents, report.chunks = len(live.documents), live.vectors.size
    # A run killed after writing a build but before publishing it leaves a folder behind.
    _prune(settings, live.build_id)


def _carry_over(
    live: Build | None, plan: _Plan, embedder: Embedder, budget: int, report: RunReport
) -> dict[str, _Entry]:
    """The unchanged documents, taken from the live build. One whose passages there are damaged
    is read again from its file instead (moved to `plan.to_read`)."""
    kept: dict[str, _Entry] = {}
    for source in plan.unchanged:
        entry = _from_live(live, source.doc_id, embedder, budget) if live is not None else None
        if entry is not None:
            kept[source.doc_id] = entry
            continue
        if live is not None:
            report.warnings.setdefault(source.doc_id, []).append(
                "its passages in the live index were damaged, so the file was read again"
            )
        report.unchanged.remove(source.doc_id)
        report.updated.append(source.doc_id)
        plan.to_read.append(source)
    return kept


def _from_live(live: Build, doc_id: str, embedder: Embedder, budget: int) -> _Entry | None:
    """A live document with its vectors and keyword texts, or None when any of it is damaged
    (missing or extra passages, unreadable rows, vectors that are not finite)."""
    try:
        record = live.documents[doc_id]
        records = live.store.chunks_of(doc_id)
        text = live.store.document_text(doc_id)
        positions = [c.position for c in records]
        if text is None or len(records) != record.chunk_count or positions != list(range(len(records))):
            return None
        if not all(isinstance(c.text, str) and c.text for c in records):
            return None
        vectors = live.vectors.vectors(np.array([c.row for c in records]))
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
    )
    texts = [indexed_text(doc.metadata.title, c, embedder.count_tokens, budget) for c in chunks]
    return doc, vectors, texts


def _read_all(settings: Settings, embedder: Embedder, plan: _Plan, progress: Progress | None) -> list[Document]:
    """Read every file to read, each in its own guard: a file that fails becomes a failure
    naming it (added to `plan.failures`) and the others go on."""
    reader = shared_reader(settings.limits.memory_bytes)
    fresh: list[Document] = []
    for done, source in enumerate(plan.to_read, start=1):
        try:
            fresh.append(
                read_document(
                    source,
                    embedder.count_tokens,
                    embedder.max_tokens,
                    settings.chunk_tokens,
                    settings.chunk_overlap,
                    read=lambda s: reader.read(s, settings.limits),
                )
            )
        except LoadError as exc:
            plan.failures.append(Failure(source.doc_id, exc.reason, exc.hint, retry=isinstance(exc, ReadInterrupted)))
        except SettingError:
            raise
        except Exception as exc:  # a fault while chunking one file must not stop the others
            reason = f"could not be prepared ({type(exc).__name__}: {exc})"
            plan.failures.append(Failure(source.doc_id, reason, HINT_UNEXPECTED, retry=True))
        if progress:
            progress("reading", done, len(plan.to_read))
    return fresh


def _keep_stale(
    live: Build | None, plan: _Plan, kept: dict[str, _Entry], embedder: Embedder, budget: int
) -> dict[str, str]:
    """Keep the last good version of each live document that failed this run, or whose folder
    could not be listed; returns {document id: why it is stale}. Adds them to `kept`."""
    if live is None:
        return {}
    reasons = {f.doc_id: f.reason for f in plan.failures}
    for doc_id in plan.unlisted:
        reasons.setdefault(doc_id, "its folder could not be read")
    stale: dict[str, str] = {}
    for doc_id in sorted(reasons):
        if doc_id not in live.documents or doc_id in kept:
            continue
        entry = _from_live(live, doc_id, embedder, budget)
        if entry is not None:
            kept[doc_id] = entry
            stale[doc_id] = reasons[doc_id]
    return stale


def _open_previous(settings: Settings, report: RunReport) -> Build | None:
    """The build to start from: the live one, or, when it cannot be opened, the newest earlier
    build that can (so its unchanged documents are not read and embedded again). None when
    there is none: everything is read."""
    try:
        return open_live(settings)
    except IndexNotReady:
        return None
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
        report.notices.append(f"the live build could not be opened ({damage}); this run started from build {build_id}")
        return build
    report.notices.append(f"the live build could not be opened ({damage}); every file was read again")
    return None


def _assemble(
    kept: dict[str, _Entry],
    fresh: list[Document],
    fresh_vectors: np.ndarray,
    fresh_texts: list[str],
    embedder: Embedder,
) -> tuple[list[Document], np.ndarray, list[str]]:
    """All documents of the new build in id order, with their vectors and keyword texts."""
    by_id = dict(kept)
    row = 0
    for doc in fresh:
        n = len(doc.chunks)
        by_id[doc.doc_id] = (doc, fresh_vectors[row : row + n], fresh_texts[row : row + n])
        row += n
    ordered = [by_id[k] for k in sorted(by_id)]
    documents = [d for d, _, _ in ordered]
    vectors = np.concatenate([v for _, v, _ in ordered]) if ordered else np.zeros((0, embedder.dimension), np.float32)
    keyword_texts = [t for _, _, ts in ordered for t in ts]
    return documents, vectors, keyword_texts


@dataclass(frozen=True)
class _BuildContents:
    """Everything a new build folder is written from."""

    documents: list[Document]
    vectors: np.ndarray
    keyword_texts: list[str]
    failures: list[Failure]
    files: list[SourceFile]
    copies: dict[str, str]  # a copy's id -> the document whose text it repeats
    stale: dict[str, dict[str, str]]  # a document kept at its last good version -> reason, since


def _write_build(folder: Path, settings: Settings, embedder: Embedder, contents: _BuildContents, build_id: str) -> int:
    chunk_count = SqliteStore.write(folder / STORE, contents.documents)
    VectorIndex.build(contents.vectors, embedder.dimension).save(folder / VECTORS)
    keyword = KeywordIndex.build(contents.keyword_texts, settings.search.bm25_k1, settings.search.bm25_b)
    keyword.save(folder / KEYWORD)
    hashes = {s.doc_id: s.content_hash for s in contents.files}
    manifest: dict[str, Any] = {
        "build_id": build_id,
        "created": _now(),
        "model": embedder.model_key,
        "dimension": embedder.dimension,
        "chunking": settings.chunking_key(),
        "documents": len(contents.documents),
        "chunks": chunk_count,
        # A stale document records the hash of its last good version, so the next run tries
        # the file again.
        "files": {d.doc_id: d.content_hash for d in contents.documents},
        "duplicates": contents.copies,
        # A failure is repeated without reading while the file's hash and the reader's key stay
        # the same; one that is no verdict on the file records no hash, so it is tried again.
        "failures": {
            f.doc_id: {
                "hash": "" if f.retry else hashes.get(f.doc_id, ""),
                "reason": f.reason,
                "hint": f.hint,
                "reader": failure_key(settings.limits),
            }
            for f in contents.failures
        },
        "stale": contents.stale,
    }
    fsync_tree(folder)
    write_json_atomic(folder / MANIFEST, manifest)
    return chunk_count


# A passage worth a test search has this many words of three letters or more.
_WORDY = re.compile(r"[^\W\d_]{3,}")


def _test_passage(documents: list[Document]) -> tuple[str, Chunk] | None:
    """A passage to search for in a new build: the last one of the first document that has a
    passage made of words (a passage of emoji or numbers alone matches nothing). None if none."""
    for doc in documents:
        for chunk in reversed(doc.chunks):
            if len(_WORDY.findall(chunk.text)) >= 3:
                return doc.doc_id, chunk
    return None


def _validate(
    folder: Path, embedder: Embedder, settings: Settings, documents: int, chunks: int, sample: tuple[str, Chunk] | None
) -> None:
    """Open the build the way the app does, compare counts, and search for a known document."""
    from index.search import search

    try:
        build = open_build(folder)
    except IndexCorrupt as exc:
        raise BuildRejected(f"the new build could not be opened: {exc}") from None
    try:
        if len(build.documents) != documents or build.vectors.size != chunks:
            raise BuildRejected(
                f"the new build holds {len(build.documents)} documents and {build.vectors.size} passages, "
                f"expected {documents} and {chunks}"
            )
        if sample is None:
            return
        doc_id, chunk = sample
        query = chunk.text
        hits = search(build, embedder, query, settings.search, limit=10).hits
        # A near-duplicate document may legitimately outrank the sample; finding the same
        # passage text in any of them shows the build answers searches.
        found = any(h.doc_id == doc_id or any(p.text == query for p in h.passages) for h in hits)
        if not found:
            raise BuildRejected(f"the new build's test search for {doc_id!r} did not find it")
    finally:
        build.close()


def rollback(settings: Settings) -> str:
    """Make the build published before the live one live again; returns its id.

    Raises BuildRejected when there is no earlier build on disk that opens cleanly."""
    with build_lock(settings):
        live = read_pointer(settings)
        history = read_history(settings)
        earlier = history[: history.index(live)] if live in history else history
        for candidate in reversed(earlier):
            folder = settings.builds_dir / candidate
            if not folder.is_dir():
                continue
            try:
                open_build(folder).close()
            except IndexCorrupt:
                continue
            # The rolled-back build leaves the history, so the next run prunes it.
            write_json_atomic(settings.data_dir / "history.json", history[: history.index(candidate) + 1])
            write_json_atomic(settings.data_dir / "LIVE", {"build": candidate})
            return candidate
    raise BuildRejected("there is no earlier build to roll back to")


def _remove_partials(settings: Settings) -> None:
    """Remove what an interrupted run left behind."""
    if settings.builds_dir.is_dir():
        for folder in settings.builds_dir.glob("*" + PARTIAL):
            shutil.rmtree(folder, ignore_errors=True)


def _prune(settings: Settings, live_id: str) -> None:
    """Keep the newest `keep_builds` published builds (the live one always)."""
    history = read_history(settings)
    if live_id not in history:
        # The history is damaged or missing: it cannot say which builds are older, so keep them.
        return
    keep = set(history[-settings.keep_builds :]) | {live_id}
    for folder in settings.builds_dir.iterdir():
        if folder.is_dir() and not folder.name.endswith(PARTIAL) and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    write_json_atomic(settings.data_dir / "history.json", [b for b in history if b in keep])


# Run reports kept for the Index status page's history.
KEEP_REPORTS = 30


def _save_report(settings: Settings, report: RunReport) -> None:
    # A random tail: two runs started in the same second must not overwrite each other's report.
    name = report.started.replace(":", "").replace("+00:00", "Z") + "-" + secrets.token_hex(2)
    data = asdict(report)
    write_json_atomic(settings.reports_dir / f"run-{name}.json", data)
    write_json_atomic(settings.reports_dir / "latest.json", data)
    for old in sorted(settings.reports_dir.glob("run-*.json"))[:-KEEP_REPORTS]:
        old.unlink(missing_ok=True)


def recent_reports(settings: Settings, limit: int = KEEP_REPORTS) -> list[dict[str, Any]]:
    """The newest run reports first, skipping any that cannot be read."""
    reports: list[dict[str, Any]] = []
    for path in sorted(settings.reports_dir.glob("run-*.json"), reverse=True)[:limit]:
        try:
            reports.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return reports
