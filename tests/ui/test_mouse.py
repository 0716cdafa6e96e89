"""The mouse: a click focuses a card, a double click opens it, a drag moves it where dropped."""

from __future__ import annotations

from pathlib import Path

from textual.geometry import Offset

from tests.ui.harness import assert_placed, running, settle
from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.board import BoardScreen


async def test_click_double_click_and_drag(tmp_path: Path) -> None:
    from trello_tui.ui.screens.card import CardScreen

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        source, target = screen.view.columns[0], screen.view.columns[1]
        top, _ = source.card_region(1)
        await pilot.click(source, offset=Offset(3, top + 1))  # type: ignore[attr-defined]
        assert screen.view.current is source and source.cursor == 1
        card_id = source.cursor_id
        assert card_id is not None
        await pilot.click(source, offset=Offset(3, top + 1), times=2)  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, CardScreen) and app.screen.card_id == card_id
        await pilot.press("escape")  # type: ignore[attr-defined]
        # drag the card onto the third card of the next list: it lands at row 2 there
        drop_y, _ = target.card_region(2)
        await pilot.mouse_down(source, offset=Offset(3, top + 1))  # type: ignore[attr-defined]
        await pilot.mouse_up(target, offset=Offset(3, drop_y + 1))  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert target.ids[2] == card_id
        assert_placed(sb, card_id, target.list_id, 2)
