"""Files built to crash, hang or exhaust the parsers: each ends as a LoadError an editor can act on,
or loads with the right text. Every input is generated here; none asserts a time."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ingest.errors import LoadError
from ingest.loaders import load_bytes, markdown_heading, merge_body, plain_markdown
from ingest.loaders import word as word_loader
from ingest.types import Segment
from tests.helpers import make_docx, make_pdf

# About 200 KB: long enough that a pattern scanning the rest of the line from every opening mark
# would take hours, so a run that finishes shows the pattern is linear.
LONG = 200_000
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def repeat(unit: str, size: int = LONG) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def docx_with_body(body: str, prolog: str = "", extra: dict[str, bytes] | None = None) -> bytes:
    """A Word file whose document body is the WordprocessingML `body`, with `prolog` (a DOCTYPE,
    say) before the root element and `extra` parts added to the zip."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    ).encode()
    return rezip(make_docx([("Normal", "placeholder")]), {"word/document.xml": xml, **(extra or {})})


def rezip(docx: bytes, changes: dict[str, bytes | None]) -> bytes:
    """`docx` with each part named in `changes` replaced by its bytes, or left out for None; names
    not in the archive are added."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = changes.get(item.filename, source.read(item.filename))
            if data is not None:
                target.writestr(item.filename, data)
        for name, data in changes.items():
            if data is not None and name not in source.namelist():
                target.writestr(name, data)
    return out.getvalue()


def declare_unpacked_size(docx: bytes, part: str, size: int) -> bytes:
    """`docx` with the size `part` claims to unpack to set to `size` in the zip's directory,
    which is where the unpacked sizes are read from, without writing that much data."""
    raw = bytearray(docx)
    name = part.encode()
    at = raw.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46 : at + 46 + name_length] == name:
            struct.pack_into("<I", raw, at + 24, size)
            return bytes(raw)
        at = raw.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"{part} is not in the archive")


def paragraphs(*texts: str) -> str:
    return "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in texts)


def load_reason(name: str, fmt: str, raw: bytes, max_chars: int | None = None) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_bytes(name, fmt, raw, max_chars)
    assert caught.value.path == name
    assert caught.value.hint
    return caught.value


# ---- Markdown: one long line of each pattern that used to backtrack ----------------------------


@pytest.mark.parametrize("unit", ["[a ", "![a ", "[a](", "[a](b ", "[", "](", "**a ", "__a ", "*a ", "_a ", "`"])
def test_long_line_of_unclosed_markup_is_kept_as_written(unit: str) -> None:
    line = repeat(unit)
    assert plain_markdown(line) == line


def test_long_line_of_links_keeps_only_their_text() -> None:
    assert plain_markdown("[word](target.md) " * 20_000) == "word " * 20_000


def test_long_line_of_bold_and_emphasis_keeps_the_words() -> None:
    line = "**bold** __also__ *em* _em_ `code` " * 6_000
    assert plain_markdown(line) == "bold also em em code " * 6_000


def test_bold_closed_after_a_long_stretch_of_single_stars_is_still_bold() -> None:
    inner = repeat("a*b ", LONG).strip()
    assert plain_markdown(f"**{inner}**") == inner


def test_markdown_file_of_pathological_lines_loads_with_the_text_after_them() -> None:
    raw = (repeat("[a ") + "\n\n" + repeat("**a ") + "\n\nThe real paragraph [with a link](x.md).\n").encode()
    extracted, _ = load_bytes("slow.md", "markdown", raw)
    assert extracted.text.endswith("The real paragraph with a link.")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("# a" + " " * LONG + "x", (1, "a" + " " * LONG + "x")),
        ("## Title " + "#" * LONG, (2, "Title")),
        ("# Title" + " #" * (LONG // 2), (1, "Title" + " #" * (LONG // 2 - 1))),
        ("### " + "#" * LONG + " end", (3, "#" * LONG + " end")),
    ],
    ids=["spaces inside", "closing hashes", "spaced hashes", "hashes in the title"],
)
def test_heading_with_a_long_run_of_spaces_or_hashes_is_read(line: str, expected: tuple[int, str]) -> None:
    assert markdown_heading(line) == expected


def test_markdown_heading_with_a_long_run_of_spaces_becomes_one_heading() -> None:
    extracted, _ = load_bytes("h.md", "markdown", ("# Scope" + " " * LONG + "and aims\n\nBody.").encode())
    assert [h.title for h in extracted.headings] == ["Scope and aims"]


# ---- many tiny paragraphs ---------------------------------------------------------------------


def test_merging_keeps_every_paragraph_in_order_and_breaks_at_headings_and_pages() -> None:
    segments = [Segment(f"p{i}", page=1) for i in range(3)]
    segments += [Segment("Head", page=1, heading_level=2), Segment("p3", page=1), Segment("p4", page=2)]
    assert merge_body(segments) == [
        Segment("p0\n\np1\n\np2", page=1),
        Segment("Head", page=1, heading_level=2),
        Segment("p3", page=1),
        Segment("p4", page=2),
    ]


def test_word_file_of_many_tiny_paragraphs_keeps_them_all() -> None:
    raw = docx_with_body(paragraphs("Start") + paragraphs(*(f"w{i}" for i in range(20_000))))
    extracted, _ = load_bytes("flood.docx", "word", raw)
    words = extracted.text.split()
    assert words[0] == "Start"
    assert words[1:] == [f"w{i}" for i in range(20_000)]


def test_html_page_of_many_tiny_paragraphs_keeps_them_all() -> None:
    raw = ("<html><body>" + "".join(f"<p>w{i}</p>" for i in range(20_000)) + "</body></html>").encode()
    extracted, _ = load_bytes("flood.html", "html", raw)
    assert extracted.text.split() == [f"w{i}" for i in range(20_000)]


def test_html_nested_thousands_deep_is_read_without_recursion() -> None:
    raw = ("<html><body>" + "<div>" * 5_000 + "<p>Deep text.</p>" + "</div>" * 5_000 + "</body></html>").encode()
    extracted, _ = load_bytes("deep.html", "html", raw)
    assert extracted.text == "Deep text."


def test_html_blocks_inside_blocks_are_read_once_in_order() -> None:
    raw = b"<main><div><p>One <span>two</span></p><ul><li>Three<p>four</p></li></ul></div><h2>Five</h2></main>"
    extracted, _ = load_bytes("nest.html", "html", raw)
    assert extracted.text == "One two\n\nThree four\n\nFive"
    assert [h.title for h in extracted.headings] == ["Five"]


# ---- Word files that attack the unpacker or the XML parser -----------------------------------


def test_word_file_that_unpacks_past_the_limit_is_refused_as_a_zip_bomb() -> None:
    raw = declare_unpacked_size(make_docx([("Normal", "text")]), "word/document.xml", 2_100 * 2**20)
    error = load_reason("bomb.docx", "word", raw)
    # The other parts add a few kilobytes to the 2,100 MB declared.
    assert re.fullmatch(r"unpacks to 2,10[01] MB, over the 200 MB limit: probably damaged or a zip bomb", error.reason)


def test_word_part_that_packs_like_a_zip_bomb_is_refused() -> None:
    raw = rezip(make_docx([("Normal", "text")]), {"word/filler.xml": bytes(20 * 2**20)})
    error = load_reason("filler.docx", "word", raw)
    assert "word/filler.xml packs" in error.reason
    assert "zip bomb" in error.reason


def test_word_file_with_too_many_parts_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_loader, "MAX_DOCX_MEMBERS", 30)
    raw = rezip(make_docx([("Normal", "text")]), {f"extra/{i}.xml": b"<x/>" for i in range(30)})
    assert "parts, over the limit of 30" in load_reason("parts.docx", "word", raw).reason


def test_word_file_with_malformed_xml_is_reported_not_raised() -> None:
    raw = rezip(make_docx([("Normal", "text")]), {"word/document.xml": b"<w:document><w:body><w:p>unclosed"})
    assert load_reason("bad.docx", "word", raw).reason.startswith("not a valid Word (.docx) file (")


def test_word_file_without_its_document_part_is_reported() -> None:
    raw = rezip(make_docx([("Normal", "text")]), {"word/document.xml": None})
    assert load_reason("hollow.docx", "word", raw).reason.startswith("not a valid Word (.docx) file (")


def test_old_or_password_protected_word_file_is_named_as_such() -> None:
    raw = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2_000)
    error = load_reason("old.docx", "word", raw)
    assert "old Word (.doc) file or a password-protected one" in error.reason
    assert "without a password" in error.hint


def test_word_file_nested_past_the_parser_depth_limit_is_reported() -> None:
    raw = docx_with_body(paragraphs("ok") + "<w:sdt>" * 5_000 + "</w:sdt>" * 5_000)
    assert "not a valid Word (.docx) file" in load_reason("deep.docx", "word", raw).reason


def _external_entity_docx(tmp_path: Path) -> bytes:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FROM-DISK-4242", encoding="utf-8")
    prolog = f'<!DOCTYPE w:document [<!ENTITY leak SYSTEM "file://{secret}">]>'
    return docx_with_body(paragraphs("before &leak; after", "Plain text."), prolog=prolog)


def test_word_file_declaring_an_external_entity_is_refused(tmp_path: Path) -> None:
    error = load_reason("xxe.docx", "word", _external_entity_docx(tmp_path))
    assert error.reason == "not a valid Word (.docx) file (the part word/document.xml declares a DTD or entities)"
    assert "SECRET" not in error.reason


def test_word_parser_never_reads_an_external_entity_even_past_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(word_loader, "_check_docx_archive", lambda name, raw: None)
    try:
        extracted, _ = load_bytes("xxe.docx", "word", _external_entity_docx(tmp_path))
    except LoadError as error:
        assert "SECRET" not in error.reason
    else:
        assert "SECRET" not in extracted.text
        assert "Plain text." in extracted.text


def test_word_parser_never_expands_an_entity_bomb_even_past_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_loader, "_check_docx_archive", lambda name, raw: None)
    levels = ['<!ENTITY e0 "laugh">'] + [f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10)]
    raw = docx_with_body(paragraphs("&e9;", "Plain text."), prolog=f"<!DOCTYPE w:document [{''.join(levels)}]>")
    try:
        extracted, _ = load_bytes("laughs.docx", "word", raw)
    except LoadError as error:
        assert error.reason.startswith("not a valid Word (.docx) file")
    else:
        assert "laugh" not in extracted.text


def test_word_table_cell_spanning_a_billion_columns_is_read_once() -> None:
    table = (
        "<w:tbl><w:tr>"
        '<w:tc><w:tcPr><w:gridSpan w:val="1000000000"/><w:vMerge w:val="restart"/></w:tcPr>'
        f"{paragraphs('Wide')}</w:tc><w:tc>{paragraphs('Right')}</w:tc>"
        "</w:tr><w:tr>"
        f"<w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc>{paragraphs('Below')}</w:tc>"
        "</w:tr></w:tbl>"
    )
    extracted, _ = load_bytes("table.docx", "word", docx_with_body(table + paragraphs("After.")))
    assert extracted.text == "Wide | Right\nBelow\n\nAfter."


def test_word_paragraph_text_keeps_tabs_breaks_and_hyperlinks() -> None:
    body = (
        "<w:p><w:r><w:t>Tab</w:t><w:tab/><w:t>then</w:t><w:br/><w:t>break</w:t></w:r>"
        '<w:hyperlink><w:r><w:t xml:space="preserve"> and link</w:t></w:r></w:hyperlink></w:p>'
    )
    extracted, _ = load_bytes("runs.docx", "word", docx_with_body(body))
    assert extracted.text == "Tab then\nbreak and link"


# ---- HTML --------------------------------------------------------------------------------------


def test_html_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FROM-DISK-4242", encoding="utf-8")
    raw = (
        f'<!DOCTYPE html [<!ENTITY leak SYSTEM "file://{secret}">]>'
        "<html><body><p>Visible &leak; text.</p></body></html>"
    ).encode()
    extracted, _ = load_bytes("xxe.html", "html", raw)
    assert "SECRET" not in extracted.text
    assert "Visible" in extracted.text


# ---- the text limit ----------------------------------------------------------------------------


def test_text_over_the_limit_is_refused_naming_the_setting() -> None:
    error = load_reason("long.txt", "text", b"word " * 1_000, max_chars=1_000)
    assert error.reason == "the text is over 1,000 characters (the limit is HUB_MAX_TEXT_CHARS=1000)"
    assert error.hint.startswith("Split the document into parts")


def test_text_at_the_limit_loads() -> None:
    extracted, _ = load_bytes("exact.txt", "text", b"x" * 1_000, max_chars=1_000)
    assert len(extracted.text) == 1_000


def test_text_that_clean_up_brings_under_the_limit_loads() -> None:
    raw = b"word" + b" " * 1_500 + b"end"
    extracted, _ = load_bytes("spaces.txt", "text", raw, max_chars=1_000)
    assert extracted.text == "word end"


@pytest.mark.parametrize(
    ("name", "fmt", "raw"),
    [
        ("long.md", "markdown", ("# Title\n\n" + "Many words here. " * 200).encode()),
        ("long.html", "html", ("<p>" + "Many words here. " * 200 + "</p>").encode()),
        ("long.docx", "word", make_docx([("Normal", "Many words here. " * 200)])),
        ("long.pdf", "pdf", make_pdf(["Many words here. " * 200])),
    ],
    ids=["markdown", "html", "word", "pdf"],
)
def test_every_format_over_the_limit_is_refused(name: str, fmt: str, raw: bytes) -> None:
    assert load_reason(name, fmt, raw, max_chars=1_000).reason.startswith("the text is over 1,000 characters")


def test_pdf_over_the_limit_stops_before_reading_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PageObject

    read: list[int] = []
    original = PageObject.extract_text

    def counting(self: Any, *args: Any, **kwargs: Any) -> Any:
        read.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PageObject, "extract_text", counting)
    raw = make_pdf(["Page of words. " * 40] * 10)
    load_reason("pages.pdf", "pdf", raw, max_chars=500)
    assert len(read) < 10


def test_word_file_over_the_limit_stops_before_reading_every_paragraph(monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[int] = []
    original = word_loader._docx_paragraph_text

    def counting(paragraph: object) -> str:
        read.append(1)
        return original(paragraph)

    monkeypatch.setattr(word_loader, "_docx_paragraph_text", counting)
    raw = docx_with_body(paragraphs(*["Some words in a paragraph."] * 1_000))
    load_reason("many.docx", "word", raw, max_chars=500)
    assert len(read) < 100
