"""Fusing the legs' candidate passages into one ranking, and gathering passages into documents.

Pure NumPy over arrays of passage rows and scores: nothing here reads an index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ingest.settings import SearchSettings


@dataclass(frozen=True)
class LegCandidates:
    """One leg's candidate passages, best first, with the factor its contribution is scaled by."""

    weight: float
    rows: np.ndarray
    scores: np.ndarray
    scale: np.ndarray
    floor: float | None  # the lowest possible score, or None to take the lowest candidate's
    ceiling: float | None = None  # the highest possible score, or None to take the best candidate's
    card: bool = False  # whether its scores of summary cards count again as a document-level field


# What each leg adds to a fusion: (leg, keys, scores, scale), keys being passage rows or documents.
Contribution = tuple[LegCandidates, np.ndarray, np.ndarray, np.ndarray]
Contributions = Sequence[Contribution]
Shown = list[tuple[int, float]]  # a document's passages as (row, score), best first


def fuse(contributions: Contributions, settings: SearchSettings) -> tuple[np.ndarray, np.ndarray]:
    """Every key found by any leg and its fused score, best first (ties by key).

    'rrf' adds weight / (rrf_k + rank); 'convex' adds weight times the score scaled to [0, 1]
    between the leg's floor and its best score."""
    keys_parts: list[np.ndarray] = []
    score_parts: list[np.ndarray] = []
    for leg, keys, scores, scale in contributions:
        if len(keys) == 0:
            continue
        order = np.argsort(-scores, kind="stable")
        if settings.fusion == "rrf":
            parts = leg.weight * scale[order] / (settings.rrf_k + np.arange(1, len(order) + 1))
        else:
            top = float(scores[order[0]]) if leg.ceiling is None else leg.ceiling
            floor = float(scores.min()) if leg.floor is None else leg.floor
            spread = top - floor
            normed = (scores[order] - floor) / spread if spread > 0 else np.ones(len(order))
            parts = leg.weight * scale[order] * normed
        keys_parts.append(keys[order])
        score_parts.append(parts)
    if not keys_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    unique, inverse = np.unique(np.concatenate(keys_parts), return_inverse=True)
    fused = np.bincount(inverse, weights=np.concatenate(score_parts), minlength=len(unique))
    order = np.lexsort((unique, -fused))
    return unique[order], fused[order]


def weighed(leg: LegCandidates, factors: np.ndarray) -> LegCandidates:
    """`leg` with each candidate's score above the leg's floor multiplied by its row's factor in
    `factors`, best first again."""
    if len(leg.rows) == 0:
        return leg
    floor = leg.floor if leg.floor is not None else float(leg.scores.min())
    scores = floor + (leg.scores - floor) * factors[leg.rows]
    order = np.argsort(-scores, kind="stable")
    return replace(leg, rows=leg.rows[order], scores=scores[order], scale=leg.scale[order])


def fuse_passages(legs: Sequence[LegCandidates], settings: SearchSettings) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate passage row of `legs` and its fused score, best first."""
    return fuse([(leg, leg.rows, leg.scores, leg.scale) for leg in legs], settings)


def runs(grouped: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each run of equal values in `grouped` starts, and each item's place in its run."""
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    return starts, np.arange(len(grouped)) - np.repeat(starts, np.diff(np.r_[starts, len(grouped)]))


def by_document(row_doc: np.ndarray, leg: LegCandidates, decay: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A leg's passages gathered into documents (`row_doc` maps a row to its document index):
    (document indexes, scores, scale).

    A document scores its best passage, plus `decay` times what its next passage scores above
    the leg's floor, `decay`**2 times the one after, and so on: a document matching in several
    passages ranks above one matching once, and a passage that barely matched adds nothing.
    Its scale is the best of its passages'."""
    docs = row_doc[leg.rows].astype(np.int64)
    if len(docs) == 0:
        return docs, np.zeros(0), np.zeros(0)
    floor = leg.floor if leg.floor is not None else float(leg.scores.min())
    # Passages arrive best first; a stable sort by document keeps that order within each one.
    order = np.argsort(docs, kind="stable")
    grouped, scores, scale = docs[order], leg.scores[order], leg.scale[order]
    starts, nth = runs(grouped)
    parts = np.where(nth == 0, scores, (scores - floor) * decay ** nth.astype(np.float64))
    return grouped[starts], np.add.reduceat(parts, starts), np.maximum.reduceat(scale, starts)


def best_per_document(row_doc: np.ndarray, rows: np.ndarray, scores: np.ndarray, keep: int) -> dict[int, Shown]:
    """The first `keep` of each document's passages, from passages given best first."""
    docs = row_doc[rows]
    order = np.argsort(docs, kind="stable")
    _, nth = runs(docs[order])
    chosen = np.sort(order[nth < keep])
    shown: dict[int, Shown] = {}
    for doc, row, score in zip(docs[chosen].tolist(), rows[chosen].tolist(), scores[chosen].tolist(), strict=True):
        shown.setdefault(doc, []).append((row, score))
    return shown


def cards_of(row_card: np.ndarray, row_doc: np.ndarray, leg: LegCandidates, weight: float) -> Contribution:
    """What a leg scored documents' summary cards (`row_card` marks them), as a contribution of
    `weight` times the leg's own, scaled between the leg's floor and ceiling as its documents are.

    A card holds the title, the editor's summary and the topics: a document-level field, so a
    match there says what the document is about, where a body passage may only mention it."""
    picked = row_card[leg.rows]
    if not picked.any():
        empty = np.zeros(0)
        return leg, empty.astype(np.int64), empty, empty
    floor = float(leg.scores.min()) if leg.floor is None else leg.floor
    ceiling = float(leg.scores.max()) if leg.ceiling is None else leg.ceiling
    rows, scores = leg.rows[picked], leg.scores[picked]
    card_leg = LegCandidates(leg.weight * weight, rows, scores, leg.scale[picked], floor, ceiling)
    return card_leg, row_doc[rows].astype(np.int64), scores, leg.scale[picked]


# A document of up to this many passages (about twenty pages) is not penalised for its length.
# Chosen on the development sets: the documents that crowd the top are long reports and playbooks
# (100 to 440 passages in ../shared/realdocs), while penalising the sample corpus's guidance pages
# (up to 32 passages) from 8 passages on cost as much as it gained there. SciFact's abstracts
# (up to about 12 passages) are never penalised.
LENGTH_FREE_PASSAGES = 32


def length_adjusted(
    docs: np.ndarray, scores: np.ndarray, passage_counts: np.ndarray, penalty: float
) -> tuple[np.ndarray, np.ndarray]:
    """Documents and fused scores less `penalty` times the log of how many times over
    LENGTH_FREE_PASSAGES each one's passage count is, best first again (ties by document index).

    A document's score is its best passage's: of two documents matching equally well at
    random, the one with more passages is likelier to hold one passage that matches by chance."""
    if penalty <= 0 or len(docs) == 0:
        return docs, scores
    extra = np.maximum(passage_counts[docs], LENGTH_FREE_PASSAGES) / LENGTH_FREE_PASSAGES
    adjusted = scores - penalty * np.log(extra)
    order = np.lexsort((docs, -adjusted))
    return docs[order], adjusted[order]


def document_parts(
    row_doc: np.ndarray, row_card: np.ndarray, found: Sequence[LegCandidates], settings: SearchSettings
) -> list[Contribution]:
    """What each leg adds to its documents' scores: their best passages (`by_document`), and,
    for a leg marked `card`, their summary cards (`row_card` marks them) again as a
    document-level field when `settings.card_weight` is set."""
    parts = [(leg, *by_document(row_doc, leg, settings.passage_decay)) for leg in found]
    if settings.card_weight > 0:
        parts += [cards_of(row_card, row_doc, leg, settings.card_weight) for leg in found if leg.card]
    return parts
