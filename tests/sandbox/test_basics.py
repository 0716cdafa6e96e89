"""The contract other engineers rely on: create, credentials, in-process and loopback serving."""

from __future__ import annotations

import httpx

from trello_tui.sandbox import Sandbox, SandboxConfig

BOARD_LOAD = {
    "lists": "open",
    "cards": "open",
    "checklists": "all",
    "labels": "all",
    "labels_limit": "1000",
    "members": "all",
}


def test_credentials_shape_and_repr_hides_secrets(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    assert len(creds.key) == 32 and int(creds.key, 16) >= 0
    assert creds.me == "alex" and creds.tokens[creds.me] == creds.token
    assert {"sam", "jordan"} <= set(creds.tokens)
    shown = repr(creds)
    for secret in (creds.key, creds.secret, *creds.tokens.values()):
        assert secret not in shown
    assert sandbox.base_url == "http://sandbox.invalid/1"


async def test_members_me_and_board_load(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    auth = {"key": sandbox.credentials.key, "token": sandbox.credentials.token}
    me = (await sandbox_client.get("/members/me", params=auth)).json()
    assert me["username"] == "alex"
    boards = (await sandbox_client.get("/members/me/boards", params=auth)).json()
    names = {b["name"] for b in boards}
    assert {"Product Roadmap", "Website Relaunch", "Personal", "Archived Ideas"} <= names
    assert "Casey's Private Plans" not in names
    roadmap = next(b for b in boards if b["name"] == "Product Roadmap")
    r = await sandbox_client.get(f"/boards/{roadmap['id']}", params={**auth, **BOARD_LOAD})
    assert r.status_code == 200
    board = r.json()
    assert 250 <= len(board["cards"]) <= 320
    colours = {lab["color"] for lab in board["labels"]}
    assert len(colours - {None}) == 30 and None in colours
    assert any(lab["name"] == "" for lab in board["labels"])
    assert len(board["members"]) == 3 and board["checklists"]


async def test_oauth_header_and_unauthorized_board(
    sandbox: Sandbox, sandbox_client: httpx.AsyncClient
) -> None:
    c = sandbox.credentials
    header = {
        "Authorization": f'OAuth oauth_consumer_key="{c.key}", oauth_token="{c.token}", '
        'oauth_signature_method="HMAC-SHA1", oauth_nonce="x"'
    }
    r = await sandbox_client.get("/members/me", headers=header)
    assert r.status_code == 200 and r.json()["username"] == "alex"
    secret = next(b for b in sandbox.world.boards.values() if b.name.startswith("Casey"))
    r = await sandbox_client.get(f"/boards/{secret.id}", headers=header)
    assert (r.status_code, r.text) == (401, "unauthorized permission requested")
    casey = {"key": c.key, "token": c.tokens["casey"]}
    assert (await sandbox_client.get(f"/boards/{secret.id}", params=casey)).status_code == 200


def test_serve_in_thread_answers_on_loopback() -> None:
    sb = Sandbox.create("empty", SandboxConfig())
    with sb.serve_in_thread() as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/1")
        auth = {"key": sb.credentials.key, "token": sb.credentials.token}
        r = httpx.get(f"{url}/members/me", params=auth)
        assert r.status_code == 200 and r.json()["username"] == "alex"
        assert r.headers["x-rate-limit-api-token-max"] == "100"


async def test_serve_async_in_running_loop() -> None:
    sb = Sandbox.create("empty")
    async with sb.serve() as url, httpx.AsyncClient() as client:
        auth = {"key": sb.credentials.key, "token": sb.credentials.token}
        r = await client.get(f"{url}/members/me/boards", params=auth)
        assert r.status_code == 200 and r.json() == []


def test_reset_keeps_credentials(sandbox: Sandbox) -> None:
    before = sandbox.credentials
    sandbox.reset("cards:10")
    after = sandbox.credentials
    assert (after.key, after.secret, after.token) == (before.key, before.secret, before.token)
    assert sum(len(b.card_ids) for b in sandbox.world.boards.values()) == 10
