"""The Search page (hub_app.py) as a reader meets it: deep links, filters with counts, and the
first-start, no-result and broken-index states."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from index.api import Hub
from ingest.settings import Settings
from portal.labels import value_label
from tests.app_support import (
    HOSTILE,
    HOSTILE_TITLE,
    NOT_NUMBERS,
    PRIVACY,
    BuiltHub,
    app,
    built,
    env_for,
    get,
    hub_env,
    shown_text,
    texts,
    write_corpus,
)
from tests.helpers import write_md

# Runs the command lines as processes or the pages in Streamlit: the integration tier.
pytestmark = pytest.mark.integration

__all__ = ["built", "hub_env"]  # fixtures, used by name


def result_cards(at: AppTest) -> list[str]:
    return [h.value for h in get(at, "html") if h.value.startswith('<article class="hub-result">')]


def result_titles(at: AppTest) -> list[str]:
    return [m.group(1) for card in result_cards(at) if (m := re.search(r"<h3>(.*?)</h3>", card))]


def answer_titles(at: AppTest) -> list[str]:
    """The results shown as answers: none when the page says nothing clearly answers the query
    (its cards are then the closest documents only)."""
    if any("nothing that clearly answers" in w.value for w in at.warning):
        return []
    return result_titles(at)


def count_in_label(label: str) -> int:
    match = re.search(r"\((\d+)\)$", label)
    assert match, label
    return int(match.group(1))


def test_deep_link_shows_results_and_keeps_the_url(hub_env: BuiltHub) -> None:
    at = app(q="privacy impact assessment", kind="guidance")
    assert not at.exception
    assert at.text_input[0].value == "privacy impact assessment"
    assert at.sidebar.multiselect(key="search_kind").value == ["guidance"]
    titles = result_titles(at)
    assert titles and titles[0] == "Privacy impact assessments for AI"
    assert all("Guidance · " in card for card in result_cards(at))
    assert at.query_params == {"q": "privacy impact assessment", "kind": "guidance"}


def test_reload_with_same_url_shows_same_results(hub_env: BuiltHub) -> None:
    first = result_titles(app(q="chat assistant", focus_area="Common use tools"))
    st.cache_resource.clear()
    again = result_titles(app(q="chat assistant", focus_area="Common use tools"))
    assert first and first == again


def test_result_links_open_the_reader_at_the_best_passage(hub_env: BuiltHub) -> None:
    at = app(q="privacy officer signs off")
    link = next(p for p in get(at, "page_link") if "Privacy impact assessments for AI" in p.value)
    assert link.proto.page == "Document"
    params = dict(pair.split("=", 1) for pair in link.proto.query_string.split("&"))
    assert params["doc"] == "guidance%2Fprivacy.md"
    assert params["passage"].isdigit()
    assert params["q"] == "privacy+officer+signs+off"
    # The passage about signing off is the one shown and linked.
    card = next(c for c in result_cards(at) if "Privacy impact assessments for AI" in c)
    assert "<mark>signs</mark>" in card


def test_result_links_carry_the_filters_for_the_way_back(hub_env: BuiltHub) -> None:
    at = app(q="chat assistant", kind="tool", year="2025")
    link = next(p for p in get(at, "page_link") if "Secure chat assistant" in p.value)
    pairs = [pair.split("=", 1) for pair in link.proto.query_string.split("&")]
    assert ["kind", "tool"] in pairs and ["year", "2025"] in pairs and ["q", "chat+assistant"] in pairs


def test_query_terms_are_highlighted_and_escaped(hub_env: BuiltHub) -> None:
    at = app(q="alert watch out")
    card = next(c for c in result_cards(at) if "Evil" in c)
    assert "<script" not in card and "<img" not in card
    assert "&lt;script&gt;" in card and "&lt;img src=x onerror=" in card
    assert "<mark>Watch</mark>" in card
    label = next(p.value for p in get(at, "page_link") if "Evil" in p.value)
    assert "\\<script\\>" in label  # Markdown-escaped: shown as text, not parsed


def test_every_filter_count_is_the_number_of_results_choosing_it_leaves(hub_env: BuiltHub) -> None:
    at = app(q="privacy chat assistant")
    labels = at.sidebar.multiselect(key="search_kind").options
    for value in ("guidance", "tool", "case-study", "standard"):
        label = next(label for label in labels if label.startswith(value_label("kind", value) + " ("))
        chosen = app(q="privacy chat assistant", kind=value)
        assert len(answer_titles(chosen)) == count_in_label(label)


def test_counts_of_one_facet_apply_the_other_filters(hub_env: BuiltHub) -> None:
    at = app(q="privacy chat assistant", kind="tool")
    agencies = at.sidebar.multiselect(key="search_agency").options
    assert "Privacy Office (0)" in agencies  # no tool comes from the Privacy Office
    kinds = at.sidebar.multiselect(key="search_kind").options
    assert any(k.startswith("Guidance (") and count_in_label(k) > 0 for k in kinds)  # its own filter is ignored


def test_choosing_a_filter_updates_results_and_url(hub_env: BuiltHub) -> None:
    at = app(q="chat assistant")
    at.sidebar.multiselect(key="search_kind").select("tool").run()
    assert not at.exception
    assert at.query_params == {"q": "chat assistant", "kind": "tool"}
    # The translation tool shares no word or meaning with the query: it is not offered as an answer.
    assert result_titles(at) == ["Secure chat assistant"]
    at.sidebar.selectbox(key="search_year").select("2025").run()
    assert at.query_params["year"] == "2025"
    assert result_titles(at) == ["Secure chat assistant"]


def test_new_query_after_an_empty_one_keeps_filters_and_query(hub_env: BuiltHub) -> None:
    at = app(q="privacy", kind="guidance")
    at.text_input(key="search_q").set_value("")
    at.button[0].click().run()  # the form's Search button
    assert at.query_params == {"kind": "guidance"}
    at.text_input(key="search_q").set_value("chat assistant")
    at.button[0].click().run()
    assert not at.exception
    assert at.query_params == {"q": "chat assistant", "kind": "guidance"}
    assert at.sidebar.multiselect(key="search_kind").value == ["guidance"]
    assert result_titles(at)[0] == "Withdrawn chat assistant rules"


def test_invalid_url_values_are_dropped(hub_env: BuiltHub) -> None:
    at = app(q="privacy", kind=["bogus", "guidance"], year="1900", status="<script>")
    assert not at.exception
    assert at.sidebar.multiselect(key="search_kind").value == ["guidance"]
    assert at.sidebar.selectbox(key="search_year").value == ""
    assert at.query_params == {"q": "privacy", "kind": "guidance"}


@pytest.mark.parametrize("year", NOT_NUMBERS)
def test_a_year_that_is_not_a_number_is_dropped(hub_env: BuiltHub, year: str) -> None:
    at = app(q="privacy", year=year)
    assert not at.exception
    assert at.sidebar.selectbox(key="search_year").value == ""
    assert at.query_params == {"q": "privacy"}
    assert result_titles(at)


def test_no_results_suggests_removing_a_filter(hub_env: BuiltHub) -> None:
    at = app(q="privacy", kind="tool", agency="Privacy Office")
    assert not at.exception
    assert "No documents match your search with the filters chosen" in texts(at)
    buttons = [b.label for b in at.button]
    assert any(label.startswith("Remove the Kind filter (") for label in buttons)
    at.button(key="remove_agency").click().run()
    assert at.query_params == {"q": "privacy", "kind": "tool"}
    assert result_titles(at)


def test_a_query_without_words_gives_no_results_not_an_error(hub_env: BuiltHub) -> None:
    at = app(q="?!?")
    assert not at.exception
    assert "No documents match your search" in texts(at)


def test_empty_query_invites_a_search(hub_env: BuiltHub) -> None:
    at = app()
    assert not at.exception
    assert "Type a question" in texts(at)
    assert not at.sidebar.multiselect


def test_first_start_builds_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus)
    for name, value in env_for(corpus, data).items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    at = app()
    assert not at.exception
    assert any("The index is ready" in s.value for s in at.success)
    assert Hub(Settings.from_env(env_for(corpus, data))).has_index()
    at = app(q="privacy")
    assert "Privacy impact assessments for AI" in result_titles(at)


def test_first_start_with_empty_corpus_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "corpus").mkdir()
    for name, value in env_for(tmp_path / "corpus", tmp_path / "data").items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    at = app()
    assert not at.exception
    assert any("could not be built" in e.value for e in at.error)
    assert str(tmp_path) not in texts(at)  # the run's message names the corpus folder
    assert "See why on the Index status page" in [p.proto.label for p in get(at.main, "page_link")]
    # The next visit does not build again by itself; it says why there is no index and offers to.
    at = app()
    assert any("the last build was rejected" in e.value for e in at.error)
    at.button[-1].click().run()
    assert not at.exception
    assert any("could not be built" in e.value for e in at.error)


@pytest.mark.parametrize("pointer", ['{"build": "no-such-build"}', "not json", '{"build": "../escape"}'])
def test_unreadable_index_is_an_error_message_not_a_traceback(
    built: BuiltHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pointer: str, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "LIVE").write_text(pointer, encoding="utf-8")
    for name, value in env_for(built.corpus, data).items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    with caplog.at_level(logging.ERROR, logger="hub.portal"):
        at = app(q="privacy")
    assert not at.exception
    (error,) = at.error
    # Readers get a plain sentence: no server path, no library's words.
    assert shown_text(error.value) == (
        "The search index cannot be read right now. "
        "The details are in the server log for the hub's operators; please try again later."
    )
    assert str(tmp_path) not in texts(at)
    # The operators get the full error, traceback included.
    (logged,) = [r for r in caplog.records if r.name == "hub.portal"]
    assert logged.levelno == logging.ERROR and logged.exc_info is not None


def test_bad_setting_is_an_error_message(
    hub_env: BuiltHub, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HUB_CHUNK_TOKENS", "lots")
    with caplog.at_level(logging.ERROR, logger="hub.portal"):
        at = app(q="privacy")
    assert not at.exception
    assert any("not configured correctly" in e.value for e in at.error)
    assert "lots" not in texts(at)
    assert any("HUB_CHUNK_TOKENS" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("query", "doc_id", "title", "text"),
    [
        ("alert", HOSTILE, HOSTILE_TITLE, "should all show as text"),
        ("privacy impact assessment", PRIVACY, "Privacy impact assessments for AI", "The privacy officer signs off"),
    ],
)
def test_a_result_link_opens_that_document_in_the_reader(
    hub_env: BuiltHub, query: str, doc_id: str, title: str, text: str
) -> None:
    at = app(q=query)
    link = next(p for p in get(at, "page_link") if parse_qs(p.proto.query_string).get("doc") == [doc_id])
    assert "doc=" + doc_id.replace("/", "%2F") in link.proto.query_string  # found by its id, not its title
    reader = app("pages/1_Document.py", **parse_qs(link.proto.query_string))
    assert not reader.exception
    assert shown_text(reader.title[0].value) == title  # a hostile title shows as text
    assert any(text in h.value for h in get(reader, "html") if 'class="hub-text"' in h.value)


def test_a_newly_published_index_is_picked_up_without_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_corpus(corpus)
    for name, value in env_for(corpus, data).items():
        monkeypatch.setenv(name, value)
    settings = Settings.from_env(env_for(corpus, data))
    Hub(settings).update()
    st.cache_resource.clear()
    assert "Zebra crossings" not in result_titles(app(q="zebra crossing"))
    write_md(
        corpus, "guidance/zebra.md", "# Zebra crossings\n\nWhere zebra crossing signs go.\n", title="Zebra crossings"
    )
    assert Hub(settings).update().outcome == "published"
    # Same process, same cached Hub: the next search sees the new build.
    assert "Zebra crossings" in result_titles(app(q="zebra crossing"))


def test_show_more_adds_a_page_of_results_until_all_are_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    for i in range(45):
        write_md(corpus, f"notes/n{i:02}.md", f"# Ferry notes {i}\n\nThe harbour ferry timetable, edition {i}.\n")
    for name, value in env_for(corpus, data).items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    assert Hub(Settings.from_env(env_for(corpus, data))).update().outcome == "published"
    at = app(q="harbour ferry timetable")
    assert not at.exception
    assert len(result_cards(at)) == 20
    assert "45 documents match; showing the 20 most relevant" in texts(at)
    first = result_titles(at)
    more_button(at, "Show 20 more results").click().run()
    assert len(result_cards(at)) == 40
    assert result_titles(at)[:20] == first and len(set(result_titles(at))) == 40
    more_button(at, "Show 5 more results").click().run()
    assert len(result_cards(at)) == 45
    assert not [b for b in at.button if b.label.startswith("Show ")]
    # A new search starts again at one page.
    at.text_input(key="search_q").set_value("ferry notes")
    at.button[0].click().run()  # the form's Search button
    assert len(result_cards(at)) == 20
    st.cache_resource.clear()


def more_button(at: AppTest, label: str) -> Any:
    found = [b for b in at.button if b.label.startswith("Show ")]
    assert [b.label for b in found] == [label]
    return found[0]


def test_any_year_counts_undated_documents_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The "Any year (N)" count is what removing the year filter shows, undated documents included."""
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    write_md(corpus, "dated.md", "Ferry timetable changes for the winter season. " * 5, published="2025-03-01")
    write_md(corpus, "undated.md", "Ferry timetable notes kept by the harbour office. " * 5)
    for name, value in env_for(corpus, data).items():
        monkeypatch.setenv(name, value)
    assert Hub(Settings.from_env(env_for(corpus, data))).update().outcome == "published"
    st.cache_resource.clear()
    at = app(q="ferry timetable", year="2025")
    assert result_titles(at) == ["Dated"]
    assert at.sidebar.selectbox(key="search_year").options[0] == "Any year (2)"


NOTHING = "blorptastic quenmire fladdow"


def test_gibberish_says_nothing_clearly_answers_and_shows_the_closest_documents(hub_env: BuiltHub) -> None:
    at = app(q=NOTHING)
    assert not at.exception
    warning = " ".join(w.value for w in at.warning).replace("\\", "")  # Markdown escapes dropped
    assert f"The hub has nothing that clearly answers “{NOTHING}”." in warning
    assert "fewer words" in warning and "Library" in warning and "editorial team" in warning
    assert [s.value for s in at.subheader] == ["Closest documents, which may not answer your question"]
    assert 0 < len(result_titles(at)) <= 5  # the closest documents, still there to check
    assert not any("documents match" in m.value for m in at.markdown)
    # Filter counts count confident results only: here there are none.
    kinds = at.sidebar.multiselect(key="search_kind").options
    assert kinds and all(count_in_label(label) == 0 for label in kinds)
    assert any(p.value == "Browse every document in the Library" for p in get(at, "page_link"))


def test_an_answerable_query_shows_its_confident_results_without_the_warning(hub_env: BuiltHub) -> None:
    at = app(q="privacy impact assessment")
    assert not at.warning and not at.subheader
    line = next(m.value for m in at.markdown if "documents match" in m.value)
    matched = int(line.split()[0])
    assert matched == len(result_titles(at)) >= 1
    assert result_titles(at)[0] == "Privacy impact assessments for AI"


def test_a_filter_that_leaves_no_confident_result_suggests_removing_it(hub_env: BuiltHub) -> None:
    at = app(q="privacy impact assessment", kind="tool")
    warning = " ".join(w.value for w in at.warning)
    assert "nothing that clearly answers" in warning and "Remove a filter" in warning
    assert result_titles(at)  # the closest tools
