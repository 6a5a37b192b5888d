"""Filters on document metadata, and the columns that let a filter run over many documents at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.store import DocumentRecord

_FIELDS = ("kind", "agency", "focus_area", "status")


@dataclass(frozen=True)
class Filters:
    """Restrictions on results. Empty tuples and None mean 'any'."""

    kinds: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    published_from: dt.date | None = None
    published_to: dt.date | None = None

    def is_empty(self) -> bool:
        return self == Filters()

    def wanted(self) -> dict[str, tuple[str, ...]]:
        """The allowed values of each restricted metadata field."""
        chosen = dict(zip(_FIELDS, (self.kinds, self.agencies, self.focus_areas, self.statuses), strict=True))
        return {name: values for name, values in chosen.items() if values}

    def allows(self, record: DocumentRecord) -> bool:
        meta = record.metadata
        if any(getattr(meta, name) not in values for name, values in self.wanted().items()):
            return False
        if self.published_from and (meta.published is None or meta.published < self.published_from):
            return False
        return not (self.published_to and (meta.published is None or meta.published > self.published_to))


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
        return mask
