"""Turning the bytes of each supported format into text segments.

Every loader takes the bytes already read (so the content hash and the text always describe the
same version of a file) and returns segments plus the file's own title. Problems that stop a file
from being indexed raise LoadError with a reason and a hint for the editor.
"""

from __future__ import annotations

import io
import logging
import re
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.errors import LoadError
from ingest.metadata import split_front_matter
from ingest.normalise import normalise
from ingest.types import Extracted, Heading, Segment


class _PdfProblems(logging.Handler):
    """Collects what pypdf logs while a page is read. pypdf reports a damaged page by logging
    and returning no text, so its log is the only way to learn why a page came out empty."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        messages = getattr(self.local, "messages", None)
        if messages is not None:
            messages.append(record.getMessage())

    def capture(self) -> list[str]:
        messages: list[str] = []
        self.local.messages = messages
        return messages


_PDF_PROBLEMS = _PdfProblems()
_pypdf_logger = logging.getLogger("pypdf")
_pypdf_logger.addHandler(_PDF_PROBLEMS)
# Kept out of the application's log: the run report says what matters.
_pypdf_logger.propagate = False

# Below this many characters a PDF page is treated as an image with no text layer.
MIN_CHARS_PER_PAGE = 40


@dataclass
class Loaded:
    segments: list[Segment]
    native_title: str = ""
    front_matter: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load_bytes(name: str, fmt: str, raw: bytes) -> tuple[Extracted, dict[str, Any]]:
    """Return the cleaned text of a file of format `fmt` and its front matter (Markdown only).

    Raises LoadError naming `name` when the file yields no usable text."""
    if not raw.strip():
        raise LoadError(name, "the file is empty", "Add content or remove the file.")
    loaded = _LOADERS[fmt](name, raw)
    extracted = assemble(loaded.segments, loaded.native_title, loaded.warnings)
    if not extracted.text.strip():
        raise LoadError(name, "no text found in the file", "Check that the file has content.")
    return extracted, loaded.front_matter


def assemble(segments: list[Segment], native_title: str = "", warnings: list[str] | None = None) -> Extracted:
    """Normalise each segment and join them, recording where pages and headings start."""
    parts: list[str] = []
    pages: list[tuple[int, int]] = []
    headings: list[Heading] = []
    offset = 0
    for segment in segments:
        text = normalise(segment.text)
        if segment.page is not None:
            pages.append((segment.page, offset))
        if not text:
            continue
        if segment.heading_level is not None:
            headings.append(Heading(segment.heading_level, " ".join(text.split()), offset))
        parts.append(text)
        offset += len(text) + 2
    return Extracted(
        text="\n\n".join(parts),
        page_starts=tuple(pages),
        headings=tuple(headings),
        native_title=" ".join(normalise(native_title).split()),
        warnings=tuple(warnings or ()),
    )


def _decode(name: str, raw: bytes) -> tuple[str, list[str]]:
    if b"\x00" in raw[:8192]:
        raise LoadError(name, "binary data in a text file", "The file may be mislabelled: check its extension.")
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]


_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
# Inline Markdown syntax, replaced by the text it marks up: readers see words, not markup, and
# link targets (file names, URLs) do not match searches for the words they contain.
_MD_INLINE = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=\S)(.+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
]


def plain_markdown(line: str) -> str:
    """`line` with links, images, emphasis and code spans replaced by their text."""
    for pattern, replacement in _MD_INLINE:
        line = pattern.sub(replacement, line)
    return line


def load_markdown(name: str, raw: bytes) -> Loaded:
    text, warnings = _decode(name, raw)
    front, body, problem = split_front_matter(text)
    if problem:
        warnings.append(problem)
    segments: list[Segment] = []
    block: list[str] = []
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _MD_HEADING.match(line)
        if match:
            segments.append(Segment("\n".join(block)))
            block = []
            segments.append(Segment(plain_markdown(match.group(2)), heading_level=len(match.group(1))))
        else:
            block.append(line if in_fence else plain_markdown(line))
    segments.append(Segment("\n".join(block)))
    return Loaded(segments, front_matter=front, warnings=warnings)


def load_text(name: str, raw: bytes) -> Loaded:
    text, warnings = _decode(name, raw)
    return Loaded([Segment(text)], warnings=warnings)


def load_pdf(name: str, raw: bytes) -> Loaded:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if b"%PDF-" not in raw[:1024]:
        raise LoadError(
            name,
            "not a readable PDF (no %PDF header): the file is damaged or not a PDF",
            "Re-export or download the original again.",
        )
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise LoadError(name, "the PDF is encrypted with a password", "Ask the owner for an unprotected copy.")
        pages = list(reader.pages)
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(name, f"the PDF could not be parsed ({exc})", "Re-export the PDF.") from None
    segments: list[Segment] = []
    warnings: list[str] = []
    for number, page in enumerate(pages, start=1):
        problems = _PDF_PROBLEMS.capture()
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # pypdf raises many types on a damaged page; one page must not stop the file
            problems.append(f"{type(exc).__name__}: {exc}")
            text = ""
        if problems and not text.strip():
            warnings.append(f"page {number} could not be read ({problems[0]})")
        segments.append(Segment(text, page=number))
    chars = sum(len(s.text.strip()) for s in segments)
    if chars < MIN_CHARS_PER_PAGE:
        raise LoadError(
            name,
            f"no text layer: probably a scanned document ({len(pages)} pages, {chars} characters of text)",
            "Run OCR on the file or supply a version with selectable text.",
        )
    if pages and chars / len(pages) < MIN_CHARS_PER_PAGE * 2:
        warnings.append(f"very little text ({chars} characters over {len(pages)} pages): probably scanned")
    title = ""
    try:
        title = str(reader.metadata.title) if reader.metadata and reader.metadata.title else ""
    except Exception:  # damaged info dictionaries are common and the title is optional
        title = ""
    return Loaded(segments, native_title=title, warnings=warnings)


def load_docx(name: str, raw: bytes) -> Loaded:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(name, f"not a valid Word (.docx) file ({exc})", "Save it again as .docx.") from None
    segments: list[Segment] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in item.rows]
            segments.append(Segment("\n".join(rows)))
            continue
        level = _docx_heading_level(item.style.name if item.style is not None else "")
        segments.append(Segment(item.text, heading_level=level))
    title = document.core_properties.title or ""
    return Loaded(_merge_body(segments), native_title=title)


def _docx_heading_level(style: str) -> int | None:
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else None


def _merge_body(segments: list[Segment]) -> list[Segment]:
    """Join runs of body paragraphs into one block so chunks do not break at every paragraph."""
    merged: list[Segment] = []
    for segment in segments:
        if (
            merged
            and segment.heading_level is None
            and merged[-1].heading_level is None
            and merged[-1].page == segment.page
        ):
            merged[-1] = Segment(merged[-1].text + "\n\n" + segment.text, page=segment.page)
        else:
            merged.append(segment)
    return merged


_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg", "iframe"]
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "tr", "dt", "dd", "figcaption"]


def load_html(name: str, raw: bytes) -> Loaded:
    from bs4 import BeautifulSoup, Tag

    text, warnings = _decode(name, raw)
    soup = BeautifulSoup(text, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    segments: list[Segment] = []
    for element in root.find_all(_BLOCK_TAGS):
        if not isinstance(element, Tag) or element.find_parent(_BLOCK_TAGS) is not None:
            continue
        if element.name == "tr":
            cells = [c.get_text(" ", strip=True) for c in element.find_all(["td", "th"])]
            segments.append(Segment(" | ".join(cells)))
        elif element.name[0] == "h" and element.name[1:].isdigit():
            segments.append(Segment(element.get_text(" ", strip=True), heading_level=int(element.name[1])))
        else:
            segments.append(Segment(element.get_text(" ", strip=True)))
    if not segments:
        segments.append(Segment(root.get_text("\n", strip=True)))
    return Loaded(_merge_body(segments), native_title=title, warnings=warnings)


_LOADERS: dict[str, Callable[[str, bytes], Loaded]] = {
    "markdown": load_markdown,
    "text": load_text,
    "pdf": load_pdf,
    "word": load_docx,
    "html": load_html,
}
