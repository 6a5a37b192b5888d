"""The portal's rules in index/views.py and the escaping helpers in hub_ui.py, as plain functions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

import hub_ui
from index.search import Filters
from index.store import DocumentRecord
from index.views import (
    FacetOptions,
    SearchState,
    banners,
    facet_counts,
    format_time,
    library,
    location,
    memoise,
    original_file,
    parse_search_state,
    programme,
    reader_pieces,
    safe_doc_id,
    safe_position,
    tools,
)
from ingest.types import Metadata


def record(doc_id: str, path: str = "", **meta: Any) -> DocumentRecord:
    return DocumentRecord(doc_id, path or doc_id, "markdown", "hash", Metadata(**meta), (), 1, ())


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
        record("t.md", kind="tool", title="T", extra={"conditions": "one condition", "used_by": 5, "related": None}),
        record("i.md", kind="initiative", title="I", initiative="I-10", focus_area="F", extra={"related": "x.md"}),
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
