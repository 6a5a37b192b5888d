"""Reading a run's files into documents, each in its own guard, so one bad file never stops the others."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ingest.chunking import TokenCounter
from ingest.errors import LoadError, SettingError
from ingest.pipeline import read_document
from ingest.progress import Progress
from ingest.reading import HINT_UNEXPECTED, ReadInterrupted, shared_reader
from ingest.settings import Settings
from ingest.types import Document, Failure, SourceFile


@dataclass
class ReadResult:
    """The documents read, and a failure naming each file that could not be used."""

    documents: list[Document] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


def read_documents(
    sources: Sequence[SourceFile],
    settings: Settings,
    count_tokens: TokenCounter,
    max_tokens: int,
    progress: Progress | None = None,
) -> ReadResult:
    """Read, clean and chunk every file in `sources`, each in the shared reading process within
    `settings.limits`. A file that fails becomes a failure with its reason and hint, and the
    others go on; a read stopped for time or memory is marked to be tried again next run.

    Raises SettingError when a setting makes every file unreadable (the run cannot go on)."""
    reader = shared_reader(settings.limits.memory_bytes)
    result = ReadResult()
    for done, source in enumerate(sources, start=1):
        try:
            result.documents.append(
                read_document(
                    source,
                    count_tokens,
                    max_tokens,
                    settings.chunk_tokens,
                    settings.chunk_overlap,
                    read=lambda s: reader.read(s, settings.limits),
                )
            )
        except LoadError as exc:
            retry = isinstance(exc, ReadInterrupted)
            result.failures.append(Failure(source.doc_id, exc.reason, exc.hint, retry=retry))
        except SettingError:
            raise
        except Exception as exc:  # a fault while chunking one file must not stop the others
            reason = f"could not be prepared ({type(exc).__name__}: {exc})"
            result.failures.append(Failure(source.doc_id, reason, HINT_UNEXPECTED, retry=True))
        if progress:
            progress("reading", done, len(sources))
    return result
