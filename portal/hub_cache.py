"""The Hub every session shares, with its model loading early in the background, and the live
index's documents for a page."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import streamlit as st

from index import DocumentRecord, Hub, IndexNotReady, Viewer
from ingest.embed import Embedder, RememberedQueries, load_embedder
from ingest.errors import HubError
from ingest.settings import Settings
from portal.analytics import recorder_for
from portal.page import SEARCH_PAGE, TOLD, log_error, show_index_error


@st.cache_resource(show_spinner=False)
def _hub(key: str, _settings: Settings) -> Hub:
    # One Hub per process and setting set: the model and the index load once and every session
    # shares them. The Hub itself reopens a newly published build, so this never needs clearing.
    return Hub(_settings, embedder_factory=_early_embedder(_settings), observer=recorder_for(_settings))


def _early_embedder(settings: Settings) -> Callable[[Settings], Embedder]:
    """An embedder factory whose model starts loading now, in the background.

    Importing and loading the model takes seconds. Started when the first page opens, it is
    usually ready by the time someone has typed a query. If that early load failed, the next
    search loads it again, so a passing problem is retried and a lasting one is shown."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hub-model")
    early = pool.submit(load_embedder, settings.model, settings.runtime, settings.data_dir / "models")
    pool.shutdown(wait=False)

    def factory(s: Settings) -> Embedder:
        try:
            return RememberedQueries(early.result())
        except HubError:
            return RememberedQueries(load_embedder(s.model, s.runtime, s.data_dir / "models"))

    return factory


def get_hub() -> Hub | None:
    """The shared Hub for the current settings, or None after showing why there is none."""
    try:
        settings = Settings.from_env()
    except HubError as exc:
        log_error("The hub's settings are invalid", exc)
        st.error(f"The hub is not configured correctly, so it cannot start. {TOLD}")
        return None
    return _hub(repr(settings), settings)


def load_documents(hub: Hub, viewer: Viewer) -> list[DocumentRecord] | None:
    """Every document in the live index that `viewer` may see, or None after telling the reader
    why not."""
    try:
        return hub.documents(viewer=viewer)
    except IndexNotReady:
        st.info("The hub has no index yet. Open the Search page to build it from the corpus.")
        st.page_link(SEARCH_PAGE, label="Go to Search to build the index")
    except HubError as exc:
        show_index_error(exc)
    return None
