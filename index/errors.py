"""Errors of the index, each named for its condition; the UI and CLI turn them into messages."""

from __future__ import annotations

from ingest.errors import HubError


class IndexNotReady(HubError):
    """No index has been published yet."""


class IndexCorrupt(HubError):
    """The live index exists but cannot be read."""


class ModelMismatch(HubError):
    """The index was built with another model than the one configured for searching."""


class BuildLocked(HubError):
    """Another build holds the lock."""


class BuildRejected(HubError):
    """A build was made but failed its checks, so it was not published."""


class IndexNotWritable(HubError):
    """The data folder cannot be written, so no build can be made."""


class DocumentNotFound(HubError):
    """No document with that id is in the live index."""


def one_line(exc: BaseException) -> str:
    """An exception's message on one line, without the C++ function and source line that faiss
    puts before its own words ("Error in void faiss::read_vector(...) at ...: Error: ...")."""
    text = " ".join(str(exc).split())
    if text.startswith("Error in ") and " Error: " in text:
        text = text.rsplit(" Error: ", 1)[1]
    return text or type(exc).__name__
