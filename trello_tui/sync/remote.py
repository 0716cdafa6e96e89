"""Remote changes: what a batch of Trello actions touched, and how to fetch it.

Polled actions (and webhook deliveries) name what changed but rarely carry a whole object
(a ``createCard`` has no ``pos``; an ``updateCard`` only the fields it changed). So the engine
reads an action batch for *what* it touched and fetches those objects' current server state:
the touched cards (``GET /1/cards/{id}``) and the checklists of cards whose items changed,
several at a time so the queue merges them into ``/1/batch``. A change to lists, labels,
board members or the board itself, or more than ``FULL_LOAD_ABOVE`` cards, is cheaper as one
full board load. Deleted cards are removed without a fetch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from trello_tui.trello.models import Action

#: beyond this many touched cards a single full board load is cheaper than the batches
FULL_LOAD_ABOVE = 30

_CHECKLIST_TYPES = frozenset(
    {
        "addChecklistToCard",
        "removeChecklistFromCard",
        "updateChecklist",
        "createCheckItem",
        "updateCheckItem",
        "deleteCheckItem",
        "updateCheckItemStateOnCard",
        "convertToCardFromCheckItem",
    }
)
_DELETE_TYPES = frozenset({"deleteCard", "moveCardFromBoard"})
_STRUCTURE_TYPES = frozenset(
    {
        "createList",
        "updateList",
        "moveListToBoard",
        "moveListFromBoard",
        "createLabel",
        "updateLabel",
        "deleteLabel",
        "addMemberToBoard",
        "removeMemberFromBoard",
        "makeAdminOfBoard",
        "makeNormalMemberOfBoard",
        "updateBoard",
        "copyBoard",
    }
)


@dataclasses.dataclass(slots=True)
class RemotePlan:
    """What a batch of actions asks the engine to refresh."""

    cards: set[str] = dataclasses.field(default_factory=set)
    checklist_cards: set[str] = dataclasses.field(default_factory=set)
    deleted: set[str] = dataclasses.field(default_factory=set)
    full_load: bool = False
    #: card id -> full name of the teammate who changed it last (for conflict notices)
    authors: dict[str, str] = dataclasses.field(default_factory=dict)
    newest_id: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.cards or self.checklist_cards or self.deleted or self.full_load)


def plan_actions(actions: Iterable[Action], board_id: str) -> RemotePlan:
    """Read actions (any order) into a fetch plan."""
    plan = RemotePlan()
    ordered = sorted(actions, key=lambda a: a.id)  # ids grow with time: oldest first
    for action in ordered:
        plan.newest_id = action.id
        card_id = action.card_id
        if action.type in _STRUCTURE_TYPES:
            plan.full_load = True
            continue
        if card_id is None:
            continue
        who = action.member_creator.full_name if action.member_creator else "Someone"
        plan.authors[card_id] = who
        if action.type in _DELETE_TYPES or (
            action.type == "moveCardToBoard" and action.board_id not in (None, board_id)
        ):
            plan.deleted.add(card_id)
            plan.cards.discard(card_id)
            plan.checklist_cards.discard(card_id)
            continue
        plan.deleted.discard(card_id)
        if action.type in _CHECKLIST_TYPES:
            plan.checklist_cards.add(card_id)
        plan.cards.add(card_id)
    if len(plan.cards | plan.checklist_cards) > FULL_LOAD_ABOVE:
        plan.full_load = True
    return plan
