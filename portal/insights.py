"""The Search insights page's tables: each as a title, what it tells an editor, its columns and
rows, shown as an HTML table and offered as a CSV file. Plain functions, no Streamlit."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from index import Insights

Cell = str | int


@dataclass(frozen=True)
class Table:
    title: str
    about: str  # one sentence: what the table is for
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    file_name: str  # of its CSV download
    empty: str  # what the page says instead when there are no rows


def percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def insight_tables(insights: Insights, days: int) -> tuple[Table, ...]:
    """Every table of the page, in the order it shows them."""
    window = f"in the last {days} days"
    return (
        Table(
            "Top queries",
            f"What people searched for most {window}.",
            ("Query", "Searches", "No good match", "Results opened", "Last searched"),
            tuple((q.query, q.searches, q.no_good_match, q.clicks, q.last_day) for q in insights.top_queries),
            "top-queries.csv",
            "No searches have been recorded yet.",
        ),
        Table(
            "Content gaps: queries with no good match",
            "Questions the hub found nothing that clearly answers; similar questions are grouped. "
            "Each is a candidate for a new document, or for better words in an existing one.",
            ("Query", "Searches", "Similar queries", "Last searched"),
            tuple((g.query, g.searches, "; ".join(g.variants), g.last_day) for g in insights.content_gaps),
            "content-gaps.csv",
            "Every recorded search found something that answers it.",
        ),
        Table(
            "Queries with results that nobody opened",
            "The hub had answers, but no one opened any: the titles or snippets may not look like what was asked.",
            ("Query", "Searches", "Last searched"),
            tuple((q.query, q.searches, q.last_day) for q in insights.unclicked),
            "queries-without-clicks.csv",
            "Every query with results had at least one result opened.",
        ),
        Table(
            "Documents most often marked unhelpful",
            "Answers to “Was this helpful?” on the document page, with the latest comments.",
            ("Document", "Title", "Not helpful", "Helpful", "Latest comments"),
            tuple((f.doc_id, f.title, f.unhelpful, f.helpful, " | ".join(f.comments)) for f in insights.unhelpful),
            "unhelpful-documents.csv",
            "No document has been marked unhelpful.",
        ),
        Table(
            "Documents never opened",
            f"Documents no one opened {window}, from search or from any listing.",
            ("Document", "Title", "Kind"),
            tuple((d.doc_id, d.title, d.kind) for d in insights.never_opened),
            "never-opened.csv",
            "Every document was opened at least once.",
        ),
        Table(
            "Documents past their review date",
            "Readers see a warning on these documents; check each is still current and update its review date.",
            ("Document", "Title", "Review by", f"Opened {window}"),
            tuple((d.doc_id, d.title, d.review_by, d.opens) for d in insights.overdue),
            "past-review-date.csv",
            "No document is past its review date.",
        ),
    )


def position_table(insights: Insights) -> Table:
    """Click-through by place in the results."""
    return Table(
        "Click-through by result position",
        "How often the result at each place was opened, out of the searches that had a result there.",
        ("Position", "Opened", "Searches", "Click-through"),
        tuple((p.rank, p.clicks, p.searches, percent(p.rate)) for p in insights.positions),
        "click-through-by-position.csv",
        "",
    )


def week_table(insights: Insights) -> Table:
    """The weekly trend."""
    return Table(
        "Searches by week",
        "Each week from its Monday: searches, those with no good match, results opened and feedback given.",
        ("Week of", "Searches", "No good match", "Results opened", "Feedback"),
        tuple((w.week, w.searches, w.no_good_match, w.clicks, w.feedback) for w in insights.weeks),
        "searches-by-week.csv",
        "No searches have been recorded yet.",
    )


# A cell starting with one of these is run as a formula by spreadsheet programs; queries and
# comments are typed by anyone, so such a cell is opened with an apostrophe, as spreadsheets do.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(cell: Cell) -> Cell:
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def csv_text(columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """`rows` under `columns` as CSV, every text cell safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([csv_cell(c) for c in row] for row in rows)
    return out.getvalue()
