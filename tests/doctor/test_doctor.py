"""``trello-tui doctor`` against the sandbox: one line per check, each failure with its fix,
exit status 1 when anything failed, and never a secret in the output."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import secrets
import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from trello_tui import paths
from trello_tui.config.settings import StoredCredentials, load_state, save_credentials, save_state
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.oauth import issue_token
from trello_tui.sandbox.world import iso
from trello_tui.setup.doctor import Check, run, run_checks
from trello_tui.setup.verify import Identity, memory
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.client import TrelloClient


def use(monkeypatch: pytest.MonkeyPatch, url: str, key: str, token: str) -> None:
    monkeypatch.setenv("TRELLO_API_URL", url)
    monkeypatch.setenv("TRELLO_API_KEY", key)
    monkeypatch.setenv("TRELLO_TOKEN", token)


def checks_of(sb: Sandbox) -> dict[str, Check]:
    done = asyncio.run(run_checks(transport=httpx.ASGITransport(app=sb.app)))
    return {c.name: c for c in done}


def doctor(sb: Sandbox | None, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    transport = httpx.ASGITransport(app=sb.app) if sb else None
    status = run(argparse.Namespace(), transport)
    return status, capsys.readouterr().out


def test_all_good(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    c = sandbox.credentials
    use(monkeypatch, sandbox.base_url, c.key, c.token)
    status, out = doctor(sandbox, capsys)
    assert status == 0, out
    lines = out.splitlines()
    assert "✓ member: signed in as @alex (Alex Rivera)" in lines
    assert "✓ scopes: read,write,account" in lines
    assert "✓ expiry: the token never expires" in lines
    assert "✓ api key: 32 hex characters" in lines
    assert any(line.startswith("✓ rate limit: left: token ") for line in lines)
    assert any(
        line.startswith("✓ connectivity: http://sandbox.invalid/1 answered") for line in lines
    )
    assert "✓ cache: none yet (made when a board is first opened)" in lines
    assert "✓ outbox: empty" in lines
    assert lines[-1] == "All checks passed."
    assert c.key not in out and c.token not in out


def test_wrong_key(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    use(monkeypatch, sandbox.base_url, secrets.token_hex(16), sandbox.credentials.token)
    status, out = doctor(sandbox, capsys)
    assert status == 1
    assert (
        "✗ credentials valid: Trello does not recognise the API key (401 invalid key) — fix: "
        "copy the API key from https://trello.com/power-ups/admin (your Power-Up, 'API key' "
        "tab) and run `trello-tui auth`"
    ) in out.splitlines()


def test_wrong_token(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = secrets.token_hex(32)
    use(monkeypatch, sandbox.base_url, sandbox.credentials.key, token)
    status, out = doctor(sandbox, capsys)
    assert status == 1
    assert (
        "✗ credentials valid: Trello refused the token (401 invalid token): it is mistyped, "
        "revoked or expired — fix: run `trello-tui auth` to get a new token (paste the token, "
        "not the app secret)"
    ) in out.splitlines()
    assert token not in out


def test_expired_token_is_named_as_expired(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = sandbox.world
    tok = issue_token(w, w.members[w.me], expiration="1hour")
    expired_at = datetime.now(UTC) - timedelta(minutes=5)
    tok.date_expires = iso(expired_at.timestamp())
    # what `trello-tui auth` remembered when it saved this token
    who = Identity("alex", "Alex Rivera", True, True, True, expired_at)
    state = load_state()
    save_state(dataclasses.replace(state, extra={"token": memory(tok.token, who, "1hour")}))
    use(monkeypatch, sandbox.base_url, w.key, tok.token)
    status, out = doctor(sandbox, capsys)
    assert status == 1
    assert (
        f"✗ credentials valid: the token expired on {expired_at:%Y-%m-%d %H:%M} UTC (it was "
        "granted for 1hour) — fix: run `trello-tui auth` for a new token; choose a longer "
        "expiration (30days or never) to be asked less often"
    ) in out.splitlines()


def test_missing_write_scope(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    w = sandbox.world
    token = issue_token(w, w.members[w.me], scope="read").token
    use(monkeypatch, sandbox.base_url, w.key, token)
    status, out = doctor(sandbox, capsys)
    assert status == 1
    assert (
        "✗ scopes: read: no write access, so trello-tui opens boards read-only — fix: run "
        "`trello-tui auth` and approve read,write,account"
    ) in out.splitlines()


def test_expiring_soon_is_a_warning(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    w = sandbox.world
    token = issue_token(w, w.members[w.me], expiration="1hour").token
    use(monkeypatch, sandbox.base_url, w.key, token)
    check = checks_of(sandbox)["expiry"]
    assert check.status == "warn" and "(in 1 h)" in check.detail
    assert check.fix == "run `trello-tui auth` for a new token before then"


def test_unreachable_server(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/1"
    use(monkeypatch, url, secrets.token_hex(16), secrets.token_hex(32))
    status, out = doctor(None, capsys)
    assert status == 1
    assert (
        f"✗ connectivity: cannot reach {url} (network error (ConnectError)) — fix: check your "
        "network connection; if you set TRELLO_API_URL or api_url in config.toml, check that "
        "address (unset it to use Trello)"
    ) in out.splitlines()


def test_no_credentials_at_all(capsys: pytest.CaptureFixture[str]) -> None:
    status, out = doctor(None, capsys)
    assert status == 1
    lines = out.splitlines()
    assert "✗ credentials: none found — fix: run `trello-tui auth`" in lines
    assert "✗ api key: missing — fix: run `trello-tui auth`" in lines
    assert "- connectivity: not tried without valid credentials" in lines


def test_secret_pasted_as_token_and_an_open_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save_credentials(
        StoredCredentials(api_key=secrets.token_hex(32), token=secrets.token_hex(16))
    )
    os.chmod(path, 0o644)
    status, out = doctor(None, capsys)
    assert status == 1
    lines = out.splitlines()
    assert any(
        line.startswith("✗ credentials: credentials.toml is readable by other users")
        for line in lines
    )
    assert any(
        line.startswith(
            "✗ api key: the API key must be 32 hex characters, but it has 64 hex characters, "
            "like a token or the app secret"
        )
        for line in lines
    )
    assert any(
        "✗ token: a token is 64 hex characters or starts with ATTA, but it has 32 hex "
        "characters, like an API key" in line
        for line in lines
    )


def test_cache_outbox_tunnel_and_signing(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    w = sandbox.world
    tok = issue_token(w, w.members[w.me], secret=secrets.token_hex(32))
    save_credentials(
        StoredCredentials(
            api_key=w.key,
            token=tok.token,
            api_secret=w.secret,
            token_secret=tok.secret,
            api_url=sandbox.base_url,
        )
    )
    paths.config_file().write_text('[webhooks]\ntunnel_command = ["no-such-tunnel-xyz"]\n')
    board = next(b for b in w.boards.values() if b.name == "Product Roadmap")

    async def load() -> None:
        creds = StoredCredentials(api_key=w.key, token=tok.token).for_client()
        assert creds is not None
        transport = httpx.ASGITransport(app=sandbox.app)
        async with TrelloClient(creds, sandbox.base_url, transport=transport) as client:
            Cache(paths.cache_db()).save_board(await client.load_board(board.id))

    asyncio.run(load())
    outbox = Outbox(paths.outbox_db())
    outbox.add("op-1", board.id, "MoveCard", {"card_id": "x"})
    outbox.close()

    checks = checks_of(sandbox)
    assert checks["signing"].status == "ok"
    assert checks["cache"].status == "ok" and checks["cache"].detail.startswith("1 board(s) cached")
    assert checks["outbox"].line() == (
        "! outbox: 1 change(s) not yet sent — fix: run trello-tui online to send"
    )
    assert checks["tunnel"].line() == (
        "✗ tunnel: the tunnel program 'no-such-tunnel-xyz' is not installed — fix: install it "
        "or change [webhooks] tunnel_command in config.toml"
    )


def test_damaged_cache(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    c = sandbox.credentials
    use(monkeypatch, sandbox.base_url, c.key, c.token)
    paths.cache_db().parent.mkdir(parents=True)
    paths.cache_db().write_bytes(b"this is not a database" * 100)
    check = checks_of(sandbox)["cache"]
    assert check.status == "fail" and check.fix.startswith("delete ")


def test_rate_limit_headroom_warns_when_nearly_spent(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = sandbox.credentials
    use(monkeypatch, sandbox.base_url, c.key, c.token)

    async def spend() -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=sandbox.app), base_url=sandbox.base_url
        ) as http:
            for _ in range(90):
                await http.get("/boards/x", params={"key": c.key, "token": c.token})

    asyncio.run(spend())
    check = checks_of(sandbox)["rate limit"]
    assert check.status == "warn" and "token " in check.detail
    assert check.fix.startswith("close other programs")
