"""Widgets whose values live in the URL, so a view can be shared as a link and survives a reload.

The URL's values must be checked (see `portal.urls`) before they reach a widget."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from portal.urls import UrlState


def query_value(name: str) -> str | None:
    """The last value of a URL parameter (people edit URLs; repeated keys are not an error)."""
    values = st.query_params.get_all(name)
    return values[-1] if values else None


def query_values(name: str) -> list[str]:
    return list(st.query_params.get_all(name))


def sync_widgets(prefix: str, url_state: UrlState) -> None:
    """Set the widgets named `<prefix>_<name>` from the URL's (already validated) values.

    All of them when the URL changed under us (a first visit, a shared link, back or forward);
    otherwise only those Streamlit has forgotten (it drops the state of widgets a run did not
    draw, such as filters hidden while the query is empty, or a whole page that was left). The
    rest keep what the reader just chose, which `publish_state` then writes to the URL."""
    marker = f"{prefix}__url"
    changed = st.session_state.get(marker) != url_state
    for name, value in url_state.items():
        key = f"{prefix}_{name}"
        if changed or key not in st.session_state:
            st.session_state[key] = list(value) if isinstance(value, list) else value
    st.session_state[marker] = url_state


def widget_values(prefix: str, names: Iterable[str]) -> UrlState:
    return {name: st.session_state.get(f"{prefix}_{name}", "") for name in names}


def publish_state(prefix: str, state: UrlState, defaults: UrlState | None = None) -> None:
    """Put the widgets' values in the URL so the view can be shared; empty values and those equal
    to their default are left out to keep links short."""
    defaults = defaults or {}
    params = {k: v for k, v in state.items() if v and v != defaults.get(k)}
    wanted = {k: [v] if isinstance(v, str) else list(v) for k, v in params.items()}
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(params)
    st.session_state[f"{prefix}__url"] = state
