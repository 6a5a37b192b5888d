"""A small but real OpenID Connect provider for tests, served on 127.0.0.1 at a free port.

Built on Authlib's server side (tests/oidc_authlib.py: the authorization code grant with the
OpenID Connect and PKCE extensions, UserInfo, RP-initiated logout) with an RSA key made at start
and published at /jwks, behind a plain threaded WSGI server. A browser signs in through the same
redirects, token exchange and id_token checks a real identity provider puts it through:

    users = [TestUser("ann", "Ann Example", "ann@example.test", groups=("group-a",))]
    with OidcProvider(users) as provider:
        toml = provider.secrets_toml("http://127.0.0.1:8501/oauth2callback", cookie_secret)
        provider.misbehave = "expired"  # every id_token from now on is already expired

The login page at /authorize lists the users as buttons ("Sign in as Ann Example") and has a
"Cancel" button that answers the client with access_denied. Nothing reaches the network.
"""

from __future__ import annotations

import html
import json
import secrets
import socketserver
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from authlib.oauth2.rfc6749 import OAuth2Error
from authlib.oidc.discovery import OpenIDProviderMetadata

from tests.oidc_authlib import (
    ALGORITHM,
    SCOPES,
    Client,
    Misbehaviour,
    Request,
    Response,
    Server,
    State,
    TestUser,
    userinfo_endpoint,
)

__all__ = ["Misbehaviour", "OidcProvider", "TestUser"]


class OidcProvider:
    """An OpenID Connect provider on 127.0.0.1, serving from `with` (or `start()`) until `stop()`.

    Set `misbehave` to spoil every id_token issued from then on, until it is set back to None:
    "expired" (expired an hour ago), "bad-signature" (signed with a key that is not in /jwks,
    under the published key's id), "wrong-issuer" (another issuer's `iss`), "wrong-audience"
    (issued to another client), "foreign-audience" (issued to another client, with this one as
    `azp`) or "wrong-nonce" (carrying a nonce the client never sent). A user with `groups=None`
    simply has no groups claim.
    """

    def __init__(
        self,
        users: Sequence[TestUser],
        *,
        groups_claim: str = "groups",
        client_id: str = "hub-test-client",
        redirect_uris: Iterable[str] = (),
    ) -> None:
        if len({user.sub for user in users}) != len(users):
            raise ValueError("every test user needs a different sub")
        self.client_id = client_id
        self.client_secret = secrets.token_urlsafe(24)
        client = Client(client_id, self.client_secret, set(redirect_uris))
        self.state = State(users={user.sub: user for user in users}, groups_claim=groups_claim, client=client)
        self.server = Server(self.state)
        self._httpd: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def misbehave(self) -> Misbehaviour | None:
        return self.state.misbehave

    @misbehave.setter
    def misbehave(self, fault: Misbehaviour | None) -> None:
        self.state.misbehave = fault

    @property
    def token_auth_methods(self) -> list[str]:
        """How the client authenticated at /token, one entry per token issued."""
        return list(self.state.token_auth_methods)

    @property
    def signed_out(self) -> list[str]:
        """The sub of each user signed out through the end-session endpoint ("" when unknown)."""
        return list(self.state.signed_out)

    def start(self) -> OidcProvider:
        """Serve on a free 127.0.0.1 port in a background thread; returns self."""
        self._httpd = make_server("127.0.0.1", 0, self._wsgi, server_class=_ThreadingServer, handler_class=_Quiet)
        self.state.issuer = f"http://127.0.0.1:{self._httpd.server_port}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="oidc-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def issuer(self) -> str:
        """The issuer, `http://127.0.0.1:PORT`; raises RuntimeError before `start()`."""
        if not self.state.issuer:
            raise RuntimeError("the provider is not started")
        return self.state.issuer

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def register_redirect_uri(self, redirect_uri: str) -> None:
        """Accept `redirect_uri` for sign-in and after sign-out (exact match, as real providers do)."""
        with self.state.lock:
            self.state.client.redirect_uris.add(redirect_uri)

    def secrets_toml(self, redirect_uri: str, cookie_secret: str, *, token_auth_method: str | None = None) -> str:
        """The `[auth]` section of a Streamlit `secrets.toml` for this provider; registers
        `redirect_uri`. `token_auth_method="client_secret_post"` replaces Authlib's default,
        client_secret_basic, at the token endpoint."""
        self.register_redirect_uri(redirect_uri)
        values = {
            "redirect_uri": redirect_uri,
            "cookie_secret": cookie_secret,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "server_metadata_url": self.metadata_url,
        }
        lines = ["[auth]"] + [f"{key} = {json.dumps(value)}" for key, value in values.items()]
        if token_auth_method is not None:
            lines += ["", "[auth.client_kwargs]", f"token_endpoint_auth_method = {json.dumps(token_auth_method)}"]
        return "\n".join(lines) + "\n"

    def discovery(self) -> dict[str, Any]:
        """The discovery document, checked by Authlib against OpenID Connect Discovery 1.0."""
        issuer = self.issuer
        metadata = OpenIDProviderMetadata(
            issuer=issuer,
            authorization_endpoint=f"{issuer}/authorize",
            token_endpoint=f"{issuer}/token",
            userinfo_endpoint=f"{issuer}/userinfo",
            jwks_uri=f"{issuer}/jwks",
            end_session_endpoint=f"{issuer}/logout",
            scopes_supported=list(SCOPES),
            response_types_supported=["code"],
            grant_types_supported=["authorization_code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=[ALGORITHM],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
            code_challenge_methods_supported=["S256"],
            claims_supported=["sub", "iss", "aud", "exp", "iat", "nonce", "name", "email", self.state.groups_claim],
        )
        metadata.validate()
        return dict(metadata)

    # -- the HTTP side -------------------------------------------------------------------------------

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        request = Request(environ)
        try:
            status, body, headers = self._route(request)
        except OAuth2Error as error:
            status, body, headers = self.server.handle_error_response(request, error)
        start_response(f"{status} {_REASONS.get(status, 'Error')}", [*headers, ("Cache-Control", "no-store")])
        return [body]

    def _route(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path == "/.well-known/openid-configuration":
            return _json(self.discovery())
        if path == "/jwks":
            return _json(self.state.jwks())
        if path == "/authorize" and method == "GET":
            return self._login_page(request)
        if path == "/authorize" and method == "POST":
            return self._decide(request)
        if path == "/token" and method == "POST":
            response: Response = self.server.create_token_response(request)
            return response
        if path == "/userinfo":
            return self.server.handle_response(*userinfo_endpoint(self.server, request)(request))
        if path == "/logout":
            ended: Response | None = self.server.create_endpoint_response("end_session", request)
            return ended or _page(200, "You are signed out", "<p>You can close this window.</p>")
        return _page(404, "Not found", "<p>This provider has no such page.</p>")

    def _login_page(self, request: Request) -> Response:
        """The sign-in page: a button for each user, and Cancel. Invalid requests (unknown client,
        unregistered redirect URI) get Authlib's error instead, never a redirect."""
        self.server.get_consent_grant(request, end_user=None)
        action = html.escape(f"/authorize?{request.query}", quote=True)
        buttons = "".join(
            f'<p><button type="submit" name="user" value="{html.escape(sub, quote=True)}">'
            f"Sign in as {html.escape(user.name)}</button></p>"
            for sub, user in self.state.users.items()
        )
        cancel = '<p><button type="submit" name="user" value="">Cancel</button></p>'
        form = f'<form method="post" action="{action}">{buttons}{cancel}</form>'
        return _page(200, "Test identity provider: choose who signs in", form)

    def _decide(self, request: Request) -> Response:
        """The user's choice: a code for the chosen user, or access_denied for Cancel."""
        user = self.state.users.get(request.form.get("user", ""))
        grant = self.server.get_consent_grant(request, end_user=user)
        response: Response = self.server.create_authorization_response(request, grant_user=user, grant=grant)
        return response


_REASONS = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}


def _json(document: dict[str, Any]) -> Response:
    return 200, json.dumps(document).encode("utf-8"), [("Content-Type", "application/json")]


def _page(status: int, title: str, body: str) -> Response:
    """A small HTML page; `body` is already escaped."""
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return status, text.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")]


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    """A thread a request, so the browser, the app's token exchange and its key fetch never queue."""

    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test's output is for the test, not for a line a request
