"""Every supported format, and every kind of bad file, through the loaders and the pipeline."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.errors import LoadError
from ingest.loaders import load_bytes
from ingest.pipeline import read_document, scan_corpus
from ingest.types import SourceFile
from tests.helpers import encrypt_pdf, make_docx, make_image_only_pdf, make_pdf

LONG = " ".join(["Agencies must record how each AI tool was assessed before use."] * 3)


def test_markdown_keeps_front_matter_and_heading_structure() -> None:
    raw = (
        b"---\ntitle: Guide\nkind: guidance\n---\n# Guide\n\nIntro.\n\n## Scope\n\nScope text.\n\n### Detail\n\nMore.\n"
    )
    extracted, front = load_bytes("guide.md", "markdown", raw)
    assert front == {"title": "Guide", "kind": "guidance"}
    assert [(h.level, h.title) for h in extracted.headings] == [(1, "Guide"), (2, "Scope"), (3, "Detail")]
    assert "title: Guide" not in extracted.text
    assert extracted.text.startswith("Guide")


def test_markdown_heading_inside_code_fence_is_not_a_heading() -> None:
    raw = b"# Real\n\n```\n# not a heading\n```\n"
    extracted, _ = load_bytes("a.md", "markdown", raw)
    assert [h.title for h in extracted.headings] == ["Real"]


def test_pdf_text_is_read_per_page_with_page_numbers() -> None:
    raw = make_pdf(["First page about Māori data. " + LONG, "Second page about procurement. " + LONG], "PDF title")
    extracted, _ = load_bytes("a.pdf", "pdf", raw)
    assert [page for page, _ in extracted.page_starts] == [1, 2]
    second_start = extracted.page_starts[1][1]
    assert extracted.text[second_start:].startswith("Second page")
    assert "Māori" in extracted.text
    assert extracted.native_title == "PDF title"


def test_word_file_headings_become_structure() -> None:
    raw = make_docx(
        [("Heading 1", "Overview"), ("Normal", "Body one."), ("Heading 2", "Risks"), ("Normal", "Body two.")],
        title="Word title",
    )
    extracted, _ = load_bytes("a.docx", "word", raw)
    assert [(h.level, h.title) for h in extracted.headings] == [(1, "Overview"), (2, "Risks")]
    assert "Body two." in extracted.text
    assert extracted.native_title == "Word title"


def test_html_keeps_main_text_and_drops_scripts_styles_and_navigation() -> None:
    raw = b"""<html><head><title>Notice</title><style>p{color:red}</style></head><body>
    <nav>Home | About</nav><script>alert('x')</script>
    <main><h1>Plain notices</h1><p>Tell people when AI helped.</p><ul><li>Say it early</li></ul></main>
    <footer>Copyright</footer></body></html>"""
    extracted, _ = load_bytes("a.html", "html", raw)
    assert "Tell people when AI helped." in extracted.text
    assert "Say it early" in extracted.text
    for dropped in ("alert", "color:red", "Home | About", "Copyright"):
        assert dropped not in extracted.text
    assert extracted.headings[0].title == "Plain notices"
    assert extracted.native_title == "Notice"


@pytest.mark.parametrize(
    ("name", "fmt", "raw", "reason"),
    [
        ("empty.md", "markdown", b"", "empty"),
        ("blank.txt", "text", b"   \n\n  ", "empty"),
        ("corrupt.pdf", "pdf", b"this is not a pdf at all" * 50, "no %PDF header"),
        ("binary.md", "markdown", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 10, "binary data"),
        ("fake.docx", "word", b"PK not really a zip file", "not a valid Word"),
    ],
)
def test_bad_files_raise_a_load_error_naming_the_file(name: str, fmt: str, raw: bytes, reason: str) -> None:
    with pytest.raises(LoadError) as caught:
        load_bytes(name, fmt, raw)
    assert caught.value.path == name
    assert reason in caught.value.reason


def test_encrypted_pdf_is_reported_with_a_hint() -> None:
    raw = encrypt_pdf(make_pdf(["Secret text " + LONG]))
    with pytest.raises(LoadError) as caught:
        load_bytes("locked.pdf", "pdf", raw)
    assert "encrypted" in caught.value.reason
    assert caught.value.hint


def test_image_only_pdf_is_flagged_as_probably_scanned() -> None:
    with pytest.raises(LoadError) as caught:
        load_bytes("scan.pdf", "pdf", make_image_only_pdf())
    assert "probably a scanned document" in caught.value.reason
    assert "OCR" in caught.value.hint


def test_one_unreadable_page_is_reported_and_the_rest_kept() -> None:
    import io

    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    raw = make_pdf(["Page one text. " + LONG, "Page two text. " + LONG, "Page three text. " + LONG])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(raw)))
    # Declare page two's content as compressed when it is not: its stream can no longer be decoded.
    contents: Any = writer.pages[1]["/Contents"].get_object()
    contents._data = b"this is not deflate data"
    contents[NameObject("/Filter")] = NameObject("/FlateDecode")
    out = io.BytesIO()
    writer.write(out)
    extracted, _ = load_bytes("damaged.pdf", "pdf", out.getvalue())
    assert "Page one text." in extracted.text
    assert "Page three text." in extracted.text
    assert any(w.startswith("page 2 could not be read") for w in extracted.warnings)


def test_scan_lists_unsupported_files_as_skipped_and_ignores_sidecars(tmp_path) -> None:
    (tmp_path / "a.md").write_text("# A\n\ntext")
    (tmp_path / "b.pdf").write_bytes(make_pdf(["b " + LONG]))
    (tmp_path / "b.pdf.meta.yaml").write_text("title: B\n")
    (tmp_path / "c.xlsx").write_bytes(b"x")
    (tmp_path / ".hidden.md").write_text("secret")
    scan = scan_corpus(tmp_path)
    assert [f.doc_id for f in scan.files] == ["a.md", "b.pdf"]
    assert scan.files[1].sidecar is not None
    assert [(s.doc_id, s.reason) for s in scan.skipped] == [("c.xlsx", "unsupported file type '.xlsx'")]


def test_file_deleted_between_listing_and_reading_is_reported(tmp_path) -> None:
    path = tmp_path / "gone.md"
    path.write_text("# Gone\n\ntext")
    source = scan_corpus(tmp_path).files[0]
    path.unlink()
    with pytest.raises(LoadError) as caught:
        read_document(source, len, 256, 100, 10)
    assert "disappeared" in caught.value.reason


def test_file_changed_after_listing_is_indexed_as_read_with_its_new_hash(tmp_path) -> None:
    path = tmp_path / "moving.md"
    path.write_text("# Before\n\nold text")
    source: SourceFile = scan_corpus(tmp_path).files[0]
    path.write_text("# After\n\nnew text")
    document = read_document(source, lambda t: len(t.split()), 256, 100, 10)
    assert "new text" in document.text
    assert document.content_hash != source.content_hash


def test_markdown_inline_syntax_becomes_plain_text() -> None:
    raw = (
        b"# The **bold** title\n\nSee [M\xc4\x81ori data](../guidance/maori-data-and-ai.md) and *this*, "
        b"`code` and snake_case_name and 2*3*4.\n\n```\nkeep **this** in code\n```\n"
    )
    extracted, _ = load_bytes("a.md", "markdown", raw)
    assert extracted.headings[0].title == "The bold title"
    assert "See Māori data and this, code and snake_case_name and 2*3*4." in extracted.text
    assert "maori-data-and-ai.md" not in extracted.text
    assert "keep **this** in code" in extracted.text


# ---- text encodings ------------------------------------------------------------------------------

MAORI = "Ngā tikanga mō te raraunga Māori: how agencies handle Māori data."


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_text_in_any_encoding_with_a_byte_order_mark_is_read(encoding: str) -> None:
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    raw = bom + (MAORI + "\n").encode(encoding)
    for fmt in ("text", "markdown"):
        extracted, _ = load_bytes("notes.txt", fmt, raw)
        assert extracted.text == MAORI
        assert extracted.warnings == ()


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_recognised(encoding: str) -> None:
    extracted, _ = load_bytes("notes.txt", "text", (MAORI + "\n").encode(encoding))
    assert extracted.text == MAORI


def test_utf16_html_is_read() -> None:
    raw = "<html><body><p>Māori data guidance.</p></body></html>".encode("utf-16")
    extracted, _ = load_bytes("page.html", "html", raw)
    assert extracted.text == "Māori data guidance."


def test_damaged_utf16_is_read_with_a_warning() -> None:
    raw = (MAORI + "\n").encode("utf-16") + b"\x00\xd8"  # an unpaired surrogate at the end
    extracted, _ = load_bytes("notes.txt", "text", raw)
    assert extracted.text.startswith(MAORI)
    assert extracted.warnings == ("damaged UTF-16 text: unreadable characters replaced",)


@pytest.mark.parametrize(
    "raw",
    [
        bytes(range(256)) * 20,
        b"\xff\xfe" + bytes(range(256)) * 20,
        b"\xfe\xff" + bytes(4_000),
        b"\xff\xfe\x00\x00" + b"\x01\x02\x03\x04" * 500,
        b"\x01\x00\x02\x00\x03\x00" * 1_000,
    ],
    ids=["bytes", "utf-16 mark then bytes", "utf-16 mark then NULs", "utf-32 mark then words", "16-bit numbers"],
)
def test_binary_data_is_still_refused(raw: bytes) -> None:
    with pytest.raises(LoadError) as caught:
        load_bytes("data.txt", "text", raw)
    assert caught.value.reason == "binary data in a text file"


# ---- protected PDFs ------------------------------------------------------------------------------


def aes_pdf(user_password: str) -> bytes:
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Protected text. " + LONG]))))
    writer.encrypt(user_password=user_password, owner_password="x", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_aes_pdf_with_only_an_owner_password_is_read() -> None:
    extracted, _ = load_bytes("protected.pdf", "pdf", aes_pdf(""))
    assert extracted.text.startswith("Protected text.")


def test_aes_pdf_that_needs_a_password_is_reported() -> None:
    with pytest.raises(LoadError) as caught:
        load_bytes("locked.pdf", "pdf", aes_pdf("reader"))
    assert caught.value.reason == "the PDF is encrypted with a password"
    assert caught.value.hint == "Ask the owner for an unprotected copy."


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128"])
def test_aes_pdf_without_the_cryptography_package_is_reported_as_encrypted(
    algorithm: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import pypdf._encryption as encryption
    from pypdf import PdfReader, PdfWriter
    from pypdf._crypt_providers import _fallback

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Protected text. " + LONG]))))
    writer.encrypt(user_password="", owner_password="x", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    # pypdf's stand-ins for a missing cryptography package raise DependencyError for AES.
    for name in ("CryptAES", "aes_cbc_decrypt", "aes_ecb_decrypt"):
        monkeypatch.setattr(encryption, name, getattr(_fallback, name))
    with pytest.raises(LoadError) as caught:
        load_bytes("protected.pdf", "pdf", out.getvalue())
    assert caught.value.reason.startswith("the PDF is encrypted and cannot be opened (cryptography")
    assert "scanned" not in caught.value.reason


def test_pdf_whose_decryption_fails_is_reported_as_encrypted(monkeypatch: pytest.MonkeyPatch) -> None:
    from pypdf import PdfReader

    def broken(self: PdfReader, password: str) -> None:
        raise NotImplementedError("unsupported encryption handler")

    monkeypatch.setattr(PdfReader, "decrypt", broken)
    with pytest.raises(LoadError) as caught:
        load_bytes("protected.pdf", "pdf", aes_pdf(""))
    assert caught.value.reason == "the PDF is encrypted and cannot be opened (unsupported encryption handler)"
