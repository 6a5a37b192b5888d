"""With the real bundled model, offline: meaning-based matching and the model's length limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import update_index
from index.search import search
from index.snapshot import open_live
from ingest.embed import SentenceTransformerEmbedder
from ingest.pipeline import indexed_text, prefix_budget, read_document, scan_corpus
from ingest.settings import Settings
from tests.conftest import ROOT, SHARED
from tests.helpers import write_md

pytestmark = pytest.mark.model


def test_paraphrase_with_no_shared_words_finds_the_right_passage(
    tmp_path: Path, real_embedder: SentenceTransformerEmbedder
) -> None:
    corpus = tmp_path / "corpus"
    write_md(
        corpus,
        "leave.md",
        "# Annual leave\n\nStaff accrue four weeks of holiday each year. "
        "Holidays must be approved by a manager before booking travel.",
        title="Leave policy",
    )
    write_md(
        corpus,
        "fleet.md",
        "# Vehicle fleet\n\nPool cars are booked through the transport desk. "
        "Fuel cards must be returned after each trip.",
        title="Fleet",
    )
    write_md(
        corpus,
        "it.md",
        "# Passwords\n\nUse a password manager and turn on multi-factor authentication for every system account.",
        title="Account security",
    )
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    assert update_index(settings, real_embedder).outcome == "published"
    build = open_live(settings)
    try:
        hits = search(build, real_embedder, "how many vacation days do I get", settings.search, mode="dense").hits
    finally:
        build.close()
    assert hits[0].doc_id == "leave.md"
    assert "four weeks of holiday" in hits[0].passages[0].text


def _check_lengths(corpus: Path, embedder: SentenceTransformerEmbedder, settings: Settings) -> int:
    budget = prefix_budget(embedder.max_tokens, settings.chunk_tokens)
    checked = 0
    for source in scan_corpus(corpus).files:
        try:
            doc = read_document(
                source, embedder.count_tokens, embedder.max_tokens, settings.chunk_tokens, settings.chunk_overlap
            )
        except Exception:  # bad files are tested elsewhere; this test is about the good ones
            continue
        for chunk in doc.chunks:
            text = indexed_text(doc.metadata.title, chunk, embedder.count_tokens, budget)
            # +2 for the [CLS] and [SEP] tokens the model adds around every input.
            assert embedder.count_tokens(text) + 2 <= embedder.max_tokens, (source.doc_id, chunk.position)
            checked += 1
    return checked


def test_no_chunk_of_the_sample_corpus_exceeds_the_model_limit(real_embedder: SentenceTransformerEmbedder) -> None:
    assert _check_lengths(ROOT / "corpus", real_embedder, Settings()) > 300


@pytest.mark.shared
@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present on this machine")
def test_no_chunk_of_the_real_documents_exceeds_the_model_limit(real_embedder: SentenceTransformerEmbedder) -> None:
    assert _check_lengths(SHARED / "realdocs", real_embedder, Settings()) > 1000
