"""How dates and times read on the page (portal/labels.py)."""

from __future__ import annotations

from portal.labels import format_time


def test_format_time() -> None:
    assert format_time("2026-11-26T15:36:13+00:00") == "26 November 2026 15:36 UTC"
    assert format_time("garbage") == "garbage"
