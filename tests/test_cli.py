"""The command lines as an operator uses them: exit codes, summaries and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from index.build import build_lock
from ingest.settings import Settings
from tests.conftest import ROOT
from tests.helpers import write_md


def run(
    module: str, *args: str, settings: Settings, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HUB_MODEL": "fake-hash",
        "HUB_CORPUS_DIR": str(settings.corpus_dir),
        "HUB_DATA_DIR": str(settings.data_dir),
        **(extra_env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def corpus(settings: Settings) -> None:
    write_md(
        settings.corpus_dir,
        "a.md",
        "# Ferry timetables\n\nFerries leave every hour.",
        title="Ferries",
        kind="guidance",
        agency="Transport",
    )
    write_md(
        settings.corpus_dir,
        "b.md",
        "# Rates rebates\n\nApply for a rates rebate online.",
        title="Rates",
        kind="tool",
        agency="Council",
    )


def test_ingest_then_search_and_info(settings: Settings) -> None:
    corpus(settings)
    first = run("ingest", "--quiet", settings=settings)
    assert first.returncode == 0, first.stderr
    assert "published" in first.stdout and "added 2" in first.stdout
    found = run("index", "search", "ferry", "--json", settings=settings)
    data = json.loads(found.stdout)
    assert data["hits"][0]["doc_id"] == "a.md"
    filtered = run("index", "search", "ferry", "--kind", "tool", "--json", settings=settings)
    assert [h["doc_id"] for h in json.loads(filtered.stdout)["hits"]] == ["b.md"]
    info = json.loads(run("index", "info", "--json", settings=settings).stdout)
    assert info["documents"] == 2
    again = run("ingest", "--quiet", settings=settings)
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_dry_run_lists_changes_without_building(settings: Settings) -> None:
    corpus(settings)
    result = run("ingest", "--dry-run", settings=settings)
    assert result.returncode == 0
    assert "would add: a.md" in result.stdout
    assert not (settings.data_dir / "LIVE").exists()


def test_failed_file_gives_exit_1_and_names_the_file_on_stderr(settings: Settings) -> None:
    corpus(settings)
    (settings.corpus_dir / "bad.pdf").write_bytes(b"not a pdf" * 50)
    result = run("ingest", "--quiet", "--json", settings=settings)
    assert result.returncode == 1
    assert "bad.pdf" in result.stderr
    report = json.loads(result.stdout)
    assert report["failed"][0]["file"] == "bad.pdf"


def test_nothing_to_publish_gives_exit_2(settings: Settings) -> None:
    result = run("ingest", "--quiet", settings=settings)
    assert result.returncode == 2
    assert "no document" in result.stdout


def test_running_build_gives_exit_3(settings: Settings) -> None:
    corpus(settings)
    with build_lock(settings):
        result = run("ingest", "--quiet", settings=settings)
    assert result.returncode == 3
    assert "already running" in result.stderr


def test_bad_setting_gives_exit_4_naming_it(settings: Settings) -> None:
    result = run("ingest", settings=settings, extra_env={"HUB_CHUNK_TOKENS": "lots"})
    assert result.returncode == 4
    assert "HUB_CHUNK_TOKENS" in result.stderr


def test_search_without_an_index_is_a_clear_error(settings: Settings) -> None:
    result = run("index", "search", "anything", settings=settings)
    assert result.returncode == 2
    assert "no index has been built" in result.stderr
    assert "Traceback" not in result.stderr


def test_damaged_index_is_a_clear_error(settings: Settings) -> None:
    corpus(settings)
    run("ingest", "--quiet", settings=settings)
    live = json.loads((settings.data_dir / "LIVE").read_text())["build"]
    (Path(settings.builds_dir) / live / "vectors.faiss").write_bytes(b"junk")
    result = run("index", "search", "ferry", settings=settings)
    assert result.returncode == 2
    assert "vectors.faiss" in result.stderr
    assert "Traceback" not in result.stderr
