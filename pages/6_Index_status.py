"""Index status: the live build, what it holds, and what the recent build runs did.

This is the editors' page: it names the files that failed or were skipped and why. File names,
reasons and metadata values are outside text, so tables are escaped HTML (`table_html`), every
sentence goes through `md_escape`, and paths are shown relative to the data and corpus folders.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from index import Hub
from ingest.errors import HubError
from portal.catalogue import counts_by_kind
from portal.html import md_escape, table_html
from portal.hub_cache import get_hub
from portal.labels import format_time
from portal.page import local_text, setup_page, show_index_problem
from portal.runs import FileProblem, RunSummary, latest_run, number_of, run_history

# Makes a text from the data folder or a report fit to show: server paths made relative.
Local = Callable[[str], str]


def show_fallback(hub: Hub, local: Local) -> None:
    """A warning, first on the page, when an earlier build is served because the live one is damaged."""
    # getattr: Hub gained fallback_reason later than this page; an older Hub simply has none.
    reason = getattr(hub, "fallback_reason", None)
    if isinstance(reason, str) and reason:
        st.warning(f"**Readers are being shown an earlier build.** {md_escape(local(reason))}")


def show_live(hub: Hub, local: Local) -> None:
    st.header("Live index", anchor=False)
    try:
        if not hub.has_index():
            st.info("No index has been published yet. Open Search to build the first one.")
            return
        build = hub.build()
        records = hub.documents()
    except HubError as exc:
        show_index_problem(exc, hub.settings)
        return
    manifest = build.manifest
    cols = st.columns(2)
    cols[0].metric("Documents", len(records))
    cols[1].metric("Passages", sum(r.chunk_count for r in records))
    built = format_time(manifest.created) or "unknown"
    model = manifest.model or "unknown"
    st.markdown(md_escape(local(f"Built {built} with the model {model}. Build id: {build.build_id}.")))
    rows = counts_by_kind(records)
    data = {
        "Kind": [r.kind for r in rows],
        "Documents": [r.documents for r in rows],
        "Passages": [r.passages for r in rows],
    }
    st.subheader("Documents and passages by kind", anchor=False)
    st.bar_chart(data, x="Kind", y=["Documents", "Passages"], stack=False, alt="Documents and passages for each kind")
    # The same figures as a table, for screen readers and for copying.
    st.html(
        table_html(
            "Documents and passages by kind",
            ("Kind", "Documents", "Passages"),
            ((r.kind, r.documents, r.passages) for r in rows),
        )
    )
    show_copies(manifest.copies())


def show_copies(copies: dict[str, str]) -> None:
    """Documents filed twice under different names: search shows one of each pair."""
    if not copies:
        return
    what = "1 document repeats" if len(copies) == 1 else f"{len(copies)} documents repeat"
    st.subheader(f"{what} the text of another", anchor=False)
    st.markdown("Search shows each text once. Remove the copy from the corpus folder unless both names are needed.")
    st.html(table_html("Documents that repeat another", ("Document", "Same text as"), copies.items()))


def show_last_run(run: RunSummary | None, local: Local) -> None:
    st.header("Last build run", anchor=False)
    if run is None:
        st.info("No build has run yet.")
        return
    if run.problem:
        st.warning(md_escape(local(run.problem)))
        return
    finished = format_time(run.finished) or "not finished"
    text = f"{run.outcome.capitalize() or 'Unknown outcome'}, finished {finished}"
    st.markdown(md_escape(local(f"{text}. {run.message}" if run.message else f"{text}.")))
    if not (run.failed or run.skipped or run.warnings or run.stale):
        st.success("Every file in the corpus was indexed, without warnings.")
        return
    if not run.failed:
        st.success("No file failed to be indexed.")
    show_failed(run.failed, local)
    show_kept(run, local)
    show_skipped(run.skipped, local)
    show_warnings(run.warnings, local)


def show_failed(failed: Sequence[FileProblem], local: Local) -> None:
    """Files the run could not index, why, what to do, and whether readers still find them."""
    if not failed:
        return
    st.subheader(f"{number_of(len(failed), 'file')} could not be indexed", anchor=False)
    kept = sum(f.kept for f in failed)
    if kept:
        st.markdown(
            f"For {kept} of them, the last version that could be read is still searchable: readers "
            "see that older text until the file is fixed."
        )
    rows = (
        (
            local(f.file),
            local(f.reason),
            local(f.hint),
            "Yes, its last good version" if f.kept else "No",
        )
        for f in failed
    )
    columns = ("File", "Reason", "What to do", "Still searchable")
    st.html(table_html("Files that could not be indexed", columns, rows))


def show_kept(run: RunSummary, local: Local) -> None:
    """Documents kept from an earlier build that are not among this run's failures (for instance
    because their folder could not be listed)."""
    failed = {f.file for f in run.failed}
    others = [doc_id for doc_id in run.stale if doc_id not in failed]
    if not others:
        return
    st.subheader(f"{number_of(len(others), 'document')} kept from an earlier build", anchor=False)
    st.markdown("This run could not read them again; their last good version is still searchable.")
    st.html(table_html("Documents kept from an earlier build", ("Document",), ((local(d),) for d in others)))


def show_skipped(skipped: Sequence[FileProblem], local: Local) -> None:
    """Files the run did not read at all: unsupported types, links out of the corpus and such."""
    if not skipped:
        return
    st.subheader(f"{number_of(len(skipped), 'file was', 'files were')} skipped", anchor=False)
    st.markdown("These files are not in the index. Each reason says why it was not read.")
    columns: tuple[str, ...] = ("File", "Reason")
    rows: list[tuple[str, ...]] = [(local(s.file), local(s.reason)) for s in skipped]
    if any(s.hint for s in skipped):
        columns += ("What to do",)
        rows = [(*row, local(s.hint)) for row, s in zip(rows, skipped, strict=True)]
    st.html(table_html("Files that were skipped", columns, rows))


def show_warnings(warnings: Sequence[tuple[str, tuple[str, ...]]], local: Local) -> None:
    """Documents indexed despite a problem, such as a metadata value that is not allowed."""
    if not warnings:
        return
    st.subheader(f"{number_of(len(warnings), 'document')} indexed with warnings", anchor=False)
    st.markdown("These documents are searchable, but part of what describes them was set aside.")
    rows = ((local(doc_id), local(text)) for doc_id, texts in warnings for text in texts)
    st.html(table_html("Documents indexed with warnings", ("Document", "Warning"), rows))


def show_history(runs: list[RunSummary], local: Local) -> None:
    st.header("Recent build runs", anchor=False)
    if not runs:
        st.info("No build runs are recorded.")
        return
    columns = ["Started", "Outcome", "Build", "Documents", "Passages", "Added", "Updated", "Removed"]
    columns += ["Failed", "Skipped"]
    rows = (
        (
            local(format_time(r.started)),
            local(r.outcome or r.problem),
            local(r.build_id),
            r.documents,
            r.chunks,
            r.added,
            r.updated,
            r.removed,
            len(r.failed),
            len(r.skipped),
        )
        for r in runs
    )
    st.html(table_html("Recent build runs", columns, rows))
    published = [r for r in runs if r.outcome == "published"]
    if published:
        last = published[0]
        st.markdown(md_escape(local(f"Latest build published {format_time(last.finished)} ({last.build_id}).")))


def main() -> None:
    setup_page("Index status")
    st.title("Index status", anchor=False)
    hub = get_hub()
    if hub is None:
        return

    settings = hub.settings

    def local(text: str) -> str:
        return local_text(text, settings)

    show_fallback(hub, local)
    show_live(hub, local)
    show_last_run(latest_run(hub.settings.reports_dir), local)
    show_history(run_history(hub.settings.reports_dir), local)


main()
