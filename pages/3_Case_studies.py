"""Case studies: how agencies used AI, built from the case-study documents' metadata."""

from __future__ import annotations

import streamlit as st

import hub_ui as ui
from index.views import CaseStudy, case_studies


def card_html(study: CaseStudy) -> str:
    rows = [("Problem", study.problem), ("Approach", study.approach), ("Outcome", study.outcome)]
    details = "".join(f"<dt>{name}</dt><dd>{ui.esc(text)}</dd>" for name, text in rows if text)
    return (
        f'<div class="hub-card"><h2>{ui.doc_link(study.record.doc_id, study.record.metadata.title)}</h2>'
        f'<p class="hub-meta">{ui.meta_line(study.record)}</p>'
        f"<dl>{details}</dl>"
        f"<h3>Tools used</h3>{ui.links_html(study.tools)}"
        f"<h3>Guidance followed</h3>{ui.links_html(study.guidance)}</div>"
    )


def main() -> None:
    ui.setup_page("Case studies")
    st.title("Case studies", anchor=False)
    hub = ui.get_hub()
    records = ui.load_documents(hub) if hub else None
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
