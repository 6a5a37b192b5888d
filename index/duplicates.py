"""Documents filed twice: the same text under two names (a re-upload, a copy in another folder),
and editions: long texts that share most of their wording (a revised edition beside the old one).

Search shows each text once, and the index status page lists the copies for editors. Text is
compared after ingest's clean-up, so two PDFs with different bytes but the same words match.
Editions are different documents: search shows the better-ranked one and names the others
under it, so two editions never take two places at the top.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable

import numpy as np

_WORD = re.compile(r"[^\W_]+")


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


# Editions: two long texts that share most of their wording (a document and its revised
# edition, a report re-exported with other page breaks). Compared by their five-word runs
# ("shingles"): of the texts in ../shared/realdocs the two editions of the AI RMF Playbook share
# 87% of them (Jaccard), two exact copies 100%, and the closest pair of different documents 31%.
EDITION_SHARE = 0.6
SHINGLE_WORDS = 5
# Only one shingle in SAMPLE_EVERY is kept (those whose hash falls on a multiple), the same ones
# in every text, so the shares are estimated from an eighth of the work.
SAMPLE_EVERY = 8
# A shingle held by more texts than this is boilerplate (a licence, a footer): it says nothing
# about editions, and counting it for every pair of its holders would cost their square.
MAX_HOLDERS = 20
# Texts shorter than this are not compared: a long document offering hundreds of passages is
# what crowds the top of a ranking with two editions, and short notes often share boilerplate.
MIN_EDITION_WORDS = 2000


def shingles(text: str) -> frozenset[int]:
    """The sampled five-word runs of `text`, as stable hashes (case and punctuation ignored)."""
    words = _WORD.findall(text.casefold())
    runs = (" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))
    hashes = (zlib.crc32(run.encode("utf-8")) for run in runs)
    return frozenset(h for h in hashes if h % SAMPLE_EVERY == 0)


def editions(documents: Iterable[tuple[str, str]], copies: dict[str, str]) -> dict[str, str]:
    """For (doc_id, text) pairs, each later edition's id mapped to the first id (in id order) of
    the texts it shares at least EDITION_SHARE of its shingles with (Jaccard).

    Copies of one text (`copies`, from `same_text`) are left to the copies; texts shorter than
    MIN_EDITION_WORDS words are not compared."""
    sets = {
        doc_id: shingles(text)
        for doc_id, text in sorted(documents)
        if doc_id not in copies and len(text.split()) >= MIN_EDITION_WORDS
    }
    holders: dict[int, list[str]] = {}
    for doc_id, found in sets.items():
        for shingle in found:
            holders.setdefault(shingle, []).append(doc_id)
    shared: dict[tuple[str, str], int] = {}
    for ids in (ids for ids in holders.values() if len(ids) <= MAX_HOLDERS):
        for n, first in enumerate(ids):
            for later in ids[n + 1 :]:
                shared[(first, later)] = shared.get((first, later), 0) + 1
    found_editions: dict[str, str] = {}
    for (first, later), count in sorted(shared.items()):
        union = len(sets[first]) + len(sets[later]) - count
        if later not in found_editions and count / max(union, 1) >= EDITION_SHARE:
            found_editions[later] = found_editions.get(first, first)
    return found_editions
