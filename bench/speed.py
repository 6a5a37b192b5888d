"""How fast the hub is on this machine, measured and printed in one run.

Run:  python bench/speed.py [--work /tmp/hub-bench] [--sizes 5000,50000,200000]
                            [--ingest-chunks 800] [--queries 200] [--quick]

1. Real passages: the sample corpus and ../shared/realdocs (when present) are ingested with the
   default runtime, keeping every passage text and vector.
2. Ingest throughput: the same passages embedded by PyTorch fp32 and each faster runtime, in
   passages a second, with each runtime's cosine to PyTorch and its top-10 overlap with PyTorch.
3. A no-change re-run over 1,000 generated Markdown documents, in process and as `python -m ingest`.
4. At each size: an index of the real passages padded with generated ones (bench/synthetic.py),
   built by `update_index`; search latency at `Hub.search` over the queries (p50/p95/p99) in a
   fresh process that only opens the index, as the portal does, with
   and without a filter; a Search page view (every facet's counts and the first page of
   results) the earlier way, a ranking per filter set, and with `Hub.search_page`, one ranking;
   where the time goes; Recall@10 of the vector index against exact float32 search; peak
   memory of a process with the index loaded, beyond one with only the model; the index's size
   on disk.

Other processes on the machine slow every figure: the load average is printed at the start and
the end. Nothing here is a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402
from bench.measure import FILTER, RESULTS_SHOWN, percentiles, say, timed  # noqa: E402
from bench.search_probe import search_probe  # noqa: E402
from index.api import Hub  # noqa: E402
from index.build import update_index  # noqa: E402
from index.snapshot import open_live  # noqa: E402
from index.vectors import VectorIndex  # noqa: E402
from ingest.embed import Embedder, load_embedder  # noqa: E402
from ingest.embed_cache import EmbeddingCache, embed_with_cache  # noqa: E402
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, RUNTIMES, Settings  # noqa: E402

SHARED = ROOT.parent / "shared"
ROUNDS = 3


def load(runtime: str, models: Path) -> tuple[Embedder, float]:
    start = time.perf_counter()
    embedder = load_embedder(DEFAULT_MODEL, runtime, models)
    return embedder, time.perf_counter() - start


# --- 1. real passages ------------------------------------------------------------------------


def real_passages(work: Path, embedder: Embedder) -> tuple[list[str], np.ndarray]:
    """Ingest the sample corpus (and ../shared/realdocs) once; every passage text and vector."""
    corpus = work / "real-corpus"
    if not corpus.exists():
        shutil.copytree(ROOT / "corpus", corpus / "sample")
        if (SHARED / "realdocs").is_dir():
            shutil.copytree(SHARED / "realdocs", corpus / "realdocs", ignore=shutil.ignore_patterns("SOURCE.md"))
        for path in corpus.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
    settings = Settings(corpus_dir=corpus, data_dir=work / "real-data", model=DEFAULT_MODEL)
    recorder = synthetic.Recorder(embedder)
    start = time.perf_counter()
    report = update_index(settings, recorder, full=True)
    seconds = time.perf_counter() - start
    vectors = dict(zip(recorder.texts, recorder.vectors, strict=True))
    texts = sorted(vectors)
    say(
        f"real documents: {report.documents} documents, {report.chunks} passages "
        f"({'sample corpus + realdocs' if (corpus / 'realdocs').exists() else 'sample corpus'}); "
        f"full ingest with {DEFAULT_RUNTIME}: {seconds:.1f} s, {report.chunks / seconds:.1f} passages/s end to end"
    )
    say(f"  stages: {', '.join(f'{k} {v:.1f} s' for k, v in report.timings.items())}")
    return texts, np.stack([vectors[t] for t in texts])


# --- 2. ingest throughput ----------------------------------------------------------------------


def ingest_throughput(
    work: Path, models: Path, texts: list[str], queries: list[str], runtimes: Sequence[str]
) -> dict[str, float]:
    """Embed the same passages with each runtime; prints passages/s, cosine and top-10 overlap.

    Each measurement runs in a process of its own, as an ingest does: a runtime sharing a
    process with PyTorch loses a quarter of its speed to PyTorch's idle worker threads."""
    say(
        f"\n== Ingest throughput: the same {len(texts)} real passages, embedded through embed_with_cache "
        f"in a fresh process per runtime, {ROUNDS} rounds taking turns (median)"
    )
    inputs = work / "throughput-input.json"
    inputs.write_text(json.dumps({"texts": texts, "queries": queries}), encoding="utf-8")
    measured: dict[str, list[float]] = {runtime: [] for runtime in runtimes}
    # Rounds taking turns: a burst of load from elsewhere on the machine then hits every runtime.
    for _ in range(ROUNDS):
        for runtime in runtimes:
            out = work / f"throughput-{runtime}.npz"
            paths = ["--models", str(models), "--texts", str(inputs), "--out", str(out)]
            measured[runtime].append(float(child("--embed-probe", runtime, *paths)["rate"]))
    rates = {runtime: statistics.median(r) for runtime, r in measured.items()}
    vectors: dict[str, np.ndarray] = {}
    query_vectors: dict[str, np.ndarray] = {}
    for runtime in runtimes:
        with np.load(work / f"throughput-{runtime}.npz") as saved:
            vectors[runtime], query_vectors[runtime] = saved["passages"], saved["queries"]
        rounds = ", ".join(f"{r:.1f}" for r in measured[runtime])
        say(f"  {runtime:<14} {rates[runtime]:7.1f} passages/s   (rounds: {rounds})")
    if "torch" in vectors:
        say("  against PyTorch fp32:")
        base, base_q = vectors["torch"], query_vectors["torch"]
        top = {r: np.argsort(-(query_vectors[r] @ vectors[r].T), axis=1)[:, :10] for r in vectors}
        for runtime in runtimes:
            if runtime == "torch":
                continue
            cos = np.sum(vectors[runtime] * base, axis=1)
            qcos = np.sum(query_vectors[runtime] * base_q, axis=1)
            overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(top[runtime], top["torch"], strict=True)])
            say(
                f"  {runtime:<14} speed-up {rates[runtime] / rates['torch']:4.1f}x   passage cosine mean "
                f"{cos.mean():.5f} min {cos.min():.4f}   query cosine min {qcos.min():.4f}   "
                f"top-10 overlap {overlap:.3f} ({len(queries)} queries)"
            )
    return rates


# --- 3. no-change re-run -----------------------------------------------------------------------


def no_change_rerun(work: Path, models: Path, pool: list[str], embedder: Embedder) -> None:
    say("\n== No-change re-run over 1,000 generated Markdown documents")
    corpus = work / "small-corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(work / "small-data", ignore_errors=True)
    synthetic.write_documents(corpus, 1000, pool, seed=1, words=120)
    settings = Settings(corpus_dir=corpus, data_dir=work / "small-data", model=DEFAULT_MODEL)
    first_ms, first = timed(lambda: update_index(settings, embedder))
    say(f"  first run: {first.outcome}, {first.documents} documents, {first.chunks} passages, {first_ms / 1000:.1f} s")
    again_ms, again = timed(lambda: update_index(settings, embedder))
    say(f"  re-run in process (model loaded): {again.outcome}, {again_ms / 1000:.2f} s")
    say(f"    stages: {', '.join(f'{k} {v:.2f} s' for k, v in again.timings.items())}")
    env = {
        **os.environ,
        "HUB_CORPUS_DIR": str(corpus),
        "HUB_DATA_DIR": str(settings.data_dir),
        "HUB_MODEL": DEFAULT_MODEL,
        "HUB_RUNTIME": DEFAULT_RUNTIME,
    }
    # The command exports into <data>/models on first use; share the bench's export instead.
    (settings.data_dir / "models").symlink_to(models, target_is_directory=True)
    command = [sys.executable, "-m", "ingest", "--quiet"]
    cli_ms, done = timed(lambda: subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True))
    outcome = done.stdout.splitlines()[0] if done.stdout else done.stderr.strip()
    say(f"  re-run as `python -m ingest` (new process, loads the model): {outcome}, {cli_ms / 1000:.2f} s")


# --- 4. search at a size -----------------------------------------------------------------------


def grow_corpus(
    corpus: Path, settings: Settings, replay: synthetic.Replay, target: int, pool: list[str], audiences: bool = False
) -> int:
    """Add generated documents until the live index holds at least `target` passages; with
    `audiences`, a fifth of them is for one group (synthetic.write_documents)."""
    chunks = 0
    live = settings.data_dir / "LIVE"
    if live.exists():
        build = open_live(settings)
        chunks = build.vectors.size
        build.close()
    batch = 0
    per_doc = 14.0  # passages from 1,500 words at 200 tokens, 40 overlapping; corrected as we go
    while chunks < target:
        batch += 1
        count = max(1, int((target - chunks) / per_doc) + 1)
        before = chunks
        folder = corpus / f"generated-{target}-{batch}"
        synthetic.write_documents(folder, count, pool, seed=target * 100 + batch, audiences=audiences)
        start = time.perf_counter()
        report = update_index(settings, replay)
        if report.outcome != "published":
            raise SystemExit(f"the build at {target} passages was not published: {report.message}")
        chunks = report.chunks
        per_doc = max(1.0, (chunks - before) / count)
        say(f"  built {report.chunks} passages ({report.documents} documents) in {time.perf_counter() - start:.0f} s")
    return chunks


def search_at_size(
    work: Path, size: int, corpus: Path, settings: Settings, replay: synthetic.Replay, models: Path
) -> int:
    say(f"\n== Search at {size:,} passages")
    chunks = grow_corpus(corpus, settings, replay, size, synthetic.sentences(list(replay.known)))
    # Timed in a fresh process that only opens the index and searches, as the portal does: this
    # process holds the benchmark's own data and has just built the index.
    inputs = work / "throughput-input.json"
    figures = child("--search-probe", str(settings.data_dir), "--models", str(models), "--texts", str(inputs))
    say(f"  index: {chunks:,} passages, {figures['documents']:,} documents, vector index {figures['kind']}")
    say(f"  Hub.search hybrid, {len(figures['plain'])} queries:          {percentiles(figures['plain'])}")
    say(f"  Hub.search hybrid + kind filter ({figures['share']:.0%} of passages): {percentiles(figures['filtered'])}")
    say(f"  Search page view (every facet's counts + {RESULTS_SHOWN} results), no filter chosen:")
    say(f"    before: Hub.matching per filter set + Hub.search  {percentiles(figures['page_before'])}")
    say(f"    after:  Hub.search_page, one ranking              {percentiles(figures['page_after'])}")
    say("  the same view with the kind filter chosen:")
    say(f"    before: Hub.matching per filter set + Hub.search  {percentiles(figures['page_before_f'])}")
    say(f"    after:  Hub.search_page, one ranking              {percentiles(figures['page_after_f'])}")
    parts = figures["parts"]
    say("  where the time goes (medians over the same queries):")
    say(f"    encode query          {parts['encode']:6.1f} ms")
    say(f"    dense leg             {parts['dense']:6.1f} ms   with filter {parts['dense_f']:6.1f} ms")
    say(
        f"    keyword leg           {parts['keyword']:6.1f} ms   with filter {parts['keyword_f']:6.1f} ms   "
        f"({parts['terms']:.1f} terms a query)"
    )
    say(f"    filter mask           {parts['mask']:6.1f} ms   (the legs' row mask, once per filtered search)")
    say(f"    ranking, all of it    {parts['ranking']:6.1f} ms   (rank_documents: encode + legs + fusion + grouping)")
    rest = parts["whole"] - parts["ranking"]
    say(f"    snippets and passages {rest:6.1f} ms   (search minus rank_documents: store reads, highlighting)")
    _recall(replay, figures["queries"], figures["kind"])
    return chunks


def _recall(replay: synthetic.Replay, queries: list[str], kind: str) -> None:
    """Recall@10 of the hub's vector index against exact float32 search on the same vectors."""
    vectors = np.stack(list({**replay.known, **replay.seen}.values()))
    qvs = np.stack([replay.inner.encode_query(q) for q in queries]).astype(np.float32)
    index = VectorIndex.build(vectors, vectors.shape[1])
    line = []
    rng = np.random.default_rng(0)
    for label, share in (("no filter", 1.0), ("30% allowed", 0.3), ("5% allowed", 0.05)):
        mask = None if share == 1.0 else rng.random(len(vectors)) < share
        hits = []
        for qv in qvs:
            rows, _ = index.search(qv, 10, mask)
            scores = vectors @ qv
            if mask is not None:
                scores = np.where(mask, scores, -np.inf)
            truth = np.argpartition(-scores, 10)[:10]
            hits.append(len(set(rows.tolist()) & set(truth.tolist())) / 10)
        line.append(f"{label} {np.mean(hits):.4f}")
    say(f"  Recall@10 of the {kind} index against exact float32 search: {', '.join(line)}")


def memory_and_disk(settings: Settings, models: Path, chunks: int) -> None:
    """Peak RSS of a process with the index loaded, beyond one with only the model; size on disk."""
    base = _probe(settings, models, with_index=False)
    loaded = _probe(settings, models, with_index=True)
    extra = loaded - base
    say(
        f"  memory: model only {base / 1024:.0f} MB, with the index loaded {loaded / 1024:.0f} MB peak; "
        f"beyond the model {extra / 1024:.0f} MB = {extra * 1024 / chunks:,.0f} bytes a passage"
    )
    build = open_live(settings)
    parts: dict[str, int] = {}
    for path in build.folder.rglob("*"):
        if path.is_file():
            part = path.relative_to(build.folder).parts[0]
            parts[part] = parts.get(part, 0) + path.stat().st_size
    build.close()
    total = sum(parts.values())
    detail = ", ".join(f"{k} {v / chunks:,.0f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1]))
    say(f"  disk: {total / 2**20:.0f} MB = {total / chunks:,.0f} bytes a passage ({detail})")


def _probe(settings: Settings, models: Path, with_index: bool) -> int:
    flags = ["--with-index"] if with_index else []
    return int(child("--probe", str(settings.data_dir), "--models", str(models), *flags)["max_rss_kb"])


def child(*args: str) -> dict[str, Any]:
    """Run this script in a fresh process with `args`; the JSON object it prints last."""
    command = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def probe(data_dir: Path, models: Path, with_index: bool) -> None:
    """Run in a child process: load the model (and the index), search, print peak RSS."""
    settings = Settings(data_dir=data_dir, model=DEFAULT_MODEL)
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models)
    embedder.encode_query("warm up the model")
    if with_index:
        hub = Hub(settings, lambda s: embedder)
        for q in ("privacy impact assessment", "harbour permits", "bias testing of models"):
            hub.search(q)
            hub.search(q, FILTER)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"max_rss_kb": peak}))


def embed_probe(runtime: str, models: Path, inputs: Path, out: Path) -> None:
    """Run in a child process: embed the passages in `inputs` once, print the rate, save vectors."""
    data = json.loads(inputs.read_text(encoding="utf-8"))
    texts, queries = data["texts"], data["queries"]
    embedder, _ = load(runtime, models)
    # Warm up with several batches: the first calls compile, and a runtime may compile its
    # document path separately from its query path.
    embedder.encode_documents(texts[:100])
    cache = EmbeddingCache(out.with_suffix(f".{time.time_ns()}.sqlite"))
    start = time.perf_counter()
    passages, _ = embed_with_cache(texts, embedder, cache)
    rate = len(texts) / (time.perf_counter() - start)
    cache.close()
    np.savez(out, passages=passages, queries=np.stack([embedder.encode_query(q) for q in queries]))
    print(json.dumps({"rate": rate}))


# --- main ---------------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or "cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-bench"))
    parser.add_argument("--sizes", default="5000,50000,200000")
    parser.add_argument("--ingest-chunks", type=int, default=800)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--runtimes", default=",".join(["torch", *[r for r in RUNTIMES if r != "torch"]]))
    parser.add_argument("--quick", action="store_true", help="sizes 2000,5000, 100 passages, 50 queries")
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--models", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--with-index", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--embed-probe", help=argparse.SUPPRESS)
    parser.add_argument("--search-probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--texts", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.probe:
        probe(args.probe, args.models, args.with_index)
        return
    if args.search_probe:
        search_probe(args.search_probe, args.models, args.texts)
        return
    if args.embed_probe:
        embed_probe(args.embed_probe, args.models, args.texts, args.out)
        return
    if args.quick:
        args.sizes, args.ingest_chunks, args.queries = "2000,5000", 100, 50
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    for stale in ("real-data", "sized-corpus", "sized-data"):
        shutil.rmtree(work / stale, ignore_errors=True)
    models = work / "models"
    say(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}")
    say(f"default runtime: {DEFAULT_RUNTIME}; model {DEFAULT_MODEL}")
    started = time.perf_counter()

    fast, seconds = load(DEFAULT_RUNTIME, models)
    say(f"{DEFAULT_RUNTIME} export/load: {seconds:.1f} s")
    texts, vectors = real_passages(work, fast)
    pool = synthetic.sentences(texts)
    queries = synthetic.queries(ROOT / "tests" / "golden", pool, args.queries)
    sample = [texts[i] for i in np.random.default_rng(0).permutation(len(texts))[: args.ingest_chunks]]
    ingest_throughput(work, models, sample, queries, args.runtimes.split(","))
    no_change_rerun(work, models, pool, fast)

    corpus = work / "sized-corpus"
    # Start from the real documents' index: the padded builds then add generated documents only.
    shutil.copytree(work / "real-corpus", corpus)
    shutil.copytree(work / "real-data", work / "sized-data")
    settings = Settings(corpus_dir=corpus, data_dir=work / "sized-data", model=DEFAULT_MODEL, max_shrink=1.0)
    replay = synthetic.Replay(fast, dict(zip(texts, vectors, strict=True)))
    for size in (int(s) for s in args.sizes.split(",")):
        chunks = search_at_size(work, size, corpus, settings, replay, models)
        memory_and_disk(settings, models, chunks)
    say(f"\ntotal {time.perf_counter() - started:.0f} s; load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
