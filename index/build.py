"""Building a new index beside the live one, checking it, and publishing it atomically.

A run goes through named steps: plan (what changed) -> read (new and changed files) -> embed
-> assemble (with what is carried over) -> stage (write the build folder) -> validate ->
publish. Whatever fails, the live index stays as it was and the run's report says why."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from index.curated import write_curation
from index.database import into_database, report_to_database
from index.duplicates import editions, same_text
from index.errors import BuildRejected, IndexCorrupt
from index.keyword import KeywordIndex
from index.layout import (
    KEYWORD,
    PARTIAL,
    STORE,
    VECTORS,
    build_lock,
    not_writable,
    now,
    prune,
    publish,
    read_pointer,
    remove_leftovers,
)
from index.manifest import Manifest, StaleRecord, write_manifest
from index.problems import check_curation, record_warnings
from index.reports import FileNote, RunReport, save_report
from index.reuse import Entry, carry_over, keep_stale, open_previous, reusable
from index.snapshot import Snapshot
from index.store import SqliteStore
from index.validate import sample_passage, validate
from index.vectors import VectorIndex
from ingest.curation import Curation, source_hash
from ingest.documents import read_documents
from ingest.durable import fsync_dir, fsync_tree
from ingest.embed import Embedder
from ingest.embed_cache import EmbeddingCache, embed_with_cache
from ingest.errors import HubError
from ingest.pipeline import indexed_text, prefix_budget
from ingest.plan import ChangePlan, Known, KnownFailure, plan_changes
from ingest.progress import Progress
from ingest.reading import failure_key
from ingest.scan import scan_corpus
from ingest.settings import Settings
from ingest.types import Chunk, Document, Failure


@dataclass(frozen=True)
class _Run:
    """One run's inputs: what it builds with, and how it was asked to run."""

    settings: Settings
    embedder: Embedder
    full: bool
    dry_run: bool
    allow_shrink: bool
    progress: Progress | None


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
    report = RunReport(started=now(), model=embedder.model_key)
    run = _Run(settings, embedder, full, dry_run, allow_shrink, progress)
    with build_lock(settings):
        try:
            _start(run, report)
            into_database(settings, embedder, report, progress)
        except BuildRejected as exc:
            report.outcome, report.message = "rejected", str(exc)
        except PermissionError as exc:
            report.outcome, report.message = "failed", not_writable(exc)
        except (HubError, OSError) as exc:
            report.outcome, report.message = "failed", str(exc)
        except Exception as exc:  # an unattended job must always leave a report; the live index is untouched
            report.outcome, report.message = "failed", f"unexpected error: {type(exc).__name__}: {exc}"
        finally:
            report.finished = now()
            if not dry_run:
                try:
                    save_report(settings.reports_dir, report)
                except OSError as exc:
                    report.message += f" (the run report could not be saved: {exc.strerror or exc})"
                report_to_database(settings, report)
    return report


@contextmanager
def _timed(report: RunReport, step: str) -> Iterator[None]:
    tick = time.perf_counter()
    try:
        yield
    finally:
        report.timings[step] = time.perf_counter() - tick


def _start(run: _Run, report: RunReport) -> None:
    with _timed(report, "scan"):
        remove_leftovers(run.settings)
        previous = open_previous(run.settings, report.notices)
    try:
        _steps(run, report, previous)
    finally:
        if previous is not None:
            previous.close()


def _steps(run: _Run, report: RunReport, previous: Snapshot | None) -> None:
    """The run's steps, in order; each returns early when there is nothing more to do."""
    report.previous_build = previous.build_id if previous else ""
    reuse = reusable(previous, run.embedder, run.settings)
    with _timed(report, "scan"):
        plan = _plan(run, report, previous, reuse)
    if run.dry_run:
        report.failed = [FileNote.of(f) for f in plan.failures]
        report.outcome, report.message = "dry-run", "nothing was changed"
        return
    serving = previous if previous is not None and _is_live(run.settings, previous) else None
    # Curation changes alone publish a new build: every document and vector is carried over.
    curated = source_hash(run.settings.corpus_dir)
    if serving is not None and _nothing_to_do(serving, plan, reuse, run.full, curated):
        _report_unchanged(run.settings, report, serving, plan)
        return
    budget = prefix_budget(run.embedder.max_tokens, run.settings.chunk_tokens)
    with _timed(report, "read"):
        kept, fresh, stale = _read(run, report, plan, previous if reuse else None, budget)
    if serving is not None and _failed_again(serving, plan, fresh, reuse, run.full, curated):
        report.added, report.updated = [], []
        _report_unchanged(run.settings, report, serving, plan)
        return
    with _timed(report, "embed"):
        texts = [indexed_text(d.metadata.title, c, run.embedder.count_tokens, budget) for d in fresh for c in d.chunks]
        vectors = _embed(run, report, texts)
    with _timed(report, "write"):
        contents = _assemble(kept, fresh, vectors, texts, run.embedder)
        _check_size(run, previous, len(contents.documents))
        report.same_text = same_text((d.doc_id, d.text) for d in contents.documents)
        curation = check_curation(run.settings.corpus_dir, (d.doc_id for d in contents.documents), report)
        record_warnings(contents.documents, run.settings.access.groups, curation, report)
        before = previous.manifest.stale if previous is not None and reuse else {}
        manifest = _manifest(run, contents, plan, report.same_text, _stale_records(stale, before, report.started))
        manifest = replace(
            manifest,
            editions=editions(((d.doc_id, d.text) for d in contents.documents), manifest.copies()),
            curation=curated,
        )
        staging = _stage(run, contents, manifest, curation)
    with _timed(report, "validate_publish"):
        _validate_and_publish(run, staging, manifest, sample_passage(contents.documents))
    prune(run.settings, manifest.build_id)
    report.outcome, report.message = "published", f"build {manifest.build_id} is live"
    report.build_id, report.documents, report.chunks = manifest.build_id, manifest.documents, manifest.chunks or 0


def _plan(run: _Run, report: RunReport, previous: Snapshot | None, reuse: bool) -> ChangePlan:
    """Scan the corpus and decide what to do with each file; the report lists the plan."""
    scan = scan_corpus(run.settings.corpus_dir, run.settings.limits)
    report.skipped = [FileNote.of(f) for f in scan.skipped]
    known = Known()
    if previous is not None:
        known = Known(previous.manifest.files, previous.manifest.failures, previous.documents)
    plan = plan_changes(scan, known, failure_key(run.settings.limits), reuse=reuse and not run.full)
    before = set(previous.documents) if previous else set()
    report.removed = plan.removed
    report.unchanged = [s.doc_id for s in plan.unchanged]
    report.added = [s.doc_id for s in plan.to_read if s.doc_id not in before]
    report.updated = [s.doc_id for s in plan.to_read if s.doc_id in before]
    return plan


def _read(
    run: _Run, report: RunReport, plan: ChangePlan, previous: Snapshot | None, budget: int
) -> tuple[dict[str, Entry], list[Document], dict[str, str]]:
    """Carry the unchanged documents over, read the new and changed files, and keep the last
    good version of documents that failed. Returns (carried over, read, {stale id: why})."""
    unchanged = list(plan.unchanged)
    kept = carry_over(previous, plan, run.embedder, budget)
    for source in unchanged:
        if source.doc_id in kept:
            continue
        # Its passages in the previous build were damaged: the file was read again instead.
        if previous is not None:
            report.warnings.setdefault(source.doc_id, []).append(
                "its passages in the live index were damaged, so the file was read again"
            )
        report.unchanged.remove(source.doc_id)
        report.updated.append(source.doc_id)
    read = read_documents(plan.to_read, run.settings, run.embedder.count_tokens, run.embedder.max_tokens, run.progress)
    plan.failures.extend(read.failures)
    stale = keep_stale(previous, plan, kept, run.embedder, budget)
    report.stale = sorted(stale)
    report.failed = [FileNote.of(f, kept=f.doc_id in stale) for f in plan.failures]
    report.warnings.update({d.doc_id: list(d.warnings) for d in read.documents if d.warnings})
    failed = {f.doc_id for f in plan.failures}
    report.added = [d for d in report.added if d not in failed]
    report.updated = [d for d in report.updated if d not in failed]
    return kept, read.documents, stale


def _embed(run: _Run, report: RunReport, texts: list[str]) -> np.ndarray:
    """The vectors of `texts`, from the embedding cache where it has them."""
    cache = EmbeddingCache(run.settings.cache_dir / "embeddings.sqlite")
    try:
        vectors, report.embedded = embed_with_cache(texts, run.embedder, cache, run.progress)
    finally:
        report.notices.extend(cache.problems)
        cache.close()
    return vectors


@dataclass(frozen=True)
class _Contents:
    """All documents of the new build in id order, with their vectors and keyword texts."""

    documents: list[Document]
    vectors: np.ndarray
    keyword_texts: list[str]


def _assemble(
    kept: dict[str, Entry], fresh: list[Document], fresh_vectors: np.ndarray, fresh_texts: list[str], embedder: Embedder
) -> _Contents:
    by_id = dict(kept)
    row = 0
    for doc in fresh:
        n = len(doc.chunks)
        by_id[doc.doc_id] = Entry(doc, fresh_vectors[row : row + n], fresh_texts[row : row + n])
        row += n
    ordered = [by_id[k] for k in sorted(by_id)]
    empty = np.zeros((0, embedder.dimension), np.float32)
    vectors = np.concatenate([e.vectors for e in ordered]) if ordered else empty
    return _Contents([e.document for e in ordered], vectors, [t for e in ordered for t in e.texts])


def _check_size(run: _Run, previous: Snapshot | None, documents: int) -> None:
    """Refuse a build with no documents, or one that shrank more than `max_shrink` (a corpus
    folder that is not mounted looks like every document deleted). Raises BuildRejected."""
    settings = run.settings
    if not documents:
        raise BuildRejected(f"no document in {settings.corpus_dir} could be indexed; the live index was kept")
    if previous is None or run.allow_shrink:
        return
    if documents < len(previous.documents) * (1 - settings.max_shrink):
        raise BuildRejected(
            f"the new build has {documents} documents, down from {len(previous.documents)} "
            f"(more than {settings.max_shrink:.0%} fewer); not published. Is the corpus folder "
            "mounted? Use --allow-shrink if the drop is intended."
        )


def _stale_records(stale: dict[str, str], before: dict[str, StaleRecord], now_: str) -> dict[str, StaleRecord]:
    """Why each document is stale, and since when (kept from `before` if it already was)."""
    return {
        doc_id: StaleRecord(reason, before[doc_id].since if doc_id in before and before[doc_id].since else now_)
        for doc_id, reason in stale.items()
    }


def _manifest(
    run: _Run, contents: _Contents, plan: ChangePlan, copies: dict[str, str], stale: dict[str, StaleRecord]
) -> Manifest:
    reader = failure_key(run.settings.limits)
    return Manifest(
        build_id=_new_build_id(),
        created=now(),
        model=run.embedder.model_key,
        dimension=run.embedder.dimension,
        chunking=run.settings.chunking_key(),
        documents=len(contents.documents),
        chunks=sum(len(d.chunks) for d in contents.documents),
        files={d.doc_id: d.content_hash for d in contents.documents},
        duplicates=copies,
        # A failure is repeated without reading while the file's hash and the reader's key stay
        # the same; one that is no verdict on the file records no hash, so it is tried again.
        failures={f.doc_id: _known_failure(f, plan.hashes, reader) for f in plan.failures},
        stale=stale,
    )


def _known_failure(failure: Failure, hashes: dict[str, str], reader: str) -> KnownFailure:
    return KnownFailure("" if failure.retry else hashes.get(failure.doc_id, ""), failure.reason, failure.hint, reader)


def _new_build_id() -> str:
    """A build id that sorts by time: to the microsecond, plus a random tail."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def _stage(run: _Run, contents: _Contents, manifest: Manifest, curation: Curation) -> Path:
    """Write the build into a `.partial` folder beside the live one; returns the folder."""
    staging = run.settings.builds_dir / (manifest.build_id + PARTIAL)
    staging.mkdir(parents=True)
    try:
        chunks = SqliteStore.write(staging / STORE, contents.documents)
        if chunks != manifest.chunks:
            raise BuildRejected(f"the store holds {chunks} passages, expected {manifest.chunks}")
        VectorIndex.build(contents.vectors, run.embedder.dimension).save(staging / VECTORS)
        search = run.settings.search
        KeywordIndex.build(contents.keyword_texts, search.bm25_k1, search.bm25_b).save(staging / KEYWORD)
        write_curation(staging, curation)
        fsync_tree(staging)
        write_manifest(staging, manifest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _validate_and_publish(run: _Run, staging: Path, manifest: Manifest, sample: tuple[str, Chunk] | None) -> None:
    """Check the staged build, move it into place and make it live."""
    try:
        validate(staging, run.embedder, run.settings.search, manifest, sample)
        final = run.settings.builds_dir / manifest.build_id
        os.replace(staging, final)
        fsync_dir(run.settings.builds_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if run.progress:
        run.progress("publishing", 1, 1)
    publish(run.settings, manifest.build_id)


def _is_live(settings: Settings, build: Snapshot) -> bool:
    """False when `build` is an earlier build standing in for a live one that cannot be opened."""
    try:
        return read_pointer(settings) == build.build_id
    except IndexCorrupt:
        return False


def _nothing_to_do(live: Snapshot, plan: ChangePlan, reuse: bool, full: bool, curated: str) -> bool:
    """True when the live build already is what this run would build (its curation files'
    hash `curated` included).

    A build made before copies were recorded is rebuilt once (from its own vectors) to find
    them; so is one whose set of stale documents would change, and one whose store is damaged."""
    if full or not reuse or plan.to_read or plan.removed or live.manifest.duplicates is None:
        return False
    if live.manifest.curation != curated:
        return False
    failed = {f.doc_id for f in plan.failures}
    if set(live.manifest.failures) != failed:
        return False
    if set(live.manifest.stale) != {d for d in failed | set(plan.unlisted) if d in live.documents}:
        return False
    # SQLite's own check of the live store: a damaged page shows up here, so a night with no
    # changes still rebuilds (rereading the damaged documents) instead of keeping it.
    return live.store.intact()


def _failed_again(
    live: Snapshot, plan: ChangePlan, fresh: list[Document], reuse: bool, full: bool, curated: str
) -> bool:
    """True when every file read this run failed and, those aside, there was nothing to do: a
    failure worth retrying (reading was stopped) is retried each run, but a build identical to
    the live one is not published again, so the builds kept for rollback stay distinct."""
    if fresh or not {s.doc_id for s in plan.to_read} <= {f.doc_id for f in plan.failures}:
        return False
    return _nothing_to_do(live, replace(plan, to_read=[]), reuse, full, curated)


def _report_unchanged(settings: Settings, report: RunReport, live: Snapshot, plan: ChangePlan) -> None:
    stale = set(live.manifest.stale)
    report.failed = [FileNote.of(f, kept=f.doc_id in stale) for f in plan.failures]
    report.stale = sorted(stale)
    report.same_text = live.manifest.copies()
    report.outcome, report.message = "unchanged", "the live index is up to date"
    report.build_id = live.build_id
    report.documents, report.chunks = len(live.documents), live.vectors.size
    # Every problem still in the corpus is told again, though nothing was read.
    curation = check_curation(settings.corpus_dir, live.documents, report)
    record_warnings(live.stored.values(), settings.access.groups, curation, report)
    # A run killed after writing a build but before publishing it leaves a folder behind.
    prune(settings, live.build_id)
