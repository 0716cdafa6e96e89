"""A token without the write scope: the board opens, a move is refused on screen with the
reason, and no write request reaches Trello (the sandbox's own request counts prove it)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from trello_tui.sandbox import Sandbox
from trello_tui.sandbox.oauth import issue_token
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.trello.auth import Credentials
from trello_tui.trello.client import TrelloClient
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.backend import Backend
from trello_tui.ui.screens.board import BoardScreen

REASON = (
    "Read-only: this token was granted without the write scope (scope: read). "
    "Run `trello-tui auth` and approve read,write to edit"
)


def messages(app: TrelloApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_read_only_token_opens_the_board_and_refuses_a_move_locally(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    w = sb.world
    token = issue_token(w, w.members[w.me], scope="read", expiration="30days").token
    board_id = next(b.id for b in w.boards.values() if b.name == "Product Roadmap")

    def client() -> TrelloClient:
        transport = httpx.ASGITransport(app=sb.app)
        return TrelloClient(Credentials(w.key, token), sb.base_url, transport=transport)

    backend = Backend(
        client,
        Cache(tmp_path / "cache.sqlite3"),
        Outbox(tmp_path / "outbox.sqlite3"),
        me=sb.credentials.me,
        poll=False,
    )
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    app = TrelloApp(backend, board_key=board_id, me=sb.credentials.me, clock=lambda: now)
    async with app.run_test(size=(160, 45)) as pilot:
        deadline = time.monotonic() + 15
        while not (
            backend.engine is not None
            and backend.engine.state is not None
            and app.state is backend.engine.state
            and isinstance(app.screen, BoardScreen)
        ):
            assert time.monotonic() < deadline, "the board never opened"
            await asyncio.sleep(0.02)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        assert backend.read_only == REASON
        assert REASON in messages(app)  # said once when the board opened
        assert len(screen.view.columns) >= 3  # the board is there, cards and all

        screen.view.focus_column(1, 2)
        await pilot.pause()
        card_id = screen.view.focused_card_id
        assert card_id is not None
        list_before = w.cards[card_id].id_list
        shown_before = list(screen.view.columns[1].ids)
        reads_before = sb.stats["requests"]

        await pilot.press("greater_than_sign")  # move to the next list
        await pilot.press("J")  # and down
        await pilot.pause()

        assert messages(app).count(REASON) >= 2  # the refusal, with the reason, on screen
        assert list(screen.view.columns[1].ids) == shown_before  # nothing moved locally
        assert backend.engine.pending_ops() == []
    # Trello saw no write at all: every request of the session was a GET
    routes = sb.stats["routes"]
    assert routes and all(name.startswith("GET ") for name in routes), routes
    assert w.cards[card_id].id_list == list_before
    assert sb.stats["requests"] >= reads_before
