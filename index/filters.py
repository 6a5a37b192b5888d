"""Filters on document metadata, and the columns that let a filter run over many documents at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from index.store import DocumentRecord

_FIELDS = ("kind", "agency", "focus_area", "status")
# What a filter can restrict, by the name a search page gives each facet: "year" stands for the
# publication dates.
FacetName = Literal["kind", "agency", "focus_area", "status", "year"]
FACETS: tuple[FacetName, ...] = ("kind", "agency", "focus_area", "status", "year")


@dataclass(frozen=True)
class Filters:
    """Restrictions on results. Empty tuples and None mean 'any'."""

    kinds: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    # Who is asking (index/access.py): None lets every document through; a tuple of case-folded
    # groups lets through documents open to everyone and those for one of these groups. Not a
    # facet: a search page never offers it, and `without` keeps it.
    readers: tuple[str, ...] | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def wanted(self) -> dict[str, tuple[str, ...]]:
        """The allowed values of each restricted metadata field."""
        chosen = dict(zip(_FIELDS, (self.kinds, self.agencies, self.focus_areas, self.statuses), strict=True))
        return {name: values for name, values in chosen.items() if values}

    def allows(self, record: DocumentRecord) -> bool:
        """Whether `record` passes every restriction, who is asking included."""
        return self.lets_read(record) and not self.failing(record)

    def lets_read(self, record: DocumentRecord) -> bool:
        """Whether the `readers` restriction lets `record` through."""
        audience = record.metadata.audience
        return self.readers is None or not audience or any(g.casefold() in self.readers for g in audience)

    def failing(self, record: DocumentRecord) -> tuple[FacetName, ...]:
        """The facets whose restriction `record` does not pass, in FACETS order (empty: it passes)."""
        meta = record.metadata
        chosen = (self.kinds, self.agencies, self.focus_areas, self.statuses)
        failed: list[FacetName] = [
            facet
            for facet, values in zip(FACETS[:4], chosen, strict=True)
            if values and getattr(meta, facet) not in values
        ]
        if (self.published_from or self.published_to) and (
            meta.published is None
            or (self.published_from is not None and meta.published < self.published_from)
            or (self.published_to is not None and meta.published > self.published_to)
        ):
            failed.append("year")
        return tuple(failed)

    def without(self, facet: FacetName) -> Filters:
        """These filters with one facet's restriction removed (both dates for "year")."""
        if facet == "year":
            return replace(self, published_from=None, published_to=None)
        if facet == "kind":
            return replace(self, kinds=())
        if facet == "agency":
            return replace(self, agencies=())
        return replace(self, focus_areas=()) if facet == "focus_area" else replace(self, statuses=())

    def narrowed(self, other: Filters) -> Filters | None:
        """The filters a document must pass to pass both these and `other`, or None when no
        document can (both choose values of one facet and none of them is common)."""
        values: list[tuple[str, ...]] = []
        for mine, theirs in zip(
            (self.kinds, self.agencies, self.focus_areas, self.statuses),
            (other.kinds, other.agencies, other.focus_areas, other.statuses),
            strict=True,
        ):
            if mine and theirs:
                both = tuple(v for v in mine if v in theirs)
                if not both:
                    return None
                values.append(both)
            else:
                values.append(mine or theirs)
        starts = [d for d in (self.published_from, other.published_from) if d is not None]
        ends = [d for d in (self.published_to, other.published_to) if d is not None]
        kinds, agencies, focus_areas, statuses = values
        # Both restrict who reads: only groups both allow count, which never lets through a
        # document either of them keeps out.
        readers = self.readers if other.readers is None else other.readers
        if self.readers is not None and other.readers is not None:
            readers = tuple(g for g in self.readers if g in other.readers)
        return Filters(
            kinds,
            agencies,
            focus_areas,
            statuses,
            max(starts) if starts else None,
            min(ends) if ends else None,
            readers,
        )


# Stands for "no publication date": below every real date, and told apart from them explicitly.
_UNDATED = -1


class MetadataColumns:
    """Each filterable field of every document as an integer array, in document-index order.

    Checking a filter document by document in Python costs milliseconds on a large index;
    comparing integer codes costs microseconds."""

    def __init__(self, records: Sequence[DocumentRecord]) -> None:
        self._codes: dict[str, dict[str, int]] = {}
        self._columns: dict[str, np.ndarray] = {}
        for name in _FIELDS:
            values = [str(getattr(r.metadata, name)) for r in records]
            codes = {v: i for i, v in enumerate(dict.fromkeys(values))}
            self._codes[name] = codes
            self._columns[name] = np.array([codes[v] for v in values], dtype=np.int32)
        self._published = np.array(
            [r.metadata.published.toordinal() if r.metadata.published else _UNDATED for r in records], dtype=np.int64
        )
        self.size = len(records)
        # Documents open to everyone, and for each group the documents for it.
        self._open = np.array([not r.metadata.audience for r in records], dtype=bool)
        self._audience: dict[str, np.ndarray] = {}
        for index, record in enumerate(records):
            for group in record.metadata.audience:
                column = self._audience.setdefault(group.casefold(), np.zeros(self.size, dtype=bool))
                column[index] = True

    def allowed(self, filters: Filters) -> np.ndarray:
        """Which documents pass `filters`, as a boolean array."""
        mask = np.ones(self.size, dtype=bool)
        for name, values in filters.wanted().items():
            codes = [self._codes[name][v] for v in values if v in self._codes[name]]
            mask &= np.isin(self._columns[name], codes)
        if filters.published_from:
            mask &= (self._published != _UNDATED) & (self._published >= filters.published_from.toordinal())
        if filters.published_to:
            mask &= (self._published != _UNDATED) & (self._published <= filters.published_to.toordinal())
        if filters.readers is not None:
            mask &= self.readable(filters.readers)
        return mask

    def readable(self, readers: tuple[str, ...]) -> np.ndarray:
        """Which documents are open to someone in `readers` (case-folded groups)."""
        mask = self._open.copy()
        for group in readers:
            column = self._audience.get(group)
            if column is not None:
                mask |= column
        return mask
