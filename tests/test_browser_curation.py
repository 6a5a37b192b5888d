"""The editors' curation files in a real headless Chromium: a best bet pins its document first as
"Recommended", a synonym widens the search (and says so), and an agency alias merges into one
value of the Agency filter. The app runs with `streamlit run` on 127.0.0.1 over the tiny test
corpus, the fake model, and corpus/_curation files written for it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.app_support import write_corpus
from tests.helpers import write_md
from tests.test_browser import CHROMIUM, STARTUP_SECONDS, WAIT_MS, browser, search, search_box, serving, wait_idle

__all__ = ["browser"]  # the shared Chromium fixture, used by name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]

TRANSLATOR = "marketplace/translator.md"
ALIASED = "guidance/digital-roster.md"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    corpus = tmp_path_factory.mktemp("curation") / "corpus"
    write_corpus(corpus)
    # The same agency under another name.
    write_md(
        corpus,
        ALIASED,
        "# Rosters\n\nShift rosters for the digital team are planned a month ahead.\n",
        title="Digital team rosters",
        kind="guidance",
        agency="Office of Digital",
    )
    folder = corpus / "_curation"
    folder.mkdir()
    (folder / "agencies.yaml").write_text("- name: Digital Office\n  aliases: [Office of Digital]\n", encoding="utf-8")
    (folder / "synonyms.yaml").write_text("- [PIA, privacy impact assessment]\n", encoding="utf-8")
    (folder / "best_bets.yaml").write_text(
        f"- queries: [shift rosters]\n  documents: [{TRANSLATOR}]\n", encoding="utf-8"
    )
    with serving(corpus) as url:
        yield url


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    tab.goto(server)
    search_box(tab).wait_for(timeout=STARTUP_SECONDS * 1000)
    yield tab
    context.close()


def test_a_best_bet_pins_its_document_first_as_recommended(page: Any) -> None:
    search(page, "shift rosters")
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    first = page.locator("article.hub-result").first
    assert first.locator("h3").inner_text() == "Translation service"
    assert first.locator(".hub-recommended").inner_text() == "Recommended"
    assert page.locator(".hub-recommended").count() == 1
    titles = page.locator("article.hub-result h3").all_inner_texts()
    assert titles.count("Translation service") == 1 and "Digital team rosters" in titles


def test_a_synonym_widens_the_search_and_says_so(page: Any) -> None:
    search(page, "PIA")
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    page.get_by_text("Also searched for: privacy impact assessment").wait_for()
    titles = page.locator("article.hub-result h3").all_inner_texts()
    assert "Privacy impact assessments for AI" in titles
    # The words searched for in its place are highlighted in the snippet.
    marks = [m.lower() for m in page.locator("article.hub-result mark").all_inner_texts()]
    assert "privacy" in marks


def test_an_agency_alias_merges_into_one_filter_value(page: Any) -> None:
    search(page, "rosters chat assistant translation")
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    page.get_by_role("combobox", name="Agency").click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert any(re.fullmatch(r"Digital Office \(\d+\)", o) for o in options), options
    assert not any(o.startswith("Office of Digital") for o in options), options
    # Choosing it shows the document that used the alias too.
    page.get_by_role("combobox", name="Agency").click()
    page.get_by_role("option", name=re.compile(r"^Digital Office \(\d+\)$")).click()
    page.keyboard.press("Escape")
    page.wait_for_url(re.compile(r"agency=Digital\+Office"))
    wait_idle(page)
    assert "Digital team rosters" in page.locator("article.hub-result h3").all_inner_texts()
    metas = page.locator("article.hub-result .hub-meta").all_inner_texts()
    assert metas and all("Privacy Office" not in m for m in metas)
