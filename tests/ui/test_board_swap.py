"""A board that arrives while a prompt is open over the board waits until it is closed.

Found by the chaos machine: at start-up the engine's board replaces the one painted from
the cache. When the user had already opened a prompt (``t``, ``d``, the composer), the new
board was pushed over it, and what they typed next went to the board as shortcuts — a due
date's digits toggled labels and its ``-`` opened a new checklist.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.harness import running, settle
from trello_tui.sandbox import Sandbox
from trello_tui.sync.state import BoardState
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.pickers import TextPrompt


async def test_a_board_arriving_while_a_prompt_is_open_leaves_the_typing_to_it(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create("demo")
    async with running(sb, tmp_path) as (app, pilot):
        shown = app.screen
        assert isinstance(shown, BoardScreen) and app.state is not None
        card_id = shown.view.focused_card_id
        assert card_id is not None
        labels = list(sb.world.cards[card_id].id_labels)
        await pilot.press("t")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, TextPrompt)
        arriving = BoardState(app.state.to_board())  # (as the engine's board at start-up)
        app.show_board(arriving)
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, TextPrompt), "the prompt keeps the keyboard"
        await pilot.press("ctrl+u", *"Due 2026-12-24", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and board is not shown, "replaced once closed"
        engine = app.backend.engine
        assert engine is not None and board.state is engine.state
        assert sb.world.cards[card_id].name == "Due 2026-12-24"
        assert list(sb.world.cards[card_id].id_labels) == labels  # no digit became a label
        assert [s for s in app.screen_stack if isinstance(s, BoardScreen)] == [board]
