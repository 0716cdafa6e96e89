"""Key and token from the query, the body or ``Authorization: OAuth ...``; Trello's 401s.

Order of checks (from the recorded and documented answers, research §1.5): a write with no
token gets 401 JSON ``{"message":"missing scopes"}``; a missing or wrong key gets 401
``invalid key``; a missing token on a read gets 401 ``unauthorized permission requested``; an
unknown token gets 401 ``invalid token``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trello_tui.sandbox.errors import ApiError, unauthorized
from trello_tui.sandbox.world import Member, World

OAUTH_PAIR = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """What a client needs to talk to the sandbox. The repr never shows secrets."""

    key: str
    secret: str
    token: str
    tokens: dict[str, str] = field(default_factory=dict)
    me: str = ""

    def __repr__(self) -> str:
        return f"Credentials(me={self.me!r}, members={sorted(self.tokens)!r})"


def read_credentials(params: dict[str, Any], authorization: str | None) -> tuple[str, str]:
    """(key, token); the OAuth header wins over parameters, extra OAuth fields are ignored."""
    key = params.get("key")
    token = params.get("token")
    if authorization and authorization[:6].lower() == "oauth ":
        pairs = dict(OAUTH_PAIR.findall(authorization[6:]))
        key = pairs.get("oauth_consumer_key", key)
        token = pairs.get("oauth_token", token)
    return (key if isinstance(key, str) else ""), (token if isinstance(token, str) else "")


def authenticate(world: World, method: str, key: str, token: str) -> Member:
    if method != "GET" and not token:
        raise ApiError(401, json_body={"message": "missing scopes"})
    if key != world.key:
        raise ApiError(401, "invalid key")
    if not token:
        raise unauthorized()
    tok = world.tokens.get(token)
    if tok is None:
        raise ApiError(401, "invalid token")
    return world.members[tok.id_member]
