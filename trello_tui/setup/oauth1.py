"""The client's half of Trello's three-legged OAuth 1.0a flow.

1. ``request_token``: POST ``/1/OAuthGetRequestToken`` signed with the API key and the app
   secret → a temporary token and its secret.
2. ``authorize_token_url``: the page where the user allows trello-tui (``name``, ``scope``,
   ``expiration``) and is shown a verification code.
3. ``access_token``: POST ``/1/OAuthGetAccessToken`` signed with the temporary token and the
   verifier → the access token and its secret, which then sign every API request.

oauthlib signs (HMAC-SHA1); httpx carries the requests. Errors become ``Problem`` messages
that name the fix, as everywhere in first-run code.
"""

from __future__ import annotations

import dataclasses
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode

import httpx

from trello_tui.setup.formats import APP_NAME, KEY_PAGE, SCOPE, web_root
from trello_tui.setup.verify import Problem, SetupError


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class TokenPair:
    """An OAuth token and its secret (the repr shows neither)."""

    token: str
    secret: str

    def __repr__(self) -> str:
        return "TokenPair(token='***', secret='***')"


def _problem(status: int, body: str, step: str) -> Problem:
    text = body.strip()[:80].lower()
    if "invalid key" in text:
        return Problem(
            f"{step}: Trello does not recognise the API key",
            f"copy the API key from {KEY_PAGE} and try again",
        )
    if "signature" in text:
        return Problem(
            f"{step}: Trello refused the signature: the app secret does not match the key",
            f"copy the 'Secret' shown under your API key at {KEY_PAGE}",
        )
    if "verifier" in text or "not authorized" in text:
        return Problem(
            f"{step}: the verification code was not accepted",
            "run `trello-tui auth --oauth` again, click Allow and paste the code shown",
        )
    if "token" in text:
        return Problem(
            f"{step}: the temporary token expired or was already used",
            "run `trello-tui auth --oauth` again and finish within the hour",
        )
    return Problem(f"{step}: HTTP {status}", "run `trello-tui auth --oauth` again")


async def _signed_post(
    url: str, client: Any, step: str, transport: httpx.AsyncBaseTransport | None
) -> dict[str, str]:
    _uri, headers, _body = client.sign(url, cast(Any, "POST"))
    try:
        async with httpx.AsyncClient(transport=transport, timeout=20.0) as http:
            response = await http.post(url, headers=headers)
    except httpx.HTTPError as exc:
        raise SetupError(
            Problem(
                f"{step}: cannot reach {url.rsplit('/', 1)[0]} ({type(exc).__name__})",
                "check your network connection, or TRELLO_API_URL",
            )
        ) from None
    if response.status_code != 200:
        raise SetupError(_problem(response.status_code, response.text, step))
    fields = dict(parse_qsl(response.text))
    if not fields.get("oauth_token") or not fields.get("oauth_token_secret"):
        raise SetupError(Problem(f"{step}: unexpected answer", "try again"))
    return fields


async def request_token(
    key: str,
    secret: str,
    api_url: str,
    *,
    callback: str = "oob",
    transport: httpx.AsyncBaseTransport | None = None,
) -> TokenPair:
    from oauthlib.oauth1 import Client

    client = Client(key, client_secret=secret, callback_uri=callback)
    url = f"{web_root(api_url)}/OAuthGetRequestToken"
    fields = await _signed_post(url, client, "getting a request token", transport)
    return TokenPair(fields["oauth_token"], fields["oauth_token_secret"])


def authorize_token_url(
    pending: TokenPair, api_url: str, *, expiration: str = "30days", scope: str = SCOPE
) -> str:
    query = urlencode(
        {"oauth_token": pending.token, "name": APP_NAME, "scope": scope, "expiration": expiration}
    )
    return f"{web_root(api_url)}/OAuthAuthorizeToken?{query}"


async def access_token(
    key: str,
    secret: str,
    pending: TokenPair,
    verifier: str,
    api_url: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> TokenPair:
    from oauthlib.oauth1 import Client

    client = Client(
        key,
        client_secret=secret,
        resource_owner_key=pending.token,
        resource_owner_secret=pending.secret,
        verifier=verifier.strip(),
    )
    url = f"{web_root(api_url)}/OAuthGetAccessToken"
    fields = await _signed_post(url, client, "getting the access token", transport)
    return TokenPair(fields["oauth_token"], fields["oauth_token_secret"])
