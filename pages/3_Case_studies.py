"""Case studies: how agencies used AI, built from the case-study documents' metadata."""

from __future__ import annotations

import streamlit as st

from portal.catalogue import CaseStudy, case_studies
from portal.html import doc_link, esc, links_html, meta_line
from portal.hub_cache import get_hub, load_documents
from portal.page import setup_page


def card_html(study: CaseStudy) -> str:
    rows = [("Problem", study.story.problem), ("Approach", study.story.approach), ("Outcome", study.story.outcome)]
    details = "".join(f"<dt>{name}</dt><dd>{esc(text)}</dd>" for name, text in rows if text)
    return (
        f'<div class="hub-card"><h2>{doc_link(study.record.doc_id, study.record.metadata.title)}</h2>'
        f'<p class="hub-meta">{meta_line(study.record)}</p>'
        f"<dl>{details}</dl>"
        f"<h3>Tools used</h3>{links_html(study.tools)}"
        f"<h3>Guidance followed</h3>{links_html(study.guidance)}</div>"
    )


def main() -> None:
    viewer = setup_page("Case studies")
    st.title("Case studies", anchor=False)
    hub = get_hub()
    records = load_documents(hub, viewer) if hub else None
    if records is None:
        return
    studies = case_studies(records)
    agencies = sorted({s.record.metadata.agency for s in studies if s.record.metadata.agency})
    chosen = st.multiselect("Agency", options=agencies, placeholder="Any agency", key="case_agency")
    shown = [s for s in studies if not chosen or s.record.metadata.agency in chosen]
    st.markdown(f"{len(shown)} of {len(studies)} case studies, newest first.")
    if not studies:
        st.info("The hub holds no case studies yet.")
    for study in shown:
        with st.container(border=True):
            st.html(card_html(study))


main()
