"""My cards (``Q``) against the sandbox: grouping, every key, on screen and in Trello."""

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
from trello_tui.sandbox import Sandbox
from trello_tui.trello.models import parse_date
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.help import HelpScreen
from trello_tui.ui.screens.mine import MyCardsScreen


def _mine(sb: Sandbox) -> set[str]:
    """Open cards assigned to me in open lists of my open boards (the sandbox's truth)."""
    world = sb.world
    boards = {b.id for b in world.boards.values() if not b.closed and world.me in b.members}
    return {
        c.id
        for c in world.cards.values()
        if world.me in c.id_members
        and not c.closed
        and c.id_board in boards
        and not world.lists[c.id_list].closed
    }


async def test_grouped_by_board_and_list_with_focus_keys(tmp_path: Path) -> None:
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "Q")
        assert isinstance(screen, MyCardsScreen)
        rows = screen.rows_view.rows
        assert {r.card.id for r in rows if r.card} == _mine(sb)
        world = sb.world
        boards_seen = [r.text.rsplit(" (", 1)[0] for r in rows if r.card is None and r.level == 1]
        assert boards_seen == sorted(boards_seen, key=str.lower)
        assert {"Product Roadmap", "Website Relaunch"} <= set(boards_seen)
        for index, row in enumerate(rows):
            if row.card is None:
                continue
            # under its board, then under its list; lists in the board's order
            assert heading_above(screen, index) == world.boards[row.board_id].name
            assert heading_above(screen, index, level=2) == world.lists[row.card.id_list].name
        first = screen.rows_view.cursor
        card = rows[first].card
        assert card is not None and card.name[:20] in shown_text(screen, first)
        order = screen.rows_view.card_rows
        for key, expected in [
            ("down", order[1]),
            ("j", order[2]),
            ("up", order[1]),
            ("k", order[0]),
            ("end", order[-1]),
            ("home", order[0]),
            ("G", order[-1]),
            ("g", order[0]),
        ]:
            await pilot.press(key)
            assert screen.rows_view.cursor == expected, key
        await pilot.press("pagedown")
        assert screen.rows_view.cursor > order[5]
        await pilot.press("pageup")
        assert screen.rows_view.cursor == order[0]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen) and app.screen.state.id == demo_board_id(sb)


async def test_card_keys_write_to_trello(tmp_path: Path) -> None:
    """D, d, > and <, space and z on a card of a board that is not open."""
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    site = board_id(sb, "Website Relaunch")
    lists = sorted(
        (lst for lst in sb.world.lists.values() if lst.id_board == site), key=lambda x: x.pos
    )
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "Q")
        row = next(
            r
            for r in screen.rows_view.rows
            if r.card and r.board_id == site and r.card.id_list == lists[0].id and r.card.due
        )
        assert row.card is not None
        card_id = row.card.id
        was_complete = sb.world.cards[card_id].due_complete
        assert screen.rows_view.select(card_id)
        await pilot.press("D")
        await settle_all(app, pilot)
        assert sb.world.cards[card_id].due_complete is not was_complete
        index, shown = find(screen, card_id)
        assert shown.card is not None and shown.card.due_complete is not was_complete
        await pilot.press("d")
        await pilot.pause()
        await pilot.press(*"in 3 days", "enter")
        await settle_all(app, pilot)
        due = parse_date(sb.world.cards[card_id].due)
        assert due is not None and due.date() == (NOW + timedelta(days=3)).date()
        index, _ = find(screen, card_id)
        assert f"{due:%b} {due.day}" in shown_text(screen, index)
        # > moves it to the next list of its board: it moves under that list's heading
        await pilot.press("greater_than_sign")
        await settle_all(app, pilot)
        assert sb.world.cards[card_id].id_list == lists[1].id
        assert heading_above(screen, find(screen, card_id)[0], level=2) == lists[1].name
        await pilot.press("less_than_sign")
        await settle_all(app, pilot)
        assert sb.world.cards[card_id].id_list == lists[0].id
        # space unassigns me: the card leaves my cards; z puts me back
        assert screen.rows_view.select(card_id)
        await pilot.press("space")
        await settle_all(app, pilot)
        assert sb.world.me not in sb.world.cards[card_id].id_members
        assert card_id not in {r.card.id for r in screen.rows_view.rows if r.card}
        await pilot.press("z")
        await settle_all(app, pilot)
        assert sb.world.me in sb.world.cards[card_id].id_members
        assert card_id in {r.card.id for r in screen.rows_view.rows if r.card}
        # t renames it
        assert screen.rows_view.select(card_id)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("ctrl+u", *"Renamed from my cards", "enter")
        await settle_all(app, pilot)
        assert sb.world.cards[card_id].name == "Renamed from my cards"
        index, _ = find(screen, card_id)
        assert "Renamed from my cards" in shown_text(screen, index)
        # c archives it (it leaves the list), z brings it back
        await pilot.press("c")
        await settle_all(app, pilot)
        assert sb.world.cards[card_id].closed
        assert card_id not in {r.card.id for r in screen.rows_view.rows if r.card}
        await pilot.press("u")
        await settle_all(app, pilot)
        assert not sb.world.cards[card_id].closed
        assert card_id in {r.card.id for r in screen.rows_view.rows if r.card}
        # ? lists this screen's keys (and only those)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(str(w.render()) for w in app.screen.query(".help-column"))
        assert "Mark the due date complete" in shown and "Back to the board" in shown
        assert "Add a card below" not in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_open_promotes_the_side_engine_and_refresh(tmp_path: Path) -> None:
    """A board written to from here keeps its engine when opened: its writes go out once."""
    sb = pinned_sandbox()
    await fill_cache(sb, tmp_path)
    site = board_id(sb, "Website Relaunch")
    async with running(sb, tmp_path) as (app, pilot):
        screen = await open_across(app, pilot, "Q")
        row = next(r for r in screen.rows_view.rows if r.card and r.board_id == site)
        assert row.card is not None
        card_id = row.card.id
        # r: a teammate's rename reaches the screen
        sb.world.cards[card_id].name = "Renamed by Sam"
        await pilot.press("r")
        await pilot.pause()
        await wait_loaded(screen, pilot)
        index, shown = find(screen, card_id)
        assert shown.card is not None and shown.card.name == "Renamed by Sam"
        assert "Renamed by Sam" in shown_text(screen, index)
        assert screen.rows_view.select(card_id)
        await pilot.press("greater_than_sign")
        await settle_all(app, pilot)
        side = app.backend.live_engine(site)
        assert side is not None and side is not app.backend.engine
        moves_before = sum(
            1
            for a in sb.world.actions.values()
            if a.type == "updateCard" and a.data.get("card", {}).get("id") == card_id
        )
        await pilot.press("enter")
        deadline = time.monotonic() + 15
        while not (
            isinstance(app.screen, BoardScreen)
            and app.screen.state.id == site
            and app.backend.engine is side
            and app.screen.state is side.state
            and app.screen.view.focused_card_id == card_id
        ):
            assert time.monotonic() < deadline, "the card's board never opened on its engine"
            await asyncio.sleep(0.02)
        assert app.backend.live_engine(site) is side and app.backend.engines() == [side]
        assert await side.settled(10)
        moves_after = sum(
            1
            for a in sb.world.actions.values()
            if a.type == "updateCard" and a.data.get("card", {}).get("id") == card_id
        )
        assert moves_after == moves_before  # nothing sent twice
