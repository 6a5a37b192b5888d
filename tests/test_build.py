"""Building, incremental updates, and the guarantees around the live index."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.build import update_index
from index.errors import BuildLocked, ModelMismatch
from index.layout import build_lock, read_pointer
from index.search import search
from index.snapshot import open_live
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import make_pdf, write_md

TOPICS = ["tractor maintenance", "river water quality", "school lunches", "bus timetables", "library opening hours"]


def fill(corpus: Path, count: int = 5) -> None:
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        write_md(
            corpus,
            f"doc{i}.md",
            f"# About {topic}\n\n" + f"This page explains {topic} in detail. " * 8,
            title=f"Doc {i} on {topic}",
            kind="guidance",
        )


def titles(settings: Settings, query: str, embedder: HashEmbedder) -> list[str]:
    build = open_live(settings)
    try:
        return [h.doc_id for h in search(build, embedder, query, settings.search).hits]
    finally:
        build.close()


def test_first_build_publishes_and_is_searchable(settings: Settings, fake_embedder: HashEmbedder) -> None:
    fill(settings.corpus_dir)
    report = update_index(settings, fake_embedder)
    assert report.outcome == "published"
    assert sorted(report.added) == [f"doc{i}.md" for i in range(5)]
    assert read_pointer(settings) == report.build_id
    assert titles(settings, "tractor maintenance", fake_embedder)[0] == "doc0.md"
    assert (settings.reports_dir / "latest.json").is_file()


def test_rerun_with_no_changes_embeds_nothing_and_keeps_the_build(settings: Settings, fake_embedder) -> None:
    fill(settings.corpus_dir)
    first = update_index(settings, fake_embedder)
    second = update_index(settings, fake_embedder)
    assert second.outcome == "unchanged"
    assert second.embedded == 0
    assert second.build_id == first.build_id
    assert len(second.unchanged) == 5


def test_added_changed_and_deleted_files(settings: Settings, fake_embedder: HashEmbedder) -> None:
    fill(settings.corpus_dir)
    update_index(settings, fake_embedder)
    write_md(settings.corpus_dir, "new.md", "# Kayak safety\n\nWear a life jacket when kayaking.", title="Kayaks")
    write_md(settings.corpus_dir, "doc1.md", "# Changed\n\nNow about volcano monitoring.", title="Volcanoes")
    (settings.corpus_dir / "doc2.md").unlink()
    report = update_index(settings, fake_embedder)
    assert report.outcome == "published"
    assert (report.added, report.updated, report.removed) == (["new.md"], ["doc1.md"], ["doc2.md"])
    assert sorted(report.unchanged) == ["doc0.md", "doc3.md", "doc4.md"]
    # Only the passages of the new and changed files were embedded.
    build = open_live(settings)
    new_chunks = build.documents["new.md"].chunk_count + build.documents["doc1.md"].chunk_count
    build.close()
    assert report.embedded <= new_chunks
    assert "doc2.md" not in titles(settings, "school lunches", fake_embedder)
    assert titles(settings, "volcano monitoring", fake_embedder)[0] == "doc1.md"
    assert titles(settings, "kayak life jacket", fake_embedder)[0] == "new.md"


def test_changing_the_model_rebuilds_everything(settings: Settings, fake_embedder: HashEmbedder) -> None:
    fill(settings.corpus_dir)
    update_index(settings, fake_embedder)
    other = HashEmbedder(dimension=32)
    report = update_index(settings, other)
    assert report.outcome == "published"
    assert sorted(report.updated) == [f"doc{i}.md" for i in range(5)]
    assert report.embedded > 0
    with pytest.raises(ModelMismatch, match="rebuild"):
        titles(settings, "tractor", fake_embedder)


def test_changing_chunk_settings_rebuilds_everything(settings: Settings, fake_embedder: HashEmbedder) -> None:
    from dataclasses import replace

    fill(settings.corpus_dir)
    update_index(settings, fake_embedder)
    report = update_index(replace(settings, chunk_tokens=40), fake_embedder)
    assert len(report.updated) == 5


def test_failed_build_leaves_the_live_index_as_it_was(
    settings: Settings, fake_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(settings.corpus_dir)
    first = update_index(settings, fake_embedder)
    write_md(settings.corpus_dir, "new.md", "# New\n\nfresh content", title="New")

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("index.build.KeywordIndex.build", explode)
    report = update_index(settings, fake_embedder)
    assert report.outcome == "failed"
    assert "disk on fire" in report.message
    assert read_pointer(settings) == first.build_id
    assert not list(settings.builds_dir.glob("*.partial"))
    assert titles(settings, "tractor maintenance", fake_embedder)[0] == "doc0.md"


def test_big_drop_in_documents_is_refused_unless_allowed(settings: Settings, fake_embedder: HashEmbedder) -> None:
    fill(settings.corpus_dir, 10)
    first = update_index(settings, fake_embedder)
    for i in range(5):
        (settings.corpus_dir / f"doc{i}.md").unlink()
    report = update_index(settings, fake_embedder)
    assert report.outcome == "rejected"
    assert "down from 10" in report.message
    assert read_pointer(settings) == first.build_id
    allowed = update_index(settings, fake_embedder, allow_shrink=True)
    assert allowed.outcome == "published"
    assert allowed.documents == 5


def test_empty_corpus_never_publishes_an_empty_index(settings: Settings, fake_embedder: HashEmbedder) -> None:
    report = update_index(settings, fake_embedder)
    assert report.outcome == "rejected"
    assert read_pointer(settings) is None


def test_second_build_while_one_runs_is_refused(settings: Settings, fake_embedder: HashEmbedder) -> None:
    fill(settings.corpus_dir)
    with build_lock(settings), pytest.raises(BuildLocked, match="already running"):
        update_index(settings, fake_embedder)


def test_bad_files_are_reported_and_good_ones_published(settings: Settings, fake_embedder: HashEmbedder) -> None:
    from tests.helpers import make_image_only_pdf

    fill(settings.corpus_dir, 3)
    (settings.corpus_dir / "broken.pdf").write_bytes(b"garbage" * 100)
    (settings.corpus_dir / "scan.pdf").write_bytes(make_image_only_pdf())
    (settings.corpus_dir / "good.pdf").write_bytes(make_pdf(["Harbour dredging schedule and permits. " * 10]))
    report = update_index(settings, fake_embedder)
    assert report.outcome == "published"
    failed = {f.file: f for f in report.failed}
    assert set(failed) == {"broken.pdf", "scan.pdf"}
    assert "probably a scanned document" in failed["scan.pdf"].reason
    assert failed["scan.pdf"].hint
    assert "good.pdf" in report.added
    # An unchanged bad file is not read again, but is still reported.
    again = update_index(settings, fake_embedder)
    assert again.outcome == "unchanged"
    assert {f.file for f in again.failed} == {"broken.pdf", "scan.pdf"}


def test_only_the_newest_builds_are_kept(settings: Settings, fake_embedder: HashEmbedder) -> None:
    from dataclasses import replace

    settings = replace(settings, keep_builds=2)
    fill(settings.corpus_dir)
    for i in range(4):
        write_md(settings.corpus_dir, "changing.md", f"# Version {i}\n\ncontent {i}", title=f"v{i}")
        update_index(settings, fake_embedder)
    builds = [p for p in settings.builds_dir.iterdir() if p.is_dir()]
    assert len(builds) == 2
    assert read_pointer(settings) in {p.name for p in builds}
