"""The latency comparison's pure parts: the change and verdict it prints, the vectors its
children give each version's build, and its guard against measuring with the wrong code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.latency import change, signed, verdict
from bench.latency_child import FileReplay, foreign_modules
from bench.synthetic import Replay
from ingest.embed import HashEmbedder
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("before", "after", "shown"),
    [(10.0, 12.0, "+20.0%"), (10.0, 8.5, "-15.0%"), (14.8, 14.8, "+0.0%"), (3.0, 4.0, "+33.3%")],
)
def test_change_is_printed_in_percent_of_the_baseline(before: float, after: float, shown: str) -> None:
    assert signed(change(before, after)) == shown


@pytest.mark.parametrize(
    ("p50", "p95", "said"),
    [
        (5.0, -3.0, "within 20%"),
        (20.0, 20.0, "within 20%"),
        (-40.0, -10.0, "within 20%"),
        (27.4, 3.0, "slower by 27% (p50)"),
        (12.0, 61.0, "slower by 61% (p95)"),
    ],
)
def test_verdict_names_the_worse_percentile_past_the_allowance(p50: float, p95: float, said: str) -> None:
    assert verdict(p50, p95) == said


def test_both_versions_get_the_vectors_the_benchmark_replay_gives() -> None:
    rng = np.random.default_rng(3)
    real = rng.normal(size=(6, 16)).astype(np.float32)
    known = {f"real passage {i}": v / np.linalg.norm(v) for i, v in enumerate(real)}
    texts = ["real passage 2", "a generated passage", "another generated one", "real passage 5"]
    expected = Replay(HashEmbedder(dimension=16), known).encode_documents(texts)
    child = FileReplay(HashEmbedder(dimension=16), known)
    assert np.array_equal(child.encode_documents(texts), expected)
    assert (child.real, child.mixed) == (2, 2)


def test_modules_from_another_checkout_are_caught(tmp_path: Path) -> None:
    import index.api  # noqa: F401  (loaded from this checkout)

    assert foreign_modules(ROOT.resolve()) == []
    assert any(name.startswith("index.api from") for name in foreign_modules(tmp_path))
