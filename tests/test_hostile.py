"""A corpus of good documents among every kind of bad input, indexed the way the nightly job
runs: the good ones are published and searchable, every bad one is named with a reason, nothing
outside the corpus gets in, and the run stays within its bounds.

Bounds stated here: the run finishes within RUN_TIMEOUT_S (a hang fails the test) and no process
of it (the build or its file reader) grows past MAX_RSS_MB of resident memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.api import Hub
from ingest.embed import HashEmbedder
from ingest.scan import printable
from ingest.settings import MB, Limits, Settings
from tests.conftest import ROOT
from tests.hostile_corpus import Expected, make_hostile_corpus

# Runs the command lines as processes or the pages in Streamlit: the integration tier.
pytestmark = pytest.mark.integration

RUN_TIMEOUT_S = 300
MAX_RSS_MB = 1500
# Runs the command and prints the largest resident size of it and everything it waited for.
_MEASURE = (
    "import json, resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(json.dumps({'code': done.returncode, 'out': done.stdout, 'err': done.stderr, 'rss_kb': rss}))\n"
)


def run_ingest(corpus: Path, data: Path) -> dict[str, object]:
    env = {
        **os.environ,
        "HUB_MODEL": "fake-hash",
        "HUB_CORPUS_DIR": str(corpus),
        "HUB_DATA_DIR": str(data),
        "HUB_MAX_FILE_MB": "2",
        "HUB_MAX_TEXT_CHARS": "1000000",
        "HUB_READER_MEMORY_MB": "1024",
        "HUB_CHUNK_TOKENS": "60",
        "HUB_CHUNK_OVERLAP": "10",
    }
    command = [sys.executable, "-c", _MEASURE, sys.executable, "-m", "ingest", "--json"]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def reason_of(entries: object, name: str) -> str:
    assert isinstance(entries, list)
    found = [e for e in entries if e["file"] == name]
    assert found, f"{name!r} is not listed; listed: {sorted(e['file'] for e in entries)}"
    return f"{found[0]['reason']} {found[0].get('hint', '')}".lower()


# What the corpus should show, the measured run, its JSON report, and settings to open the index.
HostileRun = tuple[Expected, dict[str, object], dict[str, object], Settings]


@pytest.fixture(scope="module")
def hostile_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Expected, dict[str, object], dict[str, object], Settings]:
    root = tmp_path_factory.mktemp("hostile")
    expected = make_hostile_corpus(root / "corpus", root / "outside")
    first = run_ingest(root / "corpus", root / "data")
    settings = Settings(
        corpus_dir=root / "corpus",
        data_dir=root / "data",
        model="fake-hash",
        chunk_tokens=60,
        chunk_overlap=10,
        limits=Limits(max_file_bytes=2 * MB, max_text_chars=1_000_000),
    )
    return expected, first, json.loads(str(first["out"])), settings


def test_the_run_publishes_with_some_files_failed(hostile_run) -> None:
    _, run, report, _ = hostile_run
    assert run["code"] == 1, run["err"]
    assert report["outcome"] == "published", report["message"]


def test_every_good_document_is_searchable(hostile_run) -> None:
    expected, _, _, settings = hostile_run
    hub = Hub(settings, lambda s: HashEmbedder())
    for doc_id, word in expected.good.items():
        hits = hub.search(word, mode="keyword").hits
        assert hits and hits[0].doc_id == doc_id, f"{doc_id} not found by {word!r}"


def test_every_bad_file_is_named_with_a_reason(hostile_run) -> None:
    expected, _, report, _ = hostile_run
    for name, words in expected.failed.items():
        assert words.lower() in reason_of(report["failed"], name), name
    for name, words in expected.skipped.items():
        assert words.lower() in reason_of(report["skipped"], name), name
    warnings = report["warnings"]
    assert isinstance(warnings, dict)
    for doc_id, words in expected.warned.items():
        assert any(words.lower() in w.lower() for w in warnings.get(doc_id, [])), (doc_id, warnings.get(doc_id))


def test_nothing_outside_the_corpus_is_searchable(hostile_run) -> None:
    expected, _, _, settings = hostile_run
    hub = Hub(settings, lambda s: HashEmbedder())
    texts = [hub.document(r.doc_id).text for r in hub.documents()]
    titles = [r.metadata.title for r in hub.documents()]
    for secret in expected.secrets:
        assert not hub.search(secret, mode="keyword").hits, secret
        assert not any(secret in text for text in texts + titles), secret


def test_every_file_is_indexed_failed_or_skipped(hostile_run) -> None:
    """Nothing in the corpus disappears without a word."""
    _, _, report, settings = hostile_run
    hub = Hub(settings, lambda s: HashEmbedder())
    accounted = {r.doc_id for r in hub.documents()}
    for key in ("failed", "skipped"):
        entries = report[key]
        assert isinstance(entries, list)
        accounted |= {e["file"] for e in entries}
    corpus = settings.corpus_dir
    for folder, dirs, names in os.walk(corpus):
        for name in names + [d for d in dirs if (Path(folder) / d).is_symlink()]:
            path = Path(folder) / name
            if name.endswith(".meta.yaml") and os.path.lexists(path.with_name(name.removesuffix(".meta.yaml"))):
                continue  # a sidecar is described with its document
            doc_id = printable(path.relative_to(corpus).as_posix())
            if any(part.startswith((".", "_")) for part in doc_id.split("/")):
                continue  # hidden files and folders are left out by design, as the README says
            # A file inside a skipped folder is accounted for by its folder.
            folders = ["/".join(doc_id.split("/")[:n]) for n in range(1, doc_id.count("/") + 1)]
            assert doc_id in accounted or any(f in accounted for f in folders), f"{doc_id} is not accounted for"


def test_the_run_stays_within_its_bounds(hostile_run) -> None:
    _, run, _, _ = hostile_run
    rss_mb = int(str(run["rss_kb"])) / 1024
    assert rss_mb < MAX_RSS_MB, f"peak resident memory {rss_mb:.0f} MB"


def test_a_second_run_reports_the_same_failures_without_rereading(hostile_run) -> None:
    _, _, first, settings = hostile_run
    again = run_ingest(settings.corpus_dir, settings.data_dir)
    report = json.loads(str(again["out"]))
    assert again["code"] == 1, again["err"]
    assert report["outcome"] == "unchanged", report["message"]
    assert {f["file"] for f in report["failed"]} == {f["file"] for f in first["failed"]}


def test_a_dry_run_lists_the_corpus_without_blocking_on_pipes(hostile_run) -> None:
    _, _, _, settings = hostile_run
    env = {
        **os.environ,
        "HUB_MODEL": "fake-hash",
        "HUB_CORPUS_DIR": str(settings.corpus_dir),
        "HUB_DATA_DIR": str(settings.data_dir),
        "HUB_MAX_FILE_MB": "2",
    }
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "--dry-run"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert "failed: big/huge.txt: the file is 3.2 MB, over the 2.0 MB limit" in done.stderr
