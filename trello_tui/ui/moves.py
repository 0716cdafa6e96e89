"""Where a keyed or dragged move lands: the target index and a ``pos`` between its neighbours.

Pure functions over BoardState and trello.positions (no Textual), so the rules are tested
without a screen. Indices are *visible* rows (a filter may hide cards); the pos is computed
against the real neighbours in Trello's order, so hidden cards keep their places.
"""

from __future__ import annotations

import dataclasses

from trello_tui.sync.state import BoardState
from trello_tui.trello import positions


@dataclasses.dataclass(frozen=True, slots=True)
class MovePlan:
    """Put ``card_id`` in ``list_id`` at ``pos``; ``respace`` are (card id, pos) writes first."""

    card_id: str
    list_id: str
    pos: float
    index: int
    respace: tuple[tuple[str, float], ...] = ()


def real_index(state: BoardState, card_id: str, list_id: str, visible: list[str], row: int) -> int:
    """The index among the list's other cards that puts the card at visible ``row``."""
    siblings = [cid for cid in state.card_ids_in(list_id) if cid != card_id]
    shown = [cid for cid in visible if cid != card_id]
    row = max(0, min(row, len(shown)))
    if not shown:
        return len(siblings) if row else 0
    if row < len(shown):
        return siblings.index(shown[row])
    return siblings.index(shown[-1]) + 1


def plan_move(state: BoardState, card_id: str, list_id: str, index: int) -> MovePlan | None:
    """A pos putting the card at real ``index`` among the other cards of ``list_id``.

    None when nothing would change (same list, same place).
    """
    card = state.cards[card_id]
    sibling_ids = [cid for cid in state.card_ids_in(list_id) if cid != card_id]
    index = max(0, min(index, len(sibling_ids)))
    if card.id_list == list_id and state.index_of(card_id) == index:
        return None
    siblings = [state.cards[cid].pos for cid in sibling_ids]
    placement = positions.place(siblings, index)
    respace = tuple((sibling_ids[i], pos) for i, pos in placement.respace)
    return MovePlan(card_id, list_id, placement.pos, index, respace)
