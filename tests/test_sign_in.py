"""Signing in to the hub through a real OpenID Connect provider (tests/oidc_provider.py, on
127.0.0.1) in a headless Chromium, and what each person then sees: someone not signed in, a
reader of group A, a reader of group B, an editor; signing out; and a token issued for another
application, which the hub refuses although Streamlit accepts it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from index import Hub
from ingest.settings import Settings
from tests.app_support import env_for
from tests.audience_corpus import GROUP_A, GROUP_B, write_restricted_corpus
from tests.oidc_provider import OidcProvider, TestUser
from tests.test_browser import CHROMIUM, browser, free_port, serving, wait_idle

__all__ = ["browser"]  # fixture, used by name

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]

EDITORS = "hub-editors"
ANN = TestUser("ann", "Ann Alpha", "ann@example.test", groups=(GROUP_A,))
BOB = TestUser("bob", "Bob Bravo", "bob@example.test", groups=(GROUP_B,))
EDDIE = TestUser("eddie", "Eddie Editor", "eddie@example.test", groups=(EDITORS,))
# Each group's document, found by a word only it holds (tests/audience_corpus.py).
VELMORA, TRANQUOR, ZELPHINE = "Velmora pilot lessons", "Tranquor rollout plan", "Zelphine draft guidance"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider([ANN, BOB, EDDIE]) as started:
        yield started


@pytest.fixture(scope="module")
def hub_url(tmp_path_factory: pytest.TempPathFactory, provider: OidcProvider) -> Iterator[str]:
    """The hub on the restricted corpus, signing people in through `provider`."""
    root = tmp_path_factory.mktemp("sign-in")
    write_restricted_corpus(root / "corpus")
    env = {**env_for(root / "corpus", root / "data", local_editor=False), "HUB_EDITOR_GROUPS": EDITORS}
    assert Hub(Settings.from_env(env)).update().outcome == "published"
    port = free_port()
    secrets_file = root / "secrets.toml"
    redirect = f"http://127.0.0.1:{port}/oauth2callback"
    secrets_file.write_text(provider.secrets_toml(redirect, secrets.token_urlsafe(32)), encoding="utf-8")
    with serving(root / "corpus", hub_env=env, port=port, options=["--secrets.files", str(secrets_file)]) as url:
        yield url


@pytest.fixture
def page(browser: Any, hub_url: str, provider: OidcProvider) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    yield tab
    context.close()
    provider.misbehave = None


def open_page(page: Any, url: str) -> str:
    """The text of the page at `url` once drawn. Its title appears when its script has started,
    so waiting for the script to stop after that cannot return before the run."""
    page.goto(url)
    page.locator("h1").first.wait_for()
    wait_idle(page)
    return str(page.locator("body").inner_text())


def sign_in(page: Any, hub_url: str, provider: OidcProvider, user: TestUser) -> None:
    open_page(page, f"{hub_url}/Library")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider.issuer}/authorize?*")
    page.get_by_role("button", name=f"Sign in as {user.name}").click()
    page.wait_for_url(f"{hub_url}/")
    wait_idle(page)


def finds(page: Any, hub_url: str, word: str, title: str) -> bool:
    """Whether a search for `word` shows the document titled `title`."""
    page.goto(f"{hub_url}/?q={word}")
    # The results are drawn once the search has run: wait for their heading, not only for the
    # script to stop (a page just opened may not have started its run yet).
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    wait_idle(page)
    return title in str(page.locator("body").inner_text())


def test_each_person_sees_what_their_groups_may_and_signing_out_hides_it_again(
    page: Any, hub_url: str, provider: OidcProvider
) -> None:
    library = open_page(page, f"{hub_url}/Library")
    assert "Sign in to see those shared with your groups" in library
    assert VELMORA not in library and TRANQUOR not in library and "Index status" not in library

    sign_in(page, hub_url, provider, ANN)
    assert "Signed in as Ann Alpha (reader)" in open_page(page, f"{hub_url}/Library")
    assert finds(page, hub_url, "velmora", VELMORA) and not finds(page, hub_url, "tranquor", TRANQUOR)
    assert "Document not found" in open_page(page, f"{hub_url}/Document?doc=restricted/plan-b.md")
    assert "This page is for the hub" in open_page(page, f"{hub_url}/Index_status")

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()
    assert provider.signed_out[-1] == "ann"  # through the provider's end-session endpoint
    assert not finds(page, hub_url, "velmora", VELMORA)

    sign_in(page, hub_url, provider, BOB)
    assert finds(page, hub_url, "tranquor", TRANQUOR) and not finds(page, hub_url, "velmora", VELMORA)
    assert TRANQUOR in open_page(page, f"{hub_url}/Document?doc=restricted/plan-b.md")


def test_an_editor_sees_every_document_and_the_index_status(page: Any, hub_url: str, provider: OidcProvider) -> None:
    sign_in(page, hub_url, provider, EDDIE)
    status = open_page(page, f"{hub_url}/Index_status")
    assert "Signed in as Eddie Editor (editor)" in status and "standards/broken.pdf" in status
    assert finds(page, hub_url, "zelphine", ZELPHINE) and finds(page, hub_url, "velmora", VELMORA)


@pytest.mark.parametrize("fault", ["expired", "bad-signature", "foreign-audience"])
def test_a_refused_sign_in_leaves_the_reader_seeing_only_open_documents(
    page: Any, hub_url: str, provider: OidcProvider, fault: Any
) -> None:
    # "foreign-audience": a token for another application that names the hub as its authorised
    # party. Streamlit signs it in; the hub checks the audience itself and refuses it.
    provider.misbehave = fault
    sign_in(page, hub_url, provider, ANN)
    shown = open_page(page, f"{hub_url}/Library")
    assert "Signed in as" not in shown and VELMORA not in shown
    assert "not accepted" in shown
    assert not finds(page, hub_url, "velmora", VELMORA)
