"""Documents filed twice: the same text under two names (a re-upload, a copy in another folder).

Search shows each text once, and the index status page lists the copies for editors. Text is
compared after ingest's clean-up, so two PDFs with different bytes but the same words match.
Near-duplicates (a new edition with changes) are different documents and are left alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def text_key(text: str) -> str:
    """A fingerprint of `text` that ignores case and how whitespace falls."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode("utf-8")).hexdigest()


def same_text(documents: Iterable[tuple[str, str]]) -> dict[str, str]:
    """For (doc_id, text) pairs, each copy's id mapped to the first id (in id order) with its text.

    Documents whose text is unique are not in the result."""
    first: dict[str, str] = {}
    copies: dict[str, str] = {}
    for doc_id, text in sorted(documents):
        key = text_key(text)
        if key in first:
            copies[doc_id] = first[key]
        else:
            first[key] = doc_id
    return copies


def group_of(doc_order: list[str], copies: dict[str, str]) -> np.ndarray:
    """For each document index, the index of the document whose text it shares (itself if none).

    Ids that are not in `doc_order` (a manifest from elsewhere) are ignored."""
    position = {doc_id: i for i, doc_id in enumerate(doc_order)}
    group = np.arange(len(doc_order), dtype=np.int64)
    for copy, original in copies.items():
        if copy in position and original in position:
            group[position[copy]] = position[original]
    return group


def first_of_each_group(docs: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Positions in `docs` (document indexes, best first) of the best document of each group."""
    _, first = np.unique(group[docs], return_index=True)
    return np.sort(first)
