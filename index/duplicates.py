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


# Texts shorter than this are not compared: two stub pages with the same placeholder line
# ("Details to follow.") are different documents that have not been written yet.
MIN_WORDS = 50


def same_text(documents: Iterable[tuple[str, str]]) -> dict[str, str]:
    """For (doc_id, text) pairs, each copy's id mapped to the first id (in id order) with its text.

    Documents whose text is unique, or shorter than MIN_WORDS words, are not in the result."""
    first: dict[str, str] = {}
    copies: dict[str, str] = {}
    for doc_id, text in sorted(documents):
        if len(text.split()) < MIN_WORDS:
            continue
        key = text_key(text)
        if key in first:
            copies[doc_id] = first[key]
        else:
            first[key] = doc_id
    return copies


def group_of(doc_order: list[str], copies: dict[str, str]) -> np.ndarray:
    """For each document index, the index of the document whose text it shares (itself if none).

    Ids that are not in `doc_order` are ignored."""
    position = {doc_id: i for i, doc_id in enumerate(doc_order)}
    group = np.arange(len(doc_order), dtype=np.int64)
    for copy, original in copies.items():
        if copy in position and original in position:
            group[position[copy]] = position[original]
    return group


def copies_by_index(group: np.ndarray, doc_order: list[str]) -> dict[int, tuple[str, ...]]:
    """For each document that shares its text, the ids of the others that share it."""
    members: dict[int, list[int]] = {}
    for index in np.flatnonzero(group != np.arange(len(group))).tolist():
        members.setdefault(int(group[index]), [int(group[index])]).append(index)
    found: dict[int, tuple[str, ...]] = {}
    for together in members.values():
        for index in together:
            found[index] = tuple(doc_order[i] for i in sorted(together) if i != index)
    return found


def first_of_each_group(docs: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Positions in `docs` (document indexes, best first) of the best document of each group."""
    _, first = np.unique(group[docs], return_index=True)
    return np.sort(first)
