"""The editors' curation as a build keeps it and a search applies it: best bets, synonyms and
agency names (read and checked from the corpus by ingest/curation.py).

A build stores the checked curation as `curation.json`, so a change to the curation files needs
a new build but no passage embedded again; a build without the file has no curation.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexCorrupt, one_line
from index.filters import Filters
from index.keyword import KeywordHits
from index.layout import write_json_atomic
from index.store import DocumentRecord
from ingest.curation import Agency, BestBet, Curation, words

CURATION = "curation.json"
# A query naming several terms with synonyms could be rewritten many ways; each rewriting is
# another keyword search (about a millisecond at 200,000 passages), so only the first few are run.
MAX_VARIANTS = 8
# What a passage matching a rewriting counts for, as a share of the same match on the reader's
# own words: those say more about what they want than the editors' synonym does. Chosen on the
# development sets (tests/golden/dev_*.yaml) with the bundled model: at 0.8 and above, "LLM
# meaning" lost its glossary entry to a page repeating "large language model"; at 0.6 no query
# of those sets ranks its first answer lower than without synonyms.
SYNONYM_WEIGHT = 0.6


def curation_to_json(curation: Curation) -> dict[str, Any]:
    """The checked curation as the build stores it (its problems are the run report's)."""
    return {
        "best_bets": [
            {
                "queries": list(b.phrases),
                "documents": list(b.documents),
                "until": b.until.isoformat() if b.until else None,
            }
            for b in curation.best_bets
        ],
        "synonyms": [list(group) for group in curation.synonyms],
        "agencies": None
        if curation.agencies is None
        else [{"name": a.name, "aliases": list(a.aliases)} for a in curation.agencies],
    }


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def write_curation(folder: Path, curation: Curation) -> None:
    """Write the checked curation into a build folder being staged."""
    write_json_atomic(folder / CURATION, curation_to_json(curation))


def read_curation(folder: Path) -> Curation:
    """The curation a build folder stores; none for a build made before curation was kept.
    Raises IndexCorrupt naming the file when it is there but cannot be read."""
    path = folder / CURATION
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return curation_from_json(data)
    except FileNotFoundError:
        return Curation()
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise IndexCorrupt(f"{path}: unreadable ({one_line(exc)})") from None


def curation_from_json(data: dict[str, Any]) -> Curation:
    bets = tuple(
        BestBet(
            tuple(map(str, b["queries"])),
            tuple(map(str, b["documents"])),
            dt.date.fromisoformat(b["until"]) if b["until"] else None,
            0,
        )
        for b in data["best_bets"]
    )
    synonyms = tuple(tuple(map(str, group)) for group in data["synonyms"])
    agencies = data["agencies"]
    listed = None if agencies is None else tuple(Agency(a["name"], tuple(a["aliases"]), 0) for a in agencies)
    return Curation(bets, synonyms, listed)


def agency_names(curation: Curation) -> dict[tuple[str, ...], str]:
    """Each name and alias of the agency list (as words) -> the agency's name; empty without a list."""
    return {words(n): a.name for a in curation.agencies or () for n in (a.name, *a.aliases)}


def canonical_records(records: Iterable[DocumentRecord], curation: Curation) -> list[DocumentRecord]:
    """`records` with each agency written as the agency list names it (an alias becomes the
    agency's name; a name not in the list is left as it is)."""
    names = agency_names(curation)
    found = []
    for record in records:
        name = names.get(words(record.metadata.agency)) if record.metadata.agency else None
        if name is not None and name != record.metadata.agency:
            record = replace(record, metadata=replace(record.metadata, agency=name))
        found.append(record)
    return found


def canonical_filters(filters: Filters, curation: Curation) -> Filters:
    """`filters` with agencies chosen by an alias (a link, the command line) named as the list
    names them, so `--agency GCDO` finds what the Agency filter shows under the agency's name."""
    names = agency_names(curation)
    if not filters.agencies or not names:
        return filters
    return replace(filters, agencies=tuple(dict.fromkeys(names.get(words(a), a) for a in filters.agencies)))


def unknown_agency(agency: str, curation: Curation) -> str:
    """A warning when the agency list exists and `agency` is neither a name nor an alias in it;
    '' otherwise (no list, no agency, or a known one)."""
    if curation.agencies is None or not agency or words(agency) in agency_names(curation):
        return ""
    return (
        f"metadata: agency: {agency!r} is not in the agency list (_curation/agencies.yaml); "
        "add it there, as an agency or an alias, or correct the document's agency"
    )


def _contains(query: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    """Where `phrase` first occurs in `query` as a run of whole words, or -1."""
    n = len(phrase)
    return next((i for i in range(len(query) - n + 1) if query[i : i + n] == phrase), -1) if n else -1


def recommended(curation: Curation, query: str, today: dt.date) -> list[str]:
    """The documents best bets recommend for `query`, in the order the file gives them.

    A best bet applies when one of its queries occurs in the search's query as whole words,
    compared without case, diacritics or punctuation ('PIA' matches "how do I write a PIA?",
    not "pianist"); one past its end date no longer applies."""
    asked = words(query)
    found: list[str] = []
    for bet in curation.best_bets:
        if bet.until is not None and bet.until < today:
            continue
        if any(_contains(asked, words(phrase)) >= 0 for phrase in bet.phrases):
            found.extend(d for d in bet.documents if d not in found)
    return found


@dataclass(frozen=True)
class Widening:
    """The query's rewritings with synonyms, and the terms they added (as the editors wrote them)."""

    variants: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


def widened(curation: Curation, query: str) -> Widening:
    """The query rewritten with each synonym of each group term it holds as whole words: 'PIA
    template' becomes 'privacy impact assessment template'. A group none of whose terms the
    query holds, or whose terms it all holds, adds nothing."""
    asked = words(query)
    variants: list[str] = []
    added: list[str] = []
    for group in curation.synonyms:
        held = [(term, _contains(asked, words(term))) for term in group]
        present = [(term, at) for term, at in held if at >= 0]
        if not present:
            continue
        term, at = present[0]
        size = len(words(term))
        for other, where in held:
            if where >= 0:
                continue
            variants.append(" ".join((*asked[:at], *words(other), *asked[at + size :])))
            added.append(other)
    return Widening(tuple(variants[:MAX_VARIANTS]), tuple(dict.fromkeys(added[:MAX_VARIANTS])))


def merged_hits(base: KeywordHits, others: Sequence[KeywordHits], k: int) -> KeywordHits:
    """The keyword hits of a query and of its rewritings as one list of the best `k` passages.

    A rewriting's scores are put on the query's own scale (a passage matching every word of the
    rewriting scores as one matching every word of the query), times SYNONYM_WEIGHT, and a
    passage found by several keeps its best score and its best coverage, so widening never
    lowers what the query found."""
    if not others:
        return base
    rows = [base.rows, *(o.rows for o in others)]
    scales = [SYNONYM_WEIGHT * (base.bound / o.bound if o.bound > 0 else 1.0) for o in others]
    scores = [base.scores, *(o.scores * np.float32(scale) for o, scale in zip(others, scales, strict=True))]
    coverage = [base.coverage, *(o.coverage for o in others)]
    all_rows, all_scores, all_coverage = np.concatenate(rows), np.concatenate(scores), np.concatenate(coverage)
    unique, inverse = np.unique(all_rows, return_inverse=True)
    best = np.full(len(unique), -np.inf, dtype=np.float32)
    np.maximum.at(best, inverse, all_scores.astype(np.float32))
    covered = np.zeros(len(unique), dtype=np.float32)
    np.maximum.at(covered, inverse, all_coverage.astype(np.float32))
    order = np.lexsort((unique, -best))[:k]
    return KeywordHits(unique[order].astype(np.int64), best[order], covered[order], base.bound)


def allowed_ids(ids: Sequence[str], position: dict[str, int], allowed: np.ndarray) -> list[int]:
    """The document indexes of `ids` that are in the build and marked in `allowed`."""
    return [position[d] for d in ids if d in position and bool(allowed[position[d]])]
