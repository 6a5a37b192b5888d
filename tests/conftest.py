"""Shared fixtures (every test gets its own data folder and builds its own Settings) and the tiers.

A plain `python -m pytest` runs the fast tier, for everyday work. The slower tiers, marked
`integration`, `model`, `browser` and `shared`, run with `--all-tiers` (the README's test command
and CI), with `-m`, or when a test file or test is named on the command line."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.embed import HashEmbedder
from ingest.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present on this machine")

SLOWER_TIERS = ("integration", "model", "browser", "shared")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--all-tiers", action="store_true", help="run every tier, the slower ones included")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the slower tiers unless they were asked for."""
    if config.getoption("--all-tiers") or config.option.markexpr or config.option.file_or_dir:
        return
    slower = [item for item in items if any(item.get_closest_marker(tier) for tier in SLOWER_TIERS)]
    if slower:
        config.hook.pytest_deselected(items=slower)
        left_out = {id(item) for item in slower}
        items[:] = [item for item in items if id(item) not in left_out]
        config.stash[_LEFT_OUT] = len(slower)


_LEFT_OUT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    left_out = config.stash.get(_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"fast tier: {left_out} tests of the slower tiers ({', '.join(SLOWER_TIERS)}) were not run; "
            "`python -m pytest --all-tiers` runs every tier"
        )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    return Settings(corpus_dir=corpus, data_dir=tmp_path / "data", model="fake-hash", chunk_tokens=60, chunk_overlap=10)


@pytest.fixture
def fake_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def real_embedder() -> Iterator[object]:
    from ingest.embed import SentenceTransformerEmbedder

    yield SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the real model is exported for the faster runtimes, once per test session."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def fast_embedder(models_dir: Path) -> Iterator[object]:
    """The real model under the default runtime, as the hub runs it."""
    from ingest.embed import load_embedder
    from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME

    yield load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, models_dir)
