"""Index status: the live build, what it holds, and what the recent build runs did.

This is the editors' page: it names the files that failed or were skipped and why. File names,
reasons and metadata values are outside text, so tables are escaped HTML (`table_html`), every
sentence goes through `md_escape`, and paths are shown relative to the data and corpus folders.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import streamlit as st

from index import FileNote, Hub, IndexStatus, RunReport, SavedReport, Viewer
from ingest.errors import HubError
from portal.catalogue import counts_by_kind
from portal.html import md_escape, table_html
from portal.hub_cache import get_hub
from portal.labels import format_time, number_of
from portal.page import for_editors, local_text, setup_page, show_index_problem

# Makes a text from the data folder or a report fit to show: server paths made relative.
Local = Callable[[str], str]


def show_fallback(status: IndexStatus, local: Local) -> None:
    """A warning, first on the page, when an earlier build is served because the live one is damaged."""
    if status.fallback:
        st.warning(f"**Readers are being shown an earlier build.** {md_escape(local(status.fallback))}")


def show_live(hub: Hub, viewer: Viewer, status: IndexStatus, local: Local) -> None:
    st.header("Live index", anchor=False)
    served = status.served
    if served is None:
        st.info("No index has been published yet. Open Search to build the first one.")
        return
    try:
        records = hub.documents(viewer=viewer)
    except HubError as exc:
        show_index_problem(exc, hub.settings)
        return
    cols = st.columns(2)
    cols[0].metric("Documents", served.documents)
    cols[1].metric("Passages", served.passages)
    built = format_time(served.created) or "unknown"
    model = served.model or "unknown"
    st.markdown(md_escape(local(f"Built {built} with the model {model}. Build id: {served.build_id}.")))
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
    show_copies(served.copies)


def show_copies(copies: dict[str, str]) -> None:
    """Documents filed twice under different names: search shows one of each pair."""
    if not copies:
        return
    what = "1 document repeats" if len(copies) == 1 else f"{len(copies)} documents repeat"
    st.subheader(f"{what} the text of another", anchor=False)
    st.markdown("Search shows each text once. Remove the copy from the corpus folder unless both names are needed.")
    st.html(table_html("Documents that repeat another", ("Document", "Same text as"), copies.items()))


def show_last_run(saved: SavedReport | None, local: Local) -> None:
    st.header("Last build run", anchor=False)
    if saved is None:
        st.info("No build has run yet.")
        return
    run = saved.report
    if run is None:
        st.warning(md_escape(local(saved.problem)))
        return
    finished = format_time(run.finished) or "not finished"
    text = f"{run.outcome.capitalize() or 'Unknown outcome'}, finished {finished}"
    st.markdown(md_escape(local(f"{text}. {run.message}" if run.message else f"{text}.")))
    if not (run.failed or run.skipped or run.warnings or run.stale or run.curation):
        st.success("Every file in the corpus was indexed, without warnings.")
        return
    if not run.failed:
        st.success("No file failed to be indexed.")
    show_failed(run.failed, local)
    show_kept(run, local)
    show_skipped(run.skipped, local)
    show_warnings(run.warnings, local)
    show_curation(run, local)


def show_curation(run: RunReport, local: Local) -> None:
    """Problems in the curation files (best bets, synonyms, agencies): each entry named by file
    and line was left out; the rest of its file applies."""
    if not run.curation:
        return
    st.subheader(f"{number_of(len(run.curation), 'problem')} in the curation files", anchor=False)
    st.markdown(
        "The entries named here were left out of the best bets, synonyms or agency list; everything "
        "else in those files applies. Fix them in the corpus folder's `_curation` files; the next "
        "build run applies the change."
    )
    rows = ((local(n.file), n.line or "", local(n.problem)) for n in run.curation)
    st.html(table_html("Problems in the curation files", ("File", "Line", "Problem"), rows))


def warning_row(doc_id: str, text: str) -> tuple[str, str, str, str]:
    """A warning as (document, file, field, problem): a metadata problem names its file, as
    'metadata (guidance/x.pdf.meta.yaml): kind: ...'; any other warning is about the document."""
    match = re.match(r"metadata \((.+?)\): ([\w.-]+): (.*)", text, re.DOTALL)
    if match is None:
        return doc_id, doc_id, "", text
    return doc_id, match.group(1), match.group(2), match.group(3)


def show_failed(failed: Sequence[FileNote], local: Local) -> None:
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


def show_kept(run: RunReport, local: Local) -> None:
    """Documents kept from an earlier build that are not among this run's failures (for instance
    because their folder could not be listed)."""
    failed = {f.file for f in run.failed}
    others = [doc_id for doc_id in run.stale if doc_id not in failed]
    if not others:
        return
    st.subheader(f"{number_of(len(others), 'document')} kept from an earlier build", anchor=False)
    st.markdown("This run could not read them again; their last good version is still searchable.")
    st.html(table_html("Documents kept from an earlier build", ("Document",), ((local(d),) for d in others)))


def show_skipped(skipped: Sequence[FileNote], local: Local) -> None:
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


def show_warnings(warnings: dict[str, list[str]], local: Local) -> None:
    """Documents indexed despite a problem, such as a metadata value that is not allowed."""
    if not warnings:
        return
    st.subheader(f"{number_of(len(warnings), 'document')} indexed with warnings", anchor=False)
    st.markdown(
        "These documents are searchable, but part of what describes them was set aside or is not "
        "as the hub expects: an invalid or unknown metadata value (kind, date, status, agency, "
        "audience, tool classification), or text that could not be read in full. Each is listed "
        "every run until it is fixed in the file named."
    )
    rows = (tuple(map(local, warning_row(doc_id, text))) for doc_id, texts in warnings.items() for text in texts)
    columns = ("Document", "File", "Field", "Problem")
    st.html(table_html("Documents indexed with warnings", columns, rows))


def show_history(runs: Sequence[SavedReport], local: Local) -> None:
    st.header("Recent build runs", anchor=False)
    if not runs:
        st.info("No build runs are recorded.")
        return
    columns = ["Started", "Outcome", "Build", "Documents", "Passages", "Added", "Updated", "Removed"]
    columns += ["Failed", "Skipped"]
    st.html(table_html("Recent build runs", columns, (history_row(saved, local) for saved in runs)))
    published = [s.report for s in runs if s.report is not None and s.report.outcome == "published"]
    if published:
        last = published[0]
        st.markdown(md_escape(local(f"Latest build published {format_time(last.finished)} ({last.build_id}).")))


def history_row(saved: SavedReport, local: Local) -> tuple[str | int, ...]:
    """One run as a row of the history table; an unreadable report shows why in the outcome."""
    r = saved.report
    if r is None:
        return ("", local(saved.problem), "", 0, 0, 0, 0, 0, 0, 0)
    counts = (r.documents, r.chunks, len(r.added), len(r.updated), len(r.removed), len(r.failed), len(r.skipped))
    return (local(format_time(r.started)), local(r.outcome), local(r.build_id), *counts)


def main() -> None:
    viewer = setup_page("Index status")
    st.title("Index status", anchor=False)
    # The page names every document, restricted ones and failed files included.
    if not for_editors(viewer):
        return
    hub = get_hub()
    if hub is None:
        return

    settings = hub.settings

    def local(text: str) -> str:
        return local_text(text, settings)

    try:
        status = hub.status(viewer=viewer)
    except HubError as exc:  # published, but no build can be read: the runs say why
        st.header("Live index", anchor=False)
        show_index_problem(exc, settings)
        show_last_run(hub.last_run(), local)
        show_history(hub.runs(), local)
        return
    show_fallback(status, local)
    show_live(hub, viewer, status, local)
    show_last_run(status.latest, local)
    show_history(status.runs, local)


main()
