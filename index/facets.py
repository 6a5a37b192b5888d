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
    if facet == "year":
        published = record.metadata.published
        return str(published.year) if published else ""
    value: str = getattr(record.metadata, facet)
    return value


@dataclass(frozen=True)
class FacetCounts:
    """Per facet, how many results each value would leave, and how many there are with the
    facet's own filter removed (what removing it would leave; all results when it has none)."""

    values: Mapping[FacetName, Counter[str]]
    totals: Mapping[FacetName, int]


def count_facets(texts: Iterable[Sequence[DocumentRecord]], filters: Filters) -> FacetCounts:
    """The facet counts of `texts` under `filters`; each text is given as its matching copies
    (one document, or several holding the same text). A value that no text has is not counted."""
    values: dict[FacetName, Counter[str]] = {facet: Counter() for facet in FACETS}
    totals: dict[FacetName, int] = dict.fromkeys(FACETS, 0)
    for copies in texts:
        failing = [filters.failing(record) for record in copies]
        for facet in FACETS:
            # The copies passing every chosen filter other than this facet's own.
            kept = [record for record, failed in zip(copies, failing, strict=True) if failed in ((), (facet,))]
            if kept:
                totals[facet] += 1
                values[facet].update({value for record in kept if (value := facet_value(record, facet))})
    return FacetCounts(values, totals)
