"""What every page shares: its setup and styles, the pages' paths, and how errors are shown to
readers and logged for the operators.

Errors are logged in full for the operators; readers get a plain sentence, and editors (Index
status) the error's own words with the server's folders left out."""

from __future__ import annotations

import logging

import streamlit as st

from index import IndexUnavailable, Viewer, without_folders
from ingest.errors import HubError
from ingest.settings import Access, Settings
from portal.html import md_escape
from portal.identity import current_viewer, show_identity

SEARCH_PAGE = "hub_app.py"
DOCUMENT_PAGE = "pages/1_Document.py"
LIBRARY_PAGE = "pages/2_Library.py"
STATUS_PAGE = "pages/6_Index_status.py"
INSIGHTS_PAGE = "pages/7_Search_insights.py"
# Shown in the navigation to editors only (the pages themselves say so to anyone else).
EDITOR_PAGES = (STATUS_PAGE, INSIGHTS_PAGE)
# The reader is left out: it needs a document, which Search and every listing link to.
PAGES: tuple[tuple[str, str], ...] = (
    (SEARCH_PAGE, "Search"),
    (LIBRARY_PAGE, "Library"),
    ("pages/3_Case_studies.py", "Case studies"),
    ("pages/4_AI_marketplace.py", "AI marketplace"),
    ("pages/5_Work_programme.py", "Work programme"),
    (STATUS_PAGE, "Index status"),
    (INSIGHTS_PAGE, "Search insights"),
)
LOG = logging.getLogger("hub.portal")

_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
/* Links to documents in the main area look like links, not like navigation buttons. */
[data-testid="stMain"] [data-testid="stPageLink-NavLink"] p { color: #1d4f91; text-decoration: underline; }
mark { background: #ffe066; color: #1a1a1a; padding: 0 .1em; border-radius: 2px; }
.hub-meta, .hub-where { color: #3d4451; font-size: .9rem; margin: .1rem 0; }
.hub-result h3 { font-size: 1.2rem; margin: 0 0 .2rem 0; padding: 0; }
.hub-snippet { margin: .4rem 0; line-height: 1.5; }
.hub-status { font-weight: 600; color: #8a2a0a; }
/* The reader's full text: a readable line length, headings and lists as on a government site,
   the page itself scrolling (no inner scroll box). */
.hub-text { max-width: 75ch; line-height: 1.6; font-size: 1.05rem; color: #1a1a1a; }
.hub-text h2, .hub-text h3, .hub-text h4, .hub-text h5, .hub-text h6 { font-weight: 700; line-height: 1.3;
  padding: 0; margin: 1.8rem 0 .6rem 0; scroll-margin-top: 5rem; }
.hub-text h2 { font-size: 1.6rem; }
.hub-text h3 { font-size: 1.3rem; }
.hub-text h4, .hub-text h5, .hub-text h6 { font-size: 1.1rem; }
/* Line breaks inside a paragraph of a text or Word file are the writer's; PDF lines are joined. */
.hub-text p, .hub-text li { margin: 0 0 1rem 0; white-space: pre-line; }
.hub-text ul, .hub-text ol { margin: 0 0 1rem 0; padding-left: 1.6rem; }
.hub-text li { margin-bottom: .35rem; }
.hub-text pre { white-space: pre-wrap; background: #f3f4f6; border-radius: .3rem; padding: .6rem .8rem;
  font-size: .9rem; }
.hub-text code { background: #f3f4f6; padding: 0 .2em; border-radius: 2px; font-size: .92em; color: #1a1a1a; }
.hub-text pre code { padding: 0; }
.hub-text blockquote { border-left: 4px solid #c9ced6; margin: 0 0 1rem 0; padding: .1rem 0 .1rem 1rem; }
.hub-text a { color: #1d4f91; text-decoration: underline; }
.hub-external-note { font-size: .85em; }
.hub-text h2.hub-page { font-size: 1rem; color: #3d4451; border-top: 1px solid #8a93a3; padding-top: .5rem; }
/* The passage in a soft yellow, its answering sentence stronger and underlined. */
.hub-text mark.hub-mark { background: #fff1a8; color: #1a1a1a; padding: 0; border-radius: 0; }
.hub-text mark.hub-answer { background: #ffd23f; color: #1a1a1a; padding: 0; border-radius: 0;
  box-shadow: inset 0 -2px 0 #7a5c00; }
.hub-anchor { scroll-margin-top: 6rem; }
.hub-passage { border-left: 4px solid #1d4f91; background: #f2f6fc; padding: .6rem .9rem;
               white-space: pre-wrap; line-height: 1.5; }
.hub-card h3 { font-size: 1.15rem; margin: 0 0 .2rem 0; padding: 0; }
.hub-card dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: .4rem 0; }
.hub-card dt { font-weight: 600; }
.hub-card dd { margin: 0; }
.hub-card ul { margin: .1rem 0 .3rem 1.1rem; padding: 0; }
.hub-table-wrap { overflow-x: auto; margin: .2rem 0 1rem 0; }
.hub-table { border-collapse: collapse; width: 100%; font-size: .9rem; }
.hub-table th, .hub-table td { border: 1px solid #c9ced6; padding: .35rem .6rem; text-align: left;
                               vertical-align: top; overflow-wrap: break-word; }
.hub-table th { background: #f0f2f6; font-weight: 600; white-space: nowrap; }
/* Printing: the whole document, not the part the scroll box shows, and none of the app around
   it. Streamlit sizes its own containers to the window and scrolls inside them, so each is let
   grow to its content. Links print with where they lead. */
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stDownloadButton"],
  [data-testid="stPageLink"], .hub-noprint { display: none !important; }
  html, body, #root, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] { height: auto !important; min-height: 0 !important;
    overflow: visible !important; position: static !important; }
  [data-testid="stMainBlockContainer"] { max-width: none !important; padding: 0 !important; }
  .hub-text { max-width: none; }
  .hub-text mark { box-shadow: none; }
  [data-testid="stMain"] a[href]::after { content: " (" attr(href) ")"; font-size: .85em; }
}
.hub-table .hub-num { text-align: right; font-variant-numeric: tabular-nums; }
</style>
"""


def setup_page(title: str) -> Viewer:
    """Page title, shared styles, the navigation and sign-in box every page carries; returns who
    is reading, for every hub call the page makes."""
    st.set_page_config(page_title=f"{title} · Public Service AI Hub", layout="wide")
    st.html(_CSS)
    access = _access()
    viewer = current_viewer(access)
    with st.sidebar:
        st.markdown("**Public Service AI Hub**")
        # Our own navigation (the automatic one is turned off in config.toml) so every link has a
        # readable name; the automatic one would call the landing page "hub app".
        for path, label in PAGES:
            if path not in EDITOR_PAGES or viewer.editor:
                st.page_link(path, label=label)
        show_identity(viewer, access)
    return viewer


def for_editors(viewer: Viewer) -> bool:
    """Whether an editors' page may be shown to `viewer`; if not, says so and how to reach it."""
    if viewer.editor:
        return True
    how = "Your account is not an editor's." if viewer.signed_in else "Sign in with an editor's account to see it."
    st.info(f"This page is for the hub's editors. {how}")
    return False


def _access() -> Access:
    """Who may see what, from the settings; with settings that cannot be read, the defaults (no
    editors): the page itself then says the hub is not configured correctly."""
    try:
        return Settings.from_env().access
    except HubError:
        return Access()


# What a reader is told when something failed that only the operators can put right. True
# because `log_error` writes the full error to the server's log, which the operators read.
TOLD = "The details are in the server log for the hub's operators; please try again later."


def log_error(what: str, exc: BaseException) -> None:
    """Write `what` and the full error, traceback included, to the server log at ERROR level."""
    LOG.error("%s: %s", what, exc, exc_info=exc)


def show_index_error(exc: HubError) -> None:
    """Tell a reader the index cannot be read, in plain words: the error itself, which names
    server paths and library internals, goes to the server log only."""
    log_error("The index cannot be read", exc)
    if isinstance(exc, IndexUnavailable):
        # Passing: the database restarts or fails over, and the next search reaches it again.
        st.error("The search service cannot be reached just now. Please try again in a minute.")
        return
    st.error(f"The search index cannot be read right now. {TOLD}")


def show_index_problem(exc: HubError, settings: Settings) -> None:
    """Tell an editor (Index status) why the index cannot be read: the error's own words, with
    the server's folders left out of its paths. Also logged, like `show_index_error`."""
    log_error("The index cannot be read", exc)
    st.error(f"The search index cannot be read: {md_escape(local_text(str(exc), settings))}")


def local_text(text: str, settings: Settings) -> str:
    """`text` with paths made relative to the data and corpus folders (see `without_folders`)."""
    return without_folders(text, (settings.data_dir, settings.corpus_dir))
