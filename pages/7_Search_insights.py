"""Search insights, for editors: what people search for, what the hub has no good answer to, which
results nobody opens, and which documents readers find unhelpful, never open or are past review.

Queries and comments are outside text (typed by anyone, redacted before they were kept), so
tables are escaped HTML (`table_html`) and every sentence goes through `md_escape`."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from index import Hub, Insights, Recorder, insights_of
from ingest.errors import HubError
from portal.analytics import get_recorder
from portal.html import md_escape, table_html
from portal.hub_cache import get_hub, load_documents
from portal.insights import Table, csv_text, insight_tables, position_table, week_table
from portal.page import for_editors, local_text, log_error, setup_page

# How long the page waits for events still being written, so an editor's own latest search shows.
FLUSH_SECONDS = 1.0
# Rows of each table on the page; its CSV file holds up to CSV_ROWS.
SHOWN_ROWS = 15
CSV_ROWS = 500


def show_health(recorder: Recorder, hub: Hub) -> None:
    """Problems with recording, first on the page: searches go on, but are not being kept."""
    health = recorder.health()
    if health.problem:
        st.error(
            f"**Searches are not being recorded right now.** {md_escape(local_text(health.problem, hub.settings))}"
        )
    for note in health.notes:
        st.warning(md_escape(local_text(note, hub.settings)))
    if health.dropped:
        st.warning(f"{health.dropped} events could not be written and were lost.")


def show_table(table: Table) -> None:
    st.subheader(table.title, anchor=False)
    st.caption(md_escape(table.about))
    if not table.rows:
        st.info(md_escape(table.empty))
        return
    st.html(table_html(table.title, table.columns, table.rows[:SHOWN_ROWS]))
    if len(table.rows) > SHOWN_ROWS:
        st.caption(f"The first {SHOWN_ROWS} of {len(table.rows)} rows; the CSV file has them all.")
    st.download_button(
        "Download as CSV",
        data=csv_text(table.columns, table.rows),
        file_name=table.file_name,
        mime="text/csv",
        key=f"csv_{table.file_name}",
        on_click="ignore",
    )


def show_trends(insights: Insights) -> None:
    weeks, positions = week_table(insights), position_table(insights)
    st.header("Trends", anchor=False)
    if weeks.rows:
        st.subheader(weeks.title, anchor=False)
        data = {name: [row[i] for row in weeks.rows] for i, name in enumerate(weeks.columns)}
        st.line_chart(data, x="Week of", y=list(weeks.columns[1:]))
        show_table(weeks)
    clicks: dict[str, list[int] | list[float]] = {
        "Position": [r.rank for r in insights.positions],
        "Click-through (%)": [round(r.rate * 100, 1) for r in insights.positions],
    }
    st.subheader(positions.title, anchor=False)
    st.bar_chart(clicks, x="Position", y="Click-through (%)")
    show_table(positions)


def show_summary(insights: Insights, days: int) -> None:
    since = f"since {insights.first_day}" if insights.first_day else "none yet"
    st.markdown(
        md_escape(
            f"Recorded over the last {days} days ({since}). Kept without who searched: no name, "
            "account, address or session; queries and comments have e-mail addresses, phone, IRD, "
            "NHI, card, bank account and passport numbers taken out before they are stored."
        )
    )
    cols = st.columns(3)
    cols[0].metric("Searches", insights.searches)
    cols[1].metric("Results opened", insights.clicks)
    cols[2].metric("Feedback", insights.feedback)


def main() -> None:
    viewer = setup_page("Search insights")
    st.title("Search insights", anchor=False)
    # Queries and comments are what readers typed.
    if not for_editors(viewer):
        return
    hub = get_hub()
    if hub is None:
        return
    recorder = get_recorder()
    if recorder is None:
        st.info(
            "Search analytics are off (HUB_ANALYTICS=off): searches, opened documents and feedback are not recorded."
        )
        return
    show_health(recorder, hub)
    records = load_documents(hub, viewer)
    if records is None:
        return
    recorder.flush(FLUSH_SECONDS)
    days = hub.settings.analytics_days
    try:
        insights = insights_of(hub.settings, records, dt.date.today(), CSV_ROWS)
    except HubError as exc:
        log_error("The search analytics cannot be read", exc)
        st.error(f"The search analytics cannot be read: {md_escape(local_text(str(exc), hub.settings))}")
        return
    show_summary(insights, days)
    tables = insight_tables(insights, days)
    for table in tables[:4]:
        show_table(table)
    show_trends(insights)
    st.header("Documents", anchor=False)
    for table in tables[4:]:
        show_table(table)


main()
