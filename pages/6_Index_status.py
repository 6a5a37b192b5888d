"""Index status: the live build, what it holds, and what the recent build runs did."""

from __future__ import annotations

import streamlit as st

import hub_ui as ui
from index.api import Hub
from index.duplicates import copies_in_manifest
from index.views import RunSummary, counts_by_kind, format_time, latest_run, run_history
from ingest.errors import HubError


def show_live(hub: Hub) -> None:
    st.header("Live index", anchor=False)
    try:
        if not hub.has_index():
            st.info("No index has been published yet. Open Search to build the first one.")
            return
        build = hub.build()
        records = hub.documents()
    except HubError as exc:
        ui.show_index_error(exc)
        return
    manifest = build.manifest
    cols = st.columns(2)
    cols[0].metric("Documents", len(records))
    cols[1].metric("Passages", sum(r.chunk_count for r in records))
    built = format_time(str(manifest.get("created", ""))) or "unknown"
    model = str(manifest.get("model", "unknown"))
    st.markdown(ui.md_escape(f"Built {built} with the model {model}. Build id: {build.build_id}."))
    rows = counts_by_kind(records)
    data = {
        "Kind": [r.kind for r in rows],
        "Documents": [r.documents for r in rows],
        "Passages": [r.passages for r in rows],
    }
    st.subheader("Documents and passages by kind", anchor=False)
    st.bar_chart(data, x="Kind", y=["Documents", "Passages"], stack=False, alt="Documents and passages for each kind")
    # The same figures as a table, for screen readers and for copying.
    st.table(data)
    show_copies(copies_in_manifest(manifest.get("duplicates")))


def show_copies(copies: dict[str, str]) -> None:
    """Documents filed twice under different names: search shows one of each pair."""
    if not copies:
        return
    what = "1 document repeats" if len(copies) == 1 else f"{len(copies)} documents repeat"
    st.subheader(f"{what} the text of another", anchor=False)
    st.markdown("Search shows each text once. Remove the copy from the corpus folder unless both names are needed.")
    st.table({"Document": list(copies), "Same text as": list(copies.values())})


def show_last_run(run: RunSummary | None) -> None:
    st.header("Last build run", anchor=False)
    if run is None:
        st.info("No build has run yet.")
        return
    if run.problem:
        st.warning(ui.md_escape(run.problem))
        return
    finished = format_time(run.finished) or "not finished"
    text = f"{run.outcome.capitalize()}, finished {finished}"
    st.markdown(ui.md_escape(f"{text}. {run.message}" if run.message else f"{text}."))
    if not run.failed:
        st.success("Every file in the corpus was indexed.")
        return
    st.subheader(f"{len(run.failed)} files could not be indexed", anchor=False)
    st.table(
        {
            "File": [f["file"] for f in run.failed],
            "Reason": [f["reason"] for f in run.failed],
            "What to do": [f["hint"] for f in run.failed],
        }
    )


def show_history(runs: list[RunSummary]) -> None:
    st.header("Recent build runs", anchor=False)
    if not runs:
        st.info("No build runs are recorded.")
        return
    st.table(
        {
            "Started": [format_time(r.started) for r in runs],
            "Outcome": [r.outcome or r.problem for r in runs],
            "Build": [r.build_id for r in runs],
            "Documents": [r.documents for r in runs],
            "Passages": [r.chunks for r in runs],
            "Added": [r.added for r in runs],
            "Updated": [r.updated for r in runs],
            "Removed": [r.removed for r in runs],
            "Failed": [len(r.failed) for r in runs],
        }
    )
    published = [r for r in runs if r.outcome == "published"]
    if published:
        st.markdown(
            ui.md_escape(f"Latest build published {format_time(published[0].finished)} ({published[0].build_id}).")
        )


def main() -> None:
    ui.setup_page("Index status")
    st.title("Index status", anchor=False)
    hub = ui.get_hub()
    if hub is None:
        return
    show_live(hub)
    show_last_run(latest_run(hub.settings.reports_dir))
    show_history(run_history(hub.settings.reports_dir))


main()
