"""Moving a card to another board through the engine, against the sandbox.

One request lands the card on the target board; the source board drops it at once (and its
cache after the confirmation); undo brings it back with its list, pos, labels and members;
the write survives a restart in the outbox; a refusal puts the card back and says why.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.sync.harness import demo_board_id, rig
from trello_tui.sandbox import Sandbox
from trello_tui.store.cache import Cache
from trello_tui.store.outbox import Outbox
from trello_tui.sync.events import Notice
from trello_tui.sync.ops import MoveCardToBoard, ReturnCardToBoard, op_from_json
from trello_tui.sync.state import BoardState

PUT = "PUT /cards/{id}"


def board_named(sb: Sandbox, name: str) -> str:
    return next(b.id for b in sb.world.boards.values() if b.name == name)


def sandbox_order(sb: Sandbox, list_id: str) -> list[str]:
    cards = [c for c in sb.world.cards.values() if c.id_list == list_id and not c.closed]
    return [c.id for c in sorted(cards, key=lambda c: (c.pos, c.id))]


def first_list(sb: Sandbox, board_id: str) -> str:
    board = sb.world.boards[board_id]
    lists = sorted((sb.world.lists[i] for i in board.list_ids), key=lambda x: x.pos)
    return next(lst.id for lst in lists if not lst.closed)


def labelled_card(state: BoardState) -> str:
    """A card with labels and members (so the labels' round trip is visible)."""
    for lst in state.open_lists():
        for card in state.cards_in(lst.id):
            if card.id_labels and card.id_members:
                return card.id
    raise AssertionError("the demo board has no labelled card with members")


async def test_move_lands_once_on_the_target_and_undo_brings_it_back(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    target = board_named(sb, "Personal")
    target_list = first_list(sb, target)
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card_id = labelled_card(state)
        card = state.cards[card_id]
        source_list, index = card.id_list, state.index_of(card_id)
        puts = sb.stats_data.requests_by_route[PUT]
        op = MoveCardToBoard(
            state.id, card_id=card_id, to_board_id=target, list_id=target_list, pos="bottom"
        )
        r.engine.submit(op)
        # optimistic: off this board before anything was sent
        assert card_id not in state.cards and card_id not in state.card_ids_in(source_list)
        assert await r.engine.settled(5)
        assert sb.stats_data.requests_by_route[PUT] == puts + 1  # one request
        moved = sb.world.cards[card_id]
        assert (moved.id_board, moved.id_list) == (target, target_list)
        assert sandbox_order(sb, target_list)[-1] == card_id  # at the bottom
        assert card_id not in sb.world.boards[state.id].card_ids
        # Trello drops the old board's labels and members who are not on the new board
        assert moved.id_labels == []
        assert set(moved.id_members) <= set(sb.world.boards[target].members)
        assert card_id not in state.cards

        # the source board's cache no longer lists it
        cached = Cache(tmp_path / "cache.sqlite3").load_board(state.id)
        assert cached is not None
        assert card_id not in {c.id for c in cached.board.cards}

        assert r.engine.undo()
        assert state.cards[card_id].id_list == source_list  # back at once
        assert state.index_of(card_id) == index
        assert await r.engine.settled(5)
        assert sb.stats_data.requests_by_route[PUT] == puts + 2
        back = sb.world.cards[card_id]
        assert (back.id_board, back.id_list, back.pos) == (state.id, source_list, card.pos)
        assert sandbox_order(sb, source_list).index(card_id) == index
        assert back.id_labels == list(card.id_labels)
        assert back.id_members == list(card.id_members)
        assert state.cards[card_id].id_labels == card.id_labels
        assert state.index_of(card_id) == index
    cached = Cache(tmp_path / "cache.sqlite3").load_board(demo_board_id(sb))
    assert cached is not None
    assert card_id in {c.id for c in cached.board.cards}


async def test_a_pending_move_survives_a_restart(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    target = board_named(sb, "Personal")
    target_list = first_list(sb, target)
    async with rig(sb, tmp_path) as online:  # fill the cache
        assert online.engine.state is not None
        card_id = labelled_card(online.engine.state)
    async with rig(sb, tmp_path, offline=True) as offline:
        state = offline.engine.state
        assert state is not None
        await offline.engine.submit(
            MoveCardToBoard(
                state.id, card_id=card_id, to_board_id=target, list_id=target_list, pos="bottom"
            )
        )
        assert card_id not in state.cards
        await asyncio.sleep(0.1)
    assert sb.world.cards[card_id].id_board != target  # nothing sent while offline
    (entry,) = Outbox(tmp_path / "outbox.sqlite3").entries(demo_board_id(sb))
    stored = op_from_json(entry.body)
    assert isinstance(stored, MoveCardToBoard) and stored.before["card"]["id"] == card_id
    async with rig(sb, tmp_path) as back:
        state = back.engine.state
        assert state is not None
        assert card_id not in state.cards  # re-applied from the outbox at start
        assert await back.engine.settled(5)
        assert card_id not in state.cards
        # and its undo still knows where the card came from
        inverse = stored.inverse()
        assert len(inverse) == 1 and isinstance(inverse[0], ReturnCardToBoard)
    moved = sb.world.cards[card_id]
    assert (moved.id_board, moved.id_list) == (target, target_list)
    assert Outbox(tmp_path / "outbox.sqlite3").count() == 0


async def test_a_refused_move_comes_back_and_says_why(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    # a board we are not a member of: Trello refuses the move
    target = board_named(sb, "Casey's Private Plans")
    target_list = first_list(sb, target)
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card_id = labelled_card(state)
        card = state.cards[card_id]
        index = state.index_of(card_id)
        op = MoveCardToBoard(
            state.id,
            card_id=card_id,
            to_board_id=target,
            list_id=target_list,
            to_board_name="Casey's Private Plans",
        )
        r.engine.submit(op)
        assert card_id not in state.cards
        assert await r.engine.settled(5)
        assert state.cards[card_id].to_json() == card.to_json()  # back, exactly as it was
        assert state.index_of(card_id) == index
        assert sb.world.cards[card_id].id_board == state.id
        (notice,) = [n for n in r.of(Notice) if n.level == "error"]
        assert notice.text.startswith(f"Couldn't move '{card.name}' to 'Casey's Private Plans': ")
        assert len(notice.text) > len(f"Couldn't move '{card.name}' to 'Casey's Private Plans': ")
        assert r.engine.status.failed == 1


async def test_a_transient_failure_keeps_the_move_pending_until_trello_answers(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    target = board_named(sb, "Personal")
    target_list = first_list(sb, target)
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        card_id = labelled_card(state)
        sb.faults.update({"error_rate": 1.0, "error_status": 503})
        r.engine.submit(
            MoveCardToBoard(state.id, card_id=card_id, to_board_id=target, list_id=target_list)
        )
        await asyncio.sleep(0.3)
        assert r.engine.status.pending == 1 and card_id not in state.cards
        sb.faults.update({"error_rate": 0.0})
        assert await r.engine.settled(5)
        assert sb.world.cards[card_id].id_board == target
        assert not [n for n in r.of(Notice) if n.level == "error"]


def test_a_card_gone_meanwhile_is_not_brought_back() -> None:
    from trello_tui.trello.models import Board

    board = Board.from_json(
        {
            "id": "b" * 24,
            "name": "B",
            "lists": [{"id": "l" * 24, "idBoard": "b" * 24, "name": "L", "pos": 1}],
            "cards": [{"id": "c" * 24, "idBoard": "b" * 24, "idList": "l" * 24, "pos": 1}],
        }
    )
    state = BoardState(board)
    op = MoveCardToBoard(state.id, card_id="c" * 24, to_board_id="t" * 24, list_id="m" * 24)
    assert not op.apply(state).empty and "c" * 24 not in state.cards
    assert op.inverse() and op.rollback(state).cards == {"c" * 24}
    state.remove_card("c" * 24)  # deleted by a teammate; our move is re-applied on top
    assert op.apply(state).empty
    assert op.rollback(state).empty and "c" * 24 not in state.cards
    assert op.inverse() == []


async def test_undo_goes_back_between_its_neighbours_after_trello_respaced_the_list(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    target = board_named(sb, "Personal")
    target_list = first_list(sb, target)
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        source = next(x.id for x in state.open_lists() if len(state.card_ids_in(x.id)) >= 4)
        card_id = state.card_ids_in(source)[1]
        r.engine.submit(
            MoveCardToBoard(state.id, card_id=card_id, to_board_id=target, list_id=target_list)
        )
        assert await r.engine.settled(5)
        # Trello re-spaces the list meanwhile: every pos is now far below the old ones
        for i, other in enumerate(sandbox_order(sb, source)):
            sb.world.cards[other].pos = float(i + 1)
        assert await r.engine.refresh()
        assert r.engine.undo()
        assert state.index_of(card_id) == 1  # between the same cards, on screen …
        assert await r.engine.settled(5)
        assert sandbox_order(sb, source).index(card_id) == 1  # … and in Trello
        assert sb.world.cards[card_id].id_board == state.id
