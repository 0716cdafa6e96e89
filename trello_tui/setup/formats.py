"""What a Trello API key, token and app secret look like, and where the user gets them.

Most setup failures in other Trello tools are a value pasted in the wrong place: the app
secret as the token, the token as the key (research: peers §3.1). Each check here names what
the value looks like instead, so the message says which box it came from. No message ever
repeats the value itself.
"""

from __future__ import annotations

import re
from typing import Final
from urllib.parse import urlencode

KEY_PAGE: Final = "https://trello.com/power-ups/admin"
TRELLO_API: Final = "https://api.trello.com/1"
TRELLO_WEB: Final = "https://trello.com/1"
SCOPE: Final = "read,write,account"
EXPIRATIONS: Final = ("1hour", "1day", "30days", "never")
APP_NAME: Final = "trello-tui"

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_ATTA = re.compile(r"^ATTA[0-9A-Za-z_-]{20,}$")


def _looks_like(value: str) -> str:
    if _HEX32.match(value):
        return "it has 32 hex characters, like an API key"
    if _HEX64.match(value):
        return "it has 64 hex characters, like a token or the app secret"
    if _ATTA.match(value):
        return "it starts with ATTA, like a token"
    if any(c.isspace() for c in value):
        return "it contains spaces"
    return f"it has {len(value)} characters"


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot be an API key (32 hex characters), or None."""
    if _HEX32.match(key):
        return None
    return (
        f"the API key must be 32 hex characters, but {_looks_like(key)}. "
        f"Copy the API key from {KEY_PAGE} (your Power-Up, 'API key' tab)"
    )


def token_problem(token: str) -> str | None:
    """Why ``token`` cannot be a user token (64 hex, or ATTA…), or None."""
    if _HEX64.match(token) or _ATTA.match(token):
        return None
    return (
        f"a token is 64 hex characters or starts with ATTA, but {_looks_like(token)}. "
        "Get a new token with `trello-tui auth`"
    )


def secret_problem(secret: str) -> str | None:
    """Why ``secret`` cannot be the app secret (64 hex characters), or None."""
    if _HEX64.match(secret):
        return None
    hint = " (a token, not the secret?)" if _ATTA.match(secret) else ""
    return (
        f"the app secret is 64 hex characters, but {_looks_like(secret)}{hint}. Copy the "
        f"'Secret' shown under the API key at {KEY_PAGE}"
    )


def web_root(api_url: str) -> str:
    """Where the authorisation pages live: trello.com for Trello's API, else the API itself
    (the sandbox serves ``/1/authorize`` and the OAuth pages beside its API)."""
    api_url = api_url.rstrip("/")
    return TRELLO_WEB if api_url == TRELLO_API else api_url


def authorize_url(
    key: str, api_url: str = TRELLO_API, *, expiration: str = "30days", scope: str = SCOPE
) -> str:
    """The page where the user approves trello-tui and sees their token."""
    query = urlencode(
        {
            "expiration": expiration,
            "name": APP_NAME,
            "scope": scope,
            "response_type": "token",
            "key": key,
        }
    )
    return f"{web_root(api_url)}/authorize?{query}"
