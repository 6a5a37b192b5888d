"""Fit the "no good match" confidence (index/confidence.py) on the development sets, and print
the constants to paste into CALIBRATION with the figures they give.

Run:  python bench/calibrate.py [--work /tmp/hub-answers]

Fitted on the fit split only (entries without `split: holdout`) of tests/golden/dev_no_answer.yaml
(queries the sample corpus cannot answer) against dev_core.yaml, dev_sample.yaml and dev_hard.yaml
(answerable); the holdout split of dev_no_answer.yaml and dev_hard.yaml is only measured. The
golden query sets are test sets: `bench/answers.py` measures them, nothing here looks at them.

1. A logistic regression on the signals (standardised, L2 0.01, each class weighing the same),
   by Newton's method.
2. The threshold: the highest confidence (to 0.02) below which flagging a query costs Recall@5
   over the answerable fit split at most 0.01 (a flagged query has no confident result). The
   sweep printed shows what a higher one would flag, and cost. Then the off-topic rule (nearest
   passage and closeness to the collection's subject both low) that flags the most no-answer
   queries while costing no answerable query its answer.
3. The bar for one result: the highest share of the best result's fused score (to 0.05) that
   drops no answer from the top 5 of the fit split's queries not flagged.

Indexes are built with the default runtime and kept in --work (as bench/answers.py does), so a
run after the first only searches; re-run it after the ranking changes. It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.answers import entries, opened  # noqa: E402
from bench.measure import say  # noqa: E402
from index.confidence import CALIBRATION, SIGNALS, Calibration, Signals, is_flagged, score_of, signals_of  # noqa: E402
from index.search import match_documents, ranking_of  # noqa: E402
from index.snapshot import Snapshot  # noqa: E402
from ingest.embed import Embedder, load_embedder  # noqa: E402
from ingest.settings import DEFAULT_MODEL, DEFAULT_RUNTIME, Settings  # noqa: E402

ANSWERABLE = ("dev_core.yaml", "dev_sample.yaml", "dev_hard.yaml")
NO_ANSWER = "dev_no_answer.yaml"
# Recall@5 over the answerable fit split may drop by at most FLAG_SLACK for queries wrongly
# flagged, and the per-result bar may not drop any answer of the queries not flagged. The budget
# is half the 0.02 the hub allows: the held-out split lost several times what the fit split did
# with a looser rule (0.015, and a bar allowed to spend the rest).
FLAG_SLACK = 0.01
BAR_SLACK = 0.0
L2 = 0.01


@dataclass(frozen=True)
class Judged:
    """One development query's signals and what its ranking holds."""

    name: str
    query: str
    kind: str
    holdout: bool
    relevant: frozenset[str]
    signals: Signals
    top: tuple[str, ...]  # the first 10 documents, best first
    shares: tuple[float, ...]  # each one's fused score as a share of the best's


def judge_all(build: Snapshot, settings: Settings, embedder: Embedder) -> list[Judged]:
    """Every development query searched in hybrid mode, with its signals."""
    judged = []
    for name in (NO_ANSWER, *ANSWERABLE):
        for item in entries(name):
            matches = match_documents(build, embedder, item["query"], settings.search)
            assert matches.vector is not None
            signals = signals_of(
                build, item["query"], matches.vector, [leg.rows for leg in matches.found], matches.docs, matches.keyword
            )
            ranking = ranking_of(build, matches, settings.search, 10)
            best = ranking.documents[0].score if ranking.documents else 1.0
            judged.append(
                Judged(
                    name,
                    item["query"],
                    item.get("type", ""),
                    item.get("split") == "holdout",
                    frozenset(item["relevant"]),
                    signals,
                    tuple(d.doc_id for d in ranking.documents),
                    tuple(d.score / best for d in ranking.documents),
                )
            )
    return judged


def fit_logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression on raw features `x`, fitted on standardised
    ones (L2 penalty, classes weighted equally) and turned back to raw-feature weights."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    sample = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    w = np.zeros(z.shape[1])
    penalty = np.r_[np.full(z.shape[1] - 1, L2), 0.0]
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (sample * (p - y)) / len(y) + penalty * w
        hessian = (z.T * (sample * p * (1 - p))) @ z / len(y) + np.diag(penalty)
        w -= np.linalg.solve(hessian, gradient)
    weights = w[:-1] / scale
    return weights, float(w[-1] - weights @ mean)


def recall5(item: Judged, share: float | None, calibration: Calibration) -> float:
    """Recall@5 of `item`, counting every result (share None) or only the confident ones."""
    top = item.top[:5]
    if share is not None:
        if is_flagged(item.signals, calibration):
            return 0.0
        top = tuple(doc for doc, s in zip(top, item.shares, strict=False) if s >= share)
    return len(item.relevant & set(top)) / len(item.relevant)


def loss(answerable: list[Judged], calibration: Calibration, share: float) -> float:
    """How much Recall@5 over `answerable` drops when only confident results count."""
    every = statistics.mean(recall5(j, None, calibration) for j in answerable)
    return every - statistics.mean(recall5(j, share, calibration) for j in answerable)


def choose(judged: list[Judged]) -> Calibration:
    """The calibration fitted on the fit split (see the module's docstring)."""
    fit = [j for j in judged if not j.holdout]
    x = np.array([j.signals.as_array() for j in fit])
    y = np.array([0.0 if j.name == NO_ANSWER else 1.0 for j in fit])
    weights, bias = fit_logistic(x, y)
    model = Calibration(tuple(float(w) for w in weights), bias, 0.0, 0.0)
    answerable = [j for j in fit if j.name != NO_ANSWER]
    say("threshold  no-answer flagged  answerable flagged  Recall@5 loss (fit split)")
    threshold = 0.0
    for candidate in np.round(np.arange(0.02, 1.0, 0.02), 2):
        trial = replace(model, threshold=float(candidate))
        flagged = [is_flagged(j.signals, trial) for j in fit]
        no_answer = np.mean([f for f, j in zip(flagged, fit, strict=True) if j.name == NO_ANSWER])
        wrong = np.mean([f for f, j in zip(flagged, fit, strict=True) if j.name != NO_ANSWER])
        lost = loss(answerable, trial, 0.0)
        say(f"  {candidate:.2f}     {no_answer:5.0%}              {wrong:5.0%}              {lost:.3f}")
        if lost <= FLAG_SLACK:
            threshold = float(candidate)
    model = off_topic(replace(model, threshold=threshold), fit, answerable)
    share = 0.0
    flagged_loss = loss(answerable, model, 0.0)
    for candidate in np.round(np.arange(0.05, 1.0001, 0.05), 2):
        if loss(answerable, model, float(candidate)) > flagged_loss + BAR_SLACK + 1e-9:
            break
        share = float(candidate)
    return replace(model, result_share=share)


def off_topic(model: Calibration, fit: list[Judged], answerable: list[Judged]) -> Calibration:
    """`model` with the off-topic rule (see Calibration) that flags the most no-answer queries of
    the fit split while costing no answerable query of it its answer (a rule that overrides the
    model gets no budget of its own); the lowest bounds among equals."""
    spent = loss(answerable, model, 0.0)
    no_answer = [j for j in fit if j.name == NO_ANSWER]
    best, caught = model, sum(is_flagged(j.signals, model) for j in no_answer)
    for cosine in np.round(np.arange(0.26, 0.4001, 0.02), 2):
        for domain in np.round(np.arange(0.04, 0.1601, 0.02), 2):
            trial = replace(model, off_topic_cosine=float(cosine), off_topic_domain=float(domain))
            found = sum(is_flagged(j.signals, trial) for j in no_answer)
            if found > caught and loss(answerable, trial, 0.0) <= spent + 1e-9:
                best, caught = trial, found
    say(
        f"off-topic rule: nearest passage below {best.off_topic_cosine:.2f} and subject below "
        f"{best.off_topic_domain:.2f} flags {caught} of {len(no_answer)} no-answer queries of the fit split"
    )
    return best


def report(judged: list[Judged], calibration: Calibration) -> None:
    """The share flagged and Recall@5 (all results, confident only) per set and split."""
    for name in (NO_ANSWER, *ANSWERABLE):
        for split in ("fit", "holdout"):
            part = [j for j in judged if j.name == name and j.holdout == (split == "holdout")]
            if not part:
                continue
            flagged = [is_flagged(j.signals, calibration) for j in part]
            line = f"  {name:20} {split:7} {len(part):3} queries, flagged {sum(flagged):3} ({np.mean(flagged):.0%})"
            if name != NO_ANSWER:
                all5 = statistics.mean(recall5(j, None, calibration) for j in part)
                sure5 = statistics.mean(recall5(j, calibration.result_share, calibration) for j in part)
                line += f"; Recall@5 all {all5:.3f}, confident only {sure5:.3f} (loss {all5 - sure5:.3f})"
            say(line)
            kinds = sorted({j.kind for j in part})
            for kind in kinds:
                of = [f for f, j in zip(flagged, part, strict=True) if j.kind == kind]
                say(f"      {kind:14} {sum(of)}/{len(of)} flagged")


def misses(judged: list[Judged], calibration: Calibration) -> None:
    """The queries judged wrongly, with their confidence, to read (not to tune on holdout)."""
    for j in judged:
        flagged = is_flagged(j.signals, calibration)
        if flagged != (j.name == NO_ANSWER):
            values = " ".join(f"{n}={getattr(j.signals, n):.2f}" for n in SIGNALS)
            split = "holdout" if j.holdout else "fit"
            conf = score_of(j.signals, calibration)
            say(f"  {'missed' if not flagged else 'flagged'} [{j.name} {split}] {j.query[:60]!r} {conf:.2f} {values}")


def constants(calibration: Calibration) -> str:
    weights = ", ".join(f"{w:.4f}" for w in calibration.weights)
    return (
        f"CALIBRATION = Calibration(\n    weights=({weights}),\n    bias={calibration.bias:.4f},\n"
        f"    threshold={calibration.threshold:.2f},\n    result_share={calibration.result_share:.2f},\n"
        f"    off_topic_cosine={calibration.off_topic_cosine:.2f},\n"
        f"    off_topic_domain={calibration.off_topic_domain:.2f},\n)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/hub-answers"))
    args = parser.parse_args()
    embedder = load_embedder(DEFAULT_MODEL, DEFAULT_RUNTIME, args.work / "models")
    build, settings = opened(ROOT / "corpus", args.work / "sample", embedder)
    judged = judge_all(build, settings, embedder)
    fitted = choose(judged)
    say("fitted on the fit split; paste into index/confidence.py:")
    say(constants(fitted))
    say(f"signals: {', '.join(SIGNALS)}")
    say("with the fitted constants:")
    report(judged, fitted)
    misses(judged, fitted)
    if fitted != CALIBRATION:
        say("with the constants index/confidence.py holds now:")
        report(judged, CALIBRATION)


if __name__ == "__main__":
    main()
