"""Entry points from the CLI into the Textual app: ``trello-tui`` and ``trello-tui demo``.

The demo serves the sandbox on loopback from a background thread (its own event loop), so
none of the sandbox's work runs on the UI's loop; the app's client talks to it over HTTP
exactly as it would talk to Trello.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from trello_tui import paths
from trello_tui.store.cache import Cache
from trello_tui.trello.auth import Credentials
from trello_tui.ui.backend import Backend

DEMO_BOARD = "Product Roadmap"


def _start_teammate(sandbox: Any, url: str, every_s: float) -> threading.Event:
    """A simulated teammate in its own thread, talking to the sandbox over loopback HTTP."""
    import httpx

    from trello_tui.sandbox.teammate import teammate_step

    stop = threading.Event()

    async def loop() -> None:
        rng = random.Random()
        async with httpx.AsyncClient(base_url=url.removesuffix("/1")) as http:
            while not stop.is_set():
                await asyncio.sleep(every_s)
                try:
                    await teammate_step(sandbox, http, rng)
                except Exception:  # a failed change is skipped, as the sandbox's own loop does
                    continue

    threading.Thread(target=lambda: asyncio.run(loop()), daemon=True, name="teammate").start()
    return stop


def _client_factory(key: str, token: str, url: str | None) -> Callable[[], Any]:
    def build() -> Any:
        from trello_tui.trello.client import TrelloClient

        return TrelloClient(Credentials(key=key, token=token), base_url=url)

    return build


def _live_link(secret: str, tunnel_command: tuple[str, ...]) -> Any:
    from trello_tui.live.link import LiveLink
    from trello_tui.live.updates import LiveSettings

    return LiveLink(secret, LiveSettings(tunnel_command=tunnel_command))


def _configured_live_link() -> Any:
    """Live updates when ``[webhooks]`` is configured, else None."""
    from trello_tui.config.files import load_credentials
    from trello_tui.config.settings import load_settings
    from trello_tui.live.link import LiveLink
    from trello_tui.live.updates import LiveSettings

    webhooks = load_settings().settings.webhooks
    if not webhooks.enabled:
        return None
    # Without the secret it stays in polling mode and its status says why.
    return LiveLink(load_credentials().api_secret, LiveSettings.from_config(webhooks))


def run_demo(args: argparse.Namespace) -> int:
    from trello_tui.sandbox import Sandbox
    from trello_tui.store.outbox import Outbox
    from trello_tui.ui import exits
    from trello_tui.ui.app import TrelloApp

    sandbox = Sandbox.create(seed=args.seed)
    with (
        tempfile.TemporaryDirectory(prefix="trello-tui-demo-") as folder,
        sandbox.serve_in_thread(host="127.0.0.1", port=0) as url,
    ):
        stop = _start_teammate(sandbox, url, args.teammate) if args.teammate > 0 else None
        creds = sandbox.credentials
        # The demo's cache and outbox live in a temporary folder: your real ones stay untouched.
        backend = Backend(
            _client_factory(creds.key, creds.token, url),
            Cache(Path(folder) / "cache.sqlite3"),
            Outbox(Path(folder) / "outbox.sqlite3"),
            me=creds.me,
        )
        # Live updates through a loopback stand-in for a tunnel: the teammate's changes arrive
        # by webhook, signed by the sandbox, as they would from Trello through cloudflared.
        backend.live = _live_link(
            creds.secret,
            (sys.executable, "-m", "trello_tui.sandbox.forward_proxy", "--to", "{local_url}"),
        )
        board = next(
            (b for b in sandbox.world.boards.values() if b.name == DEMO_BOARD),
            next(iter(sandbox.world.boards.values()), None),
        )
        app = TrelloApp(backend, board_key=board.id if board else None, me=creds.me)
        status = exits.run(app)  # a signal ends it cleanly, the stand-in tunnel with it
        if stop is not None:
            stop.set()
    return status


def _welcome() -> int | None:
    """No credentials: the welcome screen. None to go on to the app (after a good sign-in),
    else the exit status."""
    from trello_tui.config.files import load_credentials
    from trello_tui.ui.screens.welcome import WelcomeApp, missing_lines

    creds = load_credentials()
    missing = missing_lines(
        bool(creds.api_key), bool(creds.token), creds.problems, str(paths.credentials_file())
    )
    choice = WelcomeApp(missing).run()
    if choice == "demo":
        return run_demo(argparse.Namespace(seed="demo", teammate=8.0))
    if choice != "auth":
        return 0
    from trello_tui.setup.auth import run as run_auth

    status = run_auth(argparse.Namespace(oauth=False, expiration=None, api_url=None))
    return None if status == 0 else status


def _stored_client_factory() -> Callable[[], Any] | None:
    """A client from credentials.toml and the TRELLO_* variables (signed when OAuth 1.0a)."""
    from trello_tui.config.settings import load_credentials, load_settings, resolve_api_url

    stored = load_credentials()
    credentials = stored.for_client()
    if credentials is None:
        return None
    url = resolve_api_url(load_settings().settings, stored)

    def build() -> Any:
        from trello_tui.trello.client import TrelloClient

        return TrelloClient(credentials, base_url=url)

    return build


def _signed_in_member() -> str | None:
    """The username `trello-tui auth` verified for the token in use (state.toml), if any."""
    from trello_tui.config.settings import load_credentials, load_state
    from trello_tui.setup.verify import remembered

    token = load_credentials().token
    known = remembered(load_state().extra, token) if token else None
    member = known.get("member") if known else None
    return member if isinstance(member, str) else None


def run_tui(args: argparse.Namespace) -> int:
    """``trello-tui [--board B] [--offline]``: the cache at once, then Trello through the engine."""
    from trello_tui.config import settings as config
    from trello_tui.ui import exits
    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.commands import BY_ID

    factory = None if args.offline else _stored_client_factory()
    if factory is None and not args.offline:
        status = _welcome()
        if status is not None:
            return status
        factory = _stored_client_factory()
    loaded = config.load_settings(binding_ids=set(BY_ID))
    for issue in loaded.issues:
        print(f"trello-tui: {issue}", file=sys.stderr)
    settings = loaded.settings
    state = config.load_state()
    cache = Cache(paths.cache_db())
    me = os.environ.get("TRELLO_USERNAME") or _signed_in_member()
    backend = Backend(factory, cache, me=me)
    if factory is not None:
        backend.live = _configured_live_link()
    board_key = args.board or state.last_board_id or cache.meta("last_board")
    app = TrelloApp(
        backend,
        board_key=board_key,
        keymap=settings.keymap,
        theme=config.effective_theme(settings, state),
        compact=settings.compact,
        on_board_opened=_remember_board,
        on_theme_chosen=lambda theme: _remember_theme(theme, settings),
        triggers=settings.triggers,
        slow_s=settings.sync.slow_after_s,
    )
    return exits.run(app)  # a signal (the terminal closed) ends it and its tunnel cleanly


def _remember_board(board_id: str) -> None:
    from dataclasses import replace

    from trello_tui.config import settings as config

    # Remembering the last board is a convenience: never fail the app for it.
    with contextlib.suppress(OSError):
        config.save_state(replace(config.load_state(), last_board_id=board_id))


def _remember_theme(theme: str, settings: Any) -> None:
    from trello_tui.config import settings as config

    with contextlib.suppress(OSError):
        config.save_state(config.remember_theme(config.load_state(), theme, settings))
