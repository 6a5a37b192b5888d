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
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.errors import LoadError, first_line
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

# Clean-up can shrink extracted text (runs of spaces collapse, Markdown link targets go), so while a
# file is read it is stopped only once its raw text passes this multiple of the limit; the cleaned
# text is then checked against the limit itself. The multiple bounds memory at twice the limit.
EARLY_LIMIT_FACTOR = 2

# Word files: python-docx holds every part (images included) in memory and parses every XML part
# whole, so a file unpacking to more than this is refused before it is opened. The sample
# corpus's Word files unpack to under 1 MB; this is far above any real document and well below
# what would exhaust the indexer's memory.
MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024
# Parsed XML takes far more memory than its text when it is dense with tiny elements, and such
# filler packs far better than real content: the sample corpus's parts pack at most 32 to 1,
# 300,000 one-letter paragraphs (10 MB, which must still load) 340 to 1, a zip bomb about 1,030
# to 1. So a part is refused when it is both large and packs better than this.
MAX_DOCX_RATIO = 100
DOCX_RATIO_MIN_BYTES = 16 * 1024 * 1024
# A Word file has a few dozen parts; tens of thousands mean a damaged or hostile archive.
MAX_DOCX_MEMBERS = 10_000
# A DTD may only appear in an XML file's prolog; the prolog of a real part is under 100 bytes.
DOCX_PROLOG_BYTES = 64 * 1024

# An old-format Word (.doc) or password-protected Word file is an OLE compound file, not a zip.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Loaded:
    segments: list[Segment]
    native_title: str = ""
    front_matter: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


class _TextBudget:
    """Counts the characters a loader extracts and stops the file once it is clearly too long,
    before the whole text is built."""

    def __init__(self, name: str, max_chars: int | None) -> None:
        self.name = name
        self.max_chars = max_chars
        self.used = 0

    def add(self, chars: int) -> None:
        """Count `chars` more characters. Raises LoadError once the count passes
        EARLY_LIMIT_FACTOR times the limit."""
        self.used += chars
        if self.max_chars is not None and self.used > self.max_chars * EARLY_LIMIT_FACTOR:
            raise too_long(self.name, self.max_chars)


def too_long(name: str, max_chars: int) -> LoadError:
    """The error for a file whose text is over `max_chars` characters."""
    return LoadError(
        name,
        f"the text is over {max_chars:,} characters (the limit is HUB_MAX_TEXT_CHARS={max_chars})",
        f"Split the document into parts of under {max_chars:,} characters each, "
        "or ask the hub's administrator to raise HUB_MAX_TEXT_CHARS.",
    )


def load_bytes(name: str, fmt: str, raw: bytes, max_chars: int | None = None) -> tuple[Extracted, dict[str, Any]]:
    """Return the cleaned text of a file of format `fmt` and its front matter (Markdown only).

    Raises LoadError naming `name` when the file yields no usable text, cannot be parsed, or its
    cleaned text would be over `max_chars` characters (None: no limit)."""
    if not raw.strip():
        raise LoadError(name, "the file is empty", "Add content or remove the file.")
    loaded = _LOADERS[fmt](name, raw, _TextBudget(name, max_chars))
    extracted = assemble(loaded.segments, loaded.native_title, loaded.warnings)
    if max_chars is not None and len(extracted.text) > max_chars:
        raise too_long(name, max_chars)
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


# Byte order marks of the wide encodings, longest first: UTF-32 LE's begins with UTF-16 LE's.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_SNIFF_BYTES = 8192
# Unicode categories of what text never holds: control characters, unassigned and private-use code
# points, lone surrogates. Binary data read as UTF-16 lands on them about a quarter of the time.
_NOT_TEXT = frozenset({"Cc", "Cn", "Co", "Cs"})
_TEXT_CONTROLS = frozenset("\t\n\r\x0b\x0c")


def _decode(name: str, raw: bytes) -> tuple[str, list[str]]:
    """The text of a text, Markdown or HTML file, and warnings about how it was read.

    Reads UTF-8, UTF-16 and UTF-32 with a byte order mark, UTF-16 without one when the text is
    mostly ASCII, and anything else as Windows-1252. Raises LoadError for binary data."""
    encoding = next((enc for bom, enc in _WIDE_BOMS if raw.startswith(bom)), None) or _utf16_without_bom(raw)
    if encoding is None:
        if b"\x00" in raw[:_SNIFF_BYTES]:
            raise _binary(name)
        try:
            return raw.decode("utf-8-sig"), []
        except UnicodeDecodeError:
            return raw.decode("cp1252", errors="replace"), ["not UTF-8: read as Windows-1252"]
    warnings: list[str] = []
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        text = raw.decode(encoding, errors="replace")
        warnings.append(f"damaged {encoding.upper()} text: unreadable characters replaced")
    # Binary data can begin with bytes that look like a byte order mark.
    if _looks_binary(text[:_SNIFF_BYTES]):
        raise _binary(name)
    return text, warnings


def _looks_binary(sample: str) -> bool:
    """True when more than 1 in 20 characters of `sample` are ones text never holds (or any is NUL)."""
    if "\x00" in sample:
        return True
    odd = sum(
        1
        for char in sample
        if char == "\ufffd" or (unicodedata.category(char) in _NOT_TEXT and char not in _TEXT_CONTROLS)
    )
    return odd > len(sample) / 20


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when `raw` looks like mostly-ASCII UTF-16 without a byte order
    mark: nearly every other byte NUL and the bytes between them not. Otherwise None."""
    sample = raw[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    # Letters beyond Latin-1 (ā, ś, Chinese) have no NUL byte, and a few (Ā is 00 01) a NUL in
    # the other place, so the test is "mostly" on both sides.
    if odd_nuls >= pairs * 0.7 and even_nuls <= pairs * 0.05:
        return "utf-16-le"
    if even_nuls >= pairs * 0.7 and odd_nuls <= pairs * 0.05:
        return "utf-16-be"
    return None


def _binary(name: str) -> LoadError:
    return LoadError(name, "binary data in a text file", "The file may be mislabelled: check its extension.")


_MD_HEADING = re.compile(r"(#{1,6})\s+(.+)")
_FENCE = re.compile(r"^\s*(```|~~~)")
# A link target: "(" up to ")", allowing one pair of parentheses inside, as Wikipedia links have.
# No part can cross another "(", and the possessive quantifiers never give back what they took, so
# a line of thousands of unclosed "[a](" is scanned a bounded number of times: linear time.
_MD_TARGET = r"\([^()\n]*+(?:\([^()\n]*+\)[^()\n]*+)?\)"
# Inline Markdown syntax, replaced by the text it marks up: readers see words, not markup, and
# link targets (file names, URLs) do not match searches for the words they contain. Every pattern
# stops scanning at the next opening mark of its own kind (link text at "[", bold at "**"), so no
# start is scanned past the next start: the old patterns rescanned the rest of the line from every
# "[" or "**" and took minutes on one long line.
_MD_INLINE = [
    (re.compile(r"!\[([^\[\]\n]*+)\]" + _MD_TARGET), r"\1"),
    (re.compile(r"\[([^\[\]\n]++)\]" + _MD_TARGET), r"\1"),
    (re.compile(r"\*\*(?=\S)((?:[^*\n]|\*(?!\*))+?)(?<=\S)\*\*"), r"\1"),
    (re.compile(r"__(?=\S)((?:[^_\n]|_(?!_))+?)(?<=\S)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`\n]+)`"), r"\1"),
]


def plain_markdown(line: str) -> str:
    """`line` with links, images, emphasis and code spans replaced by their text."""
    for pattern, replacement in _MD_INLINE:
        line = pattern.sub(replacement, line)
    return line


def markdown_heading(line: str) -> tuple[int, str] | None:
    """(level, text) when `line` is an ATX heading such as "## Scope ##", else None.

    The closing run of '#' and the spaces around it are dropped with string methods: a regex that
    finds where the title ends retries at every character of a long run of spaces or '#'."""
    match = _MD_HEADING.match(line)
    if match is None:
        return None
    rest = match.group(2)
    title = rest.rstrip().rstrip("#").rstrip() or rest[:1]
    return len(match.group(1)), title


def load_markdown(name: str, raw: bytes, budget: _TextBudget) -> Loaded:
    text, warnings = _decode(name, raw)
    budget.add(len(text))
    front, body, problem = split_front_matter(text)
    if problem:
        warnings.append(problem)
    segments: list[Segment] = []
    block: list[str] = []
    in_fence = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else markdown_heading(line)
        if heading:
            segments.append(Segment("\n".join(block)))
            block = []
            segments.append(Segment(plain_markdown(heading[1]), heading_level=heading[0]))
        else:
            block.append(line if in_fence else plain_markdown(line))
    segments.append(Segment("\n".join(block)))
    return Loaded(segments, front_matter=front, warnings=warnings)


def load_text(name: str, raw: bytes, budget: _TextBudget) -> Loaded:
    text, warnings = _decode(name, raw)
    budget.add(len(text))
    return Loaded([Segment(text)], warnings=warnings)


def load_pdf(name: str, raw: bytes, budget: _TextBudget) -> Loaded:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    if b"%PDF-" not in raw[:1024]:
        raise LoadError(
            name,
            "not a readable PDF (no %PDF header): the file is damaged or not a PDF",
            "Re-export or download the original again.",
        )
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
    except DependencyError as exc:  # pypdf checks the empty password of an encrypted file on opening
        raise _pdf_locked(name, exc) from None
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(name, f"the PDF could not be parsed ({exc})", "Re-export the PDF.") from None
    if reader.is_encrypted:
        _unlock_pdf(name, reader)
    try:
        pages = list(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(name, f"the PDF could not be parsed ({exc})", "Re-export the PDF.") from None
    segments: list[Segment] = []
    warnings: list[str] = []
    first_problem = ""
    for number, page in enumerate(pages, start=1):
        problems = _PDF_PROBLEMS.capture()
        try:
            text = page.extract_text() or ""
        except DependencyError as exc:  # the streams of an AES-encrypted file need cryptography
            raise _pdf_locked(name, exc) from None
        except Exception as exc:  # pypdf raises many types on a damaged page; one page must not stop the file
            problems.append(f"{type(exc).__name__}: {exc}")
            text = ""
        if problems and not text.strip():
            warnings.append(f"page {number} could not be read ({problems[0]})")
            first_problem = first_problem or problems[0]
        budget.add(len(text))
        segments.append(Segment(text, page=number))
    chars = sum(len(s.text.strip()) for s in segments)
    if chars < MIN_CHARS_PER_PAGE:
        if reader.is_encrypted and first_problem:
            # Pages of an encrypted file that fail to decode are a decryption failure, not a scan.
            raise _pdf_locked(name, first_problem)
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


def _unlock_pdf(name: str, reader: Any) -> None:
    """Open an encrypted PDF whose user password is empty (an owner password only restricts
    printing or copying). Raises LoadError when it needs a password or cannot be decrypted."""
    try:
        unlocked = reader.decrypt("")
    except Exception as exc:  # DependencyError, NotImplementedError for unknown handlers, damaged keys
        raise _pdf_locked(name, exc) from None
    if not unlocked:
        raise LoadError(name, "the PDF is encrypted with a password", "Ask the owner for an unprotected copy.")


def _pdf_locked(name: str, cause: BaseException | str) -> LoadError:
    detail = first_line(cause, type(cause).__name__) if isinstance(cause, BaseException) else cause
    return LoadError(
        name,
        f"the PDF is encrypted and cannot be opened ({detail})",
        "Ask the owner for an unprotected copy; if the message names a missing package, "
        "install the hub's requirements.txt again.",
    )


def load_docx(name: str, raw: bytes, budget: _TextBudget) -> Loaded:
    import docx

    _check_docx_archive(name, raw)
    try:
        document = docx.Document(io.BytesIO(raw))
        segments = _docx_segments(document, budget)
        title = document.core_properties.title or ""
    except LoadError:
        raise
    except Exception as exc:  # python-docx and lxml raise many types on a damaged file; none is specific
        raise _not_docx(name, first_line(exc, type(exc).__name__)) from None
    return Loaded(_merge_body(segments), native_title=title)


def _not_docx(name: str, detail: str) -> LoadError:
    return LoadError(name, f"not a valid Word (.docx) file ({detail})", "Open it in Word and save it again as .docx.")


def _check_docx_archive(name: str, raw: bytes) -> None:
    """Look inside the zip before python-docx unpacks it. Raises LoadError for an archive that
    unpacks too large, packs absurdly well (a zip bomb), has too many parts, or holds XML with a
    DTD, which Word never writes and which is the vehicle of entity attacks."""
    if raw.startswith(_OLE_MAGIC):
        raise LoadError(
            name,
            "not a valid Word (.docx) file: an old Word (.doc) file or a password-protected one",
            "Open it in Word and save it as .docx without a password.",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            if len(members) > MAX_DOCX_MEMBERS:
                raise _not_docx(name, f"{len(members):,} parts, over the limit of {MAX_DOCX_MEMBERS:,}")
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_DOCX_UNPACKED_BYTES:
                raise LoadError(
                    name,
                    f"unpacks to {unpacked / 2**20:,.0f} MB, over the {MAX_DOCX_UNPACKED_BYTES // 2**20} MB limit: "
                    "probably damaged or a zip bomb",
                    "Open it in Word and save it again; move large images or media out of the document.",
                )
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > DOCX_RATIO_MIN_BYTES and ratio > MAX_DOCX_RATIO:
                    raise LoadError(
                        name,
                        f"the part {member.filename} packs {ratio:,.0f} to 1 ({member.file_size / 2**20:,.0f} MB "
                        "unpacked), far beyond any real document: probably damaged or a zip bomb",
                        "Open it in Word and save it again.",
                    )
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels")) and _declares_dtd(archive, member):
                    raise _not_docx(name, f"the part {member.filename} declares a DTD or entities")
    except LoadError:
        raise
    except Exception as exc:  # zipfile raises BadZipFile, zlib.error, NotImplementedError, RuntimeError, ...
        raise _not_docx(name, first_line(exc, type(exc).__name__)) from None


def _declares_dtd(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """True when the prolog of the XML part `member` holds a DOCTYPE or ENTITY declaration."""
    with archive.open(member) as stream:
        head = stream.read(DOCX_PROLOG_BYTES)
    return any(
        marker.encode(encoding) in head
        for marker in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    )


# WordprocessingML element names in lxml's {namespace}name form, for walking the XML directly.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_P, _W_TBL, _W_TR, _W_TC, _W_R, _W_HYPERLINK = (_W + t for t in ("p", "tbl", "tr", "tc", "r", "hyperlink"))
_W_STYLE_ID = f"{_W}pPr/{_W}pStyle"
_W_VAL = _W + "val"
_W_RUN_TEXT = frozenset(_W + t for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))


def _docx_segments(document: Any, budget: _TextBudget) -> list[Segment]:
    """The paragraphs and tables of the body of `document`, in order, with heading levels.

    The XML is walked directly: python-docx compiles two XPath queries for every paragraph and
    run it reads, which took 16 s on a file of 300,000 one-word paragraphs."""
    from docx.enum.style import WD_STYLE_TYPE

    segments: list[Segment] = []
    levels: dict[str | None, int | None] = {}
    for element in document.element.body:
        if element.tag == _W_TBL:
            segment = Segment(_docx_table_text(element))
        elif element.tag == _W_P:
            style = element.find(_W_STYLE_ID)
            style_id = style.get(_W_VAL) if style is not None else None
            if style_id not in levels:
                name = document.part.get_style(style_id, WD_STYLE_TYPE.PARAGRAPH).name
                levels[style_id] = _docx_heading_level(name or "")
            segment = Segment(_docx_paragraph_text(element), heading_level=levels[style_id])
        else:
            continue
        budget.add(len(segment.text))
        segments.append(segment)
    return segments


def _docx_paragraph_text(paragraph: Any) -> str:
    """The text of a <w:p> element, as python-docx's Paragraph.text gives it: the runs directly
    inside it and inside its hyperlinks, with tabs, breaks and no-break hyphens as characters."""
    parts: list[str] = []
    for child in paragraph:
        if child.tag == _W_R:
            runs = [child]
        elif child.tag == _W_HYPERLINK:
            runs = [r for r in child if r.tag == _W_R]
        else:
            continue
        for run in runs:
            # python-docx's element classes give each part's text: "\t" for a tab, "\n" for a break.
            parts.extend(str(part) for part in run if part.tag in _W_RUN_TEXT)
    return "".join(parts)


def _docx_table_text(table: Any) -> str:
    """One line per row of a <w:tbl> element, the cells' text joined by " | ", each cell once.

    python-docx's row.cells repeats a cell for every grid column it spans and every row it is
    merged down, so a cell declaring a span of a billion columns would be repeated a billion
    times; the cells are read from the XML instead, and the rows below a merge are left out."""
    rows = []
    for tr in table.iterchildren(_W_TR):
        cells = [
            "\n".join(_docx_paragraph_text(p) for p in tc.iterchildren(_W_P)).strip()
            for tc in tr.iterchildren(_W_TC)
            if tc.vMerge != "continue"
        ]
        rows.append(" | ".join(cells))
    return "\n".join(rows)


def _docx_heading_level(style: str) -> int | None:
    if style == "Title":
        return 1
    match = re.fullmatch(r"Heading (\d)", style)
    return int(match.group(1)) if match else None


def _merge_body(segments: list[Segment]) -> list[Segment]:
    """Join runs of body paragraphs on the same page into one block so chunks do not break at
    every paragraph. Each run is joined once: adding to a string per paragraph copies the block
    every time and took minutes on a file of 300,000 paragraphs."""
    merged: list[Segment] = []
    run: list[Segment] = []

    def close_run() -> None:
        if len(run) == 1:
            merged.append(run[0])
        elif run:
            merged.append(Segment("\n\n".join(s.text for s in run), page=run[0].page))
        run.clear()

    for segment in segments:
        if segment.heading_level is not None:
            close_run()
            merged.append(segment)
        else:
            if run and run[-1].page != segment.page:
                close_run()
            run.append(segment)
    close_run()
    return merged


_DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg", "iframe"]
_BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "tr", "dt", "dd", "figcaption"]


def load_html(name: str, raw: bytes, budget: _TextBudget) -> Loaded:
    from bs4 import BeautifulSoup

    text, warnings = _decode(name, raw)
    # lxml's HTML parser never loads a DTD or external entities; huge_tree stays off so libxml2's
    # limits on text node size apply.
    soup = BeautifulSoup(text, "lxml", huge_tree=False)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    segments: list[Segment] = []
    for element in _outer_blocks(root):
        if element.name == "tr":
            cells = [c.get_text(" ", strip=True) for c in element.find_all(["td", "th"])]
            segment = Segment(" | ".join(cells))
        elif element.name[0] == "h" and element.name[1:].isdigit():
            segment = Segment(element.get_text(" ", strip=True), heading_level=int(element.name[1]))
        else:
            segment = Segment(element.get_text(" ", strip=True))
        budget.add(len(segment.text))
        segments.append(segment)
    if not segments:
        segments.append(Segment(root.get_text("\n", strip=True)))
    return Loaded(_merge_body(segments), native_title=title, warnings=warnings)


def _outer_blocks(root: Any) -> Iterator[Any]:
    """The block elements under `root` that are not inside another block, in document order.

    Walks the tree once with an explicit stack: asking each block for a block ancestor costs the
    depth of the tree per block, and recursion would fail on a page nested 100,000 deep."""
    from bs4 import Tag

    block_names = set(_BLOCK_TAGS)
    stack = [iter(root.children)]
    while stack:
        for child in stack[-1]:
            if isinstance(child, Tag):
                if child.name in block_names:
                    yield child
                else:
                    stack.append(iter(child.children))
                    break
        else:
            stack.pop()


_LOADERS: dict[str, Callable[[str, bytes, _TextBudget], Loaded]] = {
    "markdown": load_markdown,
    "text": load_text,
    "pdf": load_pdf,
    "word": load_docx,
    "html": load_html,
}
