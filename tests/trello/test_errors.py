"""Trello's error bodies (text/plain and JSON) map to the right TrelloError, secrets removed."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.fixtures import cassette_interactions
from trello_tui.trello import redact as redaction
from trello_tui.trello.auth import Credentials
from trello_tui.trello.errors import (
    AuthError,
    Conflict,
    InvalidRequest,
    LimitExceeded,
    NotFound,
    RateLimited,
    TrelloError,
    Unavailable,
    error_from_response,
)

KEY = "0123456789abcdef0123456789abcdef"
TOKEN = "ATTA" + "f" * 60
SECRET = "s3cr3t" * 8


@pytest.fixture(autouse=True)
def _secrets() -> Iterator[None]:
    saved = redaction.registered()
    redaction.forget_all()
    redaction.register([KEY, TOKEN, SECRET])
    yield
    redaction.restore(saved)


@pytest.mark.parametrize(
    ("status", "body", "kind", "reason"),
    [
        (401, "invalid key", AuthError, "invalid_key"),
        (401, "invalid token", AuthError, "invalid_token"),
        (400, "invalid token", AuthError, "invalid_token"),
        (401, "unauthorized permission requested", AuthError, "permission"),
        (401, "unauthorized card permission requested", AuthError, "permission"),
        (401, '{"message":"missing scopes"}', AuthError, "missing_scopes"),
    ],
)
def test_auth_errors(status: int, body: str, kind: type[TrelloError], reason: str) -> None:
    error = error_from_response(status, body, method="GET", path="/boards/x")
    assert isinstance(error, kind)
    assert isinstance(error, AuthError) and error.reason == reason
    assert error.permanent
    assert "trello-tui auth" in error.user_message or "admin" in error.user_message


def test_plain_and_json_bodies() -> None:
    missing = error_from_response(404, "The requested resource was not found.")
    assert isinstance(missing, NotFound) and missing.message.startswith("The requested")
    invalid = error_from_response(400, "invalid value for idList")
    assert isinstance(invalid, InvalidRequest) and invalid.permanent
    assert isinstance(error_from_response(409, "conflict"), Conflict)
    limited = error_from_response(
        429,
        '{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}',
        retry_after="7",
    )
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 7.0 and limited.scope == "token" and limited.transient
    key_limited = error_from_response(429, '{"error":"API_KEY_LIMIT_EXCEEDED","message":"x"}')
    assert isinstance(key_limited, RateLimited) and key_limited.scope == "key"
    over = error_from_response(403, "Board has too many checklists: limit exceeded")
    assert isinstance(over, LimitExceeded) and over.permanent
    down = error_from_response(502, "<html><body>Sleepy Taco</body></html>")
    assert isinstance(down, Unavailable) and down.transient and down.maybe_applied
    assert "Taco" not in down.message
    busy = error_from_response(503, "")
    assert isinstance(busy, Unavailable) and not busy.maybe_applied


def test_cassette_404_body_maps_to_not_found() -> None:
    found = [
        item
        for item in cassette_interactions("vcr-ruby-trello-comment_delete.yml")
        if item["response"]["status"]["code"] == 404
    ]
    assert found, "the cassette records a 404"
    for item in found:
        assert isinstance(error_from_response(404, item["response"]["text"]), NotFound)


def test_messages_and_reprs_never_contain_secrets() -> None:
    body = f"invalid token {TOKEN} for key={KEY}"
    error = error_from_response(401, body, path=f"/tokens/{TOKEN}")
    for text in (str(error), repr(error), error.message, error.user_message, error.path):
        assert TOKEN not in text and KEY not in text
    creds = Credentials(KEY, TOKEN, SECRET)
    for text in (repr(creds), str(creds), f"{creds}"):
        assert KEY not in text and TOKEN not in text and SECRET not in text


def test_redact_patterns_without_registration() -> None:
    redaction.forget_all()
    text = 'GET /1/boards?key=abc123456789&token=zzz99999999 OAuth oauth_token="tttttttttt"'
    cleaned = redaction.redact(text)
    assert "abc123456789" not in cleaned and "zzz99999999" not in cleaned
    assert "tttttttttt" not in cleaned


def test_logging_filter_and_record_factory(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.redaction")
    handler_filter = redaction.RedactingFilter()
    logger.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="tests.redaction"):
            logger.info("token is %s and key %s", TOKEN, KEY)
            try:
                raise ValueError(f"boom {SECRET}")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.removeFilter(handler_filter)
    text = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert caplog.records and TOKEN not in text and KEY not in text and SECRET not in text
