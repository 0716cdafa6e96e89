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

import asyncio
import dataclasses
import logging
from collections import Counter, OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from trello_tui.store.cache import CacheWrite
from trello_tui.sync.events import Notice, RemoteActions
from trello_tui.sync.ops import CreateCard, Op
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello import calls
from trello_tui.trello.errors import MalformedAnswer, NotFound, TrelloError
from trello_tui.trello.models import Action, Card, Checklist
from trello_tui.trello.queue import Priority, RequestQueue
from trello_tui.trello.text import visible

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from trello_tui.sync.engine import Event

#: beyond this many touched cards a single full board load is cheaper than the batches
FULL_LOAD_ABOVE = 30
#: fetches of one card before a copy is taken that no answer to our writes overtook
FETCH_ATTEMPTS = 4

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


class RemoteMerge:
    """The SyncEngine's remote side: merge actions, re-base pending writes (engine.py rules)."""

    board_id: str
    queue: RequestQueue
    state: BoardState | None
    last_action_id: str | None
    editing: str | None
    _pending: list[Op]
    _dirty: CacheWrite
    _merged: OrderedDict[str, None]
    _answered: Counter[str]
    #: list id (None: the whole board) -> how often its numbers may have changed (a full
    #: load, or an answer to one of our writes that places a card in it)
    _renumbered: Counter[str | None]
    _in_flight: Op | None
    _unknown: set[str]
    _sender_role: bool
    #: new cards a poll brought while our create that may have made them was on its way
    #: (fetched again once it is answered, if they turn out to be someone else's)
    _deferred: set[str]

    if TYPE_CHECKING:

        async def refresh(self) -> bool: ...
        def _emit(self, event: Event) -> None: ...
        def _synced(self) -> None: ...
        def _network_error(self, error: TrelloError) -> None: ...
        def _schedule_flush(self) -> None: ...
        def _held(self, result: Card, temp: str | None = None) -> Card: ...

    # -- re-basing ---------------------------------------------------------------------------

    def _touching(self, ids: set[str], ops: Iterable[Op]) -> list[Op]:
        return [op for op in ops if op.ids() & ids]

    def _unapply(self, ops: list[Op]) -> None:
        assert self.state is not None
        for op in reversed(ops):
            op.rollback(self.state)

    def _reapply(self, ops: list[Op]) -> BoardChange:
        assert self.state is not None
        change = BoardChange(self.board_id)
        for op in ops:
            change = change.merge(op.apply(self.state))
        return change

    # -- remote changes ----------------------------------------------------------------------

    async def merge_actions(self, actions: list[Action], *, advance: bool = False) -> bool:
        """Merge polled or delivered actions; True when the state is current again.

        Only the poller passes ``advance``: it saw every action up to the newest, so the next
        poll may start there. A webhook delivery proves nothing about earlier actions.
        """
        if self.state is None:
            return await self.refresh()
        fresh = [a for a in actions if a.id not in self._merged]
        plan = plan_actions(fresh, self.board_id)
        newest = max((a.id for a in actions), default=None)
        if plan.newest_id is None:
            if advance and newest is not None:
                self.last_action_id = self._dirty.last_action_id = newest
                self._schedule_flush()
            return True
        if plan.full_load:
            if not await self.refresh():
                return False
            self._emit(RemoteActions(self.board_id, tuple(fresh)))
            return True
        try:
            cards, checklists = await self._fetch_current(plan.cards, plan.checklist_cards)
        except TrelloError as error:
            self._network_error(error)
            return False
        for card_id in plan.deleted:
            cards[card_id] = None
        self._merge_remote(cards, checklists, plan.authors)
        self._merged.update((a.id, None) for a in fresh)
        self._emit(RemoteActions(self.board_id, tuple(fresh)))
        while len(self._merged) > 2000:
            self._merged.popitem(last=False)
        if advance and newest is not None:
            self.last_action_id = self._dirty.last_action_id = newest
        self._schedule_flush()
        self._synced()
        return True

    async def _fetch_current(
        self, card_ids: set[str], checklist_cards: set[str]
    ) -> tuple[dict[str, Card | None], dict[str, list[Checklist]]]:
        """The server's copies of these cards (and checklists), none older than our writes.

        A copy read while one of our writes to that card was on its way may predate the write
        (Trello served the GET first; its answer came back later), and merging it would put the
        card back where it was, with no pending write left to re-base over it. Such a copy is
        fetched again: the next GET leaves after the answer, so Trello serves it after our
        write. A copy still overtaken after ``FETCH_ATTEMPTS`` is left out; the write's answer
        already holds the card as Trello made it.
        """
        cards: dict[str, Card | None] = {}
        checklists: dict[str, list[Checklist]] = {}
        want_cards, want_lists = set(card_ids), set(checklist_cards)
        for _ in range(FETCH_ATTEMPTS):
            marks = {i: self._answered[i] for i in want_cards | want_lists}
            numbering = Counter(self._renumbered)
            await asyncio.gather(
                *(self._fetch_card(card_id, cards) for card_id in want_cards),
                *(self._fetch_checklists(card_id, checklists) for card_id in want_lists),
            )
            overtaken = {i for i, n in marks.items() if self._answered[i] != n}
            overtaken |= self._renumbered_since(numbering, want_cards, cards)
            want_cards &= overtaken
            want_lists &= overtaken
            if not overtaken:
                break
        for card_id in want_cards:
            cards.pop(card_id, None)
        for card_id in want_lists:
            checklists.pop(card_id, None)
        return cards, checklists

    def _renumbered_since(
        self, numbering: Counter[str | None], card_ids: set[str], copies: dict[str, Card | None]
    ) -> set[str]:
        """The cards whose fetched ``pos`` may predate a renumbering of their list: a full
        load, or one of our placed writes (Trello may re-space the list it lands in), came in
        while they were on their way — the copy read before it would put back numbers the
        load or the re-spacing replaced."""
        changed = {k for k, n in self._renumbered.items() if numbering[k] != n}
        if not changed:
            return set()
        state = self.state
        assert state is not None
        found = set()
        for card_id in card_ids:
            copy, shown = copies.get(card_id), state.cards.get(card_id)
            lists = {c.id_list for c in (copy, shown) if c is not None}
            if None in changed or lists & changed:
                found.add(card_id)
        return found

    async def _fetch_card(self, card_id: str, out: dict[str, Card | None]) -> None:
        try:
            card = await self.queue.submit(
                calls.card(card_id), priority=Priority.SYNC, tag=self.board_id
            )
        except NotFound:
            out[card_id] = None
            return
        except MalformedAnswer:
            # Left out, as a board load leaves it out (checks.py warned once, naming it);
            # failing the whole merge would fetch it again at every poll.
            out[card_id] = None
            return
        out[card_id] = card if card.id_board in ("", self.board_id) else None

    async def _fetch_checklists(self, card_id: str, out: dict[str, list[Checklist]]) -> None:
        try:
            out[card_id] = await self.queue.submit(
                calls.card_checklists(card_id), priority=Priority.SYNC, tag=self.board_id
            )
        except (NotFound, MalformedAnswer):
            out[card_id] = []

    def _merge_remote(
        self,
        cards: dict[str, Card | None],
        checklists: dict[str, list[Checklist]],
        authors: dict[str, str],
    ) -> None:
        state = self.state
        assert state is not None
        ids = set(cards) | set(checklists)
        ids |= {c.id for cid in checklists for c in state.checklists_of(cid)}
        touching = self._touching(ids, self._pending)
        self._unapply(touching)
        change = BoardChange(self.board_id)
        for card_id, card in cards.items():
            if card is not None and card_id not in state.cards and self._made_by_us(card):
                # The card our create on its way made: its answer (or the reconcile after a
                # lost one) adopts it in place of the one shown; merged now, it shows twice.
                self._deferred.add(card_id)
                continue
            if card is None:
                change = change.merge(state.remove_card(card_id))
                self._dirty.deleted_cards.add(card_id)
                continue
            old = state.cards.get(card_id)
            merged = dict(old.to_json()) if old is not None else {}
            merged.update(card.raw)
            now = self._held(Card.from_json(merged))
            if old is not None and (old.pos, old.id_list) != (now.pos, now.id_list):
                log.debug(
                    "merged %s: %s@%g -> %s@%g (Trello %g)",
                    card_id,
                    old.id_list,
                    old.pos,
                    now.id_list,
                    now.pos,
                    card.pos,
                )
            change = change.merge(state.put_card(now))
            self._dirty.cards[card_id] = state.cards[card_id]
        for card_id, fresh in checklists.items():
            keep = {c.id for c in fresh}
            for old_list in state.checklists_of(card_id):
                if old_list.id not in keep:
                    change = change.merge(state.remove_checklist(old_list.id))
                    self._dirty.deleted_checklists.add(old_list.id)
            for checklist in fresh:
                checklist = checklist.with_changes(
                    id_card=checklist.id_card or card_id, id_board=self.board_id
                )
                change = change.merge(state.put_checklist(checklist))
                self._dirty.checklists[checklist.id] = checklist
        change = change.merge(self._reapply(touching))
        self._emit(change)
        if self.editing is not None and self.editing in ids:
            self._conflict(self.editing, authors.get(self.editing, "Someone"))

    def _made_by_us(self, card: Card) -> bool:
        """A card new to us that one of our creates sent (and not yet answered) may have
        made: the same name in the same list."""
        for op in self._pending:
            # (while another process holds the sender role, any create may be on its way)
            if op is not self._in_flight and op.op_id not in self._unknown and self._sender_role:
                continue
            # (the answered card's name is made visible, the name sent may not be)
            if isinstance(op, CreateCard) and (op.list_id, visible(op.name)) == (
                card.id_list,
                card.name,
            ):
                return True
        return False

    def _conflict(self, card_id: str, who: str) -> None:
        card = self.state.cards.get(card_id) if self.state else None
        name = card.name if card else "this card"
        text = f"{who} changed '{name}' while you were editing it"
        self._emit(Notice(self.board_id, "conflict", text, card_id=card_id))
