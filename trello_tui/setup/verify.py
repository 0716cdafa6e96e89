"""Check credentials against Trello and explain every failure with its fix.

``verify`` asks ``GET /1/members/me`` (who is this?) and ``GET /1/tokens/{token}`` (what may
it do, until when?). Trello answers a wrong key, a wrong token and an expired token with bare
401s (``invalid key``, ``invalid token``); ``explain`` turns each into a sentence that names
the fix. An expired token reads exactly like a mistyped one, so ``trello-tui auth`` remembers
when the token it saved expires (in state.toml, beside a fingerprint of the token — never the
token) and the explanation can say "expired on …".
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from trello_tui.setup.formats import KEY_PAGE
from trello_tui.trello.errors import AuthError, RateLimited, TrelloError, Unavailable
from trello_tui.trello.models import Member, Token

STATE_KEY = "token"  # the table in state.toml


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, and what to do about it."""

    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.message}. Fix: {self.fix}"


class SetupError(Exception):
    """A check failed; ``problem`` says why and how to fix it."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclasses.dataclass(frozen=True, slots=True)
class Identity:
    """Who the credentials belong to and what they may do."""

    username: str
    full_name: str
    read: bool
    write: bool
    account: bool
    expires: datetime | None

    @property
    def scope(self) -> str:
        names = [n for n, ok in (("read", self.read), ("write", self.write)) if ok]
        return ",".join([*names, "account"] if self.account else names) or "none"

    @property
    def read_only(self) -> str | None:
        """Why the app must not write with this token, or None when it may."""
        return None if self.write else read_only_message(self.scope)


def read_only_message(scope: str) -> str:
    return (
        f"Read-only: this token was granted without the write scope (scope: {scope}). "
        "Run `trello-tui auth` and approve read,write to edit"
    )


def identity_from(member: Member, token: Token) -> Identity:
    member_write = any(p.write for p in token.permissions if p.model_type == "Member")
    return Identity(
        username=member.username,
        full_name=member.full_name,
        read=any(p.read for p in token.permissions),
        write=token.can_write("Board"),
        account=member_write,
        expires=token.date_expires,
    )


async def check_access(client: Any) -> tuple[str | None, str | None]:
    """(why the app must not write, why Trello refuses the credentials), each None when all
    is well. One ``GET /1/tokens/{token}``; when Trello cannot be reached, (None, None): the
    status line says offline, and a refused write still says why."""
    try:
        token: Token = await client.token_info()
    except AuthError as error:
        from trello_tui.config.files import load_state

        known = remembered(load_state().extra, client.credentials.token)
        return None, str(explain(error, base_url=client.base_url, known=known))
    except TrelloError:
        return None, None
    return _read_only(token), None


async def read_only_reason(client: Any) -> str | None:
    """Why the app must not write with the client's token, or None when it may."""
    return (await check_access(client))[0]


def _read_only(token: Token) -> str | None:
    if token.can_write("Board"):
        return None
    names = [n for n, ok in (("read", any(p.read for p in token.permissions)),) if ok]
    if token.can_write("Member"):
        names.append("account")
    return read_only_message(",".join(names) or "none")


def fingerprint(token: str) -> str:
    """A short one-way fingerprint: tells tokens apart without revealing one."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def remembered(state_extra: Mapping[str, Any], token: str) -> Mapping[str, Any] | None:
    """What ``auth`` recorded about this token (its expiry), if it was the one saved."""
    entry = state_extra.get(STATE_KEY)
    if isinstance(entry, Mapping) and entry.get("fingerprint") == fingerprint(token):
        return entry
    return None


def memory(token: str, who: Identity, expiration: str | None) -> dict[str, Any]:
    """The state.toml entry ``auth`` writes for a token it saved."""
    entry: dict[str, Any] = {
        "fingerprint": fingerprint(token),
        "member": who.username,
        "scope": who.scope,
    }
    if who.expires is not None:
        entry["expires"] = who.expires.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if expiration:
        entry["expiration"] = expiration
    return entry


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def explain(
    error: TrelloError,
    *,
    base_url: str,
    known: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Problem:
    """The user's problem behind an API error, with the fix."""
    if isinstance(error, Unavailable) and error.status is None:
        return Problem(
            f"cannot reach {base_url} ({error.message})",
            "check your network connection; if you set TRELLO_API_URL or api_url in "
            "config.toml, check that address (unset it to use Trello)",
        )
    if isinstance(error, Unavailable):
        return Problem(
            f"{base_url} answered HTTP {error.status}: Trello is having trouble",
            "try again in a few minutes (status: https://www.atlassianstatus.com/)",
        )
    if isinstance(error, RateLimited):
        return Problem(
            "Trello's rate limit is exhausted for this token or key",
            "wait ten seconds and try again; close other programs using the same token",
        )
    if not isinstance(error, AuthError):
        return Problem(f"Trello answered: {error}", "run `trello-tui doctor` for details")
    message = error.message.lower()
    if error.reason == "invalid_key":
        return Problem(
            "Trello does not recognise the API key (401 invalid key)",
            f"copy the API key from {KEY_PAGE} (your Power-Up, 'API key' tab) and run "
            "`trello-tui auth`",
        )
    if error.reason == "invalid_token":
        expires = _when(str(known.get("expires", ""))) if known else None
        moment = now or datetime.now(UTC)
        if expires is not None and expires <= moment:
            granted = known.get("expiration") if known else None
            lifetime = f" (it was granted for {granted})" if granted else ""
            return Problem(
                f"the token expired on {expires:%Y-%m-%d %H:%M} UTC{lifetime}",
                "run `trello-tui auth` for a new token; choose a longer expiration "
                "(30days or never) to be asked less often",
            )
        return Problem(
            "Trello refused the token (401 invalid token): it is mistyped, revoked or expired",
            "run `trello-tui auth` to get a new token (paste the token, not the app secret)",
        )
    if "signature" in message or "nonce" in message or "timestamp" in message:
        return Problem(
            f"Trello refused the OAuth signature (401 {error.message})",
            "check the app secret (TRELLO_API_SECRET or api_secret) and your clock, or run "
            "`trello-tui auth --oauth` again",
        )
    if error.reason == "missing_scopes" or "permission" in message:
        return Problem(
            f"the token may not do this (401 {error.message}): its scope is too narrow",
            "run `trello-tui auth` and approve read,write,account",
        )
    return Problem(f"Trello refused the credentials ({error.message})", "run `trello-tui auth`")


async def verify(client: Any) -> Identity:
    """Who the client's credentials belong to and what they may do (raises TrelloError)."""
    member = await client.me()
    token = await client.token_info()
    return identity_from(member, token)
