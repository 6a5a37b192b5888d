"""Building a new index beside the live one, checking it, and publishing it atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
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
from ingest.embed import Embedder, EmbeddingCache, embed_with_cache
from ingest.errors import HubError, LoadError
from ingest.pipeline import indexed_text, prefix_budget, read_document, scan_corpus
from ingest.settings import Settings
from ingest.types import Chunk, Document, Failure, SourceFile

Progress = Callable[[str, int, int], None]


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
            lines.append(f"  FAILED {failure['file']}: {failure['reason']}{hint}")
        for copy, original in self.same_text.items():
            lines.append(f"  SAME TEXT {copy} repeats {original}: search shows one of them")
        lines.append(f"time {sum(self.timings.values()):.1f}s")
        return "\n".join(lines)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _failure(f: Failure) -> dict[str, str]:
    return {"file": f.doc_id, "reason": f.reason, "hint": f.hint}


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
    live = _open_previous(settings)
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
    manifest = live.manifest if live else {}
    report.previous_build = live.build_id if live else ""
    compatible = (
        live is not None
        and not full
        and manifest.get("model") == embedder.model_key
        and manifest.get("chunking") == settings.chunking_key()
    )
    known: dict[str, str] = manifest.get("files", {}) if compatible else {}
    known_failures: dict[str, dict[str, str]] = manifest.get("failures", {}) if compatible else {}

    scan = scan_corpus(settings.corpus_dir)
    report.skipped = [_failure(f) for f in scan.skipped]
    failures: list[Failure] = list(scan.failures)
    to_read: list[SourceFile] = []
    unchanged: list[str] = []
    for source in scan.files:
        if known.get(source.doc_id) == source.content_hash:
            unchanged.append(source.doc_id)
        elif known_failures.get(source.doc_id, {}).get("hash") == source.content_hash:
            old = known_failures[source.doc_id]
            failures.append(Failure(source.doc_id, old["reason"], old.get("hint", "")))
        else:
            to_read.append(source)
    present = {s.doc_id for s in scan.files}
    previous = set(live.documents) if live else set()
    report.removed = sorted(previous - present)
    report.unchanged = unchanged
    report.added = [s.doc_id for s in to_read if s.doc_id not in previous]
    report.updated = [s.doc_id for s in to_read if s.doc_id in previous]
    report.timings["scan"] = time.perf_counter() - tick
    if dry_run:
        report.failed = [_failure(f) for f in failures]
        report.outcome, report.message = "dry-run", "nothing was changed"
        return
    # A build made before copies were recorded is rebuilt once (from its own vectors) to find them.
    if compatible and not to_read and not report.removed and live is not None and "duplicates" in manifest:
        report.failed = [_failure(f) for f in failures]
        report.same_text = copies_in_manifest(manifest["duplicates"])
        report.outcome, report.message = "unchanged", "the live index is up to date"
        report.build_id = live.build_id
        report.documents, report.chunks = len(live.documents), live.vectors.size
        return

    tick = time.perf_counter()
    fresh: list[Document] = []
    for done, source in enumerate(to_read, start=1):
        try:
            fresh.append(
                read_document(
                    source, embedder.count_tokens, embedder.max_tokens, settings.chunk_tokens, settings.chunk_overlap
                )
            )
        except LoadError as exc:
            failures.append(Failure(source.doc_id, exc.reason, exc.hint))
        if progress:
            progress("reading", done, len(to_read))
    report.failed = [_failure(f) for f in failures]
    report.warnings = {d.doc_id: list(d.warnings) for d in fresh if d.warnings}
    report.added = [d for d in report.added if d not in {f.doc_id for f in failures}]
    report.updated = [d for d in report.updated if d not in {f.doc_id for f in failures}]
    report.timings["read"] = time.perf_counter() - tick

    tick = time.perf_counter()
    budget = prefix_budget(embedder.max_tokens, settings.chunk_tokens)
    texts = [indexed_text(d.metadata.title, c, embedder.count_tokens, budget) for d in fresh for c in d.chunks]
    cache = EmbeddingCache(settings.cache_dir / "embeddings.sqlite")
    try:
        fresh_vectors, report.embedded = embed_with_cache(
            texts, embedder, cache, (lambda d, t: progress("embedding", d, t)) if progress else None
        )
    finally:
        cache.close()
    report.timings["embed"] = time.perf_counter() - tick

    tick = time.perf_counter()
    kept = [d for d in unchanged if live is not None and d in live.documents]
    documents, vectors, keyword_texts = _assemble(live, kept, fresh, fresh_vectors, texts, embedder, budget)
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
    build_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
    staging = settings.builds_dir / (build_id + PARTIAL)
    staging.mkdir(parents=True)
    try:
        chunk_count = _write_build(
            staging,
            settings,
            embedder,
            documents,
            vectors,
            keyword_texts,
            build_id,
            failures,
            scan.files,
            report.same_text,
        )
        report.timings["write"] = time.perf_counter() - tick
        tick = time.perf_counter()
        _validate(staging, embedder, settings, len(documents), chunk_count, documents[0])
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


def _open_previous(settings: Settings) -> Build | None:
    try:
        return open_live(settings)
    except IndexNotReady:
        return None
    except IndexCorrupt:
        # A damaged live build cannot seed an incremental run; rebuild everything instead.
        return None


def _assemble(
    live: Build | None,
    kept: list[str],
    fresh: list[Document],
    fresh_vectors: np.ndarray,
    fresh_texts: list[str],
    embedder: Embedder,
    budget: int,
) -> tuple[list[Document], np.ndarray, list[str]]:
    """All documents of the new build in id order, with their vectors and keyword texts."""
    by_id: dict[str, tuple[Document, np.ndarray, list[str]]] = {}
    row = 0
    for doc in fresh:
        n = len(doc.chunks)
        by_id[doc.doc_id] = (doc, fresh_vectors[row : row + n], fresh_texts[row : row + n])
        row += n
    if live is not None:
        for doc_id in kept:
            record = live.documents[doc_id]
            chunk_records = live.store.chunks_of(doc_id)
            chunks = tuple(
                Chunk(c.doc_id, c.position, c.text, c.start, c.end, c.page, c.heading_path) for c in chunk_records
            )
            doc = Document(
                doc_id=doc_id,
                path=record.path,
                format=record.format,
                content_hash=record.content_hash,
                metadata=record.metadata,
                text=live.store.document_text(doc_id) or "",
                page_starts=record.page_starts,
                chunks=chunks,
                warnings=record.warnings,
            )
            texts = [indexed_text(doc.metadata.title, c, embedder.count_tokens, budget) for c in chunks]
            by_id[doc_id] = (doc, live.vectors.vectors(np.array([c.row for c in chunk_records])), texts)
    ordered = [by_id[k] for k in sorted(by_id)]
    documents = [d for d, _, _ in ordered]
    vectors = np.concatenate([v for _, v, _ in ordered]) if ordered else np.zeros((0, embedder.dimension), np.float32)
    keyword_texts = [t for _, _, ts in ordered for t in ts]
    return documents, vectors, keyword_texts


def _write_build(
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    documents: list[Document],
    vectors: np.ndarray,
    keyword_texts: list[str],
    build_id: str,
    failures: list[Failure],
    files: list[SourceFile],
    copies: dict[str, str],
) -> int:
    chunk_count = SqliteStore.write(folder / STORE, documents)
    VectorIndex.build(vectors, embedder.dimension).save(folder / VECTORS)
    KeywordIndex.build(keyword_texts, settings.search.bm25_k1, settings.search.bm25_b).save(folder / KEYWORD)
    hashes = {s.doc_id: s.content_hash for s in files}
    manifest: dict[str, Any] = {
        "build_id": build_id,
        "created": _now(),
        "model": embedder.model_key,
        "dimension": embedder.dimension,
        "chunking": settings.chunking_key(),
        "documents": len(documents),
        "chunks": chunk_count,
        "files": {d.doc_id: d.content_hash for d in documents},
        "duplicates": copies,
        "failures": {
            f.doc_id: {"hash": hashes.get(f.doc_id, ""), "reason": f.reason, "hint": f.hint} for f in failures
        },
    }
    fsync_tree(folder)
    write_json_atomic(folder / MANIFEST, manifest)
    return chunk_count


def _validate(
    folder: Path, embedder: Embedder, settings: Settings, documents: int, chunks: int, sample: Document
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
        query = sample.chunks[-1].text
        hits = search(build, embedder, query, settings.search, limit=10).hits
        # A near-duplicate document may legitimately outrank the sample; finding the same
        # passage text in any of them shows the build answers searches.
        found = any(h.doc_id == sample.doc_id or any(p.text == query for p in h.passages) for h in hits)
        if not found:
            raise BuildRejected(f"the new build's test search for {sample.doc_id!r} did not find it")
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
    keep = set(history[-settings.keep_builds :]) | {live_id}
    for folder in settings.builds_dir.iterdir():
        if folder.is_dir() and not folder.name.endswith(PARTIAL) and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)
    write_json_atomic(settings.data_dir / "history.json", [b for b in history if b in keep])


# Run reports kept for the Index status page's history.
KEEP_REPORTS = 30


def _save_report(settings: Settings, report: RunReport) -> None:
    name = report.started.replace(":", "").replace("+00:00", "Z")
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
