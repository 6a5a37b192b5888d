"""The library, marketplace and work programme listings (portal/catalogue.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ingest.kinds import Details, take_details
from portal.catalogue import library, programme, tools
from tests.app_support import record


def test_initiative_codes_with_odd_digits_sort_without_failing() -> None:
    docs = [
        record("a.md", kind="initiative", title="A", initiative="I-²", focus_area="F"),
        record("b.md", kind="initiative", title="B", initiative="I-" + "9" * 5000, focus_area="F"),
        record("c.md", kind="initiative", title="C", initiative="I-3", focus_area="F"),
    ]
    (area,) = programme(docs)
    assert [i.record.doc_id for i in area.initiatives] == ["c.md", "b.md", "a.md"]


def test_library_sorting_puts_undated_last() -> None:
    docs = [
        record("a", title="b", published=dt.date(2024, 1, 1)),
        record("b", title="A", published=dt.date(2025, 1, 1)),
        record("c", title="c"),
    ]
    assert [r.doc_id for r in library(docs)] == ["b", "a", "c"]
    assert [r.doc_id for r in library(docs, sort="oldest")] == ["a", "b", "c"]
    assert [r.doc_id for r in library(docs, sort="title")] == ["b", "a", "c"]
    assert [r.doc_id for r in library(docs, sort="title-desc")] == ["c", "a", "b"]


def details(kind: str, **written: Any) -> Details | None:
    """The details of a document of `kind` as parsed from what an editor wrote."""
    return take_details(kind, written)[0]


def test_tools_and_programme_tolerate_odd_metadata() -> None:
    docs = [
        record(
            "t.md", kind="tool", title="T", details=details("tool", conditions="one condition", used_by=5, related=None)
        ),
        record(
            "i.md",
            kind="initiative",
            title="I",
            initiative="I-10",
            focus_area="F",
            details=details("initiative", related="x.md"),
        ),
        record("j.md", kind="initiative", title="J", initiative="I-2", focus_area="F"),
        record("d.md", title="D", initiative="I-2"),
    ]
    (tool,) = tools(docs)
    assert tool.details.conditions == ("one condition",) and tool.details.used_by == ("5",) and tool.guidance == ()
    (area,) = programme(docs)
    assert [i.code for i in area.initiatives] == ["I-2", "I-10"]
    assert [link.doc_id for link in area.initiatives[0].documents] == ["d.md"]
    assert not area.initiatives[1].documents[0].known
