"""Every board binding, pressed in the running app against the sandbox.

Moves are checked twice: on screen (the focused column shows the card at the index) and in
the sandbox (the card is in that list, at that index, its pos strictly between neighbours').
"""

from __future__ import annotations

from pathlib import Path

from tests.ui.harness import assert_placed, running, settle, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.ui.commands import COMMANDS
from trello_tui.ui.screens.board import BoardScreen


def board(app: object) -> BoardScreen:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, BoardScreen)
    return screen


MOVES = [
    # key, start (column, row), expected (column delta, row or "same"/"top"/"bottom")
    ("greater_than_sign", (1, 2), (1, 2)),
    ("full_stop", (1, 2), (1, 2)),
    ("L", (1, 2), (1, 2)),
    ("less_than_sign", (1, 2), (-1, 2)),
    ("comma", (1, 2), (-1, 2)),
    ("H", (1, 2), (-1, 2)),
    ("J", (1, 2), (0, 3)),
    ("K", (1, 2), (0, 1)),
    ("T", (1, 2), (0, 0)),
    ("B", (1, 2), (0, -1)),
]


async def test_move_keys(tmp_path: Path) -> None:
    """Each move key, one after another on the same board (one app start keeps this fast)."""
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        for key, start, expected in MOVES:
            screen.view.focus_column(start[0], start[1])
            await pilot.pause()  # type: ignore[attr-defined]
            card_id = screen.view.focused_card_id
            assert card_id is not None
            await pilot.press(key)  # type: ignore[attr-defined]
            await settle(app, pilot)
            target = screen.view.columns[start[0] + expected[0]]
            row = expected[1] if expected[1] >= 0 else len(target.ids) - 1
            # on screen: the card is there and still focused
            assert target.ids[row] == card_id, key
            assert screen.view.focused_card_id == card_id, key
            # in Trello (the sandbox)
            assert_placed(sb, card_id, target.list_id, row)


async def test_move_to_picker_and_undo(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        screen.view.focus_column(0, 0)
        card_id = screen.view.focused_card_id
        assert card_id is not None
        done = screen.view.columns[4]
        await pilot.press("M")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press(*"Done", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert done.ids[0] == card_id
        assert_placed(sb, card_id, done.list_id, 0)
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        first = screen.view.columns[0]
        assert first.ids[0] == card_id
        assert_placed(sb, card_id, first.list_id, 0)


async def test_focus_keys(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        view = board(app).view
        view.focus_column(0, 0)
        cols = view.columns
        for key, column, row in [
            ("j", 0, 1), ("down", 0, 2), ("k", 0, 1), ("up", 0, 0),
            ("l", 1, 0), ("right", 2, 0), ("h", 1, 0), ("left", 0, 0),
            ("G", 0, len(cols[0].ids) - 1), ("g", 0, 0), ("end", 0, len(cols[0].ids) - 1),
            ("home", 0, 0),
        ]:  # fmt: skip
            await pilot.press(key)  # type: ignore[attr-defined]
            assert view.current is cols[column], key
            assert view.current.cursor == row, key


async def test_open_card(tmp_path: Path) -> None:
    from textual.widgets import Markdown

    from trello_tui.ui.screens.card import CardScreen

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        state = app.state
        assert state is not None
        card_id = next(c.id for c in state.cards.values() if c.desc and not c.closed)
        assert board(app).view.focus_card(card_id)
        await pilot.press("enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, CardScreen)
        assert app.screen.card_id == card_id
        assert app.screen.query_one("#card-desc", Markdown).source == state.cards[card_id].desc
        await pilot.press("escape")  # type: ignore[attr-defined]
        assert isinstance(app.screen, BoardScreen)


async def test_card_edit_keys(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        state = app.state
        assert state is not None
        screen = board(app)
        screen.view.focus_column(0, 0)
        card_id = screen.view.focused_card_id
        assert card_id is not None
        me = state.member_by_username(sb.credentials.me)
        assert me is not None
        had_me = me.id in state.cards[card_id].id_members
        await pilot.press("space")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert (me.id in sb.world.cards[card_id].id_members) is (not had_me)
        green = [lb.id for lb in state.labels.values() if lb.color == "green"]
        had_green = bool(set(green) & set(state.cards[card_id].id_labels))
        await pilot.press("1")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert bool(set(green) & set(sb.world.cards[card_id].id_labels)) is (not had_green)
        list_id = state.cards[card_id].id_list
        await pilot.press("c")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert sb.world.cards[card_id].closed
        assert card_id not in screen.view.columns[0].ids
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert not sb.world.cards[card_id].closed
        assert card_id in world_order(sb, list_id)


async def test_filters_help_and_boards(tmp_path: Path) -> None:
    from trello_tui.ui.screens.boards import BoardPicker
    from trello_tui.ui.screens.help import HelpScreen

    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        total = sum(len(c.ids) for c in screen.view.columns)
        await pilot.press("f")  # type: ignore[attr-defined]
        await pilot.press(*"#bug", "enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        state = app.state
        assert state is not None
        bug = next(lb.id for lb in state.labels.values() if lb.name == "Bug")
        shown = [cid for c in screen.view.columns for cid in c.ids]
        assert shown and all(bug in state.cards[cid].id_labels for cid in shown)
        assert "#bug" in screen.status.filter_text
        await pilot.press("x")  # type: ignore[attr-defined]
        assert sum(len(c.ids) for c in screen.view.columns) == total
        await pilot.press("q")  # type: ignore[attr-defined]
        me = state.member_by_username(sb.credentials.me)
        assert me is not None
        mine = [cid for c in screen.view.columns for cid in c.ids]
        assert mine and all(me.id in state.cards[cid].id_members for cid in mine)
        await pilot.press("x", "question_mark")  # type: ignore[attr-defined]
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "b")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        assert isinstance(app.screen, BoardPicker)


def test_every_binding_has_an_id_and_help() -> None:
    ids = [c.id for c in COMMANDS]
    assert len(ids) == len(set(ids))
    assert all(c.palette and c.footer for c in COMMANDS)


async def test_keymap_override(tmp_path: Path) -> None:
    from trello_tui.sync.state import BoardState
    from trello_tui.trello.models import Board
    from trello_tui.ui.app import TrelloApp

    b = Board.from_json(
        {
            "id": "b",
            "name": "B",
            "lists": [{"id": "l1", "name": "A", "pos": 1}, {"id": "l2", "name": "B", "pos": 2}],
            "cards": [{"id": "c1", "idList": "l1", "name": "x", "pos": 1}],
        }
    )
    app = TrelloApp(state=BoardState(b), keymap={"focus.right": "ctrl+right"})
    async with app.run_test() as pilot:
        view = board(app).view
        await pilot.press("ctrl+right")
        assert view.current is view.columns[1]
