"""Errors of the index, each named for its condition, and how their messages are made fit to show."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

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
    """No document with that id is in the live index, or none the person asking may see: the
    two are told apart nowhere, so an id says nothing about a document kept from them."""


class EditorsOnly(HubError):
    """What was asked for is for editors only (the Index status page and its run reports name
    every document, restricted ones included)."""


def one_line(exc: BaseException) -> str:
    """An exception's message on one line, without the C++ function and source line that faiss
    puts before its own words ("Error in void faiss::read_vector(...) at ...: Error: ...")."""
    text = " ".join(str(exc).split())
    if text.startswith("Error in ") and " Error: " in text:
        text = text.rsplit(" Error: ", 1)[1]
    return text or type(exc).__name__


def without_folders(text: str, folders: Iterable[Path]) -> str:
    """`text` with the server's absolute paths to `folders` left out: a path inside one becomes
    relative to it, and the folder itself is called by its last name. A folder set as a relative
    path is looked for in its absolute forms (from the working folder, and with links resolved);
    relative text such as "data/builds" is left as it is, as "data/" may be part of a word."""
    forms: set[str] = set()
    for folder in folders:
        for path in (folder.absolute(), folder.resolve()):
            if path.is_absolute() and str(path) != path.anchor:
                forms.add(str(path))
    # Longest first, so a folder inside another is cut before its parent. A path continues
    # with "/"; anything else that could carry on a name ("data2", "data.old") is another folder.
    for form in sorted(forms, key=len, reverse=True):
        inside = re.compile(re.escape(form) + r"/+")
        itself = re.compile(re.escape(form) + r"(?![\w.-])")
        text = itself.sub(Path(form).name, inside.sub("", text))
    return text


class IndexUnavailable(HubError):
    """The database holding the index cannot be reached just now; nothing is lost, and the
    next search tries again."""
