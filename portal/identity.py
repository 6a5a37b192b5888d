"""Who is reading: Streamlit's OpenID Connect sign-in (`st.login`, `st.user`, `st.logout`) turned
into the `Viewer` every hub call is made for, and the sidebar's sign-in box.

Sign-in is configured by an `[auth]` section in `.streamlit/secrets.toml` (README, "Sign-in").
Without one, everyone reads the documents open to everyone, unless the operators enabled a
local single-user setup (HUB_LOCAL_EDITOR=1), where whoever opens the hub is an editor.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import streamlit as st

from index import Viewer, viewer_of
from ingest.settings import Access
from portal.html import md_escape

LOG = logging.getLogger("hub.portal")
# Group claims with more entries than this are cut short; identity providers send a few dozen
# at most (Entra ID sends none past 200 and points to an API instead).
MAX_GROUPS = 500


def sign_in_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an `[auth]` section, so `st.login` can work."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or one that does not parse: no sign-in either way
        return False


def current_viewer(access: Access) -> Viewer:
    """The viewer the person reading this page is (see the module's docstring)."""
    if not sign_in_configured():
        return Viewer.operator() if access.local_editor else Viewer.anonymous()
    if not st.user.get("is_logged_in", False):
        return Viewer.anonymous()
    info = st.user.to_dict()
    if not meant_for_us(info, _client_id()):
        LOG.warning("A sign-in was refused: its ID token was issued to %r, not to this hub", info.get("aud"))
        return Viewer.anonymous()
    return viewer_of(
        access, claimed_groups(info, access.groups_claim), _text(info.get("email")), _text(info.get("name"))
    )


def meant_for_us(info: Mapping[str, Any], client_id: str) -> bool:
    """Whether the ID token behind a sign-in names this hub (`client_id`) as its audience.

    Streamlit's sign-in accepts a token issued to another application of the same provider as
    long as it names this one as its authorised party; the hub refuses it, as OpenID Connect
    says a client must. Without a configured client id there is nothing to compare."""
    audience = info.get("aud")
    if not client_id or audience is None:
        return True
    return client_id in (audience if isinstance(audience, list) else [audience])


def _client_id() -> str:
    try:
        return str(st.secrets["auth"].get("client_id", ""))
    except Exception:  # no [auth] section: no sign-in to check
        return ""


def claimed_groups(info: Mapping[str, Any], claim: str) -> tuple[str, ...]:
    """The groups in the `claim` of a signed-in person's ID token: a list of names, or one name
    (some providers send a single role as text). Anything else counts as no groups, logged."""
    value = info.get(claim)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool) for v in value):
        return tuple(str(v) for v in value[:MAX_GROUPS])
    LOG.warning(
        "The ID token's %r claim is not a list of group names (%s); no groups used", claim, type(value).__name__
    )
    return ()


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def show_identity(viewer: Viewer, access: Access) -> None:
    """The sidebar's sign-in box: who is signed in and a way out, or a way in, or why there is
    none. Says so when a signed-in person's token named no groups."""
    if not sign_in_configured():
        if viewer.editor:
            st.caption("Sign-in is not configured. This is a local setup: you see every document, as an editor.")
        else:
            st.caption("Sign-in is not configured, so you see the documents open to everyone.")
        return
    if not viewer.signed_in and st.user.get("is_logged_in", False):
        st.caption(
            "Your sign-in was not accepted (it was issued for another application), so you see the "
            "documents open to everyone. Sign out, then sign in again."
        )
        st.button("Sign out", key="hub_sign_out", on_click=st.logout)
        return
    if not viewer.signed_in:
        st.caption(
            "You see the documents open to everyone. Sign in to see those shared with your groups. "
            "If you signed in and still see this, the sign-in was not accepted (the hub's operators "
            "can see why in the server log)."
        )
        st.button("Sign in", key="hub_sign_in", on_click=st.login)
        return
    role = "editor" if viewer.editor else "reader"
    st.caption(f"Signed in as {md_escape(viewer.name or 'a user with no name')} ({role}).")
    if not viewer.groups and not viewer.editor:
        st.caption(
            f"Your sign-in did not say which groups you are in (claim '{md_escape(access.groups_claim)}'), "
            "so you see the documents open to everyone."
        )
    st.button("Sign out", key="hub_sign_out", on_click=st.logout)
