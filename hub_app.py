"""Search: the hub's landing page. Run with `streamlit run hub_app.py`.

The search and its filters live in the URL (?q=...&kind=...&year=...), so a search can be shared
as a link and a reload shows the same results.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import streamlit as st

from index import MAX_QUERY_CHARS, BuildLocked, FacetCounts, Hit, Hub
from ingest.errors import HubError
from portal.analytics import first_time
from portal.html import doc_link, esc, highlight_html, md_escape, meta_line
from portal.hub_cache import get_hub, load_documents
from portal.labels import FACET_LABELS, FACETS, number_of, value_label
from portal.no_match import CLOSEST_HEADING, next_steps, no_match_message, shown_results
from portal.page import DOCUMENT_PAGE, LIBRARY_PAGE, LOG, STATUS_PAGE, TOLD, log_error, setup_page, show_index_error
from portal.reader import location
from portal.search_state import FacetOptions, SearchState, facet_options, parse_search_state
from portal.url_state import publish_state, query_values, sync_widgets, widget_values
from portal.urls import reader_params

RESULTS_SHOWN = 20
PREFIX = "search"
QUERY_KEY = f"{PREFIX}_q"
YEAR_KEY = f"{PREFIX}_year"
MORE_KEY = f"{PREFIX}_more"  # (the search, times "Show more" was pressed for it)


def facet_key(facet: str) -> str:
    return f"{PREFIX}_{facet}"


def ensure_index(hub: Hub) -> bool:
    """True when there is a live index; on first start, builds one from the corpus first."""
    try:
        if hub.has_index():
            return True
    except HubError as exc:
        show_index_error(exc)
        return False
    saved = hub.last_run()
    last = saved.report if saved is not None else None
    if last is not None and last.outcome in ("rejected", "failed"):
        # A build that failed would most likely fail again; building on every visit would only
        # load the server, so someone has to ask for it.
        what = "was rejected" if last.outcome == "rejected" else "failed"
        st.error(f"The hub has no index yet: the last build {what}. The Index status page says why.")
        st.page_link(STATUS_PAGE, label="See why on the Index status page")
        if not st.button("Try building the index again"):
            return False
    st.info("The hub has no index yet, so it is being built from the corpus folder now. This happens once.")
    bar = st.progress(0.0, text="Starting the first build")

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0) if total else 1.0, text=f"{stage.capitalize()}: {done} of {total}")

    try:
        report = hub.update(progress=progress)
    except BuildLocked:
        bar.empty()
        st.info("Another session is building the index right now. Reload this page in a minute.")
        return False
    except HubError as exc:
        bar.empty()
        log_error("The first build failed", exc)
        st.error(f"The index could not be built. {TOLD}")
        return False
    bar.empty()
    if report.outcome not in ("published", "unchanged"):
        # The run's own message names server folders; the operators find it in the log and
        # editors on Index status, with the folders left out.
        LOG.error("The first build ended %s: %s", report.outcome, report.message)
        unread = f" {number_of(len(report.failed), 'file')} could not be read." if report.failed else ""
        st.error(f"The index could not be built.{unread} The Index status page lists why and what to do.")
        st.page_link(STATUS_PAGE, label="See why on the Index status page")
        return False
    failed = f" {number_of(len(report.failed), 'file')} could not be read; see Index status." if report.failed else ""
    st.success(f"The index is ready: {report.documents} documents, {report.chunks} passages.{failed}")
    return True


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def read_state(options: FacetOptions) -> SearchState:
    """The search to show: the URL's on arrival, the widgets' after the reader changes them.

    Both pass through the same validation, so a value the index no longer has (after a new
    build) is dropped before a widget could fail on it."""
    url_state = parse_search_state(query_values, options)
    sync_widgets(PREFIX, url_state.fields())
    values = widget_values(PREFIX, url_state.fields())
    state = parse_search_state(lambda name: as_list(values[name]), options)
    for name, value in state.fields().items():
        if name != "q":
            st.session_state[f"{PREFIX}_{name}"] = value
    return state


def clear_filters() -> None:
    for facet in FACETS:
        st.session_state[facet_key(facet)] = []
    st.session_state[YEAR_KEY] = ""


def remove_filter(facet: str) -> None:
    if facet == "year":
        st.session_state[YEAR_KEY] = ""
    else:
        st.session_state[facet_key(facet)] = []


def counted(facet: str, tally: Counter[str]) -> Callable[[str], str]:
    """Labels a facet value with the number of results choosing it would leave."""
    return lambda value: f"{value_label(facet, value)} ({tally[value]})"


def filter_widgets(options: FacetOptions, counts: FacetCounts, state: SearchState) -> None:
    """The filters, each value labelled with how many results choosing it would leave."""
    with st.sidebar:
        st.header("Filter results", anchor=False)
        for facet in FACETS:
            tally = counts.values[facet]
            st.multiselect(
                FACET_LABELS[facet],
                options=options.values[facet],
                key=facet_key(facet),
                format_func=counted(facet, tally),
                placeholder="Any",
            )
        years, any_year = counts.values["year"], counts.totals["year"]
        st.selectbox(
            "Published in",
            options=["", *map(str, options.years)],
            key=YEAR_KEY,
            # Undated documents, and texts whose copies differ in year, count once in "any year".
            format_func=lambda y: f"{y} ({years[y]})" if y else f"Any year ({any_year})",
        )
        if state.has_filters():
            st.button("Clear all filters", on_click=clear_filters)


def render_hit(hit: Hit, state: SearchState, titles: dict[str, str], rank: int | None = None) -> None:
    """One result: title, metadata, best passage, where it is, and a link that opens it there.
    Links carry the search, so the reader can go back to these results, and the result's place
    (`rank`, from 1), which the search analytics count as a click there."""
    best = hit.passages[0]
    title = hit.record.metadata.title or hit.doc_id
    where = location(best.page, best.heading_path, title)
    where_html = f'<p class="hub-where">{esc(where)}</p>' if where else ""
    if hit.copies:
        links = ", ".join(doc_link(d, titles.get(d, d), state.to_params()) for d in hit.copies)
        where_html += f'<p class="hub-where">The same text is also filed as {links}.</p>'
    if hit.editions:
        # Editions often share a title, so each is named by its file as well.
        links = ", ".join(doc_link(d, f"{titles.get(d, d)} ({d})", state.to_params()) for d in hit.editions)
        where_html += f'<p class="hub-where">Another edition is filed as {links}.</p>'
    # A best bet: the editors recommend this document for the query.
    label = '<p class="hub-recommended"><strong>Recommended</strong></p>' if hit.recommended else ""
    with st.container(border=True):
        st.html(
            f'<article class="hub-result">{label}<h3>{esc(title)}</h3>'
            f'<p class="hub-meta">{meta_line(hit.record)}</p>'
            f'<p class="hub-snippet">{highlight_html(best.snippet)}</p>{where_html}</article>'
        )
        st.page_link(
            DOCUMENT_PAGE,
            label=f"Open “{md_escape(title)}” at this passage",
            query_params=reader_params(hit.doc_id, best.position, state.to_params(), rank),
        )


def render_no_results(state: SearchState, counts: FacetCounts) -> None:
    if not state.has_filters():
        st.info("No documents match your search. Try other or fewer words, or browse the Library.")
        st.page_link(LIBRARY_PAGE, label="Browse every document in the Library")
        return
    st.info("No documents match your search with the filters chosen. Removing a filter may help:")
    for facet in state.active_facets():
        name = "Published in" if facet == "year" else FACET_LABELS[facet]
        left = counts.totals[facet]
        st.button(
            f"Remove the {name} filter ({left} results)",
            key=f"remove_{facet}",
            on_click=remove_filter,
            args=(facet,),
        )
    st.button("Clear all filters", key="clear_all_main", on_click=clear_filters)


def render_no_good_match(state: SearchState, closest: tuple[Hit, ...], titles: dict[str, str]) -> None:
    """Nothing clears the confidence bar: say so, suggest what to do, then the closest documents."""
    steps = "\n".join(f"- {md_escape(step)}" for step in next_steps(state.has_filters()))
    st.warning(f"{md_escape(no_match_message(state.query))}\n\n{steps}")
    st.page_link(LIBRARY_PAGE, label="Browse every document in the Library")
    st.subheader(CLOSEST_HEADING, anchor=False)
    for rank, hit in enumerate(closest, 1):
        render_hit(hit, state, titles, rank)


def main() -> None:
    viewer = setup_page("Search")
    st.title("Search the AI Hub", anchor=False)
    hub = get_hub()
    if hub is None or not ensure_index(hub):
        return
    records = load_documents(hub, viewer)
    if records is None:
        return
    options = facet_options(records)
    state = read_state(options)
    with st.form("search", border=False, enter_to_submit=True):
        st.text_input(
            "Search guidance, standards, case studies and tools",
            key=QUERY_KEY,
            max_chars=MAX_QUERY_CHARS,
            placeholder="for example: can I put client information into a chat assistant?",
        )
        st.form_submit_button("Search", type="primary")
    publish_state(PREFIX, state.fields())
    if not state.query:
        st.markdown(
            f"The hub holds {len(records)} documents. Type a question or a few words and press Enter. "
            "Filters appear once you have searched."
        )
        return

    try:
        # One ranking gives the results and every filter's counts.
        # Recorded once per search: not again for "Show more" or a redraw (portal.analytics).
        observed = first_time("search", state.to_params())
        page = hub.search_page(
            state.query, state.filters(), limit=results_wanted(state), viewer=viewer, observed=observed
        )
    except HubError as exc:
        show_index_error(exc)
        return
    filter_widgets(options, page.counts, state)
    st.header("Results", anchor=False)
    results = page.results
    if results.also_searched:
        st.caption(f"Also searched for: {md_escape(', '.join(results.also_searched))}")
    if not results.hits:
        render_no_results(state, page.counts)
        return
    titles = {r.doc_id: r.metadata.title or r.doc_id for r in records}
    picked = shown_results(results)
    if results.no_good_match:
        render_no_good_match(state, picked.closest, titles)
        return
    shown, matched = picked.answers, results.matched_documents
    st.markdown(f"{matched} documents match; showing the {len(shown)} most relevant, each with its best passage.")
    for rank, hit in enumerate(shown, 1):
        render_hit(hit, state, titles, rank)
    if matched > len(shown):
        more = min(RESULTS_SHOWN, matched - len(shown))
        label = "Show 1 more result" if more == 1 else f"Show {more} more results"
        st.button(label, on_click=show_more, args=(state,))


def more_pressed(state: SearchState) -> int:
    """How often "Show more" was pressed for this very search (a new query or filter starts again)."""
    pages = st.session_state.get(MORE_KEY)
    return int(pages[1]) if isinstance(pages, tuple) and pages[0] == state.to_params() else 0


def results_wanted(state: SearchState) -> int:
    """How many results to show: a page's worth, plus one more for each "Show more" pressed."""
    return RESULTS_SHOWN * (1 + more_pressed(state))


def show_more(state: SearchState) -> None:
    """Remember one more press of "Show more" for this search."""
    st.session_state[MORE_KEY] = (state.to_params(), more_pressed(state) + 1)


main()
