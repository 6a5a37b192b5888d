"""The index's public API: what the portal, the command lines and other callers may use.

Everything else under `index/` is internal and may change. Names load on first use (PEP 562),
so `python -m index --help` and the error types do not pay for importing FAISS and BM25.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.access import Viewer, viewer_of
    from index.analytics import COMMENT_CHARS, Health, Recorder, SearchObserver, open_recorder, store_path
    from index.api import DocumentView, Hub, Match
    from index.confidence import Confidence
    from index.errors import (
        BuildLocked,
        BuildRejected,
        DocumentNotFound,
        EditorsOnly,
        IndexCorrupt,
        IndexNotReady,
        IndexNotWritable,
        IndexUnavailable,
        ModelMismatch,
        without_folders,
    )
    from index.facets import FacetCounts, facet_value
    from index.filters import FACETS, FacetName, Filters
    from index.insights import AnalyticsUnreadable, Insights, insights_of, read_insights
    from index.present import Marked, highlight, query_terms
    from index.redact import redact
    from index.reports import FileNote, RunReport, SavedReport
    from index.results import Hit, Passage, SearchPage, SearchResults
    from index.search import MAX_QUERY_CHARS, Mode
    from index.status import IndexStatus, ServedBuild
    from index.store import ChunkRecord, DocumentRecord

_HOME = {
    "Viewer": "index.access",
    "viewer_of": "index.access",
    "COMMENT_CHARS": "index.analytics",
    "Health": "index.analytics",
    "Recorder": "index.analytics",
    "SearchObserver": "index.analytics",
    "open_recorder": "index.analytics",
    "store_path": "index.analytics",
    "AnalyticsUnreadable": "index.insights",
    "Insights": "index.insights",
    "insights_of": "index.insights",
    "read_insights": "index.insights",
    "redact": "index.redact",
    "DocumentView": "index.api",
    "Hub": "index.api",
    "Match": "index.api",
    "Confidence": "index.confidence",
    "BuildLocked": "index.errors",
    "BuildRejected": "index.errors",
    "DocumentNotFound": "index.errors",
    "EditorsOnly": "index.errors",
    "IndexCorrupt": "index.errors",
    "IndexNotReady": "index.errors",
    "IndexNotWritable": "index.errors",
    "IndexUnavailable": "index.errors",
    "ModelMismatch": "index.errors",
    "without_folders": "index.errors",
    "FacetCounts": "index.facets",
    "facet_value": "index.facets",
    "FACETS": "index.filters",
    "FacetName": "index.filters",
    "Filters": "index.filters",
    "Marked": "index.present",
    "highlight": "index.present",
    "query_terms": "index.present",
    "MAX_QUERY_CHARS": "index.search",
    "Hit": "index.results",
    "Mode": "index.search",
    "Passage": "index.results",
    "SearchPage": "index.results",
    "SearchResults": "index.results",
    "FileNote": "index.reports",
    "RunReport": "index.reports",
    "SavedReport": "index.reports",
    "IndexStatus": "index.status",
    "ServedBuild": "index.status",
    "ChunkRecord": "index.store",
    "DocumentRecord": "index.store",
}

__all__ = [
    "COMMENT_CHARS",
    "FACETS",
    "MAX_QUERY_CHARS",
    "AnalyticsUnreadable",
    "BuildLocked",
    "BuildRejected",
    "ChunkRecord",
    "Confidence",
    "DocumentNotFound",
    "DocumentRecord",
    "DocumentView",
    "EditorsOnly",
    "FacetCounts",
    "FacetName",
    "FileNote",
    "Filters",
    "Health",
    "Hit",
    "Hub",
    "IndexCorrupt",
    "IndexNotReady",
    "IndexNotWritable",
    "IndexStatus",
    "IndexUnavailable",
    "Insights",
    "Marked",
    "Match",
    "Mode",
    "ModelMismatch",
    "Passage",
    "Recorder",
    "RunReport",
    "SavedReport",
    "SearchObserver",
    "SearchPage",
    "SearchResults",
    "ServedBuild",
    "Viewer",
    "facet_value",
    "highlight",
    "insights_of",
    "open_recorder",
    "query_terms",
    "read_insights",
    "redact",
    "store_path",
    "viewer_of",
    "without_folders",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` the first time it is asked for."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
