"""Finding the files to index under the corpus folder, and nothing outside it.

Only regular files inside the corpus folder are read, after resolving links; links that lead
elsewhere, named pipes, devices, names that are not UTF-8 or that a link to the document could
not carry, and sidecars without a document are listed as skipped with the reason. A folder that
cannot be listed is recorded, so the documents under it are kept rather than taken for deleted.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from ingest.reading import TooLarge, content_hash, read_version, too_large
from ingest.settings import MB, Limits
from ingest.types import FORMATS, SIDECAR_SUFFIX, Failure, SourceFile

# Longest document id accepted; the portal refuses longer ids in URLs.
MAX_ID_CHARS = 400
RENAME = "Rename the file."


@dataclass
class Scan:
    """What is in the corpus folder: files to index, files skipped and files that failed."""

    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    # Folders (ids relative to the corpus, ending in '/') that could not be listed.
    unreadable: list[str] = field(default_factory=list)

    def covers_unread(self, doc_id: str) -> bool:
        """True when `doc_id` lies in a folder this scan could not list."""
        return any(doc_id.startswith(folder) for folder in self.unreadable)


def id_problem(doc_id: str) -> str:
    """Why `doc_id` cannot name a document, or '' when it can.

    A document id travels in links (`/Document?doc=...`), and the portal refuses any id that
    looks like a path trick, also once or twice URL-decoded; a file whose id would be refused
    could be indexed but never opened, so it is skipped with this reason instead."""
    if len(doc_id) > MAX_ID_CHARS:
        return f"the path is longer than {MAX_ID_CHARS} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in doc_id):
        return "the name contains control characters"
    for form in dict.fromkeys((doc_id, unquote(doc_id), unquote(unquote(doc_id)))):
        encoded = "" if form == doc_id else " (once its %-codes are decoded)"
        for char, name in ((":", "a colon"), ("\\", "a backslash"), ("\x00", "a NUL character")):
            if char in form:
                return f"the name contains {name}{encoded}, which links to documents cannot carry"
        if form.startswith(("/", "~")) or any(part in ("", ".", "..") for part in form.split("/")):
            return f"the path{encoded} looks like a path trick ('~', '.', '..' or an empty part)"
    return ""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(name: str) -> str:
    """A name that came from the file system, safe to store and to print: undecodable bytes
    and control characters (which could drive a terminal showing the run's output) become '�'."""
    return _CONTROL.sub("\ufffd", name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


# Folders deeper than this are not entered: the walk recurses once a level, and no real
# corpus nests documents this deep.
MAX_DEPTH = 40


def _name_problem(name: str) -> str:
    """Why a file or folder name cannot be part of a document id, or ''."""
    if printable(name) == name:
        return ""
    if _CONTROL.sub("", name) == printable(_CONTROL.sub("", name)):
        return "name contains control characters"
    return "name is not valid UTF-8 text"


class _Walker:
    def __init__(self, corpus_dir: Path, limits: Limits) -> None:
        self.root = Path(os.path.realpath(corpus_dir))
        self.corpus_dir = corpus_dir
        self.limits = limits
        self.scan = Scan()

    def run(self) -> Scan:
        if not self.corpus_dir.is_dir():
            return self.scan
        for folder, dirs, names in os.walk(self.corpus_dir, onerror=self._unlistable):
            here = Path(folder)
            depth = len(here.relative_to(self.corpus_dir).parts)
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and self._folder_ok(here / d, depth))
            present = {n for n in names if not n.endswith(SIDECAR_SUFFIX)}
            for name in sorted(names):
                if name.startswith("."):
                    continue
                if name.endswith(SIDECAR_SUFFIX):
                    if name[: -len(SIDECAR_SUFFIX)] not in present:
                        self._skip(here / name, "a metadata file for a document that is not there")
                    continue
                self._file(here / name)
        return self.scan

    def _id(self, path: Path) -> str:
        return printable(path.relative_to(self.corpus_dir).as_posix())

    def _skip(self, path: Path, reason: str, hint: str = "") -> None:
        self.scan.skipped.append(Failure(self._id(path), reason, hint))

    def _unlistable(self, exc: OSError) -> None:
        path = Path(exc.filename) if exc.filename else self.corpus_dir
        if path == self.corpus_dir:
            return
        prefix = self._id(path) + "/"
        self.scan.unreadable.append(prefix)
        self.scan.failures.append(
            Failure(
                prefix,
                f"the folder could not be read ({exc.strerror or exc}); its documents are kept as they were",
                "Give the indexing job permission to read the folder.",
            )
        )

    def _folder_ok(self, path: Path, depth: int) -> bool:
        """False for folders not to enter (skipped with why): links to folders, folders nested
        deeper than MAX_DEPTH (the walk recurses), names a document id cannot carry."""
        if depth >= MAX_DEPTH:
            self._skip(path, f"a folder nested more than {MAX_DEPTH} levels deep: not read", "Move it up.")
            return False
        problem = _name_problem(path.name)
        if problem:
            self._skip(path, f"a folder whose {problem}: not read", "Rename the folder.")
            return False
        if path.is_symlink():
            self._skip(
                path, "a link to a folder: links to folders are not followed", "Move the folder into the corpus."
            )
            return False
        return True

    def _resolve(self, path: Path) -> tuple[str, os.stat_result] | None:
        """The real path and status of a file inside the corpus, or None (skipped with why)."""
        try:
            info = os.lstat(path)
        except OSError as exc:
            self.scan.failures.append(Failure(self._id(path), f"could not be read ({exc.strerror or exc})"))
            return None
        # An absolute path: the reading process runs in a folder of its own.
        real = os.path.realpath(path)
        if stat.S_ISLNK(info.st_mode):
            if not Path(real).is_relative_to(self.root):
                self._skip(
                    path, "a link to a file outside the corpus folder: not read", "Copy the file into the corpus."
                )
                return None
            *folders, name = Path(real).relative_to(self.root).parts
            if any(part.startswith((".", "_")) for part in folders) or name.startswith("."):
                self._skip(path, "a link into a hidden folder of the corpus: not read", "Move the file out of it.")
                return None
            try:
                info = os.stat(real)
            except OSError:
                self._skip(path, "a link to a file that does not exist", "Remove the link.")
                return None
        if not stat.S_ISREG(info.st_mode):
            self._skip(path, f"{_kind_of(info.st_mode)}, not a document file: not read")
            return None
        return real, info

    def _file(self, path: Path) -> None:
        name = path.name
        doc_id = self._id(path)
        problem = _name_problem(name)
        if problem:
            self._skip(path, f"the file's {problem}", RENAME)
            return
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            self._skip(path, f"unsupported file type '{path.suffix or name}'")
            return
        problem = id_problem(doc_id)
        if problem:
            self._skip(path, problem, RENAME)
            return
        resolved = self._resolve(path)
        if resolved is None:
            return
        real, info = resolved
        if info.st_size > self.limits.max_file_bytes:  # refused without reading it
            self._too_large(doc_id, TooLarge(info.st_size, self.limits.max_file_bytes))
            return
        sidecar = self._sidecar(path)
        try:
            # Read as reading reads it, so the hash is the one it records and an unchanged file
            # is recognised next run.
            raw, side = read_version(real, sidecar, self.limits.max_file_bytes, str(self.root))
        except TooLarge as exc:
            self._too_large(doc_id, exc)
            return
        except OSError as exc:
            self.scan.failures.append(Failure(doc_id, f"could not be read ({exc.strerror or exc})"))
            return
        self.scan.files.append(
            SourceFile(
                doc_id=doc_id,
                path=real,
                format=fmt,
                content_hash=content_hash(raw, side),
                size=len(raw),
                sidecar=sidecar,
                root=str(self.root),
            )
        )

    def _too_large(self, doc_id: str, exc: TooLarge) -> None:
        failure = too_large(doc_id, exc)
        self.scan.failures.append(Failure(doc_id, failure.reason, failure.hint))

    def _sidecar(self, path: Path) -> str | None:
        """The real path of the document's sidecar, or None (a bad sidecar is skipped with why)."""
        sidecar = path.with_name(path.name + SIDECAR_SUFFIX)
        if not os.path.lexists(sidecar):
            return None
        resolved = self._resolve(sidecar)
        return resolved[0] if resolved else None


def scan_corpus(corpus_dir: Path, limits: Limits | None = None) -> Scan:
    """List every supported file under `corpus_dir` with its content hash (file plus sidecar).

    Hidden files and folders (and folders starting with '_') are ignored; everything else that
    is not indexed is listed as skipped or failed with the reason."""
    return _Walker(corpus_dir, limits or Limits()).run()


__all__ = ["MB", "Scan", "id_problem", "printable", "scan_corpus"]
