"""In Streamlit: "Was this helpful?" on the Document page, and the editors' Search insights page
after a search, a result opened from it and feedback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.app_support import PRIVACY, BuiltHub, app, built, env_for, get, tables, texts

pytestmark = pytest.mark.integration

__all__ = ["built"]  # fixture, used by name

DOCUMENT = "pages/1_Document.py"
INSIGHTS = "pages/7_Search_insights.py"
QUERY = "privacy impact assessment"
THANKS = "Thank you for your feedback."


@pytest.fixture
def own_data(built: BuiltHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The built index in a data folder of this test's own, so its analytics start empty."""
    data = tmp_path / "data"
    shutil.copytree(built.data, data, ignore=shutil.ignore_patterns("analytics"))
    for name, value in env_for(built.corpus, data).items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    yield data
    st.cache_resource.clear()


def send_feedback(at: AppTest, answer: str | None, comment: str = "") -> AppTest:
    if answer is not None:
        at.radio[0].set_value(answer)
    if comment:
        at.text_area[0].input(comment)
    button = next(b for b in at.button if b.label == "Send feedback")
    return button.click().run()


def test_feedback_is_thanked_and_kept_redacted(own_data: Path) -> None:
    at = app(DOCUMENT, doc=PRIVACY, q=QUERY, rank="1")
    assert at.radio[0].label == "Was this helpful?" and at.text_area[0].max_chars == 500
    at = send_feedback(at, None)
    assert "Choose Yes or No" in texts(at) and THANKS not in texts(at)
    at = send_feedback(at, "No", "It never says who signs off. Call me on 021 555 0199")
    assert not at.exception
    assert THANKS in texts(at) and not at.radio  # the question is gone once answered
    page = app(INSIGHTS)
    assert not page.exception
    unhelpful = tables(page)["Documents most often marked unhelpful"]
    assert unhelpful == [
        {
            "Document": PRIVACY,
            "Title": "Privacy impact assessments for AI",
            "Not helpful": "1",
            "Helpful": "0",
            "Latest comments": "It never says who signs off. Call me on [phone]",
        }
    ]
    assert "021 555 0199" not in texts(page)


def test_insights_show_a_search_its_opened_result_and_a_content_gap(own_data: Path) -> None:
    search = app(None, q=QUERY)
    assert not search.exception
    places = {
        parse_qs(link.proto.query_string)["doc"][0]: parse_qs(link.proto.query_string).get("rank")
        for link in get(search, "page_link")
        if "doc=" in link.proto.query_string
    }
    assert places[PRIVACY] == ["1"]  # the first result's link says it is the first
    app(DOCUMENT, doc=PRIVACY, q=QUERY, rank="1")
    app(None, q="zebra quantum lasagne")
    page = app(INSIGHTS)
    assert not page.exception
    shown = tables(page)
    top = {row["Query"]: row for row in shown["Top queries"]}
    assert top[QUERY]["Searches"] == "1" and top[QUERY]["Results opened"] == "1"
    assert [row["Query"] for row in shown["Content gaps: queries with no good match"]] == ["zebra quantum lasagne"]
    position = shown["Click-through by result position"][0]
    assert (position["Position"], position["Opened"], position["Click-through"]) == ("1", "1", "50.0%")
    assert PRIVACY not in {row["Document"] for row in shown["Documents never opened"]}
    assert "guidance/old-privacy.md" in {row["Document"] for row in shown["Documents past their review date"]}
    # A CSV for each table with rows (nothing was unhelpful, and every answered query was opened).
    downloads = {b.key.removeprefix("csv_") for b in get(page, "download_button") if b.label == "Download as CSV"}
    assert downloads == {
        "top-queries.csv",
        "content-gaps.csv",
        "searches-by-week.csv",
        "click-through-by-position.csv",
        "never-opened.csv",
        "past-review-date.csv",
    }
    charts = [
        kind
        for kind in ("arrow_vega_lite_chart", "vega_lite_chart", "line_chart", "bar_chart")
        for _ in get(page, kind)
    ]
    assert len(charts) == 2, charts  # the weekly trend and click-through by position


def test_insights_are_for_editors_only(built: BuiltHub, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env_for(built.corpus, built.data, local_editor=False).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("HUB_LOCAL_EDITOR", raising=False)
    st.cache_resource.clear()
    page = app(INSIGHTS)
    assert "This page is for the hub's editors." in texts(page)
    assert not tables(page)
    links = {link.value for link in get(page, "page_link")}
    assert "Search insights" not in links and "Index status" not in links
    st.cache_resource.clear()


def test_with_analytics_off_nothing_is_asked_or_kept(own_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_ANALYTICS", "off")
    st.cache_resource.clear()
    app(None, q=QUERY)
    at = app(DOCUMENT, doc=PRIVACY, q=QUERY, rank="1")
    assert not at.exception and not at.radio
    page = app(INSIGHTS)
    assert "Search analytics are off" in texts(page)
    assert not (own_data / "analytics").exists()
