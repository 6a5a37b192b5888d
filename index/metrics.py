"""Ranking metrics averaged over judged queries: nDCG@k, Recall@k, MRR@k and hit rate@k.

The definitions are trec_eval's and ranx's (`ndcg`, `recall`, `mrr`, `hit_rate`), with which the
figures in docs/evaluation.md were first measured:
- a run ranks each query's documents by score, highest first; equal scores keep the run's order
  (the eval runner and the golden test score documents by rank, so they never tie);
- a document is relevant when its grade is at least 1; documents judged 0 and unjudged ones count 0;
- nDCG@k gains a relevant document's grade (not 2^grade - 1) at rank i, discounted by log2(i + 1),
  and divides by the same sum over the judged documents in their best order;
- the mean is over every judged query: a query with no results, or whose judgements name no
  relevant document, scores 0; queries in the run that are not judged are left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

Grades = Mapping[str, int]  # document id -> grade, for one query


def ranked(scores: Mapping[str, float]) -> list[str]:
    """Document ids by score, highest first; equal scores keep their order in `scores`."""
    return sorted(scores, key=scores.__getitem__, reverse=True)  # sorted() is stable, also reversed


def _relevant(grades: Grades) -> dict[str, int]:
    return {doc: grade for doc, grade in grades.items() if grade >= 1}


def ndcg(ranking: Sequence[str], grades: Grades, k: int) -> float:
    """Discounted gain of the top `k` over the best the judged documents allow."""
    relevant = _relevant(grades)
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(relevant.values(), reverse=True)[:k]))
    gain = sum(relevant.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranking[:k]))
    return gain / ideal if ideal else 0.0


def recall(ranking: Sequence[str], grades: Grades, k: int) -> float:
    """Share of the relevant documents found in the top `k`."""
    relevant = _relevant(grades)
    return sum(doc in relevant for doc in ranking[:k]) / len(relevant) if relevant else 0.0


def reciprocal_rank(ranking: Sequence[str], grades: Grades, k: int) -> float:
    """1 / rank of the first relevant document in the top `k`; 0 when there is none."""
    relevant = _relevant(grades)
    return next((1 / rank for rank, doc in enumerate(ranking[:k], start=1) if doc in relevant), 0.0)


def hit_rate(ranking: Sequence[str], grades: Grades, k: int) -> float:
    """1 when a relevant document is in the top `k`, else 0."""
    relevant = _relevant(grades)
    return 1.0 if any(doc in relevant for doc in ranking[:k]) else 0.0


PER_QUERY: dict[str, Callable[[Sequence[str], Grades, int], float]] = {
    "ndcg": ndcg,
    "recall": recall,
    "mrr": reciprocal_rank,
    "hit_rate": hit_rate,
}


def evaluate(
    qrels: Mapping[str, Grades], run: Mapping[str, Mapping[str, float]], metrics: Sequence[str]
) -> dict[str, float]:
    """Each metric, named like "ndcg@10", averaged over the queries of `qrels`.

    `run` maps a query id to document id -> score. Raises ValueError for an unknown metric name
    or when `qrels` holds no query."""
    if not qrels:
        raise ValueError("no judged queries")
    rankings = {query: ranked(run.get(query) or {}) for query in qrels}
    result: dict[str, float] = {}
    for metric in metrics:
        name, _, cutoff = metric.partition("@")
        if name not in PER_QUERY or not cutoff.isdigit() or int(cutoff) < 1:
            raise ValueError(f"{metric!r}: expected one of {', '.join(PER_QUERY)} followed by @k, k at least 1")
        per_query = PER_QUERY[name]
        result[metric] = math.fsum(per_query(rankings[q], qrels[q], int(cutoff)) for q in qrels) / len(qrels)
    return result
