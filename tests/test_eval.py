"""`python -m index eval` on a tiny BEIR collection, with the fake embedder for speed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from index.__main__ import main
from index.beir import EvalDataError, file_name, load_beir
from index.eval import apply_overrides, score
from ingest.errors import HubError
from ingest.settings import Settings

CORPUS = [
    {"_id": "d1", "title": "Kiwi fruit", "text": "The kiwi fruit is green inside and grows on vines in orchards."},
    {"_id": "d2", "title": "Apple orchards", "text": "An apple orchard of apple trees. Apple orchard work in autumn."},
    {"_id": "d3", "title": "Pruning", "text": "Pruning apple trees keeps an orchard healthy."},
    {"_id": "d4", "title": "Harbour ferries", "text": "Ferries cross the harbour every hour from the wharf."},
]
QUERIES = [
    {"_id": "q1", "text": "kiwi fruit"},
    {"_id": "q2", "text": "apple orchard"},
    {"_id": "q3", "text": "ferries across the harbour"},
]
# q1 -> d1 (ranked first), q2 -> d3 (d2 repeats both words, so d3 comes second).
QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n"


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "tiny"
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in CORPUS) + "\n", encoding="utf-8")
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in QUERIES) + "\n", encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text(QRELS, encoding="utf-8")
    return folder


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_MODEL", "fake-hash")


def run_eval(dataset: Path, tmp_path: Path, *extra: str) -> dict:
    out = tmp_path / "results.json"
    code = main(["eval", str(dataset), "--data-dir", str(tmp_path / "data"), "--out", str(out), "--quiet", *extra])
    assert code == 0
    return json.loads(out.read_text(encoding="utf-8"))


def test_keyword_figures_match_a_hand_count(dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = run_eval(dataset, tmp_path, "--mode", "keyword")
    figures = report["results"]["keyword"]
    # q1 finds its document first, q2 second; q3 is not judged and so not measured.
    assert report["queries"] == 2
    assert figures["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2, abs=1e-4)
    assert figures["mrr@10"] == pytest.approx(0.75, abs=1e-4)
    assert figures["recall@100"] == pytest.approx(1.0)
    printed = capsys.readouterr().out
    assert "keyword" in printed and "0.8155" in printed


def test_all_modes_are_reported_with_the_settings_used(dataset: Path, tmp_path: Path) -> None:
    report = run_eval(dataset, tmp_path, "--set", "rrf_k=10", "--set", "fusion=convex")
    assert set(report["results"]) == {"dense", "keyword", "hybrid"}
    for figures in report["results"].values():
        assert set(figures) == {"ndcg@10", "recall@100", "mrr@10"}
        assert all(0.0 <= v <= 1.0 for v in figures.values())
    assert report["settings"]["search"]["rrf_k"] == 10
    assert report["settings"]["search"]["fusion"] == "convex"
    assert report["model"].startswith("fake-hash")


def test_second_run_reuses_the_index_unless_the_keyword_index_changes(dataset: Path, tmp_path: Path) -> None:
    assert run_eval(dataset, tmp_path, "--mode", "keyword")["index_rebuilt"] is True
    assert run_eval(dataset, tmp_path, "--mode", "keyword", "--set", "rrf_k=5")["index_rebuilt"] is False
    assert run_eval(dataset, tmp_path, "--mode", "keyword", "--set", "bm25_k1=1.5")["index_rebuilt"] is True


def test_documents_are_written_as_markdown_the_hub_reads(dataset: Path, tmp_path: Path) -> None:
    run_eval(dataset, tmp_path, "--mode", "keyword")
    text = (tmp_path / "data" / "corpus" / file_name("d1")).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Kiwi fruit\n---\n")


def test_unknown_setting_is_a_usage_error(dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(dataset), "--data-dir", str(tmp_path), "--set", "nonsense=1"]) == 4
    assert "nonsense" in capsys.readouterr().err
    with pytest.raises(HubError, match="rrf_k"):
        apply_overrides(Settings(), ["rrf_k=many"])


def test_missing_split_is_reported_in_one_line(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval", str(dataset), "--split", "dev", "--data-dir", str(tmp_path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "dev.tsv" in err and "Traceback" not in err


def test_query_missing_from_queries_file_is_an_error(dataset: Path) -> None:
    (dataset / "qrels" / "test.tsv").write_text(QRELS + "q9\td1\t1\n", encoding="utf-8")
    with pytest.raises(EvalDataError, match="q9"):
        load_beir(dataset, "test")


def test_a_query_with_no_results_scores_zero() -> None:
    figures = score({"a": {"x": 1}, "b": {"y": 1}}, {"a": {"x": 1.0}, "b": {}})
    assert figures["ndcg@10"] == pytest.approx(0.5)
    assert figures["mrr@10"] == pytest.approx(0.5)
