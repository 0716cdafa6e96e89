"""One outbox for every trello-tui process of the user: an engine's share of it.

Every process (the app, a second window of it, ``trello-tui add`` from a shell script, a
``sync`` from cron) writes its user's operations to the one outbox file, and exactly one of
them sends: the process holding the outbox's sender lock (``Outbox.claim_sender``). This mixin
keeps an engine true to what the file holds.

* **Watching.** Every ``WATCH_S`` the engine reads ``PRAGMA data_version`` (one cheap read on
  the outbox's thread); when another process has committed, it reads the board's rows again
  (``_reread``). A row it does not know (a capture, a move made in another window) is applied to
  the board at once, so the card shows before it is sent, and queued: the sender sends it as
  one of its own. A row of its own that is gone was confirmed by the process that sent it (a
  create's real id is in the outbox's id map), unless it was dropped (``dropped``: an undo, a
  refusal the user dropped); one marked failed was refused there.
* **Taking over.** An engine with writes to send and no sender role tries the lock every
  ``TAKEOVER_S`` (engine.py ``_sending``); the kernel frees the lock of a process that exits or
  dies, so the role passes within about a second. The first claim reads the rows again: a row
  left ``sent`` by the process before is a write whose outcome is unknown, reconciled before it
  is sent again, as after a restart.
* **Never sending without the role.** ``Outbox.claim`` marks a row sent, in a transaction,
  only while this process holds the lock and only while the row still waits; a row confirmed
  or dropped meanwhile is never sent.

Why ``data_version`` rather than a wake-up socket or file: nothing is left behind by a process
killed with -9, a commit can't be missed between two looks, and a look costs microseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from trello_tui.store.db import StoreFault
from trello_tui.store.outbox import FAILED, SENT, AsyncOutbox, OutboxEntry
from trello_tui.sync.events import IdsReplaced
from trello_tui.sync.ops import CreateCard, Op, op_from_json
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello import positions
from trello_tui.trello.errors import TrelloError

log = logging.getLogger(__name__)

#: how often the outbox is looked at for other processes' commits
WATCH_S = 0.25
#: how often a process with writes to send asks for the sender role
TAKEOVER_S = 1.0
#: op ids settled here that a later look must not take for new rows
_DONE_KEEP = 10_000


class Elsewhere(TrelloError):
    """A write another trello-tui process sent and Trello refused (its message kept)."""

    permanent = True


class SharedOutbox:
    """The engine's view of the outbox other processes write too (mixed into SyncEngine)."""

    if TYPE_CHECKING:
        outbox: AsyncOutbox
        board_id: str
        state: BoardState | None
        _pending: list[Op]
        _failed: dict[str, tuple[Op, str]]
        _unknown: set[str]
        _sent_at: dict[str, float]
        _durable: dict[str, asyncio.Future[None]]
        _claims: set[str]
        _replaced: dict[str, str]
        _in_flight: Op | None
        _wake: asyncio.Event
        editing: str | None

        def undo_ops(self) -> list[Op]: ...

        def _emit(self, event: Any) -> None: ...
        def _touching(self, ids: set[str], ops: list[Op]) -> list[Op]: ...
        def _unapply(self, ops: list[Op]) -> None: ...
        def _reapply(self, ops: list[Op]) -> BoardChange: ...
        async def _confirmed(
            self, op: Op, result: Any, *, elsewhere: bool = False, real: str | None = None
        ) -> None: ...
        async def _refused(self, op: Op, error: TrelloError, *, stored: bool = True) -> None: ...

    def _init_shared(self) -> None:
        #: whether this engine has claimed the sender role (its first claim reads the rows)
        self._sender_role = False
        #: op ids this engine is settling on disk itself (a confirm, a refusal, an undo)
        self._settling: set[str] = set()
        #: op ids settled here lately: a look that read the file before must not revive them
        self._done_ids: OrderedDict[str, None] = OrderedDict()
        self._outbox_version: int | None = None
        self._watcher: asyncio.Task[None] | None = None

    def _done(self, op_id: str) -> None:
        self._done_ids[op_id] = None
        while len(self._done_ids) > _DONE_KEEP:
            self._done_ids.popitem(last=False)

    def _durably_stored(self, op_id: str) -> bool:
        future = self._durable.get(op_id)
        return (
            future is not None
            and future.done()
            and not future.cancelled()
            and (future.exception() is None)
        )

    def _note_unknown(self, op: Op, entry: OutboxEntry) -> None:
        """A row left ``sent``: its request may have been applied (reconcile first)."""
        self._unknown.add(op.op_id)
        offset = (entry.context or {}).get("server_offset", 0.0)
        sent = entry.sent_at or entry.created_at
        self._sent_at[op.op_id] = sent + (offset if isinstance(offset, float) else 0.0)

    def _adopt_row(self, entry: OutboxEntry, id_map: dict[str, str]) -> Op | None:
        """A stored row as an operation of this engine (None if unreadable: kept on disk)."""
        try:
            op = op_from_json(entry.body)
        except (KeyError, TypeError, ValueError):
            log.warning("outbox row %s unreadable; kept on disk", entry.op_id)
            self._done(entry.op_id)  # (warned once)
            return None
        op.rewrite(id_map)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        self._durable[op.op_id] = done
        if entry.state == FAILED:
            self._failed[op.op_id] = (op, entry.error or "refused by Trello")
            return None
        if entry.state == SENT:
            self._note_unknown(op, entry)
        elif isinstance(op, CreateCard):
            self._to_the_end(op)
        return op

    def _to_the_end(self, op: CreateCard) -> None:
        """A capture another process queued for an end of a list goes past the cards put
        there since it read its cache (other captures queued from the same cache, a
        teammate's): placed by its stale neighbour, every capture got the same bottom number
        and Trello re-spaced the list for each."""
        state = self.state
        if state is None or not op.placed or (op.after_card is None) == (op.before_card is None):
            return
        ids = [i for i in state.card_ids_in(op.list_id) if i != op.card_id]
        if not ids:
            return
        if op.before_card is None and ids[-1] != op.after_card:
            pos = positions.between(state.cards[ids[-1]].pos, None)
            if pos is not None:
                op.after_card, op.pos = ids[-1], pos
        elif op.after_card is None and ids[0] != op.before_card:
            pos = positions.between(None, state.cards[ids[0]].pos)
            if pos is not None:
                op.before_card, op.pos = ids[0], pos

    async def _version(self) -> int | None:
        try:
            return await self.outbox.run(self.outbox.sync.data_version)
        except StoreFault:
            return None

    async def _watch_outbox(self) -> None:
        """Read the rows again whenever another process has written the outbox."""
        while True:
            await asyncio.sleep(WATCH_S)
            version = await self._version()
            if version is not None and version != self._outbox_version:
                self._outbox_version = version
                try:
                    await self._reread()
                except StoreFault:
                    continue  # (the sender reports it; the rows stay on disk)
                except Exception:  # one bad look must not stop the watching
                    log.exception("reading the outbox again failed")

    async def _reread(self, *, takeover: bool = False) -> None:
        """Make the board's pending writes what the file holds (see the module's doc)."""
        # Only a write whose row was on disk before this read can be missing from it.
        stored = {op.op_id for op in self._pending if self._durably_stored(op.op_id)}
        stored_failed = set(self._failed)
        entries, id_map, dropped = await self.outbox.run(self.outbox.sync.snapshot, self.board_id)
        # -- no await until every change is made --
        on_disk = {entry.op_id: entry for entry in entries}
        self._claims.update(id_map.values())
        fresh = {temp: real for temp, real in id_map.items() if self._replaced.get(temp) != real}
        self._replaced.update(fresh)
        # A write naming an object whose create is not pending here (confirmed elsewhere):
        # the real id from now on. (Those whose create is pending are rewritten as it is.)
        creating = {op.created_temp_id() for op in self._pending}
        outside = {temp: real for temp, real in fresh.items() if temp not in creating}
        if outside:
            for op in self._pending:
                op.rewrite(outside)
        known = {op.op_id for op in self._pending} | self._failed.keys() | self._settling
        change = BoardChange(self.board_id)
        added = 0
        for entry in entries:
            if entry.op_id in known or entry.op_id in self._done_ids:
                continue
            new = self._adopt_row(entry, id_map)
            if new is None:
                continue
            self._pending.append(new)
            if self.state is not None:
                change = change.merge(new.apply(self.state))
            added += 1
        if takeover:
            for op in self._pending:
                left = on_disk.get(op.op_id)
                if left is not None and left.state == SENT and op.op_id not in self._unknown:
                    self._note_unknown(op, left)
        for op_id in stored_failed - on_disk.keys() - self._settling:
            self._failed.pop(op_id, None)  # dropped by the user in another window
        for op_id in stored_failed & on_disk.keys() - self._settling:
            if on_disk[op_id].state != FAILED and op_id in self._failed:
                retried = self._failed.pop(op_id)[0]  # retried in another window
                self._pending.append(retried)
                if self.state is not None:
                    change = change.merge(retried.apply(self.state))
                added += 1
        settled = [
            op
            for op in self._pending
            if op.op_id in stored
            and op is not self._in_flight
            and op.op_id not in self._settling
            and (op.op_id not in on_disk or on_disk[op.op_id].state == FAILED)
        ]
        if added:
            self._emit(change)
            self._wake.set()
        for op in settled:
            if op not in self._pending:
                continue  # (settled meanwhile)
            row = on_disk.get(op.op_id)
            if row is not None:
                await self._refused(op, Elsewhere(row.error or "refused by Trello"), stored=False)
            elif op.op_id in dropped:
                self._rolled_back_elsewhere(op)
            else:
                await self._confirmed_elsewhere(op, id_map)

    async def _confirmed_elsewhere(self, op: Op, id_map: dict[str, str]) -> None:
        """Another process sent ``op`` and Trello confirmed it: adopt it as confirmed (its
        object as shown, under its real id; the poller brings Trello's copy)."""
        temp = op.created_temp_id()
        real = id_map.get(temp) if temp else None
        if temp and real is None:
            self._rolled_back_elsewhere(op)  # (a create confirmed has its id in the map)
            return
        result: Any = None
        if isinstance(op, CreateCard) and real and self.state is not None:
            shown = self.state.cards.get(op.card_id)
            result = shown.with_changes(id=real) if shown is not None else None
        elif temp and real:
            # (a checklist, an item or a comment made elsewhere: shown again once the
            # poller brings Trello's copy.) The writes here that name it name the real one
            # from now on: this process may send them (it takes over from that one, say).
            self._rolled_back_elsewhere(op)
            mapping = {temp: real}
            for other in [*self._pending, *(f for f, _ in self._failed.values())]:
                other.rewrite(mapping)
            for step in self.undo_ops():
                step.rewrite(mapping)
            self._claims.add(real)
            if self.editing == temp:
                self.editing = real
            self._emit(IdsReplaced(self.board_id, mapping))
            return
        await self._confirmed(op, result, elsewhere=True, real=real)

    def _rolled_back_elsewhere(self, op: Op) -> None:
        """A write dropped by the process that held it (never sent): take it back here too."""
        if op not in self._pending or self.state is None:
            return
        touching = self._touching(op.ids(), self._pending[self._pending.index(op) + 1 :])
        self._unapply(touching)
        change = op.rollback(self.state)
        self._pending.remove(op)
        self._unknown.discard(op.op_id)
        self._done(op.op_id)
        self._emit(change.merge(self._reapply(touching)))

    async def _take_sender_role(self) -> bool:
        """True if this process may send now; the first time, read the rows again (what the
        process before left, ``sent`` rows included, is sent from here on)."""
        held = self.outbox.sync.holds_sender
        if self._sender_role and held:
            return True  # (held: no trip to the outbox's thread before each write)
        if not await self.outbox.run(self.outbox.sync.claim_sender):
            self._sender_role = False  # (given up: the next claim reads the rows again)
            return False
        if not self._sender_role or not held:
            self._sender_role = True
            with contextlib.suppress(StoreFault):
                await self._reread(takeover=True)
        return True
