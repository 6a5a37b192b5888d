"""The reader on real public-sector documents: every word of a long PDF drawn, page by page, its
lines joined into paragraphs; real Markdown drawn from its source with its links working (needs
../shared; skipped without it)."""

from __future__ import annotations

import html
import re
import statistics

import pytest

from index.api import DocumentView
from index.store import DocumentRecord
from ingest.loaders import load_bytes
from ingest.types import Metadata
from portal.reader import full_text_html
from portal.render import Marks
from tests.conftest import SHARED

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present on this machine"),
]
PDFS = SHARED / "realdocs/pdf"
MARKDOWN = SHARED / "realdocs/markdown/defra-ai-sdlc"


def view_of(doc_id: str, fmt: str, raw: bytes) -> DocumentView:
    extracted, _ = load_bytes(doc_id, fmt, raw)
    record = DocumentRecord(doc_id, doc_id, fmt, "", Metadata(), (), 0, extracted.page_starts)
    return DocumentView(record, extracted.text, (), extracted.layout)


def paragraphs(page: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", page, re.S)]


def letters(text: str) -> str:
    return "".join(re.findall(r"[^\W_]", text))


def test_the_long_playbook_is_drawn_whole_page_by_page() -> None:
    view = view_of("playbook.pdf", "pdf", (PDFS / "rubysash__AI_RMF_Playbook.pdf").read_bytes())
    page = full_text_html(view, Marks(), set())
    assert len(re.findall(r'<h2 class="hub-page" id="page-\d+">', page)) == len(view.record.page_starts) == 147
    # Every letter and digit of the text is there, in order: joining lines loses none.
    assert letters("".join(paragraphs(page))) == letters(view.text)
    # Running footers ("12 of 142") stand apart, never inside a sentence.
    assert not any(re.search(r"[a-z,] \d{1,3} of 142\b", p) for p in paragraphs(page))


@pytest.mark.parametrize("name", ["rubysash__NIST.AI.100-1.pdf", "redbox__RiskTriggersReport361.pdf"])
def test_pdf_lines_become_paragraphs(name: str) -> None:
    view = view_of(name, "pdf", (PDFS / name).read_bytes())
    drawn = paragraphs(full_text_html(view, Marks(), set()))
    lines = [line for line in view.text.split("\n") if line.strip()]
    # Far fewer paragraphs than lines, and the body's are several lines long.
    assert len(drawn) < len(lines) / 2
    assert statistics.median(len(p) for p in drawn if len(p) > 80) > 150


def test_real_markdown_is_drawn_from_its_source_with_working_links() -> None:
    files = sorted(MARKDOWN.rglob("*.md"))
    known = {str(p.relative_to(MARKDOWN)) for p in files}
    internal = 0
    for path in files:
        doc_id = str(path.relative_to(MARKDOWN))
        view = view_of(doc_id, "markdown", path.read_bytes())
        page = full_text_html(view, Marks((0, len(view.text))), known)
        assert view.layout.source and "](" not in html.unescape(re.sub(r"<pre>.*?</pre>", "", page, flags=re.S))
        internal += page.count('<a href="Document?doc=')
        # The whole text is marked: the source's words were all found in the stored text.
        assert "hub-mark" in page and not re.search(r"</mark>[^<\s]", page.split("<pre>")[0])
    assert internal >= 20
