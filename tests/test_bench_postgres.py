"""bench/postgres.py's comparison run as its quick mode runs it, on a tiny build and a fresh
PostgreSQL: the table it prints names both stores with figures that make sense (no times are
judged: only that searches were made, percentiles are in order and the build has a size)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.postgres import STORES, Plan, compare
from index.build import update_index
from index.pg.server import LocalPostgres
from ingest.embed import HashEmbedder
from ingest.settings import Settings
from tests.conftest import ROOT
from tests.pg_support import own_postgres

__all__ = ["own_postgres"]  # fixtures, used by name

pytestmark = pytest.mark.integration

QUERIES = (
    "how do we buy an AI tool",
    "privacy impact assessment",
    "who approves a chatbot for the public",
    "case study on document classification",
    "standards for algorithm transparency",
    "training for staff using generative AI",
)
# A row of the latency table: passages, store, two single-searcher medians, p50 p95 p99, searches/s.
ROW = re.compile(r"^\s*([\d,]+)\s+(file|PostgreSQL)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$")


def test_the_quick_comparison_prints_both_stores_with_sane_figures(
    tmp_path: Path, own_postgres: LocalPostgres, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(corpus_dir=ROOT / "corpus", data_dir=tmp_path / "data", model="fake-hash")
    report = update_index(settings, HashEmbedder())
    assert report.outcome == "published"
    plan = Plan(tmp_path / "models", QUERIES, processes=2, seconds=1.0, rounds=1, model="fake-hash")
    sizes = compare([settings.data_dir], own_postgres, plan)
    printed = capsys.readouterr().out
    table = printed[printed.index("== Hub.search_page") :]
    rows = [m for m in map(ROW.match, table.splitlines()) if m]
    assert [m[2] for m in rows] == list(STORES)
    for m in rows:
        assert int(m[1].replace(",", "")) == report.chunks
        single, editor, p50, p95, p99, rate = (float(m[i]) for i in range(3, 9))
        assert single > 0 and editor > 0 and 0 < p50 <= p95 <= p99 and rate > 0
    # The ratio of the medians is printed for both viewers (whatever it is: times are not judged).
    assert len(re.findall(r"passages, (?:not signed in|editor)\s*: \d+\.\d\dx, (?:NOT )?within 2x", table)) == 2
    copied = sizes[0].copied
    assert copied.passages == report.chunks and copied.bytes > 0
    # The single searcher searched every query once, as each viewer.
    assert all(len(s.single[v]) == len(QUERIES) for s in sizes[0].stores for v in ("anonymous", "editor"))
