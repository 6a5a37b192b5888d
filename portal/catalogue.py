"""The hub's listings, worked out from document records: the library, case studies, the AI
marketplace, the work programme, links between documents and counts by kind."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from index import DocumentRecord, SearchResults
from ingest.kinds import APPROVAL_STATUSES as APPROVAL_STATUSES  # the marketplace page's choices
from ingest.kinds import CLASSIFICATIONS, CaseStudyDetails, InitiativeDetails, ToolDetails, details_as, details_to_json
from portal.labels import kind_label
from portal.values import as_texts

# Orders as given in docs/metadata.md: a tool cleared for a level is cleared for every lower one.
SORT_LABELS: dict[str, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title A to Z",
    "title-desc": "Title Z to A",
}

# ---- links between documents ---------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A reference from one document to another; `title` is empty when the id is not in the index."""

    doc_id: str
    title: str

    @property
    def known(self) -> bool:
        return bool(self.title)


def links(ids: Iterable[str], by_id: Mapping[str, DocumentRecord]) -> tuple[Link, ...]:
    """Links for `ids` in order, once each; ids not in the index keep an empty title."""
    return tuple(Link(i, (by_id[i].metadata.title or i) if i in by_id else "") for i in dict.fromkeys(ids))


def extra_fields(record: DocumentRecord) -> list[tuple[str, tuple[str, ...]]]:
    """The document's kind-specific fields and extra metadata keys, each as a list of texts, for display."""
    out = []
    details = details_to_json(record.metadata.details) or {}
    for key, value in [*details.items(), *record.metadata.extra.items()]:
        texts = as_texts(value) if not isinstance(value, dict) else (json.dumps(value, ensure_ascii=False),)
        if texts:
            out.append((key.replace("_", " ").capitalize(), texts))
    return out


def similar_documents(
    search: Callable[[str, int], SearchResults], record: DocumentRecord, limit: int = 5
) -> list[DocumentRecord]:
    """Documents most like `record`, found by searching with its title and summary; never itself."""
    query = " ".join(p for p in (record.metadata.title, record.metadata.summary) if p)
    if not query:
        return []
    hits = search(query, limit + 1).hits
    return [h.record for h in hits if h.doc_id != record.doc_id][:limit]


# ---- library -------------------------------------------------------------------------------------


def library(
    records: Iterable[DocumentRecord],
    *,
    kinds: Collection[str] = (),
    focus_areas: Collection[str] = (),
    agencies: Collection[str] = (),
    sort: str = "newest",
) -> list[DocumentRecord]:
    """Documents passing the chosen filters (empty means any), in the chosen order.

    Undated documents always come last, whichever way dates are sorted."""
    chosen = [
        r
        for r in records
        if (not kinds or r.metadata.kind in kinds)
        and (not focus_areas or r.metadata.focus_area in focus_areas)
        and (not agencies or r.metadata.agency in agencies)
    ]
    by_title = sorted(chosen, key=lambda r: (r.metadata.title.casefold(), r.doc_id))
    if sort in ("title", "title-desc"):
        return by_title if sort == "title" else by_title[::-1]
    dated = [r for r in by_title if r.metadata.published]
    undated = [r for r in by_title if not r.metadata.published]
    dated.sort(key=lambda r: r.metadata.published or dt.date.min, reverse=sort != "oldest")
    return dated + undated


# ---- case studies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseStudy:
    """A case study's record and its own fields, with the documents they name as links."""

    record: DocumentRecord
    story: CaseStudyDetails
    tools: tuple[Link, ...]
    guidance: tuple[Link, ...]


def case_studies(records: Iterable[DocumentRecord]) -> list[CaseStudy]:
    """Every case-study document with its problem, approach, outcome and links, newest first."""
    by_id = {r.doc_id: r for r in records}
    out = []
    for record in library(by_id.values(), kinds={"case-study"}):
        story = details_as(record.metadata.details, CaseStudyDetails)
        out.append(CaseStudy(record, story, links(story.tools_used, by_id), links(story.related, by_id)))
    return out


# ---- marketplace ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tool:
    """A tool's record and its own fields, with the guidance and case studies as links."""

    record: DocumentRecord
    details: ToolDetails
    guidance: tuple[Link, ...]
    case_studies: tuple[Link, ...]

    def cleared_for(self, level: str) -> bool:
        """Whether the tool may handle information classified at `level`."""
        highest = self.details.max_classification
        if level not in CLASSIFICATIONS or highest not in CLASSIFICATIONS:
            return False
        return CLASSIFICATIONS.index(highest) >= CLASSIFICATIONS.index(level)


def tools(records: Iterable[DocumentRecord]) -> list[Tool]:
    """Every AI tool in the marketplace, by title, with the case studies that used it."""
    by_id = {r.doc_id: r for r in records}
    used_in: dict[str, list[str]] = {}
    for record in library(by_id.values(), kinds={"case-study"}, sort="title"):
        for tool_id in details_as(record.metadata.details, CaseStudyDetails).tools_used:
            used_in.setdefault(tool_id, []).append(record.doc_id)
    out = []
    for record in library(by_id.values(), kinds={"tool"}, sort="title"):
        tool = details_as(record.metadata.details, ToolDetails)
        used = links(used_in.get(record.doc_id, ()), by_id)
        out.append(Tool(record, tool, links(tool.related, by_id), used))
    return out


def filter_tools(
    catalogue: Iterable[Tool],
    *,
    statuses: Collection[str] = (),
    classification: str | None = None,
    providers: Collection[str] = (),
) -> list[Tool]:
    """Tools with one of `statuses`, cleared for `classification`, from one of `providers`."""
    return [
        t
        for t in catalogue
        if (not statuses or t.details.approval_status in statuses)
        and (not classification or t.cleared_for(classification))
        and (not providers or t.details.provider in providers)
    ]


# ---- work programme ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Initiative:
    """An initiative's code, record and own fields, with its documents as links."""

    code: str
    record: DocumentRecord
    plan: InitiativeDetails
    documents: tuple[Link, ...]


@dataclass(frozen=True)
class FocusArea:
    name: str
    initiatives: tuple[Initiative, ...]


def programme(records: Iterable[DocumentRecord]) -> list[FocusArea]:
    """The work programme's focus areas, each with its initiatives in code order.

    An initiative's documents are those it lists as related, then every other document tagged
    with its code. Focus areas come in the order of their first initiative."""
    by_id = {r.doc_id: r for r in records}
    members: dict[str, list[DocumentRecord]] = {}
    for record in library(by_id.values(), sort="title"):
        if record.metadata.initiative and record.metadata.kind != "initiative":
            members.setdefault(record.metadata.initiative, []).append(record)
    areas: dict[str, list[Initiative]] = {}
    initiatives = [r for r in by_id.values() if r.metadata.kind == "initiative"]
    for record in sorted(initiatives, key=lambda r: (_code_key(r.metadata.initiative), r.doc_id)):
        code = record.metadata.initiative
        plan = details_as(record.metadata.details, InitiativeDetails)
        linked = links([*plan.related, *(m.doc_id for m in members.get(code, []))], by_id)
        documents = tuple(link for link in linked if link.doc_id != record.doc_id)
        initiative = Initiative(code, record, plan, documents)
        areas.setdefault(record.metadata.focus_area or "Other initiatives", []).append(initiative)
    return [FocusArea(name, tuple(items)) for name, items in areas.items()]


def _code_key(code: str) -> tuple[int, str]:
    """Sort I-2 before I-10; codes without a number go last."""
    # ASCII digits only, and not too many: a code is metadata anyone can write, and int()
    # refuses "²" as well as numbers of thousands of digits.
    digits = "".join(ch for ch in code if ch in "0123456789")[:12]
    return (int(digits) if digits else 10**12, code)


def programme_overview(records: Iterable[DocumentRecord]) -> list[DocumentRecord]:
    """Documents about the programme as a whole: tagged 'work programme' and not an initiative."""
    return [
        r
        for r in library(records, sort="oldest")
        if r.metadata.kind != "initiative" and any(t.casefold() == "work programme" for t in r.metadata.tags)
    ]


# ---- what the index holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCount:
    kind: str
    documents: int
    passages: int


def counts_by_kind(records: Iterable[DocumentRecord]) -> list[KindCount]:
    """Documents and passages for each kind, by kind label."""
    docs: Counter[str] = Counter()
    passages: Counter[str] = Counter()
    for r in records:
        kind = kind_label(r.metadata.kind)
        docs[kind] += 1
        passages[kind] += r.chunk_count
    return [KindCount(k, docs[k], passages[k]) for k in sorted(docs)]
