"""Library: every document in the hub, filtered by kind, focus area and agency, sorted by date or title.

The choices live in the URL (?kind=...&focus_area=...&agency=...&sort=...) like the search's."""

from __future__ import annotations

import streamlit as st

from index import DocumentRecord
from portal.catalogue import SORT_LABELS, library
from portal.html import doc_link, esc, meta_line
from portal.hub_cache import get_hub, load_documents
from portal.labels import labeller
from portal.page import setup_page
from portal.search_state import FacetOptions, facet_options
from portal.url_state import publish_state, query_value, query_values, sync_widgets, widget_values
from portal.urls import UrlState

PREFIX = "library"
FILTERS = (("kind", "Kind"), ("focus_area", "Focus area"), ("agency", "Agency"))


def url_state(options: FacetOptions) -> UrlState:
    """The URL's choices, each checked against what the index holds."""
    state: UrlState = {
        name: [v for v in dict.fromkeys(query_values(name)) if v in options.values[name]] for name, _ in FILTERS
    }
    sort = query_value("sort") or ""
    state["sort"] = sort if sort in SORT_LABELS else "newest"
    return state


def listing_html(records: list[DocumentRecord]) -> str:
    items = []
    for r in records:
        summary = f'<br><span class="hub-snippet">{esc(r.metadata.summary)}</span>' if r.metadata.summary else ""
        items.append(
            f'<li>{doc_link(r.doc_id, r.metadata.title)}<br><span class="hub-meta">{meta_line(r)}</span>{summary}</li>'
        )
    return f'<ul class="hub-list">{"".join(items)}</ul>'


def main() -> None:
    viewer = setup_page("Library")
    st.title("Library", anchor=False)
    hub = get_hub()
    records = load_documents(hub, viewer) if hub else None
    if records is None:
        return
    options = facet_options(records)
    sync_widgets(PREFIX, url_state(options))
    columns = st.columns(4)
    for column, (name, label) in zip(columns, FILTERS, strict=False):
        column.multiselect(
            label,
            options=options.values[name],
            key=f"{PREFIX}_{name}",
            format_func=labeller(name),
            placeholder="Any",
        )
    columns[3].selectbox(
        "Sort by", options=list(SORT_LABELS), key=f"{PREFIX}_sort", format_func=SORT_LABELS.__getitem__
    )
    state = widget_values(PREFIX, [name for name, _ in FILTERS] + ["sort"])
    publish_state(PREFIX, state, defaults={"sort": "newest"})
    shown = library(
        records,
        kinds=state["kind"],
        focus_areas=state["focus_area"],
        agencies=state["agency"],
        sort=str(state["sort"]),
    )
    st.header(f"{len(shown)} of {len(records)} documents", anchor=False)
    if not shown:
        st.info("No document matches all of these choices. Remove one to see more.")
        return
    st.html(listing_html(shown))


main()
