"""Library, Case studies, AI marketplace, Work programme and Index status pages."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from index.api import Hub
from tests.app_support import (
    HOSTILE_TEXTS,
    BuiltHub,
    app,
    built,
    get,
    hub_env,
    shown_text,
    tables,
    texts,
    write_report,
)

# Runs the command lines as processes or the pages in Streamlit: the integration tier.
pytestmark = pytest.mark.integration

__all__ = ["built", "hub_env"]  # fixtures, used by name

LIBRARY = "pages/2_Library.py"
CASES = "pages/3_Case_studies.py"
MARKET = "pages/4_AI_marketplace.py"
PROGRAMME = "pages/5_Work_programme.py"
STATUS = "pages/6_Index_status.py"
ALL_PAGES = [LIBRARY, CASES, MARKET, PROGRAMME, STATUS]


def listed_titles(at: AppTest) -> list[str]:
    listing = next(h.value for h in get(at, "html") if h.value.startswith('<ul class="hub-list">'))
    return re.findall(r'<li><a href="[^"]+">(.*?)</a>', listing)


def card_titles(at: AppTest, level: str = "h2") -> list[str]:
    cards = [h.value for h in get(at, "html") if h.value.startswith('<div class="hub-card">')]
    return [m.group(1) for c in cards if (m := re.search(rf"<{level}><a [^>]+>(.*?)</a></{level}>", c))]


# ---- Library -------------------------------------------------------------------------------------


def test_library_lists_every_document_newest_first(hub_env: BuiltHub) -> None:
    at = app(LIBRARY)
    assert not at.exception
    titles = listed_titles(at)
    assert len(titles) == 10  # every document that could be indexed
    assert titles[0] == "Rewriting letters in plain language"  # published 2026
    assert titles[-1] == "Interim privacy advice"  # published 2022
    assert at.header[0].value == "10 of 10 documents"


def test_library_filters_and_sort_come_from_the_url(hub_env: BuiltHub) -> None:
    at = app(LIBRARY, kind="guidance", sort="title")
    assert listed_titles(at) == [
        "Interim privacy advice",
        "Privacy impact assessments for AI",
        "Withdrawn chat assistant rules",
    ]
    at = app(LIBRARY, focus_area="AI workforce", agency="Digital Office", sort="oldest")
    assert listed_titles(at) == ["I-02 Skills for everyone"]


def test_library_ignores_bad_url_values(hub_env: BuiltHub) -> None:
    at = app(LIBRARY, kind="<b>nope</b>", sort="random")
    assert not at.exception
    assert len(listed_titles(at)) == 10
    assert at.query_params == {}


def test_library_widgets_update_the_url(hub_env: BuiltHub) -> None:
    at = app(LIBRARY)
    at.multiselect(key="library_kind").select("tool").run()
    at.selectbox(key="library_sort").select("title-desc").run()
    assert at.query_params == {"kind": "tool", "sort": "title-desc"}
    assert listed_titles(at) == ["Translation service", "Secure chat assistant"]


def test_library_escapes_titles(hub_env: BuiltHub) -> None:
    listing = next(h.value for h in get(app(LIBRARY), "html") if h.value.startswith('<ul class="hub-list">'))
    assert "Evil &lt;script&gt;" in listing and "<script" not in listing


def test_library_says_when_nothing_matches(hub_env: BuiltHub) -> None:
    at = app(LIBRARY, kind="tool", agency="Privacy Office")
    assert "No document matches" in texts(at)


# ---- Case studies --------------------------------------------------------------------------------


def test_case_studies_come_from_metadata(hub_env: BuiltHub) -> None:
    at = app(CASES)
    assert not at.exception
    assert card_titles(at) == ["Rewriting letters in plain language"]
    card = next(h.value for h in get(at, "html") if "Rewriting letters" in h.value)
    assert "<dt>Problem</dt><dd>Letters were hard to read.</dd>" in card
    assert "<dt>Outcome</dt><dd>Complaints fell by a third.</dd>" in card
    assert "Ministry of Letters" in card
    assert '<a href="Document?doc=marketplace%2Fchat.md">Secure chat assistant</a>' in card  # tool used
    assert '<a href="Document?doc=guidance%2Fprivacy.md">Privacy impact assessments for AI</a>' in card
    assert "guidance/not-in-the-hub.md (not in the hub)" in card  # a dangling id is not a link


def test_case_studies_filter_by_agency(hub_env: BuiltHub) -> None:
    at = app(CASES)
    at.multiselect(key="case_agency").select("Ministry of Letters").run()
    assert card_titles(at) == ["Rewriting letters in plain language"]


# ---- AI marketplace ------------------------------------------------------------------------------


def test_marketplace_lists_tools_with_their_terms(hub_env: BuiltHub) -> None:
    at = app(MARKET)
    assert not at.exception
    assert card_titles(at) == ["Secure chat assistant", "Translation service"]
    card = next(h.value for h in get(at, "html") if "Secure chat assistant" in h.value and "hub-card" in h.value)
    for fragment in (
        "<dt>Provider</dt><dd>Harbour Ltd</dd>",
        "<dt>Highest classification allowed</dt><dd>IN-CONFIDENCE</dd>",
        "<dt>Approval status</dt><dd>Approved with conditions</dd>",
        "<li>Review every output</li>",
        "<li>Ministry of Letters</li>",
        "Privacy impact assessments for AI",  # guidance that applies
        "Rewriting letters in plain language",  # case study that used it
    ):
        assert fragment in card


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "under assessment"}, ["Translation service"]),
        ({"classification": "IN-CONFIDENCE"}, ["Secure chat assistant"]),
        ({"classification": "UNCLASSIFIED"}, ["Secure chat assistant", "Translation service"]),
        ({"classification": "RESTRICTED"}, []),
        ({"provider": "Lingua Ltd"}, ["Translation service"]),
        ({"status": "approved", "provider": "Harbour Ltd"}, []),
        ({"status": "bogus", "classification": "TOP SECRET"}, ["Secure chat assistant", "Translation service"]),
    ],
)
def test_marketplace_filters(hub_env: BuiltHub, params: dict[str, str], expected: list[str]) -> None:
    at = app(MARKET, **params)
    assert not at.exception
    assert card_titles(at) == expected


def test_marketplace_widgets_update_the_url(hub_env: BuiltHub) -> None:
    at = app(MARKET)
    at.selectbox(key="market_classification").select("IN-CONFIDENCE").run()
    assert at.query_params == {"classification": "IN-CONFIDENCE"}
    assert card_titles(at) == ["Secure chat assistant"]


# ---- Work programme ------------------------------------------------------------------------------


def test_work_programme_groups_initiatives_by_focus_area(hub_env: BuiltHub) -> None:
    at = app(PROGRAMME)
    assert not at.exception
    assert [h.value for h in at.header] == ["Common use tools", "AI workforce"]
    assert card_titles(at, "h3") == ["I-01 Shared chat assistant", "I-02 Skills for everyone"]
    card = next(h.value for h in get(at, "html") if "I-01 Shared chat assistant" in h.value and "hub-card" in h.value)
    assert "<dt>Goal</dt><dd>The goal of I-01.</dd>" in card
    assert "<dt>Deliverable</dt><dd>The deliverable of I-01.</dd>" in card
    # Linked documents: its related list, then documents tagged with its code.
    assert card.index("Privacy impact assessments for AI") < card.index("Secure chat assistant")
    assert card.count("Privacy impact assessments for AI") == 1


# ---- Index status --------------------------------------------------------------------------------


def test_status_shows_the_live_build_and_failures(hub_env: BuiltHub) -> None:
    at = app(STATUS)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "10"
    assert "with the model fake\\-hash" in texts(at)
    assert get(at, "arrow_vega_lite_chart") or get(at, "vega_lite_chart") or get(at, "bar_chart")
    assert "1 file could not be indexed" in [s.value for s in at.subheader]
    shown = tables(at)
    assert [row["File"] for row in shown["Files that could not be indexed"]] == ["standards/broken.pdf"]
    assert shown["Files that could not be indexed"][0]["Still searchable"] == "No"
    assert [row["Outcome"] for row in shown["Recent build runs"]] == ["published"]
    by_kind = {row["Kind"]: row["Documents"] for row in shown["Documents and passages by kind"]}
    assert by_kind["Guidance"] == "3"


def status_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report: dict[str, Any] | None = None) -> AppTest:
    """Index status for a data folder with no index, whose only run report is `report`."""
    data = tmp_path / "data"
    monkeypatch.setenv("HUB_DATA_DIR", str(data))
    monkeypatch.setenv("HUB_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("HUB_MODEL", "fake-hash")
    monkeypatch.setenv("HUB_LOCAL_EDITOR", "1")
    if report is not None:
        write_report(data, report)
    st.cache_resource.clear()
    at = app(STATUS)
    assert not at.exception
    return at


def hostile_report(tmp_path: Path) -> dict[str, Any]:
    """A run report whose every name, reason and warning is hostile text."""
    link, image, tag, directives, addresses, markup = HOSTILE_TEXTS
    return {
        "started": "2026-11-01T00:00:00+00:00",
        "finished": "2026-11-01T00:01:00+00:00",
        "outcome": "published",
        "message": f"build {link} is live in {tmp_path / 'data' / 'builds' / 'b1'}",
        "build_id": image,
        "failed": [
            {"file": link, "reason": image, "hint": tag, "kept": "yes"},
            {"file": tag, "reason": directives, "hint": f"see {tmp_path / 'data' / 'cache' / 'x.bin'}"},
        ],
        "stale": [link],
        "skipped": [{"file": image, "reason": addresses, "hint": markup}],
        "warnings": {directives: [f"tags: {image} is not a list", markup, f"metadata ({tag}): kind: {addresses}"]},
        "curation": [{"file": link, "line": 3, "problem": markup}],
    }


def test_status_shows_hostile_report_text_exactly_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    link, image, tag, directives, addresses, markup = HOSTILE_TEXTS
    at = status_in(tmp_path, monkeypatch, hostile_report(tmp_path))
    shown = tables(at)
    failed = shown["Files that could not be indexed"]
    assert [(r["File"], r["Reason"], r["What to do"], r["Still searchable"]) for r in failed] == [
        (link, image, tag, "Yes, its last good version"),
        (tag, directives, "see cache/x.bin", "No"),
    ]
    assert shown["Files that were skipped"] == [{"File": image, "Reason": addresses, "What to do": markup}]
    assert shown["Documents indexed with warnings"] == [
        {"Document": directives, "File": directives, "Field": "", "Problem": f"tags: {image} is not a list"},
        {"Document": directives, "File": directives, "Field": "", "Problem": markup},
        {"Document": directives, "File": tag, "Field": "kind", "Problem": addresses},
    ]
    assert shown["Problems in the curation files"] == [{"File": link, "Line": "3", "Problem": markup}]
    assert shown["Recent build runs"][0]["Build"] == image
    headings = [s.value for s in at.subheader]
    assert "2 files could not be indexed" in headings
    assert "1 file was skipped" in headings
    assert "1 document indexed with warnings" in headings
    assert "1 problem in the curation files" in headings
    # Nothing in the tables is markup: the only tags are the table's own.
    for element in get(at, "html"):
        if element.value.startswith('<div class="hub-table-wrap">'):
            assert set(re.findall(r"<(\w+)", element.value)) <= {"div", "table", "thead", "tbody", "tr", "th", "td"}
    # Sentences read Markdown: they show the text as written and carry no live syntax.
    outcome = next(m.value for m in at.markdown if "finished" in m.value)
    assert shown_text(outcome) == f"Published, finished 1 November 2026 00:01 UTC. build {link} is live in builds/b1"
    assert re.search(r"(?<!\\)[\[\]()<>:*`$]", outcome) is None
    assert str(tmp_path) not in texts(at)


def test_status_reads_reports_written_before_the_new_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = {"outcome": "published", "finished": "2026-01-01T00:00", "failed": [{"file": "a.pdf", "reason": "x"}]}
    at = status_in(tmp_path, monkeypatch, old)
    shown = tables(at)
    assert shown["Files that could not be indexed"] == [
        {"File": "a.pdf", "Reason": "x", "What to do": "", "Still searchable": "No"}
    ]
    assert "Files that were skipped" not in shown and "Documents indexed with warnings" not in shown
    clean = status_in(tmp_path, monkeypatch, {"outcome": "unchanged", "finished": "2026-01-01T00:00:00+00:00"})
    assert any("Every file in the corpus was indexed" in s.value for s in clean.success)


@pytest.mark.parametrize(
    "report",
    [
        {"outcome": "published", "failed": 5, "skipped": "x", "warnings": [1, 2], "stale": {"a": 1}},
        {"outcome": ["published"], "failed": [None, 3, {"file": ["a"], "reason": {"b": 1}}], "warnings": {"d": 7}},
        {"outcome": "published", "documents": True, "chunks": -4, "skipped": [{"file": "a", "kept": True}]},
        [1, 2, 3],
        "just a string",
    ],
)
def test_status_survives_damaged_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, report: Any) -> None:
    at = status_in(tmp_path, monkeypatch, report)
    assert at.header[-1].value == "Recent build runs"


def test_status_survives_a_report_nested_too_deep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reports = tmp_path / "data" / "reports"
    reports.mkdir(parents=True)
    (reports / "latest.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    at = status_in(tmp_path, monkeypatch)
    assert any("latest.json cannot be read" in shown_text(w.value) for w in at.warning)


def test_status_without_an_index_still_shows_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reports = tmp_path / "data" / "reports"
    reports.mkdir(parents=True)
    (reports / "latest.json").write_text("{not json", encoding="utf-8")
    at = status_in(tmp_path, monkeypatch)
    assert "No index has been published yet" in texts(at)
    assert any("cannot be read" in w.value for w in at.warning)


def test_status_warns_first_when_an_earlier_build_is_served(hub_env: BuiltHub, monkeypatch: pytest.MonkeyPatch) -> None:
    reason = "The live build b2 could not be read ([x](https://evil.example)); showing the earlier build b1."
    monkeypatch.setattr(Hub, "fallback_reason", property(lambda self: reason), raising=False)
    at = app(STATUS)
    assert not at.exception
    (warning,) = at.warning
    assert shown_text(warning.value) == f"**Readers are being shown an earlier build.** {reason}"
    assert "](https" not in warning.value
    # It comes before everything else the page says.
    assert [e.type for e in list(at.main.children.values())[:3]] == ["title", "warning", "header"]


def test_status_says_nothing_of_a_fallback_normally(hub_env: BuiltHub) -> None:
    assert not app(STATUS).warning


# ---- every page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ALL_PAGES)
def test_pages_without_an_index_point_to_search(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HUB_MODEL", "fake-hash")
    monkeypatch.setenv("HUB_LOCAL_EDITOR", "1")  # the editors' page (Index status) included
    st.cache_resource.clear()
    at = app(page)
    assert not at.exception
    assert "no index" in texts(at).lower()
    assert not (tmp_path / "data" / "LIVE").exists()


@pytest.mark.parametrize("page", ALL_PAGES)
def test_pages_with_a_broken_index_show_an_error(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "LIVE").write_text('{"build": "gone"}', encoding="utf-8")
    monkeypatch.setenv("HUB_DATA_DIR", str(data))
    monkeypatch.setenv("HUB_MODEL", "fake-hash")
    monkeypatch.setenv("HUB_LOCAL_EDITOR", "1")
    st.cache_resource.clear()
    with caplog.at_level(logging.ERROR, logger="hub.portal"):
        at = app(page)
    assert not at.exception
    (error,) = at.error
    if page == STATUS:
        # Editors get the reason, with the server's folders left out.
        assert error.value.startswith("The search index cannot be read: ") and "gone" in error.value
    else:
        assert error.value.startswith("The search index cannot be read right now.")
        assert "gone" not in error.value
    assert str(tmp_path) not in texts(at)
    # The operators get the whole error in the server log.
    assert any(r.levelno == logging.ERROR and "gone" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_has_a_title_and_labelled_navigation(hub_env: BuiltHub, page: str) -> None:
    at = app(page)
    assert at.title and at.title[0].value
    nav = [p.value for p in get(at.sidebar, "page_link")]
    assert nav == [
        "Search",
        "Library",
        "Case studies",
        "AI marketplace",
        "Work programme",
        "Index status",
        "Search insights",
    ]
