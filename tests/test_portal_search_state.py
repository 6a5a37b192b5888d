"""A search from the URL and its facet counts (portal/search_state.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from index import MAX_QUERY_CHARS, Filters
from portal.search_state import FacetOptions, SearchState, parse_search_state
from tests.app_support import NOT_NUMBERS


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
