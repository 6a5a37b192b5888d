"""Search timings taken in a child process that only opens the index, as the portal does:
`Hub.search`, a Search page view the earlier way and with `Hub.search_page`, and where a
search's time goes. `bench/speed.py` runs it and prints the figures."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bench.measure import FILTER, RESULTS_SHOWN, timed
from index.api import Hub
from index.facets import facet_value
from index.filters import FACETS, Filters
from index.legs import RowMasks, legs_of
from index.search import rank_documents, search
from index.vectors import VectorIndex
from ingest.embed import Embedder, load_embedder
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, SearchSettings, Settings


def search_probe(data_dir: Path, models: Path, inputs: Path) -> None:
    """Run in a child process: open the live index, time searches, print the figures as JSON."""
    queries: list[str] = json.loads(inputs.read_text(encoding="utf-8"))["queries"]
    settings = Settings(data_dir=data_dir, model=DEFAULT_MODEL)
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models)
    hub = Hub(settings, lambda s: embedder)
    build = hub.snapshot()
    for q in queries[:5]:
        hub.search(q)
    plain = [timed(lambda q=q: hub.search(q, limit=10))[0] for q in queries]  # type: ignore[misc]
    filtered = [timed(lambda q=q: hub.search(q, FILTER, limit=10))[0] for q in queries]  # type: ignore[misc]
    mask = RowMasks(build.columns, build.row_doc).mask(FILTER)
    share = float(np.mean(mask)) if mask is not None and mask.size else 1.0
    figures = {
        **page_figures(hub, queries, "", Filters()),
        **page_figures(hub, queries, "_f", FILTER),
        "documents": len(build.documents),
        "kind": build.vectors.kind if isinstance(build.vectors, VectorIndex) else "database",
        "plain": plain,
        "filtered": filtered,
        "share": share,
        "parts": breakdown(build, embedder, queries, settings.search),
        "queries": queries,
    }
    print(json.dumps(figures))


def page_figures(hub: Hub, queries: list[str], suffix: str, filters: Filters) -> dict[str, list[float]]:
    """Milliseconds a Search page view takes for each query under `filters`, the earlier way
    and with `Hub.search_page`, the two taking turns query by query."""
    before: list[float] = []
    after: list[float] = []
    for query in queries:
        before.append(timed(lambda q=query: page_before(hub, q, filters))[0])  # type: ignore[misc]
        after.append(timed(lambda q=query: hub.search_page(q, filters, limit=RESULTS_SHOWN))[0])  # type: ignore[misc]
    return {f"page_before{suffix}": before, f"page_after{suffix}": after}


def page_before(hub: Hub, query: str, filters: Filters) -> None:
    """The Search page's work as it was before `Hub.search_page`: every text matching under
    each distinct set of filters that the counts need (the chosen ones, and each with one
    facet's filter removed; a ranking without passages per set), each facet's values counted
    over its set, then a search with the filters for the first page of results."""
    runs: dict[Filters, list[tuple[Any, ...]]] = {}

    def run(chosen: Filters) -> list[tuple[Any, ...]]:
        if chosen not in runs:
            runs[chosen] = hub.matching(query, chosen)
        return runs[chosen]

    matched = run(filters)
    for facet in FACETS:
        Counter(v for match in run(filters.without(facet)) for v in {facet_value(r, facet) for r in match} if v)
    if matched:
        hub.search(query, filters, limit=RESULTS_SHOWN)


def breakdown(build: Any, embedder: Embedder, queries: list[str], settings: SearchSettings) -> dict[str, float]:
    """Where a search's time goes, leg by leg, over the same queries (medians, ms)."""
    from index.keyword import analyse

    n = settings.candidates
    legs = legs_of(build)
    qvs = [embedder.encode_query(q) for q in queries]

    def each(fn: Callable[[int], Any]) -> float:
        return statistics.median(timed(partial(fn, i))[0] for i in range(len(queries)))

    return {
        "encode": each(lambda i: embedder.encode_query(queries[i])),
        "dense": each(lambda i: legs.dense.search(qvs[i], n, Filters())),
        "dense_f": each(lambda i: legs.dense.search(qvs[i], n, FILTER)),
        "keyword": each(lambda i: legs.keyword.search(queries[i], n, Filters())),
        "keyword_f": each(lambda i: legs.keyword.search(queries[i], n, FILTER)),
        "ranking": each(lambda i: rank_documents(build, embedder, queries[i], settings, limit=10)),
        "whole": each(lambda i: search(build, embedder, queries[i], settings)),
        "mask": statistics.median(
            timed(lambda: RowMasks(build.columns, build.row_doc).mask(FILTER))[0] for _ in range(20)
        ),
        "terms": statistics.mean(len(set(analyse(q))) for q in queries),
    }
