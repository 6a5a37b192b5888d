"""Turning the bytes of each supported format into text segments.

Every loader takes the bytes already read (so the content hash and the text always describe the
same version of a file) and returns segments plus the file's own title. Problems that stop a file
from being indexed raise LoadError with a reason and a hint for the editor.

One module per format (text and Markdown, PDF, Word, HTML), each the only one to import its
parser; `common` holds what they share. This module picks the loader for a format.
"""

from __future__ import annotations

from typing import Any

from ingest.errors import LoadError
from ingest.loaders.common import Loaded, Loader, TextBudget, assemble, merge_body, too_long
from ingest.loaders.html import load_html
from ingest.loaders.pdf import load_pdf
from ingest.loaders.text import load_markdown, load_text, markdown_heading, plain_markdown
from ingest.loaders.word import load_docx
from ingest.types import Extracted

__all__ = [
    "Loaded",
    "assemble",
    "load_bytes",
    "markdown_heading",
    "merge_body",
    "plain_markdown",
    "too_long",
]

_LOADERS: dict[str, Loader] = {
    "markdown": load_markdown,
    "text": load_text,
    "pdf": load_pdf,
    "word": load_docx,
    "html": load_html,
}


def load_bytes(name: str, fmt: str, raw: bytes, max_chars: int | None = None) -> tuple[Extracted, dict[str, Any]]:
    """Return the cleaned text of a file of format `fmt` and its front matter (Markdown only).

    Raises LoadError naming `name` when the file yields no usable text, cannot be parsed, or its
    cleaned text would be over `max_chars` characters (None: no limit)."""
    if not raw.strip():
        raise LoadError(name, "the file is empty", "Add content or remove the file.")
    loaded = _LOADERS[fmt](name, raw, TextBudget(name, max_chars))
    extracted = assemble(loaded.segments, loaded.native_title, loaded.warnings, loaded.source)
    if max_chars is not None and len(extracted.text) > max_chars:
        raise too_long(name, max_chars)
    if not extracted.text.strip():
        raise LoadError(name, "no text found in the file", "Check that the file has content.")
    return extracted, loaded.front_matter
