"""``trello-tui auth``: from nothing to saved, verified credentials in one short dialogue.

Key and token (the default): ask for the API key (saying where it lives), print and offer to
open the authorize URL (``name=trello-tui``, ``scope=read,write,account``, the expiration the
user picks, ``response_type=token``), read the token without echo, verify it (``GET
/1/members/me``, ``GET /1/tokens/{token}``), optionally take the app secret (only webhooks
need it), and save credentials.toml with mode 0600.

``--oauth``: the three-legged OAuth 1.0a flow with the key and the app secret; the access
token and its secret are saved and every request is signed from then on.

All input goes through a :class:`Prompter`, so tests drive the dialogue without a terminal.
Nothing here prints a token or a secret; the authorize URL necessarily carries the API key
(Trello's key is public by design: it identifies the app, not the user).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import os
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from trello_tui.config.settings import (
    DEFAULT_API_URL,
    StoredCredentials,
    load_credentials,
    load_settings,
    load_state,
    resolve_api_url,
    save_credentials,
    save_state,
)
from trello_tui.setup import formats
from trello_tui.setup.verify import Identity, Problem, SetupError, explain, memory, verify
from trello_tui.trello.auth import Credentials
from trello_tui.trello.errors import TrelloError

ATTEMPTS = 3


class Prompter(Protocol):
    def say(self, text: str) -> None: ...
    def ask(self, prompt: str) -> str: ...
    def secret(self, prompt: str) -> str: ...
    def open_url(self, url: str) -> bool: ...


class TerminalPrompter:
    """The real terminal: input(), getpass() (no echo) and the default web browser."""

    def say(self, text: str) -> None:
        print(text, flush=True)

    def ask(self, prompt: str) -> str:
        return input(prompt)

    def secret(self, prompt: str) -> str:
        import getpass

        return getpass.getpass(prompt)

    def open_url(self, url: str) -> bool:
        import webbrowser

        try:
            return webbrowser.open(url)
        except Exception:  # no browser here (ssh, container): the URL is printed anyway
            return False


@dataclasses.dataclass
class Dialogue:
    """One run of ``trello-tui auth``."""

    io: Prompter
    api_url: str
    saved: StoredCredentials
    expiration: str | None = None
    browser: bool = True
    transport: httpx.AsyncBaseTransport | None = None

    # -- asking ------------------------------------------------------------------------------

    def _until_valid(
        self, read: Callable[[str], str], prompt: str, check: Callable[[str], str | None]
    ) -> str:
        for _ in range(ATTEMPTS):
            value = read(prompt).strip()
            if not value:
                self.io.say("  (nothing entered)")
                continue
            problem = check(value)
            if problem is None:
                return value
            self.io.say(f"  ✗ That doesn't look right: {problem}.")
        raise SetupError(Problem("no valid value entered", "run `trello-tui auth` again"))

    def ask_key(self) -> str:
        self.io.say(
            "Step 1: your API key. Open "
            f"{formats.KEY_PAGE}, choose (or create) a Power-Up, open its 'API key' tab and "
            "copy the key (32 characters)."
        )
        saved = self.saved.api_key
        if saved and formats.key_problem(saved) is None:
            answer = self.io.ask("API key [Enter keeps the saved key]: ").strip()
            if not answer:
                return saved
            problem = formats.key_problem(answer)
            if problem is None:
                return answer
            self.io.say(f"  ✗ That doesn't look right: {problem}.")
        return self._until_valid(self.io.ask, "API key: ", formats.key_problem)

    def ask_expiration(self) -> str:
        if self.expiration:
            return self.expiration
        choices = ", ".join(formats.EXPIRATIONS)
        for _ in range(ATTEMPTS):
            answer = self.io.ask(f"How long should the token last? ({choices}) [30days]: ")
            answer = answer.strip() or "30days"
            if answer in formats.EXPIRATIONS:
                return answer
            self.io.say(f"  ✗ Choose one of {choices}.")
        return "30days"

    def show_url(self, url: str, what: str) -> None:
        self.io.say(f"Open this page, check it says trello-tui, and click Allow:\n\n  {url}\n")
        if self.browser:
            answer = self.io.ask("Open it in your browser now? [Y/n]: ").strip().lower()
            if answer in ("", "y", "yes") and not self.io.open_url(url):
                self.io.say("  (no browser could be opened: copy the address above)")
        self.io.say(f"Trello then shows {what}.")

    def ask_secret(self, *, required: bool) -> str | None:
        if required:
            self.io.say(
                "The app secret is the 'Secret' shown under your API key at "
                f"{formats.KEY_PAGE} (64 characters)."
            )
            return self._until_valid(
                self.io.secret, "App secret (input hidden): ", formats.secret_problem
            )
        self.io.say(
            "Optional: the app secret (the 'Secret' under your API key) lets trello-tui check "
            "webhook deliveries. Press Enter to skip."
        )
        for _ in range(ATTEMPTS):
            answer = self.io.secret("App secret (input hidden, Enter to skip): ").strip()
            if not answer:
                return self.saved.api_secret
            problem = formats.secret_problem(answer)
            if problem is None:
                return answer
            self.io.say(f"  ✗ That doesn't look right: {problem}.")
        return self.saved.api_secret

    # -- checking and saving -----------------------------------------------------------------

    async def check(self, credentials: Credentials) -> Identity:
        from trello_tui.trello.client import TrelloClient

        async with TrelloClient(
            credentials, base_url=self.api_url, transport=self.transport
        ) as client:
            try:
                return await verify(client)
            except TrelloError as error:
                raise SetupError(explain(error, base_url=self.api_url)) from None

    def report(self, who: Identity) -> None:
        expires = f"until {who.expires:%Y-%m-%d %H:%M} UTC" if who.expires else "never expires"
        self.io.say(
            f"✓ Signed in as @{who.username} ({who.full_name}); scope {who.scope}; {expires}."
        )
        if who.read_only:
            self.io.say(f"! {who.read_only}.")

    def save(self, credentials: Credentials, who: Identity, expiration: str) -> None:
        api_url = None if self.api_url == DEFAULT_API_URL else self.api_url
        path = save_credentials(
            StoredCredentials(
                api_key=credentials.key,
                token=credentials.token,
                api_secret=credentials.secret,
                token_secret=credentials.token_secret,
                api_url=api_url,
            )
        )
        state = load_state()
        extra = {**state.extra, "token": memory(credentials.token, who, expiration)}
        with contextlib.suppress(OSError):  # only the "expired on …" hint depends on it
            save_state(dataclasses.replace(state, extra=extra))
        self.io.say(f"✓ Saved to {path} (readable only by you).")
        overridden = [v for v in ("TRELLO_API_KEY", "TRELLO_TOKEN") if os.environ.get(v)]
        if overridden:
            self.io.say(
                f"! {' and '.join(overridden)} set in your environment override the saved "
                "file; unset them to use what was just saved."
            )
        self.io.say("Start trello-tui with: trello-tui   (check everything: trello-tui doctor)")

    # -- the two flows -----------------------------------------------------------------------

    def key_and_token(self) -> int:
        key = self.ask_key()
        expiration = self.ask_expiration()
        url = formats.authorize_url(key, self.api_url, expiration=expiration)
        self.io.say("\nStep 2: a token for your account.")
        self.show_url(url, "a token (64 characters): paste it below")
        token = self._until_valid(self.io.secret, "Token (input hidden): ", formats.token_problem)
        who = asyncio.run(self.check(Credentials(key=key, token=token)))
        self.report(who)
        self.io.say("")
        secret = self.ask_secret(required=False)
        self.save(Credentials(key=key, token=token, secret=secret), who, expiration)
        return 0

    def oauth(self) -> int:
        from trello_tui.setup import oauth1

        key = self.ask_key()
        secret = self.ask_secret(required=True) or ""
        expiration = self.ask_expiration()
        pending = asyncio.run(
            oauth1.request_token(key, secret, self.api_url, transport=self.transport)
        )
        url = oauth1.authorize_token_url(pending, self.api_url, expiration=expiration)
        self.io.say("\nStep 2: allow trello-tui to use your account.")
        self.show_url(url, "a verification code: paste it below")
        verifier = self._until_valid(self.io.ask, "Verification code: ", lambda _v: None)
        access = asyncio.run(
            oauth1.access_token(
                key, secret, pending, verifier, self.api_url, transport=self.transport
            )
        )
        credentials = Credentials(
            key=key, token=access.token, secret=secret, token_secret=access.secret
        )
        who = asyncio.run(self.check(credentials))
        self.report(who)
        self.io.say("✓ Requests will be signed with OAuth 1.0a (HMAC-SHA1).")
        self.save(credentials, who, expiration)
        return 0


def run(
    args: argparse.Namespace,
    io: Prompter | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    """The ``auth`` subcommand. 0 when credentials were verified and saved, else 1."""
    io = io or TerminalPrompter()
    saved = load_credentials()
    api_url = getattr(args, "api_url", None) or resolve_api_url(load_settings().settings, saved)
    dialogue = Dialogue(
        io,
        api_url.rstrip("/"),
        saved,
        expiration=getattr(args, "expiration", None),
        browser=not getattr(args, "no_browser", False),
        transport=transport,
    )
    try:
        return dialogue.oauth() if getattr(args, "oauth", False) else dialogue.key_and_token()
    except SetupError as error:
        io.say(f"✗ {error.problem}.")
        return 1
    except EOFError:
        io.say("\n✗ Input ended before the credentials were complete; nothing was saved.")
        return 1


def add_parser(sub: Any) -> None:
    """Register ``auth`` on the CLI's subparsers."""
    auth = sub.add_parser("auth", help="sign in: get, verify and save your Trello credentials")
    auth.add_argument("--oauth", action="store_true", help="use the OAuth 1.0a three-legged flow")
    auth.add_argument(
        "--expiration", choices=formats.EXPIRATIONS, help="token lifetime (asked when omitted)"
    )
    auth.add_argument("--api-url", help="the API root (default: Trello's, or TRELLO_API_URL)")
    auth.add_argument("--no-browser", action="store_true", help="only print the address to open")


__all__ = ["Dialogue", "Prompter", "TerminalPrompter", "add_parser", "run"]
