"""Outside text made safe for HTML and Markdown (portal/html.py)."""

from __future__ import annotations

import re

import pytest

from portal.html import highlight_html, md_escape, table_html
from tests.app_support import HOSTILE_TEXTS, shown_text


def test_highlight_html_escapes_before_marking() -> None:
    html = highlight_html([("<b>", False), ("x&y", True), ('"', False)])
    assert html == "&lt;b&gt;<mark>x&amp;y</mark>&quot;"


def test_md_escape_neutralises_markdown_and_directives() -> None:
    assert md_escape("<img src=x> **bold** :red[x] [a](javascript:b)") == (
        "\\<img src\\=x\\> \\*\\*bold\\*\\* \\:red\\[x\\] \\[a\\]\\(javascript\\:b\\)"
    )


MARKDOWN_TRAPS = [
    *HOSTILE_TEXTS,
    "HTTPS://EVIL.EXAMPLE and WWW.EVIL.EXAMPLE and ftp://x",
    "# heading",
    "1. numbered",
    "- item",
    "> quote",
    "| a | b |",
    "a <-> b <- c -- d >= e <= f ~= g",
    "back\\slash and &amp; and &#60;",
    "~~struck~~ [^1] <https://evil.example>",
    ":smile: :+1: :streamlit: :material_home:",
    "line one\n\nline two\n    indented",
]


@pytest.mark.parametrize("text", MARKDOWN_TRAPS)
def test_md_escape_shows_text_as_written(text: str) -> None:
    markdown = md_escape(text)
    # Once Markdown has undone the escapes, the reader sees the text (white space folded).
    assert shown_text(markdown) == " ".join(text.split())
    # No punctuation is left for Markdown or Streamlit to act on.
    assert re.search(r"(?<!\\)[" + re.escape("[]()<>!*_`$:#|~&@-") + "]", markdown.replace("\\\\", "")) is None
    # And after the escapes are gone, nothing that Streamlit rewrites into a link, icon or
    # symbol is left in the text.
    parsed = re.sub(r"\\(.)", r"\1", markdown)
    assert not re.search(r"https?://|www\.|@\w|:material_|:streamlit:", parsed, re.IGNORECASE)
    assert not re.search(r"(?<!\S)(<->|->|<-|--|>=|<=|~=)(?!\S)", parsed)


def test_md_escape_leaves_plain_text_alone() -> None:
    assert md_escape("Privacy impact assessments for AI") == "Privacy impact assessments for AI"
    # An ordinary colon, at-sign or dash gets its backslash and no word joiner.
    assert md_escape("Guidance: AI-tools, 2025 @ home") == "Guidance\\: AI\\-tools\\, 2025 \\@ home"


def test_table_html_escapes_every_cell() -> None:
    table = table_html('Files "x"', ["File <1>", "Count"], [("<img src=x>", 3), ("[a](b) & c", 0)])
    assert table == (
        '<div class="hub-table-wrap"><table class="hub-table" aria-label="Files &quot;x&quot;">'
        '<thead><tr><th scope="col">File &lt;1&gt;</th><th scope="col" class="hub-num">Count</th></tr></thead><tbody>'
        '<tr><td>&lt;img src=x&gt;</td><td class="hub-num">3</td></tr>'
        '<tr><td>[a](b) &amp; c</td><td class="hub-num">0</td></tr></tbody></table></div>'
    )
