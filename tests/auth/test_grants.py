"""The sandbox grants tokens as Trello does: chosen scopes and expiry, and its authorize pages."""

from __future__ import annotations

import re
import time

import httpx

from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.oauth import issue_token
from trello_tui.sandbox.world import iso
from trello_tui.setup.formats import authorize_url


def auth(key: str, token: str) -> dict[str, str]:
    return {"Authorization": f'OAuth oauth_consumer_key="{key}", oauth_token="{token}"'}


async def test_read_scope_reads_but_writes_are_unauthorized(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    w = sandbox.world
    token = issue_token(w, w.members[w.me], scope="read").token
    card = next(iter(w.cards.values()))
    headers = auth(w.key, token)
    assert (await sandbox_client.get(f"/cards/{card.id}", headers=headers)).status_code == 200
    r = await sandbox_client.put(f"/cards/{card.id}", data={"name": "x"}, headers=headers)
    assert (r.status_code, r.text) == (401, "unauthorized permission requested")
    r = await sandbox_client.get(f"/tokens/{token}", headers=headers)
    permissions = {p["modelType"]: (p["read"], p["write"]) for p in r.json()["permissions"]}
    assert permissions == {
        "Member": (True, False),
        "Board": (True, False),
        "Organization": (True, False),
    }


async def test_write_without_account_writes_boards_but_not_the_member(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    w = sandbox.world
    token = issue_token(w, w.members[w.me], scope="read,write").token
    card = next(iter(w.cards.values()))
    headers = auth(w.key, token)
    r = await sandbox_client.put(f"/cards/{card.id}", data={"name": "ok"}, headers=headers)
    assert r.status_code == 200
    r = await sandbox_client.get(f"/tokens/{token}", headers=headers)
    permissions = {p["modelType"]: p["write"] for p in r.json()["permissions"]}
    assert permissions == {"Member": False, "Board": True, "Organization": True}


async def test_an_expired_token_is_an_invalid_token_everywhere(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    w = sandbox.world
    tok = issue_token(w, w.members[w.me], expiration="1day")
    headers = auth(w.key, tok.token)
    assert (await sandbox_client.get("/members/me", headers=headers)).status_code == 200
    tok.date_expires = iso(time.time() - 1)
    for path in ("/members/me", f"/tokens/{tok.token}"):
        r = await sandbox_client.get(path, headers=headers)
        assert (r.status_code, r.text) == (401, "invalid token")


async def test_authorize_page_issues_a_token_with_the_asked_grant(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    w = sandbox.world
    url = authorize_url(w.key, sandbox.base_url, expiration="1hour", scope="read,write")
    page = await sandbox_client.get(url)
    assert page.status_code == 200
    assert "trello-tui" in page.text and "read,write" in page.text and "1hour" in page.text
    params = dict(httpx.URL(url).params)
    denied = await sandbox_client.post(url.split("?")[0], data={**params, "approve": "Deny"})
    assert denied.status_code == 403 and "<pre" not in denied.text
    allowed = await sandbox_client.post(url.split("?")[0], data={**params, "approve": "Allow"})
    found = re.search(r"<pre id='token'>([0-9a-f]{64})</pre>", allowed.text)
    assert found
    tok = w.tokens[found[1]]
    assert (tok.scope, tok.identifier) == ("read,write", "trello-tui")
    assert tok.date_expires is not None
    wrong_key = await sandbox_client.get(url.replace(w.key, "0" * 32))
    assert (wrong_key.status_code, wrong_key.text) == (401, "invalid key")


async def test_oauth_endpoints_need_a_signature(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    w = sandbox.world
    for path in ("/OAuthGetRequestToken", "/OAuthGetAccessToken"):
        r = await sandbox_client.post(path, headers=auth(w.key, ""))
        assert r.status_code == 401
    r = await sandbox_client.get("/OAuthAuthorizeToken?oauth_token=" + "0" * 32)
    assert (r.status_code, r.text) == (401, "invalid token")
