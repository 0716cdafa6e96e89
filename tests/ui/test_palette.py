"""The command palette runs any command by name, including "jump to card"."""

from __future__ import annotations

import asyncio

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.help import HelpScreen

BOARD = Board.from_json(
    {
        "id": "b",
        "name": "B",
        "lists": [{"id": "l1", "name": "A", "pos": 1}, {"id": "l2", "name": "B", "pos": 2}],
        "cards": [
            {"id": "c1", "idList": "l1", "name": "first", "pos": 1},
            {"id": "c2", "idList": "l2", "name": "zebra crossing", "pos": 1},
        ],
    }
)


async def _until(check: object, tries: int = 100) -> None:
    for _ in range(tries):
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never held")


async def test_palette_runs_commands_and_jumps_to_cards() -> None:
    app = TrelloApp(state=BoardState(BOARD))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p", *"show every key")
        await pilot.pause()
        await pilot.press("enter")
        await _until(lambda: isinstance(app.screen, HelpScreen))
        await pilot.press("escape", "ctrl+p", *"jump to a card")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press(*"zebra")
        await pilot.pause()
        await pilot.press("enter")
        await _until(lambda: isinstance(app.screen, BoardScreen))
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        await _until(lambda: screen.view.focused_card_id == "c2")
