"""The Document reader: deep links to a passage, the hostile document, banners, downloads and
every kind of bad id."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from index.api import Hub
from ingest.settings import Settings
from tests.app_support import HOSTILE, NOT_NUMBERS, PDF, PRIVACY, BuiltHub, app, built, get, hub_env, texts

# Runs the command lines as processes or the pages in Streamlit: the integration tier.
pytestmark = pytest.mark.integration

__all__ = ["built", "hub_env"]  # fixtures, used by name

READER = "pages/1_Document.py"


def html_of(at: AppTest, marker: str) -> str:
    return next(h.value for h in get(at, "html") if marker in h.value)


def passage_position(built: BuiltHub, doc_id: str, words: str) -> int:
    view = Hub(Settings.from_env(built.env)).document(doc_id)
    return next(c.position for c in view.chunks if words in c.text)


def test_deep_link_marks_the_passage_and_scrolls_to_it(hub_env: BuiltHub) -> None:
    position = passage_position(hub_env, PRIVACY, "privacy officer signs off")
    at = app(READER, doc=PRIVACY, passage=str(position), q="signs off")
    assert not at.exception
    assert at.title[0].value == "Privacy impact assessments for AI"
    assert any(s.value == "The passage you opened" for s in at.header)
    passage = html_of(at, 'class="hub-passage"')
    assert '<p class="hub-where">Privacy impact assessments › Who signs it off</p>' in passage
    assert "<mark>signs</mark>" in passage and "<mark>off</mark>" in passage
    text = html_of(at, 'class="hub-text"')
    # The passage is marked where it stands in the document, after the anchor the page scrolls to.
    marked = re.search(r'<span id="hub-passage"[^>]*></span>(<mark.*</mark>)', text, re.S)
    assert marked and "privacy officer signs off" in re.sub(r"<[^>]+>", "", marked.group(1))
    assert any("scrollIntoView" in h.value and h.proto.unsafe_allow_javascript for h in get(at, "html"))


def test_the_answering_sentence_is_marked_inside_the_passage(hub_env: BuiltHub) -> None:
    query = "who signs off the assessment"
    hub = Hub(Settings.from_env(hub_env.env))
    chunk = next(c for c in hub.document(PRIVACY).chunks if "privacy officer signs off" in c.text)
    span = hub.answering_sentence(chunk.text, query)
    assert span is not None
    at = app(READER, doc=PRIVACY, passage=str(chunk.position), q=query)
    text = html_of(at, 'class="hub-text"')
    answer = re.findall(r'<mark class="hub-answer"[^>]*>(.*?)</mark>', text, re.S)
    assert " ".join(answer) == chunk.text[span[0] : span[1]]
    assert text.count('id="hub-answer"') == 1
    # Without a query there is no sentence to choose, and the passage alone is marked.
    plain = html_of(app(READER, doc=PRIVACY, passage=str(chunk.position)), 'class="hub-text"')
    assert "hub-answer" not in plain and 'class="hub-mark"' in plain


def test_markdown_is_drawn_with_its_headings(hub_env: BuiltHub) -> None:
    text = html_of(app(READER, doc=PRIVACY), 'class="hub-text"')
    assert "<h2>Privacy impact assessments</h2><h3>When you need one</h3><p>A privacy impact" in text


def test_pdf_passage_shows_its_page(hub_env: BuiltHub) -> None:
    at = app(READER, doc=PDF, passage="0")
    assert not at.exception
    assert '<p class="hub-where">Page 1</p>' in html_of(at, 'class="hub-passage"')
    text = html_of(at, 'class="hub-text"')
    assert '<h2 class="hub-page" id="page-1">Page 1</h2>' in text and 'id="page-2">Page 2</h2>' in text


def test_document_without_passage_has_no_mark_or_script(hub_env: BuiltHub) -> None:
    at = app(READER, doc=PRIVACY)
    assert not at.exception
    assert "<mark" not in html_of(at, 'class="hub-text"')
    assert not any(h.proto.unsafe_allow_javascript for h in get(at, "html"))


@pytest.mark.parametrize("passage", ["abc", "99999", *NOT_NUMBERS])
def test_bad_passage_opens_the_document_at_the_top(hub_env: BuiltHub, passage: str) -> None:
    at = app(READER, doc=PRIVACY, passage=passage)
    assert not at.exception
    assert at.title[0].value == "Privacy impact assessments for AI"
    assert not any(s.value.startswith("The passage you opened") for s in at.header)


def test_metadata_download_and_similar_documents(hub_env: BuiltHub) -> None:
    at = app(READER, doc=PRIVACY)
    about = html_of(at, "About this document")
    assert "<dt>Agency</dt><dd>Privacy Office</dd>" in about
    assert '<a href="Document?doc=guidance%2Fold-privacy.md">Interim privacy advice</a>' in about  # related id -> title
    assert [d.label for d in get(at, "download_button")] == ["Download the original file"]
    similar = html_of(at, 'class="hub-similar"')
    assert "doc=guidance%2Fprivacy.md" not in similar  # never itself
    assert similar.count("<li>") >= 1


def test_hostile_document_is_shown_as_text(hub_env: BuiltHub) -> None:
    at = app(READER, doc=HOSTILE, passage="0")
    assert not at.exception
    # The title goes through Markdown escaping; the body through HTML escaping.
    title = at.title[0].value
    assert title.startswith("Evil \\<script\\>") and re.search(r"(?<!\\)[<>]", title) is None
    for h in get(at, "html"):
        if h.proto.unsafe_allow_javascript:
            assert "alert" not in h.value  # the only script run is our own
            continue
        assert "<script" not in h.value.replace("<style>", "")
        assert "<img" not in h.value and "javascript:" not in h.value.replace("[link](javascript:", "")
    text = html_of(at, 'class="hub-text"')
    assert "&lt;script&gt;alert(&#x27;body&#x27;)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=&quot;alert(&#x27;img&#x27;)&quot;&gt;" in text


BAD_IDS = [
    "nope.md",
    "../corpus/guidance/privacy.md",
    "guidance/../guidance/privacy.md",
    "../../etc/passwd",
    "/etc/passwd",
    "%2e%2e%2fetc%2fpasswd",
    "..%2F..%2Fetc%2Fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "guidance%2Fprivacy.md",
    "guidance\\privacy.md",
    "C:/Windows/win.ini",
    "~/secrets.txt",
    "guidance/privacy.md\x00.txt",
    "./guidance/privacy.md",
    "guidance//privacy.md",
    "x" * 2000,
    "",
]


@pytest.mark.parametrize("doc_id", BAD_IDS)
def test_bad_ids_give_not_found_and_serve_nothing(hub_env: BuiltHub, doc_id: str) -> None:
    at = app(READER, doc=doc_id)
    assert not at.exception
    assert at.title[0].value == "Document not found"
    assert not get(at, "download_button")
    assert 'class="hub-text"' not in texts(at)


def test_missing_doc_parameter_gives_not_found(hub_env: BuiltHub) -> None:
    at = app(READER)
    assert at.title[0].value == "Document not found"


def test_back_link_returns_to_the_same_search_and_filters(hub_env: BuiltHub) -> None:
    at = app(READER, doc=PRIVACY, passage="0", q="  signs   off ", kind="guidance", agency=["Privacy Office", "X"])
    back = next(p for p in get(at, "page_link") if p.value == "Back to the search results")
    assert back.proto.page == ""  # the Search page, the app's entry point
    pairs = [pair.split("=", 1) for pair in back.proto.query_string.split("&")]
    # The unknown agency is dropped: the URL is user input.
    assert sorted(pairs) == sorted([["q", "signs+off"], ["kind", "guidance"], ["agency", "Privacy+Office"]])
    # ...and the search page shows that search.
    search = app(None, **parse_qs(back.proto.query_string))
    assert search.text_input[0].value == "signs off"
    assert search.sidebar.multiselect(key="search_kind").value == ["guidance"]
    assert search.sidebar.multiselect(key="search_agency").value == ["Privacy Office"]


def test_superseded_document_has_a_banner_and_links_its_replacement(hub_env: BuiltHub) -> None:
    at = app(READER, doc="guidance/old-privacy.md")
    warnings = [w.value for w in at.warning]
    assert any("superseded" in w and "Privacy impact assessments for AI" in w for w in warnings)
    assert any("due for review by 1 March 2023" in w for w in warnings)
    link = next(p for p in get(at, "page_link") if p.value == "Read the replacement")
    assert link.proto.query_string == "doc=guidance%2Fprivacy.md"


def test_withdrawn_document_has_an_error_banner(hub_env: BuiltHub) -> None:
    at = app(READER, doc="guidance/withdrawn.md")
    assert any("withdrawn" in e.value for e in at.error)


def test_current_document_has_no_banner(hub_env: BuiltHub) -> None:
    at = app(READER, doc=PRIVACY)
    assert not at.warning and not at.error


def test_original_file_outside_the_corpus_is_not_offered(
    built: BuiltHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same index, but the app is told the corpus lives elsewhere: record paths now point outside it.
    elsewhere = tmp_path / "other-corpus"
    elsewhere.mkdir()
    for name, value in {**built.env, "HUB_CORPUS_DIR": str(elsewhere)}.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    at = app(READER, doc=PRIVACY)
    assert not at.exception
    assert at.title[0].value == "Privacy impact assessments for AI"
    assert not get(at, "download_button")
    assert any("not available" in c.value for c in at.caption)


def test_reader_without_an_index_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HUB_MODEL", "fake-hash")
    st.cache_resource.clear()
    at = app(READER, doc=PRIVACY)
    assert not at.exception
    assert any("no index yet" in i.value for i in at.info)
    assert not (tmp_path / "data" / "LIVE").exists()  # only Search builds
