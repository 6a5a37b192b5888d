"""Rendering helpers shared by the portal's pages: the cached Hub, safe HTML, links and URL values.

Every piece of outside text that reaches the browser (document text and metadata, file names,
failure reasons, anything from a run report) goes through `esc` into HTML, or through
`md_escape` into any element that reads Markdown (st.markdown, titles, captions, alerts, widget
labels). Documents and file names are untrusted input: markup in them must show as text, never
act. Tables of outside text are drawn with `table_html`, never st.table, which reads Markdown in
every cell. Errors are logged for the operators; readers get a plain sentence.
"""

from __future__ import annotations

import html
import logging
import re
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import streamlit as st

from index.api import Hub
from index.errors import IndexNotReady
from index.present import Marked
from index.store import DocumentRecord
from index.views import FACETS, Link, format_date, kind_label, value_label, without_folders
from ingest.embed import Embedder, RememberedQueries, load_embedder
from ingest.errors import HubError
from ingest.settings import Settings

SEARCH_PAGE = "hub_app.py"
DOCUMENT_PAGE = "pages/1_Document.py"
STATUS_PAGE = "pages/6_Index_status.py"
LOG = logging.getLogger("hub.portal")
# URL path Streamlit gives the reader page (its file name without the number prefix); used for
# plain HTML links, which cannot go through st.page_link.
DOCUMENT_URL = "Document"
# The reader is left out: it needs a document, which Search and every listing link to.
PAGES: tuple[tuple[str, str], ...] = (
    (SEARCH_PAGE, "Search"),
    ("pages/2_Library.py", "Library"),
    ("pages/3_Case_studies.py", "Case studies"),
    ("pages/4_AI_marketplace.py", "AI marketplace"),
    ("pages/5_Work_programme.py", "Work programme"),
    (STATUS_PAGE, "Index status"),
)

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
.hub-text { white-space: pre-wrap; line-height: 1.55; max-height: 70vh; overflow-y: auto;
            border: 1px solid #c9ced6; border-radius: .4rem; padding: .8rem 1rem; }
.hub-text:focus { outline: 3px solid #1d4f91; outline-offset: 2px; }
.hub-text mark { display: inline; }
.hub-page { display: block; font-weight: 600; color: #3d4451; border-top: 1px dashed #8a93a3;
            margin: .6rem 0 .2rem 0; padding-top: .2rem; }
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
.hub-table .hub-num { text-align: right; font-variant-numeric: tabular-nums; }
</style>
"""


def setup_page(title: str) -> None:
    """Page title, shared styles and the navigation every page carries."""
    st.set_page_config(page_title=f"{title} · Public Service AI Hub", layout="wide")
    st.html(_CSS)
    with st.sidebar:
        st.markdown("**Public Service AI Hub**")
        # Our own navigation (the automatic one is turned off in config.toml) so every link has a
        # readable name; the automatic one would call the landing page "hub app".
        for path, label in PAGES:
            st.page_link(path, label=label)


@st.cache_resource(show_spinner=False)
def _hub(key: str, _settings: Settings) -> Hub:
    # One Hub per process and setting set: the model and the index load once and every session
    # shares them. The Hub itself reopens a newly published build, so this never needs clearing.
    return Hub(_settings, embedder_factory=_early_embedder(_settings))


def _early_embedder(settings: Settings) -> Callable[[Settings], Embedder]:
    """An embedder factory whose model starts loading now, in the background.

    Importing and loading the model takes seconds. Started when the first page opens, it is
    usually ready by the time someone has typed a query. If that early load failed, the next
    search loads it again, so a passing problem is retried and a lasting one is shown."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-model")
    early = pool.submit(load_embedder, settings.model, settings.runtime, settings.data_dir / "models")
    pool.shutdown(wait=False)

    def factory(s: Settings) -> Embedder:
        try:
            return RememberedQueries(early.result())
        except HubError:
            return RememberedQueries(load_embedder(s.model, s.runtime, s.data_dir / "models"))

    return factory


def get_hub() -> Hub | None:
    """The shared Hub for the current settings, or None after showing why there is none."""
    try:
        settings = Settings.from_env()
    except HubError as exc:
        log_error("The hub's settings are invalid", exc)
        st.error(f"The hub is not configured correctly, so it cannot start. {TOLD}")
        return None
    return _hub(repr(settings), settings)


def load_documents(hub: Hub) -> list[DocumentRecord] | None:
    """Every document in the live index, or None after telling the reader why not."""
    try:
        return hub.documents()
    except IndexNotReady:
        st.info("The hub has no index yet. Open the Search page to build it from the corpus.")
        st.page_link(SEARCH_PAGE, label="Go to Search to build the index")
    except HubError as exc:
        show_index_error(exc)
    return None


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
    st.error(f"The search index cannot be read right now. {TOLD}")


def show_index_problem(exc: HubError, settings: Settings) -> None:
    """Tell an editor (Index status) why the index cannot be read: the error's own words, with
    the server's folders left out of its paths. Also logged, like `show_index_error`."""
    log_error("The index cannot be read", exc)
    st.error(f"The search index cannot be read: {md_escape(local_text(str(exc), settings))}")


def local_text(text: str, settings: Settings) -> str:
    """`text` with paths made relative to the data and corpus folders (see `without_folders`)."""
    return without_folders(text, (settings.data_dir, settings.corpus_dir))


# ---- safe text -----------------------------------------------------------------------------------


def esc(text: str) -> str:
    """`text` made safe to place in HTML, quotes included (it may end up in an attribute)."""
    return html.escape(text, quote=True)


def highlight_html(segments: Iterable[Marked]) -> str:
    """Escape every segment, then wrap query terms in <mark>; never the other way round."""
    return "".join(f"<mark>{esc(text)}</mark>" if marked else esc(text) for text, marked in segments)


def table_html(label: str, columns: Sequence[str], rows: Iterable[Sequence[str | int]]) -> str:
    """An HTML table of `rows` under `columns`, every header and cell escaped, so a file name or
    reason shows exactly as written. Numbers are right-aligned; `label` names the table for
    screen readers."""
    rows = list(rows)
    numeric = [bool(rows) and all(isinstance(row[i], int) for row in rows) for i in range(len(columns))]
    head = "".join(
        f'<th scope="col" class="hub-num">{esc(name)}</th>' if number else f'<th scope="col">{esc(name)}</th>'
        for name, number in zip(columns, numeric, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="hub-num">{cell}</td>' if isinstance(cell, int) else f"<td>{esc(cell)}</td>" for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="hub-table-wrap"><table class="hub-table" aria-label="{esc(label)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


_MD_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
# Invisible, and not a place to break a line: it keeps the text looking as written.
WORD_JOINER = "\u2060"
# Streamlit rewrites some text after the Markdown is parsed, when backslash escapes are already
# gone: web and e-mail addresses become links (GFM autolinks), ":material_x:" becomes an icon and
# ":streamlit:" its logo. A word joiner inside each such pattern stops the rewrite.
_REWRITTEN = re.compile(r"(?<=:)(?=//|material_|streamlit:)|(?<=@)(?=[-\w])|(?<=www)(?=\.)", re.IGNORECASE)
# Streamlit also turns these, standing alone between spaces, into arrows and other symbols.
_SYMBOLS = re.compile(r"(?<!\S)(?:<->|->|<-|--|>=|<=|~=)(?!\S)")


def md_escape(text: str) -> str:
    """`text` as Markdown that Streamlit shows exactly as written (runs of white space become
    one space), for any element that reads Markdown: titles, alerts, captions, widget labels.

    Every ASCII punctuation mark is backslash-escaped (CommonMark allows that for all of them),
    so no HTML, link, image, emphasis, LaTeX or Streamlit directive (:red[...]) can take effect;
    and a word joiner goes into each pattern that Streamlit rewrites after parsing (addresses,
    icons, arrows). Neither shows on the page."""
    flat = " ".join(text.split())
    flat = _SYMBOLS.sub(lambda m: m[0][0] + WORD_JOINER + m[0][1:], flat)
    flat = _REWRITTEN.sub(WORD_JOINER, flat)
    return _MD_SPECIAL.sub(r"\\\1", flat)


# ---- links and URL values ------------------------------------------------------------------------


UrlState = dict[str, str | list[str]]

# The parts of a search a link to the reader carries along: the reader highlights the query's
# words and its "back" link returns to the same results with the same filters.
SEARCH_PARAMS: tuple[str, ...] = ("q", *FACETS, "year")


def reader_params(
    doc_id: str, passage: int | None = None, search: Mapping[str, str | list[str]] | None = None
) -> UrlState:
    params: UrlState = {"doc": doc_id}
    if passage is not None:
        params["passage"] = str(passage)
    params.update({name: value for name, value in (search or {}).items() if name in SEARCH_PARAMS and value})
    return params


def doc_href(doc_id: str, passage: int | None = None, search: Mapping[str, str | list[str]] | None = None) -> str:
    """A relative link to the reader; relative so it works under any base URL path."""
    return f"{DOCUMENT_URL}?{urlencode(reader_params(doc_id, passage, search), doseq=True)}"


def doc_link(doc_id: str, title: str, search: Mapping[str, str | list[str]] | None = None) -> str:
    return f'<a href="{esc(doc_href(doc_id, None, search))}">{esc(title or doc_id)}</a>'


def links_html(items: Sequence[Link]) -> str:
    """A list of document links; ids not in the index are shown as plain text, flagged."""
    rows = [
        f"<li>{doc_link(link.doc_id, link.title)}</li>"
        if link.known
        else f"<li>{esc(link.doc_id)} (not in the hub)</li>"
        for link in items
    ]
    return f"<ul>{''.join(rows)}</ul>" if rows else "<p>None listed.</p>"


def meta_line(record: DocumentRecord) -> str:
    """Kind, agency, date and any non-current status, escaped, for a listing."""
    meta = record.metadata
    parts = [esc(kind_label(meta.kind))]
    if meta.agency:
        parts.append(esc(meta.agency))
    if meta.published:
        parts.append(f"Published {esc(format_date(meta.published))}")
    if meta.status != "current":
        parts.append(f'<span class="hub-status">{esc(meta.status.capitalize())}</span>')
    return " · ".join(parts)


def labeller(facet: str) -> Callable[[str], str]:
    """A widget format_func showing a facet value as people read it."""
    return lambda value: value_label(facet, value)


def query_value(name: str) -> str | None:
    """The last value of a URL parameter (people edit URLs; repeated keys are not an error)."""
    values = st.query_params.get_all(name)
    return values[-1] if values else None


def query_values(name: str) -> list[str]:
    return list(st.query_params.get_all(name))


# ---- widgets that live in the URL ------------------------------------------------------------------


def sync_widgets(prefix: str, url_state: UrlState) -> None:
    """Set the widgets named `<prefix>_<name>` from the URL's (already validated) values.

    All of them when the URL changed under us (a first visit, a shared link, back or forward);
    otherwise only those Streamlit has forgotten (it drops the state of widgets a run did not
    draw, such as filters hidden while the query is empty, or a whole page that was left). The
    rest keep what the reader just chose, which `publish_state` then writes to the URL."""
    marker = f"{prefix}__url"
    changed = st.session_state.get(marker) != url_state
    for name, value in url_state.items():
        key = f"{prefix}_{name}"
        if changed or key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value
    st.session_state[marker] = url_state


def widget_values(prefix: str, names: Iterable[str]) -> UrlState:
    return {name: st.session_state.get(f"{prefix}_{name}", "") for name in names}


def publish_state(prefix: str, state: UrlState, defaults: UrlState | None = None) -> None:
    """Put the widgets' values in the URL so the view can be shared; empty values and those equal
    to their default are left out to keep links short."""
    defaults = defaults or {}
    params = {k: v for k, v in state.items() if v and v != defaults.get(k)}
    wanted = {k: [v] if isinstance(v, str) else list(v) for k, v in params.items()}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(params)
    st.session_state[f"{prefix}__url"] = state
