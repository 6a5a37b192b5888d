"""Shared fixtures: every test gets its own data folder and builds its own Settings."""

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
FIXTURES = Path(__file__).resolve().parent / "fixtures"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present on this machine")


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
