"""The command lines as an operator uses them: exit codes, summaries and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.layout import build_lock
from ingest.settings import Settings
from tests.conftest import ROOT
from tests.helpers import write_md

# Runs the command lines as processes or the pages in Streamlit: the integration tier.
pytestmark = pytest.mark.integration


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


# --- argument errors exit 4, as documented -------------------------------------------------------


def test_help_still_exits_0(settings: Settings) -> None:
    for module in ("index", "ingest"):
        result = run(module, "--help", settings=settings)
        assert result.returncode == 0 and "usage:" in result.stdout


@pytest.mark.parametrize(
    ("module", "args", "named"),
    [
        ("index", ["search", "ferry", "--limit", "-5"], "--limit"),
        ("index", ["search", "ferry", "--limit", "0"], "--limit"),
        ("index", ["search", "ferry", "--limit", "lots"], "--limit"),
        ("index", ["search", "ferry", "--from", "yesterday"], "--from"),
        ("index", ["search"], "query"),
        ("index", [], "command"),
        ("ingest", ["--no-such-option"], "--no-such-option"),
    ],
)
def test_argument_errors_exit_4_naming_the_argument(
    settings: Settings, module: str, args: list[str], named: str
) -> None:
    result = run(module, *args, settings=settings)
    assert result.returncode == 4
    assert named in result.stderr and "Traceback" not in result.stderr


def test_a_bad_setting_for_searching_gives_exit_4_naming_it(settings: Settings) -> None:
    result = run("index", "search", "ferry", settings=settings, extra_env={"HUB_CHUNK_TOKENS": "abc"})
    assert result.returncode == 4
    assert "HUB_CHUNK_TOKENS" in result.stderr and "Traceback" not in result.stderr


def test_a_query_with_bytes_that_are_not_utf8_is_cleaned_and_searched(settings: Settings) -> None:
    corpus(settings)
    assert run("ingest", "--quiet", settings=settings).returncode == 0
    env = {**os.environ, "HUB_MODEL": "fake-hash", "HUB_DATA_DIR": str(settings.data_dir)}
    raw = subprocess.run(
        [sys.executable.encode(), b"-m", b"index", b"search", b"\xff\xfe ferry", b"--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert raw.returncode == 0, raw.stderr.decode()
    data = json.loads(raw.stdout)
    assert data["query"] == "\ufffd\ufffd ferry"
    assert data["hits"][0]["doc_id"] == "a.md"
    shown = subprocess.run(
        [sys.executable.encode(), b"-m", b"index", b"search", b"ferry \xc3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert shown.returncode == 0 and b"Ferries" in shown.stdout


# --- a damaged live build: the earlier one answers, with a warning ----------------------------


def test_a_damaged_live_build_is_answered_from_the_earlier_one_with_a_warning(settings: Settings) -> None:
    corpus(settings)
    assert run("ingest", "--quiet", settings=settings).returncode == 0
    earlier = json.loads((settings.data_dir / "LIVE").read_text())["build"]
    write_md(settings.corpus_dir, "c.md", "# Dog registration\n\nRegister your dog.", title="Dogs", kind="tool")
    assert run("ingest", "--quiet", settings=settings).returncode == 0
    live = json.loads((settings.data_dir / "LIVE").read_text())["build"]
    (settings.builds_dir / live / "store.sqlite").write_bytes(b"junk" * 4096)

    found = run("index", "search", "ferry", settings=settings)
    assert found.returncode == 0
    assert "1. Ferries" in found.stdout
    (warning,) = found.stderr.splitlines()
    assert warning.startswith(f"warning: The live build {live} could not be read (store.sqlite: damaged")
    assert earlier in warning

    info = run("index", "info", "--json", settings=settings)
    assert info.returncode == 0 and "warning:" in info.stderr
    data = json.loads(info.stdout)
    assert data["build"] == earlier and data["documents"] == 2
    assert data["fallback"].startswith(f"The live build {live} could not be read")


def test_control_characters_from_the_corpus_never_reach_the_terminal(settings: Settings) -> None:
    """A title or a failure reason carrying an escape sequence could clear an operator's screen
    or forge a line in the nightly log."""
    write_md(
        settings.corpus_dir,
        "a.md",
        "# Ferries\n\nFerries leave every hour.\x1b[2J\nFORGED LINE",
        title="Ferries \x1b[31mred\x1b]0;owned\x07",
    )
    (settings.corpus_dir / "b.md").write_text("", encoding="utf-8")
    built = run("ingest", "--nightly", settings=settings)
    found = run("index", "search", "ferries", settings=settings)
    for output in (built.stdout, built.stderr, found.stdout):
        assert "\x1b" not in output and "\x07" not in output
    assert "Ferries \ufffd[31mred" in found.stdout
    assert not any(line.startswith("FORGED") for line in found.stdout.splitlines())
