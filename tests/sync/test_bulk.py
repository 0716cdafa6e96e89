"""Bulk actions through the engine: many writes, one undo step, within Trello's real limits.

The sandbox enforces Trello's own budget here (100 requests / 10 s per token, 300 per key),
so 120 moves and their 120 undos cannot all go out in one window: the engine sends a group's
writes at the limiter's even pace (about 10 a second), and the sandbox counts any 429 it
answers.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from tests.sync.harness import demo_board_id, rig, world_order
from trello_tui.sandbox import Sandbox
from trello_tui.sandbox import ops as world_ops
from trello_tui.sync import bulk
from trello_tui.sync.ops import AddLabel, ArchiveCard, RenameCard
from trello_tui.trello import positions

CARDS = 120


def record_card_writes(sb: Sandbox) -> list[float]:
    """Wrap the sandbox's ASGI app: the monotonic time of every card write it receives."""
    app, times = sb.app, []

    async def recording(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("method") == "PUT" and "/cards/" in scope.get("path", ""):
            times.append(time.monotonic())
        await app(scope, receive, send)

    sb.app = recording  # type: ignore[assignment]
    return times


def busiest(times: list[float], span_s: float) -> int:
    """The most writes within any ``span_s`` seconds."""
    return max((sum(1 for u in times if t <= u < t + span_s) for t in times), default=0)


def card_writes(sb: Sandbox) -> int:
    routes = sb.stats["routes"]
    return sum(v["requests"] for k, v in routes.items() if k.startswith("PUT /cards/"))


async def test_120_cards_moved_in_one_action_land_once_in_order_and_one_undo_restores(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")  # Trello's real limits: 100 / 10 s per token
    assert sb.config.token_limit == 100 and sb.config.window_s == 10.0
    board = sb.world.boards[demo_board_id(sb)]
    source, target = sb.world.sorted_lists(board)[0], sb.world.sorted_lists(board)[-1]
    for i in range(CARDS):
        world_ops.create_card(sb.world, sb.world.me, source, {"name": f"Bulk {i:03}"})
    source_before = world_order(sb, source.id)
    target_before = world_order(sb, target.id)
    marked = [c for c in source_before if sb.world.cards[c].name.startswith("Bulk ")]
    assert len(marked) == CARDS
    sent_at = record_card_writes(sb)

    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        moves = bulk.move_to_bottom(state, reversed(marked), target.id)  # any order given
        assert [m.card_id for m in moves] == marked
        writes_before = card_writes(sb)
        started = time.monotonic()
        r.engine.submit_group(moves)
        # Optimistic: the board shows every card moved at once, in order.
        assert state.card_ids_in(target.id) == target_before + marked
        assert await r.engine.settled(60)
        moved_s = time.monotonic() - started

        assert world_order(sb, target.id) == target_before + marked  # once each, in order
        assert card_writes(sb) - writes_before == CARDS  # one request per card, none repeated
        assert sb.stats["429"] == 0
        # Trello's pos adopted: the local board agrees with the sandbox.
        assert state.card_ids_in(target.id) == world_order(sb, target.id)

        assert r.engine.undo()  # one undo step for the whole action
        assert state.card_ids_in(source.id) == source_before
        assert await r.engine.settled(60)
        total_s = time.monotonic() - started

        assert world_order(sb, source.id) == source_before
        assert world_order(sb, target.id) == target_before
        assert card_writes(sb) - writes_before == 2 * CARDS
        assert sb.stats["429"] == 0
        assert r.queue.limiter.rate_limited == 0
        assert not r.engine.undo()  # the undo itself is not undoable; nothing else was done

    # Spent evenly: about 10 writes a second (a small burst at most), never a window's worth
    # at once. A busy machine can only make the writes sparser, never denser.
    assert len(sent_at) == 2 * CARDS
    assert busiest(sent_at, 2.0) <= 30
    # More requests than one window allows were sent, so the budget was really in play.
    assert sb.config.token_limit < 2 * CARDS and total_s > sb.config.window_s
    print(
        json.dumps(
            {
                "cards": CARDS,
                "landed_in_order": True,
                "card_writes": 2 * CARDS,
                "requests": sb.stats["requests"],
                "429s": sb.stats["429"],
                "move_s": round(moved_s, 2),
                "move_and_undo_s": round(total_s, 2),
                "most_writes_in_2s": busiest(sent_at, 2.0),
            }
        )
    )


async def test_undo_of_a_group_not_sent_yet_withdraws_every_write(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        cards = state.card_ids_in(state.open_lists()[0].id)[:3]
        names = [state.cards[c].name for c in cards]
        r.engine.set_offline(True)
        await r.engine.submit_group(
            [RenameCard(state.id, card_id=c, name=f"Offline {i}") for i, c in enumerate(cards)]
        )
        served = sb.stats["requests"]
        assert r.engine.undo()
        assert [state.cards[c].name for c in cards] == names
        assert r.engine.status.pending == 0
        r.engine.set_offline(False)
        assert await r.engine.settled(5)
        assert sb.stats["requests"] == served  # nothing sent, not even an inverse


async def test_undo_while_a_group_is_going_out_withdraws_the_rest_and_reverts_the_sent(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        cards = [c for lst in state.open_lists() for c in state.card_ids_in(lst.id)][:30]
        names = {c: sb.world.cards[c].name for c in cards}
        writes_before = card_writes(sb)
        r.engine.submit_group(
            [RenameCard(state.id, card_id=c, name=f"Bulk {i}") for i, c in enumerate(cards)]
        )
        # Paced: a few go out at once, the rest about ten a second. Undo in the middle.
        for _ in range(500):
            if card_writes(sb) - writes_before >= 8:
                break
            await asyncio.sleep(0.01)
        sent = card_writes(sb) - writes_before
        assert 8 <= sent < len(cards)
        assert r.engine.undo()
        assert all(state.cards[c].name == names[c] for c in cards)  # on screen at once
        assert await r.engine.settled(30)
        assert {c: sb.world.cards[c].name for c in cards} == names
        # Only the renames that had left were sent, each then reverted once; none repeated.
        renamed = card_writes(sb) - writes_before
        assert renamed < 2 * len(cards) and renamed % 2 == 0
        assert sb.stats["429"] == 0


async def test_single_undo_steps_stay_single_around_a_group(tmp_path: Path) -> None:
    sb = Sandbox.create(seed="demo")
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        first, second, third = state.card_ids_in(state.open_lists()[0].id)[:3]
        label = next(
            lb
            for lb in state.labels
            if not any(lb in state.cards[c].id_labels for c in (second, third))
        )
        r.engine.submit(ArchiveCard(state.id, card_id=first))
        r.engine.submit_group(bulk.toggle_label(state, [second, third], label))
        assert await r.engine.settled(10)
        assert all(label in sb.world.cards[c].id_labels for c in (second, third))
        assert r.engine.undo()  # the group
        assert await r.engine.settled(10)
        assert not any(label in sb.world.cards[c].id_labels for c in (second, third))
        assert sb.world.cards[first].closed
        assert r.engine.undo()  # then the single archive
        assert await r.engine.settled(10)
        assert not sb.world.cards[first].closed


def test_move_to_bottom_keeps_board_order_and_skips_cards_already_in_place() -> None:
    from trello_tui.sync.state import BoardState
    from trello_tui.trello.models import Board, Card, TrelloList

    lists = tuple(TrelloList(id=i, id_board="x", name=i, pos=p) for i, p in (("a", 1), ("b", 2)))
    cards = tuple(
        Card(id=f"{lst}{i}", id_board="x", id_list=lst, name="", pos=positions.SPACING * (i + 1))
        for lst in "ab"
        for i in range(3)
    )
    state = BoardState(Board(id="x", name="X", lists=lists, cards=cards))
    # b1 and b2 already are the bottom of b, in order: nothing to send.
    assert bulk.move_to_bottom(state, ["b2", "b1"], "b") == []
    # Board order: list a's cards first (top to bottom), then b2, which must move below them.
    moves = bulk.move_to_bottom(state, ["b2", "a2", "a0"], "b")
    assert [m.card_id for m in moves] == ["a0", "a2", "b2"]
    pos = [m.pos for m in moves]
    assert state.cards["b1"].pos < pos[0] < pos[1] < pos[2]
    # Labels: added only where missing; removed from all when every card has it.
    state.put_card(state.cards["a0"].with_changes(id_labels=("l",)))
    assert [(type(o), o.card_id) for o in bulk.toggle_label(state, ["a0", "a1"], "l")] == [
        (AddLabel, "a1")
    ]
    assert all(type(o).__name__ == "RemoveLabel" for o in bulk.toggle_label(state, ["a0"], "l"))
