"""Reading one file inside limits, in a worker process that is stopped when it runs over."""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.errors import LoadError
from ingest.reading import FileReader, read_regular
from ingest.scan import scan_corpus
from ingest.settings import MB, Limits
from ingest.types import SourceFile
from tests.helpers import refuse_listing

GOOD = "Agencies record each AI system in the register before it goes live. " * 20


def source(path: Path, fmt: str = "text") -> SourceFile:
    return SourceFile(path.name, str(path), fmt, "", path.stat().st_size, None)


@pytest.fixture
def reader() -> Iterator[FileReader]:
    reader = FileReader(memory_bytes=1024 * MB)
    yield reader
    reader.close()


def test_a_file_is_read_in_the_worker(reader: FileReader, tmp_path: Path) -> None:
    path = tmp_path / "register.txt"
    path.write_text(GOOD, encoding="utf-8")
    text = reader.read(source(path), Limits())
    assert "register before it goes live" in text.extracted.text


def test_a_file_that_reads_too_long_is_stopped_and_the_next_file_still_reads(
    reader: FileReader, tmp_path: Path
) -> None:
    slow = tmp_path / "slow.html"
    slow.write_text("<html><body>" + "<p>a paragraph</p>" * 300_000 + "</body></html>", encoding="utf-8")
    with pytest.raises(LoadError) as failure:
        reader.read(source(slow, "html"), Limits(timeout_s=0.05))
    assert "took longer than 0.05 s" in failure.value.reason
    assert "HUB_FILE_TIMEOUT" in failure.value.reason
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    assert "register" in reader.read(source(good), Limits()).extracted.text


def test_a_file_that_needs_too_much_memory_fails_alone(tmp_path: Path) -> None:
    reader = FileReader(memory_bytes=400 * MB)
    try:
        huge = tmp_path / "huge.txt"
        huge.write_bytes(b"word " * (150 * MB // 5))
        with pytest.raises(LoadError) as failure:
            reader.read(source(huge), Limits(max_file_bytes=200 * MB, max_text_chars=10**9))
        assert "more than 400 MB of memory" in failure.value.reason
        good = tmp_path / "good.txt"
        good.write_text(GOOD, encoding="utf-8")
        assert "register" in reader.read(source(good), Limits()).extracted.text
    finally:
        reader.close()


def test_a_worker_that_dies_is_reported_and_replaced(reader: FileReader, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(GOOD, encoding="utf-8")
    reader.read(source(good), Limits())
    assert reader._process is not None
    reader._process.kill()
    reader._process.wait()
    # A dead worker is noticed before the next file and replaced.
    assert "register" in reader.read(source(good), Limits()).extracted.text


def test_reading_never_follows_a_link_swapped_in_after_the_scan(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    link = tmp_path / "doc.txt"
    os.symlink(outside, link)
    with pytest.raises(OSError):
        read_regular(str(link), 1000)


def test_reading_refuses_a_named_pipe_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    with pytest.raises(OSError):
        read_regular(str(pipe), 1000)


def test_a_folder_that_cannot_be_listed_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "open").mkdir()
    (tmp_path / "open/a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked/b.txt").write_text(GOOD, encoding="utf-8")
    refuse_listing(monkeypatch, "locked")
    scan = scan_corpus(tmp_path)
    assert [f.doc_id for f in scan.files] == ["open/a.txt"]
    assert scan.unreadable == ["locked/"]
    assert scan.covers_unread("locked/b.txt")
    assert "could not be read (Permission denied)" in scan.failures[0].reason


def test_the_worker_never_runs_the_parents_main_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside the portal the main module is a Streamlit page: a worker that ran it again would
    draw the page, or start a build, in the background."""
    marker = tmp_path / "page-ran"
    page = tmp_path / "page.py"
    page.write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    main = types.ModuleType("__main__")
    main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", main)
    reader = FileReader(memory_bytes=1024 * MB)
    try:
        good = tmp_path / "good.txt"
        good.write_text(GOOD, encoding="utf-8")
        assert "register" in reader.read(source(good), Limits()).extracted.text
    finally:
        reader.close()
    assert not marker.exists()


def test_links_into_hidden_folders_are_skipped_but_links_to_underscore_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "_drafts").mkdir()
    (tmp_path / "_drafts/plan.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "_intro.md").write_text(GOOD, encoding="utf-8")
    (tmp_path / "links").mkdir()
    (tmp_path / "links/plan.md").symlink_to(tmp_path / "_drafts/plan.md")
    (tmp_path / "links/intro.md").symlink_to(tmp_path / "_intro.md")
    scan = scan_corpus(tmp_path)
    assert {f.doc_id for f in scan.files} == {"_intro.md", "links/intro.md"}
    assert [(s.doc_id, s.reason) for s in scan.skipped] == [
        ("links/plan.md", "a link into a hidden folder of the corpus: not read")
    ]


def test_escaped_surrogate_pairs_in_metadata_are_one_character() -> None:
    from ingest.metadata import load_yaml_mapping

    data, problem = load_yaml_mapping('title: "Smile \\ud83d\\ude42, lone \\ud800"', "sidecar")
    assert problem == ""
    assert data["title"] == "Smile \U0001f642, lone \ufffd"
