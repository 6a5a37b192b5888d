"""Real public-sector files with their known hard cases (needs ../shared; skipped without it)."""

from __future__ import annotations

import shutil

import pytest

from index.build import update_index
from index.search import search
from index.snapshot import open_live
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.conftest import SHARED

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present on this machine"),
]
PDFS = [
    "redbox__Cabinet_Office-Wikipedia.corrupt.pdf",
    "redbox__Cabinet_Office-Wikipedia.pdf",
    "redbox__RiskTriggersReport361.pdf",
    "iai__DSIT_Digital_Inclusion_Case_Study_Aug_2025.pdf",
]


@pytest.fixture
def real_settings(settings: Settings) -> Settings:
    for name in PDFS:
        shutil.copy(SHARED / "realdocs/pdf" / name, settings.corpus_dir / name)
    markdown = SHARED / "realdocs/markdown/defra-ai-sdlc/pages/getting-started"
    shutil.copytree(markdown, settings.corpus_dir / "getting-started")
    return settings


def test_real_documents_index_and_the_corrupt_one_is_reported(real_settings: Settings) -> None:
    embedder = HashEmbedder()
    report = update_index(real_settings, embedder)
    assert report.outcome == "published"
    assert [f.file for f in report.failed] == ["redbox__Cabinet_Office-Wikipedia.corrupt.pdf"]
    assert "no %PDF header" in report.failed[0].reason
    assert report.documents == len(PDFS) - 1 + len(list((real_settings.corpus_dir / "getting-started").glob("*.md")))

    build = open_live(real_settings)
    try:
        # Ligatures: the PDF spells "ﬁ" as one glyph; a plain-letter query still matches it.
        hits = search(build, embedder, "official", real_settings.search, mode="keyword").hits
        assert "redbox__Cabinet_Office-Wikipedia.pdf" in [h.doc_id for h in hits]
        # Non-breaking spaces: words separated by them are separate terms.
        hits = search(build, embedder, "risk triggers", real_settings.search, mode="keyword").hits
        assert hits[0].doc_id == "redbox__RiskTriggersReport361.pdf"
        # One word per line: passages read as sentences, not as a column of words.
        chunks = build.store.chunks_of("iai__DSIT_Digital_Inclusion_Case_Study_Aug_2025.pdf")
        lines = [line for c in chunks for line in c.text.split("\n") if line.strip()]
        assert sum(len(line.split()) == 1 for line in lines) / len(lines) < 0.2
        text = build.store.document_text("iai__DSIT_Digital_Inclusion_Case_Study_Aug_2025.pdf") or ""
        assert "Classify all responses using one or more of these agreed themes" in text
        assert "\u00a0" not in (build.store.document_text("redbox__RiskTriggersReport361.pdf") or "")
    finally:
        build.close()


def test_markdown_front_matter_of_real_guidance_is_read(real_settings: Settings) -> None:
    update_index(real_settings, HashEmbedder())
    build = open_live(real_settings)
    try:
        titles = {r.metadata.title for d, r in build.documents.items() if d.startswith("getting-started/")}
    finally:
        build.close()
    assert all(titles)
    assert not any(t.endswith(".md") for t in titles)


def test_the_same_report_in_two_files_is_found_and_shown_once(settings: Settings) -> None:
    # Two copies of one PDF with different bytes and the same text, and a later edition of another
    # with changed text: the first pair is a duplicate, the second two editions of one work.
    names = [
        "rubysash__NIST.AI.100-1.pdf",
        "thatguy__NIST.AI.100-1.pdf",
        "rubysash__AI_RMF_Playbook.pdf",
        "thatguy__AI_RMF_Playbook.pdf",
    ]
    for name in names:
        shutil.copy(SHARED / "realdocs/pdf" / name, settings.corpus_dir / name)
    assert (settings.corpus_dir / names[0]).read_bytes() != (settings.corpus_dir / names[1]).read_bytes()
    embedder = HashEmbedder()
    report = update_index(settings, embedder)
    assert report.same_text == {"thatguy__NIST.AI.100-1.pdf": "rubysash__NIST.AI.100-1.pdf"}
    build = open_live(settings)
    try:
        hits = search(build, embedder, "trustworthy AI characteristics", settings.search, mode="keyword").hits
        ids = [h.doc_id for h in hits]
        assert len([d for d in ids if "NIST.AI.100-1" in d]) == 1
        playbooks = [h for h in hits if "Playbook" in h.doc_id]
        assert len(playbooks) == 1
        assert {playbooks[0].doc_id, *playbooks[0].editions} == {names[2], names[3]}
    finally:
        build.close()
