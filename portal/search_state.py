"""A search as the URL carries it, the values each filter offers, and how many results each leaves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from index import MAX_QUERY_CHARS, DocumentRecord, FacetName, Filters, facet_value
from portal.labels import FACETS, value_label
from portal.urls import UrlState, url_number


@dataclass(frozen=True)
class SearchState:
    """A search as the URL carries it, after validation. Empty means 'any'."""

    query: str = ""
    selected: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    year: int | None = None

    def values(self, facet: str) -> tuple[str, ...]:
        return tuple(self.selected.get(facet, ()))

    def without(self, facet: str) -> SearchState:
        """This search with one facet's filter removed ('year' for the date)."""
        if facet == "year":
            return replace(self, year=None)
        return replace(self, selected={k: v for k, v in self.selected.items() if k != facet})

    def has_filters(self) -> bool:
        return self.year is not None or any(self.selected.values())

    def active_facets(self) -> list[FacetName]:
        year: list[FacetName] = ["year"] if self.year is not None else []
        return [f for f in FACETS if self.values(f)] + year

    def filters(self) -> Filters:
        return Filters(
            kinds=self.values("kind"),
            agencies=self.values("agency"),
            focus_areas=self.values("focus_area"),
            statuses=self.values("status"),
            published_from=dt.date(self.year, 1, 1) if self.year else None,
            published_to=dt.date(self.year, 12, 31) if self.year else None,
        )

    def fields(self) -> UrlState:
        """Every part of the search by parameter name, empty parts included."""
        fields: UrlState = {"q": self.query}
        fields.update({facet: list(self.values(facet)) for facet in FACETS})
        fields["year"] = str(self.year) if self.year is not None else ""
        return fields

    def to_params(self) -> UrlState:
        """Query parameters for this search; empty parts are left out to keep links short."""
        params: UrlState = {}
        if self.query:
            params["q"] = self.query
        for facet in FACETS:
            if self.values(facet):
                params[facet] = list(self.values(facet))
        if self.year is not None:
            params["year"] = str(self.year)
        return params


@dataclass(frozen=True)
class FacetOptions:
    """Every value each facet can take in the live index, and the years documents were published."""

    values: Mapping[str, tuple[str, ...]]
    years: tuple[int, ...]


def facet_options(records: Iterable[DocumentRecord]) -> FacetOptions:
    records = list(records)
    values: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        present = {v for r in records if (v := facet_value(r, facet))}
        values[facet] = tuple(sorted(present, key=lambda v: value_label(facet, v).casefold()))
    years = tuple(sorted({r.metadata.published.year for r in records if r.metadata.published}, reverse=True))
    return FacetOptions(values, years)


def parse_search_state(get_all: Callable[[str], Sequence[str]], options: FacetOptions) -> SearchState:
    """The search a URL asks for. Every value is user input: unknown facet values, bad years and
    over-long queries are dropped or trimmed rather than trusted."""
    raw_query = (list(get_all("q")) or [""])[-1]
    query = " ".join(raw_query.split())[:MAX_QUERY_CHARS]
    selected: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        allowed = options.values.get(facet, ())
        chosen = [v for v in dict.fromkeys(get_all(facet)) if v in allowed]
        if chosen:
            selected[facet] = tuple(chosen)
    year = url_number((list(get_all("year")) or [""])[-1])
    return SearchState(query, selected, year if year in options.years else None)
