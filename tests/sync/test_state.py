"""BoardState keeps each list's open cards in Trello's order through every change."""

from __future__ import annotations

from tests.fixtures import load_json
from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board


def _state() -> BoardState:
    return BoardState(Board.from_json(load_json("board-export-nebula-2015.json")))


def test_cards_in_follow_pos_order() -> None:
    state = _state()
    for trello_list in state.open_lists():
        cards = state.cards_in(trello_list.id)
        assert [c.pos for c in cards] == sorted(c.pos for c in cards)
        assert all(not c.closed for c in cards)
    assert [lst.pos for lst in state.open_lists()] == sorted(lst.pos for lst in state.open_lists())


def test_move_between_lists_and_within() -> None:
    state = _state()
    lists = [lst for lst in state.open_lists() if state.card_ids_in(lst.id)]
    source, target = lists[0].id, lists[1].id
    card = state.cards_in(source)[0]
    first = state.cards_in(target)[0]
    change = state.put_card(card.with_changes(id_list=target, pos=first.pos / 2))
    assert change.lists == {source, target} and change.cards == {card.id}
    assert state.card_ids_in(target)[0] == card.id
    assert card.id not in state.card_ids_in(source)
    assert state.index_of(card.id) == 0
    above, below = state.neighbours(target, 1)
    assert above is not None and above.id == card.id and below is not None and below.id == first.id


def test_archive_and_remove_and_round_trip() -> None:
    state = _state()
    lst = next(lst for lst in state.open_lists() if state.card_ids_in(lst.id))
    card = state.cards_in(lst.id)[0]
    state.put_card(card.with_changes(closed=True))
    assert card.id not in state.card_ids_in(lst.id) and state.index_of(card.id) is None
    state.put_card(card)
    assert state.index_of(card.id) == 0
    state.remove_card(card.id)
    assert card.id not in state.cards
    again = BoardState(state.to_board())
    assert again.card_ids_in(lst.id) == state.card_ids_in(lst.id)
