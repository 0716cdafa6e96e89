"""OAuth 1.0a end to end against the sandbox: the three legs, then signed requests.

The sandbox verifies every signature with the app secret and the token secret, so a board
load that succeeds proves the client signs correctly, and the refusals prove the sandbox
checks (a wrong token secret, a changed URL, a changed body, a replayed nonce).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import stat

import httpx
import pytest

from trello_tui import paths
from trello_tui.config.settings import load_credentials
from trello_tui.sandbox import Sandbox
from trello_tui.setup.auth import run
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import AuthError

from .user import ScriptedUser


class Spy(httpx.AsyncBaseTransport):
    """The sandbox app, recording each request's Authorization header."""

    def __init__(self, sb: Sandbox) -> None:
        self.inner = httpx.ASGITransport(app=sb.app)
        self.headers: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.headers.append(request.headers.get("authorization", ""))
        return await self.inner.handle_async_request(request)


def oauth_args(sb: Sandbox) -> argparse.Namespace:
    return argparse.Namespace(oauth=True, expiration="1day", api_url=sb.base_url, no_browser=False)


def board_id(sb: Sandbox) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == "Product Roadmap")


async def test_three_legged_flow_then_a_signed_board_load(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    user = ScriptedUser(sandbox, [creds.key, "y", lambda: user.shown()], [creds.secret])
    # run() drives its own event loops: keep it off this test's loop
    status = await asyncio.to_thread(
        run, oauth_args(sandbox), user, httpx.ASGITransport(app=sandbox.app)
    )
    assert status == 0, user.output
    assert "/OAuthAuthorizeToken?oauth_token=" in user.opened[0]
    assert "scope=read%2Cwrite%2Caccount" in user.opened[0]
    assert "Signed in as @alex" in user.output and "signed with OAuth 1.0a" in user.output
    assert stat.S_IMODE(paths.credentials_file().stat().st_mode) == 0o600

    saved = load_credentials()
    assert saved.token_secret and saved.api_secret == creds.secret
    client_creds = saved.for_client()
    assert client_creds is not None and client_creds.signs
    tok = sandbox.world.tokens[client_creds.token]
    assert tok.scope == "read,write,account" and tok.date_expires is not None
    for value in (client_creds.token, saved.token_secret, creds.secret):
        assert value not in user.output

    spy = Spy(sandbox)
    async with TrelloClient(client_creds, sandbox.base_url, transport=spy) as client:
        board = await client.load_board(board_id(sandbox))
        card = board.cards[0]
        moved = await client.update_card(card.id, name="Signed rename, with commas & spaces")
    assert board.name == "Product Roadmap" and len(board.cards) > 10
    assert moved.name == "Signed rename, with commas & spaces"
    assert spy.headers and all('oauth_signature="' in h for h in spy.headers)
    assert all('oauth_signature_method="HMAC-SHA1"' in h for h in spy.headers)


async def test_a_wrong_token_secret_is_refused(sandbox: Sandbox) -> None:
    from trello_tui.sandbox.oauth import issue_token

    w = sandbox.world
    tok = issue_token(w, w.members[w.me], secret=secrets.token_hex(32))
    wrong = Credentials(w.key, tok.token, w.secret, token_secret=secrets.token_hex(32))
    transport = httpx.ASGITransport(app=sandbox.app)
    async with TrelloClient(wrong, sandbox.base_url, transport=transport) as client:
        with pytest.raises(AuthError) as caught:
            await client.load_board(board_id(sandbox))
    assert caught.value.status == 401 and caught.value.message == "invalid signature"
    right = Credentials(w.key, tok.token, w.secret, token_secret=tok.secret)
    async with TrelloClient(right, sandbox.base_url, transport=transport) as client:
        assert (await client.me()).username == "alex"


async def test_tampered_url_body_and_replay_are_refused(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    from trello_tui.sandbox.oauth import issue_token

    w = sandbox.world
    tok = issue_token(w, w.members[w.me], secret=secrets.token_hex(32))
    signer = Credentials(w.key, tok.token, w.secret, token_secret=tok.secret)
    base = sandbox.base_url
    card = next(iter(w.cards.values()))

    # signed for one URL, sent to another
    header = signer.signed_authorization("GET", f"{base}/members/me?fields=id")
    r = await sandbox_client.get(
        f"{base}/members/me?fields=username", headers={"Authorization": header}
    )
    assert (r.status_code, r.text) == (401, "invalid signature")

    # signed for one body, sent with another
    header = signer.signed_authorization("PUT", f"{base}/cards/{card.id}", "name=Mine")
    r = await sandbox_client.put(
        f"{base}/cards/{card.id}", data={"name": "Theirs"}, headers={"Authorization": header}
    )
    assert (r.status_code, r.text) == (401, "invalid signature")
    assert card.name != "Theirs"

    # a good signature works once; the same header again is a replay
    header = signer.signed_authorization("GET", f"{base}/members/me")
    first = await sandbox_client.get(f"{base}/members/me", headers={"Authorization": header})
    again = await sandbox_client.get(f"{base}/members/me", headers={"Authorization": header})
    assert first.status_code == 200
    assert (again.status_code, again.text) == (401, "invalid nonce")


def test_a_wrong_app_secret_stops_the_flow_with_the_fix(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    user = ScriptedUser(sandbox, [creds.key], [secrets.token_hex(32)])
    status = run(oauth_args(sandbox), user, httpx.ASGITransport(app=sandbox.app))
    assert status == 1
    assert (
        "Trello refused the signature: the app secret does not match the key. Fix: copy "
        "the 'Secret' shown under your API key at https://trello.com/power-ups/admin" in user.output
    )
    assert not paths.credentials_file().exists()


def test_a_wrong_verifier_is_named(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    user = ScriptedUser(sandbox, [creds.key, "y", "0" * 32], [creds.secret])
    status = run(oauth_args(sandbox), user, httpx.ASGITransport(app=sandbox.app))
    assert status == 1
    assert "the verification code was not accepted" in user.output
    assert not paths.credentials_file().exists()


async def test_signed_requests_verify_over_real_loopback_http(
    live_sandbox: tuple[Sandbox, str],
) -> None:
    from trello_tui.sandbox.oauth import issue_token

    sb, url = live_sandbox
    w = sb.world
    tok = issue_token(w, w.members[w.me], secret=secrets.token_hex(32))
    signed = Credentials(w.key, tok.token, w.secret, token_secret=tok.secret)
    async with TrelloClient(signed, url) as client:
        assert (await client.me()).username == "alex"
        found = await client.search("roadmap & plans, [q] 100%")
        assert found is not None
    wrong = Credentials(w.key, tok.token, secrets.token_hex(32), token_secret=tok.secret)
    async with TrelloClient(wrong, url) as client:
        with pytest.raises(AuthError):
            await client.me()
