"""Bulk actions in the running app against the sandbox: marks, then one key for every card.

Each test marks cards with the real keys, acts on them, and checks the sandbox (every card
changed, once, in order) and the screen (columns, status line, the mark bar).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.ui.harness import running, settle, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.widgets.column import CardColumn


def board(app: TrelloApp) -> BoardScreen:
    screen = app.screen
    assert isinstance(screen, BoardScreen)
    return screen


def card_text(column: CardColumn, card_id: str) -> str:
    """The first painted line of a card in a column (the card must be on screen)."""
    top, _ = column.card_region(column.ids.index(card_id))
    y = top - int(column.scroll_offset.y)
    assert 0 <= y < column.size.height
    return column.render_line(y).text


async def mark_rows(app: TrelloApp, pilot: object, column: int, rows: list[int]) -> list[str]:
    """Mark these rows of a column with ``v``; returns the marked ids, top to bottom."""
    screen = board(app)
    marked = []
    for row in rows:
        screen.view.focus_column(column, row)
        await pilot.pause()  # type: ignore[attr-defined]
        card_id = screen.view.focused_card_id
        assert card_id is not None
        await pilot.press("v")  # type: ignore[attr-defined]
        marked.append(card_id)
    return marked


def requests(sb: Sandbox) -> int:
    return int(sb.stats["requests"])


async def test_mark_keys_show_marks_and_send_nothing(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        first = screen.view.columns[0]
        sent = requests(sb)
        marked = await mark_rows(app, pilot, 0, [0, 2])
        assert screen.card_marks == set(marked)
        assert screen.status.marked == 2 and "2 marked" in str(screen.status.render())
        assert card_text(first, marked[0]).startswith("▌")
        unmarked = first.ids[1]
        assert not card_text(first, unmarked).startswith("▌")
        # v again unmarks the focused card
        await pilot.press("v")  # type: ignore[attr-defined]
        assert screen.card_marks == {marked[0]}
        assert not card_text(first, marked[1]).startswith("▌")
        # V marks every card the filter shows (and only those)
        await pilot.press("f")  # type: ignore[attr-defined]
        await pilot.press(*"#bug", "enter")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        shown = {cid for column in screen.view.columns for cid in column.ids}
        assert shown
        await pilot.press("V")  # type: ignore[attr-defined]
        assert screen.card_marks == shown | {marked[0]}
        assert f"{len(screen.card_marks)} marked" in str(screen.status.render())
        # escape clears every mark, on screen too
        await pilot.press("escape")  # type: ignore[attr-defined]
        assert screen.card_marks == set() and screen.status.marked == 0
        assert "marked" not in str(screen.status.render())
        await pilot.press("x")  # type: ignore[attr-defined]
        assert not card_text(first, marked[0]).startswith("▌")
        await pilot.pause()  # type: ignore[attr-defined]
        assert requests(sb) == sent  # marking is local


async def test_bulk_move_right_then_picker_keeps_order_and_one_undo_restores(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        cols = screen.view.columns
        source, right, done = cols[0].list_id, cols[1].list_id, cols[4].list_id
        source_before, right_before = world_order(sb, source), world_order(sb, right)
        marked = await mark_rows(app, pilot, 0, [5, 1, 3])
        in_order = [cid for cid in source_before if cid in marked]
        screen.view.focus_column(0, 1)
        await pilot.press("greater_than_sign")  # type: ignore[attr-defined]
        await settle(app, pilot)
        # In Trello: at the bottom of the list on the right, in their order, once each.
        assert world_order(sb, right) == right_before + in_order
        assert world_order(sb, source) == [c for c in source_before if c not in marked]
        # On screen, with the focus following its card and the marks kept.
        assert screen.view.columns[1].ids[-3:] == in_order
        assert screen.view.focused_card_id == source_before[1]
        assert screen.card_marks == set(marked)
        # M: a list of this board, picked; they go to its bottom, still in order.
        done_before = world_order(sb, done)
        await pilot.press("M")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press(*"Done", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert world_order(sb, done) == done_before + in_order
        assert screen.view.columns[4].ids[-3:] == in_order
        # One z undoes the whole picker move, the next the move right.
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert world_order(sb, done) == done_before
        assert world_order(sb, right) == right_before + in_order
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert world_order(sb, source) == source_before
        assert world_order(sb, right) == right_before
        assert screen.view.columns[0].ids == source_before
        assert sb.stats["429"] == 0


async def test_bulk_labels_members_and_due(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        state = app.state
        assert state is not None
        screen = board(app)
        marked = await mark_rows(app, pilot, 2, [0, 1, 2])
        world = sb.world.cards
        # 1: the green label on every marked card, then off every one.
        green = app.label_for_color("green")
        assert green is not None
        await pilot.press("1")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert all(green.id in world[c].id_labels for c in marked)
        await pilot.press("1")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert not any(green.id in world[c].id_labels for c in marked)
        # #: a label picked by name.
        await pilot.press("number_sign")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press(*"Tech debt", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        debt = next(lb.id for lb in state.labels.values() if lb.name == "Tech debt")
        assert all(debt in world[c].id_labels for c in marked)
        assert all(debt in state.cards[c].id_labels for c in marked)
        # space: me on every card; m: a member picked by name.
        me = state.member_by_username(sb.credentials.me)
        assert me is not None
        had_me = all(me.id in world[c].id_members for c in marked)
        await pilot.press("space")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert all((me.id in world[c].id_members) is not had_me for c in marked)
        other = next(m for m in state.members.values() if m.id != me.id)
        had_other = all(other.id in world[c].id_members for c in marked)
        await pilot.press("m")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press(*other.username, "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert all((other.id in world[c].id_members) is not had_other for c in marked)
        # d: one due date for all.
        dues_before = {c: world[c].due for c in marked}
        await pilot.press("d")  # type: ignore[attr-defined]
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.press(*"2026-12-01", "enter")  # type: ignore[attr-defined]
        await settle(app, pilot)
        dues = {world[c].due for c in marked}
        assert len(dues) == 1 and None not in dues
        # as the single-card prompt parses it: noon on that day, on the app's clock (UTC)
        assert {state.cards[c].due for c in marked} == {datetime(2026, 12, 1, 12, tzinfo=UTC)}
        # z undoes the due dates of all three at once.
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert {c: world[c].due for c in marked} == dues_before
        assert screen.card_marks == set(marked)
        assert sb.stats["429"] == 0


async def test_bulk_move_left_then_archive_and_undo(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        list_id = screen.view.columns[3].list_id
        left = screen.view.columns[2].list_id
        before, left_before = world_order(sb, list_id), world_order(sb, left)
        marked = await mark_rows(app, pilot, 3, [0, 4, 2])
        in_order = [c for c in before if c in marked]
        # <: to the bottom of the list on the left, in order; z brings them back.
        await pilot.press("less_than_sign")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert world_order(sb, left) == left_before + in_order
        assert screen.view.columns[2].ids[-3:] == in_order
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert world_order(sb, list_id) == before and world_order(sb, left) == left_before
        screen.view.focus_column(3, 0)
        await pilot.pause()  # type: ignore[attr-defined]
        # c: every marked card archived; the marks go with them.
        await pilot.press("c")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert all(sb.world.cards[c].closed for c in marked)
        assert not set(marked) & set(screen.view.columns[3].ids)
        assert screen.card_marks == set() and screen.status.marked == 0
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        assert not any(sb.world.cards[c].closed for c in marked)
        assert world_order(sb, list_id) == before
        assert screen.view.columns[3].ids == before


async def test_a_move_that_respaces_its_neighbours_is_one_undo_step(tmp_path: Path) -> None:
    from trello_tui.sandbox import ops as world_ops

    sb = Sandbox.create(seed="demo")
    board_id = next(b.id for b in sb.world.boards.values() if b.name == "Product Roadmap")
    tight = world_ops.create_list(sb.world, sb.world.me, sb.world.boards[board_id], "Tight", 1e9)
    for i in range(4):  # 0.2 apart: no room between two of them (Trello needs 0.125 each side)
        world_ops.create_card(sb.world, sb.world.me, tight, {"name": f"T{i}", "pos": 1.0 + i / 5})
    before = {c: sb.world.cards[c].pos for c in world_order(sb, tight.id)}
    async with running(sb, tmp_path) as (app, pilot):
        screen = board(app)
        column = screen.view.column_for(tight.id)
        assert column is not None
        screen.view.focus_column(screen.view.columns.index(column), 2)
        await pilot.pause()  # type: ignore[attr-defined]
        moved = column.cursor_id
        await pilot.press("K")  # type: ignore[attr-defined]
        await settle(app, pilot)
        order = world_order(sb, tight.id)
        assert order.index(moved) == 1  # type: ignore[arg-type]
        assert sum(sb.world.cards[c].pos != before[c] for c in order) > 1  # neighbours moved
        await pilot.press("z")  # type: ignore[attr-defined]
        await settle(app, pilot)
        # Every card back in its place, each within the half unit a card is sent off the
        # whole numbers by (sync/placing.py off_grid), all in one undo step.
        assert world_order(sb, tight.id) == list(before)
        after = {c: sb.world.cards[c].pos for c in world_order(sb, tight.id)}
        assert all(abs(after[c] - before[c]) <= 0.5 for c in before), (after, before)
        assert column.ids == list(before)
