"""What post-filtering costs the Search page: its filtered results against a search that gives
the filters to the legs.

Run:  python bench/postfilter.py [--data-dir DIR] [--work /tmp/hub-postfilter] [--models DIR]

`Hub.search_page` ranks once without the chosen filters and keeps what passes them, so a
filtered view holds only what the unfiltered search's candidates (settings.candidates passages
a leg) hold; `Hub.search` gives the filters to each leg instead. For every golden query
(tests/golden/queries_*.yaml) and every single-facet filter (one value of one facet, as a reader
picks it) under which `Hub.search` finds anything, the two top 10s are compared.

Without --data-dir the sample corpus is indexed first, with the real model, in --work. With it
(for example the data folder bench/speed.py leaves at its largest size) that index is used.
Nothing here is a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import say  # noqa: E402
from index.api import Hub  # noqa: E402
from index.build import update_index  # noqa: E402
from index.facets import facet_value  # noqa: E402
from index.filters import FACETS, FacetName, Filters  # noqa: E402
from ingest.embed import load_embedder  # noqa: E402
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, Settings  # noqa: E402

TOP = 10


def single(facet: FacetName, value: str) -> Filters:
    """The filters a reader sets by choosing `value` of `facet` and nothing else."""
    if facet == "year":
        year = int(value)
        return Filters(published_from=dt.date(year, 1, 1), published_to=dt.date(year, 12, 31))
    if facet == "kind":
        return Filters(kinds=(value,))
    if facet == "agency":
        return Filters(agencies=(value,))
    return Filters(focus_areas=(value,)) if facet == "focus_area" else Filters(statuses=(value,))


@dataclass(frozen=True)
class Pair:
    query: str
    facet: str
    value: str
    pushed: tuple[str, ...]  # Hub.search's top 10, filters given to the legs
    posted: tuple[str, ...]  # Hub.search_page's top 10, filters applied after ranking
    pushed_matched: int
    posted_matched: int

    @property
    def missing(self) -> int:
        """Documents of the pushed top 10 that the page's top 10 lacks."""
        return len(set(self.pushed) - set(self.posted))


def compare(hub: Hub, page_hub: Hub, queries: list[str]) -> list[Pair]:
    """Both top 10s, from `hub.search` and `page_hub.search_page`, for every query and every
    single-facet filter with results."""
    records = hub.documents()
    values = {facet: sorted({v for r in records if (v := facet_value(r, facet))}) for facet in FACETS}
    pairs = []
    for query in queries:
        for facet in FACETS:
            for value in values[facet]:
                filters = single(facet, value)
                pushed = hub.search(query, filters, limit=TOP)
                if not pushed.hits:
                    continue
                posted = page_hub.search_page(query, filters, limit=TOP).results
                pairs.append(
                    Pair(
                        query,
                        facet,
                        value,
                        tuple(h.doc_id for h in pushed.hits),
                        tuple(h.doc_id for h in posted.hits),
                        pushed.matched_documents,
                        posted.matched_documents,
                    )
                )
    return pairs


def report(pairs: list[Pair]) -> None:
    """How often the two top 10s agree, and how they differ when they do not."""
    n = len(pairs)
    same = sum(p.pushed == p.posted for p in pairs)
    same_set = sum(p.pushed != p.posted and set(p.pushed) == set(p.posted) for p in pairs)
    differ = [p for p in pairs if set(p.pushed) != set(p.posted)]
    fewer = [p for p in pairs if len(p.posted) < len(p.pushed)]
    empty = [p for p in pairs if not p.posted]
    say(f"query and single-facet filter pairs with results: {n}")
    say(f"  same top {TOP}, same order:            {same:5d} ({same / max(n, 1):.1%})")
    say(f"  same documents, another order:      {same_set:5d} ({same_set / max(n, 1):.1%})")
    say(f"  other documents:                    {len(differ):5d} ({len(differ) / max(n, 1):.1%})")
    if differ:
        missing = [p.missing for p in differ]
        say(
            f"    of the search's top {TOP}, missing from the page's: "
            f"mean {statistics.mean(missing):.1f}, max {max(missing)} documents"
        )
    say(f"  the page shows fewer results:       {len(fewer):5d} ({len(fewer) / max(n, 1):.1%})")
    say(f"  the page shows none (search some):  {len(empty):5d}")
    matched = [p.posted_matched / p.pushed_matched for p in pairs if p.pushed_matched]
    say(f"  documents matched, page against search: median {statistics.median(matched):.0%}, min {min(matched):.0%}")
    for facet in FACETS:
        of = [p for p in pairs if p.facet == facet]
        if of:
            other = sum(set(p.pushed) != set(p.posted) for p in of)
            short = sum(len(p.posted) < len(p.pushed) for p in of)
            say(f"    {facet:<10} {len(of):5d} pairs: {other:4d} with other documents, {short:4d} with fewer")
    worst = sorted(differ, key=lambda p: (-p.missing, p.query))[:5]
    for p in worst:
        say(
            f"    e.g. {p.query!r} with {p.facet}={p.value!r}: search {len(p.pushed)} results "
            f"({p.pushed_matched} matched), page {len(p.posted)} ({p.posted_matched} matched), {p.missing} missing"
        )


def golden_queries() -> dict[str, set[str]]:
    """Each golden query with the documents that answer it."""
    paths = sorted((ROOT / "tests" / "golden").glob("queries_*.yaml"))
    entries = [entry for path in paths for entry in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return {entry["query"]: set(entry["relevant"]) for entry in entries}


def answers(pairs: list[Pair], relevant: dict[str, set[str]]) -> None:
    """How many of the golden answers each top 10 holds, over every pair."""

    def found(query: str, shown: tuple[str, ...]) -> int:
        # The bench's padded corpus holds the sample corpus in a folder of its own.
        return sum(any(d == r or d.endswith("/" + r) for d in shown) for r in relevant[query])

    pushed = sum(found(p.query, p.pushed) for p in pairs)
    posted = sum(found(p.query, p.posted) for p in pairs)
    say(f"  golden answers in the top {TOP}, summed over the pairs: search {pushed}, page {posted}")


def timings(hub: Hub, page_hub: Hub, queries: list[str]) -> None:
    """Median milliseconds of a page view and of a search, over the queries, without filters."""
    page: list[float] = []
    plain: list[float] = []
    for query in queries:
        start = time.perf_counter()
        page_hub.search_page(query, limit=20)
        page.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        hub.search(query, limit=10)
        plain.append((time.perf_counter() - start) * 1000)
    say(f"median ms: Hub.search_page {statistics.median(page):.1f}, Hub.search {statistics.median(plain):.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="an existing data folder to search (default: index the sample)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-postfilter"))
    parser.add_argument("--models", type=Path, help="where the model export is kept (default: <work>/models)")
    parser.add_argument("--candidates", type=int, help="passages a leg returns (default: the setting's)")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, args.models or args.work / "models")
    if args.data_dir is None:
        settings = Settings(corpus_dir=ROOT / "corpus", data_dir=args.work / "sample-data", model=DEFAULT_MODEL)
        built = update_index(settings, embedder)
        say(f"sample corpus: {built.outcome}, {built.documents} documents, {built.chunks} passages")
    else:
        settings = Settings(data_dir=args.data_dir, model=DEFAULT_MODEL)
    hub = Hub(settings, lambda s: embedder)
    page_hub = hub
    if args.candidates:
        # The search keeps the setting's candidates: only the page's pool changes.
        page_hub = Hub(
            replace(settings, search=replace(settings.search, candidates=args.candidates)), lambda s: embedder
        )
    build = hub.snapshot()
    say(
        f"index: {len(build.documents):,} documents, {build.vectors.size:,} passages; candidates a leg: "
        f"{settings.search.candidates} for the search, {page_hub.settings.search.candidates} for the page"
    )
    relevant = golden_queries()
    pairs = compare(hub, page_hub, list(relevant))
    report(pairs)
    answers(pairs, relevant)
    timings(hub, page_hub, list(relevant))


if __name__ == "__main__":
    main()
