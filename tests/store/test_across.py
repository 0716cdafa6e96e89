"""Reads across cached boards: due cards and one member's cards, from rows and updates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.fixtures import load_json
from trello_tui.store.cache import AsyncCache, Cache, CacheWrite
from trello_tui.trello.models import Board, Card

DUE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _board() -> Board:
    """The recorded export, every third card given a due date (the export has none)."""
    board = Board.from_json(load_json("board-export-nebula-2015.json"))
    cards = tuple(c.with_changes(due=DUE) if i % 3 == 0 else c for i, c in enumerate(board.cards))
    return board.with_changes(cards=cards)


def _expected(board: Board, keep: Callable[[Card], bool]) -> set[str]:
    open_lists = {lst.id for lst in board.lists if not lst.closed}
    return {c.id for c in board.cards if not c.closed and c.id_list in open_lists and keep(c)}


def test_due_and_member_cards_match_a_full_load(tmp_path: Path) -> None:
    board = _board()
    cache = Cache(tmp_path / "c.sqlite3")
    cache.save_board(board)
    due = cache.due_cards()
    want_due = _expected(board, lambda c: c.due is not None)
    assert len(want_due) > 10
    assert [b.id for b in due] == [board.id]
    assert {c.id for c in due[0].cards} == want_due
    # the board comes with its lists, labels and members, so rows can be drawn
    assert {lst.id for lst in due[0].lists} == {lst.id for lst in board.lists}
    assert {lb.id for lb in due[0].labels} == {lb.id for lb in board.labels}
    member = next(m for m in board.members if any(m.id in c.id_members for c in board.cards))
    mine = cache.member_cards(member.username)
    assert {c.id for c in mine[0].cards} == _expected(board, lambda c: member.id in c.id_members)
    assert cache.member_cards("nobody-at-all") == []


async def test_updates_and_archived_boards(tmp_path: Path) -> None:
    board = _board()
    cache = await AsyncCache.open(tmp_path / "c.sqlite3")
    await cache.save_board(board)
    open_lists = {lst.id for lst in board.lists if not lst.closed}
    card = next(
        c for c in board.cards if not c.closed and c.due is None and c.id_list in open_lists
    )
    await cache.apply(CacheWrite(board.id, cards={card.id: card.with_changes(due=DUE)}))
    assert card.id in {c.id for b in await cache.due_cards() for c in b.cards}
    archived = card.with_changes(due=DUE, closed=True)
    await cache.apply(CacheWrite(board.id, cards={card.id: archived}))
    assert card.id not in {c.id for b in await cache.due_cards() for c in b.cards}
    await cache.save_board(board.with_changes(closed=True))
    assert await cache.due_cards() == []
    await cache.close()
