"""Trello credentials and the ``Authorization`` header built from them.

``Credentials`` is what the config layer's ``load_credentials()`` returns (or converts to):
the public API key, the user's secret token and, optionally, the app's OAuth secret (needed
only to check webhook signatures). Its ``repr`` never shows a secret, so a ``Credentials``
object can be logged or shown in a traceback without leaking anything.

Credentials travel in the ``Authorization: OAuth …`` header, never in the URL, because URLs
end up in logs, proxies and error messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator


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

    def __repr__(self) -> str:
        return (
            f"Credentials(key={_mask(self.key)}, token={_mask(self.token)}, "
            f"secret={_mask(self.secret)})"
        )

    __str__ = __repr__

    @property
    def complete(self) -> bool:
        """True when both a key and a token are present (the secret is optional)."""
        return bool(self.key) and bool(self.token)

    def authorization(self) -> str:
        """The value of the ``Authorization`` header Trello accepts instead of query params."""
        return f'OAuth oauth_consumer_key="{self.key}", oauth_token="{self.token}"'

    def secrets(self) -> Iterator[str]:
        """Every non-empty secret value, for redaction (the key counts: it identifies the app)."""
        for value in (self.key, self.token, self.secret):
            if value:
                yield value
