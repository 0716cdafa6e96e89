"""``M`` to a list on another board: the picker groups other boards' lists under their names;
the pick sends one write, the card leaves this board at once and lands on the other board in
the sandbox; ``z`` brings it back to its list and place.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from textual.widgets import OptionList

from tests.ui.harness import assert_placed, running, settle, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.pickers import MoveTargetPicker

PUT = "PUT /cards/{id}"


def board_named(sb: Sandbox, name: str) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == name)


def list_named(sb: Sandbox, board_id: str, name: str) -> str:
    board = sb.world.boards[board_id]
    return next(i for i in board.list_ids if sb.world.lists[i].name == name)


async def open_picker(app: object, pilot: object) -> MoveTargetPicker:
    await pilot.press("M")  # type: ignore[attr-defined]
    deadline = time.monotonic() + 10
    while True:
        screen = app.screen  # type: ignore[attr-defined]
        if isinstance(screen, MoveTargetPicker) and screen.loaded:
            break
        assert time.monotonic() < deadline, "the other boards never arrived"
        await asyncio.sleep(0.02)
    await pilot.pause()  # type: ignore[attr-defined]
    return screen


async def test_move_to_another_board_and_undo(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    personal = board_named(sb, "Personal")
    today = list_named(sb, personal, "Today")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.view.focus_column(1, 0)
        await pilot.pause()  # type: ignore[attr-defined]
        card_id = screen.view.focused_card_id
        assert card_id is not None
        source = screen.view.columns[1]
        source_list, below = source.list_id, source.ids[1]
        name = screen.state.cards[card_id].name

        picker = await open_picker(app, pilot)
        # this board's lists first, then the other open boards', under their names
        # (prompts are Content, never markup: a heading is a disabled option, in bold)
        options = picker.query_one(OptionList)
        shown = [options.get_option_at_index(i) for i in range(options.option_count)]
        headings = [o.prompt.plain for o in shown if o.disabled]
        assert all(
            [str(span.style) for span in o.prompt.spans] == ["bold"] for o in shown if o.disabled
        )
        assert headings[0] == "Product Roadmap"
        assert {"Website Relaunch", "Personal"} <= set(headings)
        assert "Archived Ideas" not in headings  # closed boards are not offered
        assert set(picker.board_names) == {board_named(sb, "Website Relaunch"), personal}

        puts = sb.stats_data.requests_by_route[PUT]
        await pilot.press(*"personal today", "enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        # on screen at once: gone from this board, the focus on the card that was below it
        assert card_id not in screen.state.cards
        assert card_id not in source.ids and source.ids[0] == below
        await settle(app, pilot)
        assert screen.view.focused_card_id == below
        # in Trello: one request, on the other board, at the bottom of its list
        assert sb.stats_data.requests_by_route[PUT] == puts + 1
        moved = sb.world.cards[card_id]
        assert (moved.id_board, moved.id_list) == (personal, today)
        order = world_order(sb, today)
        assert order[-1] == card_id
        assert sb.world.cards[order[-2]].pos < moved.pos
        assert card_id not in world_order(sb, source_list)
        assert any(f"Moved '{name}' to 'Personal'" in n.message for n in app._notifications)

        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert source.ids[0] == card_id  # back on screen, at its place
        assert_placed(sb, card_id, source_list, 0)
        assert sb.world.cards[card_id].id_board == screen.state.id


async def test_move_to_a_board_that_refuses_rolls_back_and_says_why(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        screen.view.focus_column(0, 0)
        await pilot.pause()  # type: ignore[attr-defined]
        card_id = screen.view.focused_card_id
        assert card_id is not None
        name = screen.state.cards[card_id].name
        personal = board_named(sb, "Personal")
        picker = await open_picker(app, pilot)
        assert personal in picker.board_names
        # we became an observer of that board meanwhile: Trello refuses the write
        sb.world.boards[personal].members[sb.world.me] = "observer"
        await pilot.press(*"personal today", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert screen.view.columns[0].ids[0] == card_id  # back where it was
        assert sb.world.cards[card_id].id_board == screen.state.id
        messages = [n.message for n in app._notifications]
        assert any(m.startswith(f"Couldn't move '{name}' to 'Personal': ") for m in messages)
