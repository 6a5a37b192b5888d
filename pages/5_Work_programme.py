"""Work programme: the focus areas and their initiatives, built from the initiative documents'
metadata, each with the documents linked to it."""

from __future__ import annotations

import streamlit as st

from portal.catalogue import Initiative, programme, programme_overview
from portal.html import doc_link, esc, links_html, md_escape
from portal.hub_cache import get_hub, load_documents
from portal.page import setup_page


def initiative_html(item: Initiative) -> str:
    meta = item.record.metadata
    rows = [("Goal", item.plan.goal), ("Deliverable", item.plan.deliverable)]
    details = "".join(f"<dt>{name}</dt><dd>{esc(text)}</dd>" for name, text in rows if text)
    return (
        f'<div class="hub-card"><h3>{doc_link(item.record.doc_id, meta.title)}</h3>'
        f"<p>{esc(meta.summary)}</p><dl>{details}</dl>"
        f"<h4>Linked documents</h4>{links_html(item.documents)}</div>"
    )


def main() -> None:
    viewer = setup_page("Work programme")
    st.title("Work programme", anchor=False)
    hub = get_hub()
    records = load_documents(hub, viewer) if hub else None
    if records is None:
        return
    areas = programme(records)
    overview = programme_overview(records)
    if overview:
        items = "".join(f"<li>{doc_link(r.doc_id, r.metadata.title)}: {esc(r.metadata.summary)}</li>" for r in overview)
        st.html(f"<p>About the programme:</p><ul>{items}</ul>")
    total = sum(len(a.initiatives) for a in areas)
    st.markdown(f"{len(areas)} focus areas, {total} initiatives.")
    if not areas:
        st.info("The hub holds no initiative documents yet.")
    for area in areas:
        st.header(md_escape(area.name), anchor=False)
        st.markdown(f"{len(area.initiatives)} initiatives")
        for item in area.initiatives:
            with st.container(border=True):
                st.html(initiative_html(item))


main()
