"""Moving a card to another board, and back (its undo).

``MoveCardToBoard`` runs on the engine of the board the card leaves: applying it takes the
card off this board at once (the card's new home is shown when that board is next opened or
refreshed); the one request is ``PUT /1/cards/{id}`` with ``idBoard``, ``idList`` and ``pos``.
Trello then drops the card's labels (labels belong to a board) and the members who are not on
the new board.

Its inverse, ``ReturnCardToBoard``, brings the card back: the source board no longer holds the
card, so the move keeps a snapshot of it (``before["card"]``, JSON like every ``before``, so it
survives the outbox on disk). The return puts the snapshot back at once and sends one PUT with
``idBoard``, ``idList``, ``pos``, ``idLabels`` and ``idMembers``, so the labels and members
Trello dropped on the way out are restored with the same request. Like a move's undo, it goes
back between the cards it sat between, even if Trello re-spaced the list meanwhile.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from trello_tui.sync import placing
from trello_tui.sync.ops_base import Op, adopt_card, register
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello.calls import ApiCall, encode_changes, parse_one
from trello_tui.trello.models import Card


def _card_put(card_id: str, **fields: Any) -> ApiCall[Card]:
    """One ``PUT /1/cards/{id}`` with exactly these Trello fields."""
    return ApiCall(
        "PUT", f"/cards/{card_id}", form=encode_changes(**fields), parse=parse_one(Card.from_json)
    )


@register
@dataclasses.dataclass
class MoveCardToBoard(Op):
    """Move a card of this board (``board_id``) to ``list_id`` on ``to_board_id``."""

    kind: ClassVar[str] = "move_card_to_board"
    verb: ClassVar[str] = "move"
    card_id: str = ""
    to_board_id: str = ""
    list_id: str = ""
    #: ``"bottom"``, ``"top"`` or a number: the target list's cards are not on screen
    pos: float | str = "bottom"
    #: names for messages ("to 'Personal'"), kept so a restart can still say them
    to_board_name: str = ""
    #: the cards around it before it left: its undo goes back between them
    from_after: str | None = None
    from_before: str | None = None

    def apply(self, state: BoardState) -> BoardChange:
        card = state.cards.get(self.card_id)
        if card is None:
            # Gone meanwhile (deleted, or moved away by someone else): a refusal must not
            # bring it back, and there is nothing to undo.
            self.before = {}
            return BoardChange(state.id)
        self.before = {"card": card.to_json()}
        self.from_after, self.from_before = placing.neighbours(state, card.id, card.id_list)
        return state.remove_card(self.card_id)

    def rewrite(self, mapping: Mapping[str, str]) -> bool:
        return placing.rewrite_neighbours(self, mapping) | super().rewrite(mapping)

    def rollback(self, state: BoardState) -> BoardChange:
        snapshot = self.before.get("card")
        if not isinstance(snapshot, dict):
            return BoardChange(state.id)
        return state.put_card(Card.from_json(snapshot))

    def call(self) -> ApiCall[Card]:
        return _card_put(self.card_id, idBoard=self.to_board_id, idList=self.list_id, pos=self.pos)

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        # The card lives on the other board now; this board has nothing to adopt.
        if isinstance(result, Card) and result.id_board == state.id:
            return adopt_card(state, result)
        return BoardChange(state.id)

    def inverse(self) -> list[Op]:
        snapshot = self.before.get("card")
        if not isinstance(snapshot, dict):
            return []
        return [
            ReturnCardToBoard(
                self.board_id,
                card_id=self.card_id,
                card=snapshot,
                after_card=self.from_after,
                before_card=self.from_before,
            )
        ]

    def describe(self, state: BoardState) -> str:
        snapshot = self.before.get("card")
        name = snapshot.get("name") if isinstance(snapshot, dict) else None
        where = f" to '{self.to_board_name}'" if self.to_board_name else " to another board"
        return f"move '{name}'{where}" if name else f"move{where}"


@register
@dataclasses.dataclass
class ReturnCardToBoard(Op):
    """Bring a card back to this board as ``card`` (a snapshot) was: list, pos, labels, members."""

    kind: ClassVar[str] = "return_card_to_board"
    verb: ClassVar[str] = "move back"
    card_id: str = ""
    card: dict[str, Any] = dataclasses.field(default_factory=dict)
    #: the cards it sat between: if Trello re-spaced the list meanwhile, the snapshot's pos
    #: is re-planned into their gap (sync/placing.py), and that pos is what is sent
    after_card: str | None = None
    before_card: str | None = None
    pos: float | None = None

    def apply(self, state: BoardState) -> BoardChange:
        old = state.cards.get(self.card_id)
        self.before = {"card": old.to_json()} if old is not None else {}
        card = Card.from_json({**self.card, "idBoard": state.id})
        around = (self.after_card, self.before_card)
        self.pos = placing.replan(state, card.id, card.id_list, card.pos, around)
        return state.put_card(card.with_changes(pos=self.pos))

    def rewrite(self, mapping: Mapping[str, str]) -> bool:
        return placing.rewrite_neighbours(self, mapping) | super().rewrite(mapping)

    def rollback(self, state: BoardState) -> BoardChange:
        snapshot = self.before.get("card")
        if isinstance(snapshot, dict):
            return state.put_card(Card.from_json(snapshot))
        return state.remove_card(self.card_id)

    def call(self) -> ApiCall[Card]:
        card = Card.from_json(self.card)
        return _card_put(
            self.card_id,
            idBoard=self.board_id,
            idList=card.id_list,
            pos=card.pos if self.pos is None else self.pos,
            idLabels=list(card.id_labels),
            idMembers=list(card.id_members),
        )

    def confirm(self, state: BoardState, result: Any) -> BoardChange:
        return adopt_card(state, result)

    def inverse(self) -> list[Op]:
        return []

    def describe(self, state: BoardState) -> str:
        name = self.card.get("name")
        return f"move '{name}' back" if name else "move back"
