"""The app itself, headless: the status line says live, a teammate's change shows at once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.webhooks.rig import FAST, served_sandbox, wait_for
from trello_tui.live.link import LiveLink
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen

pytestmark = pytest.mark.timeout(60)


async def test_status_line_shows_live_and_changes_arrive_within_a_second(tmp_path: Path) -> None:
    with served_sandbox() as (sb, url):
        creds = sb.credentials
        board_id = next(b.id for b in sb.world.boards.values() if b.name == "Product Roadmap")
        backend = Backend(
            lambda: TrelloClient(Credentials(creds.key, creds.token), base_url=url),
            Cache(tmp_path / "cache.sqlite3"),
            Outbox(tmp_path / "outbox.sqlite3"),
            me=creds.me,
        )
        backend.live = LiveLink(creds.secret, FAST)
        mate = TrelloClient(Credentials(creds.key, creds.tokens["sam"]), base_url=url)
        app = TrelloApp(backend, board_key=board_id, me=creds.me)
        try:
            async with app.run_test(size=(160, 45)) as pilot:

                def status_text() -> str:
                    screen = app.screen
                    return screen.status.sync_text if isinstance(screen, BoardScreen) else ""

                await wait_for(lambda: app.state is not None, within=15.0)
                await wait_for(lambda: status_text().endswith("· live"), within=10.0, step=0.05)
                state = app.state
                assert state is not None
                card = next(c for c in state.cards.values() if not c.closed)
                await mate.update_card(card.id, name="Changed by Sam just now")
                changed = time.monotonic()
                await wait_for(
                    lambda: (
                        app.state is not None
                        and app.state.cards[card.id].name == "Changed by Sam just now"
                    ),
                    within=1.0,
                )
                print(f"teammate change on screen after {time.monotonic() - changed:.3f} s")
                await pilot.pause()
                await asyncio.sleep(1.1)  # the status line refreshes every second
                assert status_text().endswith("· live")
        finally:
            await mate.aclose()
