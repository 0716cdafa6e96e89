"""The agenda (``a``) against the sandbox: every key, checked on screen and in Trello.

The demo seed is dated around the harness's pinned clock, and the cache holds every board
of the user, so the agenda shows cards of three boards in all its groups.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

from tests.ui.across import (
    board_id,
    fill_cache,
    find,
    heading_above,
    open_across,
    pinned_sandbox,
    settle_all,
    shown_text,
    wait_loaded,
)
from tests.ui.harness import NOW, demo_board_id, running
from trello_tui.trello.models import Card, parse_date
from trello_tui.ui.app import TrelloApp
from trello_tui.ui.screens.agenda import GROUPS, AgendaScreen, group_of
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.widgets.card_rows import CardRows
from trello_tui.ui.widgets.month_grid import MonthGrid


def _expected_ids(sb: object) -> set[str]:
    """Open cards with a due date, in open lists of the user's open boards (the sandbox)."""
    world = sb.world  # type: ignore[attr-defined]
    me = world.me
    boards = {b.id for b in world.boards.values() if not b.closed and me in b.members}
    return {
        c.id
        for c in world.cards.values()
        if c.due and not c.closed and c.id_board in boards and not world.lists[c.id_list].closed
    }


async def test_groups_and_focus_keys(tmp_path: Path) -> None:
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "a")
        assert isinstance(screen, AgendaScreen)
        rows = screen.rows_view.rows
        cards = [r for r in rows if r.card is not None]
        # every due card of the cached boards, from several boards, each under its group
        assert {r.card.id for r in cards if r.card} == _expected_ids(sb)
        assert {r.where.split(" › ")[0] for r in cards} >= {
            "Product Roadmap",
            "Website Relaunch",
            "Personal",
        }
        headings = [r.text.rsplit(" (", 1)[0] for r in rows if r.card is None]
        assert headings == [g for g in GROUPS if g in headings]
        assert set(headings) >= {"Overdue", "Today", "This week", "Later", "Done"}
        for index, row in enumerate(rows):
            if row.card is not None:
                assert heading_above(screen, index) == group_of(row.card, NOW)
        # on screen: the row shows its name, board › list and due date
        first = screen.rows_view.cursor
        text = shown_text(screen, first)
        card = rows[first].card
        assert card is not None and card.name[:20] in text and rows[first].where in text
        assert f"{card.due:%b} {card.due.day}" in text if card.due else False
        order = screen.rows_view.card_rows
        for key, expected in [
            ("j", order[1]),
            ("down", order[2]),
            ("k", order[1]),
            ("up", order[0]),
            ("G", order[-1]),
            ("g", order[0]),
            ("end", order[-1]),
            ("home", order[0]),
        ]:
            await pilot.press(key)
            assert screen.rows_view.cursor == expected, key
        await pilot.press("pagedown")
        assert screen.rows_view.cursor > order[5]
        await pilot.press("pageup")
        assert screen.rows_view.cursor == order[0]
        # escape returns to the board
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert app.screen.state.id == demo_board_id(sb)
        # opened again within a minute: painted from the cache, no board reloaded; r reloads
        before = sum(sb.stats_data.requests_by_token.values())
        screen = await open_across(app, pilot, "a")
        assert sum(sb.stats_data.requests_by_token.values()) == before
        await pilot.press("r")
        await pilot.pause()
        await wait_loaded(screen, pilot)
        assert sum(sb.stats_data.requests_by_token.values()) > before


async def test_complete_reschedule_and_undo_on_another_board(tmp_path: Path) -> None:
    """Writes to a board that is not open go through a side engine: optimistic, confirmed."""
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    site = board_id(sb, "Website Relaunch")
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "a")
        row = next(
            r
            for r in screen.rows_view.rows
            if r.card is not None and r.board_id == site and group_of(r.card, NOW) == "Overdue"
        )
        assert row.card is not None
        card_id = row.card.id
        assert screen.rows_view.select(card_id)
        await pilot.press("D")
        await settle_all(app, pilot)
        assert sb.world.cards[card_id].due_complete
        index, now_row = find(screen, card_id)
        assert now_row.card is not None and now_row.card.due_complete
        assert heading_above(screen, index) == "Done"
        assert "✓" in shown_text(screen, index)
        assert app.backend.engine is not None and app.backend.engine.board_id != site
        # z undoes it, on that board's engine
        await pilot.press("z")
        await settle_all(app, pilot)
        assert not sb.world.cards[card_id].due_complete
        assert heading_above(screen, find(screen, card_id)[0]) == "Overdue"
        # d reschedules with the board's natural dates
        assert screen.rows_view.select(card_id)
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"tomorrow", "enter")
        await settle_all(app, pilot)
        due = parse_date(sb.world.cards[card_id].due)
        assert due == (NOW + timedelta(days=1)).replace(hour=12, minute=0)
        index, now_row = find(screen, card_id)
        assert heading_above(screen, index) == "This week"
        assert f"{due:%b} {due.day}" in shown_text(screen, index)
        # D on a complete card clears it again (a toggle)
        await pilot.press("D")
        await settle_all(app, pilot)
        assert sb.world.cards[card_id].due_complete
        await pilot.press("D")
        await settle_all(app, pilot)
        assert not sb.world.cards[card_id].due_complete
        # a write to a board with no engine yet, then leaving at once: it still lands
        personal = board_id(sb, "Personal")
        row = next(r for r in screen.rows_view.rows if r.card and r.board_id == personal)
        assert row.card is not None and app.backend.live_engine(personal) is None
        was = sb.world.cards[row.card.id].due_complete
        assert screen.rows_view.select(row.card.id)
        await pilot.press("D", "escape")
        assert isinstance(app.screen, BoardScreen)
        await settle_all(app, pilot)
        assert sb.world.cards[row.card.id].due_complete is not was


async def test_move_keys_move_on_the_cards_own_board(tmp_path: Path) -> None:
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    site = board_id(sb, "Website Relaunch")
    lists = sorted(
        (lst for lst in sb.world.lists.values() if lst.id_board == site),
        key=lambda lst: lst.pos,
    )
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "a")
        row = next(
            r
            for r in screen.rows_view.rows
            if r.card is not None and r.board_id == site and r.card.id_list == lists[0].id
        )
        assert row.card is not None
        card_id = row.card.id
        for key, target in [
            ("greater_than_sign", 1),
            ("full_stop", 2),
            ("less_than_sign", 1),
            ("comma", 0),
            ("L", 1),
            ("H", 0),
        ]:
            assert screen.rows_view.select(card_id)
            await pilot.press(key)
            await settle_all(app, pilot)
            assert sb.world.cards[card_id].id_list == lists[target].id, key
            index, shown = find(screen, card_id)
            assert shown.where == f"Website Relaunch › {lists[target].name}", key
            assert shown.where in shown_text(screen, index)


async def test_click_selects_and_double_click_opens_the_card_on_its_board(
    tmp_path: Path,
) -> None:
    """(``enter`` does the same: tests/ui/test_mine.py opens a card with it.)"""
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    personal = board_id(sb, "Personal")
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "a")
        index, row = next(
            (i, r) for i, r in enumerate(screen.rows_view.rows) if r.card and r.board_id == personal
        )
        assert row.card is not None and index < 30  # on the first page: clickable
        await pilot.click(CardRows, offset=(30, index))
        await pilot.pause()
        assert screen.rows_view.current_card_id == row.card.id
        await pilot.click(CardRows, offset=(30, index), times=2)
        deadline = time.monotonic() + 15
        while not (
            isinstance(app.screen, BoardScreen)
            and app.screen.is_mounted
            and app.screen.state.id == personal
            and app.backend.engine is not None
            and app.backend.engine.board_id == personal
            and app.screen.state is app.backend.engine.state
        ):
            assert time.monotonic() < deadline, "the card's board never opened"
            await asyncio.sleep(0.02)
        while app.screen.view.focused_card_id != row.card.id:
            assert time.monotonic() < deadline, "the card was not focused on its board"
            await asyncio.sleep(0.02)


async def test_month_grid_keys(tmp_path: Path) -> None:
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "a")
        assert isinstance(screen, AgendaScreen)
        await pilot.press("C")
        await pilot.pause()
        assert screen.month_view and screen.grid.display and not screen.rows_view.display
        assert screen.month == NOW.date().replace(day=1)
        lines = ["".join(s.text for s in screen.grid.render_line(y)) for y in range(45)]
        assert "November 2026" in lines[0]
        current = screen.rows_view.current
        assert current is not None and current.card is not None
        assert current.card.due is not None and current.card.due.date() >= NOW.date()
        assert any(current.card.name[:8] in line for line in lines)

        # a click on a card in the grid puts the cursor on it
        def label(card: Card) -> str:
            return ("✓" if card.due_complete else "•") + card.name[:6]

        every = [label(r.card) for r in screen.chronological() if r.card]
        target = None
        for candidate in screen.chronological():
            card = candidate.card
            if card is None or card.id == current.card.id or every.count(label(card)) > 1:
                continue
            found = [
                (y, line.index(label(card))) for y, line in enumerate(lines) if label(card) in line
            ]
            if len(found) == 1:
                target = (card.id, found[0])
                break
        assert target is not None
        clicked, (y, x) = target
        await pilot.click(MonthGrid, offset=(x + 1, y))
        await pilot.pause()
        assert screen.rows_view.current_card_id == clicked
        assert screen.rows_view.select(current.card.id)
        # j moves to the next card by date, the month follows
        ordered = [r.card.id for r in screen.chronological() if r.card]
        at = ordered.index(current.card.id)
        await pilot.press("j")
        assert screen.rows_view.current_card_id == ordered[at + 1]
        await pilot.press("k")
        assert screen.rows_view.current_card_id == ordered[at]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.month is not None and (screen.month.year, screen.month.month) == (2026, 12)
        lines = ["".join(s.text for s in screen.grid.render_line(y)) for y in range(45)]
        assert "December 2026" in lines[0]
        moved = screen.rows_view.current
        assert moved is not None and moved.card is not None and moved.card.due is not None
        assert (moved.card.due.year, moved.card.due.month) == (2026, 12)
        await pilot.press("left_square_bracket", "left_square_bracket")
        await pilot.pause()
        assert (screen.month.year, screen.month.month) == (2026, 10)
        assert "October 2026" in "".join(s.text for s in screen.grid.render_line(0))
        await pilot.press("C")
        await pilot.pause()
        assert not screen.month_view and screen.rows_view.display


async def test_refresh_key_shows_a_teammates_change(tmp_path: Path) -> None:
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    site = board_id(sb, "Website Relaunch")
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "a")
        row = next(r for r in screen.rows_view.rows if r.card and r.board_id == site)
        assert row.card is not None
        sb.world.cards[row.card.id].name = "Renamed by a teammate"
        await pilot.press("r")
        await pilot.pause()
        await wait_loaded(screen, pilot)
        index, shown = find(screen, row.card.id)
        assert shown.card is not None and shown.card.name == "Renamed by a teammate"
        assert "Renamed by a teammate" in shown_text(screen, index)


async def test_palette_opens_agenda_and_my_cards_even_without_a_cache() -> None:
    from trello_tui.sync.state import BoardState
    from trello_tui.trello.models import Board
    from trello_tui.ui.screens.mine import MyCardsScreen

    board = Board.from_json(
        {"id": "b", "name": "B", "lists": [{"id": "l", "name": "L", "pos": 1}], "cards": []}
    )
    app = TrelloApp(state=BoardState(board), clock=lambda: NOW, me="alex")
    async with app.run_test(size=(120, 40)) as pilot:
        for text, kind in [("agenda: due cards", AgendaScreen), ("my cards across", MyCardsScreen)]:
            await pilot.press("ctrl+p", *text)
            await pilot.pause()
            await pilot.press("enter")
            deadline = time.monotonic() + 10
            while not (isinstance(app.screen, kind) and app.screen.rows_view.is_mounted):
                assert time.monotonic() < deadline, text
                await asyncio.sleep(0.02)
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, kind)
            # nothing cached: the screen says so instead of showing an empty box
            assert screen.empty in "".join(s.text for s in screen.rows_view.render_line(1))
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, BoardScreen)


async def test_keymap_moves_the_agendas_keys() -> None:
    from trello_tui.sync.state import BoardState
    from trello_tui.trello.models import Board

    board = Board.from_json(
        {"id": "b", "name": "B", "lists": [{"id": "l", "name": "L", "pos": 1}], "cards": []}
    )
    keymap = {"agenda": "ctrl+a", "agenda.month": "m"}
    app = TrelloApp(state=BoardState(board), clock=lambda: NOW, me="alex", keymap=keymap)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("a")  # no longer the agenda's key
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        await pilot.press("ctrl+a")
        deadline = time.monotonic() + 10
        while not isinstance(app.screen, AgendaScreen):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        screen = app.screen
        await pilot.pause()
        await pilot.press("C")
        await pilot.pause()
        assert not screen.month_view
        await pilot.press("m")
        await pilot.pause()
        assert screen.month_view and screen.grid.display
