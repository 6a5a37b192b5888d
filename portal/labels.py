"""How kinds, facet values, dates and times read on the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from index import FACETS as ALL_FACETS
from index import FacetName

KIND_LABELS: dict[str, str] = {
    "guidance": "Guidance",
    "case-study": "Case study",
    "tool": "AI tool",
    "initiative": "Initiative",
    "standard": "Standard",
    "training": "Training",
    "other": "Other",
}

# The facets chosen from lists; the publication year has a box of its own.
FACETS: tuple[FacetName, ...] = tuple(f for f in ALL_FACETS if f != "year")
FACET_LABELS: dict[str, str] = {"kind": "Kind", "agency": "Agency", "focus_area": "Focus area", "status": "Status"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.capitalize() or "Unknown")


def value_label(facet: str, value: str) -> str:
    """A facet value as people read it."""
    if facet == "kind":
        return kind_label(value)
    return value.capitalize() if facet == "status" else value


def labeller(facet: str) -> Callable[[str], str]:
    """A widget format_func showing a facet value as people read it."""
    return lambda value: value_label(facet, value)


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


def number_of(number: int, thing: str, things: str = "") -> str:
    """The count with its noun in the right number: "1 file", "2 files"."""
    return f"{number} {thing if number == 1 else things or thing + 's'}"
