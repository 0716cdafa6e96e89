"""``/`` finds cards on this board at once and on other boards through Trello's search."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.ui.harness import demo_board_id, running
from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.search import SearchScreen


async def test_search_local_then_other_board(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    roadmap = demo_board_id(sb)
    world = sb.world

    def mine(board_id: str) -> bool:
        board = world.boards[board_id]
        return world.me in board.members and not board.closed

    other = next(
        c
        for c in world.cards.values()
        if c.id_board != roadmap and not c.closed and mine(c.id_board)
    )
    async with running(sb, tmp_path) as (app, pilot):
        await pilot.press("slash", *other.name)  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, SearchScreen)
        await pilot.press("enter")  # type: ignore[attr-defined]  # ask Trello
        for _ in range(100):
            if app.screen.remote:
                break
            await asyncio.sleep(0.05)
        assert any(card.id == other.id for card, _ in app.screen.remote)
        results = app.screen.query_one("#search-results")
        index = next(
            i
            for i in range(results.option_count)  # type: ignore[attr-defined]
            if results.get_option_at_index(i).id == f"{other.id_board}:{other.id}"  # type: ignore[attr-defined]
        )
        results.highlighted = index  # type: ignore[attr-defined]
        await pilot.press("enter")  # type: ignore[attr-defined]
        for _ in range(200):
            screen = app.screen
            on_board = isinstance(screen, BoardScreen) and screen.state.id == other.id_board
            if on_board and screen.view.focused_card_id == other.id:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0.05)
        screen = app.screen
        assert isinstance(screen, BoardScreen) and screen.state.id == other.id_board
        assert screen.view.focused_card_id == other.id
