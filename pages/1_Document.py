"""Document reader: one document from ?doc=<id>, optionally at ?passage=<position>.

Only ids of documents in the live index are accepted; anything else (unknown ids, ../, absolute
paths, URL-encoded tricks) gets the same not-found message and nothing is read from disk.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from index import ChunkRecord, DocumentRecord, Hub, Viewer
from ingest.errors import HubError
from portal.analytics import ask_helpful, record_open
from portal.catalogue import extra_fields, similar_documents
from portal.html import doc_link, esc, md_escape, meta_line
from portal.hub_cache import get_hub, load_documents
from portal.labels import format_date, kind_label
from portal.page import DOCUMENT_PAGE, LIBRARY_PAGE, SEARCH_PAGE, log_error, setup_page
from portal.reader import (
    banners,
    full_text_html,
    indexed_original,
    location,
    original_download,
    passage_html,
)
from portal.render import ANSWER_ID, PASSAGE_ID, Marks
from portal.search_state import facet_options, parse_search_state
from portal.url_state import query_value, query_values
from portal.urls import UrlState, reader_params, safe_doc_id, safe_position, safe_rank

# HTML originals go out as application/octet-stream (the default below), so no browser is
# tempted to render a corpus file as a page of this site.
MIME = {"pdf": "application/pdf", "markdown": "text/markdown", "text": "text/plain"}
WORD_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Our own constant script (no document content in it): brings the answering sentence, or else
# the start of the passage, into view on opening. It waits for the text to be drawn because
# Streamlit renders elements one after another.
SCROLL_SCRIPT = f"""<script>
(function () {{
  let tries = 0;
  function scroll() {{
    const mark = document.getElementById("{ANSWER_ID}") || document.getElementById("{PASSAGE_ID}");
    if (!mark) {{ if (tries++ < 50) setTimeout(scroll, 100); return; }}
    mark.scrollIntoView({{ block: "center" }});
  }}
  scroll();
}})();
</script>"""


def not_found() -> None:
    st.title("Document not found", anchor=False)
    st.info("There is no document at this address. It may have been removed, or the link may be incomplete.")
    st.page_link(SEARCH_PAGE, label="Search the hub")
    st.page_link(LIBRARY_PAGE, label="Browse every document in the Library")


def metadata_html(record: DocumentRecord, titles: dict[str, str]) -> str:
    meta = record.metadata
    rows = [
        ("Kind", esc(kind_label(meta.kind))),
        ("Agency", esc(meta.agency)),
        ("Focus area", esc(meta.focus_area)),
        ("Initiative", esc(meta.initiative)),
        ("Published", esc(format_date(meta.published))),
        ("Review by", esc(format_date(meta.review_by))),
        ("Status", esc(meta.status.capitalize())),
        ("Tags", esc(", ".join(meta.tags))),
        ("Format", esc(record.format.upper())),
    ]
    if meta.source_url.startswith(("https://", "http://")):
        # Only web addresses become links; a javascript: or data: URL stays plain text.
        rows.append(("Source", f'<a href="{esc(meta.source_url)}">{esc(meta.source_url)}</a>'))
    elif meta.source_url:
        rows.append(("Source", esc(meta.source_url)))
    for label, values in extra_fields(record):
        items = [doc_link(v, titles[v]) if v in titles else esc(v) for v in values]
        rows.append(
            (label, items[0] if len(items) == 1 else "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        )
    body = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows if v)
    return f'<div class="hub-card"><h2>About this document</h2><dl>{body}</dl></div>'


def show_banners(record: DocumentRecord, titles: dict[str, str], search: UrlState) -> None:
    for banner in banners(record, dt.date.today(), titles.keys()):
        text = banner.message
        if banner.link:
            text += f" It is replaced by “{titles[banner.link]}”."
        (st.error if banner.level == "error" else st.warning)(md_escape(text))
        if banner.link:
            st.page_link(
                DOCUMENT_PAGE,
                label="Read the replacement",
                query_params=reader_params(banner.link, search=search),
            )


def show_download(record: DocumentRecord, hub: Hub) -> None:
    limit = hub.settings.limits.max_file_bytes
    original = original_download(record, hub.settings.corpus_dir, limit)
    if original is None:
        st.caption("The original file is not available on this server.")
        return
    if original.problem:
        st.caption(original.problem)
        return
    mime = WORD_MIME if record.format == "word" else MIME.get(record.format, "application/octet-stream")
    corpus = hub.settings.corpus_dir
    st.download_button(
        "Download the original file",
        # Read when the button is pressed, and checked again then: the file may have changed
        # or been swapped since the page was drawn.
        data=lambda: indexed_original(record, corpus, limit),
        file_name=original.path.name,
        mime=mime,
        on_click="ignore",
        width="stretch",
    )
    st.caption(md_escape(f"{original.path.name}, {record.format.upper()}, {max(1, original.size // 1024):,} KB"))


def show_passage(chunk: ChunkRecord, query: str, record: DocumentRecord, answer: tuple[int, int] | None) -> None:
    """The opened passage above the full text, its answering sentence (`answer`, offsets into the
    document's text) marked."""
    where = location(chunk.page, chunk.heading_path, record.metadata.title)
    inside = (answer[0] - chunk.start, answer[1] - chunk.start) if answer else None
    body = passage_html(chunk.text, query, inside, record.format == "pdf")
    st.header("The passage you opened", anchor=False)
    where_html = f'<p class="hub-where">{esc(where)}</p>' if where else ""
    jump = f'<p><a href="#{PASSAGE_ID}">Jump to it in the full text</a></p>'
    st.html(f'{where_html}<div class="hub-passage">{body}</div>{jump}')


def answer_span(hub: Hub, chunk: ChunkRecord, text: str, query: str) -> tuple[int, int] | None:
    """Where, in the document's text, the passage's sentence that best answers `query` is; None
    without a query, when no sentence answers, or when it cannot be worked out right now."""
    if not query or text[chunk.start : chunk.end] != chunk.text:
        return None
    try:
        span = hub.answering_sentence(chunk.text, query)
    except HubError as exc:
        log_error("The answering sentence could not be found", exc)
        return None
    return (chunk.start + span[0], chunk.start + span[1]) if span else None


def show_similar(record: DocumentRecord, hub: Hub, viewer: Viewer) -> None:
    st.header("Similar documents", anchor=False)
    try:
        similar = similar_documents(lambda q, n: hub.search(q, limit=n, viewer=viewer), record)
    except HubError as exc:
        log_error("Similar documents could not be found", exc)
        st.caption("Similar documents cannot be found right now.")
        return
    if not similar:
        st.caption("No similar documents found.")
        return
    items = "".join(f"<li>{doc_link(r.doc_id, r.metadata.title)}<br>{meta_line(r)}</li>" for r in similar)
    st.html(f'<ul class="hub-similar">{items}</ul>')


def main() -> None:
    viewer = setup_page("Document")
    hub = get_hub()
    if hub is None:
        return
    records = load_documents(hub, viewer)
    if records is None:
        return
    titles = {r.doc_id: r.metadata.title or r.doc_id for r in records}
    doc_id = safe_doc_id(query_value("doc"), titles.keys())
    if doc_id is None:
        not_found()
        return
    try:
        view = hub.document(doc_id, viewer=viewer)
    except HubError:
        # The index changed between listing and opening (a new build without this document).
        not_found()
        return
    record = view.record
    position = safe_position(query_value("passage"), len(view.chunks))
    chunk = next((c for c in view.chunks if c.position == position), None) if position is not None else None
    # The search the reader came from, validated like the Search page validates it.
    search = parse_search_state(query_values, facet_options(records))
    query = search.query
    record_open(doc_id, safe_rank(query_value("rank")), query)

    st.title(md_escape(record.metadata.title or doc_id), anchor=False)
    if query:
        st.page_link(SEARCH_PAGE, label="Back to the search results", query_params=search.to_params())
    if record.metadata.summary:
        st.markdown(md_escape(record.metadata.summary))
    show_banners(record, titles, search.to_params())
    text_col, side_col = st.columns([2, 1], gap="large")
    with side_col:
        show_download(record, hub)
        st.html(metadata_html(record, titles))
        ask_helpful(doc_id, query)
        show_similar(record, hub, viewer)
    with text_col:
        answer = answer_span(hub, chunk, view.text, query) if chunk else None
        if chunk is not None:
            show_passage(chunk, query, record, answer)
        st.header("Full text", anchor=False)
        marks = Marks((chunk.start, chunk.end) if chunk else None, answer)
        st.html(full_text_html(view, marks, titles.keys(), search.to_params()))
        if chunk is not None:
            st.html(SCROLL_SCRIPT, unsafe_allow_javascript=True)


main()
