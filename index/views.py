"""What the portal's pages show, worked out from the public search API and document records.

Nothing here renders or imports Streamlit, and nothing reaches below the `Hub` API (no vectors,
no model, no parsing), so every rule a page relies on can be tested as plain Python.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any, Literal

from index.present import Marked, highlight, query_terms
from index.search import Filters, SearchResults
from index.store import DocumentRecord
from ingest.kinds import APPROVAL_STATUSES as APPROVAL_STATUSES  # the marketplace page's choices
from ingest.kinds import CLASSIFICATIONS, CaseStudyDetails, InitiativeDetails, ToolDetails, details_as, details_to_json
from ingest.reading import TooLarge, content_hash, read_version
from ingest.scan import id_problem
from ingest.types import SIDECAR_SUFFIX

KIND_LABELS: dict[str, str] = {
    "guidance": "Guidance",
    "case-study": "Case study",
    "tool": "AI tool",
    "initiative": "Initiative",
    "standard": "Standard",
    "training": "Training",
    "other": "Other",
}
MAX_QUERY_CHARS = 500
# ASCII digits only: str.isdigit() also accepts "²", "①" and "٣", which int() then refuses.
_URL_NUMBER = re.compile("[0-9]{1,6}")


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.capitalize() or "Unknown")


# ---- search state (what the URL carries) and facet counts -------------------------------------

FacetName = Literal["kind", "agency", "focus_area", "status"]
FACETS: tuple[FacetName, ...] = ("kind", "agency", "focus_area", "status")
FACET_LABELS: dict[str, str] = {"kind": "Kind", "agency": "Agency", "focus_area": "Focus area", "status": "Status"}


def value_label(facet: str, value: str) -> str:
    """A facet value as people read it."""
    if facet == "kind":
        return kind_label(value)
    return value.capitalize() if facet == "status" else value


def facet_value(record: DocumentRecord, facet: FacetName) -> str:
    value: str = getattr(record.metadata, facet)
    return value


@dataclass(frozen=True)
class SearchState:
    """A search as the URL carries it, after validation. Empty means 'any'."""

    query: str = ""
    selected: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    year: int | None = None

    def values(self, facet: str) -> tuple[str, ...]:
        return tuple(self.selected.get(facet, ()))

    def without(self, facet: str) -> SearchState:
        """This search with one facet's filter removed ('year' for the date)."""
        if facet == "year":
            return replace(self, year=None)
        return replace(self, selected={k: v for k, v in self.selected.items() if k != facet})

    def has_filters(self) -> bool:
        return self.year is not None or any(self.selected.values())

    def active_facets(self) -> list[str]:
        return [f for f in FACETS if self.values(f)] + (["year"] if self.year is not None else [])

    def filters(self) -> Filters:
        return Filters(
            kinds=self.values("kind"),
            agencies=self.values("agency"),
            focus_areas=self.values("focus_area"),
            statuses=self.values("status"),
            published_from=dt.date(self.year, 1, 1) if self.year else None,
            published_to=dt.date(self.year, 12, 31) if self.year else None,
        )

    def fields(self) -> dict[str, str | list[str]]:
        """Every part of the search by parameter name, empty parts included."""
        fields: dict[str, str | list[str]] = {"q": self.query}
        fields.update({facet: list(self.values(facet)) for facet in FACETS})
        fields["year"] = str(self.year) if self.year is not None else ""
        return fields

    def to_params(self) -> dict[str, str | list[str]]:
        """Query parameters for this search; empty parts are left out to keep links short."""
        params: dict[str, str | list[str]] = {}
        if self.query:
            params["q"] = self.query
        for facet in FACETS:
            if self.values(facet):
                params[facet] = list(self.values(facet))
        if self.year is not None:
            params["year"] = str(self.year)
        return params


@dataclass(frozen=True)
class FacetOptions:
    """Every value each facet can take in the live index, and the years documents were published."""

    values: Mapping[str, tuple[str, ...]]
    years: tuple[int, ...]


def facet_options(records: Iterable[DocumentRecord]) -> FacetOptions:
    records = list(records)
    values: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        present = {v for r in records if (v := facet_value(r, facet))}
        values[facet] = tuple(sorted(present, key=lambda v: value_label(facet, v).casefold()))
    years = tuple(sorted({r.metadata.published.year for r in records if r.metadata.published}, reverse=True))
    return FacetOptions(values, years)


def parse_search_state(get_all: Callable[[str], Sequence[str]], options: FacetOptions) -> SearchState:
    """The search a URL asks for. Every value is user input: unknown facet values, bad years and
    over-long queries are dropped or trimmed rather than trusted."""
    raw_query = (list(get_all("q")) or [""])[-1]
    query = " ".join(raw_query.split())[:MAX_QUERY_CHARS]
    selected: dict[str, tuple[str, ...]] = {}
    for facet in FACETS:
        allowed = options.values.get(facet, ())
        chosen = [v for v in dict.fromkeys(get_all(facet)) if v in allowed]
        if chosen:
            selected[facet] = tuple(chosen)
    year = url_number((list(get_all("year")) or [""])[-1])
    return SearchState(query, selected, year if year in options.years else None)


# Every text a search matches under some filters, best first, each as the documents holding it
# (more than one when the same text is filed twice); see Hub.matching.
SearchRunner = Callable[[Filters], list[tuple[DocumentRecord, ...]]]


def memoise(run: SearchRunner) -> SearchRunner:
    """`run` that runs each distinct set of filters once: with no filter chosen, the results and
    every facet's counts come from one search."""
    cache: dict[Filters, list[tuple[DocumentRecord, ...]]] = {}

    def cached(filters: Filters) -> list[tuple[DocumentRecord, ...]]:
        if filters not in cache:
            cache[filters] = run(filters)
        return cache[filters]

    return cached


def facet_counts(run: SearchRunner, state: SearchState) -> dict[str, Counter[str]]:
    """For each facet, how many results each of its values would leave.

    A facet's counts come from the search with every other filter applied but not its own, so
    choosing a value shows exactly the number printed beside it. A text filed twice counts once
    for each value any of its copies has, as choosing that value shows it once, through that copy.
    `run` must return every match; wrap it in `memoise`."""
    counts: dict[str, Counter[str]] = {}
    for facet in FACETS:
        matches = run(state.without(facet).filters())
        counts[facet] = Counter(v for match in matches for v in {facet_value(r, facet) for r in match} if v)
    matches = run(state.without("year").filters())
    counts["year"] = Counter(
        year for match in matches for year in {str(r.metadata.published.year) for r in match if r.metadata.published}
    )
    return counts


# ---- document ids, files and banners -------------------------------------------------------------


def safe_doc_id(raw: str | None, known: Collection[str]) -> str | None:
    """`raw` if it names a document in the live index, else None.

    Membership in the index is what makes an id safe; the path checks first refuse anything that
    looks like a path trick (also once or twice URL-decoded) so it never reaches a lookup or a log.
    They are the same checks the corpus scan applies, so every indexed document can be opened."""
    if not raw or id_problem(raw):
        return None
    return raw if raw in known else None


def url_number(raw: str | None) -> int | None:
    """A whole number from a URL value: one to six ASCII digits, nothing else (no sign, no
    spaces, no other script's digits); None for anything else. Never raises."""
    if raw is None or not _URL_NUMBER.fullmatch(raw):
        return None
    return int(raw)


def safe_position(raw: str | None, count: int) -> int | None:
    """A passage position from the URL, if it is a whole number naming one of `count` passages."""
    position = url_number(raw)
    return position if position is not None and position < count else None


def original_file(record: DocumentRecord, corpus_dir: Path) -> Path | None:
    """The document's original file, only if it resolves (symlinks followed) to a file inside the
    configured corpus folder; None otherwise, so nothing outside the corpus is ever served."""
    root = corpus_dir.resolve()
    try:
        path = Path(record.path).resolve()
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or path == root or not path.is_file():
        return None
    return path


@dataclass(frozen=True)
class Original:
    """A document's original file as the Document page offers it for download."""

    path: Path
    size: int
    problem: str  # why it cannot be downloaded, or "" when it can


def indexed_original(record: DocumentRecord, corpus_dir: Path, max_bytes: int) -> bytes:
    """The bytes of `record`'s original file, if they are still the version that was indexed.

    The file and its sidecar are found and read as the corpus scan does (the sidecar beside the
    document's name in the corpus, both checked to lie inside it when opened). Raises TooLarge,
    or OSError when the file is gone, lies outside the corpus or has changed since."""
    root = os.path.realpath(corpus_dir)
    path = original_file(record, corpus_dir)
    if path is None:
        raise FileNotFoundError(0, "not in the corpus folder", record.doc_id)
    sidecar = os.path.realpath(corpus_dir / (record.doc_id + SIDECAR_SUFFIX))
    raw, side = read_version(str(path), sidecar if os.path.isfile(sidecar) else None, max_bytes, root)
    if content_hash(raw, side) != record.content_hash:
        raise ChangedSinceIndexed(0, "changed since it was indexed", record.doc_id)
    return raw


class ChangedSinceIndexed(OSError):
    """The original file is no longer the version the index holds."""


def original_download(record: DocumentRecord, corpus_dir: Path, max_bytes: int) -> Original | None:
    """The original file of `record` if it is still the version that was indexed; None when there
    is no such file inside the corpus. A file over `max_bytes`, or one that changed since it was
    indexed (its text in the hub is then an earlier version), comes with the reason instead."""
    path = original_file(record, corpus_dir)
    if path is None:
        return None
    try:
        size = len(indexed_original(record, corpus_dir, max_bytes))
    except TooLarge as exc:
        return Original(path, exc.size, "The original file is larger than the hub serves for download.")
    except ChangedSinceIndexed:
        return Original(
            path,
            0,
            "The file has changed since this version was indexed; "
            "it can be downloaded again once the index is updated.",
        )
    except OSError:
        return None
    return Original(path, size, "")


@dataclass(frozen=True)
class Banner:
    level: Literal["info", "warning", "error"]
    message: str
    link: str | None = None  # a document id the banner points to


def banners(record: DocumentRecord, today: dt.date, known: Collection[str]) -> list[Banner]:
    """Warnings a reader must see before trusting a document."""
    meta = record.metadata
    out: list[Banner] = []
    successor = _text(meta.extra.get("superseded_by"))
    link = successor if successor in known else None
    if meta.status == "superseded":
        out.append(Banner("warning", "This document has been superseded and is kept for reference only.", link))
    elif meta.status == "withdrawn":
        out.append(Banner("error", "This document has been withdrawn. Do not rely on it.", link))
    if meta.review_by and meta.review_by < today:
        out.append(
            Banner(
                "warning",
                f"This document was due for review by {format_date(meta.review_by)}; check it is still current.",
            )
        )
    return out


def format_date(day: dt.date | None) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def format_time(iso: str) -> str:
    """An ISO timestamp from a report or manifest as people read it; unparseable text is kept."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = " UTC" if moment.utcoffset() == dt.timedelta(0) else ""
    return f"{moment.day} {moment:%B %Y %H:%M}{zone}"


def location(page: int | None, heading_path: Sequence[str], title: str = "") -> str:
    """Where a passage is, for people: its page in a PDF, or its section. A top heading that
    repeats the document's title says nothing new and is left out."""
    if page is not None:
        return f"Page {page}"
    path = [h for h in heading_path if h]
    if path and title and path[0].casefold() == title.casefold():
        path = path[1:]
    return " › ".join(path)


def highlight_query(text: str, query: str) -> list[Marked]:
    """`text` split into segments, the query's terms marked."""
    return highlight(text.strip(), query_terms(query))


@dataclass(frozen=True)
class TextPiece:
    """A run of document text for the reader: whether it is in the chosen passage, and the page
    that starts with it (PDFs only)."""

    text: str
    marked: bool
    page: int | None = None


def reader_pieces(text: str, page_starts: Sequence[tuple[int, int]], span: tuple[int, int] | None) -> list[TextPiece]:
    """Cut `text` where pages start and where the chosen passage begins and ends."""
    pages = {start: page for page, start in page_starts if 0 <= start <= len(text)}
    cuts = {0, len(text), *pages}
    if span:
        cuts |= {max(0, min(span[0], len(text))), max(0, min(span[1], len(text)))}
    points = sorted(cuts)
    pieces = []
    for start, end in pairwise(points):
        marked = span is not None and span[0] <= start < span[1]
        pieces.append(TextPiece(text[start:end], marked, pages.get(start)))
    return pieces


# ---- links between documents ---------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A reference from one document to another; `title` is empty when the id is not in the index."""

    doc_id: str
    title: str

    @property
    def known(self) -> bool:
        return bool(self.title)


def _text(value: Any) -> str:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value).strip()
    return ""


def _texts(value: Any) -> tuple[str, ...]:
    """Editors write one value or a list; both become a tuple of non-empty strings."""
    items = value if isinstance(value, list) else [value]
    return tuple(t for v in items if (t := _text(v)))


def links(ids: Iterable[str], by_id: Mapping[str, DocumentRecord]) -> tuple[Link, ...]:
    """Links for `ids` in order, once each; ids not in the index keep an empty title."""
    return tuple(Link(i, (by_id[i].metadata.title or i) if i in by_id else "") for i in dict.fromkeys(ids))


def extra_fields(record: DocumentRecord) -> list[tuple[str, tuple[str, ...]]]:
    """The document's kind-specific fields and extra metadata keys, each as a list of texts, for display."""
    out = []
    details = details_to_json(record.metadata.details) or {}
    for key, value in [*details.items(), *record.metadata.extra.items()]:
        texts = _texts(value) if not isinstance(value, dict) else (json.dumps(value, ensure_ascii=False),)
        if texts:
            out.append((key.replace("_", " ").capitalize(), texts))
    return out


# ---- similar documents ---------------------------------------------------------------------------


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

SORT_LABELS: dict[str, str] = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title A to Z",
    "title-desc": "Title Z to A",
}


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


# ---- case studies, marketplace, work programme ----------------------------------------------------


@dataclass(frozen=True)
class CaseStudy:
    record: DocumentRecord
    problem: str
    approach: str
    outcome: str
    tools: tuple[Link, ...]
    guidance: tuple[Link, ...]


def case_studies(records: Iterable[DocumentRecord]) -> list[CaseStudy]:
    """Every case-study document with its problem, approach, outcome and links, newest first."""
    by_id = {r.doc_id: r for r in records}
    out = []
    for record in library(by_id.values(), kinds={"case-study"}):
        story = details_as(record.metadata.details, CaseStudyDetails)
        out.append(
            CaseStudy(
                record,
                problem=story.problem,
                approach=story.approach,
                outcome=story.outcome,
                tools=links(story.tools_used, by_id),
                guidance=links(story.related, by_id),
            )
        )
    return out


@dataclass(frozen=True)
class Tool:
    record: DocumentRecord
    provider: str
    capability: str
    max_classification: str
    approval_status: str
    conditions: tuple[str, ...]
    used_by: tuple[str, ...]
    guidance: tuple[Link, ...]
    case_studies: tuple[Link, ...]

    def cleared_for(self, level: str) -> bool:
        """Whether the tool may handle information classified at `level`."""
        if level not in CLASSIFICATIONS or self.max_classification not in CLASSIFICATIONS:
            return False
        return CLASSIFICATIONS.index(self.max_classification) >= CLASSIFICATIONS.index(level)


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
        out.append(
            Tool(
                record,
                provider=tool.provider,
                capability=tool.capability,
                max_classification=tool.max_classification,
                approval_status=tool.approval_status,
                conditions=tool.conditions,
                used_by=tool.used_by,
                guidance=links(tool.related, by_id),
                case_studies=links(used_in.get(record.doc_id, ()), by_id),
            )
        )
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
        if (not statuses or t.approval_status in statuses)
        and (not classification or t.cleared_for(classification))
        and (not providers or t.provider in providers)
    ]


@dataclass(frozen=True)
class Initiative:
    code: str
    record: DocumentRecord
    goal: str
    deliverable: str
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
        initiative = Initiative(
            code,
            record,
            goal=plan.goal,
            deliverable=plan.deliverable,
            documents=tuple(link for link in linked if link.doc_id != record.doc_id),
        )
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


# ---- index status --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCount:
    kind: str
    documents: int
    passages: int


def counts_by_kind(records: Iterable[DocumentRecord]) -> list[KindCount]:
    docs: Counter[str] = Counter()
    passages: Counter[str] = Counter()
    for r in records:
        kind = kind_label(r.metadata.kind)
        docs[kind] += 1
        passages[kind] += r.chunk_count
    return [KindCount(k, docs[k], passages[k]) for k in sorted(docs)]


@dataclass(frozen=True)
class FileProblem:
    """A corpus file that a build run could not index (failed) or did not read (skipped)."""

    file: str
    reason: str
    hint: str = ""
    kept: bool = False  # failed this run, but its last good version is still searchable


@dataclass(frozen=True)
class RunSummary:
    """One build run as its JSON report tells it; `problem` is set when the report is unreadable.

    Reports written before a field existed simply lack it: the field is then empty."""

    name: str
    started: str = ""
    finished: str = ""
    outcome: str = ""
    message: str = ""
    build_id: str = ""
    model: str = ""
    documents: int = 0
    chunks: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    failed: tuple[FileProblem, ...] = ()
    skipped: tuple[FileProblem, ...] = ()
    # Documents that failed this run (or could not be listed) whose last good version is kept.
    stale: tuple[str, ...] = ()
    # Per document, what the run noticed but indexed anyway (invalid metadata values and such).
    warnings: tuple[tuple[str, tuple[str, ...]], ...] = ()
    problem: str = ""


def _problems(value: Any, stale: Collection[str] = ()) -> tuple[FileProblem, ...]:
    """A report's list of file entries; entries that are not objects, or a value that is not a
    list, are left out rather than trusted."""
    if not isinstance(value, list):
        return ()
    out = []
    for entry in value:
        if not isinstance(entry, dict):
            continue
        file = _text(entry.get("file"))
        kept = entry.get("kept") is True or _text(entry.get("kept")).lower() == "yes" or file in stale
        out.append(FileProblem(file, _text(entry.get("reason")), _text(entry.get("hint")), kept))
    return tuple(out)


def _doc_warnings(value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A report's warnings ({doc_id: [text, ...]}) by document id; anything else gives none."""
    if not isinstance(value, dict):
        return ()
    found = ((_text(doc_id), _texts(texts)) for doc_id, texts in value.items())
    return tuple(sorted((doc_id, texts) for doc_id, texts in found if doc_id and texts))


def read_run(path: Path) -> RunSummary:
    """A run report file as a summary; a missing or damaged file gives a summary naming why."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return RunSummary(path.name, problem=f"{path.name} cannot be read ({exc})")
    if not isinstance(data, dict):
        return RunSummary(path.name, problem=f"{path.name} is not a run report")

    def count(key: str) -> int:
        value = data.get(key)
        if isinstance(value, list):
            return len(value)
        return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0

    raw_stale = data.get("stale")
    stale = _texts(raw_stale) if isinstance(raw_stale, list) else ()
    return RunSummary(
        path.name,
        started=_text(data.get("started")),
        finished=_text(data.get("finished")),
        outcome=_text(data.get("outcome")),
        message=_text(data.get("message")),
        build_id=_text(data.get("build_id")),
        model=_text(data.get("model")),
        documents=count("documents"),
        chunks=count("chunks"),
        added=count("added"),
        updated=count("updated"),
        removed=count("removed"),
        failed=_problems(data.get("failed"), stale),
        skipped=_problems(data.get("skipped")),
        stale=stale,
        warnings=_doc_warnings(data.get("warnings")),
    )


def number_of(number: int, thing: str, things: str = "") -> str:
    """The count with its noun in the right number: "1 file", "2 files"."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"


def without_folders(text: str, folders: Iterable[Path]) -> str:
    """`text` with the server's absolute paths to `folders` left out: a path inside one becomes
    relative to it, and the folder itself is called by its last name. A folder set as a relative
    path is looked for in its absolute forms (from the working folder, and with links resolved);
    relative text such as "data/builds" is left as it is, as "data/" may be part of a word."""
    forms: set[str] = set()
    for folder in folders:
        for path in (folder.absolute(), folder.resolve()):
            if path.is_absolute() and str(path) != path.anchor:
                forms.add(str(path))
    # Longest first, so a folder inside another is cut before its parent. A path continues
    # with "/"; anything else that could carry on a name ("data2", "data.old") is another folder.
    for form in sorted(forms, key=len, reverse=True):
        inside = re.compile(re.escape(form) + r"/+")
        itself = re.compile(re.escape(form) + r"(?![\w.-])")
        text = itself.sub(Path(form).name, inside.sub("", text))
    return text


def latest_run(reports_dir: Path) -> RunSummary | None:
    path = reports_dir / "latest.json"
    return read_run(path) if path.exists() else None


def run_history(reports_dir: Path, limit: int = 10) -> list[RunSummary]:
    """The most recent runs, newest first (report names start with the run's start time)."""
    if not reports_dir.is_dir():
        return []
    paths = sorted(reports_dir.glob("run-*.json"), key=lambda p: p.name, reverse=True)
    return [read_run(p) for p in paths[:limit]]
