"""The Authlib side of the test OpenID Connect provider (tests/oidc_provider.py): its records, the
authorization code grant with the OpenID Connect and PKCE extensions, the UserInfo and
RP-initiated logout endpoints, and the faults it can put into id_tokens on demand.

Authlib's server classes are framework-neutral; this module supplies what a framework
integration would (the request object, the response tuple) for a plain WSGI server."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Literal

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Request, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Payload, TokenMixin, grants
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode, UserInfo, UserInfoEndpoint
from authlib.oidc.core.models import AuthorizationCodeMixin
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import RSAKey

Misbehaviour = Literal["expired", "bad-signature", "wrong-issuer", "wrong-audience", "foreign-audience", "wrong-nonce"]
SCOPES = ("openid", "profile", "email")
ALGORITHM = "RS256"
TOKEN_SECONDS = 3600
CODE_SECONDS = 300
Response = tuple[int, bytes, list[tuple[str, str]]]


@dataclass(frozen=True)
class TestUser:
    """A person who can sign in. `groups=None` leaves the groups claim out of their tokens."""

    __test__ = False  # a record, not a test class, whatever pytest makes of the name

    sub: str
    name: str
    email: str
    groups: tuple[str, ...] | None = ()


@dataclass
class Client(ClientMixin):
    """The one confidential client the provider knows: the app under test."""

    client_id: str
    client_secret: str
    redirect_uris: set[str] = field(default_factory=set)

    @property
    def client_metadata(self) -> dict[str, Any]:
        # Streamlit sends its /oauth2callback as the post-logout redirect, so the same list serves.
        return {"post_logout_redirect_uris": sorted(self.redirect_uris)}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return None  # a request must name its redirect URI, and it must be registered

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass(frozen=True)
class Code(AuthorizationCodeMixin):
    code: str
    redirect_uri: str
    scope: str
    user: TestUser
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass(frozen=True)
class Token(TokenMixin):
    access_token: str
    client: Client
    user: TestUser
    scope: str
    expires_at: float

    def get_client(self) -> Client:
        return self.client

    def get_user(self) -> TestUser:
        return self.user

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return TOKEN_SECONDS

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return False


@dataclass
class State:
    """Everything the provider knows, shared by its request threads (mutations under `lock`)."""

    users: dict[str, TestUser]
    groups_claim: str
    client: Client
    issuer: str = ""
    misbehave: Misbehaviour | None = None
    kid: str = field(default_factory=lambda: generate_token(8))
    codes: dict[str, Code] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    nonces: set[str] = field(default_factory=set)
    token_auth_methods: list[str] = field(default_factory=list)
    signed_out: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The signing key, published at /jwks, and a key under the same id that is not the published one.
    # Made up front: request threads must never race to make them.
    key: RSAKey = field(init=False)
    rogue_key: RSAKey = field(init=False)

    def __post_init__(self) -> None:
        self.key = _new_key(self.kid)
        self.rogue_key = _new_key(self.kid)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    def claims_of(self, user: TestUser, scope: str) -> dict[str, Any]:
        """What the provider says about `user` in id_tokens and at /userinfo, for `scope`."""
        scopes = scope.split()
        claims: dict[str, Any] = {"sub": user.sub}
        if "profile" in scopes:
            claims["name"] = user.name
        if "email" in scopes:
            claims.update(email=user.email, email_verified=True)
        if user.groups is not None:  # like Entra ID's groups claim: sent whatever the scope
            claims[self.groups_claim] = list(user.groups)
        return claims


def _new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": ALGORITHM})


class Request(OAuth2Request):
    """A WSGI request as Authlib sees it: query and form parameters together, like Flask's `values`."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.path = environ.get("PATH_INFO", "/")
        query = environ.get("QUERY_STRING", "")
        uri = f"http://{environ.get('HTTP_HOST', '127.0.0.1')}{self.path}" + (f"?{query}" if query else "")
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        super().__init__(environ["REQUEST_METHOD"], uri, headers=headers)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8") if length else ""
        self.query = query
        self._args = _first_values(urllib.parse.parse_qs(query))
        self._form = _first_values(urllib.parse.parse_qs(body))
        values = urllib.parse.parse_qs(query)
        for key, more in urllib.parse.parse_qs(body).items():
            values.setdefault(key, []).extend(more)
        self.payload = _Payload(values)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _first_values(values: dict[str, list[str]]) -> dict[str, str]:
    return {key: found[0] for key, found in values.items()}


class _Payload(OAuth2Payload):
    def __init__(self, values: dict[str, list[str]]) -> None:
        self._values = values

    @property
    def data(self) -> dict[str, str]:
        return _first_values(self._values)

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._values


class Server(AuthorizationServer):
    """Authlib's authorization server, answering in (status, body, headers) tuples."""

    def __init__(self, state: State) -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.state = state
        self.register_token_generator("default", BearerTokenGenerator(lambda **_: generate_token(42)))
        self.register_grant(_CodeGrant, [_OpenIDCode(state), CodeChallenge(required=False)])
        self.register_endpoint(_EndSession(self))

    def query_client(self, client_id: str) -> Client | None:
        return self.state.client if client_id == self.state.client.client_id else None

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        expires_at = time.time() + TOKEN_SECONDS
        record = Token(token["access_token"], request.client, request.user, token.get("scope", ""), expires_at)
        with self.state.lock:
            self.state.tokens[record.access_token] = record
            self.state.token_auth_methods.append(request.auth_method)

    def create_oauth2_request(self, request: Request) -> Request:
        return request  # already built from the WSGI environ

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> Response:
        kept = [(k, v) for k, v in headers if k.lower() != "content-type"]
        if isinstance(body, dict):
            return status, json.dumps(body).encode("utf-8"), [*kept, ("Content-Type", "application/json")]
        return status, str(body).encode("utf-8"), [*kept, ("Content-Type", "text/plain; charset=utf-8")]

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


class _CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")

    def save_authorization_code(self, code: str, request: Request) -> None:
        data = request.payload.data
        record = Code(
            code=code,
            redirect_uri=data["redirect_uri"],
            scope=request.scope,
            user=request.user,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            auth_time=int(time.time()),
        )
        state: State = self.server.state
        with state.lock:
            state.codes[code] = record
            if record.nonce:
                state.nonces.add(record.nonce)

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found: Code | None = self.server.state.codes.get(code)
        if found is None or time.time() > found.auth_time + CODE_SECONDS:
            return None
        return found

    def delete_authorization_code(self, authorization_code: Code) -> None:
        with self.server.state.lock:
            self.server.state.codes.pop(authorization_code.code, None)  # a code works once

    def authenticate_user(self, authorization_code: Code) -> TestUser:
        return authorization_code.user


class _OpenIDCode(OpenIDCode):
    """Signs id_tokens with the provider's key, or spoils them as `state.misbehave` asks."""

    def __init__(self, state: State) -> None:
        super().__init__(require_nonce=True)
        self.state = state

    def exists_nonce(self, nonce: str, request: Request) -> bool:
        return nonce in self.state.nonces  # a nonce seen before is a replay

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.state.rogue_key if self.state.misbehave == "bad-signature" else self.state.key

    def get_client_algorithm(self, client: Client) -> str:
        return ALGORITHM

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": ALGORITHM, "kid": self.state.kid, "typ": "JWT"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.state.issuer,
            "aud": client.client_id,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
        }
        if self.state.misbehave == "expired":
            # Well past Authlib's default 120-second leeway.
            claims.update(iat=now - 2 * TOKEN_SECONDS, exp=now - TOKEN_SECONDS)
        elif self.state.misbehave == "wrong-issuer":
            claims["iss"] = "http://127.0.0.1:1"
        elif self.state.misbehave == "wrong-audience":
            claims["aud"] = "some-other-client"
        elif self.state.misbehave == "foreign-audience":
            # Issued to another client, but naming this one as the authorized party.
            claims.update(aud="some-other-client", azp=client.client_id)
        return claims

    def get_authorization_code_claims(self, authorization_code: Code) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
        if self.state.misbehave == "wrong-nonce":
            claims["nonce"] = generate_token(20)
        return claims

    def generate_user_info(self, user: TestUser, scope: str) -> UserInfo:
        return UserInfo(self.state.claims_of(user, scope))


class _EndSession(EndSessionEndpoint):
    def get_server_jwks(self) -> dict[str, Any]:
        return self.server.state.jwks()

    def end_session(self, end_session_request: Any) -> None:
        claims = end_session_request.id_token_claims or {}
        with self.server.state.lock:
            self.server.state.signed_out.append(claims.get("sub", ""))


def userinfo_endpoint(server: Server, request: Request) -> UserInfoEndpoint:
    """Authlib's UserInfo endpoint for one request. It reads the bearer token through a resource
    protector; this one is bound to `request` instead of a framework's request global."""
    state = server.state

    class _Validator(BearerTokenValidator):
        def authenticate_token(self, token_string: str) -> Token | None:
            return state.tokens.get(token_string)

    class _Protector(ResourceProtector):
        def acquire_token(self, scopes: str) -> Token:
            return self.validate_request([scopes], request)

    class _Endpoint(UserInfoEndpoint):
        def generate_user_info(self, user: TestUser, scope: str) -> UserInfo:
            return UserInfo(state.claims_of(user, scope))

        def get_issuer(self) -> str:
            return state.issuer

    protector = _Protector()
    protector.register_token_validator(_Validator())
    return _Endpoint(server, resource_protector=protector)
