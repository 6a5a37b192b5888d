"""The server settings a deployment relies on (.streamlit/config.toml, README "Deploying behind a
reverse proxy"): a change that opened the hub to other machines or other sites fails here."""

from __future__ import annotations

import tomllib

from tests.conftest import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"


def test_the_server_listens_on_this_machine_only_with_xsrf_and_cross_origin_protection() -> None:
    server = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["server"]
    assert server["address"] == "127.0.0.1"
    assert server["enableXsrfProtection"] is True
    # Streamlit's enableCORS = true is its cross-origin protection; no other site is let in.
    assert server["enableCORS"] is True and server.get("corsAllowedOrigins", []) == []
    assert "cookieSecret" not in server  # from STREAMLIT_SERVER_COOKIE_SECRET, never the repository


def test_sign_in_secrets_are_never_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/.streamlit/secrets.toml" in ignored
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8"))
    assert set(example["auth"]) >= {
        "redirect_uri",
        "cookie_secret",
        "client_id",
        "client_secret",
        "server_metadata_url",
    }
