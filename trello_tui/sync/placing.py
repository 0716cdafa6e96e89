"""A card keeps its place by its neighbours when Trello re-spaces the list under it.

A move (or a create) computes its ``pos`` from the positions the app knows. Trello may re-space
a list at any time (all of its ``pos`` values change), and the app learns the new values only
from an answer, a poll or a full load — so a number computed before that can put the card
somewhere the user never chose. An operation therefore remembers the two cards it was placed
between at its first apply; whenever it is applied again on newer server state (a re-base),
a ``pos`` no longer between them is re-planned into their gap, and that is what is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trello_tui.sync.state import BoardState
from trello_tui.trello import positions

Neighbours = tuple[str | None, str | None]


def neighbours(state: BoardState, card_id: str, list_id: str) -> Neighbours:
    """The open cards just above and just below ``card_id`` in ``list_id`` (None at an end)."""
    ids = state.card_ids_in(list_id)
    if card_id not in ids:
        return None, None
    at = ids.index(card_id)
    return (ids[at - 1] if at > 0 else None), (ids[at + 1] if at + 1 < len(ids) else None)


def replan(state: BoardState, card_id: str, list_id: str, pos: float, around: Neighbours) -> float:
    """``pos`` if it still lies between the remembered neighbours, else a pos in their gap.

    A neighbour that left the list (archived, moved away) is replaced by the card now beside
    the one still there: the card stays next to the neighbour it kept (a number from before
    a re-spacing would put it anywhere). With both gone, ``pos`` is the best intent we have.
    """
    after, before = around
    if after is None and before is None:
        return pos
    low = _pos_of(state, after, list_id, card_id)
    high = _pos_of(state, before, list_id, card_id)
    gone_after = after is not None and low is None
    gone_before = before is not None and high is None
    if gone_after and gone_before:
        return pos
    if gone_after or gone_before:
        ids = [i for i in state.card_ids_in(list_id) if i != card_id]
        if gone_after:  # just above ``before`` (at the bottom if it was the last)
            at = len(ids) if before is None else ids.index(before)
            low = state.cards[ids[at - 1]].pos if at > 0 else None
        else:  # just below ``after`` (at the top if it was the first)
            at = -1 if after is None else ids.index(after)
            high = state.cards[ids[at + 1]].pos if at + 1 < len(ids) else None
    fresh = positions.between(low, high, pos)
    return pos if fresh is None else fresh


def off_grid(state: BoardState, card_id: str, list_id: str, pos: float) -> float:
    """``pos`` moved off the whole numbers when that keeps it between the same cards.

    Trello re-spaces a list onto whole numbers (multiples of 16384 in the sandbox). A card
    sent to a whole number may land on exactly that number in the new numbering, and then
    its answer shows nothing of the re-spacing — while the numbers we hold for its
    neighbours are stale. Sent off the grid, a re-spaced card always comes back with
    another number than the one sent, and the engine learns the list again.
    """
    if pos != int(pos):
        return pos
    ids = state.card_ids_in(list_id)
    others = [state.cards[i].pos for i in ids if i != card_id]
    low = max((p for p in others if p < pos), default=0.0)
    high = min((p for p in others if p > pos), default=positions.MAX_POS)
    for nudged in (pos + 0.5, pos - 0.5):
        if nudged - low >= positions.MIN_SPACING and high - nudged >= positions.MIN_SPACING:
            return nudged
    return pos


def _pos_of(state: BoardState, card_id: str | None, list_id: str, moving: str) -> float | None:
    if card_id is None or card_id == moving:
        return None
    card = state.cards.get(card_id)
    if card is None or card.closed or card.id_list != list_id:
        return None
    return card.pos


def around(op: Any) -> set[str]:
    """The cards a placed operation was put between (none for other operations)."""
    return {i for i in (getattr(op, "after_card", None), getattr(op, "before_card", None)) if i}


def rewrite_neighbours(op: Any, mapping: Mapping[str, str]) -> bool:
    """Temporary ids of an operation's remembered neighbours become Trello's ids."""
    changed = False
    for attr in ("after_card", "before_card", "from_after", "from_before"):
        value = getattr(op, attr, None)
        if isinstance(value, str) and value in mapping:
            setattr(op, attr, mapping[value])
            changed = True
    return changed


Fix = tuple[str, float, Neighbours]


def _placed_card(state: BoardState, op: Any, card_id: str) -> tuple[Any, Neighbours] | None:
    around: Neighbours = (getattr(op, "after_card", None), getattr(op, "before_card", None))
    card = state.cards.get(card_id)
    if around == (None, None) or card is None or card.closed:
        return None
    if card.id_list != getattr(op, "list_id", None):
        return None
    return card, around


def replacement(state: BoardState, op: Any, card_id: str) -> Fix | None:
    """The move that keeps the card ``op`` placed between the cards it was put between, to
    send once the list's numbers are known again (it is re-planned then), or None."""
    found = _placed_card(state, op, card_id)
    if found is None:
        return None
    card, around = found
    return card.id_list, card.pos, around


def correction(state: BoardState, op: Any, card_id: str) -> Fix | None:
    """After Trello re-spaced a list: (list, pos, neighbours) of the move that puts the card
    ``op`` placed back between the cards it was put between, or None when it is there.

    Trello puts a card whose ``pos`` equals another's after it — and that other card may be
    an archived one the app never sees — so a re-spaced answer can leave the card a place off.
    """
    found = _placed_card(state, op, card_id)
    if found is None:
        return None
    card, around = found
    pos = replan(state, card.id, card.id_list, card.pos, around)
    return None if pos == card.pos else (card.id_list, pos, around)
