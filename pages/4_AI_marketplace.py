"""AI marketplace: the catalogue of assessed AI tools, built from the tool documents' metadata.

Filters live in the URL (?status=...&classification=...&provider=...) so a filtered catalogue can
be shared."""

from __future__ import annotations

import streamlit as st

from portal.catalogue import APPROVAL_STATUSES, CLASSIFICATIONS, Tool, filter_tools, tools
from portal.html import doc_link, esc, links_html
from portal.hub_cache import get_hub, load_documents
from portal.page import setup_page
from portal.url_state import publish_state, query_value, query_values, sync_widgets, widget_values
from portal.urls import UrlState

PREFIX = "market"


def url_state(providers: list[str]) -> UrlState:
    """The URL's choices, each checked against the values the page offers."""
    level = query_value("classification") or ""
    return {
        "status": [v for v in dict.fromkeys(query_values("status")) if v in APPROVAL_STATUSES],
        "classification": level if level in CLASSIFICATIONS else "",
        "provider": [v for v in dict.fromkeys(query_values("provider")) if v in providers],
    }


def plain_list(items: tuple[str, ...]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>" if items else "<p>None listed.</p>"


def card_html(tool: Tool) -> str:
    rows = [
        ("Capability", tool.details.capability),
        ("Provider", tool.details.provider),
        ("Highest classification allowed", tool.details.max_classification),
        ("Approval status", tool.details.approval_status.capitalize()),
    ]
    details = "".join(f"<dt>{name}</dt><dd>{esc(text)}</dd>" for name, text in rows if text)
    return (
        f'<div class="hub-card"><h2>{doc_link(tool.record.doc_id, tool.record.metadata.title)}</h2>'
        f"<p>{esc(tool.record.metadata.summary)}</p><dl>{details}</dl>"
        f"<h3>Conditions of use</h3>{plain_list(tool.details.conditions)}"
        f"<h3>Agencies using it</h3>{plain_list(tool.details.used_by)}"
        f"<h3>Guidance that applies</h3>{links_html(tool.guidance)}"
        f"<h3>Case studies</h3>{links_html(tool.case_studies)}</div>"
    )


def main() -> None:
    viewer = setup_page("AI marketplace")
    st.title("AI marketplace", anchor=False)
    hub = get_hub()
    records = load_documents(hub, viewer) if hub else None
    if records is None:
        return
    catalogue = tools(records)
    providers = sorted({t.details.provider for t in catalogue if t.details.provider})
    sync_widgets(PREFIX, url_state(providers))
    status_col, level_col, provider_col = st.columns(3)
    status_col.multiselect(
        "Approval status",
        options=list(APPROVAL_STATUSES),
        key=f"{PREFIX}_status",
        format_func=str.capitalize,
        placeholder="Any status",
    )
    level_col.selectbox(
        "Cleared for information classified",
        options=["", *CLASSIFICATIONS],
        key=f"{PREFIX}_classification",
        format_func=lambda level: level or "Any classification",
    )
    provider_col.multiselect("Provider", options=providers, key=f"{PREFIX}_provider", placeholder="Any provider")
    state = widget_values(PREFIX, ["status", "classification", "provider"])
    publish_state(PREFIX, state)
    shown = filter_tools(
        catalogue,
        statuses=state["status"],
        classification=str(state["classification"]) or None,
        providers=state["provider"],
    )
    st.header(f"{len(shown)} of {len(catalogue)} tools", anchor=False)
    if not shown:
        st.info("No tool matches all of these choices. Remove one to see more.")
    for tool in shown:
        with st.container(border=True):
            st.html(card_html(tool))


main()
