"""The reader's full text: each format drawn with its structure, links sorted by where they lead,
hostile text kept as text, and the passage and its answering sentence marked wherever they fall."""

from __future__ import annotations

import html
import re

import pytest

from index.api import DocumentView
from index.store import DocumentRecord
from ingest.loaders import load_bytes
from ingest.types import Layout, Metadata
from portal.markdown import MAX_SOURCE_CHARS, link_target
from portal.pdf_text import pdf_html, pdf_paragraphs
from portal.reader import full_text_html
from portal.render import Marks, Writer
from tests.helpers import make_docx, make_pdf

KNOWN = {"guidance/privacy.md", "guidance/buying.md", "guide/setup/README.md", "policies/a b.md"}


def view_of(doc_id: str, fmt: str, raw: bytes) -> DocumentView:
    extracted, _ = load_bytes(doc_id, fmt, raw)
    record = DocumentRecord(doc_id, doc_id, fmt, "", Metadata(), (), 0, extracted.page_starts)
    return DocumentView(record, extracted.text, (), extracted.layout)


NO_MARKS = Marks()


def draw(view: DocumentView, marks: Marks = NO_MARKS) -> str:
    return full_text_html(view, marks, KNOWN, {"q": "privacy"})


def marked(page: str, kind: str) -> str:
    """The text inside the page's marks of one kind, joined by "|" between marks."""
    found = re.findall(rf'<mark class="{kind}"[^>]*>(.*?)</mark>', page, re.S)
    return "|".join(html.unescape(f) for f in found)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


MARKDOWN = """---
title: Buying
---
# Buying AI tools

Check the *marketplace* first, and read **all** of the `terms`.

## Steps

- Define the problem
- Talk to the [privacy team](../guidance/privacy.md#scope)
- See [the standard](https://example.org/standard) too

3. third
4. fourth

| Area | Ask |
|------|-----|
| Data | Where is it kept? |

```
run --safely
```
"""


def test_markdown_headings_lists_tables_emphasis_and_code() -> None:
    page = draw(view_of("guidance/buying.md", "markdown", MARKDOWN.encode()))
    # The page's title is its h1, so the document's top heading is an h2.
    assert "<h2>Buying AI tools</h2>" in page and "<h3>Steps</h3>" in page
    assert "<em>marketplace</em>" in page and "<strong>all</strong>" in page and "<code>terms</code>" in page
    assert page.count("<li>") == 5 and "<ul>" in page and '<ol start="3">' in page
    assert '<th scope="col">Area</th>' in page and "<td>Where is it kept?</td>" in page
    assert "<pre><code>run --safely</code></pre>" in page
    assert "title: Buying" not in page and "- Define" not in page and "##" not in page


def test_markdown_links_open_hub_documents_in_the_reader_and_mark_the_web() -> None:
    page = draw(view_of("guidance/buying.md", "markdown", MARKDOWN.encode()))
    assert '<a href="Document?doc=guidance%2Fprivacy.md&amp;q=privacy">privacy team</a>' in page
    external = re.search(r'<a href="https://example.org/standard"([^>]*)>(.*?)</a>', page)
    assert external is not None
    assert 'rel="external noopener noreferrer"' in external.group(1)
    assert external.group(2) == 'the standard<span class="hub-external-note"> (external site)</span>'


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("../guidance/privacy.md", ("document", "guidance/privacy.md")),
        ("privacy.md#scope", ("document", "guidance/privacy.md")),
        ("/guidance/privacy.md", ("document", "guidance/privacy.md")),
        ("../guide/setup", ("document", "guide/setup/README.md")),
        ("../guidance/buying", ("document", "guidance/buying.md")),
        ("../policies/a%20b.md", ("document", "policies/a b.md")),
        ("https://example.org/x?a=1", ("web", "https://example.org/x?a=1")),
        ("HTTP://example.org", ("web", "HTTP://example.org")),
        ("../guidance/missing.md", ("none", "")),
        ("../../../etc/passwd", ("none", "")),
        ("file:///etc/passwd", ("none", "")),
        ("javascript:alert(1)", ("none", "")),
        ("JaVaScRiPt:alert(1)", ("none", "")),
        ("data:text/html,<script>alert(1)</script>", ("none", "")),
        ("vbscript:msgbox", ("none", "")),
        ("mailto:someone@example.org", ("none", "")),
        ("//evil.example/x", ("none", "")),
        ("#scope", ("none", "")),
        ("http://[::1", ("none", "")),
    ],
)
def test_link_targets(href: str, expected: tuple[str, str]) -> None:
    target = link_target(href, "guidance/buying.md", KNOWN)
    assert (target.kind, target.target) == expected


HOSTILE = """# Evil <script>alert('h')</script>

<script>alert('block')</script>

<img src=x onerror="alert('img')"> and [click](javascript:alert(1)) and [data](data:text/html,x)
and <a href="javascript:alert(2)">raw</a> and ![pic](http://127.0.0.1:9/x.png) and [file](file:///etc/passwd)
"""


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_hostile_markup_shows_as_text_and_never_as_markup(fmt: str) -> None:
    page = draw(view_of(f"other/evil.{'md' if fmt == 'markdown' else 'txt'}", fmt, HOSTILE.encode()))
    assert "<script" not in page and "<img" not in page and "onerror=" not in page.replace("onerror=&quot;", "")
    assert "javascript:" not in re.sub(r">[^<]*<", "><", page)  # never inside a tag
    assert "<a " not in page  # no link here leads anywhere a reader should go
    assert "&lt;script&gt;alert(&#x27;block&#x27;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=&quot;alert(&#x27;img&#x27;)&quot;&gt;" in page


def test_an_image_shows_its_description_and_loads_nothing() -> None:
    page = draw(view_of("a.md", "markdown", b"Look: ![a chart of costs](http://127.0.0.1:9/x.png)\n"))
    assert "a chart of costs" in page and "<img" not in page and "127.0.0.1" not in page


def test_passage_marked_across_paragraph_heading_and_list_items() -> None:
    view = view_of("guidance/buying.md", "markdown", MARKDOWN.encode())
    start = view.text.index("read")
    end = view.text.index("privacy team") + len("privacy team")
    page = draw(view, Marks((start, end)))
    # Every word of the passage is marked, and nothing else is.
    assert words(marked(page, "hub-mark")) == words(view.text[start:end].replace("- ", ""))
    assert re.search(r"<h3><mark[^>]*>Steps</mark></h3>", page)
    assert re.search(r"<li><mark[^>]*>Define the problem</mark></li>", page)
    assert page.count('id="hub-passage"') == 1
    assert page.index('id="hub-passage"') < page.index("read")


def test_answering_sentence_is_marked_more_strongly_inside_the_passage() -> None:
    view = view_of("guidance/buying.md", "markdown", MARKDOWN.encode())
    start = view.text.index("Check")
    sentence = view.text.index("read")
    page = draw(view, Marks((start, view.text.index("Steps")), (sentence, view.text.index("terms") + 5)))
    assert marked(page, "hub-answer") == "read |all|of the |terms"  # split by the <strong> and <code>
    assert page.count('id="hub-answer"') == 1
    assert words(marked(page, "hub-mark")) == ["Check", "the", "marketplace", "first", "and", "Steps"][:5]


def test_word_headings_and_list_items() -> None:
    raw = make_docx(
        [
            ("Heading 1", "Keeping data"),
            ("Normal", "Keep only what you need."),
            ("List Bullet", "Name the purpose"),
            ("List Bullet", "Set a date"),
            ("Heading 2", "Disposal"),
            ("List Number", "Delete copies"),
            ("Normal", "Then record it."),
        ]
    )
    view = view_of("guidance/keep.docx", "word", raw)
    page = draw(view, Marks((view.text.index("Set"), view.text.index("Delete") + 6)))
    assert "<h2>Keeping data</h2>" in page
    assert "<p>Keep only what you need.</p><ul><li>Name the purpose</li>" in page
    anchor = '<span id="hub-passage" class="hub-anchor" tabindex="-1"></span>'
    assert f"<li>Name the purpose</li><li>{anchor}<mark" in page
    assert re.search(r"Set a date</mark></li></ul><h3><mark[^>]*>Disposal</mark></h3>", page)
    assert re.search(r"<ul><li><mark[^>]*>Delete</mark> copies</li></ul><p>Then record it.</p>", page)


def test_plain_text_is_paragraphs_with_its_lines_and_underlined_headings() -> None:
    raw = b"Project notes\n=============\n\nFirst line\nsecond line\n\n\nData\n----\n\nNext paragraph\n-- signed"
    page = draw(view_of("notes.txt", "text", raw))
    assert page == (
        '<article class="hub-text" aria-label="Document text"><h2>Project notes</h2>'
        "<p>First line\nsecond line</p><h3>Data</h3><p>Next paragraph\n-- signed</p></article>"
    )


PDF_TEXT = (
    "A report about water quality in the rivers of the region, measured over\n"
    "ten years by the regional council and its partners, shows a slow improve-\n"
    "ment in most places.\n"
    "Findings\n"
    "• Nitrate levels fell in seven of the ten rivers that were measured over\n"
    "the whole period.\n"
    "Page 2\n"
    "\n"
    "Next paragraph."
)


def test_pdf_lines_join_into_paragraphs() -> None:
    paragraphs = pdf_paragraphs(PDF_TEXT, 0, len(PDF_TEXT), 74)
    texts = [" ".join(PDF_TEXT[a:b] for a, b in lines) for lines in paragraphs]
    assert texts[1:] == [
        "Findings",
        "• Nitrate levels fell in seven of the ten rivers that were measured over the whole period.",
        "Page 2",
        "Next paragraph.",
    ]
    writer = Writer(Marks())
    pdf_html(PDF_TEXT, ((1, 0),), writer)
    page = writer.html()
    assert page.startswith('<h2 class="hub-page" id="page-1">Page 1</h2><p>A report about')
    assert "measured over ten years" in page and "slow improvement in most places.</p>" in page


def test_pdf_short_lines_keep_their_breaks_and_lone_words_make_a_sentence() -> None:
    body = "A full line of body text that runs right across the printed page, as lines do.\n" * 3
    text = body + "and ends here.\nContents\nScope 1\nTerms 2\n\nFig\n\n3:\n\nRiver\n\nlevels.\n\n14"
    writer = Writer(Marks())
    pdf_html(text, ((1, 0),), writer)
    page = writer.html()
    assert "<p>Contents\nScope 1\nTerms 2\nFig 3: River levels.\n14</p>" in page
    assert page.count("<p>") == 2  # the body lines are one paragraph


def test_pdf_pages_are_anchored_headings_and_marks_cross_them() -> None:
    body = "The council measured the rivers every month and wrote down what it found there. " * 3
    view = view_of("report.pdf", "pdf", make_pdf([body + "End of one.", "Start of two. " + body]))
    start, end = view.text.index("End of one"), view.text.index("Start of two") + len("Start of two")
    page = draw(view, Marks((start, end)))
    assert '<h2 class="hub-page" id="page-1">Page 1</h2>' in page
    assert '<h2 class="hub-page" id="page-2">Page 2</h2>' in page
    assert words(marked(page, "hub-mark")) == ["End", "of", "one", "Start", "of", "two"]
    assert page.index('id="page-2"') > page.index("End of one")


def test_a_build_without_layouts_still_draws_the_text() -> None:
    view = view_of("guidance/buying.md", "markdown", MARKDOWN.encode())
    plain = DocumentView(view.record, view.text, (), Layout())
    page = draw(plain, Marks((0, 6)))
    assert "AI tools" in page and "Define the problem" in page and marked(page, "hub-mark") == "Buying"


def test_markdown_the_parser_would_cut_short_is_drawn_from_the_stored_text() -> None:
    nested = ("> " * 200 + "deeply quoted words\n").encode()
    page = draw(view_of("deep.md", "markdown", nested))
    assert "deeply quoted words" in page
    too_long = ("Words of a long document. " * (MAX_SOURCE_CHARS // 20)).encode()
    view = view_of("long.md", "markdown", too_long)
    page = draw(view, Marks((0, 8)))
    assert page.count("Words of a long document.") == MAX_SOURCE_CHARS // 20 - 1
    assert marked(page, "hub-mark") == "Words of"
