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


async def test_card_detail_checklist_and_comment(tmp_path: Path) -> None:
    from trello_tui.ui.screens.card import CardScreen

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.view.focus_column(0, 1)
        await pilot.pause()  # type: ignore[attr-defined]
        card_id = screen.view.focused_card_id
        assert card_id is not None
        await pilot.press("enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, CardScreen)
        await pilot.press("minus", "ctrl+u", *"Launch", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        mine = [c for c in sb.world.checklists.values() if c.id_card == card_id]
        launch = next(c for c in mine if c.name == "Launch")
        items = app.screen.query_one("#check-items")
        heading = next(
            i
            for i in range(items.option_count)  # type: ignore[attr-defined]
            if items.get_option_at_index(i).id == launch.id  # type: ignore[attr-defined]
        )
        items.highlighted = heading  # type: ignore[attr-defined]
        await pilot.press("plus", *"Ship it", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert [i.name for i in sb.world.checklists[launch.id].items] == ["Ship it"]
        items.highlighted = heading + 1  # type: ignore[attr-defined]
        await pilot.press("space")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert sb.world.checklists[launch.id].items[0].state == "complete"
        before = sb.world.cards[card_id].comments
        await pilot.press("C", *"Looks good", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert sb.world.cards[card_id].comments == before + 1
