"""Metadata checking, title fallbacks, and chunking with offsets, headings and pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ingest.chunking import chunk_document
from ingest.loaders import load_bytes
from ingest.metadata import parse_metadata, split_front_matter
from ingest.pipeline import read_document, scan_corpus
from tests.helpers import make_docx, make_pdf, write_md, write_sidecar


def words(text: str) -> int:
    return len(text.split())


def test_valid_metadata_is_kept_and_extra_keys_preserved() -> None:
    parsed = parse_metadata(
        {"title": "T", "kind": "Tool", "published": dt.date(2025, 1, 2), "tags": ["a", "b"], "provider": "Acme"}
    )
    assert parsed.problems == ()
    assert parsed.metadata.kind == "tool"
    assert parsed.metadata.published == dt.date(2025, 1, 2)
    assert parsed.metadata.tags == ("a", "b")
    assert parsed.metadata.extra == {"provider": "Acme"}


def test_invalid_values_are_reported_and_left_empty() -> None:
    parsed = parse_metadata({"kind": "memo", "published": "next tuesday", "status": "draft", "review_by": "2025-13-01"})
    assert parsed.metadata.kind == ""
    assert parsed.metadata.published is None
    assert parsed.metadata.review_by is None
    assert parsed.metadata.status == "current"
    joined = " ".join(parsed.problems)
    for expected in ("'memo'", "'next tuesday' is not a date", "'draft'", "review_by"):
        assert expected in joined


def test_broken_front_matter_is_a_problem_not_a_crash() -> None:
    front, body, problem = split_front_matter("---\ntitle: [unclosed\n---\nBody")
    assert front == {}
    assert "invalid YAML" in problem
    assert body == "Body"


def test_document_with_bad_metadata_is_still_indexed_with_a_warning(tmp_path: Path) -> None:
    write_md(tmp_path, "a.md", "# Heading\n\nSome text here.", kind="memo", published="soon")
    doc = read_document(scan_corpus(tmp_path).files[0], words, 256, 50, 5)
    assert doc.metadata.kind == ""
    assert any("not a date" in w for w in doc.warnings)
    assert doc.chunks


def test_sidecar_metadata_applies_to_other_formats(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(make_pdf(["Report text about assurance. " * 5]))
    write_sidecar(pdf, title="Assurance report", kind="standard", agency="GCDO")
    doc = read_document(scan_corpus(tmp_path).files[0], words, 256, 50, 5)
    assert (doc.metadata.title, doc.metadata.kind, doc.metadata.agency) == ("Assurance report", "standard", "GCDO")


def test_title_falls_back_to_file_title_then_heading_then_name(tmp_path: Path) -> None:
    (tmp_path / "own-title.docx").write_bytes(make_docx([("Heading 1", "Heading title"), ("Normal", "x y z")], "Core"))
    write_md(tmp_path, "heading.md", "# First heading\n\nBody text.")
    (tmp_path / "plain_notes.txt").write_text("just some notes without any heading")
    titles = {f.doc_id: read_document(f, words, 256, 50, 5).metadata.title for f in scan_corpus(tmp_path).files}
    assert titles == {"own-title.docx": "Core", "heading.md": "First heading", "plain_notes.txt": "Plain notes"}


def test_chunks_keep_heading_path_and_exact_offsets() -> None:
    body = (
        "# Guide\n\nIntro line.\n\n## Privacy\n\n" + "Privacy sentence number one. " * 40 + "\n\n## Security\n\nShort."
    )
    extracted, _ = load_bytes("g.md", "markdown", body.encode())
    chunks = chunk_document("g.md", extracted, words, 30, 5)
    for chunk in chunks:
        assert extracted.text[chunk.start : chunk.end] == chunk.text
        assert words(chunk.text) <= 30
    paths = {c.heading_path for c in chunks}
    assert ("Guide", "Privacy") in paths
    assert ("Guide", "Security") in paths
    assert [c.position for c in chunks] == list(range(len(chunks)))


def test_pdf_chunks_keep_their_page() -> None:
    raw = make_pdf(["Alpha page words. " * 30, "Beta page words. " * 30])
    extracted, _ = load_bytes("p.pdf", "pdf", raw)
    chunks = chunk_document("p.pdf", extracted, words, 20, 0)
    assert {c.page for c in chunks if "Alpha" in c.text} == {1}
    assert {c.page for c in chunks if "Beta" in c.text} == {2}
