"""Building the app on a sandbox for Pilot tests: in-process (ASGI transport), one event loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tests.sync.harness import world_order
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen

SIZE = (160, 45)
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def demo_board_id(sb: Sandbox) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == "Product Roadmap")


def assert_placed(sb: Sandbox, card_id: str, list_id: str, index: int) -> None:
    """The card is in ``list_id`` at ``index`` and its pos lies strictly between its neighbours'."""
    order = world_order(sb, list_id)
    assert sb.world.cards[card_id].id_list == list_id
    assert order.index(card_id) == index
    pos = sb.world.cards[card_id].pos
    if index > 0:
        assert sb.world.cards[order[index - 1]].pos < pos
    if index + 1 < len(order):
        assert pos < sb.world.cards[order[index + 1]].pos


@asynccontextmanager
async def running(
    sb: Sandbox,
    tmp_path: Path,
    *,
    notifications: bool = False,
) -> AsyncIterator[tuple[TrelloApp, object]]:
    """The app on the demo board, its engine loaded; yields (app, pilot).

    ``notifications`` shows toasts as widgets (Pilot leaves them out by default)."""
    creds = sb.credentials

    def client() -> TrelloClient:
        transport = httpx.ASGITransport(app=sb.app)
        return TrelloClient(
            Credentials(key=creds.key, token=creds.token), sb.base_url, transport=transport
        )

    backend = Backend(
        client,
        Cache(tmp_path / "cache.sqlite3"),
        Outbox(tmp_path / "outbox.sqlite3"),
        me=creds.me,
        poll=False,
    )
    app = TrelloApp(backend, board_key=demo_board_id(sb), me=creds.me, clock=lambda: NOW)
    async with app.run_test(size=SIZE, notifications=notifications) as pilot:
        deadline = time.monotonic() + 15
        while not (
            backend.engine is not None
            and backend.engine.state is not None
            and app.state is backend.engine.state
            and isinstance(app.screen, BoardScreen)
            and app.screen.is_mounted
        ):
            assert time.monotonic() < deadline, "the board never loaded"
            await asyncio.sleep(0.02)
        await pilot.pause()
        yield app, pilot


async def settle(app: TrelloApp, pilot: object) -> None:
    engine = app.backend.engine
    assert engine is not None
    assert await engine.settled(10)
    await pilot.pause()  # type: ignore[attr-defined]
