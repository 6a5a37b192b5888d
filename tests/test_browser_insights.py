"""End to end in headless Chromium: a search, the result opened from it and the reader's feedback
appear on the editors' Search insights page, redacted, and a question the hub cannot answer
appears among its content gaps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.app_support import PRIVACY, write_corpus
from tests.test_browser import CHROMIUM, STARTUP_SECONDS, WAIT_MS, browser, search, search_box, serving, wait_idle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]

__all__ = ["browser"]  # fixture, used by name

UNANSWERED = "zebra quantum lasagne"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    corpus = tmp_path_factory.mktemp("insights") / "corpus"
    write_corpus(corpus)
    with serving(corpus) as url:
        yield url


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    yield tab
    context.close()


def table_text(page: Any, label: str) -> str:
    return str(page.locator(f'table[aria-label="{label}"]').inner_text())


def test_a_search_a_click_and_feedback_reach_search_insights(page: Any, server: str) -> None:
    page.goto(server)
    search_box(page).wait_for(timeout=STARTUP_SECONDS * 1000)  # the first visit builds the index
    search(page, "privacy")
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    page.get_by_role("link", name=re.compile("^Open “Privacy impact assessments for AI” at this passage")).click()
    page.wait_for_url(re.compile(r"/Document\?doc=guidance%2Fprivacy\.md&.*rank=1"))
    page.get_by_role("heading", name="Full text", exact=True).wait_for()
    wait_idle(page)

    page.get_by_text("No", exact=True).click()
    page.get_by_role("textbox", name="Anything to add? (optional)").fill("Who signs it off? Ring 021 555 0199")
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_text("Thank you for your feedback.").wait_for()

    page.goto(server)
    search_box(page).wait_for()
    search(page, UNANSWERED)
    page.get_by_text("The hub has nothing that clearly answers").wait_for()

    page.goto(f"{server}/Search_insights")
    page.get_by_role("heading", name="Top queries").wait_for()
    wait_idle(page)
    top = table_text(page, "Top queries")
    assert "privacy" in top and UNANSWERED in top
    assert UNANSWERED in table_text(page, "Content gaps: queries with no good match")
    assert "privacy" not in table_text(page, "Content gaps: queries with no good match")
    unhelpful = table_text(page, "Documents most often marked unhelpful")
    assert PRIVACY in unhelpful and "Who signs it off? Ring [phone]" in unhelpful
    assert "555 0199" not in page.locator('[data-testid="stMain"]').inner_text()
    first = page.locator('table[aria-label="Click-through by result position"] tbody tr').first.inner_text()
    assert first.split()[:2] == ["1", "1"]  # position 1, opened once
    assert PRIVACY not in table_text(page, "Documents never opened")
    assert page.get_by_role("button", name="Download as CSV").count() >= 5
