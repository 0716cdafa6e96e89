"""Trello credentials and the ``Authorization`` header built from them.

``Credentials`` is what the config layer's ``load_credentials()`` returns (or converts to):
the public API key, the user's secret token and, optionally, the app's OAuth secret (needed
only to check webhook signatures). Its ``repr`` never shows a secret, so a ``Credentials``
object can be logged or shown in a traceback without leaking anything.

Credentials travel in the ``Authorization: OAuth …`` header, never in the URL, because URLs
end up in logs, proxies and error messages. Credentials from ``trello-tui auth --oauth`` also
carry the access token's secret: every request is then signed with OAuth 1.0a (HMAC-SHA1 over
the method, URL and form fields, keyed by the app secret and the token secret). oauthlib is
imported only then, so plain key+token use pays nothing for it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, cast


def _mask(value: str | None) -> str:
    """A stand-in that says whether a secret is set and nothing else."""
    if value is None:
        return "None"
    return "'***'" if value else "''"


@dataclasses.dataclass(frozen=True, slots=True)
class Credentials:
    """An API key, a user token and (optional) the app secret. Secrets never appear in repr."""

    key: str
    token: str
    secret: str | None = None
    token_secret: str | None = None  # OAuth 1.0a access-token secret: sign every request

    def __repr__(self) -> str:
        return (
            f"Credentials(key={_mask(self.key)}, token={_mask(self.token)}, "
            f"secret={_mask(self.secret)}, token_secret={_mask(self.token_secret)})"
        )

    __str__ = __repr__

    @property
    def complete(self) -> bool:
        """True when both a key and a token are present (the secret is optional)."""
        return bool(self.key) and bool(self.token)

    def authorization(self) -> str:
        """The value of the ``Authorization`` header Trello accepts instead of query params."""
        return f'OAuth oauth_consumer_key="{self.key}", oauth_token="{self.token}"'

    @property
    def signs(self) -> bool:
        """True when requests are signed with OAuth 1.0a (app secret and token secret)."""
        return bool(self.secret and self.token_secret)

    def signed_authorization(self, method: str, url: str, form_body: str | None = None) -> str:
        """A signed OAuth 1.0a ``Authorization`` value for one request (HMAC-SHA1).

        ``url`` is the full URL with its query; ``form_body`` the form-encoded body, if any
        (its fields are signed too). A fresh nonce and timestamp make each header single-use.
        """
        from oauthlib.oauth1 import Client

        client = Client(
            self.key,
            client_secret=self.secret,
            resource_owner_key=self.token,
            resource_owner_secret=self.token_secret,
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if form_body else {}
        # cast: the stubs want a Literal of method names
        _uri, signed, _body = client.sign(url, cast(Any, method), form_body or None, headers)
        return str(signed["Authorization"])

    def authorization_for(self, method: str, url: str, form_body: str | None = None) -> str:
        """The header for one request: signed when we hold a token secret, else plain."""
        if self.signs:
            return self.signed_authorization(method, url, form_body)
        return self.authorization()

    def secrets(self) -> Iterator[str]:
        """Every non-empty secret value, for redaction (the key counts: it identifies the app)."""
        for value in (self.key, self.token, self.secret, self.token_secret):
            if value:
                yield value
