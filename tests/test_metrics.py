"""The ranking metrics of index/metrics.py against values worked out by hand.

When they replaced ranx they were also compared with ranx 0.3.21 on 300 random collections
(graded judgements, empty runs, unjudged queries): every figure agreed within 2e-16.
"""

from __future__ import annotations

import math

import pytest

from index.metrics import evaluate, hit_rate, ndcg, ranked, recall, reciprocal_rank

# One query: e (grade 3), a (2) and b (1) are relevant; c is judged not relevant (0).
GRADES = {"a": 2, "b": 1, "c": 0, "e": 3}
# The run ranks x (unjudged), a, c, b; e is not found.
RUN = {"x": 0.9, "a": 0.8, "c": 0.7, "b": 0.6}
RANKING = ["x", "a", "c", "b"]


def test_documents_are_ranked_by_score_and_ties_keep_the_run_order() -> None:
    assert ranked({"c": 0.7, "b": 0.6, "x": 0.9, "a": 0.8}) == RANKING
    assert ranked({"b": 1.0, "z": 2.0, "a": 1.0}) == ["z", "b", "a"]
    assert ranked({}) == []


def test_ndcg_gains_the_grade_and_is_normalised_by_the_judged_documents() -> None:
    # DCG@10: x 0, a 2/log2(3), c 0 (judged 0), b 1/log2(5)              = 1.69254
    # ideal:  the grades in their best order 3, 2, 1: 3/1 + 2/log2(3) + 1/2 = 4.76186
    # nDCG@10 = 1.69254 / 4.76186 = 0.35544. (Gaining 2^grade - 1 instead would give 0.24737.)
    expected = (2 / math.log2(3) + 1 / math.log2(5)) / (3 + 2 / math.log2(3) + 1 / 2)
    assert ndcg(RANKING, GRADES, 10) == pytest.approx(expected, abs=1e-15)
    assert ndcg(RANKING, GRADES, 10) == pytest.approx(0.35544, abs=1e-5)
    # @2: DCG 2/log2(3) = 1.26186; the ideal is cut at 2 too: 3 + 2/log2(3) = 4.26186 -> 0.29609
    assert ndcg(RANKING, GRADES, 2) == pytest.approx((2 / math.log2(3)) / (3 + 2 / math.log2(3)), abs=1e-15)


def test_ndcg_ideal_is_cut_at_k() -> None:
    # Twelve relevant documents, ten of them in the top 10: a perfect top 10.
    grades = {f"r{i}": 1 for i in range(12)}
    assert ndcg([f"r{i}" for i in range(10)], grades, 10) == pytest.approx(1.0, abs=1e-15)
    # The same ten found below one unjudged document: sum_{i=2..10} 1/log2(i+1) / sum_{i=1..10} 1/log2(i+1)
    found = sum(1 / math.log2(i + 1) for i in range(2, 11))
    ideal = sum(1 / math.log2(i + 1) for i in range(1, 11))
    assert ndcg(["x", *(f"r{i}" for i in range(10))], grades, 10) == pytest.approx(found / ideal, abs=1e-15)


def test_recall_counts_the_relevant_documents_found_in_the_top_k() -> None:
    # Three relevant documents (a, b, e); c is judged 0 and does not count.
    assert recall(RANKING, GRADES, 2) == pytest.approx(1 / 3)  # a
    assert recall(RANKING, GRADES, 100) == pytest.approx(2 / 3)  # a and b
    assert recall(["c"], {"c": 0}, 100) == 0.0  # nothing relevant to find


def test_reciprocal_rank_is_one_over_the_first_relevant_rank_within_k() -> None:
    assert reciprocal_rank(RANKING, GRADES, 10) == 0.5  # a at rank 2
    assert reciprocal_rank(RANKING, GRADES, 1) == 0.0  # x is not relevant
    assert reciprocal_rank(["c", "b"], GRADES, 10) == 0.5  # c is judged 0: b at rank 2 is the first


def test_hit_rate_is_one_when_anything_relevant_is_in_the_top_k() -> None:
    assert hit_rate(RANKING, GRADES, 1) == 0.0
    assert hit_rate(RANKING, GRADES, 2) == 1.0
    assert hit_rate(["c"], GRADES, 5) == 0.0


def test_evaluate_averages_over_every_judged_query() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}, "q4": {"d": 1}}
    run = {
        "q1": {"z": 2.0, "a": 1.0},  # a at rank 2: nDCG 1/log2(3) = 0.63093, RR 0.5
        "q2": {},  # no results: 0
        "q3": {"c": 1.0},  # nothing relevant judged: 0
        # q4 missing from the run: 0
        "q9": {"a": 1.0},  # not judged: left out
    }
    figures = evaluate(qrels, run, ["ndcg@10", "recall@100", "mrr@10", "hit_rate@1", "hit_rate@2"])
    assert figures["ndcg@10"] == pytest.approx(1 / math.log2(3) / 4, abs=1e-15)  # 0.15773
    assert figures["recall@100"] == 0.25
    assert figures["mrr@10"] == 0.125
    assert figures["hit_rate@1"] == 0.0
    assert figures["hit_rate@2"] == 0.25


def test_evaluate_ranks_each_run_by_score_not_by_its_order() -> None:
    figures = evaluate({"q": GRADES}, {"q": {"b": 0.6, "c": 0.7, "a": 0.8, "x": 0.9}}, ["ndcg@10", "mrr@10"])
    assert figures == {"ndcg@10": pytest.approx(0.35544, abs=1e-5), "mrr@10": 0.5}


@pytest.mark.parametrize("metric", ["ndcg", "map@10", "ndcg@0", "mrr@ten"])
def test_unknown_metric_names_are_refused(metric: str) -> None:
    with pytest.raises(ValueError, match="expected one of"):
        evaluate({"q": {"a": 1}}, {"q": {"a": 1.0}}, [metric])


def test_no_judged_query_is_an_error() -> None:
    with pytest.raises(ValueError, match="no judged queries"):
        evaluate({}, {"q": {"a": 1.0}}, ["ndcg@10"])
