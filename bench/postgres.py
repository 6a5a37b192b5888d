"""The PostgreSQL store against the file store, in one run on one machine: search latency and
throughput with several app processes searching at once, at two sizes, and search quality on
SciFact.

Run:  python bench/postgres.py [--work /tmp/hub-pgbench] [--source /tmp/hub-latency]
                               [--processes 4] [--seconds 30] [--rounds 2] [--quick]

1. Builds, made once and kept: the corpus bench/latency.py pads with generated documents (its
   real passages' recorded vectors, and mixes of them for the generated ones, from --source),
   at about 50,000 and 200,000 passages. The 200,000 build of --source (data-current) is copied
   when it is there; any other size is padded and built here.
2. One PostgreSQL 18 with pgvector (index.pg.server's), fresh in <work>/pg, with
   shared_buffers 1GB. Each build is copied into a database of its own (index.pg.write
   .write_build, then made live), timed, vacuumed, and its schema's size summed.
3. Per size, --rounds rounds, the two stores taking turns: one searcher process searching every
   query once (as a reader who has not signed in, and as an editor, who sees everything), then
   --processes searcher processes searching at once for --seconds. Each searcher is an app
   process of its own: the real model on the hub's runtime, a Hub on the data folder or on the
   database, a few warm-up searches, then `Hub.search_page` (what the Search page calls: the
   first 20 results and every facet's counts) as a reader who has not signed in.
4. SciFact (when ../shared/eval/scifact exists): its index built once in <work>/scifact the way
   `python -m index eval` builds it, copied into the database, and its test queries searched
   with a Hub on each store: nDCG@10 of each and the mean overlap of their top 10 documents.

--quick runs a small version: about 5,000 passages, 2 processes, 1 round of 8 s, no SciFact.
Nothing here is a test: it asserts nothing. The load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import synthetic  # noqa: E402
from bench.latency import prepare_passages, three  # noqa: E402
from bench.measure import RESULTS_SHOWN, say  # noqa: E402
from bench.postgres_load import Copied, Job, copy_build, fresh_database, local_server, run_searchers, setting  # noqa: E402
from bench.speed import grow_corpus, machine  # noqa: E402
from index.access import Viewer  # noqa: E402
from index.api import Hub  # noqa: E402
from index.beir import load_beir  # noqa: E402
from index.eval import default_data_dir, prepare_index  # noqa: E402
from index.layout import read_pointer  # noqa: E402
from index.metrics import evaluate  # noqa: E402
from index.pg.server import LocalPostgres  # noqa: E402
from index.snapshot import opens  # noqa: E402
from ingest.embed import load_embedder  # noqa: E402
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, Settings  # noqa: E402

SHARED = ROOT.parent / "shared"
STORES = ("file", "PostgreSQL")
TARGET = 2.0  # the PostgreSQL store's single-searcher median may be at most this many times the file store's
WARM = 5  # untimed searches each searcher makes first (the first loads the index and warms the model)


@dataclass(frozen=True)
class Plan:
    """How each store is measured."""

    models: Path  # the model's export for the runtime, shared by every searcher
    queries: tuple[str, ...]
    processes: int
    seconds: float
    rounds: int
    model: str = DEFAULT_MODEL
    runtime: str = DEFAULT_RUNTIME


@dataclass(frozen=True)
class StoreFigures:
    """One store's timings at one size, over every round."""

    store: str
    single: dict[str, list[float]]  # viewer -> ms, one searcher
    load: list[float]  # ms of every search made with the searchers at once
    seconds: float  # the timed spans of the concurrent runs, summed

    @property
    def rate(self) -> float:
        """Searches a second, all searchers together."""
        return len(self.load) / self.seconds


@dataclass(frozen=True)
class SizeFigures:
    """One size: its build as copied into PostgreSQL, and both stores' timings on it."""

    copied: Copied
    stores: tuple[StoreFigures, ...]  # in STORES order


# --- builds -------------------------------------------------------------------------------------


def padded_build(work: Path, source: Path, size: int, models: Path) -> Path:
    """A data folder whose live build holds the padded corpus at about `size` passages: a copy
    of --source's build of that size if it has one that opens, else one built here (once)."""
    data = work / f"data-{size}"
    if (data / "LIVE").exists() and opens(data / "builds" / str(read_pointer(Settings(data_dir=data)))):
        return data
    made = source / "corpus.json"
    theirs = Settings(data_dir=source / "data-current")
    if made.exists() and json.loads(made.read_text(encoding="utf-8"))["size"] == size:
        build_id = read_pointer(theirs)
        if build_id and opens(theirs.builds_dir / build_id):
            say(f"copying {theirs.builds_dir / build_id} (the padded corpus at {size:,} passages)")
            shutil.rmtree(data, ignore_errors=True)
            shutil.copytree(theirs.builds_dir / build_id, data / "builds" / build_id)
            shutil.copyfile(theirs.data_dir / "LIVE", data / "LIVE")
            return data
    corpus = work / f"corpus-{size}"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(source / "real-corpus", corpus)
    with np.load(source / "known-vectors.npz") as saved:
        vectors = dict(zip((str(t) for t in saved["texts"]), saved["vectors"], strict=True))
    replay = synthetic.Replay(load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models), vectors)
    settings = Settings(corpus_dir=corpus, data_dir=data, max_shrink=1.0)
    say(f"padding the corpus to {size:,} passages and building it (once, in {data})")
    grow_corpus(corpus, settings, replay, size, synthetic.sentences(list(vectors)), audiences=True)
    return data


# --- measuring ----------------------------------------------------------------------------------


def measure(settings: Settings, plan: Plan, store: str, rounds: list[StoreFigures]) -> None:
    """One round of one store: a single searcher, then the searchers at once; appended to `rounds`."""
    warm, queries = plan.queries[:WARM], plan.queries
    both = ("anonymous", "editor")
    single = run_searchers([Job(settings, plan.models, queries, warm, both)])[0]
    jobs = [
        Job(settings, plan.models, queries, warm, ("anonymous",), len(queries) * n // plan.processes, plan.seconds)
        for n in range(plan.processes)
    ]
    together = run_searchers(jobs)
    ms = [v for s in together for v in s.ms["anonymous"]]
    figures = StoreFigures(store, single.ms, ms, max(s.span for s in together))
    rounds.append(figures)
    say(
        f"    {store:<10} 1 searcher p50 {statistics.median(single.ms['anonymous']):6.1f} ms; "
        f"{plan.processes} at once p50 {statistics.median(ms):6.1f} ms, {figures.rate:6.1f} searches/s; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def pooled(store: str, rounds: list[StoreFigures]) -> StoreFigures:
    """One store's rounds as one set of figures."""
    mine = [r for r in rounds if r.store == store]
    single = {v: [ms for r in mine for ms in r.single[v]] for v in mine[0].single}
    return StoreFigures(store, single, [ms for r in mine for ms in r.load], sum(r.seconds for r in mine))


def compare(data_dirs: Sequence[Path], server: LocalPostgres, plan: Plan) -> list[SizeFigures]:
    """Copy each data folder's live build into a fresh database of `server`, measure both stores
    on it, and print the tables; the figures per size."""
    sizes = []
    for n, data in enumerate(data_dirs):
        url = fresh_database(server, f"bench_{n}")
        copied = copy_build(data, url)
        say(
            f"\n== {copied.passages:,} passages: copied into PostgreSQL in {copied.seconds:.1f} s "
            f"(rows {copied.rows_seconds:.1f} s, postings and indexes {copied.seconds - copied.rows_seconds:.1f} s), "
            f"vacuumed in {copied.vacuum_seconds:.1f} s"
        )
        file_settings = Settings(data_dir=data, model=plan.model, runtime=plan.runtime)
        settings = {"file": file_settings, "PostgreSQL": replace(file_settings, store=url)}
        rounds: list[StoreFigures] = []
        for r in range(plan.rounds):
            say(f"  round {r + 1}")
            for store in STORES if r % 2 == 0 else STORES[::-1]:
                measure(settings[store], plan, store, rounds)
        sizes.append(SizeFigures(copied, tuple(pooled(s, rounds) for s in STORES)))
    say(tables(sizes, plan))
    return sizes


def tables(sizes: Sequence[SizeFigures], plan: Plan) -> str:
    """The latency, throughput, ratio and size tables, as printed."""
    lines = [
        f"\n== Hub.search_page (first page of {RESULTS_SHOWN} results and every facet's counts), "
        f"{len(plan.queries)} queries, {plan.rounds} round(s)",
        f"{'passages':>9}  {'store':<10}  {'1 searcher p50 ms':>24}  "
        f"{f'{plan.processes} searchers at once, ms':>27}  {'searches/s':>10}",
        f"{'':>9}  {'':<10}  {'not signed in':>14} {'editor':>9}  {'p50':>8} {'p95':>8} {'p99':>9}  {'':>10}",
    ]
    for size in sizes:
        for figures in size.stores:
            p50, p95, p99 = three(figures.load)
            lines.append(
                f"{size.copied.passages:>9,}  {figures.store:<10}  "
                f"{statistics.median(figures.single['anonymous']):>14.1f} "
                f"{statistics.median(figures.single['editor']):>9.1f}  "
                f"{p50:>8.1f} {p95:>8.1f} {p99:>9.1f}  {figures.rate:>10.1f}"
            )
    lines.append(f"\nPostgreSQL's single-searcher median against the file store's (target: within {TARGET:g}x):")
    for size in sizes:
        file, pg = size.stores
        for viewer, shown in (("anonymous", "not signed in"), ("editor", "editor")):
            ratio = statistics.median(pg.single[viewer]) / statistics.median(file.single[viewer])
            verdict = "within" if ratio <= TARGET else "NOT within"
            lines.append(f"  {size.copied.passages:>9,} passages, {shown:<13}: {ratio:.2f}x, {verdict} {TARGET:g}x")
    lines += [
        "\nThe builds in PostgreSQL (pg_total_relation_size summed over the build schema's tables):",
        f"{'passages':>9}  {'copy s':>7}  {'vacuum s':>8}  {'database MB':>11}  "
        f"{'MB per 100,000':>14}  {'file build MB':>13}",
    ]
    for size in sizes:
        c = size.copied
        lines.append(
            f"{c.passages:>9,}  {c.seconds:>7.1f}  {c.vacuum_seconds:>8.1f}  {c.bytes / 1e6:>11.1f}  "
            f"{c.bytes_per_100k / 1e6:>14.1f}  {c.file_bytes / 1e6:>13.1f}"
        )
    return "\n".join(lines)


# --- quality -----------------------------------------------------------------------------------


def top_ten(hub: Hub, queries: dict[str, str]) -> tuple[dict[str, list[str]], list[float]]:
    """Each query's ten best documents as `hub` shows them to an editor, and the milliseconds each search took."""
    found, ms = {}, []
    for qid, text in queries.items():
        tick = time.perf_counter()
        found[qid] = [hit.doc_id for hit in hub.search(text, limit=10, viewer=Viewer.operator()).hits]
        ms.append((time.perf_counter() - tick) * 1000)
    return found, ms


def scifact_parity(dataset: Path, work: Path, server: LocalPostgres, plan: Plan) -> None:
    """SciFact's test queries on both stores: hybrid nDCG@10 of each, and how far their top 10 agree."""
    if not dataset.is_dir():
        say(f"\n== SciFact: skipped, {dataset} is not on this machine")
        return
    data = load_beir(dataset, "test")
    folder = work / "scifact"
    settings = Settings(corpus_dir=folder / "corpus", data_dir=folder / "index", model=plan.model, runtime=plan.runtime)
    # The vectors `python -m index eval` already computed for the same collection, when it ran here.
    theirs = default_data_dir(dataset) / "index" / "cache"
    if not settings.cache_dir.exists() and theirs.is_dir():
        shutil.copytree(theirs, settings.cache_dir)
    embedder = load_embedder(plan.model, plan.runtime, plan.models)
    build, ids, rebuilt = prepare_index(data, settings, embedder)
    build.close()
    copied = copy_build(settings.data_dir, fresh_database(server, "bench_scifact"))
    say(
        f"\n== SciFact test ({len(data.queries)} queries, {copied.passages:,} passages; index "
        f"{'rebuilt' if rebuilt else 'reused'}; copied into PostgreSQL in {copied.seconds:.1f} s)"
    )
    ranked = {}
    for store, chosen in (("file", settings), ("PostgreSQL", replace(settings, store=copied.url))):
        found, ms = top_ten(Hub(chosen, lambda _: embedder), data.queries)
        run = {
            qid: {ids[d]: float(10 - rank) for rank, d in enumerate(docs) if d in ids} for qid, docs in found.items()
        }
        ndcg = evaluate(data.qrels, run, ("ndcg@10",))["ndcg@10"]
        ranked[store] = found
        say(f"  {store:<10} hybrid nDCG@10 {ndcg:.4f}   (Hub.search, median {statistics.median(ms):.1f} ms)")
    overlap = [len(set(ranked["file"][q]) & set(ranked["PostgreSQL"][q])) / 10 for q in data.queries]
    same = sum(ranked["file"][q] == ranked["PostgreSQL"][q] for q in data.queries)
    say(
        f"  top-10 overlap between the stores: mean {statistics.mean(overlap):.3f}, lowest {min(overlap):.1f}; "
        f"the same ten in the same order for {same} of {len(data.queries)} queries"
    )


# --- main ---------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-pgbench"))
    parser.add_argument("--source", type=Path, default=Path("/tmp/hub-latency"), help="bench/latency.py's --work")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="about 5,000 passages, 2 processes, no SciFact")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    work, source = args.work.resolve(), args.source.resolve()
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    say(f"machine: {machine()}; load average at start {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    models = source / "models"
    known = prepare_passages(source, models, 200)
    queries = tuple(json.loads((known.parent / "queries.json").read_text(encoding="utf-8"))["queries"])
    sizes = (5_000,) if args.quick else (50_000, 200_000)
    data_dirs = [padded_build(work, source, size, models) for size in sizes]
    plan = Plan(models, queries, args.processes, args.seconds, args.rounds)
    if args.quick:
        plan = replace(plan, queries=queries[:60], processes=2, seconds=8.0, rounds=1)
    with local_server(work / "pg", "1GB") as server:
        say(f"PostgreSQL {setting(server, 'server_version')}, shared_buffers {setting(server, 'shared_buffers')}")
        compare(data_dirs, server, plan)
        if not args.quick:
            scifact_parity(SHARED / "eval" / "scifact", work, server, plan)
    say(f"\nmodel {plan.model}, runtime {plan.runtime}; total {time.perf_counter() - started:.0f} s")
    say(f"load average at end {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
