"""A document that was indexed and now fails keeps its last good version; damage in the live
index is never carried into the next build; nothing a killed run left behind stays for ever."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from index.api import Hub
from index.build import update_index
from index.errors import IndexCorrupt
from index.layout import read_pointer
from index.reports import FileNote
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.helpers import refuse_listing, write_md


def fill(corpus: Path) -> None:
    for name, topic in (
        ("ferries", "catamaran timetables"),
        ("libraries", "lending periods"),
        ("roads", "pothole repairs"),
    ):
        write_md(corpus, f"{name}.md", f"# {name}\n\n" + f"All about {topic} for the region. " * 12, title=name)


def top(settings: Settings, query: str) -> str | None:
    hits = Hub(settings, lambda s: HashEmbedder()).search(query, mode="keyword").hits
    return hits[0].doc_id if hits else None


def manifest(settings: Settings) -> dict:
    live = read_pointer(settings)
    return json.loads((settings.builds_dir / str(live) / "manifest.json").read_text(encoding="utf-8"))


def test_a_document_that_starts_failing_keeps_its_last_good_version(settings: Settings) -> None:
    fill(settings.corpus_dir)
    update_index(settings, HashEmbedder())
    (settings.corpus_dir / "ferries.md").write_bytes(b"\x00\x01binary now" * 50)
    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published"
    assert report.failed == [
        FileNote("ferries.md", "binary data in a text file", "The file may be mislabelled: check its extension.", True)
    ]
    assert report.stale == ["ferries.md"]
    assert "ferries.md" not in report.removed
    assert top(settings, "catamaran timetables") == "ferries.md"
    stale = manifest(settings)["stale"]
    assert stale["ferries.md"]["reason"] == "binary data in a text file"
    assert "last good version is still searchable" in report.summary()

    # The same broken bytes the next night: nothing to rebuild, still kept, still reported.
    again = update_index(settings, HashEmbedder())
    assert again.outcome == "unchanged"
    assert again.stale == ["ferries.md"] and again.failed[0].kept
    assert top(settings, "catamaran timetables") == "ferries.md"

    # Mended: the new text replaces the old and the document is no longer stale.
    write_md(settings.corpus_dir, "ferries.md", "# ferries\n\n" + "Hydrofoil fares rise in spring. " * 10)
    mended = update_index(settings, HashEmbedder())
    assert mended.outcome == "published" and mended.stale == [] and mended.failed == []
    assert top(settings, "hydrofoil fares") == "ferries.md"
    assert manifest(settings)["stale"] == {}


def test_a_deleted_document_is_removed_not_kept(settings: Settings) -> None:
    fill(settings.corpus_dir)
    update_index(settings, HashEmbedder())
    (settings.corpus_dir / "roads.md").unlink()
    report = update_index(settings, HashEmbedder(), allow_shrink=True)
    assert report.outcome == "published"
    assert report.removed == ["roads.md"] and report.stale == []
    assert top(settings, "pothole repairs") != "roads.md"


def test_documents_in_a_folder_that_cannot_be_listed_are_kept(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(settings.corpus_dir)
    write_md(settings.corpus_dir, "harbour/moorings.md", "# moorings\n\n" + "Swing mooring permits. " * 12)
    update_index(settings, HashEmbedder())
    refuse_listing(monkeypatch, "harbour")
    report = update_index(settings, HashEmbedder())
    assert report.removed == []
    assert report.stale == ["harbour/moorings.md"]
    assert any(f.file == "harbour/" and "could not be read" in f.reason for f in report.failed)
    assert top(settings, "swing mooring permits") == "harbour/moorings.md"


def _damage_page_holding(path: Path, marker: bytes) -> None:
    """Overwrite the SQLite page that holds `marker` with garbage, as a bad disk block would."""
    data = path.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    offset = data.index(marker)
    start = offset - offset % page_size
    with open(path, "r+b") as handle:
        handle.seek(start)
        handle.write(b"\xff" * page_size)


def test_a_damaged_passage_in_the_live_store_is_read_again_from_its_file(settings: Settings) -> None:
    fill(settings.corpus_dir)
    # A long text: its full text spills into SQLite overflow pages, which opening the build
    # never reads, so the build opens and only this document is damaged.
    body = " ".join(f"Section {i} sets out wharf fee schedule item {i} for operators." for i in range(400))
    write_md(settings.corpus_dir, "wharves.md", "# wharves\n\n" + body + " Closing note zanzibarfee.")
    update_index(settings, HashEmbedder())
    live = read_pointer(settings)
    store = settings.builds_dir / str(live) / "store.sqlite"
    _damage_page_holding(store, b"Section 200 sets out")
    with pytest.raises(IndexCorrupt):
        Hub(settings, lambda s: HashEmbedder()).document("wharves.md")

    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published", report.message
    assert "wharves.md" in report.updated
    assert any("damaged" in w for w in report.warnings["wharves.md"])
    view = Hub(settings, lambda s: HashEmbedder()).document("wharves.md")
    assert "Section 200 sets out wharf fee schedule item 200" in view.text
    assert top(settings, "zanzibarfee") == "wharves.md"


def test_an_unchanged_run_removes_builds_a_killed_run_left_behind(settings: Settings) -> None:
    fill(settings.corpus_dir)
    update_index(settings, HashEmbedder())
    live = str(read_pointer(settings))
    # A run killed after renaming its build into place, before publishing it, leaves this.
    leftover = settings.builds_dir / "20200101T000000000000Z-dead00"
    shutil.copytree(settings.builds_dir / live, leftover)
    assert update_index(settings, HashEmbedder()).outcome == "unchanged"
    assert not leftover.exists()
    assert (settings.builds_dir / live).is_dir()


def test_a_damaged_live_build_is_replaced_starting_from_the_newest_intact_one(settings: Settings) -> None:
    fill(settings.corpus_dir)
    update_index(settings, HashEmbedder())
    write_md(settings.corpus_dir, "parks.md", "# parks\n\n" + "Dog exercise areas in parks. " * 10)
    update_index(settings, HashEmbedder())
    damaged = str(read_pointer(settings))
    (settings.builds_dir / damaged / "vectors.faiss").write_bytes(b"not an index")

    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published"
    assert read_pointer(settings) != damaged
    assert any("could not be opened" in n and "started from build" in n for n in report.notices)
    # Only the document the earlier build lacked was read again.
    assert report.added == ["parks.md"] and len(report.unchanged) == 3
    assert top(settings, "dog exercise areas") == "parks.md"


def test_raising_a_limit_retries_the_files_it_failed(settings: Settings) -> None:
    """A failure's hint may say to raise a limit; the next run must then read the file again
    rather than repeat the recorded failure."""
    fill(settings.corpus_dir)
    write_md(settings.corpus_dir, "long.md", "# long\n\n" + "Tidal harbour dredging notes. " * 100)
    tight = replace(settings, limits=replace(settings.limits, max_text_chars=1000))
    first = update_index(tight, HashEmbedder())
    assert [f.file for f in first.failed] == ["long.md"]
    assert "HUB_MAX_TEXT_CHARS" in first.failed[0].reason
    assert update_index(tight, HashEmbedder()).outcome == "unchanged"
    again = update_index(settings, HashEmbedder())
    assert again.outcome == "published" and again.failed == []
    assert top(settings, "tidal harbour dredging") == "long.md"


def test_a_summary_of_one_long_word_is_not_mistaken_for_damage(settings: Settings) -> None:
    fill(settings.corpus_dir)
    write_md(settings.corpus_dir, "code.md", "# code\n\n" + "Reference codes for grants. " * 10, summary="x-" * 400)
    update_index(settings, HashEmbedder())
    write_md(settings.corpus_dir, "extra.md", "# extra\n\n" + "Another topic entirely. " * 10)
    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published"
    assert "code.md" in report.unchanged and "code.md" not in report.warnings


def test_a_damaged_history_never_costs_the_earlier_builds(settings: Settings) -> None:
    fill(settings.corpus_dir)
    for version in range(3):
        write_md(settings.corpus_dir, "notes.md", f"# notes\n\nVersion {version} of the notes. " * 5)
        update_index(settings, HashEmbedder())
    before = sorted(p.name for p in settings.builds_dir.iterdir())
    assert len(before) == 3
    (settings.data_dir / "history.json").write_text("{not json", encoding="utf-8")
    assert update_index(settings, HashEmbedder()).outcome == "unchanged"
    assert sorted(p.name for p in settings.builds_dir.iterdir()) == before
    write_md(settings.corpus_dir, "notes.md", "# notes\n\nVersion 4 of the notes. " * 5)
    assert update_index(settings, HashEmbedder()).outcome == "published"
    # Pruning kept the newest three, read from the folders since the history was lost.
    after = sorted(p.name for p in settings.builds_dir.iterdir())
    assert len(after) == 3 and after[:2] == before[1:]


def test_a_failed_file_that_is_deleted_is_no_longer_reported(settings: Settings) -> None:
    fill(settings.corpus_dir)
    (settings.corpus_dir / "empty.md").write_text("", encoding="utf-8")
    assert [f.file for f in update_index(settings, HashEmbedder()).failed] == ["empty.md"]
    (settings.corpus_dir / "empty.md").unlink()
    report = update_index(settings, HashEmbedder())
    assert report.failed == []
    assert manifest(settings)["failures"] == {}


def test_a_file_stopped_every_night_is_retried_without_publishing_copies(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading that was stopped (time or memory) is tried again each run; when it fails again
    and nothing else changed, no identical build is published over the ones kept for rollback."""
    from ingest.reading import FileReader, OutOfMemory

    fill(settings.corpus_dir)
    update_index(settings, HashEmbedder())
    write_md(settings.corpus_dir, "heavy.md", "# heavy\n\n" + "Large survey tables. " * 10)
    real_read = FileReader.read
    tries: list[str] = []

    def read(self: FileReader, source: object, limits: object) -> object:
        if getattr(source, "doc_id", "") == "heavy.md":
            tries.append("heavy.md")
            raise OutOfMemory("heavy.md", 1024 * 1024 * 1024)
        return real_read(self, source, limits)  # type: ignore[arg-type]

    monkeypatch.setattr(FileReader, "read", read)
    first = update_index(settings, HashEmbedder())
    assert first.outcome == "published" and "memory" in first.failed[0].reason
    history = json.loads((settings.data_dir / "history.json").read_text(encoding="utf-8"))
    for _ in range(2):
        again = update_index(settings, HashEmbedder())
        assert again.outcome == "unchanged" and [f.file for f in again.failed] == ["heavy.md"]
    assert tries == ["heavy.md"] * 3
    assert json.loads((settings.data_dir / "history.json").read_text(encoding="utf-8")) == history


def test_a_lost_history_never_rolls_back_to_a_rejected_build(settings: Settings) -> None:
    from index.layout import rollback
    from index.snapshot import opens

    fill(settings.corpus_dir)
    for version in range(3):
        write_md(settings.corpus_dir, "notes.md", f"# notes\n\nVersion {version} of the notes. " * 5)
        update_index(settings, HashEmbedder())
    rejected = str(read_pointer(settings))
    back = rollback(settings, opens)
    (settings.data_dir / "history.json").unlink()
    write_md(settings.corpus_dir, "notes.md", "# notes\n\nVersion 9 of the notes. " * 5)
    update_index(settings, HashEmbedder())
    assert rollback(settings, opens) != rejected
    assert str(read_pointer(settings)) <= back
