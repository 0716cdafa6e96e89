"""Bulk actions as operations: one change to many cards, one write per card (pure functions).

The board screen marks cards; these functions turn "move the marked cards to Done", "toggle
the green label on them", "set their due date" … into the operations the engine submits as
one undo step (``SyncEngine.submit_group``). Each card's change stays its own operation, so
each is applied, stored, sent, confirmed (or refused) and undone on its own; the request
queue spreads the sends over Trello's rate budget. Nothing here sends or awaits anything.

Cards are always handled in board order (lists left to right, then top to bottom), so a bulk
move keeps the marked cards' relative order, and a card that would not change is left out
(no request is spent on it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from trello_tui.sync import ops
from trello_tui.sync.ops import Op
from trello_tui.sync.state import BoardState
from trello_tui.trello import positions


class NoRoom(ValueError):
    """The target list has no room left at its bottom (Trello would have to re-space it)."""


def in_board_order(state: BoardState, card_ids: Iterable[str]) -> list[str]:
    """The open cards among ``card_ids``, by list (left to right) then position."""
    column = {lst.id: i for i, lst in enumerate(state.open_lists())}
    cards = [
        card
        for card_id in dict.fromkeys(card_ids)
        if (card := state.cards.get(card_id)) is not None and not card.closed
    ]
    cards.sort(key=lambda c: (column.get(c.id_list, len(column)), c.pos, c.id))
    return [card.id for card in cards]


def move_to_bottom(state: BoardState, card_ids: Iterable[str], list_id: str) -> list[ops.MoveCard]:
    """Moves putting the cards at the bottom of ``list_id``, in board order.

    Each pos is ``SPACING`` past the previous one (``positions.between``), starting after
    the list's last card that is not moving. A card already in its final place is not moved.
    Raises ``NoRoom`` when the list's bottom is full (pos values near 2^48).
    """
    order = in_board_order(state, card_ids)
    moving = set(order)
    staying = [state.cards[c].pos for c in state.card_ids_in(list_id) if c not in moving]
    prev = staying[-1] if staying else None
    out: list[ops.MoveCard] = []
    for card_id in order:
        card = state.cards[card_id]
        if card.id_list == list_id and (prev is None or card.pos > prev):
            prev = card.pos  # already below everything placed so far: it stays
            continue
        pos = positions.between(prev, None)
        if pos is None:
            raise NoRoom(f"no room at the bottom of {list_id}")
        out.append(ops.MoveCard(state.id, card_id=card_id, list_id=list_id, pos=pos))
        prev = pos
    return out


def toggle_label(state: BoardState, card_ids: Iterable[str], label_id: str) -> list[Op]:
    """Remove the label from every card when all have it; else add it where it is missing."""
    order = in_board_order(state, card_ids)
    having = [c for c in order if label_id in state.cards[c].id_labels]
    if order and len(having) == len(order):
        return [ops.RemoveLabel(state.id, card_id=c, target=label_id) for c in order]
    return [ops.AddLabel(state.id, card_id=c, target=label_id) for c in order if c not in having]


def toggle_member(state: BoardState, card_ids: Iterable[str], member_id: str) -> list[Op]:
    """Remove the member from every card when all have them; else add them where missing."""
    order = in_board_order(state, card_ids)
    having = [c for c in order if member_id in state.cards[c].id_members]
    if order and len(having) == len(order):
        return [ops.RemoveMember(state.id, card_id=c, target=member_id) for c in order]
    return [ops.AddMember(state.id, card_id=c, target=member_id) for c in order if c not in having]


def set_due(
    state: BoardState,
    card_ids: Iterable[str],
    *,
    due: datetime | str | None = ops.KEEP,
    due_complete: bool | None = None,
) -> list[Op]:
    """The same due date (or completion) on every card that does not have it yet."""
    out: list[Op] = []
    for card_id in in_board_order(state, card_ids):
        card = state.cards[card_id]
        if (due == ops.KEEP or card.due == due) and (
            due_complete is None or card.due_complete == due_complete
        ):
            continue
        out.append(ops.SetDue(state.id, card_id=card_id, due=due, due_complete=due_complete))
    return out


def archive(state: BoardState, card_ids: Iterable[str]) -> list[Op]:
    return [ops.ArchiveCard(state.id, card_id=c) for c in in_board_order(state, card_ids)]
