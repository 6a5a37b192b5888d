"""What the search analytics say, for the editors' Search insights page: what people search for,
what the hub has no good answer to, which results nobody opens, and which documents readers
find unhelpful, never open, or are past their review date.

Everything is worked out from the analytics store (index/analytics.py), opened read-only, and the
served build's documents. Queries with no good match are grouped when they share most of their
words, so "AI for parking fines" and "parking fine AI tools" count as one content gap.

The store is read through an `AnalyticsReader`: the data folder's SQLite file, or with HUB_STORE
the database's `hub_analytics` tables (index/pg/analytics.py). Both run the same queries, written
in the SQL the two share, so the same events give the same figures."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from index.analytics import store_path
from index.errors import IndexCorrupt
from index.store import DocumentRecord
from ingest.settings import Settings

# Words that say nothing about what was searched for. "ai" is among them: in this hub nearly
# every question is about AI, so sharing it does not make two questions alike.
STOP_WORDS = frozenset(
    "a an and are as at be by can do does for from how i in is it me my of on or our should the "
    "to we what when where which who why with you your ai".split()
)
# Two content gaps are grouped when at least this share of their words (Jaccard) is shared.
GROUP_OVERLAP = 0.5
# Grouping compares every pair: the most searched distinct queries are enough.
MAX_GROUPED = 2000
POSITIONS = 10
Row = tuple[Any, ...]
# Runs a query on the store; no rows when there is no store yet.
Rows = Callable[[str], list[Row]]


class AnalyticsUnreadable(IndexCorrupt):
    """The analytics store exists but cannot be read (damaged, or not a database)."""


class AnalyticsReader(Protocol):
    """Where the insights are read from."""

    def read(self, work: Callable[[Rows], Insights]) -> Insights:
        """What `work` makes of the store's rows (none before anything was recorded), its queries
        all run on one connection. Raises AnalyticsUnreadable, IndexUnavailable."""
        ...


def no_rows(sql: str) -> list[Row]:
    """A store with nothing recorded yet."""
    return []


@dataclass(frozen=True)
class QueryRow:
    query: str  # its most frequent written form (already redacted)
    searches: int
    no_good_match: int  # of those searches, how many found nothing, or nothing that clearly answers
    clicks: int  # results opened from searches with this query
    last_day: str


@dataclass(frozen=True)
class GapRow:
    query: str  # the group's most searched form
    searches: int  # of every query in the group
    variants: tuple[str, ...]  # the group's other forms, most searched first
    last_day: str


@dataclass(frozen=True)
class PositionRow:
    rank: int  # 1 for the first result
    clicks: int
    searches: int  # searches that had at least `rank` results
    rate: float  # clicks / searches


@dataclass(frozen=True)
class WeekRow:
    week: str  # its Monday, ISO date
    searches: int
    no_good_match: int
    clicks: int
    feedback: int


@dataclass(frozen=True)
class FeedbackRow:
    doc_id: str
    title: str
    unhelpful: int
    helpful: int
    comments: tuple[str, ...]  # the latest comments with "not helpful", newest first


@dataclass(frozen=True)
class DocumentRow:
    doc_id: str
    title: str
    kind: str
    review_by: str  # ISO date, "" when none
    opens: int


@dataclass(frozen=True)
class Insights:
    first_day: str  # the earliest day with recorded activity, "" when none
    searches: int
    clicks: int
    feedback: int
    top_queries: tuple[QueryRow, ...]
    content_gaps: tuple[GapRow, ...]
    unclicked: tuple[QueryRow, ...]  # queries with results of which none was opened
    positions: tuple[PositionRow, ...]
    weeks: tuple[WeekRow, ...]
    unhelpful: tuple[FeedbackRow, ...]
    never_opened: tuple[DocumentRow, ...]
    overdue: tuple[DocumentRow, ...]  # past their review date, most overdue first


class SqliteReader:
    """The analytics store at `path`, opened read-only; empty before it exists."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self, work: Callable[[Rows], Insights]) -> Insights:
        if not self.path.exists():
            return work(no_rows)
        try:
            conn = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise AnalyticsUnreadable(f"the search analytics in {self.path} cannot be opened: {exc}") from exc
        try:
            return work(lambda sql: conn.execute(sql).fetchall())
        except sqlite3.Error as exc:
            raise AnalyticsUnreadable(f"the search analytics in {self.path} cannot be read: {exc}") from exc
        finally:
            conn.close()


def reader_of(settings: Settings) -> AnalyticsReader:
    """The analytics a hub with `settings` records (index.analytics.writer_of): the database of
    HUB_STORE, else the data folder's file."""
    if settings.store:
        from index.pg.analytics import PgReader

        return PgReader(settings)
    return SqliteReader(store_path(settings))


def insights_of(settings: Settings, documents: Sequence[DocumentRecord], today: dt.date, limit: int = 50) -> Insights:
    """The insights from the analytics a hub with `settings` records, as `read_insights` gives
    them. Raises AnalyticsUnreadable, and IndexUnavailable when the database cannot be reached."""
    return reader_of(settings).read(lambda rows: _insights(rows, documents, today, limit))


def read_insights(path: Path, documents: Sequence[DocumentRecord], today: dt.date, limit: int = 50) -> Insights:
    """The insights from the store at `path` (empty ones when it does not exist yet) about
    `documents`; each table holds at most `limit` rows. Raises AnalyticsUnreadable."""
    return SqliteReader(path).read(lambda rows: _insights(rows, documents, today, limit))


def _insights(rows: Rows, documents: Sequence[DocumentRecord], today: dt.date, limit: int) -> Insights:
    # CASE rather than summing a flag: PostgreSQL's flags are booleans, which it does not add up.
    searches = rows(
        "SELECT norm, query, COUNT(*), SUM(CASE WHEN no_good_match OR hits = 0 THEN 1 ELSE 0 END), MAX(day) "
        "FROM searches GROUP BY 1, 2"
    )
    clicks: dict[Any, int] = dict(rows("SELECT norm, COUNT(*) FROM opens WHERE rank IS NOT NULL GROUP BY 1"))
    opens: dict[Any, int] = dict(rows("SELECT doc_id, COUNT(*) FROM opens GROUP BY 1"))
    feedback = rows("SELECT doc_id, helpful, comment FROM feedback ORDER BY id DESC")
    days = [d for (d,) in rows("SELECT MIN(day) FROM searches UNION ALL SELECT MIN(day) FROM opens") if d]
    queries = _by_query(searches, clicks)
    titles = {r.doc_id: r.metadata.title or r.doc_id for r in documents}
    return Insights(
        first_day=min(days, default=""),
        searches=sum(q.searches for q in queries),
        clicks=sum(clicks.values()),
        feedback=len(feedback),
        top_queries=tuple(queries[:limit]),
        content_gaps=tuple(group_gaps(searches)[:limit]),
        unclicked=tuple(q for q in queries if q.clicks == 0 and q.no_good_match < q.searches)[:limit],
        positions=_positions(rows),
        weeks=_weeks(rows),
        unhelpful=tuple(_unhelpful(feedback, titles)[:limit]),
        never_opened=tuple(_document_row(r, 0) for r in sorted(documents, key=_title) if r.doc_id not in opens),
        overdue=_overdue(documents, opens, today),
    )


def _by_query(searches: Iterable[Row], clicks: dict[str, int]) -> list[QueryRow]:
    """One row per normalised query, most searched first, named by its most frequent form."""
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    last: dict[str, str] = {}
    for norm, query, count, no_match, day in searches:
        forms[norm][query] += count
        totals[norm][0] += count
        totals[norm][1] += no_match
        last[norm] = max(last.get(norm, ""), day)
    # Named by the most frequent form; among equals the first in code point order, so neither the
    # store nor the order its rows come in decides.
    rows = [
        QueryRow(min(forms[n], key=lambda q: (-forms[n][q], q)), total, no_match, clicks.get(n, 0), last[n])
        for n, (total, no_match) in totals.items()
    ]
    return sorted(rows, key=lambda r: (-r.searches, r.query))


def content_words(query: str) -> frozenset[str]:
    """The words of `query` that say what it is about: lower case, stop words left out, a plural
    "s" taken off, so "tools" and "tool" match."""
    words = re.findall(r"\w+", query.casefold())
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words) - (
        STOP_WORDS
    )


def group_gaps(searches: Iterable[Row]) -> list[GapRow]:
    """Queries that had no good match, grouped by shared words, biggest group first."""
    counts: Counter[str] = Counter()
    last: dict[str, str] = {}
    for _, query, _, no_match, day in searches:
        if no_match:
            counts[query] += no_match
            last[query] = max(last.get(query, ""), day)
    groups: list[tuple[frozenset[str], list[str]]] = []
    # Most searched first; among equals the shortest, which names the topic most plainly.
    ranked = sorted(counts, key=lambda q: (-counts[q], len(q), q))[:MAX_GROUPED]
    for query in ranked:
        words = content_words(query)
        for head, members in groups:
            if words and head and len(words & head) / len(words | head) >= GROUP_OVERLAP:
                members.append(query)
                break
        else:
            groups.append((words, [query]))
    rows = [GapRow(m[0], sum(counts[q] for q in m), tuple(m[1:]), max(last[q] for q in m)) for _, m in groups]
    return sorted(rows, key=lambda r: (-r.searches, r.query))


def _positions(rows: Rows) -> tuple[PositionRow, ...]:
    """Click-through at each of the first POSITIONS places in the results."""
    clicked: dict[Any, int] = dict(
        rows(f"SELECT rank, COUNT(*) FROM opens WHERE rank BETWEEN 1 AND {POSITIONS} GROUP BY 1")
    )
    found: dict[Any, int] = dict(rows("SELECT hits, COUNT(*) FROM searches GROUP BY 1"))
    result = []
    for rank in range(1, POSITIONS + 1):
        shown = sum(n for hits, n in found.items() if hits >= rank)
        taken = clicked.get(rank, 0)
        result.append(PositionRow(rank, taken, shown, taken / shown if shown else 0.0))
    return tuple(result)


def week_of(day: str) -> str:
    """The Monday (ISO date) of the week holding `day` (ISO date)."""
    date = dt.date.fromisoformat(day)
    return (date - dt.timedelta(days=date.weekday())).isoformat()


def _weeks(rows: Rows) -> tuple[WeekRow, ...]:
    """Searches, searches with no good match, clicks and feedback per week, oldest first."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    queries = (
        "SELECT day, COUNT(*), SUM(CASE WHEN no_good_match THEN 1 ELSE 0 END) FROM searches GROUP BY 1",
        "SELECT day, 0, 0, COUNT(*) FROM opens WHERE rank IS NOT NULL GROUP BY 1",
        "SELECT day, 0, 0, 0, COUNT(*) FROM feedback GROUP BY 1",
    )
    for sql in queries:
        for day, *counts in rows(sql):
            row = tally[week_of(day)]
            for i, n in enumerate(counts):
                row[i] += n
    return tuple(WeekRow(week, *counts) for week, counts in sorted(tally.items()))


def _unhelpful(feedback: Iterable[tuple[str, int, str]], titles: dict[str, str]) -> list[FeedbackRow]:
    """Documents marked "not helpful" at least once, most often first."""
    votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    comments: dict[str, list[str]] = defaultdict(list)
    for doc_id, helpful, comment in feedback:  # newest first
        votes[doc_id][1 if helpful else 0] += 1
        if not helpful and comment and len(comments[doc_id]) < 3:
            comments[doc_id].append(comment)
    rows = [FeedbackRow(d, titles.get(d, d), no, yes, tuple(comments[d])) for d, (no, yes) in votes.items() if no]
    return sorted(rows, key=lambda r: (-r.unhelpful, r.helpful, r.title))


def _title(record: DocumentRecord) -> str:
    return (record.metadata.title or record.doc_id).casefold()


def _document_row(record: DocumentRecord, opens: int) -> DocumentRow:
    review = record.metadata.review_by
    title = record.metadata.title or record.doc_id
    return DocumentRow(record.doc_id, title, record.metadata.kind, review.isoformat() if review else "", opens)


def _overdue(documents: Sequence[DocumentRecord], opens: dict[str, int], today: dt.date) -> tuple[DocumentRow, ...]:
    late = [r for r in documents if r.metadata.review_by and r.metadata.review_by < today]
    late.sort(key=lambda r: (r.metadata.review_by, _title(r)))
    return tuple(_document_row(r, opens.get(r.doc_id, 0)) for r in late)
