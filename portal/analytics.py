"""The search analytics as pages use them: the process's one `Recorder` (shared by every session,
and the Hub's observer), each session's searches and opened documents recorded once however often
the page is redrawn, and the reader's "Was this helpful?" question.

Nothing here knows who is reading: a session only remembers what it last recorded, so that
pressing "Show more" or a widget that redraws the page does not count the same search twice."""

from __future__ import annotations

import streamlit as st

from index import COMMENT_CHARS, Recorder, open_recorder
from ingest.errors import HubError
from ingest.settings import Settings

_LAST = "analytics_last"  # session: {what: the last one of it recorded}
_SENT = "analytics_feedback_sent"  # session: documents this session gave feedback on


@st.cache_resource(show_spinner=False)
def _recorder(key: str, _settings: Settings) -> Recorder | None:
    # One recorder per process and setting set, like the Hub: one writer thread for all sessions.
    return open_recorder(_settings)


def recorder_for(settings: Settings) -> Recorder | None:
    """The shared recorder for `settings`; None when analytics are off."""
    return _recorder(repr(settings), settings)


def get_recorder() -> Recorder | None:
    """The shared recorder for the current settings; None when analytics are off or the settings
    cannot be read (the page itself then says the hub is not configured correctly)."""
    try:
        return recorder_for(Settings.from_env())
    except HubError:
        return None


def first_time(what: str, key: object) -> bool:
    """True unless `key` is what this session last recorded as `what` ("search", "open"); then
    remembers it. A redraw of the same page is not a new search or a new visit."""
    last: dict[str, object] = st.session_state.setdefault(_LAST, {})
    if last.get(what) == key:
        return False
    last[what] = key
    return True


def record_open(doc_id: str, rank: int | None, query: str) -> None:
    """Record that the reader opened `doc_id` (from the result at `rank`, when given)."""
    recorder = get_recorder()
    if recorder is not None and first_time("open", (doc_id, rank, query)):
        recorder.opened(doc_id, rank, query)


def ask_helpful(doc_id: str, query: str) -> None:
    """ "Was this helpful?": yes or no and an optional comment, then a thank-you. Not asked when
    analytics are off, since the answer would not be kept."""
    recorder = get_recorder()
    if recorder is None:
        return
    sent: set[str] = st.session_state.setdefault(_SENT, set())
    if doc_id in sent:
        st.success("Thank you for your feedback.")
        return
    # Keyed by document, so an answer begun on one document is not carried to the next.
    with st.form(f"helpful:{doc_id}"):
        answer = st.radio(
            "Was this helpful?", ("Yes", "No"), index=None, horizontal=True, key=f"helpful:{doc_id}:answer"
        )
        comment = st.text_area(
            "Anything to add? (optional)",
            key=f"helpful:{doc_id}:comment",
            max_chars=COMMENT_CHARS,
            placeholder="What were you looking for? Please leave out names and contact details.",
        )
        pressed = st.form_submit_button("Send feedback")
    if not pressed:
        return
    if answer is None:
        st.warning("Choose Yes or No, then send.")
        return
    recorder.feedback(doc_id, answer == "Yes", comment.strip(), query)
    sent.add(doc_id)
    st.rerun()
