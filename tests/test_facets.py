"""Facet counts and the filter operations they rest on, as pure functions over document records."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from index.facets import count_facets, facet_value
from index.filters import FACETS, Filters
from index.store import DocumentRecord
from ingest.types import Metadata


def record(doc_id: str, **meta: object) -> DocumentRecord:
    return DocumentRecord(doc_id, doc_id, "md", "hash", Metadata(**meta), (), 1, ())  # type: ignore[arg-type]


GUIDE = record("guide.md", kind="guidance", agency="Transport", published=dt.date(2024, 5, 1))
TOOL = record("tool.md", kind="tool", agency="Transport", status="withdrawn", published=dt.date(2023, 1, 9))
UNDATED = record("undated.md", kind="guidance", agency="Health")
# One text filed twice: under two agencies, the copy published a year later.
FLEET = record("fleet.md", kind="guidance", agency="Transport", published=dt.date(2024, 2, 2))
FLEET_COPY = record("old/fleet.md", kind="guidance", agency="Roads", published=dt.date(2025, 2, 2))
TEXTS = [(GUIDE,), (TOOL,), (UNDATED,), (FLEET, FLEET_COPY)]
CHOICES = [
    Filters(),
    Filters(kinds=("guidance",)),
    Filters(agencies=("Roads",)),
    Filters(agencies=("Transport", "Health"), statuses=("current",)),
    Filters(kinds=("tool",), agencies=("Health",)),
    Filters(published_from=dt.date(2025, 1, 1), published_to=dt.date(2025, 12, 31)),
    Filters(kinds=("guidance",), published_from=dt.date(2024, 1, 1), published_to=dt.date(2024, 12, 31)),
]


def test_with_no_filter_every_text_counts_once_for_each_value_its_copies_have() -> None:
    counts = count_facets(TEXTS, Filters())
    assert counts.values["kind"] == {"guidance": 3, "tool": 1}
    # The copied text counts under both agencies: choosing either shows it, through one copy.
    assert counts.values["agency"] == {"Transport": 3, "Roads": 1, "Health": 1}
    assert counts.values["status"] == {"current": 3, "withdrawn": 1}
    assert counts.totals == dict.fromkeys(FACETS, 4)


def test_years_come_from_the_publication_date_and_undated_texts_count_under_none() -> None:
    counts = count_facets(TEXTS, Filters())
    assert counts.values["year"] == {"2024": 2, "2023": 1, "2025": 1}
    assert facet_value(UNDATED, "year") == ""
    assert facet_value(FLEET_COPY, "year") == "2025"


def test_empty_values_are_not_counted() -> None:
    counts = count_facets(TEXTS, Filters())
    assert "" not in counts.values["focus_area"] and sum(counts.values["focus_area"].values()) == 0


def test_a_facet_ignores_its_own_filter_and_applies_the_others() -> None:
    chosen = Filters(kinds=("tool",), agencies=("Roads",))
    counts = count_facets(TEXTS, chosen)
    # Kind counts apply the agency filter: only the copy filed under Roads is left.
    assert counts.values["kind"] == {"guidance": 1}
    # Agency counts apply the kind filter: only the tool is left.
    assert counts.values["agency"] == {"Transport": 1}
    # Every other facet applies both: nothing is left.
    assert counts.values["status"] == {} and counts.totals["status"] == 0
    assert counts.totals["kind"] == 1 and counts.totals["agency"] == 1


def test_a_copy_counts_only_through_the_copies_that_pass_the_other_filters() -> None:
    in_2025 = Filters(published_from=dt.date(2025, 1, 1), published_to=dt.date(2025, 12, 31))
    counts = count_facets(TEXTS, in_2025)
    assert counts.values["agency"] == {"Roads": 1}  # the Transport copy was published in 2024
    assert counts.values["year"] == {"2024": 2, "2023": 1, "2025": 1}  # its own filter set aside


@pytest.mark.parametrize("chosen", CHOICES)
def test_each_count_is_the_number_of_texts_choosing_its_value_leaves(chosen: Filters) -> None:
    counts = count_facets(TEXTS, chosen)
    for facet in FACETS:
        assert counts.totals[facet] == sum(any(chosen.without(facet).allows(r) for r in t) for t in TEXTS)
        for value, count in counts.values[facet].items():
            picked = choose(chosen.without(facet), facet, value)
            assert count == sum(any(picked.allows(r) for r in text) for text in TEXTS), (facet, value)


def choose(filters: Filters, facet: str, value: str) -> Filters:
    """`filters` with `value` the only one chosen for `facet`, as a reader picking it sets it."""
    if facet == "year":
        year = int(value)
        return Filters(
            **{**vars(filters), "published_from": dt.date(year, 1, 1), "published_to": dt.date(year, 12, 31)}
        )
    name = {"kind": "kinds", "agency": "agencies", "focus_area": "focus_areas", "status": "statuses"}[facet]
    return Filters(**{**vars(filters), name: (value,)})


@pytest.mark.parametrize("chosen", CHOICES)
def test_failing_names_the_facets_a_record_does_not_pass(chosen: Filters) -> None:
    for doc in (GUIDE, TOOL, UNDATED, FLEET, FLEET_COPY):
        failed = chosen.failing(doc)
        assert chosen.allows(doc) == (failed == ())
        for facet in FACETS:
            # Setting a facet aside lets the record through exactly when it failed that facet alone.
            assert chosen.without(facet).allows(doc) == (set(failed) <= {facet})


def test_without_removes_one_facet_only() -> None:
    chosen = CHOICES[-1]
    assert chosen.without("kind") == Filters(published_from=chosen.published_from, published_to=chosen.published_to)
    assert chosen.without("year") == Filters(kinds=("guidance",))
    assert chosen.without("agency") == chosen


@pytest.mark.parametrize(("one", "other"), list(itertools.product(CHOICES, repeat=2)))
def test_narrowed_filters_allow_what_both_allow(one: Filters, other: Filters) -> None:
    both = one.narrowed(other)
    for doc in (GUIDE, TOOL, UNDATED, FLEET, FLEET_COPY):
        expected = one.allows(doc) and other.allows(doc)
        assert (both is not None and both.allows(doc)) == expected


def test_narrowing_to_no_common_value_is_none_and_an_empty_scope_changes_nothing() -> None:
    assert Filters(kinds=("tool",)).narrowed(Filters(kinds=("guidance",))) is None
    for chosen in CHOICES:
        assert Filters().narrowed(chosen) == chosen
