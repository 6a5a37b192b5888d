"""Which document comes first: the one about the question, not the one that shares its words,
not the longest, and not two editions of the same one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import streamlit as st

from index.build import update_index
from index.duplicates import MIN_EDITION_WORDS, editions
from index.fusion import LENGTH_FREE_PASSAGES, length_adjusted
from index.manifest import Manifest
from index.search import rank_documents, search
from index.snapshot import Snapshot, open_live
from ingest.embed import HashEmbedder
from ingest.settings import SearchSettings, Settings
from tests.app_support import app, env_for, get
from tests.helpers import write_md


def _parks(corpus: Path) -> None:
    """Unrelated documents, so that every leg has a floor to scale against."""
    for i in range(6):
        body = f"# Parks {i}\n\nPlayground equipment is checked for loose bolts each month {i}."
        write_md(corpus, f"other{i}.md", body, title=f"Parks {i}", kind="other")


def _opened(settings: Settings) -> Snapshot:
    assert update_index(settings, HashEmbedder()).outcome == "published"
    return open_live(settings)


def _ranked(build: Snapshot, query: str, settings: SearchSettings | None = None) -> list[str]:
    ranking = rank_documents(build, HashEmbedder(), query, settings or SearchSettings(), limit=3)
    return [d.doc_id for d in ranking.documents]


def test_the_summary_card_counted_again_ranks_the_guidance_above_a_case_study_sharing_words(settings: Settings) -> None:
    corpus = settings.corpus_dir
    write_md(
        corpus,
        "guidance/chatbots.md",
        "# Contact\n\nEvery service open to the public keeps a person to talk to. Staff answer the phone "
        "and the counter. Online help is one channel among several, never the only one.\n",
        title="Chatbots for the public",
        kind="guidance",
        summary="Whether a chatbot may be the only way citizens can contact an agency, and what it must never do.",
    )
    write_md(
        corpus,
        "case-studies/licensing.md",
        "# Results\n\nAfter hours the chatbot was the only way citizens could contact the licensing office. "
        "Citizens who used the chatbot to contact us renewed licences faster; the only complaint was the "
        "chatbot's tone.\n",
        title="Licensing assistant pilot",
        kind="case-study",
        summary="A council trialled an assistant for licence renewals.",
    )
    _parks(corpus)
    build = _opened(settings)
    query = "can a chatbot be the only way citizens contact us"
    assert _ranked(build, query, replace(SearchSettings(), card_weight=1.0))[0] == "guidance/chatbots.md"
    # The case study's text matches the words more often; the summary card is what tells them apart.
    assert _ranked(build, query, replace(SearchSettings(), card_weight=0.0))[0] == "case-studies/licensing.md"


def _manual_and_note(corpus: Path) -> None:
    """A 300-passage manual, one passage of which mentions the query's words in passing, and a
    one-passage note that answers the query."""
    topics = ("invoices", "rosters", "leave", "fleet", "payroll", "tenders", "minutes", "permits", "grants")
    sections = [
        f"## Part {i}\n\nKeep the {topics[i % len(topics)]} of batch {i} in the registry, then send logs "
        f"of batch {i} to archives."
        for i in range(300)
    ]
    sections[150] = "## Part 150\n\nHow long chat logs are kept, and how long phone logs are kept, is in the registry."
    write_md(corpus, "manual.md", "# Records manual\n\n" + "\n\n".join(sections), title="Records manual")
    note = "# Retention\n\nHow long chat logs are kept: seven years from the last message, then they are deleted."
    write_md(corpus, "chat.md", note, title="Keeping chat logs")
    _parks(corpus)


def test_a_300_passage_document_does_not_outrank_a_short_one_that_answers(settings: Settings) -> None:
    _manual_and_note(settings.corpus_dir)
    build = _opened(settings)
    assert build.passage_counts[build.doc_order.index("manual.md")] >= 300
    query = "how long are chat logs kept"
    assert _ranked(build, query)[:2] == ["chat.md", "manual.md"]
    # Scored by its best passage alone, the manual's chance match wins.
    assert _ranked(build, query, replace(SearchSettings(), length_penalty=0.0))[0] == "manual.md"


def test_length_costs_nothing_up_to_a_few_passages_and_then_grows_slowly() -> None:
    docs, scores = np.array([0, 1, 2]), np.array([1.0, 1.0, 1.0])
    counts = np.array([LENGTH_FREE_PASSAGES, 1, LENGTH_FREE_PASSAGES * 100])
    ranked, adjusted = length_adjusted(docs, scores, counts, 0.1)
    assert ranked.tolist() == [0, 1, 2]  # the two short ones tie, in index order
    assert adjusted.tolist() == [1.0, 1.0, 1.0 - 0.1 * np.log(100)]


def _long_text(seed: int, words: int = MIN_EDITION_WORDS + 400) -> list[str]:
    """Sentences of a long text that share no five-word run with another seed's."""
    return [
        f"Clause {seed}-{i} says the agency reviews item {i} of register {seed} each quarter."
        for i in range(words // 11)
    ]


def test_two_long_texts_sharing_most_wording_are_editions_and_others_are_not() -> None:
    first = _long_text(1)
    revised = first[:]
    revised[10:20] = [f"Revised clause {i}: reviews now happen every month." for i in range(10)]
    other = _long_text(2)
    short = " ".join(first[:20])
    docs = [
        ("b-2024.md", " ".join(revised)),
        ("a-2023.md", " ".join(first)),
        ("c.md", " ".join(other)),
        ("d-copy.md", " ".join(first)),  # a copy of a-2023.md: left to the copies
        ("e-short.md", short),
        ("f-short.md", short),  # short texts are never editions, however alike
    ]
    assert editions(docs, {"d-copy.md": "a-2023.md"}) == {"b-2024.md": "a-2023.md"}


def test_a_manifest_keeps_its_editions_and_an_older_one_has_none() -> None:
    manifest = Manifest("b1", editions={"new.pdf": "old.pdf"})
    assert Manifest.from_json(manifest.to_json(), "b1").editions == {"new.pdf": "old.pdf"}
    assert Manifest.from_json({"build_id": "b0"}, "b0").editions == {}


def _two_editions(corpus: Path) -> None:
    old = _long_text(1)
    new = old[:]
    new[5:15] = [f"From this edition, item {i} is reviewed every month." for i in range(10)]
    write_md(corpus, "playbook-2023.md", "# Playbook\n\n" + "\n\n".join(old), title="Review playbook")
    write_md(corpus, "playbook-2024.md", "# Playbook\n\n" + "\n\n".join(new), title="Review playbook")
    write_md(corpus, "quarterly.md", "# Reviews\n\nThe agency reviews its register each quarter.", title="Quarterly")
    _parks(corpus)


EDITIONS_QUERY = "agency reviews register item each quarter"


def test_two_editions_do_not_both_take_the_top_places(settings: Settings) -> None:
    _two_editions(settings.corpus_dir)
    build = _opened(settings)
    assert build.manifest.editions == {"playbook-2024.md": "playbook-2023.md"}
    results = search(build, HashEmbedder(), EDITIONS_QUERY, SearchSettings())
    shown = [h.doc_id for h in results.hits]
    assert len({"playbook-2023.md", "playbook-2024.md"} & set(shown)) == 1
    first = next(h for h in results.hits if h.doc_id.startswith("playbook"))
    assert first.editions == tuple({"playbook-2023.md", "playbook-2024.md"} - {first.doc_id})
    assert first.to_json()["other_editions"] == list(first.editions)
    assert len(shown) == len(set(shown))
    assert results.matched_documents == sum(h.confident for h in results.hits)


def test_the_result_names_the_other_edition_with_a_link(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    _two_editions(settings.corpus_dir)
    _opened(settings).close()
    env = {**env_for(settings.corpus_dir, settings.data_dir), "HUB_CHUNK_TOKENS": "60", "HUB_CHUNK_OVERLAP": "10"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    at = app(q=EDITIONS_QUERY)
    assert not at.exception
    cards = [h.value for h in get(at, "html") if "hub-result" in h.value and "Review playbook" in h.value]
    assert len(cards) == 1
    assert "Another edition is filed as <a href=" in cards[0]
    assert "Review playbook (playbook-20" in cards[0]
