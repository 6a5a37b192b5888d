"""What the index is serving and what the recent build runs did: the Index status page's data."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.manifest import StaleRecord
from index.reports import SavedReport
from ingest.plan import KnownFailure


@dataclass(frozen=True)
class ServedBuild:
    """The build readers are shown: when and with what it was built, and its problems."""

    build_id: str
    created: str
    model: str
    documents: int
    passages: int
    failures: dict[str, KnownFailure] = field(default_factory=dict)  # files that could not be indexed
    stale: dict[str, StaleRecord] = field(default_factory=dict)  # kept at their last good version
    copies: dict[str, str] = field(default_factory=dict)  # a copy's id -> the document it repeats


@dataclass(frozen=True)
class IndexStatus:
    """`served` is None before the first build; `fallback` says why an earlier build is served
    when the live one cannot be read; `latest` and `runs` are the run reports, newest first."""

    served: ServedBuild | None
    fallback: str | None = None
    latest: SavedReport | None = None
    runs: tuple[SavedReport, ...] = ()
