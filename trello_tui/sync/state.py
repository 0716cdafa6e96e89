"""BoardState: one board held in memory, in the order the screen shows it.

The sync engine owns a BoardState and is the only writer; the UI reads it and repaints what a
``BoardChange`` names. Open cards of each list are kept sorted by ``(pos, id)`` — Trello's
order, with the id breaking ties the way the server does — using bisect, so a move on a
5,000-card board costs a list insertion, not a re-sort.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterable

from trello_tui.trello.models import Board, Card, Checklist, Label, Member, TrelloList

SortKey = tuple[float, str]


@dataclasses.dataclass(frozen=True, slots=True)
class BoardChange:
    """What changed, so subscribers repaint only that.

    ``lists`` names lists whose cards changed order or membership (a move touches two),
    ``cards`` names cards whose face changed; ``structure`` means the lists themselves
    changed (added, renamed, archived, reordered) or the whole board was replaced.
    """

    board_id: str
    cards: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()
    structure: bool = False

    def merge(self, other: BoardChange) -> BoardChange:
        return BoardChange(
            board_id=self.board_id,
            cards=self.cards | other.cards,
            lists=self.lists | other.lists,
            structure=self.structure or other.structure,
        )

    @property
    def empty(self) -> bool:
        return not (self.cards or self.lists or self.structure)


def _key(card: Card) -> SortKey:
    return (card.pos, card.id)


class BoardState:
    """The lists, cards, labels, members and checklists of one board."""

    def __init__(self, board: Board) -> None:
        self.board = board.with_changes(lists=(), cards=(), labels=(), members=(), checklists=())
        self.lists: dict[str, TrelloList] = {}
        self.cards: dict[str, Card] = {}
        self.labels: dict[str, Label] = {}
        self.members: dict[str, Member] = {}
        self.checklists: dict[str, Checklist] = {}
        self._keys: dict[str, list[SortKey]] = {}
        self._ids: dict[str, list[str]] = {}
        for trello_list in board.lists:
            self.lists[trello_list.id] = trello_list
        for label in board.labels:
            self.labels[label.id] = label
        for member in board.members:
            self.members[member.id] = member
        for checklist in board.checklists:
            self.checklists[checklist.id] = checklist
        by_list: dict[str, list[Card]] = {}
        for card in board.cards:
            self.cards[card.id] = card
            if not card.closed:
                by_list.setdefault(card.id_list, []).append(card)
        for list_id, cards in by_list.items():
            cards.sort(key=_key)
            self._keys[list_id] = [_key(card) for card in cards]
            self._ids[list_id] = [card.id for card in cards]

    @property
    def id(self) -> str:
        return self.board.id

    # -- reading ------------------------------------------------------------------------

    def open_lists(self) -> list[TrelloList]:
        """Open lists, left to right."""
        return sorted(
            (lst for lst in self.lists.values() if not lst.closed),
            key=lambda lst: (lst.pos, lst.id),
        )

    def card_ids_in(self, list_id: str) -> list[str]:
        """Ids of the open cards of a list, top to bottom (do not mutate)."""
        return self._ids.get(list_id, [])

    def cards_in(self, list_id: str) -> list[Card]:
        return [self.cards[card_id] for card_id in self.card_ids_in(list_id)]

    def index_of(self, card_id: str) -> int | None:
        """The row of an open card within its list, or None."""
        card = self.cards.get(card_id)
        if card is None or card.closed:
            return None
        keys = self._keys.get(card.id_list, [])
        index = bisect.bisect_left(keys, _key(card))
        if index < len(keys) and keys[index] == _key(card):
            return index
        return None

    def neighbours(self, list_id: str, index: int) -> tuple[Card | None, Card | None]:
        """The cards that would sit above and below a card inserted at ``index``."""
        ids = self.card_ids_in(list_id)
        above = self.cards[ids[index - 1]] if 0 < index <= len(ids) else None
        below = self.cards[ids[index]] if 0 <= index < len(ids) else None
        return above, below

    def checklists_of(self, card_id: str) -> list[Checklist]:
        card = self.cards.get(card_id)
        if card is None:
            return []
        found = [self.checklists[cid] for cid in card.id_checklists if cid in self.checklists]
        known = {c.id for c in found}
        found.extend(
            c for c in self.checklists.values() if c.id_card == card_id and c.id not in known
        )
        return sorted(found, key=lambda c: (c.pos, c.id))

    def member_by_username(self, username: str) -> Member | None:
        return next((m for m in self.members.values() if m.username == username), None)

    # -- writing (the engine's job) -------------------------------------------------------

    def _unplace(self, card: Card) -> None:
        keys = self._keys.get(card.id_list)
        if not keys:
            return
        index = bisect.bisect_left(keys, _key(card))
        if index < len(keys) and keys[index] == _key(card):
            del keys[index]
            del self._ids[card.id_list][index]

    def _place(self, card: Card) -> None:
        if card.closed:
            return
        keys = self._keys.setdefault(card.id_list, [])
        ids = self._ids.setdefault(card.id_list, [])
        index = bisect.bisect_left(keys, _key(card))
        keys.insert(index, _key(card))
        ids.insert(index, card.id)

    def put_card(self, card: Card) -> BoardChange:
        """Insert or replace a card; returns what changed."""
        old = self.cards.get(card.id)
        lists: set[str] = set()
        if old is not None:
            if _key(old) != _key(card) or old.id_list != card.id_list or old.closed != card.closed:
                self._unplace(old)
                self._place(card)
                lists.update({old.id_list, card.id_list})
        else:
            self._place(card)
            lists.add(card.id_list)
        self.cards[card.id] = card
        return BoardChange(self.id, cards=frozenset({card.id}), lists=frozenset(lists))

    def remove_card(self, card_id: str) -> BoardChange:
        old = self.cards.pop(card_id, None)
        if old is None:
            return BoardChange(self.id)
        self._unplace(old)
        return BoardChange(self.id, cards=frozenset({card_id}), lists=frozenset({old.id_list}))

    def put_list(self, trello_list: TrelloList) -> BoardChange:
        self.lists[trello_list.id] = trello_list
        return BoardChange(self.id, lists=frozenset({trello_list.id}), structure=True)

    def put_label(self, label: Label) -> BoardChange:
        self.labels[label.id] = label
        users = frozenset(c.id for c in self.cards.values() if label.id in c.id_labels)
        return BoardChange(self.id, cards=users)

    def put_member(self, member: Member) -> BoardChange:
        self.members[member.id] = member
        users = frozenset(c.id for c in self.cards.values() if member.id in c.id_members)
        return BoardChange(self.id, cards=users)

    def put_checklist(self, checklist: Checklist) -> BoardChange:
        self.checklists[checklist.id] = checklist
        return BoardChange(self.id, cards=frozenset({checklist.id_card}))

    def remove_checklist(self, checklist_id: str) -> BoardChange:
        old = self.checklists.pop(checklist_id, None)
        if old is None:
            return BoardChange(self.id)
        return BoardChange(self.id, cards=frozenset({old.id_card}))

    def replace_all(self, board: Board) -> BoardChange:
        """Adopt a freshly loaded board wholesale (a full refresh)."""
        fresh = BoardState(board)
        self.__dict__.update(fresh.__dict__)
        return BoardChange(self.id, structure=True)

    def put_cards(self, cards: Iterable[Card]) -> BoardChange:
        change = BoardChange(self.id)
        for card in cards:
            change = change.merge(self.put_card(card))
        return change

    def to_board(self) -> Board:
        """The whole state as a Board with nested collections (for the cache)."""
        return self.board.with_changes(
            lists=tuple(self.lists.values()),
            cards=tuple(self.cards.values()),
            labels=tuple(self.labels.values()),
            members=tuple(self.members.values()),
            checklists=tuple(self.checklists.values()),
        )
