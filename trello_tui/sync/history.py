"""The sync engine's writes and undo history: one undo step per user action.

A key press is one operation; a bulk action (the same change to every marked card) is many.
Either way it is *one* undo step: ``submit(op)`` records a step of one operation,
``submit_group(ops)`` a step of all of them. Each operation is still its own write: applied
at once, stored in the outbox, sent on its own (in order, through the request queue and its
rate limiter) and confirmed or refused on its own. The writes of a group are sent at the
limiter's even pace (``SyncEngine._pace``), so a bulk action spends the rate budget evenly
instead of filling the window at once. (Undo steps and that pacing live for the session: after
a restart, writes still in the outbox are sent as any others, within the limiter's windows.)

Undoing a step walks its operations newest first. A write that has not left yet (typically
while offline) is withdrawn; for the rest, the inverses are submitted together — in reverse
order, so the board passes back through the states it came from — as new writes that are not
themselves undoable. A refused write of the step (already rolled back) is skipped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from trello_tui.store.outbox import FAILED, AsyncOutbox
from trello_tui.sync.events import Notice
from trello_tui.sync.ops import Op
from trello_tui.sync.state import BoardChange, BoardState

if TYPE_CHECKING:
    from trello_tui.sync.engine import Event


class UndoHistory:
    """Mixed into SyncEngine: submitting writes and undoing them, step by step."""

    board_id: str
    outbox: AsyncOutbox
    state: BoardState | None
    _pending: list[Op]
    _failed: dict[str, tuple[Op, str]]
    _unknown: set[str]
    _sent_at: dict[str, float]
    _durable: dict[str, asyncio.Future[None]]
    _in_flight: Op | None
    #: undo steps, oldest first; each is the operations of one user action, in order
    _undo: list[list[Op]]
    _paced: set[str]
    _wake: asyncio.Event
    #: temporary ids of the cards (and other objects) we created -> Trello's ids
    _replaced: dict[str, str]

    #: writes being settled on disk here (shared.py)
    _settling: set[str]

    if TYPE_CHECKING:

        def _emit(self, event: Event) -> None: ...
        def _done(self, op_id: str) -> None: ...

    # -- submitting --------------------------------------------------------------------------

    def submit(self, op: Op, *, undoable: bool = True) -> asyncio.Future[None]:
        """Apply ``op`` now and queue it; the future resolves once it is on disk."""
        return self._submit_all([op], undoable=undoable)

    def submit_group(self, ops: Sequence[Op]) -> asyncio.Future[None]:
        """Apply every op now and queue each as its own write; one undo step undoes them all.

        The screen gets one change for the whole group. The future resolves once every row
        is on disk.
        """
        return self._submit_all(list(ops), undoable=True)

    def _submit_all(self, ops: list[Op], *, undoable: bool) -> asyncio.Future[None]:
        if self.state is None:
            raise RuntimeError("the board is not loaded yet")
        change = BoardChange(self.board_id)
        durables: list[asyncio.Future[None]] = []
        loop = asyncio.get_running_loop()
        for op in ops:
            # A screen that opened on a new card may still name it by its temporary id
            # after Trello has answered for it (a due date typed meanwhile, say).
            op.rewrite(self._replaced)
            change = change.merge(op.apply(self.state))
            self._pending.append(op)
            if len(ops) > 1:
                self._paced.add(op.op_id)
            durable = loop.create_task(self._record(op))
            self._durable[op.op_id] = durable
            durables.append(durable)
        if undoable and ops:
            self._undo.append(ops)
        self._emit(change)
        self._wake.set()
        if len(durables) == 1:
            return durables[0]
        return asyncio.ensure_future(_all_done(durables))

    async def _record(self, op: Op) -> None:
        await self.outbox.run(self.outbox.sync.add, op.op_id, op.board_id, op.kind, op.to_json())

    def undo_ops(self) -> list[Op]:
        """Every operation an undo may still submit the inverse of (rewritten with real ids)."""
        return [op for step in self._undo for op in step]

    # -- undoing -----------------------------------------------------------------------------

    def undo(self) -> bool:
        """Undo the latest step of this session (a key press, or a whole bulk action).

        Writes not sent yet are simply withdrawn; for the others the inverses are submitted
        as new writes, newest first.
        """
        while self._undo:
            step = [op for op in self._undo.pop() if op.op_id not in self._failed]
            if not step:
                continue
            withdrawn = False
            inverses: list[Op] = []
            for op in reversed(step):
                if not inverses and self._withdraw(op):
                    withdrawn = True
                    continue
                inverses.extend(op.inverse())
            if inverses:
                self._submit_all(inverses, undoable=False)
            elif not withdrawn:
                self._emit(Notice(self.board_id, "info", "Nothing to undo for that change."))
                return False
            return True
        return False

    def _withdraw(self, op: Op) -> bool:
        """Take back the newest pending write if it has not left yet."""
        if not self._pending or self._pending[-1] is not op or self.state is None:
            return False
        if op is self._in_flight or op.op_id in self._unknown or op.op_id in self._sent_at:
            return False
        self._pending.pop()
        self._paced.discard(op.op_id)
        self._emit(op.rollback(self.state))
        durable = self._durable.pop(op.op_id)
        self._settling.add(op.op_id)

        async def forget() -> None:
            try:
                await durable  # the row is written before it is deleted (same worker thread)
                taken = await self.outbox.run(self.outbox.sync.withdraw, op.op_id)
            finally:
                self._settling.discard(op.op_id)
                self._done(op.op_id)
            if taken or self.state is None:
                return
            row = await self.outbox.run(self.outbox.sync.get, op.op_id)
            if row is not None and row.state == FAILED:
                # Another process sent it and Trello refused it: nothing landed, so nothing
                # is put back; the refusal is dropped too (the user took the write back).
                await self.outbox.run(self.outbox.sync.discard, op.op_id)
                return
            # Another process holds the sender role and has sent it meanwhile: it lands, so
            # its inverse follows it (the board already shows the inverse's result).
            self._submit_all(op.inverse(), undoable=False)

        self._durable[op.op_id] = asyncio.get_running_loop().create_task(forget())
        return True


async def _all_done(futures: list[asyncio.Future[None]]) -> None:
    await asyncio.gather(*futures)
