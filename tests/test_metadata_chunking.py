"""Metadata checking, title fallbacks, and chunking with offsets, headings and pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from ingest.chunking import chunk_document
from ingest.kinds import ToolDetails
from ingest.loaders import load_bytes
from ingest.metadata import load_yaml_mapping, parse_metadata, split_front_matter
from ingest.pipeline import read_document, scan_corpus
from tests.helpers import make_docx, make_pdf, write_md, write_sidecar


def words(text: str) -> int:
    return len(text.split())


def test_valid_metadata_is_kept_and_extra_keys_preserved() -> None:
    parsed = parse_metadata(
        {
            "title": "T",
            "kind": "Tool",
            "published": dt.date(2025, 1, 2),
            "tags": ["a", "b"],
            "provider": "Acme",
            "contact": "ops@example.org",
        }
    )
    assert parsed.problems == ()
    assert parsed.metadata.kind == "tool"
    assert parsed.metadata.published == dt.date(2025, 1, 2)
    assert parsed.metadata.tags == ("a", "b")
    assert parsed.metadata.details == ToolDetails(provider="Acme")
    assert parsed.metadata.extra == {"contact": "ops@example.org"}


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


# ---- metadata an editor can get wrong, or an attacker can write ----------------------------------


@pytest.mark.parametrize("value", ["2025-02-30", "2025-03-01 25:00:00", "2025-13-01", "2025-3-1", "2025-W09-6"])
def test_impossible_or_malformed_date_is_a_problem_not_a_crash(value: str) -> None:
    raw, problem = load_yaml_mapping(f"title: T\npublished: {value}\n", "a.pdf.meta.yaml")
    assert problem == ""
    parsed = parse_metadata(raw)
    assert parsed.metadata.published is None
    assert parsed.metadata.title == "T"
    assert parsed.problems == (f"published: {value!r} is not a date (use YYYY-MM-DD)",)


def test_a_number_is_not_a_date() -> None:
    raw, _ = load_yaml_mapping("published: 20250301\n", "front matter")
    assert parse_metadata(raw).problems == ("published: 20250301 is not a date (use YYYY-MM-DD)",)


@pytest.mark.parametrize(
    "value", ["2025-03-01", "2025-03-01T10:00:00", "2025-03-01 10:00:00", "2025-03-01T10:00:00Z", "2025-03-01t10:00"]
)
def test_dates_and_iso_date_times_give_their_date(value: str) -> None:
    raw, _ = load_yaml_mapping(f"published: {value}\nreview_by: '{value}'\n", "front matter")
    parsed = parse_metadata(raw)
    assert parsed.problems == ()
    assert parsed.metadata.published == parsed.metadata.review_by == dt.date(2025, 3, 1)


def test_explicitly_tagged_impossible_timestamp_is_a_problem_too() -> None:
    raw, problem = load_yaml_mapping("published: !!timestamp 2025-02-30\n", "front matter")
    assert problem == ""
    assert parse_metadata(raw).problems == ("published: '2025-02-30' is not a date (use YYYY-MM-DD)",)


def test_dates_in_extra_fields_stay_as_written() -> None:
    raw, _ = load_yaml_mapping("reviewed_on: 2025-02-30\nmeeting: 2025-03-01 10:00:00\n", "front matter")
    assert parse_metadata(raw).metadata.extra == {"reviewed_on": "2025-02-30", "meeting": "2025-03-01 10:00:00"}


def test_pyyaml_safe_load_elsewhere_still_reads_dates() -> None:
    load_yaml_mapping("published: 2025-01-02\n", "front matter")
    assert yaml.safe_load("d: 2025-01-02") == {"d": dt.date(2025, 1, 2)}


def test_markdown_with_an_impossible_date_is_indexed_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "feb.md").write_text("---\ntitle: Feb\npublished: 2025-02-30\n---\n# Feb\n\nBody text.\n")
    doc = read_document(scan_corpus(tmp_path).files[0], words, 256, 50, 5)
    assert doc.metadata.title == "Feb"
    assert "metadata: published: '2025-02-30' is not a date (use YYYY-MM-DD)" in doc.warnings


def test_sidecar_with_an_impossible_hour_is_indexed_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("Notes about buying AI tools.")
    (tmp_path / "notes.txt.meta.yaml").write_text("title: Notes\npublished: 2025-03-01 25:00:00\n")
    doc = read_document(scan_corpus(tmp_path).files[0], words, 256, 50, 5)
    assert doc.metadata.title == "Notes"
    assert any("'2025-03-01 25:00:00' is not a date" in w for w in doc.warnings)


@pytest.mark.parametrize("text", ["tags: &x [*x]\n", "extra: &x {inner: *x}\n", "a: &x [1, [2, *x]]\n"])
def test_alias_that_contains_itself_is_a_problem(text: str) -> None:
    data, problem = load_yaml_mapping(text, "front matter")
    assert data == {}
    assert problem.startswith("front matter: the YAML alias *x refers to a value that contains itself")


def test_billion_laughs_is_refused_for_its_aliases() -> None:
    laughs = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9)
    )
    assert len(laughs) < 1_000
    assert load_yaml_mapping(laughs, "x.meta.yaml") == ({}, "x.meta.yaml: too many YAML aliases (more than 20)")


def test_few_aliases_that_still_expand_too_far_are_refused() -> None:
    text = "a: &a [" + ", ".join(["v"] * 600) + "]\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    data, problem = load_yaml_mapping(text, "front matter")
    assert data == {}
    assert problem == "front matter: the YAML expands to more than 10,000 values through its aliases"


def test_a_few_plain_aliases_are_allowed() -> None:
    data, problem = load_yaml_mapping("owners: &o [Ana, Ben]\nreviewers: *o\n", "front matter")
    assert problem == ""
    assert data == {"owners": ["Ana", "Ben"], "reviewers": ["Ana", "Ben"]}


def test_deeply_nested_yaml_is_a_problem() -> None:
    data, problem = load_yaml_mapping("tags: " + "[" * 5_000 + "]" * 5_000 + "\n", "front matter")
    assert data == {}
    assert problem == "front matter: values nested more than 20 levels deep"


def test_metadata_over_64_kb_is_a_problem() -> None:
    data, problem = load_yaml_mapping("summary: " + "x" * 70_000 + "\n", "big.pdf.meta.yaml")
    assert data == {}
    assert problem == "big.pdf.meta.yaml: the metadata is over 64 KB (70,010 characters)"


def test_front_matter_over_64_kb_leaves_the_body_readable() -> None:
    front, body, problem = split_front_matter("---\nsummary: " + "x" * 70_000 + "\n---\nBody")
    assert (front, body) == ({}, "Body")
    assert problem.startswith("front matter: the metadata is over 64 KB")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("? [a, b]\n: value\n", "front matter: invalid YAML (found unhashable key on line 1)"),
        ("n: !!float not-a-number\n", "front matter: a value could not be read (ValueError: "),
        ("b: !!binary a\n", "front matter: invalid YAML (failed to decode base64 data"),
        ("x: !!python/object/apply:os.system ['true']\n", "front matter: invalid YAML (could not determine"),
    ],
    ids=["unhashable key", "bad float", "bad binary", "python object"],
)
def test_values_yaml_cannot_build_are_problems(text: str, expected: str) -> None:
    data, problem = load_yaml_mapping(text, "front matter")
    assert data == {}
    assert problem.startswith(expected)


def test_yaml_sets_and_pairs_are_stored_as_lists_and_binary_is_left_out() -> None:
    raw, problem = load_yaml_mapping("s: !!set {b, a}\np: !!omap [x: 1]\nb: !!binary aGVsbG8=\n", "front matter")
    assert problem == ""
    parsed = parse_metadata(raw)
    assert parsed.metadata.extra == {"s": ["a", "b"], "p": [["x", 1]]}
    assert parsed.problems == ("b: binary data (!!binary) cannot be stored; left out",)


def test_numbers_too_long_to_store_stay_as_text() -> None:
    data, problem = load_yaml_mapping(f"ref: 0x{'f' * 5_000}\nid: {'1' * 5_000}\nsmall: 0x1f\n", "front matter")
    assert problem == ""
    assert data == {"ref": "0x" + "f" * 5_000, "id": "1" * 5_000, "small": 31}


def test_self_containing_values_given_directly_are_left_out_and_reported() -> None:
    loop: list[object] = []
    loop.append(loop)
    deep: object = "bottom"
    for _ in range(100):
        deep = {"down": deep}
    parsed = parse_metadata({"title": "T", "loop": loop, "deep": deep, "fine": {"a": [1, 2]}})
    assert parsed.metadata.extra == {"fine": {"a": [1, 2]}}
    assert parsed.problems == (
        "loop: nested more than 20 levels deep; left out",
        "deep: nested more than 20 levels deep; left out",
    )
