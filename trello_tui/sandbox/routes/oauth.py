"""The sandbox's authorisation pages and OAuth 1.0a endpoints, and the signature gate.

``intercept`` runs before the ``/1`` router. It answers:

* ``/1/authorize`` — the sandbox's stand-in for ``https://trello.com/1/authorize``: a consent
  page (GET) whose "Allow" button (POST ``approve=Allow``) shows the new token, with the
  ``scope`` and ``expiration`` asked for (``response_type=token``; with ``return_url`` and
  ``callback_method=fragment`` it redirects to ``return_url#token=…`` instead);
* ``/1/OAuthGetRequestToken``, ``/1/OAuthAuthorizeToken`` (page, then POST ``approve=Allow``
  shows the verifier or redirects to the callback) and ``/1/OAuthGetAccessToken``;
* any other request whose ``Authorization`` header carries an ``oauth_signature``: the
  signature is verified, and a wrong one is refused before the router sees the request.

The approving user is the sandbox's main member unless the form names another (``as``).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from trello_tui.sandbox import oauth
from trello_tui.sandbox.errors import ApiError
from trello_tui.sandbox.world import Member, World

FLOW_PATHS = frozenset(
    {"/authorize", "/OAuthGetRequestToken", "/OAuthAuthorizeToken", "/OAuthGetAccessToken"}
)


async def intercept(
    world: World, request: Request, path: str, params: dict[str, Any]
) -> Response | None:
    """The answer for an authorisation route or a badly signed request; None to go on."""
    authorization = request.headers.get("authorization")
    try:
        if path in FLOW_PATHS:
            return await _flow(world, request, path, params, authorization)
        if oauth.is_signed(authorization):
            assert authorization is not None
            oauth.verify(
                world, request.method, str(request.url), authorization, await _form(request)
            )
    except ApiError as err:
        return _error(err)
    return None


def _error(err: ApiError) -> Response:
    return Response(err.body, err.status, media_type="text/plain; charset=utf-8")


async def _form(request: Request) -> str | None:
    """The raw body when it is form-encoded: only then do its fields count in a signature."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method in ("GET", "HEAD") or ctype != "application/x-www-form-urlencoded":
        return None
    return (await request.body()).decode("utf-8", "replace")


def _encoded(**fields: str) -> Response:
    return Response(urlencode(fields), 200, media_type="application/x-www-form-urlencoded")


async def _flow(
    world: World,
    request: Request,
    path: str,
    params: dict[str, Any],
    authorization: str | None,
) -> Response:
    if path == "/authorize":
        return _authorize(world, request.method, params)
    if path == "/OAuthAuthorizeToken":
        return _authorize_token(world, request.method, params)
    if not oauth.is_signed(authorization):
        raise ApiError(401, "missing signature")
    assert authorization is not None
    fields = oauth.oauth_fields(authorization)
    body = await _form(request)
    url = str(request.url)
    if path == "/OAuthGetRequestToken":
        oauth.verify(world, request.method, url, authorization, body, token_secret="")
        pending = oauth.new_request_token(world, fields.get("oauth_callback", "oob"))
        return _encoded(
            oauth_token=pending.token,
            oauth_token_secret=pending.secret,
            oauth_callback_confirmed="true",
        )
    pending = oauth.pending_token(world, fields.get("oauth_token", ""))
    oauth.verify(world, request.method, url, authorization, body, token_secret=pending.secret)
    verifier = fields.get("oauth_verifier") or str(params.get("oauth_verifier") or "")
    tok = oauth.exchange(world, pending, verifier)
    return _encoded(oauth_token=tok.token, oauth_token_secret=tok.secret or "")


def _text(params: dict[str, Any], name: str, default: str = "") -> str:
    value = params.get(name)
    return value if isinstance(value, str) else default


def _approver(world: World, params: dict[str, Any]) -> Member:
    name = _text(params, "as")
    member = world.member_by_ref(name, world.me) if name else world.members.get(world.me)
    if member is None:
        raise ApiError(400, "invalid value for as")
    return member


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    doc = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(doc, status)


def _consent(world: World, action: str, params: dict[str, Any], keep: list[str]) -> HTMLResponse:
    """The page a user sees before allowing access: who asks, for what, for how long."""
    name = _text(params, "name", "An application")
    scope = oauth.normalise_scope(_text(params, "scope", "read"))
    expiration = _text(params, "expiration", "30days")
    oauth.expires_at(expiration)  # validates
    me = world.members[world.me]
    hidden = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(_text(params, k))}'>"
        for k in keep
        if _text(params, k)
    )
    body = (
        f"<p><b>{html.escape(name)}</b> asks to use your account "
        f"({html.escape(me.username)}) with access <b>{html.escape(scope)}</b> for "
        f"<b>{html.escape(expiration)}</b>.</p>"
        f"<form method='post' action='{action}'>{hidden}"
        "<button name='approve' value='Allow'>Allow</button> "
        "<button name='approve' value='Deny'>Deny</button></form>"
    )
    return _page("Let this application use your sandbox account?", body)


def _authorize(world: World, method: str, params: dict[str, Any]) -> Response:
    if _text(params, "key") != world.key:
        raise ApiError(401, "invalid key")
    keep = ["key", "name", "scope", "expiration", "response_type", "return_url", "callback_method"]
    if method == "GET":
        return _consent(world, "authorize", params, keep)
    if _text(params, "approve") != "Allow":
        return _page("Access denied", "<p>No token was issued.</p>", 403)
    tok = oauth.issue_token(
        world,
        _approver(world, params),
        scope=_text(params, "scope", "read"),
        expiration=_text(params, "expiration", "30days"),
        identifier=_text(params, "name", "Server Token"),
    )
    return_url = _text(params, "return_url")
    if return_url and _text(params, "callback_method") == "fragment":
        return RedirectResponse(f"{return_url}#token={tok.token}", 302)
    body = (
        "<p>You have granted access. Copy this token and paste it where it was asked for:</p>"
        f"<pre id='token'>{tok.token}</pre>"
    )
    return _page("Token", body)


def _authorize_token(world: World, method: str, params: dict[str, Any]) -> Response:
    pending = oauth.pending_token(world, _text(params, "oauth_token"))
    keep = ["oauth_token", "name", "scope", "expiration"]
    if method == "GET":
        return _consent(world, "OAuthAuthorizeToken", params, keep)
    if _text(params, "approve") != "Allow":
        oauth.state_of(world).pending.pop(pending.token, None)
        return _page("Access denied", "<p>No token was issued.</p>", 403)
    verifier = oauth.approve(
        world,
        pending,
        _approver(world, params),
        _text(params, "scope", "read"),
        _text(params, "expiration", "30days"),
        _text(params, "name"),
    )
    if pending.callback != "oob":
        query = urlencode({"oauth_token": pending.token, "oauth_verifier": verifier})
        joiner = "&" if "?" in pending.callback else "?"
        return RedirectResponse(f"{pending.callback}{joiner}{query}", 302)
    body = (
        "<p>You have granted access. Paste this verification code where it was asked for:</p>"
        f"<pre id='verifier'>{verifier}</pre>"
    )
    return _page("Verification code", body)
