"""Helpers for the agenda and my-cards Pilot tests: a demo sandbox dated around the pinned
clock, a cache holding all of its boards, and ways to read the screens' rows."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from unittest import mock

import httpx

from tests.ui.harness import NOW
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.screens.across import CardsAcross
from trello_tui.ui.widgets.card_rows import Row


def pinned_sandbox() -> Sandbox:
    """The demo seed dates cards from time.time(): pin it to the app's clock."""
    with mock.patch("time.time", return_value=NOW.timestamp()):
        return Sandbox.create(seed="demo")


async def fill_cache(sb: Sandbox, tmp_path: Path) -> None:
    """Every open board of the user in the cache file the harness's app will open."""
    creds = sb.credentials
    transport = httpx.ASGITransport(app=sb.app)
    cache = Cache(tmp_path / "cache.sqlite3")
    async with TrelloClient(
        Credentials(key=creds.key, token=creds.token), sb.base_url, transport=transport
    ) as client:
        for board in await client.my_boards():
            if not board.closed:
                cache.save_board(await client.load_board(board.id))
    cache.close()


def board_id(sb: Sandbox, name: str) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == name)


async def open_across(app: TrelloApp, pilot: object, key: str) -> CardsAcross:
    """Press ``key`` on the board and wait for the screen's cache read and refresh."""
    await pilot.press(key)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 15
    while not (isinstance(app.screen, CardsAcross) and app.screen.rows_view.rows):
        assert time.monotonic() < deadline, f"{key} showed no rows"
        await asyncio.sleep(0.02)
    screen = app.screen
    await wait_loaded(screen, pilot)
    return screen


async def wait_loaded(screen: CardsAcross, pilot: object) -> None:
    deadline = time.monotonic() + 20
    while any(w.group == "across-load" and not w.is_finished for w in screen.workers):
        assert time.monotonic() < deadline, "the background refresh never ended"
        await asyncio.sleep(0.02)
    await pilot.pause()  # type: ignore[attr-defined]


async def settle_all(app: TrelloApp, pilot: object) -> None:
    """Every write of every engine (side ones included) confirmed, then a repaint."""
    deadline = time.monotonic() + 15
    while any(w.group == "across-write" and not w.is_finished for w in app.workers):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.02)
    for engine in app.backend.engines():
        assert await engine.settled(10)
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def find(screen: CardsAcross, card_id: str) -> tuple[int, Row]:
    for index, row in enumerate(screen.rows_view.rows):
        if row.card is not None and row.card.id == card_id:
            return index, row
    raise AssertionError(f"{card_id} is not on screen")


def heading_above(screen: CardsAcross, index: int, level: int = 1) -> str:
    """The text of the nearest heading of ``level`` above row ``index``."""
    for row in reversed(screen.rows_view.rows[:index]):
        if row.card is None and row.level == level:
            return row.text.rsplit(" (", 1)[0]
    raise AssertionError("no heading above")


def shown_text(screen: CardsAcross, index: int) -> str:
    """What row ``index`` draws on screen (the line API's own output)."""
    view = screen.rows_view
    view.scroll_to(y=max(0, index - 2), animate=False, immediate=True)
    return "".join(s.text for s in view.render_line(index - int(view.scroll_offset.y)))
