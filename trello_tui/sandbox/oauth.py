"""OAuth 1.0a and token grants for the sandbox: signatures, scopes, expiry, the three legs.

Trello accepts three ways in: ``key`` and ``token`` as parameters, the unsigned header
``Authorization: OAuth oauth_consumer_key="…", oauth_token="…"``, and a fully signed OAuth
1.0a header (HMAC-SHA1 with the app secret and the access token's secret). A request that
carries an ``oauth_signature`` is verified here before anything else; a wrong signature is
refused with 401 ``invalid signature``, an unknown token with 401 ``invalid token``.

Each token remembers the ``scope`` and expiry the user approved. ``check_grant`` answers as
Trello does: an expired token is 401 ``invalid token`` everywhere, and a write the token's
scope does not cover is 401 ``unauthorized permission requested``.

The state of the three-legged flow (request tokens waiting for approval) lives beside the
world, so a reset forgets it. oauthlib computes the signature base strings and HMACs.
"""

from __future__ import annotations

import hmac
import secrets
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Final, cast

from trello_tui.sandbox.errors import ApiError, unauthorized
from trello_tui.sandbox.world import Member, Token, World, iso

SCOPES: Final = ("read", "write", "account")
EXPIRATIONS: Final[dict[str, float | None]] = {
    "1hour": 3600.0,
    "1day": 86400.0,
    "30days": 30 * 86400.0,
    "never": None,
}
#: how far a signed request's timestamp may be from our clock
TIMESTAMP_SLACK_S: Final = 900.0
_NONCES_KEPT: Final = 10_000


@dataclass(slots=True)
class RequestToken:
    """A temporary credential between OAuthGetRequestToken and OAuthGetAccessToken."""

    token: str
    secret: str = field(repr=False)
    callback: str
    created: float
    name: str = ""
    scope: str = "read"
    expiration: str = "30days"
    verifier: str | None = field(default=None, repr=False)
    member_id: str | None = None


@dataclass(slots=True)
class OAuthState:
    pending: dict[str, RequestToken] = field(default_factory=dict)
    nonces: OrderedDict[tuple[str, str, str], None] = field(default_factory=OrderedDict)

    def fresh_nonce(self, key: str, nonce: str, timestamp: str) -> bool:
        """False when this nonce was already used with this key and timestamp (a replay)."""
        seen = (key, nonce, timestamp)
        if seen in self.nonces:
            return False
        self.nonces[seen] = None
        while len(self.nonces) > _NONCES_KEPT:
            self.nonces.popitem(last=False)
        return True


_STATES: weakref.WeakKeyDictionary[World, OAuthState] = weakref.WeakKeyDictionary()


def state_of(world: World) -> OAuthState:
    state = _STATES.get(world)
    if state is None:
        state = _STATES[world] = OAuthState()
    return state


# -- scopes and expiry ---------------------------------------------------------------------


def normalise_scope(scope: str) -> str:
    """``"write, read"`` → ``"read,write"``; raises :class:`ApiError` for unknown names."""
    names = {s.strip() for s in scope.split(",") if s.strip()}
    if not names or not names <= set(SCOPES):
        raise ApiError(400, "invalid scope")
    return ",".join(s for s in SCOPES if s in names)


def expires_at(expiration: str, now: float | None = None) -> str | None:
    """The ISO ``dateExpires`` for an ``expiration`` such as ``1day`` (None: never)."""
    if expiration not in EXPIRATIONS:
        raise ApiError(400, "invalid expiration")
    seconds = EXPIRATIONS[expiration]
    return None if seconds is None else iso((time.time() if now is None else now) + seconds)


def issue_token(
    world: World,
    member: Member,
    *,
    scope: str = "read,write,account",
    expiration: str = "never",
    identifier: str = "trello-tui",
    secret: str | None = None,
) -> Token:
    """A new token for ``member`` with the given grant (tests use this to make any token)."""
    tok = world.add_token(member, identifier)
    tok.scope = normalise_scope(scope)
    tok.date_expires = expires_at(expiration)
    tok.secret = secret
    world.touch()
    return tok


def expired(tok: Token, now: float | None = None) -> bool:
    if not tok.date_expires:
        return False
    when = datetime.fromisoformat(tok.date_expires.replace("Z", "+00:00")).timestamp()
    return when <= (time.time() if now is None else now)


def needed_scope(method: str, path: str) -> str:
    """The scope a request needs: reads need ``read``; a token may always manage itself and
    its webhooks; member (account) changes need ``account``; every other write ``write``."""
    if method == "GET" or path.startswith(("/tokens/", "/webhooks")):
        return "read"
    if path.startswith("/members/"):
        return "account"
    return "write"


def check_grant(world: World, method: str, path: str, token: str) -> None:
    """Refuse, as Trello does, what an authenticated token's grant does not allow."""
    tok = world.tokens.get(token)
    if tok is None:
        return
    if expired(tok):
        raise ApiError(401, "invalid token")
    if needed_scope(method, path) not in tok.scope.split(","):
        raise unauthorized()


# -- signatures ----------------------------------------------------------------------------


def oauth_fields(authorization: str | None) -> dict[str, str]:
    """The OAuth header's fields, unescaped (``{}`` when the header is not ``OAuth …``)."""
    if not authorization or authorization[:6].lower() != "oauth ":
        return {}
    from oauthlib.oauth1.rfc5849 import utils

    try:
        pairs = utils.parse_authorization_header(authorization)
        return {name: utils.unescape(value) for name, value in pairs}
    except (ValueError, IndexError):
        raise ApiError(401, "invalid signature") from None


def is_signed(authorization: str | None) -> bool:
    """A full OAuth 1.0a header (one with ``oauth_signature``), not the plain key+token form."""
    if not authorization or "oauth_signature=" not in authorization.replace(" ", ""):
        return False
    try:
        return "oauth_signature" in oauth_fields(authorization)
    except ApiError:
        return True  # a damaged signed header: verify() refuses it


def verify(
    world: World,
    method: str,
    url: str,
    authorization: str,
    form_body: str | None,
    token_secret: str | None = None,
) -> dict[str, str]:
    """Check a signed request; returns its OAuth fields. Raises a 401 :class:`ApiError`.

    ``token_secret`` is the secret of the request token during the flow; otherwise the
    secret of the access token named in the header (empty for a token that has none).
    """
    from oauthlib.oauth1.rfc5849 import signature

    fields = oauth_fields(authorization)
    if fields.get("oauth_consumer_key") != world.key:
        raise ApiError(401, "invalid key")
    if fields.get("oauth_signature_method", "").upper() != "HMAC-SHA1":
        raise ApiError(401, "invalid signature method")
    token = fields.get("oauth_token", "")
    if token_secret is None:
        tok = world.tokens.get(token) if token else None
        if token and tok is None:
            raise ApiError(401, "invalid token")
        token_secret = (tok.secret if tok else None) or ""
    try:
        stamp = float(fields.get("oauth_timestamp", ""))
    except ValueError:
        raise ApiError(401, "invalid timestamp") from None
    if abs(stamp - time.time()) > TIMESTAMP_SLACK_S:
        raise ApiError(401, "invalid timestamp")
    query = url.partition("?")[2]
    params = signature.collect_parameters(
        uri_query=query,
        body=form_body if method not in ("GET", "HEAD") else None,
        headers={"Authorization": authorization},
    )
    base = signature.signature_base_string(
        cast(Any, method.upper()),  # the stubs want a Literal of method names
        signature.base_string_uri(url.partition("?")[0]),
        signature.normalize_parameters(cast(Any, params)),  # a list of pairs, as documented
    )
    keys = SimpleNamespace(client_secret=world.secret, resource_owner_secret=token_secret)
    expected = signature.sign_hmac_sha1_with_client(base, keys)
    given = fields.get("oauth_signature", "")
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise ApiError(401, "invalid signature")
    nonce = fields.get("oauth_nonce", "")
    if not nonce or not state_of(world).fresh_nonce(world.key, nonce, str(stamp)):
        raise ApiError(401, "invalid nonce")
    return fields


# -- the three legs ------------------------------------------------------------------------


def new_request_token(world: World, callback: str) -> RequestToken:
    pending = RequestToken(
        token=secrets.token_hex(16),
        secret=secrets.token_hex(16),
        callback=callback or "oob",
        created=time.time(),
    )
    state_of(world).pending[pending.token] = pending
    return pending


def pending_token(world: World, token: str) -> RequestToken:
    pending = state_of(world).pending.get(token)
    # Request tokens live for an hour, as a user has that long to approve.
    if pending is None or time.time() - pending.created > 3600:
        raise ApiError(401, "invalid token")
    return pending


def approve(
    world: World, pending: RequestToken, member: Member, scope: str, expiration: str, name: str
) -> str:
    """The user allowed access: remember the grant, return the verifier to show them."""
    pending.scope = normalise_scope(scope)
    expires_at(expiration)  # validates
    pending.expiration = expiration
    pending.name = name
    pending.member_id = member.id
    pending.verifier = secrets.token_hex(16)
    return pending.verifier


def exchange(world: World, pending: RequestToken, verifier: str) -> Token:
    """OAuthGetAccessToken: trade an approved request token and its verifier for a token."""
    if pending.verifier is None or pending.member_id is None:
        raise ApiError(401, "token not authorized")
    if not hmac.compare_digest(pending.verifier.encode(), verifier.encode()):
        raise ApiError(401, "invalid verifier")
    del state_of(world).pending[pending.token]
    return issue_token(
        world,
        world.members[pending.member_id],
        scope=pending.scope,
        expiration=pending.expiration,
        identifier=pending.name or "OAuth token",
        secret=secrets.token_hex(32),
    )
