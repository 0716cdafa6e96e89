"""Trello re-spaces a list while moves are queued: each card still lands where it was put.

Found by the chaos machine: a move's ``pos`` hit an archived card's (which the app does not
load), the sandbox re-spaced the whole list, and the next queued move — its ``pos`` computed
from the old values — landed between two other cards. Now the engine reloads the board when
an answer's ``pos`` is not the one sent, and a re-based move re-plans its ``pos`` between the
cards it was put between (sync/placing.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.sync.harness import demo_board_id, hide_at, rig
from trello_tui.sandbox import Sandbox
from trello_tui.sync.ops import MoveCard
from trello_tui.sync.placing import neighbours, replan


def _order(sb: Sandbox, list_id: str) -> list[str]:
    cards = [c for c in sb.world.cards.values() if c.id_list == list_id and not c.closed]
    return [c.id for c in sorted(cards, key=lambda c: (c.pos, c.id))]


async def test_queued_moves_keep_their_places_when_trello_respaces(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    ids = _order(sb, first.id)
    c = [sb.world.cards[i] for i in ids]
    # An archived card (unseen by the app) sits exactly midway between the first two.
    hidden = c[-1]
    hide_at(hidden, (c[0].pos + c[1].pos) / 2)
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        assert hidden.id not in shown
        # 1) c[5] between c[0] and c[1]: its pos is the archived card's, so Trello re-spaces.
        mid = (state.cards[shown[0]].pos + state.cards[shown[1]].pos) / 2
        r.engine.submit(MoveCard(board.id, card_id=shown[5], list_id=first.id, pos=mid))
        # 2) queued at once, computed from the old positions: c[6] between c[2] and c[3].
        low, high = state.cards[shown[2]].pos, state.cards[shown[3]].pos
        r.engine.submit(
            MoveCard(board.id, card_id=shown[6], list_id=first.id, pos=(low + high) / 2)
        )
        assert await r.engine.settled(15)
        assert r.engine.failed_ops() == []
    want = [shown[0], shown[5], shown[1], shown[2], shown[6], shown[3], shown[4]]
    got = _order(sb, first.id)
    assert got == want, ([shown.index(i) for i in got], [shown.index(i) for i in want])


async def test_undo_after_trello_respaced_puts_the_card_back_between_its_neighbours(
    tmp_path: Path,
) -> None:
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    c = [sb.world.cards[i] for i in _order(sb, first.id)]
    hidden = c[-1]  # archived, right where the move below will ask to go
    hide_at(hidden, (c[4].pos + c[5].pos) / 2)
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        mid = (state.cards[shown[4]].pos + state.cards[shown[5]].pos) / 2
        r.engine.submit(MoveCard(board.id, card_id=shown[1], list_id=first.id, pos=mid))
        assert await r.engine.settled(15)
        moved = [shown[0], shown[2], shown[3], shown[4], shown[1], shown[5], shown[6]]
        assert _order(sb, first.id) == moved
        assert r.engine.undo()  # the old pos is stale now: Trello re-spaced the whole list
        assert await r.engine.settled(15)
        assert r.engine.failed_ops() == []
    got = _order(sb, first.id)
    assert got == shown, [shown.index(i) for i in got]


async def test_a_card_respaced_past_its_neighbour_is_put_back(tmp_path: Path) -> None:
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    async with rig(sb, tmp_path) as r:
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        # Trello re-spaces the list behind the app's back (same order, halved positions).
        for i, card_id in enumerate(_order(sb, first.id)):
            sb.world.cards[card_id].pos = 8192.0 * (i + 1) + 0.5
        # Between the first two as the app sees them: on Trello the pos sent (off the whole
        # numbers, placing.off_grid) is the third card's.
        mid = (state.cards[shown[0]].pos + state.cards[shown[1]].pos) / 2
        assert sb.world.cards[shown[2]].pos == mid + 0.5
        r.engine.submit(MoveCard(board.id, card_id=shown[5], list_id=first.id, pos=mid))
        assert await r.engine.settled(15)
        assert r.engine.failed_ops() == []
    got = _order(sb, first.id)
    want = [shown[0], shown[5], *shown[1:5], *shown[6:]]
    assert got == want, [shown.index(i) for i in got]


def test_replan_keeps_a_pos_that_still_fits_and_moves_one_that_does_not() -> None:
    from trello_tui.sync.state import BoardState
    from trello_tui.trello.models import Board

    def board(positions: dict[str, float]) -> BoardState:
        cards = [{"id": i, "idList": "l", "name": i, "pos": p} for i, p in positions.items()]
        return BoardState(
            Board.from_json({"id": "b", "lists": [{"id": "l", "pos": 1}], "cards": cards})
        )

    state = board({"a": 100.0, "x": 150.0, "b": 200.0})
    around = neighbours(state, "x", "l")
    assert around == ("a", "b")
    assert replan(state, "x", "l", 150.0, around) == 150.0  # still between: unchanged
    moved = board({"a": 300.0, "b": 400.0, "x": 150.0})  # Trello re-spaced a and b
    fresh = replan(moved, "x", "l", 150.0, around)
    assert 300.0 < fresh < 400.0
    gone = board({"b": 400.0, "x": 150.0})  # a neighbour left: the number is kept
    assert replan(gone, "x", "l", 150.0, around) == 150.0
    top = board({"x": 150.0, "a": 100.0})
    assert neighbours(top, "a", "l") == (None, "x")


class _LostFirstAnswer(httpx.ASGITransport):
    """Applies the first move of one card, then drops the connection before its answer."""

    def __init__(self, sb: Sandbox, card_id: str) -> None:
        super().__init__(app=sb.app)
        self.card_id = card_id
        self.dropped = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        url = str(request.url)
        if not self.dropped and request.method == "PUT" and url.endswith(f"cards/{self.card_id}"):
            self.dropped += 1
            raise httpx.RemoteProtocolError("connection dropped after the change was made")
        return response


@pytest.mark.parametrize("label_after", [False, True], ids=["move", "move-then-label"])
async def test_a_move_whose_lost_answer_hid_a_respacing_still_lands_between_its_cards(
    tmp_path: Path, label_after: bool
) -> None:
    """The first attempt landed on an archived card's pos and Trello re-spaced the list, but
    its answer was lost; the second attempt sent the same (old-numbering) pos, which now means
    elsewhere, and its answer shows nothing wrong. The engine reloads and puts the card back.

    With ``label_after`` the user also labelled the card right after moving it (found by the
    chaos machine): a pending write to the card was taken to say where it goes now, so it was
    left where the resent number put it; only a move (or an archive …) says that.
    """
    from trello_tui.sync.ops import AddLabel

    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    ids = _order(sb, first.id)
    c = [sb.world.cards[i] for i in ids]
    for i, card in enumerate(c):  # positions far from Trello's own spacing
        card.pos = 1000.0 * (i + 1)
    hidden = c[-1]
    hide_at(hidden, (c[1].pos + c[2].pos) / 2)
    mover = c[5]
    label = next(iter(board.label_ids))
    transport = _LostFirstAnswer(sb, mover.id)
    async with rig(sb, tmp_path, transport=transport) as r:
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        mid = (state.cards[shown[1]].pos + state.cards[shown[2]].pos) / 2
        assert mid + 0.5 == hidden.pos  # (sent off the whole numbers)
        r.engine.submit(MoveCard(state.id, card_id=mover.id, list_id=first.id, pos=mid))
        if label_after:
            r.engine.submit(AddLabel(state.id, card_id=mover.id, target=label))
        assert await r.engine.settled(10)
        assert transport.dropped == 1
        order = _order(sb, first.id)
        assert order.index(mover.id) == 2, "between the cards it was put between"
        assert state.card_ids_in(first.id) == order
        if label_after:
            assert label in sb.world.cards[mover.id].id_labels


class _SlowLoadsAfter(httpx.ASGITransport):
    """Once a card's write is answered, reads take a while: the user acts during the load."""

    def __init__(self, sb: Sandbox, card_id: str) -> None:
        super().__init__(app=sb.app)
        self.card_id = card_id
        self.answered = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.answered.is_set() and request.method == "GET":
            await asyncio.sleep(0.3)
        response = await super().handle_async_request(request)
        if request.method == "PUT" and self.card_id in str(request.url):
            self.answered.set()
        return response


async def test_a_neighbour_moved_during_the_reload_keeps_the_place_the_user_gave_it(
    tmp_path: Path,
) -> None:
    """Found by the chaos machine: the card's move was re-spaced and the engine reloaded to
    put it back between its cards; meanwhile the user moved one of those cards above it. The
    put-back must not undo that later move (it put the card above its neighbour again)."""
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    c = [sb.world.cards[i] for i in _order(sb, first.id)]
    hidden = c[-1]  # archived, right where the first move asks to go: Trello re-spaces
    hide_at(hidden, (c[0].pos + c[1].pos) / 2)
    transport = _SlowLoadsAfter(sb, c[5].id)
    async with rig(sb, tmp_path, transport=transport) as r:
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        mid = (state.cards[shown[0]].pos + state.cards[shown[1]].pos) / 2
        r.engine.submit(MoveCard(board.id, card_id=shown[5], list_id=first.id, pos=mid))
        await asyncio.wait_for(transport.answered.wait(), 10)
        # The user now puts c[1] (the moved card's lower neighbour) just above it.
        assert state.card_ids_in(first.id)[:3] == [shown[0], shown[5], shown[1]]
        low, high = state.cards[shown[0]].pos, state.cards[shown[5]].pos
        r.engine.submit(
            MoveCard(board.id, card_id=shown[1], list_id=first.id, pos=(low + high) / 2)
        )
        assert await r.engine.settled(15)
        assert r.engine.failed_ops() == []
        want = [shown[0], shown[1], shown[5], *shown[2:5], *shown[6:]]
        got = _order(sb, first.id)
        assert got == want, [shown.index(i) for i in got]
        assert state.card_ids_in(first.id) == want


async def test_a_respaced_answer_leaves_the_card_where_it_was_put_until_the_reload(
    tmp_path: Path,
) -> None:
    """The answer's pos is in Trello's new numbering, the other cards' are still in the old
    one: shown by it, the card would jump a place off until the reload lands."""
    sb = Sandbox.create("demo")
    board = sb.world.boards[demo_board_id(sb)]
    first = sb.world.sorted_lists(board)[0]
    c = [sb.world.cards[i] for i in _order(sb, first.id)]
    hidden = c[-1]
    hide_at(hidden, (c[0].pos + c[1].pos) / 2)
    transport = _SlowLoadsAfter(sb, c[5].id)
    async with rig(sb, tmp_path, transport=transport) as r:
        state = r.engine.state
        assert state is not None
        shown = list(state.card_ids_in(first.id))
        mid = (state.cards[shown[0]].pos + state.cards[shown[1]].pos) / 2
        r.engine.submit(MoveCard(board.id, card_id=shown[5], list_id=first.id, pos=mid))
        await asyncio.wait_for(transport.answered.wait(), 10)
        await asyncio.sleep(0.05)  # the answer is adopted; the reload is still out
        assert not r.engine.has_pending(shown[5])
        assert sb.world.cards[shown[5]].pos != mid  # Trello re-spaced
        want = [shown[0], shown[5], *shown[1:5], *shown[6:]]
        assert state.card_ids_in(first.id) == want, [
            (shown.index(i), state.cards[i].pos) for i in state.card_ids_in(first.id)
        ]
        assert await r.engine.settled(15)
        assert state.card_ids_in(first.id) == want == _order(sb, first.id)


def test_a_placed_move_keeps_the_neighbours_the_user_gave_it_across_re_bases() -> None:
    """Found by the chaos machine: a card moved to the bottom, just below X. A re-base ran
    while X was away (a move of X not yet undone on Trello) on a re-spaced list: the number
    was kept, and the card then took whatever cards sat around that number as its new
    neighbours — for good, so it was sent into the middle of the list. The neighbours are the
    user's intent: set once, a gone one replaced by the card beside the one that stayed."""
    from trello_tui.sync.state import BoardState
    from trello_tui.trello.models import Board

    def board(lists: dict[str, dict[str, float]]) -> BoardState:
        cards = [
            {"id": i, "idList": list_id, "name": i, "pos": p}
            for list_id, cards in lists.items()
            for i, p in cards.items()
        ]
        lists_json = [{"id": list_id, "pos": n + 1} for n, list_id in enumerate(lists)]
        return BoardState(Board.from_json({"id": "b", "lists": lists_json, "cards": cards}))

    shown = board({"l": {"a": 100.0, "b": 200.0, "x": 300.0, "m": 50.0}, "o": {}})
    move = MoveCard("b", card_id="m", list_id="l", pos=400.0)  # to the bottom: below x
    move.apply(shown)
    assert shown.card_ids_in("l") == ["a", "b", "x", "m"]
    assert (move.after_card, move.before_card) == ("x", None)
    # Re-based while x is away, on Trello's new numbers: m has no neighbour to go by.
    away = board({"l": {"a": 16384.0, "m": 16000.0, "b": 32768.0}, "o": {"x": 1.0}})
    move.apply(away)
    assert (move.after_card, move.before_card) == ("x", None)  # still below x
    # x is back (its move undone): the card goes below it again, not where it drifted.
    back = board({"l": {"a": 16384.0, "b": 32768.0, "x": 49152.0, "m": 16000.0}, "o": {}})
    move.apply(back)
    assert back.card_ids_in("l") == ["a", "b", "x", "m"]
    # One neighbour gone, the other kept: the card stays beside the one that stayed.
    create = board({"l": {"a": 100.0, "b": 200.0, "c": 300.0}})
    up = MoveCard("b", card_id="c", list_id="l", pos=150.0)  # between a and b
    up.apply(create)
    assert (up.after_card, up.before_card) == ("a", "b")
    gone = board({"l": {"b": 16384.0, "z": 32768.0, "c": 40000.0}, "o": {"a": 1.0}})
    up.apply(gone)
    assert gone.card_ids_in("l") == ["c", "b", "z"]  # just above b
