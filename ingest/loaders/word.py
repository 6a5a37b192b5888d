"""Word (.docx) files: the archive checked before python-docx opens it, then the body's XML
walked directly for paragraphs, tables and heading levels."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from ingest.errors import LoadError, first_line
from ingest.loaders.common import Loaded, TextBudget, merge_body
from ingest.types import Segment

# python-docx holds every part (images included) in memory and parses every XML part whole, so a
# file unpacking to more than this is refused before it is opened. The sample corpus's Word files
# unpack to under 1 MB; this is far above any real document and well below what would exhaust the
# indexer's memory.
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


def load_docx(name: str, raw: bytes, budget: TextBudget) -> Loaded:
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
    return Loaded(merge_body(segments), native_title=title)


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
# Numbering on a paragraph: Word's bullets and numbered lists.
_W_NUMBERING = f"{_W}pPr/{_W}numPr"
_W_VAL = _W + "val"
_W_RUN_TEXT = frozenset(_W + t for t in ("br", "cr", "noBreakHyphen", "ptab", "t", "tab"))


def _docx_segments(document: Any, budget: TextBudget) -> list[Segment]:
    """The paragraphs and tables of the body of `document`, in order, with heading levels.

    The XML is walked directly: python-docx compiles two XPath queries for every paragraph and
    run it reads, which took 16 s on a file of 300,000 one-word paragraphs."""
    from docx.enum.style import WD_STYLE_TYPE

    segments: list[Segment] = []
    # Per paragraph style: its heading level, and whether it is a list style ("List Bullet").
    styles: dict[str | None, tuple[int | None, bool]] = {}
    for element in document.element.body:
        if element.tag == _W_TBL:
            segment = Segment(_docx_table_text(element))
        elif element.tag == _W_P:
            style = element.find(_W_STYLE_ID)
            style_id = style.get(_W_VAL) if style is not None else None
            if style_id not in styles:
                name = document.part.get_style(style_id, WD_STYLE_TYPE.PARAGRAPH).name or ""
                styles[style_id] = (_docx_heading_level(name), name.startswith("List"))
            level, list_style = styles[style_id]
            listed = level is None and (list_style or element.find(_W_NUMBERING) is not None)
            segment = Segment(_docx_paragraph_text(element), heading_level=level, list_item=listed)
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
