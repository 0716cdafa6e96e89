"""Everything that can go wrong talking to Trello, as one exception tree.

``TrelloError`` carries the HTTP status, Trello's own message, the method and path (never the
query string, never a credential) and a ``user_message`` that says what to do. ``permanent``
tells the queue and the sync engine whether retrying can help: a permanent error rolls an
optimistic change back; a transient one leaves it pending.

    TrelloError
    ├── AuthError         401: invalid key / invalid token (also revoked or expired) / no access
    ├── NotFound          404
    ├── InvalidRequest    400, 422: Trello refused the values we sent
    ├── Conflict          409
    ├── LimitExceeded     403: an object limit (too many checklists, cards, labels …)
    ├── RateLimited       429: carries ``retry_after`` and which budget ran out
    ├── Unavailable       5xx, network failures, timeouts (``maybe_applied`` for writes)
    │   └── Unreachable   no connection could be made (refused, no DNS, no route): offline
    ├── BadResponse       a 2xx answer we could not parse
    │   └── MalformedAnswer  ... or whose object is unusable (``pos: "abc"``, no id):
    │                        permanent, asking again gets the same object
    └── RequestCancelled  the request's scope was cancelled (the user left the board)

``error_from_response`` maps a status and body (text/plain or JSON, as Trello mixes both) to
the right class. Every message passes through ``redact`` so no secret can leak through one,
then through ``shown``: a server's text is someone else's text, shown on one line with every
control made visible (``text.visible``) and cut to ``MESSAGE_LIMIT`` characters (a 1 MB error
body must not become a 1 MB notification).
"""

from __future__ import annotations

import json
from typing import Any

from trello_tui.trello.checks import Malformed
from trello_tui.trello.redact import redact
from trello_tui.trello.text import visible

#: the longest message (a server's error text, ours) an error carries
MESSAGE_LIMIT = 300
#: the most of a body read for its message: enough for any real one, and a cap on the work
BODY_LIMIT = 64 * 1024


def shown(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` on one line, every control visible, at most ``limit`` characters."""
    text = text.strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return visible(text)


class TrelloError(Exception):
    """Base of every error the API layer raises."""

    #: retrying the same request cannot succeed
    permanent: bool = True
    default_user_message = "Trello refused the request."

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        method: str = "",
        path: str = "",
        code: str | None = None,
        user_message: str | None = None,
    ) -> None:
        self.message = shown(redact(message))
        self.status = status
        self.method = method
        self.path = shown(redact(path))
        self.code = shown(code, 80) if code is not None else None
        self.user_message = shown(redact(user_message or self.default_user_message))
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = f"{self.method} {self.path}".strip()
        status = f"HTTP {self.status}" if self.status is not None else ""
        parts = [p for p in (status, where, self.message) if p]
        return ": ".join(parts) if parts else type(self).__name__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._describe()!r})"

    @property
    def transient(self) -> bool:
        return not self.permanent


class AuthError(TrelloError):
    """The key or token is wrong, revoked or expired, or the token may not touch this object."""

    default_user_message = (
        "Trello did not accept your credentials. Run `trello-tui auth` to sign in again."
    )

    def __init__(self, message: str = "", *, reason: str = "unknown", **kwargs: Any) -> None:
        #: invalid_key | invalid_token | permission | missing_scopes | unknown
        self.reason = reason
        kwargs.setdefault("user_message", _AUTH_ADVICE.get(reason))
        super().__init__(message, **kwargs)


_AUTH_ADVICE = {
    "invalid_key": "Trello does not recognise the API key. Run `trello-tui auth` and paste "
    "the key from https://trello.com/power-ups/admin.",
    "invalid_token": "Your Trello token is invalid, revoked or expired. Run `trello-tui auth` "
    "to get a new one.",
    "permission": "Your Trello account has no access to this. Ask a board admin to add you, "
    "or sign in with another account (`trello-tui auth`).",
    "missing_scopes": "The token lacks the write scope. Run `trello-tui auth` and approve "
    "read and write access.",
}


class NotFound(TrelloError):
    default_user_message = (
        "That no longer exists on Trello (deleted, or moved out of reach). Refresh with `r`."
    )


class InvalidRequest(TrelloError):
    default_user_message = "Trello rejected the values sent. Check the input and try again."


#: The house plan calls it ``Invalid``.
Invalid = InvalidRequest


class Conflict(TrelloError):
    default_user_message = "Trello's copy changed meanwhile. Refresh with `r` and try again."


class LimitExceeded(TrelloError):
    default_user_message = (
        "Trello's limit for this kind of object is reached (too many cards, lists, labels or "
        "checklists). Archive or delete some and try again."
    )


class RateLimited(TrelloError):
    """429. ``scope`` names the budget: token, key, member, or unknown."""

    permanent = False
    default_user_message = "Trello asked us to slow down; your changes will be sent shortly."

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float | None = None,
        scope: str = "unknown",
        **kwargs: Any,
    ) -> None:
        self.retry_after = retry_after
        self.scope = scope
        super().__init__(message, **kwargs)


class Unavailable(TrelloError):
    """Trello could not be reached or failed (5xx). Transient.

    ``maybe_applied`` is True when the request may have reached Trello before the failure
    (the connection broke after sending, a read timed out, a 5xx): a create must then be
    reconciled before it is sent again.
    """

    permanent = False
    default_user_message = (
        "Trello is unreachable right now. Your changes are kept and will be sent when it is back."
    )

    def __init__(self, message: str = "", *, maybe_applied: bool = True, **kwargs: Any) -> None:
        self.maybe_applied = maybe_applied
        super().__init__(message, **kwargs)


class Unreachable(Unavailable):
    """No connection to Trello could be made: refused, the name did not resolve, no route,
    TLS failed, or connecting timed out. Nothing was sent (``maybe_applied`` is False unless
    an earlier attempt of the same request may have landed).

    The queue does not retry it: retrying at once cannot help, and the caller must hear it
    at once (the status says "offline" within a second, not after minutes of silent
    retries); the sync engine and the poller retry on their own schedule. ``detail`` is what
    the system said ("[Errno 111] Connection refused"), for the user.
    """

    default_user_message = (
        "Can't reach Trello (no network, or a proxy or firewall in the way). Your changes are "
        "kept and sent when it is back; r retries, `trello-tui doctor` checks the connection."
    )

    def __init__(
        self, message: str = "", *, maybe_applied: bool = False, detail: str = "", **kwargs: Any
    ) -> None:
        self.detail = shown(redact(detail), 120)
        super().__init__(message, maybe_applied=maybe_applied, **kwargs)


class BadResponse(TrelloError):
    permanent = False
    default_user_message = "Trello sent an answer we could not read. Try again in a moment."


class MalformedAnswer(BadResponse):
    """Trello answered 2xx with an object the client cannot use (see ``checks``).

    Permanent: the same request gets the same object, so a read is not repeated and a write
    is not sent again (a card answered with ``pos: "abc"`` made every move a re-spacing).
    """

    permanent = True
    default_user_message = (
        "Trello sent something this app cannot use; it was left out (details in the log)."
    )


def malformed_answer(error: Malformed, *, method: str = "", path: str = "") -> MalformedAnswer:
    return MalformedAnswer(str(error), method=method, path=path)


class RequestCancelled(TrelloError):
    default_user_message = "Cancelled."


def _parse_body(text: str) -> tuple[str, str | None]:
    """Trello's message and error code from a text/plain or JSON body (``shown`` later)."""
    stripped = text[:BODY_LIMIT].strip()
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError:
            return stripped, None
        if isinstance(data, dict):
            code = data.get("error") if isinstance(data.get("error"), str) else None
            message = data.get("message") or data.get("error") or ""
            return str(message)[:BODY_LIMIT], code
    # An HTML outage page is useless to show; keep its first line only.
    if stripped.lower().startswith("<"):
        return "Trello returned an error page", None
    return stripped[:MESSAGE_LIMIT], None


def _auth_reason(message: str) -> str:
    lowered = message.lower()
    if "invalid key" in lowered:
        return "invalid_key"
    if "invalid token" in lowered or "expired" in lowered or "revoked" in lowered:
        return "invalid_token"
    if "missing scopes" in lowered:
        return "missing_scopes"
    if "permission" in lowered or "unauthorized" in lowered:
        return "permission"
    return "unknown"


def _rate_scope(code: str | None, message: str) -> str:
    blob = f"{code or ''} {message}".upper()
    if "TOKEN" in blob:
        return "token"
    if "KEY" in blob:
        return "key"
    if "MEMBER" in blob:
        return "member"
    return "unknown"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds form only; dates are ignored)."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return max(0.0, seconds)


def error_from_response(
    status: int,
    body: str,
    *,
    method: str = "",
    path: str = "",
    retry_after: str | None = None,
) -> TrelloError:
    """The ``TrelloError`` for a non-2xx answer."""
    message, code = _parse_body(redact(body[:BODY_LIMIT]))
    message = shown(message)
    common: dict[str, Any] = {"status": status, "method": method, "path": path, "code": code}
    if status == 429:
        return RateLimited(
            message or "Rate limit exceeded",
            retry_after=parse_retry_after(retry_after),
            scope=_rate_scope(code, message),
            **common,
        )
    if status == 401 or (status == 400 and "invalid token" in message.lower()):
        return AuthError(message, reason=_auth_reason(message), **common)
    if status == 403:
        if "limit" in message.lower() or (code and "LIMIT" in code.upper()):
            return LimitExceeded(message, **common)
        return AuthError(message, reason="permission", **common)
    if status == 404:
        return NotFound(message, **common)
    if status == 409:
        return Conflict(message, **common)
    if status in (400, 422):
        return InvalidRequest(message, **common)
    if status >= 500:
        # 503 means "not now" before the work started; other 5xx may come after a write.
        return Unavailable(message or "server error", maybe_applied=status != 503, **common)
    return TrelloError(message or f"unexpected status {status}", **common)
