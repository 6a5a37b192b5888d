"""The Search insights tables as CSV files, and the result's place carried by links to the reader."""

from __future__ import annotations

import csv
import io

import pytest

from index import Insights
from portal.insights import csv_text, insight_tables
from portal.urls import MAX_RANK, reader_params, safe_rank

EMPTY = Insights("", 0, 0, 0, (), (), (), (), (), (), (), ())


def test_csv_cells_that_a_spreadsheet_would_run_are_defused() -> None:
    text = csv_text(
        ("Query", "Searches"), [('=HYPERLINK("http://evil")', 3), ("+1 info", 1), ("@SUM(A1)", 2), ("ok", 4)]
    )
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == ["Query", "Searches"]
    assert [row[0] for row in read[1:]] == ['\'=HYPERLINK("http://evil")', "'+1 info", "'@SUM(A1)", "ok"]
    assert [row[1] for row in read[1:]] == ["3", "1", "2", "4"]


def test_every_table_has_its_own_csv_file_and_says_what_an_empty_one_means() -> None:
    tables = insight_tables(EMPTY, 90)
    assert len({t.file_name for t in tables}) == len(tables) == 6
    assert all(t.empty and t.rows == () for t in tables)
    assert "last 90 days" in tables[0].about


def test_links_from_results_carry_the_place_and_others_do_not() -> None:
    assert reader_params("a.md", 3, {"q": "x"}, rank=2) == {"doc": "a.md", "passage": "3", "q": "x", "rank": "2"}
    assert "rank" not in reader_params("a.md", 3, {"q": "x", "rank": "5"})


@pytest.mark.parametrize("raw", ["0", "-1", "1.5", "²", "", None, str(MAX_RANK + 1), "9" * 7, "1e3"])
def test_a_place_that_is_not_a_result_place_is_ignored(raw: str | None) -> None:
    assert safe_rank(raw) is None


@pytest.mark.parametrize("raw", ["1", "20", str(MAX_RANK)])
def test_a_result_place_is_read(raw: str) -> None:
    assert safe_rank(raw) == int(raw)
