"""The same text filed under two names: reported to editors, shown once in search."""

from __future__ import annotations

import json

import numpy as np
import pytest
import streamlit as st

from index.__main__ import main as index_main
from index.api import Hub
from index.build import update_index
from index.duplicates import MIN_WORDS, first_of_each_group, group_of, same_text
from index.filters import Filters
from index.layout import MANIFEST, write_json_atomic
from index.manifest import Manifest
from index.search import search
from index.snapshot import open_live
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from portal.search_state import SearchState
from tests.app_support import app, env_for, get, tables, texts
from tests.helpers import write_md

BODY = "# Fleet safety\n\nEvery council vehicle gets a brake inspection before winter. " * 6
OTHER = "# Parks\n\nPlayground equipment is checked for loose bolts each month. " * 6


LONG = "Brake checks before winter keep the fleet safe. " * 10


def test_same_text_ignores_case_and_spacing_and_names_the_first_copy() -> None:
    docs = [("c.md", LONG.replace(" ", "  \n")), ("a.md", LONG.upper()), ("b.md", LONG + "More.")]
    assert same_text(docs) == {"c.md": "a.md"}
    assert same_text([("a.md", LONG), ("b.md", LONG.replace("winter", "summer"))]) == {}


def test_short_placeholder_texts_are_not_copies() -> None:
    stub = "Details to follow."
    assert len(stub.split()) < MIN_WORDS
    assert same_text([("a.md", stub), ("b.md", stub)]) == {}


@pytest.mark.parametrize("junk", [None, [], "a.md", {"b.md": ["a.md"]}, {"b.md": 3, 4: "a.md"}])
def test_a_damaged_record_of_copies_counts_as_none(junk: object) -> None:
    assert Manifest.from_json({"duplicates": junk}, "b1").copies() == {}
    mixed = {"duplicates": {"b.md": "a.md", "c.md": ["x"]}}
    assert Manifest.from_json(mixed, "b1").copies() == {"b.md": "a.md"}


def test_groups_keep_the_best_ranked_copy() -> None:
    group = group_of(["a", "b", "c", "d"], {"c": "a", "d": "a", "gone": "a"})
    assert group.tolist() == [0, 1, 0, 0]
    # Best first: c (copy of a), b, a, d -> c and b stay, in that order.
    assert first_of_each_group(np.array([2, 1, 0, 3]), group).tolist() == [0, 1]


@pytest.fixture
def copies(settings: Settings) -> Settings:
    write_md(settings.corpus_dir, "fleet.md", BODY, title="Fleet safety", kind="guidance", agency="Transport")
    write_md(
        settings.corpus_dir, "old/fleet-copy.md", BODY, title="Fleet safety (copy)", kind="guidance", agency="Roads"
    )
    write_md(settings.corpus_dir, "parks.md", OTHER, title="Parks", kind="guidance")
    return settings


def test_editors_are_told_which_file_repeats_which(copies: Settings, fake_embedder: HashEmbedder) -> None:
    report = update_index(copies, fake_embedder)
    assert report.outcome == "published"
    assert report.same_text == {"old/fleet-copy.md": "fleet.md"}
    assert "SAME TEXT old/fleet-copy.md repeats fleet.md" in report.summary()
    assert report.documents == 3  # both copies stay in the index: each can still be opened


def test_search_shows_one_copy_and_names_the_other(copies: Settings, fake_embedder: HashEmbedder) -> None:
    update_index(copies, fake_embedder)
    build = open_live(copies)
    try:
        results = search(build, fake_embedder, "brake inspection before winter", copies.search)
        fleet = [h for h in results.hits if "fleet" in h.doc_id]
        assert len(fleet) == 1
        other = {"fleet.md", "old/fleet-copy.md"} - {fleet[0].doc_id}
        assert fleet[0].copies == tuple(other)
        # The matched count counts the results that clear the confidence bar, a text filed twice once.
        assert results.matched_documents == len([h for h in results.hits if h.confident]) == 1
        # A filter only the copy passes still finds the text, through the copy.
        roads = search(build, fake_embedder, "brake inspection", copies.search, filters=Filters(agencies=("Roads",)))
        assert [h.doc_id for h in roads.hits] == ["old/fleet-copy.md"]
        assert roads.hits[0].copies == ("fleet.md",)
    finally:
        build.close()


def test_removing_the_copy_clears_the_notice(copies: Settings, fake_embedder: HashEmbedder) -> None:
    update_index(copies, fake_embedder)
    (copies.corpus_dir / "old/fleet-copy.md").unlink()
    report = update_index(copies, fake_embedder, allow_shrink=True)
    assert report.outcome == "published" and report.same_text == {}
    build = open_live(copies)
    try:
        hits = search(build, fake_embedder, "brake inspection", copies.search).hits
        assert [h.doc_id for h in hits][:1] == ["fleet.md"] and hits[0].copies == ()
    finally:
        build.close()


def test_cli_json_names_the_copies(
    copies: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    update_index(copies, fake_embedder)
    monkeypatch.setenv("HUB_CORPUS_DIR", str(copies.corpus_dir))
    monkeypatch.setenv("HUB_DATA_DIR", str(copies.data_dir))
    monkeypatch.setenv("HUB_MODEL", "fake-hash")
    monkeypatch.setenv("HUB_CHUNK_TOKENS", str(copies.chunk_tokens))
    monkeypatch.setenv("HUB_CHUNK_OVERLAP", str(copies.chunk_overlap))
    assert index_main(["search", "brake inspection", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    fleet = [h for h in hits if "fleet" in h["doc_id"]]
    assert len(fleet) == 1 and len(fleet[0]["same_text_as"]) == 1


def test_portal_names_the_copy_on_the_result_and_on_index_status(
    copies: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    update_index(copies, fake_embedder)
    for name, value in {**env_for(copies.corpus_dir, copies.data_dir), "HUB_CHUNK_TOKENS": "60"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUB_CHUNK_OVERLAP", "10")
    st.cache_resource.clear()
    at = app(q="brake inspection before winter")
    assert not at.exception
    cards = [h.value for h in get(at, "html") if "hub-result" in h.value]
    fleet = [c for c in cards if "Fleet safety" in c]
    assert len(fleet) == 1
    assert "The same text is also filed as <a href=" in fleet[0]
    assert "q=brake+inspection+before+winter" in fleet[0]  # the copy's link keeps the search
    status = app("pages/6_Index_status.py")
    assert not status.exception
    assert "1 document repeats the text of another" in texts(status)
    rows = tables(status)["Documents that repeat another"]
    assert [(r["Document"], r["Same text as"]) for r in rows] == [("old/fleet-copy.md", "fleet.md")]
    st.cache_resource.clear()


def test_filter_counts_count_a_text_once_for_each_value_its_copies_have(
    copies: Settings, fake_embedder: HashEmbedder
) -> None:
    update_index(copies, fake_embedder)
    hub = Hub(copies, lambda s: fake_embedder)
    query = "brake inspection before winter"
    page = hub.search_page(query, limit=10)
    counts = page.counts.values
    # The text is shown once, but choosing either agency shows it, through the copy that has it.
    assert counts["agency"]["Transport"] == 1 and counts["agency"]["Roads"] == 1
    for agency in ("Transport", "Roads"):
        chosen = SearchState(query, {"agency": (agency,)}).filters()
        confident = [h for h in hub.search_page(query, chosen, limit=10).results.hits if h.confident]
        assert len(confident) == counts["agency"][agency]
    # Both texts match; only the fleet text clears the confidence bar, and it counts once.
    assert len(hub.matching(query)) == 2 and page.results.matched_documents == 1


@pytest.mark.parametrize("agency", [None, "Roads"])
def test_matching_ranks_like_search(copies: Settings, fake_embedder: HashEmbedder, agency: str | None) -> None:
    update_index(copies, fake_embedder)
    hub = Hub(copies, lambda s: fake_embedder)
    filters = Filters(agencies=(agency,)) if agency else Filters()
    shown = [h.doc_id for h in hub.search("brake inspection", filters, limit=10).hits]
    assert shown == [match[0].doc_id for match in hub.matching("brake inspection", filters)]


def test_a_damaged_manifest_entry_opens_as_no_copies(copies: Settings, fake_embedder: HashEmbedder) -> None:
    update_index(copies, fake_embedder)
    folder = open_live(copies).folder
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    write_json_atomic(folder / MANIFEST, {**manifest, "duplicates": {"old/fleet-copy.md": ["fleet.md"]}})
    build = open_live(copies)
    try:
        hits = search(build, fake_embedder, "brake inspection before winter", copies.search).hits
        assert len([h for h in hits if "fleet" in h.doc_id]) == 2
    finally:
        build.close()


def test_a_build_from_before_copies_were_recorded_is_rebuilt_once(
    copies: Settings, fake_embedder: HashEmbedder
) -> None:
    update_index(copies, fake_embedder)
    folder = open_live(copies).folder
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    del manifest["duplicates"]
    write_json_atomic(folder / MANIFEST, manifest)
    report = update_index(copies, fake_embedder)
    assert report.outcome == "published" and report.embedded == 0
    assert report.same_text == {"old/fleet-copy.md": "fleet.md"}
    again = update_index(copies, fake_embedder)
    assert again.outcome == "unchanged"
    assert again.same_text == {"old/fleet-copy.md": "fleet.md"}  # still reported while nothing changes
