"""Moves that Trello refuses roll back and say why; moves made offline stay, marked pending."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.ui.harness import assert_placed, running, settle
from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.board import BoardScreen


async def test_refused_move_rolls_back_and_says_why(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.view.focus_column(1, 2)
        await pilot.pause()  # type: ignore[attr-defined]
        card_id = screen.view.focused_card_id
        assert card_id is not None
        home = screen.view.columns[1]
        sb.faults.error_rate, sb.faults.error_status = 1.0, 400
        sb.faults.latency_s = 2.0  # time to see the optimistic move before the refusal
        await pilot.press("greater_than_sign")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert card_id in screen.view.columns[2].ids  # optimistic: moved at once
        await settle(app, pilot)
        assert home.ids[2] == card_id  # rolled back on screen
        assert_placed(sb, card_id, home.list_id, 2)  # and never moved in Trello
        messages = [n.message for n in app._notifications]
        assert any("Couldn't" in m for m in messages), messages


async def test_offline_move_stays_pending_then_lands(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        engine = app.backend.engine
        assert engine is not None
        engine.retry_delay_s = 0.1
        engine.max_retry_delay_s = 0.5  # retry soon once the sandbox is back
        screen.view.focus_column(1, 2)
        await pilot.pause()  # type: ignore[attr-defined]
        card_id = screen.view.focused_card_id
        assert card_id is not None
        target = screen.view.columns[2]
        sb.faults.error_rate, sb.faults.error_status = 1.0, 503
        await pilot.press("greater_than_sign")  # type: ignore[attr-defined]
        await asyncio.sleep(0.5)
        await pilot.pause()  # type: ignore[attr-defined]
        assert target.ids[2] == card_id
        assert engine.pending_ops()
        assert card_id in screen.face_context().pending
        assert "⟳&#160;pending" in app.export_screenshot()
        for _ in range(100):  # the status line follows the engine's status events
            if "pending" in screen.status.sync_text:
                break
            await asyncio.sleep(0.05)
        assert "pending" in screen.status.sync_text
        sb.faults.error_rate = 0.0
        await settle(app, pilot)
        assert_placed(sb, card_id, target.list_id, 2)
        assert card_id not in screen.face_context().pending


async def test_a_change_arriving_while_the_board_is_taken_down_is_ignored(
    tmp_path: Path,
) -> None:
    """A change that lands while the board screen is being removed (a board switch, a quit)
    used to raise NoScreen in the event handler and end the app."""
    from trello_tui.sync.state import BoardChange

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        state = app.state
        assert state is not None
        column = screen.view.columns[0]
        card_id, list_id = column.ids[0], column.list_id
        await screen.view.remove()  # what tearing the screen down does first
        assert screen.view.current is None and screen.view.focused_card_id is None
        change = BoardChange(state.id, cards=frozenset({card_id}), lists=frozenset({list_id}))
        await app.board_changed(change)
        await app.board_changed(BoardChange(state.id, structure=True))
        await pilot.pause()
        assert app.is_running
