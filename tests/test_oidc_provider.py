"""The test OpenID Connect provider (tests/oidc_provider.py) on its own, over HTTP, without a browser.

Its id_tokens are checked the way Streamlit's sign-in checks them (Authlib's client: the key from
/jwks, RS256 only, the issuer from discovery, the nonce, 120 seconds of leeway), so the faults
the browser tests rely on are known to be the faults they claim to be."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from tests.oidc_provider import Misbehaviour, OidcProvider, TestUser

REDIRECT = "http://127.0.0.1:8599/oauth2callback"
ANN = TestUser("ann", "Ann Example", "ann@example.test", groups=("group-a", "group-b"))
NOGROUPS = TestUser("cat", "Cat Example", "cat@example.test", groups=None)


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider([ANN, NOGROUPS], groups_claim="roles", redirect_uris=[REDIRECT]) as started:
        yield started


def sign_in(provider: OidcProvider, sub: str, method: str = "client_secret_basic") -> dict[str, Any]:
    """The authorization code flow with PKCE, as Streamlit runs it; returns the token response
    with the nonce that was sent."""
    client = OAuth2Client(
        provider.client_id,
        provider.client_secret,
        scope="openid email profile",
        redirect_uri=REDIRECT,
        token_endpoint_auth_method=method,
        code_challenge_method="S256",
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, _ = client.create_authorization_url(
        f"{provider.issuer}/authorize", nonce=nonce, code_verifier=verifier, prompt="select_account"
    )
    login = httpx.get(url)
    assert login.status_code == 200 and "Sign in as Ann Example" in login.text
    action = html.unescape(re.search(r'action="([^"]+)"', login.text).group(1))  # type: ignore[union-attr]
    back = httpx.post(provider.issuer + action, data={"user": sub})
    assert back.status_code == 302 and back.headers["location"].startswith(REDIRECT + "?code=")
    token = dict(
        client.fetch_token(
            f"{provider.issuer}/token", authorization_response=back.headers["location"], code_verifier=verifier
        )
    )
    return {**token, "nonce": nonce}


def checked_claims(provider: OidcProvider, token: dict[str, Any]) -> dict[str, Any]:
    """The id_token's claims after the checks Authlib's client makes; raises JoseError if one fails."""
    keys = KeySet.import_key_set(httpx.get(f"{provider.issuer}/jwks").json())
    decoded = jwt.decode(token["id_token"], keys, registry=JWSRegistry(algorithms=["RS256"], strict_check_header=False))
    options = {"iss": {"values": [provider.issuer]}}
    params = {"nonce": token["nonce"], "client_id": provider.client_id, "access_token": token["access_token"]}
    claims = CodeIDToken(decoded.claims, decoded.header, options, params)
    claims.validate(leeway=120)
    return dict(claims)


def test_discovery_names_every_endpoint_on_this_issuer(provider: OidcProvider) -> None:
    document = httpx.get(provider.metadata_url).json()
    assert document["issuer"] == provider.issuer
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        assert document[name].startswith(provider.issuer + "/")
    assert document["code_challenge_methods_supported"] == ["S256"]


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post"])
def test_a_valid_id_token_carries_the_user_and_their_groups(provider: OidcProvider, method: str) -> None:
    token = sign_in(provider, "ann", method)
    claims = checked_claims(provider, token)
    assert (claims["sub"], claims["name"], claims["email"]) == ("ann", "Ann Example", "ann@example.test")
    assert claims["roles"] == ["group-a", "group-b"]  # the configured claim name, as a list
    assert provider.token_auth_methods[-1] == method
    userinfo = httpx.get(f"{provider.issuer}/userinfo", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert userinfo.json() == {
        "sub": "ann",
        "name": "Ann Example",
        "email": "ann@example.test",
        "email_verified": True,
        "roles": ["group-a", "group-b"],
    }


def test_a_user_without_groups_has_no_groups_claim(provider: OidcProvider) -> None:
    assert "roles" not in checked_claims(provider, sign_in(provider, "cat"))


@pytest.mark.parametrize(
    ("fault", "complaint"),
    [
        ("expired", "expired"),
        ("bad-signature", "signature"),
        ("wrong-issuer", "iss"),
        ("wrong-audience", "azp"),
        ("wrong-nonce", "nonce"),
    ],
)
def test_each_fault_fails_the_clients_checks(provider: OidcProvider, fault: Misbehaviour, complaint: str) -> None:
    provider.misbehave = fault
    try:
        token = sign_in(provider, "ann")
    finally:
        provider.misbehave = None
    with pytest.raises(JoseError, match=complaint):
        checked_claims(provider, token)
    checked_claims(provider, sign_in(provider, "ann"))  # and the next token is sound again


def test_foreign_audience_passes_authlibs_client_checks(provider: OidcProvider) -> None:
    """Recorded, not endorsed: Authlib 1.9.10's client never compares `aud` with its client id,
    only requires `azp` to be it when `aud` is someone else. If this starts failing, Authlib
    checks the audience now, and the xfail in tests/test_oidc_sign_in.py will flip too."""
    provider.misbehave = "foreign-audience"
    try:
        token = sign_in(provider, "ann")
    finally:
        provider.misbehave = None
    assert checked_claims(provider, token)["aud"] == "some-other-client"


def test_a_code_works_once_and_only_with_the_right_secret(provider: OidcProvider) -> None:
    client = OAuth2Client(provider.client_id, provider.client_secret, scope="openid", redirect_uri=REDIRECT)
    url, _ = client.create_authorization_url(f"{provider.issuer}/authorize", nonce=secrets.token_urlsafe(8))
    action = html.unescape(re.search(r'action="([^"]+)"', httpx.get(url).text).group(1))  # type: ignore[union-attr]
    code = parse_qs(urlsplit(httpx.post(provider.issuer + action, data={"user": "ann"}).headers["location"]).query)
    form = {"grant_type": "authorization_code", "code": code["code"][0], "redirect_uri": REDIRECT}
    wrong = httpx.post(f"{provider.issuer}/token", data=form, auth=(provider.client_id, "not-the-secret"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    right = httpx.post(f"{provider.issuer}/token", data=form, auth=(provider.client_id, provider.client_secret))
    assert right.status_code == 200 and "id_token" in right.json()
    again = httpx.post(f"{provider.issuer}/token", data=form, auth=(provider.client_id, provider.client_secret))
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_cancel_and_unregistered_redirects(provider: OidcProvider) -> None:
    client = OAuth2Client(provider.client_id, provider.client_secret, scope="openid", redirect_uri=REDIRECT)
    url, state = client.create_authorization_url(f"{provider.issuer}/authorize", nonce="n-cancel")
    action = html.unescape(re.search(r'action="([^"]+)"', httpx.get(url).text).group(1))  # type: ignore[union-attr]
    cancelled = parse_qs(urlsplit(httpx.post(provider.issuer + action, data={"user": ""}).headers["location"]).query)
    assert cancelled["error"] == ["access_denied"] and cancelled["state"] == [state]
    # A redirect URI nobody registered gets an error page, never a redirect carrying a code.
    elsewhere = OAuth2Client(provider.client_id, scope="openid", redirect_uri="http://127.0.0.1:1/oauth2callback")
    url, _ = elsewhere.create_authorization_url(f"{provider.issuer}/authorize", nonce="n-elsewhere")
    refused = httpx.get(url)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_request"


def test_sign_out_with_the_id_token_returns_to_the_app(provider: OidcProvider) -> None:
    token = sign_in(provider, "ann")
    params = {"client_id": provider.client_id, "post_logout_redirect_uri": REDIRECT, "id_token_hint": token["id_token"]}
    response = httpx.get(f"{provider.issuer}/logout", params=params)
    assert response.status_code == 302 and response.headers["location"] == REDIRECT
    assert provider.signed_out[-1] == "ann"
