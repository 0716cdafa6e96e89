"""The first load has a deadline: a Trello that never answers is said so within it, and the
cached board stays on screen, usable, while the load carries on."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx

from tests.ui.harness import NOW, SIZE, demo_board_id, running
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen

DEADLINE_S = 1.0


class NeverAnswers(httpx.AsyncBaseTransport):
    """Takes every request and never answers (a server that accepted the connection)."""

    def __init__(self) -> None:
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def silent_app(sb: Sandbox, tmp_path: Path, transport: NeverAnswers, board: str) -> TrelloApp:
    creds = sb.credentials

    def client() -> TrelloClient:
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
    return TrelloApp(backend, board_key=board, clock=lambda: NOW, first_load_s=DEADLINE_S)


async def wait_for(condition: object, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        await asyncio.sleep(0.02)
    return bool(callable(condition) and condition())


def messages(app: TrelloApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_trello_silent_on_first_load_is_said_and_the_cache_stays(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, _):  # a first run fills the cache
        cached = {c.id for c in app.state.cards.values()} if app.state else set()
    assert cached
    transport = NeverAnswers()
    app = silent_app(sb, tmp_path, transport, demo_board_id(sb))
    async with asyncio.timeout(15):  # and it never freezes: not even on the way out
        async with app.run_test(size=SIZE) as pilot:
            said = f"Trello did not answer in {DEADLINE_S:g} s"
            started = time.monotonic()
            assert await wait_for(lambda: any(said in m for m in messages(app)), 5)
            # Within the deadline (and a little for a busy machine), not whenever httpx gives up.
            assert time.monotonic() - started < DEADLINE_S + 2.5
            assert transport.requests > 0  # it did ask
            assert app.state is not None and set(app.state.cards) == cached
            assert any("cached board" in m for m in messages(app)), messages(app)

            def status_says_so() -> bool:
                screen = app.screen
                return (
                    isinstance(screen, BoardScreen)
                    and screen.is_mounted
                    and screen.status.sync_text == f"{said} · showing the cache"
                )

            assert await wait_for(status_says_so, 3), app.sync_text()
            screen = app.screen
            assert isinstance(screen, BoardScreen)

            # Still answering keys: the focus moves on the cached board (read from the screen
            # shown at each moment: on a busy machine the board's screen can be swapped for the
            # engine's copy of the same cached board meanwhile).
            def focused() -> str | None:
                shown = app.screen
                return shown.view.focused_card_id if isinstance(shown, BoardScreen) else None

            async def a_key_moves_it() -> bool:
                for _ in range(10):  # a key that reached the swapped-out screen is pressed again
                    before = focused()
                    await pilot.press("j")
                    await pilot.pause(0.1)
                    if focused() not in (None, before):
                        return True
                return False

            assert await a_key_moves_it(), focused()


async def test_an_uncached_board_is_said_to_wait_for_trello(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    app = silent_app(sb, tmp_path, NeverAnswers(), demo_board_id(sb))
    async with asyncio.timeout(15):
        async with app.run_test(size=SIZE):
            said = f"Trello did not answer in {DEADLINE_S:g} s"
            assert await wait_for(lambda: any(said in m for m in messages(app)), 5)
            assert any("Nothing is cached" in m for m in messages(app)), messages(app)
            assert app.state is None


async def test_no_word_of_it_when_trello_answers_in_time(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        app.first_load.deadline_s = DEADLINE_S
        app.first_load.begin()  # as an opening does; the engine is already synced
        engine = app.backend.engine
        assert engine is not None
        assert await engine.refresh()  # Trello answers within the deadline
        await asyncio.sleep(DEADLINE_S + 0.3)
        await pilot.pause()  # type: ignore[attr-defined]
        assert not any("did not answer" in m for m in messages(app)), messages(app)
        assert app.first_load.status_text() is None
