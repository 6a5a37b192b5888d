"""The portal's rules in index/views.py and the escaping helpers in hub_ui.py, as plain functions."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import hub_ui
from index.search import Filters
from index.store import DocumentRecord
from index.views import (
    FacetOptions,
    FileProblem,
    SearchState,
    banners,
    facet_counts,
    format_time,
    indexed_original,
    library,
    location,
    memoise,
    number_of,
    original_download,
    original_file,
    parse_search_state,
    programme,
    read_run,
    reader_pieces,
    safe_doc_id,
    safe_position,
    tools,
    url_number,
    without_folders,
)
from ingest.kinds import Details, take_details
from ingest.reading import content_hash
from ingest.types import Metadata
from tests.app_support import HOSTILE_TEXTS, NOT_NUMBERS, shown_text


def record(doc_id: str, path: str = "", **meta: Any) -> DocumentRecord:
    return DocumentRecord(doc_id, path or doc_id, "markdown", "hash", Metadata(**meta), (), 1, ())


def details(kind: str, **written: Any) -> Details | None:
    """The details of a document of `kind` as parsed from what an editor wrote."""
    return take_details(kind, written)[0]


KNOWN = {"guidance/a.md", "b.md"}


@pytest.mark.parametrize("raw", ["guidance/a.md", "b.md"])
def test_known_ids_are_accepted(raw: str) -> None:
    assert safe_doc_id(raw, KNOWN) == raw


@pytest.mark.parametrize(
    "raw",
    [None, "", "c.md", "../b.md", "/b.md", "guidance/../b.md", "%2e%2e/b.md", "%252e%252e%252fb.md", "a\\b.md",
     "C:b.md", "b.md\x00", "~/b.md", "guidance//a.md", "./b.md", "b" * 1000],
)  # fmt: skip
def test_everything_else_is_refused(raw: str | None) -> None:
    assert safe_doc_id(raw, KNOWN | {"../b.md", "/b.md", "./b.md"}) is None


def test_a_known_id_that_looks_like_a_trick_is_still_refused() -> None:
    # Even if an index somehow held such an id, the reader would not open it.
    assert safe_doc_id("../b.md", {"../b.md"}) is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", 0), ("4", 4), ("5", None), ("-1", None), ("x", None), (None, None)]
)
def test_passage_positions(raw: str | None, expected: int | None) -> None:
    assert safe_position(raw, 5) == expected


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_url_numbers_are_ascii_digits_only(raw: str) -> None:
    assert url_number(raw) is None
    assert safe_position(raw, 10**7) is None


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("7", 7), ("2025", 2025), ("000012", 12), ("999999", 999999)])
def test_url_numbers(raw: str, expected: int) -> None:
    assert url_number(raw) == expected


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_a_year_that_is_not_a_number_is_dropped(raw: str) -> None:
    options = FacetOptions({"kind": (), "agency": (), "focus_area": (), "status": ()}, (2025, 2))
    assert parse_search_state(lambda name: {"year": [raw], "q": ["x"]}.get(name, []), options).year is None


def test_initiative_codes_with_odd_digits_sort_without_failing() -> None:
    docs = [
        record("a.md", kind="initiative", title="A", initiative="I-²", focus_area="F"),
        record("b.md", kind="initiative", title="B", initiative="I-" + "9" * 5000, focus_area="F"),
        record("c.md", kind="initiative", title="C", initiative="I-3", focus_area="F"),
    ]
    (area,) = programme(docs)
    assert [i.record.doc_id for i in area.initiatives] == ["c.md", "b.md", "a.md"]


def test_original_file_must_resolve_inside_the_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "g").mkdir(parents=True)
    inside = corpus / "g" / "a.md"
    inside.write_text("x")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (corpus / "g" / "link.md").symlink_to(outside)
    assert original_file(record("g/a.md", str(inside)), corpus) == inside.resolve()
    assert original_file(record("g/a.md", str(corpus / "g" / ".." / "g" / "a.md")), corpus) == inside.resolve()
    assert original_file(record("x", str(outside)), corpus) is None
    assert original_file(record("x", str(corpus / ".." / "secret.txt")), corpus) is None
    assert original_file(record("g/link.md", str(corpus / "g" / "link.md")), corpus) is None
    assert original_file(record("g/gone.md", str(corpus / "g" / "gone.md")), corpus) is None
    assert original_file(record("g", str(corpus / "g")), corpus) is None


def test_the_original_is_offered_only_while_it_is_the_indexed_version(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    doc = corpus / "a.md"
    doc.write_bytes(b"# A\n\nThe indexed text.")
    indexed = replace(record("a.md", str(doc)), content_hash=content_hash(doc.read_bytes(), None))
    offered = original_download(indexed, corpus, 1000)
    assert offered is not None and offered.problem == "" and offered.size == len(doc.read_bytes())
    # A sidecar written since is part of the version too.
    (corpus / "a.md.meta.yaml").write_text("title: A\n", encoding="utf-8")
    changed = original_download(indexed, corpus, 1000)
    assert changed is not None and "changed since this version was indexed" in changed.problem
    (corpus / "a.md.meta.yaml").unlink()
    doc.write_bytes(b"x" * 5000)
    large = original_download(indexed, corpus, 1000)
    assert large is not None and "larger than the hub serves" in large.problem


def test_a_linked_document_with_its_own_metadata_can_be_downloaded(tmp_path: Path) -> None:
    from ingest.scan import scan_corpus

    corpus = tmp_path / "corpus"
    (corpus / "shared").mkdir(parents=True)
    (corpus / "team").mkdir()
    (corpus / "shared/policy.txt").write_text("The shared policy text. " * 10, encoding="utf-8")
    (corpus / "team/policy.txt").symlink_to(corpus / "shared/policy.txt")
    (corpus / "team/policy.txt.meta.yaml").write_text("title: Team copy\n", encoding="utf-8")
    source = next(f for f in scan_corpus(corpus).files if f.doc_id == "team/policy.txt")
    indexed = replace(record("team/policy.txt", source.path), content_hash=source.content_hash)
    offered = original_download(indexed, corpus, 10_000)
    assert offered is not None and offered.problem == ""
    assert indexed_original(indexed, corpus, 10_000).startswith(b"The shared policy text.")


def test_a_download_never_follows_a_folder_swapped_for_a_link_after_the_page_was_drawn(tmp_path: Path) -> None:
    corpus, secret = tmp_path / "corpus", tmp_path / "secret"
    (corpus / "team").mkdir(parents=True)
    secret.mkdir()
    (corpus / "team/a.md").write_bytes(b"# A\n\nIndexed.")
    (secret / "a.md").write_bytes(b"# A\n\nIndexed.")
    indexed = replace(
        record("team/a.md", str(corpus / "team/a.md")), content_hash=content_hash(b"# A\n\nIndexed.", None)
    )
    assert indexed_original(indexed, corpus, 1000) == b"# A\n\nIndexed."
    (corpus / "team").rename(tmp_path / "moved")
    (corpus / "team").symlink_to(secret)
    with pytest.raises(OSError):
        indexed_original(indexed, corpus, 1000)


def test_banners() -> None:
    today = dt.date(2026, 1, 1)
    old = record("a.md", status="superseded", review_by=dt.date(2025, 1, 1), extra={"superseded_by": "b.md"})
    found = banners(old, today, {"a.md", "b.md"})
    assert [b.level for b in found] == ["warning", "warning"]
    assert found[0].link == "b.md"
    assert "1 January 2025" in found[1].message
    assert banners(record("a.md", status="withdrawn"), today, set())[0].level == "error"
    assert banners(record("a.md", review_by=today), today, set()) == []
    assert (
        banners(record("a.md", status="superseded", extra={"superseded_by": "gone.md"}), today, set())[0].link is None
    )


def test_reader_pieces_cut_at_pages_and_passage() -> None:
    text = "aaaa" + "bbbb" + "cccc"
    pieces = reader_pieces(text, ((1, 0), (2, 4), (3, 8)), (2, 10))
    assert [(p.text, p.marked, p.page) for p in pieces] == [
        ("aa", False, 1),
        ("aa", True, None),
        ("bbbb", True, 2),
        ("cc", True, 3),
        ("cc", False, None),
    ]
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.marked) for p in reader_pieces("abc", (), None)] == [("abc", False)]
    assert "".join(p.text for p in reader_pieces("abc", ((1, 99),), (1, 99))) == "abc"  # bad offsets are clamped


def test_location() -> None:
    assert location(3, ("A",)) == "Page 3"
    assert location(None, ("Guide", "Part", "Step"), "guide") == "Part › Step"
    assert location(None, ()) == ""


def test_format_time() -> None:
    assert format_time("2026-11-26T15:36:13+00:00") == "26 November 2026 15:36 UTC"
    assert format_time("garbage") == "garbage"


def test_library_sorting_puts_undated_last() -> None:
    docs = [
        record("a", title="b", published=dt.date(2024, 1, 1)),
        record("b", title="A", published=dt.date(2025, 1, 1)),
        record("c", title="c"),
    ]
    assert [r.doc_id for r in library(docs)] == ["b", "a", "c"]
    assert [r.doc_id for r in library(docs, sort="oldest")] == ["a", "b", "c"]
    assert [r.doc_id for r in library(docs, sort="title")] == ["b", "a", "c"]
    assert [r.doc_id for r in library(docs, sort="title-desc")] == ["c", "a", "b"]


def test_parse_search_state_validates_everything() -> None:
    options = FacetOptions({"kind": ("guidance", "tool"), "agency": (), "focus_area": (), "status": ()}, (2025,))
    url = {"q": ["  many   spaces  "], "kind": ["tool", "tool", "nope"], "year": ["2025"], "status": ["x"]}
    state = parse_search_state(lambda name: url.get(name, []), options)
    assert state == SearchState("many spaces", {"kind": ("tool",)}, 2025)
    assert state.to_params() == {"q": "many spaces", "kind": ["tool"], "year": "2025"}
    assert state.filters() == Filters(
        kinds=("tool",), published_from=dt.date(2025, 1, 1), published_to=dt.date(2025, 12, 31)
    )
    assert parse_search_state(lambda name: {"year": ["1999"], "q": ["x" * 900]}.get(name, []), options).year is None
    assert len(parse_search_state(lambda name: {"q": ["x" * 900]}.get(name, []), options).query) == 500


def test_facet_counts_drop_only_their_own_filter() -> None:
    docs = {
        "g1": record("g1", kind="guidance", agency="A"),
        "g2": record("g2", kind="guidance", agency="B"),
        "t1": record("t1", kind="tool", agency="A"),
    }
    calls: list[Filters] = []

    def run(filters: Filters) -> list[tuple[DocumentRecord, ...]]:
        calls.append(filters)
        return [(r,) for r in docs.values() if filters.allows(r)]

    state = SearchState("q", {"kind": ("tool",)})
    counts = facet_counts(memoise(run), state)
    assert counts["kind"] == {"guidance": 2, "tool": 1}  # without the kind filter
    assert counts["agency"] == {"A": 1}  # with it
    assert len(calls) == 2  # the searches without agency/status/focus/year filters are the same one


def test_tools_and_programme_tolerate_odd_metadata() -> None:
    docs = [
        record(
            "t.md", kind="tool", title="T", details=details("tool", conditions="one condition", used_by=5, related=None)
        ),
        record(
            "i.md",
            kind="initiative",
            title="I",
            initiative="I-10",
            focus_area="F",
            details=details("initiative", related="x.md"),
        ),
        record("j.md", kind="initiative", title="J", initiative="I-2", focus_area="F"),
        record("d.md", title="D", initiative="I-2"),
    ]
    (tool,) = tools(docs)
    assert tool.conditions == ("one condition",) and tool.used_by == ("5",) and tool.guidance == ()
    (area,) = programme(docs)
    assert [i.code for i in area.initiatives] == ["I-2", "I-10"]
    assert [link.doc_id for link in area.initiatives[0].documents] == ["d.md"]
    assert not area.initiatives[1].documents[0].known


def test_highlight_html_escapes_before_marking() -> None:
    html = hub_ui.highlight_html([("<b>", False), ("x&y", True), ('"', False)])
    assert html == "&lt;b&gt;<mark>x&amp;y</mark>&quot;"


def test_md_escape_neutralises_markdown_and_directives() -> None:
    assert hub_ui.md_escape("<img src=x> **bold** :red[x] [a](javascript:b)") == (
        "\\<img src\\=x\\> \\*\\*bold\\*\\* \\:red\\[x\\] \\[a\\]\\(javascript\\:b\\)"
    )


MARKDOWN_TRAPS = [
    *HOSTILE_TEXTS,
    "HTTPS://EVIL.EXAMPLE and WWW.EVIL.EXAMPLE and ftp://x",
    "# heading",
    "1. numbered",
    "- item",
    "> quote",
    "| a | b |",
    "a <-> b <- c -- d >= e <= f ~= g",
    "back\\slash and &amp; and &#60;",
    "~~struck~~ [^1] <https://evil.example>",
    ":smile: :+1: :streamlit: :material_home:",
    "line one\n\nline two\n    indented",
]


@pytest.mark.parametrize("text", MARKDOWN_TRAPS)
def test_md_escape_shows_text_as_written(text: str) -> None:
    markdown = hub_ui.md_escape(text)
    # Once Markdown has undone the escapes, the reader sees the text (white space folded).
    assert shown_text(markdown) == " ".join(text.split())
    # No punctuation is left for Markdown or Streamlit to act on.
    assert re.search(r"(?<!\\)[" + re.escape("[]()<>!*_`$:#|~&@-") + "]", markdown.replace("\\\\", "")) is None
    # And after the escapes are gone, nothing that Streamlit rewrites into a link, icon or
    # symbol is left in the text.
    parsed = re.sub(r"\\(.)", r"\1", markdown)
    assert not re.search(r"https?://|www\.|@\w|:material_|:streamlit:", parsed, re.IGNORECASE)
    assert not re.search(r"(?<!\S)(<->|->|<-|--|>=|<=|~=)(?!\S)", parsed)


def test_md_escape_leaves_plain_text_alone() -> None:
    assert hub_ui.md_escape("Privacy impact assessments for AI") == "Privacy impact assessments for AI"
    # An ordinary colon, at-sign or dash gets its backslash and no word joiner.
    assert hub_ui.md_escape("Guidance: AI-tools, 2025 @ home") == "Guidance\\: AI\\-tools\\, 2025 \\@ home"


def test_table_html_escapes_every_cell() -> None:
    table = hub_ui.table_html('Files "x"', ["File <1>", "Count"], [("<img src=x>", 3), ("[a](b) & c", 0)])
    assert table == (
        '<div class="hub-table-wrap"><table class="hub-table" aria-label="Files &quot;x&quot;">'
        '<thead><tr><th scope="col">File &lt;1&gt;</th><th scope="col" class="hub-num">Count</th></tr></thead><tbody>'
        '<tr><td>&lt;img src=x&gt;</td><td class="hub-num">3</td></tr>'
        '<tr><td>[a](b) &amp; c</td><td class="hub-num">0</td></tr></tbody></table></div>'
    )


def test_without_folders_makes_server_paths_relative(tmp_path: Path) -> None:
    data, corpus = tmp_path / "srv" / "data", tmp_path / "srv" / "data" / "corpus"
    text = (
        f"{data}/builds/b1/vectors.faiss: unreadable; {corpus}/a.md failed; nothing in {corpus}; "
        f"{data}2/x and {data}.old/y stay; so does data/builds/b1"
    )
    assert without_folders(text, [data, corpus]) == (
        "builds/b1/vectors.faiss: unreadable; a.md failed; nothing in corpus; "
        f"{data}2/x and {data}.old/y stay; so does data/builds/b1"
    )
    assert without_folders("metadata/x in data/y", [Path("data")]) == "metadata/x in data/y"


def test_number_of() -> None:
    assert number_of(1, "file") == "1 file"
    assert number_of(0, "file") == "0 files"
    assert number_of(2, "file was", "files were") == "2 files were"


def test_read_run_reads_failed_skipped_stale_and_warnings(tmp_path: Path) -> None:
    path = tmp_path / "latest.json"
    report = {
        "outcome": "published",
        "failed": [
            {"file": "a.pdf", "reason": "r", "hint": "h", "kept": "yes"},
            {"file": "b.pdf", "reason": "r2"},
            {"file": "c.pdf", "reason": "r3"},
        ],
        "stale": ["a.pdf", "c.pdf", "gone.md"],
        "skipped": [{"file": "x.exe", "reason": "unsupported", "hint": "convert it"}],
        "warnings": {"z.md": ["bad tags"], "y.md": "one warning", "w.md": []},
        "documents": 4,
    }
    path.write_text(json.dumps(report), encoding="utf-8")
    run = read_run(path)
    assert run.failed == (
        FileProblem("a.pdf", "r", "h", kept=True),
        FileProblem("b.pdf", "r2"),
        FileProblem("c.pdf", "r3", kept=True),  # listed as stale, though its entry does not say so
    )
    assert run.skipped == (FileProblem("x.exe", "unsupported", "convert it"),)
    assert run.stale == ("a.pdf", "c.pdf", "gone.md")
    assert run.warnings == (("y.md", ("one warning",)), ("z.md", ("bad tags",)))
    assert run.documents == 4 and not run.problem


@pytest.mark.parametrize(
    "report",
    [
        {"outcome": "published"},  # written before failed, skipped, stale and warnings existed
        {"failed": 5, "skipped": "x", "stale": {"a": 1}, "warnings": ["a"], "documents": True, "chunks": -3},
        {"failed": [None, 3, "x"], "skipped": [[]], "stale": "a.pdf", "warnings": {"": ["x"], "d": {"k": 1}}},
    ],
)
def test_read_run_tolerates_missing_and_odd_fields(tmp_path: Path, report: dict[str, Any]) -> None:
    path = tmp_path / "run.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    run = read_run(path)
    assert (run.failed, run.skipped, run.stale, run.warnings) == ((), (), (), ())
    assert (run.documents, run.chunks, run.problem) == (0, 0, "")


@pytest.mark.parametrize("content", ["{not json", "[" * 100_000 + "]" * 100_000, '"text"', "\udcff"])
def test_read_run_names_a_damaged_report(tmp_path: Path, content: str) -> None:
    path = tmp_path / "latest.json"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    assert read_run(path).problem.startswith("latest.json ")


def test_doc_links_are_encoded_and_escaped() -> None:
    assert hub_ui.doc_href("a b/c&d.md", 2, {"q": "x y"}) == "Document?doc=a+b%2Fc%26d.md&passage=2&q=x+y"
    search: dict[str, str | list[str]] = {"q": "x", "agency": ["A", "B"], "year": "2025", "doc": "o.md", "kind": []}
    assert hub_ui.doc_href("d.md", None, search) == "Document?doc=d.md&q=x&agency=A&agency=B&year=2025"
    assert hub_ui.doc_link('q"/x.md', "<T>") == '<a href="Document?doc=q%22%2Fx.md">&lt;T&gt;</a>'


def test_remembered_queries_encode_each_query_once() -> None:
    from ingest.embed import HashEmbedder

    calls: list[str] = []

    class Counting(HashEmbedder):
        def encode_query(self, text: str) -> Any:
            calls.append(text)
            return super().encode_query(text)

    embedder = hub_ui.RememberedQueries(Counting(), size=2)
    first = embedder.encode_query("privacy")
    first[:] = 0  # a caller changing its copy does not change what is remembered
    again = embedder.encode_query("privacy")
    assert calls == ["privacy"] and again.any()
    embedder.encode_query("b")
    embedder.encode_query("c")  # "privacy" is now the oldest of three; forgotten
    embedder.encode_query("privacy")
    assert calls == ["privacy", "b", "c", "privacy"]
    assert embedder.model_key == HashEmbedder().model_key
