"""A search from the URL and its facet counts (portal/search_state.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from index import MAX_QUERY_CHARS, DocumentRecord, Filters
from portal.search_state import FacetOptions, SearchState, facet_counts, memoise, parse_search_state
from tests.app_support import NOT_NUMBERS, record


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_a_year_that_is_not_a_number_is_dropped(raw: str) -> None:
    options = FacetOptions({"kind": (), "agency": (), "focus_area": (), "status": ()}, (2025, 2))
    assert parse_search_state(lambda name: {"year": [raw], "q": ["x"]}.get(name, []), options).year is None


def test_parse_search_state_validates_everything() -> None:
    options = FacetOptions({"kind": ("guidance", "tool"), "agency": (), "focus_area": (), "status": ()}, (2025,))
    url = {"q": ["  many   spaces  "], "kind": ["tool", "tool", "nope"], "year": ["2025"], "status": ["x"]}
    state = parse_search_state(lambda name: url.get(name, []), options)
    assert state == SearchState("many spaces", {"kind": ("tool",)}, 2025)
    assert state.to_params() == {"q": "many spaces", "kind": ["tool"], "year": "2025"}
    assert state.filters() == Filters(
        kinds=("tool",), published_from=dt.date(2025, 1, 1), published_to=dt.date(2025, 12, 31)
    )
    assert parse_search_state(lambda name: {"year": ["1999"], "q": ["x" * 900]}.get(name, []), options).year is None
    too_long = "x" * (MAX_QUERY_CHARS + 400)
    assert len(parse_search_state(lambda name: {"q": [too_long]}.get(name, []), options).query) == MAX_QUERY_CHARS


def test_facet_counts_drop_only_their_own_filter() -> None:
    docs = {
        "g1": record("g1", kind="guidance", agency="A"),
        "g2": record("g2", kind="guidance", agency="B"),
        "t1": record("t1", kind="tool", agency="A"),
    }
    calls: list[Filters] = []

    def run(filters: Filters) -> list[tuple[DocumentRecord, ...]]:
        calls.append(filters)
        return [(r,) for r in docs.values() if filters.allows(r)]

    state = SearchState("q", {"kind": ("tool",)})
    counts = facet_counts(memoise(run), state)
    assert counts["kind"] == {"guidance": 2, "tool": 1}  # without the kind filter
    assert counts["agency"] == {"A": 1}  # with it
    assert len(calls) == 2  # the searches without agency/status/focus/year filters are the same one
