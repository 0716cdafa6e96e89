"""``trello-tui auth`` against the sandbox: the happy path and every way setup goes wrong.

Each failure must be a specific sentence naming the fix, nothing may be saved after a
failure, and no token or secret may ever be printed.
"""

from __future__ import annotations

import argparse
import secrets
import socket
import stat
import time

import httpx

from trello_tui import paths
from trello_tui.config.settings import load_credentials, load_state
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.oauth import issue_token
from trello_tui.sandbox.world import iso
from trello_tui.setup.auth import run
from trello_tui.setup.verify import fingerprint

from .user import ScriptedUser


def args(sb_url: str, **extra: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "oauth": False,
        "expiration": "30days",
        "api_url": sb_url,
        "no_browser": False,
    }
    values.update(extra)
    return argparse.Namespace(**values)


def transport(sb: Sandbox) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=sb.app)


def assert_no_secrets(user: ScriptedUser, *values: str) -> None:
    for value in values:
        assert value not in user.output
        for prompt in user.prompts:
            assert value not in prompt


def test_key_and_token_are_verified_and_saved_0600(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    user = ScriptedUser(sandbox, [creds.key, "", "y"], [lambda: user.shown(), creds.secret])
    status = run(args(sandbox.base_url, expiration=None), user, transport(sandbox))
    assert status == 0, user.output
    # the authorize URL carries what Trello needs, and was offered to the browser
    url = user.opened[0]
    for part in (
        "name=trello-tui",
        "scope=read%2Cwrite%2Caccount",
        "expiration=30days",
        "response_type=token",
    ):
        assert part in url
    assert "Signed in as @alex" in user.output
    path = paths.credentials_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = load_credentials()
    token = user.shown()
    assert (saved.api_key, saved.token, saved.api_secret) == (creds.key, token, creds.secret)
    assert saved.sources["token"] == "credentials.toml"
    remembered = load_state().extra["token"]
    assert remembered["fingerprint"] == fingerprint(token)
    assert remembered["scope"] == "read,write,account"
    assert remembered["expiration"] == "30days"
    # the token and the secret never appear; the token prompt hides the input (secret())
    assert_no_secrets(user, token, creds.secret)
    assert any("Token (input hidden)" in p for p in user.prompts)


def test_a_token_pasted_as_the_key_is_named_before_anything_is_sent(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    user = ScriptedUser(sandbox, [creds.token, creds.key, "n"], [creds.token, ""])
    status = run(args(sandbox.base_url), user, transport(sandbox))
    assert status == 0, user.output
    assert "64 hex characters, like a token or the app secret" in user.output
    assert "https://trello.com/power-ups/admin" in user.output
    assert user.opened == []  # the user said no to the browser
    assert_no_secrets(user, creds.token)


def test_wrong_key(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    wrong = secrets.token_hex(16)
    user = ScriptedUser(sandbox, [wrong, "y"], [creds.token])
    status = run(args(sandbox.base_url), user, transport(sandbox))
    assert status == 1
    assert (
        "Trello does not recognise the API key (401 invalid key). Fix: copy the API key "
        "from https://trello.com/power-ups/admin" in user.output
    )
    assert not paths.credentials_file().exists()
    assert_no_secrets(user, creds.token)


def test_wrong_token(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    wrong = secrets.token_hex(32)
    user = ScriptedUser(sandbox, [creds.key, "n"], [wrong])
    status = run(args(sandbox.base_url), user, transport(sandbox))
    assert status == 1
    assert (
        "Trello refused the token (401 invalid token): it is mistyped, revoked or expired. "
        "Fix: run `trello-tui auth` to get a new token" in user.output
    )
    assert not paths.credentials_file().exists()
    assert_no_secrets(user, wrong)


def test_expired_token(sandbox: Sandbox) -> None:
    w = sandbox.world
    tok = issue_token(w, w.members[w.me], expiration="1hour")
    tok.date_expires = iso(time.time() - 60)  # an hour later
    user = ScriptedUser(sandbox, [w.key, "n"], [tok.token])
    status = run(args(sandbox.base_url), user, transport(sandbox))
    assert status == 1
    assert "401 invalid token" in user.output and "Fix: run `trello-tui auth`" in user.output


def test_missing_write_scope_is_saved_with_a_read_only_warning(sandbox: Sandbox) -> None:
    creds = sandbox.credentials
    user = ScriptedUser(
        sandbox, [creds.key, "y"], [lambda: user.shown(), ""], approve={"scope": "read"}
    )
    status = run(args(sandbox.base_url), user, transport(sandbox))
    assert status == 0, user.output
    assert "scope read;" in user.output
    assert (
        "! Read-only: this token was granted without the write scope (scope: read). "
        "Run `trello-tui auth` and approve read,write to edit" in user.output
    )


def test_unreachable_server() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/1"
    key, token = secrets.token_hex(16), secrets.token_hex(32)
    user = ScriptedUser(Sandbox.create("empty"), [key, "n"], [token])
    status = run(args(url), user)
    assert status == 1
    assert (
        f"cannot reach {url} (network error (ConnectError)). Fix: check your network "
        "connection; if you set TRELLO_API_URL or api_url in config.toml" in user.output
    )
    assert not paths.credentials_file().exists()


def test_input_ending_early_saves_nothing(sandbox: Sandbox) -> None:
    user = ScriptedUser(sandbox, [sandbox.credentials.key, "n"], [])
    assert run(args(sandbox.base_url), user, transport(sandbox)) == 1
    assert "Input ended" in user.output
    assert not paths.credentials_file().exists()
