"""A token Trello refuses (revoked, expired) after a good session: the cached board still
shows, and the notification says what to do — never a bare 401."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import httpx

from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen


async def test_refused_token_keeps_the_cached_board_and_names_the_fix(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    w = sb.world
    board_id = next(b.id for b in w.boards.values() if b.name == "Product Roadmap")
    cache = Cache(tmp_path / "cache.sqlite3")
    transport = httpx.ASGITransport(app=sb.app)
    async with TrelloClient(
        Credentials(w.key, sb.credentials.token), sb.base_url, transport=transport
    ) as good:
        cache.save_board(await good.load_board(board_id))

    def revoked() -> TrelloClient:
        return TrelloClient(
            Credentials(w.key, secrets.token_hex(32)),
            sb.base_url,
            transport=httpx.ASGITransport(app=sb.app),
        )

    backend = Backend(revoked, cache, Outbox(tmp_path / "outbox.sqlite3"), poll=False)
    app = TrelloApp(backend, board_key=board_id)
    async with app.run_test(size=(160, 45)) as pilot:
        deadline = time.monotonic() + 15
        expected = (
            "Trello refused the token (401 invalid token): it is mistyped, revoked or expired. "
            "Fix: run `trello-tui auth` to get a new token (paste the token, not the app secret)"
        )
        while expected not in [n.message for n in app._notifications]:
            assert time.monotonic() < deadline, [n.message for n in app._notifications]
            await asyncio.sleep(0.02)
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)  # the cached board is still shown
        assert app.screen.state.board.name == "Product Roadmap"
