"""Full board loads, and what they teach the engine: every card's current number.

Mixed into ``SyncEngine`` (engine.py). A full load (``refresh``) reads the newest action, then
the board, and puts it in with the pending writes on top. Cards our writes were answered for
while the load was on its way keep the answered copy until they are fetched again
(``_catch_up``, with backoff until it succeeds).

A warm start loads nothing it already has (``resume``, ``poll_actions``): it asks for the
actions since the newest one the cache saw and merges them, as every poll does. The cache's
numbers are then trusted (the board is no longer unsure) when that one answer covers the whole
gap: the cache was fully loaded less than ``trust_cache_s`` ago, no earlier run left a list
unsure (``unsure_key``: kept in the cache's meta), fewer actions than a page came back, and
the merge applies every one of them (each names a card, fetched, or changes the board's
structure, which loads it). A list an action placed a card in may have been re-spaced by
that write unseen: it is *suspect*, and only a move or create into it waits for a full load.
Otherwise — too many actions, one the merge cannot apply, a cache too old — the board is
loaded once.

Trello re-spaces a list now and then: every card's ``pos`` in it changes at once. Until a
full load brings the new numbers, the list is *unsure* (``_unsure``): an answer or a polled
copy of one of its cards keeps the number shown (``_held``: adopted alone, it would put the
card a row off among the old numbers), a move or create into it waits for a load and is
re-planned between the cards it was put between (``_numbered``, placing.py), and a card the
re-spacing moved past a neighbour is put back (``_respaced``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from trello_tui.store.cache import AsyncCache
from trello_tui.sync import placing
from trello_tui.sync.ops import (
    ArchiveCard,
    CreateCard,
    MoveCard,
    MoveCardToBoard,
    Op,
    RestoreCard,
    ReturnCardToBoard,
)
from trello_tui.sync.remote import _STRUCTURE_TYPES
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello import calls
from trello_tui.trello.errors import TrelloError
from trello_tui.trello.models import Action, Board, Card, Checklist, format_date
from trello_tui.trello.queue import Priority, RequestQueue

if TYPE_CHECKING:
    from trello_tui.sync.engine import Event

log = logging.getLogger(__name__)
#: writes that say where a card is (its list, its place, whether it is on the board)
PLACING = (MoveCard, MoveCardToBoard, ReturnCardToBoard, ArchiveCard, RestoreCard)
#: one page of ``actions?since=``: a full page may not reach back to ``since`` (load instead)
ACTIONS_PAGE = 1000
#: how long after a full load the cache's numbers may be trusted at a start (the poller's
#: ``full_every_s``: a run loads the board as often, to catch what actions do not show)
TRUST_CACHE_S = 600.0
#: actions that put a card at a number in a list (Trello may re-space the list for it)
_PLACING_TYPES = frozenset({"createCard", "copyCard", "convertToCardFromCheckItem"})
Observer = Callable[[str, list[Action]], None]


def unsure_key(board_id: str) -> str:
    """The cache's meta key for the lists whose numbers a run left unknown (JSON list)."""
    return f"unsure_lists:{board_id}"


def list_ids(value: str | None) -> list[str]:
    """The list ids kept under ``unsure_key`` (none when unreadable)."""
    try:
        ids = json.loads(value) if value else []
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []


def placed_lists(actions: Iterable[Action], board_id: str) -> set[str]:
    """The lists these actions put a card in at a number: a new card, or a move (its
    ``pos`` or list changed), or one that came from another board."""
    found: set[str] = set()
    for action in actions:
        old = action.data.get("old")
        moved = isinstance(old, dict) and ("pos" in old or "idList" in old)
        placing = action.type in _PLACING_TYPES or (action.type == "updateCard" and moved)
        placing = placing or (
            action.type == "moveCardToBoard" and action.board_id in (None, board_id)
        )
        if placing and action.list_id:
            found.add(action.list_id)
    return found


def mergeable(action: Action) -> bool:
    """The merge can apply it: it names a card (fetched) or changes the board's structure
    (a full load). Anything else (a type we do not know) says nothing the merge can use."""
    return action.card_id is not None or action.type in _STRUCTURE_TYPES


class BoardLoads:
    """Mixed into SyncEngine: full loads, catching up after them, the lists' numbering."""

    board_id: str
    queue: RequestQueue
    cache: AsyncCache
    #: the unsure lists last written to the cache's meta (``unsure_key``)
    _saved_unsure: frozenset[str]
    state: BoardState | None
    last_action_id: str | None
    editing: str | None
    retry_delay_s: float
    max_retry_delay_s: float
    _forced_offline: bool
    _refreshing: bool
    _respacing: bool
    _pending: list[Op]
    _answered: Counter[str]
    _renumbered: Counter[str | None]
    _claims: set[str]
    _stale: set[str]
    _catcher: asyncio.Task[None] | None
    _unsure: set[str | None]
    _loading: asyncio.Future[bool] | None
    _wake: asyncio.Event
    #: lists a card was placed in while we were away (``placed_lists``): a placed write into
    #: one waits for a full load, as into an unsure list; nothing else is held for them
    _suspect: set[str]
    #: the cache's newest action while a poll from it may prove the cache current
    _vouch: str | None
    #: the warm start's poll under way, if any (a placed write waits for its verdict)
    _resuming: asyncio.Future[bool] | None
    #: a full load is owed (a warm start's actions said so, or its load failed)
    _load_due: bool
    #: successful full loads this run; ``loaded_at``: wall time of the latest (or the cache's)
    full_loads: int
    loaded_at: float | None

    if TYPE_CHECKING:

        def _emit(self, event: Event) -> None: ...
        def _emit_status(self) -> None: ...
        def _synced(self) -> None: ...
        def _network_error(self, error: TrelloError) -> None: ...
        def _schedule_flush(self) -> None: ...
        def _unapply(self, ops: list[Op]) -> None: ...
        def _reapply(self, ops: list[Op]) -> BoardChange: ...
        def _conflict(self, card_id: str, who: str) -> None: ...
        def _merge_remote(
            self,
            cards: dict[str, Card | None],
            checklists: dict[str, list[Checklist]],
            authors: dict[str, str],
        ) -> None: ...
        async def _fetch_current(
            self, card_ids: set[str], checklist_cards: set[str]
        ) -> tuple[dict[str, Card | None], dict[str, list[Checklist]]]: ...
        def has_pending(self, object_id: str) -> bool: ...
        def submit(self, op: Op, *, undoable: bool = True) -> asyncio.Future[None]: ...
        def note_poll(self, error: TrelloError | None = None) -> None: ...
        async def merge_actions(self, actions: list[Action], *, advance: bool = False) -> bool: ...

    async def _save_unsure(self) -> None:
        """Keep the lists whose numbers we do not know in the cache's meta: a later run's
        actions may no longer show why (loading.py, warm starts)."""
        unsure = frozenset(i for i in self._unsure if i is not None)
        if unsure != self._saved_unsure:
            self._saved_unsure = unsure
            value = json.dumps(sorted(unsure))
            await asyncio.to_thread(self.cache.sync.set_meta, unsure_key(self.board_id), value)

    async def refresh(self) -> bool:
        """A full board load: the server's state replaces ours, pending writes on top."""
        if self._forced_offline:
            return False
        self._refreshing = True
        self._emit_status()
        marks = Counter(self._answered)  # a write answered meanwhile may postdate the load
        unsure = set(self._unsure)  # (a list re-spaced during the load stays unsure)
        suspect = set(self._suspect)
        loading = self._loading = asyncio.get_running_loop().create_future()
        try:
            # The newest action first, then the board: polling resumes after that action, so
            # whatever happened after it must be in the board (read in the other order, a
            # change landing between the two would never be fetched: a re-spaced list, say).
            newest = await self.queue.submit(
                calls.board_actions(self.board_id, limit=1),
                priority=Priority.SYNC,
                tag=self.board_id,
            )
            board = await self.queue.submit(
                calls.load_board(self.board_id), priority=Priority.SYNC, tag=self.board_id
            )
        except TrelloError as error:
            self._network_error(error)
            loading.set_result(False)
            return False
        except BaseException:
            loading.set_result(False)
            raise
        finally:
            self._refreshing = False
            if self._loading is loading:
                self._loading = None
        self._unsure -= unsure
        self._suspect -= suspect
        self._vouch, self._load_due = None, False
        self.full_loads += 1
        self.loaded_at = time.time()
        loading.set_result(True)
        log.debug("load in: knew %s, still unsure %s", sorted(map(str, unsure)), self._unsure)
        # A board without actions yet: poll from "now" on Trello's clock instead.
        since = (
            newest[0].id
            if newest
            else format_date(datetime.fromtimestamp(self.queue.client.server_time() - 1, UTC))
        )
        overtaken = {i for i, n in self._answered.items() if marks[i] != n}
        self._stale.clear()  # read after every answer that made those stale
        stale = self._overtaken_cards(overtaken) if overtaken else set()
        self._adopt_board(board, since, keep=stale)
        await self.cache.save_board(board, last_action_id=self.last_action_id)
        await self._save_unsure()  # (after the board: a crash between leaves them unsure)
        if stale:
            self._stale |= stale
            log.debug("load older than answers for %s", sorted(self._stale))
            if not await self._catch_up():
                self._schedule_catch_up()
        return True

    def _overtaken_cards(self, ids: set[str]) -> set[str]:
        """The cards to fetch again after a load read before Trello answered our writes to
        ``ids``, so the board shows each as those writes left it."""
        state = self.state
        assert state is not None
        # Cards the load holds, and cards we made that it may lack (a label, member or list
        # the writes named is not refetched: the next poll brings any change to those).
        others = state.lists.keys() | state.labels.keys() | state.members.keys()
        card_ids = {i for i in ids if i in state.cards or (i in self._claims and i not in others)}
        card_ids -= state.checklists.keys()
        card_ids |= {state.checklists[i].id_card for i in ids if i in state.checklists}
        card_ids.discard("")
        return card_ids

    async def _catch_up(self) -> bool:
        """Fetch the cards a load showed older than our confirmed writes; True when done."""
        want = set(self._stale)
        if not want:
            return True
        try:
            cards, checklists = await self._fetch_current(want, want)
        except TrelloError as error:
            self._network_error(error)
            return False
        self._stale -= want
        self._merge_remote(cards, checklists, {})
        self._schedule_flush()
        return True

    def _schedule_catch_up(self) -> None:
        if self._catcher is None or self._catcher.done():
            self._catcher = asyncio.get_running_loop().create_task(self._catch_up_later())

    async def _catch_up_later(self) -> None:
        """The fetch failed (the network, Trello): try again with backoff until it is done
        or a newer load makes it unneeded."""
        delay = self.retry_delay_s
        while self._stale:
            await asyncio.sleep(delay)
            if not self._forced_offline:
                await self._catch_up()
            delay = min(self.max_retry_delay_s, delay * 2)

    def _adopt_board(
        self, board: Board, last_action_id: str | None, *, keep: Collection[str] = ()
    ) -> None:
        """Put a full load in, pending writes on top. ``keep``: cards whose copies in the load
        may be older than Trello's answers to our writes (read before it answered): they keep
        the copy those answers gave until they are fetched again (``_catch_up``), instead of
        showing the older one — a card moved back, an archived card open — meanwhile."""
        edited = self.state.cards.get(self.editing) if self.state and self.editing else None
        if self.state is None:
            self.state = BoardState(board)
        else:
            kept: list[Card] = []
            checklists = []
            if keep:
                self._unapply(self._pending)  # (the server's copies, as its answers left them)
                kept = [self.state.cards[i] for i in keep if i in self.state.cards]
                checklists = [c for i in keep for c in self.state.checklists_of(i)]
            self.state.replace_all(board)
            self.state.put_cards(kept)
            for checklist in checklists:
                self.state.put_checklist(checklist)
        self._renumbered[None] += 1
        for op in self._pending:
            op.apply(self.state)
        self.last_action_id = last_action_id
        self._synced()
        self._wake.set()
        self._emit(BoardChange(self.board_id, structure=True))
        if edited is not None:
            now = self.state.cards.get(edited.id)
            if now is None or now.to_json() != edited.to_json():
                self._conflict(edited.id, "Someone")

    # -- warm starts: the actions since the cache, not the whole board ------------------------

    async def resume(self) -> bool:
        """Bring the board current the cheapest way: the actions since the cache's newest
        when the cache may be vouched for (then a full load only if they say so), else a full
        load. True when the board is current."""
        if self._forced_offline:
            return False
        if self._vouch is None or self.last_action_id != self._vouch:
            return await self.refresh()
        resuming = self._resuming = asyncio.get_running_loop().create_future()
        self._emit_status()
        try:
            await self.poll_actions()
        except TrelloError as error:
            self._network_error(error)
            return False
        finally:
            self._resuming = None
            resuming.set_result(True)
            self._emit_status()
        return None not in self._unsure

    async def poll_actions(self, observers: Sequence[Observer] = ()) -> int:
        """One incremental poll: the actions since the newest we saw, merged; a full load
        after them when they are too many, or the board needs one (``needs_load``). Returns
        how many actions came; raises TrelloError when the poll (or its load) failed."""
        since = self.last_action_id
        actions: list[Action] = await self.queue.submit(
            calls.board_actions(self.board_id, since=since, limit=ACTIONS_PAGE),
            priority=Priority.SYNC,
            tag=self.board_id,
        )
        if not actions:
            self.note_poll()
        else:
            for observer in observers:
                observer(self.board_id, actions)
        if len(actions) >= ACTIONS_PAGE:
            # More happened than one page shows: reload instead of paging through history.
            await self._load_or_raise()
            return len(actions)
        if actions and not await self.merge_actions(actions, advance=True):
            raise TrelloError("merge failed")
        self._vouched(since, actions)
        if self.needs_load:
            await self._load_or_raise()  # (after the actions: observers still see each one)
        return len(actions)

    async def _load_or_raise(self) -> None:
        if not await self.refresh():
            raise TrelloError("full load failed")

    def _vouched(self, since: str | None, actions: list[Action]) -> None:
        """A poll from the cache's newest action came back whole (fewer than a page) and is
        merged: the cache's numbers are Trello's, but in the lists a card was placed in
        meanwhile (suspect), unless an action is one the merge cannot apply."""
        if self._vouch is None or since != self._vouch:
            return
        self._vouch = None
        if None not in self._unsure:
            return  # a full load came first (the merge's, or a write's)
        if not all(mergeable(a) for a in actions):
            log.debug("actions since the cache not all mergeable: loading the board")
            self._load_due = True
            return
        self._unsure.discard(None)
        self._suspect |= placed_lists(actions, self.board_id)
        log.debug("cache vouched for by %d actions; suspect %s", len(actions), self._suspect)

    @property
    def loading(self) -> bool:
        """A full load is under way."""
        return self._loading is not None

    @property
    def needs_load(self) -> bool:
        """Some list's numbering is not known (Trello re-spaced it and the load that was to
        bring its new numbers failed) and no load is under way: the next poll should load the
        board too, which clears it. (Nothing loaded yet this run is not reason enough: a
        move waits for a load by itself, and a watcher goes by actions from its cache.) Or
        a warm start's actions could not prove the cache current (``_load_due``)."""
        return (bool(self._unsure - {None}) or self._load_due) and self._loading is None

    def _placing(self, op: Op) -> str:
        """Where a placed write puts its card, by the numbers we hold (the debug log)."""
        list_id = self._placed_in(op)
        state = self.state
        if list_id is None or state is None:
            return ""
        around = []
        for side in ("after_card", "before_card"):
            card = state.cards.get(getattr(op, side, None) or "")
            around.append(f"{card.id}@{card.pos:g}" if card else "-")
        unsure = " (unsure)" if self._unnumbered(list_id) else ""
        pos = getattr(op, "pos", None)
        return f" {getattr(op, 'card_id', '')} to {list_id} at {pos} between {around}{unsure}"

    def _placed_in(self, op: Op) -> str | None:
        """The list a move or create puts its card in by a number, if it does."""
        if isinstance(op, MoveCard | CreateCard) and isinstance(op.pos, float):
            return op.list_id
        return None

    async def _numbered(self, op: Op) -> bool:
        """A card placed by a number computed from stale ones lands where nobody put it: a
        move or create into a list Trello may have re-spaced waits for a full load (joining
        one under way), which re-applies it between the same cards. False if the load
        failed (the write stays pending and is retried)."""
        list_id = self._placed_in(op)
        if list_id is None or not self._unnumbered(list_id):
            return True
        if self._resuming is not None:  # (the warm start's actions may prove the cache)
            await asyncio.shield(self._resuming)
            if not self._unnumbered(list_id):
                return True
        if self._loading is not None:
            await asyncio.shield(self._loading)
            if not self._unnumbered(list_id):
                return True
        return await self.refresh()

    def _unnumbered(self, list_id: str) -> bool:
        """A card placed in this list by our numbers may land elsewhere: wait for a load."""
        return bool({list_id, None} & self._unsure) or list_id in self._suspect

    async def _relearn(self) -> None:
        self._respacing = True
        try:
            await self.refresh()
        finally:
            self._respacing = False

    async def _respaced(self, op: Op, card: Card) -> None:
        """Trello re-spaced the list (the card is not at the pos we sent): learn the new
        positions before the next write places a card by them (sync/placing.py), and put
        the card back between its neighbours if the re-spacing moved it past one."""
        self._respacing = True
        try:
            fresh = await self.refresh()
        finally:
            self._respacing = False
        if self.state is None or self._moving(card.id):
            return  # (a newer move of the card, an undo say, says where it goes now)
        around = (getattr(op, "after_card", None), getattr(op, "before_card", None))
        if any(i is not None and self._moving(i) for i in around):
            # The user moved a card it was put next to since (during the load, say): that
            # later move was placed by this card as shown and says where both go now.
            return
        if fresh:
            fix = placing.correction(self.state, op, card.id)
        else:
            # The load failed. Put the card between the same cards anyway: the list stays
            # unsure, so this move goes out after a load, re-planned on Trello's numbers.
            fix = placing.replacement(self.state, op, card.id)
        if fix is not None:
            list_id, pos, (after, before) = fix
            again = MoveCard(self.board_id, card_id=card.id, list_id=list_id, pos=pos)
            again.after_card, again.before_card, again.placed = after, before, True
            self.submit(again, undoable=False)

    def _replanned(self, op: Op) -> None:
        """Just before a placed write leaves, its number must still put the card between the
        cards it was put between, by the numbers we hold now. (A re-base re-plans the writes
        that name the card Trello answered for, not those placed beside it: a card moved
        below one whose own move was re-planned meanwhile kept a number above it.)"""
        state = self.state
        if state is None or not isinstance(op, MoveCard | CreateCard) or not op.placed:
            return
        later = self._pending[1:]
        sides = placing.around(op)
        if not any(isinstance(o, PLACING) and o.card_id in sides for o in later):
            # The neighbours are where Trello has them: the number can be checked as shown.
            around = (op.after_card, op.before_card)
            if placing.replan(state, op.card_id, op.list_id, op.pos, around) == op.pos:
                return
        # Re-plan it as a re-base would: the later writes that depend on it step aside.
        names = {op.card_id} | sides
        steps: list[Op] = []
        for other in later:
            if (other.ids() | placing.around(other)) & names:
                steps.append(other)
                names.add(str(getattr(other, "card_id", "")))
        self._unapply(steps)
        change = op.rollback(state).merge(op.apply(state)).merge(self._reapply(steps))
        log.debug("re-planned %s%s", op.kind, self._placing(op))
        self._emit(change)

    def _moving(self, card_id: str) -> bool:
        """A pending write says where the card goes now (a move, an archive …); a label or a
        rename, say, does not."""
        return any(
            isinstance(op, PLACING) and getattr(op, "card_id", None) == card_id
            for op in self._pending
        )

    def _held(self, result: Any, temp: str | None = None) -> Any:
        """Trello's answer for a card in a list whose numbering we may not know (re-spaced
        since we last loaded it) keeps the ``pos`` shown: the answer's number is in Trello's
        new numbering, its neighbours' still in the old one, and by it the card would show a
        place off until the full load brings the whole list's numbers at once."""
        state = self.state
        if not isinstance(result, Card) or result.id_list not in self._unsure or state is None:
            return result
        shown = state.cards.get(temp or result.id)
        if shown is None or shown.id_list != result.id_list or shown.pos == result.pos:
            return result
        return result.with_changes(pos=shown.pos)
