"""What a mixed-up value looks like, and every explanation names a fix."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from trello_tui.setup import formats
from trello_tui.setup.verify import explain, fingerprint, remembered
from trello_tui.trello.errors import (
    AuthError,
    InvalidRequest,
    RateLimited,
    TrelloError,
    Unavailable,
    error_from_response,
)

KEY, TOKEN, SECRET = secrets.token_hex(16), secrets.token_hex(32), secrets.token_hex(32)


def _named(value: object) -> str | None:
    """Test ids that name the random values (the same in every worker), never show them."""
    names = {KEY: "KEY", TOKEN: "TOKEN", SECRET: "SECRET"}
    return names.get(value) if isinstance(value, str) else None


@pytest.mark.parametrize(
    ("check", "value", "expected"),
    [
        (formats.key_problem, KEY, None),
        (formats.key_problem, TOKEN, "like a token or the app secret"),
        (formats.key_problem, "ATTA" + "a" * 60, "starts with ATTA, like a token"),
        (formats.key_problem, "my key", "contains spaces"),
        (formats.token_problem, TOKEN, None),
        (formats.token_problem, "ATTA" + "b" * 60, None),
        (formats.token_problem, KEY, "32 hex characters, like an API key"),
        (formats.secret_problem, SECRET, None),
        (formats.secret_problem, "ATTA" + "c" * 60, "(a token, not the secret?)"),
        (formats.secret_problem, KEY, "like an API key"),
    ],
    ids=_named,
)
def test_formats_name_what_the_value_looks_like(
    check: Callable[[str], str | None], value: str, expected: str | None
) -> None:
    problem = check(value)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem and value not in problem


def test_authorize_url_for_trello_and_for_the_sandbox() -> None:
    url = formats.authorize_url(KEY, expiration="never")
    assert url.startswith("https://trello.com/1/authorize?")
    assert "name=trello-tui" in url and "expiration=never" in url
    assert "response_type=token" in url and "scope=read%2Cwrite%2Caccount" in url
    local = formats.authorize_url(KEY, "http://127.0.0.1:8765/1/")
    assert local.startswith("http://127.0.0.1:8765/1/authorize?")


@pytest.mark.parametrize(
    ("error", "message", "fix"),
    [
        (error_from_response(401, "invalid key"), "401 invalid key", "copy the API key"),
        (error_from_response(401, "invalid token"), "401 invalid token", "trello-tui auth"),
        (error_from_response(401, "invalid signature"), "OAuth signature", "app secret"),
        (
            error_from_response(401, "unauthorized permission requested"),
            "scope is too narrow",
            "approve read,write,account",
        ),
        (error_from_response(401, '{"message":"missing scopes"}'), "scope", "approve"),
        (Unavailable("network error (ConnectError)", status=None), "cannot reach", "network"),
        (error_from_response(503, "down"), "HTTP 503", "try again"),
        (RateLimited("x", status=429), "rate limit", "wait"),
        (InvalidRequest("bad", status=400), "Trello answered", "doctor"),
    ],
)
def test_every_explanation_names_a_fix(error: TrelloError, message: str, fix: str) -> None:
    problem = explain(error, base_url="https://api.trello.com/1")
    assert message in problem.message and fix in problem.fix
    assert str(problem) == f"{problem.message}. Fix: {problem.fix}"


def test_expired_needs_the_remembered_expiry_of_this_very_token() -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    entry = {"fingerprint": fingerprint(TOKEN), "expires": f"{past:%Y-%m-%dT%H:%M:%SZ}"}
    error = error_from_response(401, "invalid token")
    assert isinstance(error, AuthError)
    known = remembered({"token": entry}, TOKEN)
    assert "expired on" in explain(error, base_url="x", known=known).message
    assert remembered({"token": entry}, secrets.token_hex(32)) is None  # another token
    assert fingerprint(TOKEN) not in TOKEN and len(fingerprint(TOKEN)) == 16
