"""Card edits from the board (title, due, new card, labels/members pickers) land in the sandbox."""

from __future__ import annotations

from pathlib import Path

from tests.ui.harness import running, settle, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.board import BoardScreen


async def test_title_due_and_new_card(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.view.focus_column(0, 0)
        card_id = screen.view.focused_card_id
        assert card_id is not None
        await pilot.press("t")  # type: ignore[attr-defined]
        await pilot.press("ctrl+u", *"Renamed", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert sb.world.cards[card_id].name == "Renamed"
        await pilot.press("d", *"2026-12-24", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert (sb.world.cards[card_id].due or "").startswith("2026-12-24")
        list_id = screen.view.columns[0].list_id
        await pilot.press("n", *"Brand new", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        order = world_order(sb, list_id)
        assert sb.world.cards[order[1]].name == "Brand new"
        state = app.state
        assert state is not None
        assert state.cards[screen.view.columns[0].ids[1]].name == "Brand new"
