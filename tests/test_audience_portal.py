"""Who sees what on every page of the portal (Streamlit's AppTest, signed in through `at.user` as
Streamlit's OpenID Connect sign-in would leave it): a restricted document's title, words, id,
file name and metadata values never appear for someone outside its audience, whatever the page
and whatever its URL asks for (`doc=`, `passage=`, filters), in text, links, widget options,
counts or downloads. tests/test_sign_in.py signs in through a real identity provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from index import Hub
from ingest.settings import Settings
from tests.app_support import APP, PRIVACY, TIMEOUT, env_for
from tests.audience_corpus import GROUP_A, RECORDS, RESTRICTED, Restricted, write_restricted_corpus

pytestmark = pytest.mark.integration

EDITORS = "hub-editors"
# The `[auth]` section Streamlit needs before it reads st.user; nothing is contacted in AppTest.
AUTH = {
    "auth": {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": "a-test-secret-that-is-long-enough-0123456789",
        "client_id": "hub",
        "client_secret": "secret",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
}
# Everything a page can be asked for; `{doc}` stands for each restricted document's id.
LISTINGS = [
    "pages/2_Library.py",
    "pages/3_Case_studies.py",
    "pages/4_AI_marketplace.py",
    "pages/5_Work_programme.py",
    "pages/6_Index_status.py",
]
PUBLIC_PAGES = (RECORDS, PRIVACY, "marketplace/chat.md", "case-studies/letters.md", "programme/i-01.md")
EVERY_SECRET = " ".join(r.secret for r in RESTRICTED if r.secret) + " keeping records seven years"


@pytest.fixture(scope="module")
def restricted_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("audience-portal")
    write_restricted_corpus(root / "corpus")
    report = Hub(Settings.from_env(env_for(root / "corpus", root / "data"))).update()
    assert report.outcome == "published", report.summary()
    return root


@pytest.fixture
def portal(restricted_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    env = env_for(restricted_env / "corpus", restricted_env / "data", local_editor=False)
    for name, value in {**env, "HUB_EDITOR_GROUPS": EDITORS}.items():
        monkeypatch.setenv(name, value)
    st.cache_resource.clear()
    yield restricted_env
    st.cache_resource.clear()


def run(page: str | None, user: dict[str, Any] | None, **params: str) -> AppTest:
    """`page` (None: Search) run for `user` (None: sign-in not configured) with URL `params`."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if user is not None:
        at.secrets.update(AUTH)
        at.user = user
    if page is not None:
        at.switch_page(page)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def everything_shown(at: AppTest) -> str:
    """Every element the page holds, with all its fields (text, HTML, links, labels, widget
    options, download names), as one text."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def secrets_of(item: Restricted) -> list[str]:
    """What would give `item` away: its title, its own word, its id and file name, its agency."""
    found = [item.title, item.doc_id, Path(item.doc_id).name, item.agency]
    return [s for s in found if s] + ([item.secret] if item.secret else [])


def pages_for(item: Restricted) -> list[tuple[str | None, dict[str, str]]]:
    return [
        (None, {"q": item.secret or "keeping records seven years"}),
        ("pages/1_Document.py", {"doc": item.doc_id}),
        ("pages/1_Document.py", {"doc": item.doc_id, "passage": "0", "q": item.secret}),
    ]


def assert_hidden(at: AppTest, hidden: list[Restricted], where: str, asked: str = "") -> None:
    """No secret of `hidden` is on the page, the words the reader typed (`asked`, echoed in the
    search box, the "nothing found" sentence and links back to the search) left aside."""
    shown = everything_shown(at)
    if asked:
        for form in (asked, quote_plus(asked), quote(asked)):
            shown = shown.replace(form, "")
    for item in hidden:
        for secret in secrets_of(item):
            if secret == "Records Office":  # the public original's agency too
                continue
            assert secret not in shown, f"{where}: {secret!r} of {item.doc_id} is on the page"


ANONYMOUS = None
GROUP_A_READER = {"is_logged_in": True, "name": "Ana Reader", "email": "ana@example.org", "groups": [GROUP_A]}
NO_GROUPS = {"is_logged_in": True, "name": "Noa Nogroups", "email": "noa@example.org"}
SIGNED_OUT = {"is_logged_in": False}


@pytest.mark.parametrize(
    ("user", "sees"),
    [
        (ANONYMOUS, ()),
        (SIGNED_OUT, ()),
        (NO_GROUPS, ()),
        (GROUP_A_READER, ("restricted/case-a.md", "restricted/briefing.pdf")),
    ],
    ids=["no-sign-in", "signed-out", "no-groups-claim", "group-a"],
)
def test_no_page_shows_anything_of_a_document_kept_from_the_reader(
    portal: Path, user: dict[str, Any] | None, sees: tuple[str, ...]
) -> None:
    hidden = [r for r in RESTRICTED if r.doc_id not in sees]
    for page in LISTINGS:
        at = run(page, user)
        assert_hidden(at, hidden, page)
    searched = run(None, user, q=EVERY_SECRET)
    assert_hidden(searched, hidden, "search", EVERY_SECRET)
    # Filters naming a restricted document's values are dropped like any unknown value.
    filtered = run(None, user, q=EVERY_SECRET, agency="Pricing Bureau", focus_area="Secret focus")
    assert_hidden(filtered, hidden, "search with filters", EVERY_SECRET)
    library = run("pages/2_Library.py", user, agency="Agency Alpha")
    assert_hidden(library, hidden, "library with a filter")
    # Public documents' pages: their similar documents, copies and links must not name the others.
    for doc_id in PUBLIC_PAGES:
        opened = run("pages/1_Document.py", user, doc=doc_id, passage="0", q=EVERY_SECRET)
        assert [t.value for t in opened.title] != ["Document not found"]
        assert_hidden(opened, hidden, f"the reader on {doc_id}", EVERY_SECRET)
    for item in hidden:
        for where, params in pages_for(item):
            at = run(where, user, **params)
            assert_hidden(at, hidden, f"{where or 'search'} {params}", params.get("q", ""))
            if where is not None:
                assert [t.value for t in at.title] == ["Document not found"]
                assert not list(at.get("download_button"))


def test_a_reader_finds_and_opens_what_is_shared_with_their_group(portal: Path) -> None:
    case = next(r for r in RESTRICTED if r.doc_id == "restricted/case-a.md")
    at = run(None, GROUP_A_READER, q=case.secret)
    assert case.title in everything_shown(at)
    opened = run("pages/1_Document.py", GROUP_A_READER, doc=case.doc_id, passage="0", q=case.secret)
    assert [t.value for t in opened.title] == [case.title]
    assert list(opened.get("download_button"))
    cases = run("pages/3_Case_studies.py", GROUP_A_READER)
    assert case.title in everything_shown(cases)
    assert "Signed in as Ana Reader (reader)" in everything_shown(cases)


def test_the_index_status_page_is_for_editors_and_says_how_to_reach_it(portal: Path) -> None:
    for user, told in ((ANONYMOUS, "Sign in with an editor"), (GROUP_A_READER, "not an editor")):
        at = run("pages/6_Index_status.py", user)
        shown = everything_shown(at)
        assert "This page is for the hub" in shown and told in shown
        assert "Files that could not be indexed" not in shown and "broken.pdf" not in shown
        assert "Index status" not in [str(link.proto.label) for link in at.sidebar.get("page_link")]
    editor = {**GROUP_A_READER, "name": "Eddie Editor", "groups": [EDITORS]}
    at = run("pages/6_Index_status.py", editor)
    assert "Index status" in [str(link.proto.label) for link in at.sidebar.get("page_link")]
    shown = everything_shown(at)
    assert "broken.pdf" in shown and "Signed in as Eddie Editor (editor)" in shown
    # An editor sees every document, those whose audience could not be read included.
    assert "Zelphine draft guidance" in everything_shown(run(None, editor, q="zelphine draft"))


def test_the_page_says_what_sign_in_offers_and_why_a_reader_sees_little(portal: Path) -> None:
    assert "Sign-in is not configured" in everything_shown(run("pages/2_Library.py", ANONYMOUS))
    signed_out = run("pages/2_Library.py", SIGNED_OUT)
    assert "Sign in" in [b.label for b in signed_out.sidebar.button]
    no_groups = everything_shown(run("pages/2_Library.py", NO_GROUPS))
    assert "did not say which groups you are in" in no_groups
