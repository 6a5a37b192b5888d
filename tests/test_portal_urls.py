"""Values from the URL checked before use, and links to the reader (portal/urls.py)."""

from __future__ import annotations

import pytest

from portal.html import doc_link
from portal.urls import doc_href, safe_doc_id, safe_position, url_number
from tests.app_support import NOT_NUMBERS

KNOWN = {"guidance/a.md", "b.md"}


@pytest.mark.parametrize("raw", ["guidance/a.md", "b.md"])
def test_known_ids_are_accepted(raw: str) -> None:
    assert safe_doc_id(raw, KNOWN) == raw


@pytest.mark.parametrize(
    "raw",
    [None, "", "c.md", "../b.md", "/b.md", "guidance/../b.md", "%2e%2e/b.md", "%252e%252e%252fb.md", "a\\b.md",
     "C:b.md", "b.md\x00", "~/b.md", "guidance//a.md", "./b.md", "b" * 1000],
)  # fmt: skip
def test_everything_else_is_refused(raw: str | None) -> None:
    assert safe_doc_id(raw, KNOWN | {"../b.md", "/b.md", "./b.md"}) is None


def test_a_known_id_that_looks_like_a_trick_is_still_refused() -> None:
    # Even if an index somehow held such an id, the reader would not open it.
    assert safe_doc_id("../b.md", {"../b.md"}) is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("0", 0), ("4", 4), ("5", None), ("-1", None), ("x", None), (None, None)]
)
def test_passage_positions(raw: str | None, expected: int | None) -> None:
    assert safe_position(raw, 5) == expected


@pytest.mark.parametrize("raw", NOT_NUMBERS)
def test_url_numbers_are_ascii_digits_only(raw: str) -> None:
    assert url_number(raw) is None
    assert safe_position(raw, 10**7) is None


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("7", 7), ("2025", 2025), ("000012", 12), ("999999", 999999)])
def test_url_numbers(raw: str, expected: int) -> None:
    assert url_number(raw) == expected


def test_doc_links_are_encoded_and_escaped() -> None:
    assert doc_href("a b/c&d.md", 2, {"q": "x y"}) == "Document?doc=a+b%2Fc%26d.md&passage=2&q=x+y"
    search: dict[str, str | list[str]] = {"q": "x", "agency": ["A", "B"], "year": "2025", "doc": "o.md", "kind": []}
    assert doc_href("d.md", None, search) == "Document?doc=d.md&q=x&agency=A&agency=B&year=2025"
    assert doc_link('q"/x.md', "<T>") == '<a href="Document?doc=q%22%2Fx.md">&lt;T&gt;</a>'
