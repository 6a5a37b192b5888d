"""What recording search analytics costs a search, measured and printed in one run.

Run:  python bench/analytics.py [--work /tmp/hub-bench-analytics] [--rounds 3] [--store postgresql://...]

An index of the sample corpus (corpus/) is built once in --work with the real model and the
default runtime. Two Hubs share that model and index: one with the analytics recorder as its
observer, one with none. Every query of the development sets (tests/golden/dev_*.yaml) is run as
a Search page view (`Hub.search_page`, the first page of results) on both, taking turns (which
goes first alternates), for --rounds rounds, so load from elsewhere on the machine falls on both
alike. Printed: p50/p95 of each, and the median and p95 of the paired difference (recording on
minus off), which is the figure the hub holds to: at most 1 ms at the median. Also the cost of
`Recorder.searched` on its own (all a search waits for), the writer thread's time per event
(which runs beside the searches), and the rows it committed. With --store the events are written
into that PostgreSQL database (as with HUB_STORE; its `hub_analytics` tables are emptied first),
while both Hubs still search the data folder's build, so the figures are the recording's alone.

Nothing here is a test: it asserts nothing. The load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import RESULTS_SHOWN, percentiles, say  # noqa: E402
from index.analytics import Recorder, store_path, writer_of  # noqa: E402
from index.api import Hub  # noqa: E402
from index.build import update_index  # noqa: E402
from index.insights import insights_of  # noqa: E402
from ingest.embed import Embedder, load_embedder  # noqa: E402
from ingest.settings import Settings  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"


def queries() -> list[str]:
    """Every query of the development sets, answerable and not."""
    found: list[str] = []
    for path in sorted(GOLDEN.glob("dev_*.yaml")):
        found += [entry["query"] for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return found


def prepare(work: Path) -> tuple[Settings, Embedder]:
    settings = Settings(corpus_dir=ROOT / "corpus", data_dir=work / "data")
    embedder = load_embedder(settings.model, settings.runtime, settings.data_dir / "models")
    report = update_index(settings, embedder)
    say(f"index of the sample corpus: {report.outcome}, {report.documents} documents, {report.chunks} passages")
    return settings, embedder


def pairs(on: Hub, off: Hub, texts: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Times (ms) of each query on both hubs, in turns; returns (on, off) in matching order."""
    times_on: list[float] = []
    times_off: list[float] = []
    turn = 0
    for _ in range(rounds):
        for text in texts:
            turn += 1
            order = ((on, times_on), (off, times_off)) if turn % 2 else ((off, times_off), (on, times_on))
            for hub, sink in order:
                start = time.perf_counter()
                hub.search_page(text, limit=RESULTS_SHOWN)
                sink.append((time.perf_counter() - start) * 1000)
    return times_on, times_off


def searched_alone(recorder: Recorder, hub: Hub, text: str, count: int = 2000) -> float:
    """Microseconds `Recorder.searched` takes on its own (queueing the event), at the median."""
    results = hub.search_page(text, limit=RESULTS_SHOWN).results
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        recorder.searched(text, None, "hybrid", results)
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def writer_cost(recorder: Recorder, hub: Hub, texts: list[str]) -> float:
    """Microseconds the writer thread takes per search event (redacting and committing), from
    the time it takes to write a burst of them: an upper bound on what recording could take from
    searches even if the writer ran on the searching core."""
    assert recorder.flush(60)
    results = hub.search_page(texts[0], limit=RESULTS_SHOWN).results
    burst = [texts[i % len(texts)] for i in range(5000)]
    start = time.perf_counter()
    for text in burst:
        recorder.searched(text, None, "hybrid", results)
    assert recorder.flush(120)
    return (time.perf_counter() - start) * 1e6 / len(burst)


def empty_store(settings: Settings) -> None:
    """Start from an empty analytics store: the data folder's file removed, or the database's tables dropped."""
    if settings.store:
        import psycopg

        with psycopg.connect(settings.store, autocommit=True) as conn:
            conn.execute("DROP SCHEMA IF EXISTS hub_analytics CASCADE")
        return
    path = store_path(settings)
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-bench-analytics"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--store", default="", help="a postgresql:// URL to record into (default: the data folder)")
    args = parser.parse_args()
    say(f"load average at the start: {os.getloadavg()}")
    settings, embedder = prepare(args.work)
    recorded = replace(settings, store=args.store)  # where the events go
    empty_store(recorded)
    recorder = Recorder(writer_of(recorded), settings.analytics_days)
    say(f"recording into {recorder.where}")
    on = Hub(settings, lambda s: embedder, observer=recorder)
    off = Hub(settings, lambda s: embedder)
    texts = queries()
    for hub in (on, off):  # warm up: the build opened, the model's first calls made
        for text in texts[:10]:
            hub.search_page(text, limit=RESULTS_SHOWN)
    times_on, times_off = pairs(on, off, texts, args.rounds)
    difference = np.asarray(times_on) - np.asarray(times_off)
    say(f"{len(texts)} queries x {args.rounds} rounds, Hub.search_page (first {RESULTS_SHOWN} results)")
    say(f"  recording on : {percentiles(times_on)}")
    say(f"  recording off: {percentiles(times_off)}")
    p50_on, p50_off = statistics.median(times_on), statistics.median(times_off)
    say(f"  difference of the medians: {p50_on - p50_off:+.3f} ms")
    d50, d95 = np.percentile(difference, [50, 95])
    say(f"  paired difference (on - off): median {d50:+.3f} ms, p95 {d95:+.3f} ms")
    start = time.perf_counter()
    written = recorder.flush(60)
    say(f"writer thread caught up {(time.perf_counter() - start) * 1000:.0f} ms after the last search: {written}")
    say(f"Recorder.searched alone (on the search's thread): {searched_alone(recorder, on, texts[0]):.1f} µs median")
    say(f"writer thread, per search recorded: {writer_cost(recorder, on, texts):.0f} µs (redact and commit, batched)")
    committed = insights_of(recorded, [], dt.date.today()).searches
    say(f"searches committed: {committed} (health: {recorder.health()})")
    say(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
