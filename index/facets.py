"""Facet counts: for each filter a search page offers, how many results each value would leave.

Counts are disjunctive: a facet's counts come from the results with every other chosen filter
applied but not its own, so the number printed beside a value is the number of results choosing
it shows (choosing a second value of the same facet adds to the results rather than narrowing
them). Results are texts: a text filed twice counts once for each value any of its copies has,
as choosing that value shows the text once, through the copy that has it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from index.filters import FACETS, FacetName, Filters
from index.store import DocumentRecord


def facet_value(record: DocumentRecord, facet: FacetName) -> str:
    """The value `record` has for `facet` ("" for none): its publication year for "year"."""
    return facet_values(record)[FACETS.index(facet)]


def facet_values(record: DocumentRecord) -> tuple[str, ...]:
    """The value `record` has for each facet, in FACETS order ("" for none)."""
    meta = record.metadata
    year = str(meta.published.year) if meta.published else ""
    return (meta.kind, meta.agency, meta.focus_area, meta.status, year)


@dataclass(frozen=True)
class FacetCounts:
    """Per facet, how many results each value would leave, and how many there are with the
    facet's own filter removed (what removing it would leave; all results when it has none)."""

    values: Mapping[FacetName, Counter[str]]
    totals: Mapping[FacetName, int]


def count_facets(texts: Iterable[Sequence[DocumentRecord]], filters: Filters) -> FacetCounts:
    """The facet counts of `texts` under `filters`; each text is given as its matching copies
    (one document, or several holding the same text). A value that no text has is not counted."""
    found: list[list[str]] = [[] for _ in FACETS]
    totals = [0] * len(FACETS)
    restricted = not filters.is_empty()
    for copies in texts:
        failing = [filters.failing(r) if restricted else () for r in copies]
        values = [facet_values(r) for r in copies]
        # A facet counts the copies passing every chosen filter other than its own. Only the
        # facets some copy fails alone, or all when some copy passes, can count this text.
        for i in _facets_counting(failing):
            totals[i] += 1
            if len(copies) == 1:  # most texts: no set to build
                found[i].append(values[0][i])
            else:
                found[i].extend(
                    {v[i] for v, failed in zip(values, failing, strict=True) if failed in ((), (FACETS[i],))}
                )
    counts = {facet: Counter(found[i]) for i, facet in enumerate(FACETS)}
    for counter in counts.values():
        counter.pop("", None)
    return FacetCounts(counts, dict(zip(FACETS, totals, strict=True)))


_EVERY_FACET = range(len(FACETS))


def _facets_counting(failing: list[tuple[FacetName, ...]]) -> Iterable[int]:
    """The positions in FACETS of the facets whose counts a text with copies failing `failing`
    adds to: every facet when a copy passes every filter, else those a copy fails alone."""
    if () in failing:
        return _EVERY_FACET
    return sorted({FACETS.index(failed[0]) for failed in failing if len(failed) == 1})
