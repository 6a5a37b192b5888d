"""The unattended nightly job: faults that must never break the live index."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from index.api import Hub
from index.build import update_index
from index.errors import BuildRejected
from index.layout import read_pointer, rollback
from index.reports import FileNote, recent_reports
from index.search import search
from index.snapshot import open_live, opens
from ingest.embed import HashEmbedder
from ingest.settings import Limits, Settings
from tests.conftest import ROOT
from tests.helpers import write_md

# Runs the command lines as processes or the pages in Streamlit: the integration tier.
pytestmark = pytest.mark.integration


def fill(corpus: Path, names: list[str]) -> None:
    for name in names:
        write_md(corpus, f"{name}.md", f"# {name}\n\n" + f"Everything about {name} and its upkeep. " * 10, title=name)


def found(settings: Settings, query: str) -> list[str]:
    build = open_live(settings)
    try:
        return [h.doc_id for h in search(build, HashEmbedder(), query, settings.search).hits]
    finally:
        build.close()


# Each fault point pauses the run in a child process; the test then kills it with SIGKILL.
FAULTS = {
    "embedding": """
        from ingest.embed import HashEmbedder
        original = HashEmbedder.encode_documents
        def encode(self, texts):
            pause()
        HashEmbedder.encode_documents = encode
    """,
    "writing": """
        original = build.validate
        def validate(*args, **kwargs):
            pause()
        build.validate = validate
    """,
    "publishing": """
        original = build.publish
        def publish(settings, build_id):
            pause()
        build.publish = publish
    """,
}


@pytest.mark.parametrize("stage", list(FAULTS))
def test_killed_run_leaves_live_index_intact_and_next_run_recovers(settings: Settings, stage: str) -> None:
    fill(settings.corpus_dir, ["tractors", "ferries", "libraries"])
    first = update_index(settings, HashEmbedder())
    fill(settings.corpus_dir, ["volcanoes"])
    marker = settings.data_dir.parent / "paused"
    script = (
        textwrap.dedent(
            f"""
        import sys, time
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        import index.build as build
        from ingest.embed import HashEmbedder
        from ingest.settings import Settings

        def pause():
            Path({str(marker)!r}).write_text("x")
            time.sleep(120)
        """
        )
        + textwrap.dedent(FAULTS[stage])
        + textwrap.dedent(
            f"""
        settings = Settings(corpus_dir=Path({str(settings.corpus_dir)!r}), data_dir=Path({str(settings.data_dir)!r}),
                            model="fake-hash", chunk_tokens={settings.chunk_tokens},
                            chunk_overlap={settings.chunk_overlap})
        build.update_index(settings, HashEmbedder())
        """
        )
    )
    child = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the child run ended before reaching the fault point"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()

    assert read_pointer(settings) == first.build_id
    assert found(settings, "tractors upkeep")[0] == "tractors.md"

    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published"
    assert report.added == ["volcanoes.md"]
    assert found(settings, "volcanoes upkeep")[0] == "volcanoes.md"
    leftovers = sorted(p.name for p in settings.builds_dir.iterdir())
    assert not [name for name in leftovers if name.endswith(".partial")]
    assert set(leftovers) <= {first.build_id, report.build_id}


def test_searches_keep_working_while_new_builds_are_published(settings: Settings) -> None:
    fill(settings.corpus_dir, ["tractors", "ferries", "libraries"])
    update_index(settings, HashEmbedder())
    hub = Hub(settings, lambda s: HashEmbedder())
    errors: list[BaseException] = []
    searches = 0
    stop = threading.Event()

    def loop() -> None:
        nonlocal searches
        while not stop.is_set():
            try:
                assert hub.search("tractors upkeep").hits
                searches += 1
            except BaseException as exc:  # any failure of a search is what this test looks for
                errors.append(exc)

    worker = threading.Thread(target=loop)
    worker.start()
    try:
        for name in ["volcanoes", "harbours", "museums"]:
            fill(settings.corpus_dir, [name])
            assert update_index(settings, HashEmbedder()).outcome == "published"
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not errors, errors[:3]
    assert searches > 0
    assert hub.search("museums upkeep").hits[0].doc_id == "museums.md"


def test_file_deleted_between_listing_and_reading(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.build as build

    fill(settings.corpus_dir, ["tractors", "ferries", "libraries"])
    original = build.scan_corpus

    def scan_then_delete(corpus: Path, *limits: Limits):
        scan = original(corpus, *limits)
        (corpus / "ferries.md").unlink()
        return scan

    monkeypatch.setattr(build, "scan_corpus", scan_then_delete)
    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published"
    assert report.failed == [FileNote("ferries.md", "the file disappeared before it could be read (deleted or moved)")]
    assert sorted(report.added) == ["libraries.md", "tractors.md"]


def test_file_changed_while_being_read_is_indexed_as_read(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    import index.build as build

    fill(settings.corpus_dir, ["tractors", "ferries"])
    original = build.scan_corpus

    def scan_then_change(corpus: Path, *limits: Limits):
        scan = original(corpus, *limits)
        write_md(corpus, "ferries.md", "# Ferries\n\nNew timetable for catamarans.", title="ferries")
        return scan

    monkeypatch.setattr(build, "scan_corpus", scan_then_change)
    assert update_index(settings, HashEmbedder()).outcome == "published"
    assert found(settings, "catamarans timetable")[0] == "ferries.md"
    monkeypatch.setattr(build, "scan_corpus", original)
    # The recorded hash is that of what was read, so the next run sees nothing new.
    assert update_index(settings, HashEmbedder()).outcome == "unchanged"


def test_unwritable_index_folder_is_a_clear_error_and_the_live_index_stays(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(settings.corpus_dir, ["tractors", "ferries"])
    first = update_index(settings, HashEmbedder())
    fill(settings.corpus_dir, ["volcanoes"])
    settings.builds_dir.chmod(0o555)
    if os.geteuid() == 0:
        # Root ignores permission bits; refuse the write the way the kernel would for anyone else.
        real_mkdir = Path.mkdir

        def mkdir(self: Path, *args: object, **kwargs: object) -> None:
            if self.parent == settings.builds_dir:
                raise PermissionError(13, "Permission denied", str(self))
            real_mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "mkdir", mkdir)
    try:
        report = update_index(settings, HashEmbedder())
    finally:
        settings.builds_dir.chmod(0o755)
    assert report.outcome == "failed"
    assert "cannot write to" in report.message and "Permission denied" in report.message
    assert "live index is unchanged" in report.message
    assert read_pointer(settings) == first.build_id
    assert found(settings, "tractors upkeep")[0] == "tractors.md"


def test_rollback_returns_to_the_previous_build(settings: Settings) -> None:
    fill(settings.corpus_dir, ["tractors", "ferries"])
    first = update_index(settings, HashEmbedder())
    fill(settings.corpus_dir, ["volcanoes"])
    second = update_index(settings, HashEmbedder())
    assert second.build_id != first.build_id
    assert rollback(settings, opens) == first.build_id
    assert read_pointer(settings) == first.build_id
    assert "volcanoes.md" not in found(settings, "volcanoes upkeep")
    with pytest.raises(BuildRejected, match="no earlier build"):
        rollback(settings, opens)


def test_run_history_is_kept_newest_first(settings: Settings) -> None:
    fill(settings.corpus_dir, ["tractors"])
    update_index(settings, HashEmbedder())
    time.sleep(1.1)  # report names carry the start time to the second
    update_index(settings, HashEmbedder())
    outcomes = [r.report.outcome for r in recent_reports(settings.reports_dir) if r.report]
    assert outcomes == ["unchanged", "published"]


def test_nightly_command_prints_a_timestamped_summary(settings: Settings) -> None:
    fill(settings.corpus_dir, ["tractors"])
    env = {
        **os.environ,
        "HUB_MODEL": "fake-hash",
        "HUB_CORPUS_DIR": str(settings.corpus_dir),
        "HUB_DATA_DIR": str(settings.data_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "--nightly"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split(" ", 1)[1].startswith("published")
    assert lines[-1].endswith("latest.json")
    assert "%" not in result.stderr  # no progress bar in the scheduler's log
