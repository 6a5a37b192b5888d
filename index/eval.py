"""`python -m index eval`: measure search quality on a BEIR-format test collection.

The collection goes through the hub's own path: each BEIR document is written as a Markdown
file (title in the front matter) into a corpus folder, `update_index` builds the index from it,
and every query is ranked by `rank_documents`, the ranking the hub's search shows. Reading the
collection and writing the corpus is `index.beir`; the metrics are `index.metrics`. The corpus
folder, the index and the embedding cache live in a data folder kept per collection, so a second
run with other search settings re-embeds nothing, and reuses the index itself when no setting or
code that shapes the index changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from index.beir import BeirData, load_beir, write_corpus
from index.build import update_index
from index.catalogue import catalogue_of, check_store
from index.confidence import confident_documents
from index.metrics import evaluate
from index.results import RankedDocument
from index.search import MODES, Mode, confidence_of, match_documents, rank_documents, ranking_of
from index.snapshot import Snapshot
from ingest.embed import Embedder, RememberedQueries
from ingest.errors import HubError
from ingest.progress import Progress
from ingest.settings import SearchSettings, Settings

METRICS = ("ndcg@10", "recall@100", "mrr@10")
# Measured with every result and with only those clearing the confidence bar (index/confidence.py).
JUDGED_METRICS = ("ndcg@10", "recall@5", "recall@100")
RUN_DEPTH = 100
MARKER = "eval-build.json"
# Source files whose code shapes what goes into an index: a change to any of them means
# an index built before it does not show the current code, so it is rebuilt.
_INDEX_SHAPING = (
    "ingest/chunking.py",
    "ingest/fields.py",
    "ingest/kinds.py",
    "ingest/loaders/__init__.py",
    "ingest/loaders/common.py",
    "ingest/loaders/html.py",
    "ingest/loaders/pdf.py",
    "ingest/loaders/text.py",
    "ingest/loaders/word.py",
    "ingest/metadata.py",
    "ingest/normalise.py",
    "ingest/pipeline.py",
    "index/build.py",
    "index/keyword.py",
    "index/store.py",
)
_ROOT = Path(__file__).resolve().parent.parent


def index_fingerprint(settings: Settings, embedder: Embedder) -> str:
    """Changes whenever the index built from the same corpus would differ."""
    digest = hashlib.sha256()
    digest.update(embedder.model_key.encode())
    digest.update(settings.chunking_key().encode())
    digest.update(f"k1={settings.search.bm25_k1};b={settings.search.bm25_b}".encode())
    for name in _INDEX_SHAPING:
        path = _ROOT / name
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()[:16]


def prepare_index(
    data: BeirData, settings: Settings, embedder: Embedder, progress: Progress | None = None
) -> tuple[Snapshot, dict[str, str], bool]:
    """Write the corpus and bring its index up to date; return (build, hub id -> BEIR id, rebuilt).

    Raises HubError when the build fails."""
    ids = write_corpus(data.corpus, settings.corpus_dir)
    marker = settings.data_dir / MARKER
    fingerprint = index_fingerprint(settings, embedder)
    known = json.loads(marker.read_text(encoding="utf-8")) if marker.exists() else {}
    full = known.get("fingerprint") != fingerprint
    report = update_index(settings, embedder, full=full, allow_shrink=True, progress=progress)
    if report.outcome not in ("published", "unchanged"):
        raise HubError(f"the evaluation index could not be built: {report.outcome}: {report.message}")
    marker.write_text(json.dumps({"fingerprint": fingerprint, "build": report.build_id}), encoding="utf-8")
    catalogue = catalogue_of(settings)
    live = catalogue.live_id()
    if live is None:
        raise HubError(f"the evaluation index was not published in {catalogue.where}")
    return catalogue.open(live), ids, report.outcome == "published"


def run_queries(
    build: Snapshot,
    embedder: Embedder,
    queries: dict[str, str],
    ids: dict[str, str],
    settings: SearchSettings,
    mode: Mode,
    depth: int = RUN_DEPTH,
    progress: Progress | None = None,
) -> dict[str, dict[str, float]]:
    """The top `depth` BEIR documents of every query, scored so that higher ranks score higher."""
    run: dict[str, dict[str, float]] = {}
    for done, (qid, text) in enumerate(queries.items(), start=1):
        ranking = rank_documents(build, embedder, text, settings, mode=mode, limit=depth).documents
        run[qid] = by_rank(ranking, ids, depth)
        if progress and (done % 25 == 0 or done == len(queries)):
            progress(f"queries ({mode})", done, len(queries))
    return run


def by_rank(
    ranking: Sequence[RankedDocument], ids: dict[str, str], depth: int, keep: Collection[str] | None = None
) -> dict[str, float]:
    """The BEIR ids of the documents of `ranking` (those in `keep`, all if None), scored so that
    higher ranks score higher. Scores by rank: fused scores can tie, and the ranking shown is
    what is measured."""
    return {
        ids[d.doc_id]: float(depth - rank)
        for rank, d in enumerate(ranking)
        if d.doc_id in ids and (keep is None or d.doc_id in keep)
    }


def run_judged(
    build: Snapshot,
    embedder: Embedder,
    queries: dict[str, str],
    ids: dict[str, str],
    settings: SearchSettings,
    mode: Mode,
    depth: int = RUN_DEPTH,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]], set[str]]:
    """Like `run_queries`, with the confidence judged: (every result's run, the run of the
    results that clear the bar, the ids of the queries flagged "no good match")."""
    run: dict[str, dict[str, float]] = {}
    sure_run: dict[str, dict[str, float]] = {}
    flagged: set[str] = set()
    for qid, text in queries.items():
        matches = match_documents(build, embedder, text, settings, mode=mode)
        ranking = ranking_of(build, matches, settings, depth).documents
        confidence = confidence_of(build, text, matches)
        sure = {build.doc_order[d] for d in confident_documents(matches.docs, matches.scores, confidence).tolist()}
        if confidence is not None and confidence.no_good_match:
            flagged.add(qid)
        run[qid] = by_rank(ranking, ids, depth)
        sure_run[qid] = by_rank(ranking, ids, depth, sure)
    return run, sure_run, flagged


def score(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]) -> dict[str, float]:
    """nDCG@10, Recall@100 and MRR@10 of `run`, averaged over the judged queries (index/metrics.py).

    A judged query with no results counts as zero."""
    return evaluate(qrels, run, METRICS)


def apply_overrides(settings: Settings, pairs: list[str]) -> Settings:
    """`settings` with `key=value` pairs applied to search settings or chunk sizes.

    Raises HubError naming the key when it is unknown or its value has the wrong type."""
    search_fields = {f.name: f for f in dataclasses.fields(SearchSettings)}
    top: dict[str, Any] = {}
    search: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep:
            raise HubError(f"--set {pair!r}: expected key=value")
        if key in search_fields:
            search[key] = _convert(key, raw, getattr(settings.search, key))
        elif key in ("chunk_tokens", "chunk_overlap"):
            top[key] = _convert(key, raw, getattr(settings, key))
        else:
            known = ", ".join([*search_fields, "chunk_tokens", "chunk_overlap"])
            raise HubError(f"--set {key}: not a setting (known: {known})")
    return dataclasses.replace(settings, search=dataclasses.replace(settings.search, **search), **top)


def _convert(key: str, raw: str, current: Any) -> Any:
    try:
        if isinstance(current, bool):
            if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(raw)
            return raw.lower() in ("true", "1", "yes")
        if isinstance(current, int):
            return int(raw)
        if isinstance(current, float):
            return float(raw)
    except ValueError:
        raise HubError(f"--set {key}={raw}: expected a {type(current).__name__}") from None
    return raw


def default_data_dir(dataset: Path) -> Path:
    """A data folder kept per collection, so its embeddings are computed once."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    tag = hashlib.sha256(str(dataset.resolve()).encode()).hexdigest()[:8]
    return base / "public-service-ai-hub" / "eval" / f"{dataset.resolve().name}-{tag}"


def evaluate_dataset(
    dataset: Path,
    split: str,
    modes: list[Mode],
    base: Settings,
    embedder: Embedder,
    data_dir: Path,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build (or reuse) the collection's index and measure each mode; returns the JSON report."""
    started = time.perf_counter()
    # Every query is encoded once per run, however many modes are measured.
    embedder = RememberedQueries(embedder, size=1_000_000)
    data = load_beir(dataset, split)
    settings = dataclasses.replace(base, corpus_dir=data_dir / "corpus", data_dir=data_dir / "index")
    tick = time.perf_counter()
    build, ids, rebuilt = prepare_index(data, settings, embedder, progress)
    timings = {"index": round(time.perf_counter() - tick, 1)}
    results: dict[str, dict[str, float]] = {}
    judged: dict[str, dict[str, Any]] = {}
    try:
        for mode in modes:
            tick = time.perf_counter()
            if mode == "keyword":  # no query embedding: nothing to judge the confidence on
                run = run_queries(build, embedder, data.queries, ids, settings.search, mode, progress=progress)
            else:
                run, sure_run, flagged = run_judged(build, embedder, data.queries, ids, settings.search, mode)
                judged[mode] = {
                    "flagged": len(flagged & set(data.qrels)),
                    "all": _rounded(evaluate(data.qrels, run, JUDGED_METRICS)),
                    "confident_only": _rounded(evaluate(data.qrels, sure_run, JUDGED_METRICS)),
                }
            results[mode] = _rounded(score(data.qrels, run))
            timings[f"queries_{mode}"] = round(time.perf_counter() - tick, 1)
    finally:
        build.close()
    timings["total"] = round(time.perf_counter() - started, 1)
    return {
        "dataset": str(dataset),
        "split": split,
        "documents": len(data.corpus),
        "queries": len(data.queries),
        "judged_queries": len(data.qrels),
        "passages": build.vectors.size,
        "model": embedder.model_key,
        "index_rebuilt": rebuilt,
        "settings": {
            "chunk_tokens": settings.chunk_tokens,
            "chunk_overlap": settings.chunk_overlap,
            "search": dataclasses.asdict(settings.search),
        },
        "results": results,
        "confidence": judged,
        "timings_s": timings,
    }


def _rounded(figures: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 4) for k, v in figures.items()}


def add_arguments(parser: Any) -> None:
    """The `eval` subcommand's options, added to an argparse parser."""
    parser.add_argument("dataset", type=Path, help="folder with corpus.jsonl, queries.jsonl, qrels/<split>.tsv")
    parser.add_argument("--split", default="test")
    parser.add_argument("--mode", choices=[*MODES, "all"], default="all")
    parser.add_argument("--out", type=Path, help="write figures and settings to this JSON file")
    parser.add_argument("--data-dir", type=Path, help="where the corpus copy, index and embedding cache are kept")
    parser.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help="change a search setting"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument(
        "--store",
        default="",
        metavar="URL",
        help="publish the evaluation index into this PostgreSQL database and search it there "
        "(HUB_STORE is never used: an evaluation must not replace the live index)",
    )


def run_command(args: Any) -> int:
    """Run `python -m index eval`; returns the exit code (0 ok, 2 failed, 4 bad argument)."""
    from ingest.embed import load_embedder
    from ingest.progress import ProgressBar

    try:
        settings = apply_overrides(dataclasses.replace(Settings.from_env(), store=args.store), args.overrides)
        check_store(settings)
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 4
    modes: list[Mode] = ["dense", "keyword", "hybrid"] if args.mode == "all" else [args.mode]
    bar = None if args.quiet else ProgressBar()
    try:
        embedder = load_embedder(settings.model, settings.runtime, settings.data_dir / "models")
        report = evaluate_dataset(
            args.dataset, args.split, modes, settings, embedder, args.data_dir or default_data_dir(args.dataset), bar
        )
    except HubError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        if bar:
            bar.close()
    print(f"{report['dataset']} ({args.split}: {report['queries']} queries, {report['documents']} documents)")
    print(f"{'mode':<8} " + " ".join(f"{m:>10}" for m in METRICS))
    for mode, figures in report["results"].items():
        print(f"{mode:<8} " + " ".join(f"{figures[m]:>10.4f}" for m in METRICS))
    for mode, figures in report["confidence"].items():
        every, sure = figures["all"], figures["confident_only"]
        print(
            f"{mode}: {figures['flagged']} of {report['judged_queries']} queries flagged 'no good match'; "
            "all results / confident only: " + ", ".join(f"{m} {every[m]:.4f} / {sure[m]:.4f}" for m in JUDGED_METRICS)
        )
    print(f"time {report['timings_s']['total']}s")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0
