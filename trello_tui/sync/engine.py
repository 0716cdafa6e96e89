"""SyncEngine: one open board, kept true to Trello, with the user's writes applied at once.

The engine owns a ``BoardState`` (read by the UI), the board's outbox rows and its share of
the cache. Subscribers receive ``BoardChange``, ``Notice``, ``IdsReplaced`` and ``Status``.

Writes. ``submit(op)`` applies the operation to the state at once (the screen moves now),
stores it in the outbox (on disk, on the outbox's own thread) and wakes the sender, which
sends the board's writes one at a time, in order, at interactive priority, each only once its
row is on disk. Sending in order keeps every later write's assumptions true (a rename of a
card being created waits for the create and is rewritten to the real id). ``submit_group(ops)``
does the same for many operations that form one undo step (a bulk action); ``undo()`` undoes
the latest step (history.py).

Each answer either confirms the write (the server's object is adopted, its ``pos`` included),
or, for a permanent error, rolls it back and keeps it as *failed* for the user to retry or
discard (``Notice``: "Couldn't move 'X': list is archived"), or, for a transient error, keeps
it pending and retries later with backoff (status: offline / rate-limited). A write whose
outcome is unknown — the network broke after it left, or the program was killed meanwhile
(its row is still ``sent`` at start-up) — is reconciled before it is sent again: a create
looks for the object it may have made (``CreateProbe``) among ids nobody claimed; anything
else is an idempotent field change and is simply sent again.

Conflict rules (local = pending operations, remote = what Trello says now):

1. Re-base. When remote state for an object arrives (a poll, a full load, or the answer to
   one of our writes), the pending operations that touch it are rolled back (newest first),
   the server's version is put in, then they are applied again in order on top. Their
   ``before`` values are re-captured, so an undo or a rollback goes back to the latest server
   state, not to a stale one — unless that state already shows the write (Trello applied it
   before its answer came back): then it is the write's own result, and the first ``before``
   is kept (``Op._note_before``).
2. Field by field, the latest writer wins. A pending local operation is the latest writer for
   the fields it sets (it reaches Trello after the remote change); every other field takes
   the remote value. Once our write is confirmed, a later remote change to the same field wins.
3. What the user is editing is never silently overwritten. The UI names the card it edits
   (``editing``); a remote change to that card raises a ``conflict`` notice naming the
   teammate, while the editor keeps the user's text until they save (which then wins, rule 2).
4. A remote delete (or a move to another board) removes the card; pending operations on it
   then fail with Trello's answer and are shown, never silently dropped.

The cache receives only server state (confirmed answers, fetched objects, full loads); the
pending operations are re-applied on top at every start, so nothing is ever applied twice.
A confirmation that lands while a full load is in flight is not undone by the load's older
copy: the objects Trello answered for meanwhile are fetched again once the load is in (and
again, with backoff, until that fetch succeeds).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

from trello_tui.store.cache import AsyncCache, CacheWrite
from trello_tui.store.db import StoreFault
from trello_tui.store.outbox import AsyncOutbox
from trello_tui.sync.events import IdsReplaced, Notice, RemoteActions, Status
from trello_tui.sync.history import UndoHistory
from trello_tui.sync.loading import TRUST_CACHE_S, BoardLoads, list_ids, unsure_key
from trello_tui.sync.ops import CreateCard, Op, op_from_json
from trello_tui.sync.remote import RemoteMerge
from trello_tui.sync.shared import TAKEOVER_S, SharedOutbox
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello.errors import TrelloError, Unavailable
from trello_tui.trello.jobs import Delivery
from trello_tui.trello.models import Card
from trello_tui.trello.queue import Priority, RequestQueue
from trello_tui.trello.reconcile import CLOCK_SLACK_S, Reconciler, already_done

log = logging.getLogger(__name__)
Event = BoardChange | Notice | IdsReplaced | Status | RemoteActions
Subscriber = Callable[[Event], None]


class SyncEngine(UndoHistory, BoardLoads, RemoteMerge, SharedOutbox):
    """The live model of one board: optimistic writes, confirmations, remote merges."""

    def __init__(
        self,
        queue: RequestQueue,
        cache: AsyncCache,
        outbox: AsyncOutbox,
        board_id: str,
        *,
        offline: bool = False,
        retry_delay_s: float = 1.0,
        max_retry_delay_s: float = 30.0,
        cached_numbers: bool = False,
        trust_cache_s: float = TRUST_CACHE_S,
    ) -> None:
        self.queue = queue
        self.cache = cache
        self.outbox = outbox
        self.board_id = board_id
        self.state: BoardState | None = None
        self.last_action_id: str | None = None
        #: the card the user is editing (conflict rule 3)
        self.editing: str | None = None
        self.retry_delay_s = retry_delay_s
        self.max_retry_delay_s = max_retry_delay_s
        self._forced_offline = offline
        self._network_ok = True
        self._last_sync: float | None = None
        self._refreshing = False
        self._pending: list[Op] = []
        self._failed: dict[str, tuple[Op, str]] = {}
        self._unknown: set[str] = set()
        self._sent_at: dict[str, float] = {}
        self._durable: dict[str, asyncio.Future[None]] = {}
        self._undo: list[list[Op]] = []
        #: ids of writes sent at the limiter's even pace (bulk actions: history.py)
        self._paced: set[str] = set()
        self._claims: set[str] = set()
        self._in_flight: Op | None = None
        #: reloading after Trello re-spaced a list (settled() waits for it)
        self._respacing = False
        self._subscribers: list[Subscriber] = []
        self._wake = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._refresher: asyncio.Task[bool] | None = None
        self._dirty = CacheWrite(board_id)
        self._flusher: asyncio.Task[None] | None = None
        self._last_status: Status | None = None
        #: ids of actions already merged (a webhook delivery and a poll may bring the same)
        self._merged: OrderedDict[str, None] = OrderedDict()
        #: object id -> how many of our writes to it Trello has answered (a fetched copy that
        #: was in flight across one of them may predate it: remote.py fetches it again)
        self._answered: Counter[str] = Counter()
        self._renumbered: Counter[str | None] = Counter()
        #: why the outbox can't be written (disk full, read-only, locked): sending stopped,
        #: the writes kept on disk for the next run
        self.store_fault: StoreFault | None = None
        self._deferred: set[str] = set()
        self._replaced: dict[str, str] = {}
        #: cards a full load showed older than our confirmed writes, still to fetch again
        self._stale: set[str] = set()
        self._catcher: asyncio.Task[None] | None = None
        #: lists whose pos numbering we may not know (Trello re-spaced them since we last
        #: loaded, or nothing was loaded yet this run: ``None`` stands for every list). A move
        #: or create into one of them is sent only after a full load (``_numbered``).
        #: ``cached_numbers`` trusts the cache's numbers instead (``trello-tui add``: one
        #: request for a capture; the cache was loaded or polled recently).
        self._unsure: set[str | None] = set() if cached_numbers else {None}
        #: the full load under way, if any (a write waiting for one joins it)
        self._loading: asyncio.Future[bool] | None = None
        #: a warm start (loading.py ``resume``): the actions since the cache's newest prove
        #: it current when its last full load is younger than ``trust_cache_s``
        self.trust_cache_s = trust_cache_s
        self._suspect: set[str] = set()
        self._vouch: str | None = None
        self._resuming: asyncio.Future[bool] | None = None
        self._load_due = False
        self.full_loads = 0
        self.loaded_at: float | None = None
        #: the unsure lists last written to the cache's meta (``unsure_key``)
        self._saved_unsure: frozenset[str] = frozenset()
        self._init_shared()

    # -- subscribers -------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _emit(self, event: Event) -> None:
        if isinstance(event, BoardChange) and event.empty:
            return
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:  # one faulty subscriber must not stop the engine
                log.exception("subscriber failed")
        if not isinstance(event, Status):
            self._emit_status()

    def _emit_status(self) -> None:
        status = self.status
        if status != self._last_status:
            self._last_status = status
            self._emit(status)

    @property
    def status(self) -> Status:
        limiter = self.queue.limiter
        # After a 429 the limiter pauses everything; a full window delays our writes too.
        paused = max(limiter.paused_for, limiter.delay("/cards") if self._pending else 0.0)
        if self._forced_offline or not self._network_ok:
            state = "offline"
        elif paused > 0.5:
            state = "rate_limited"
        elif self._in_flight is not None or self._refreshing or self._resuming is not None:
            state = "syncing"
        elif self._last_sync is not None:
            state = "synced"
        else:
            state = "never"
        return Status(
            self.board_id,
            state,  # type: ignore[arg-type]
            self._last_sync,
            len(self._pending),
            len(self._failed),
            paused,
            self._forced_offline,
        )

    # -- start, refresh, stop ----------------------------------------------------------------

    async def start(self, *, refresh: bool = True) -> bool:
        """Paint from the cache and the outbox; catch up in the background (``resume``: the
        actions since the cache's newest, or a full load). True if cached."""
        cached = await self.cache.load_board(self.board_id)
        left = await asyncio.to_thread(self.cache.sync.meta, unsure_key(self.board_id))
        for message in (*self.cache.sync.messages, *self.outbox.sync.messages):
            self._emit(Notice(self.board_id, "warning", message))
        # (first: a row another process commits after this is seen by the watcher)
        self._outbox_version = await self._version()
        entries, id_map, _ = await self.outbox.run(self.outbox.sync.snapshot, self.board_id)
        self._claims.update(id_map.values())
        self._replaced.update(id_map)
        for entry in entries:
            op = self._adopt_row(entry, id_map)
            if op is not None:
                self._pending.append(op)
        if cached is not None:
            self.state = BoardState(cached.board)
            self.last_action_id = cached.last_action_id
            self._last_sync = self.loaded_at = cached.loaded_at
            self._saved_unsure = frozenset(list_ids(left))
            # Lists an earlier run learnt were re-spaced and never loaded again: held as then.
            self._unsure |= self._saved_unsure
            age = time.time() - (cached.loaded_at or 0.0)
            if cached.last_action_id and not self._saved_unsure and age < self.trust_cache_s:
                self._vouch = cached.last_action_id
            for op in self._pending:
                op.apply(self.state)
            self._emit(BoardChange(self.board_id, structure=True))
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_loop())
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch_outbox())
        if refresh and not self._forced_offline:
            self._refresher = asyncio.get_running_loop().create_task(self.resume())
        self._emit_status()
        return cached is not None

    async def close(self) -> None:
        """Stop sending and write what the cache still lacks (pending writes stay queued)."""
        for task in (self._watcher, self._sender, self._refresher, self._catcher):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await asyncio.gather(*self._durable.values(), return_exceptions=True)
        await self._flush()

    def set_offline(self, offline: bool) -> None:
        """Forced offline mode (``--offline``): nothing is sent until it is switched off."""
        self._forced_offline = offline
        if not offline:
            self._network_ok = True
        self._wake.set()
        self._emit_status()

    @property
    def forced_offline(self) -> bool:
        return self._forced_offline

    @property
    def offline(self) -> bool:
        return self._forced_offline or not self._network_ok

    def _synced(self) -> None:
        self._last_sync = time.time()
        if not self._network_ok:
            self._network_ok = True
            self._wake.set()

    def _network_error(self, error: TrelloError) -> None:
        if isinstance(error, Unavailable):
            self._network_ok = False
        self._emit_status()

    def note_poll(self, error: TrelloError | None = None) -> None:
        """The poller's outcome: a success proves the network is back."""
        if error is None:
            self._synced()
            self._emit_status()
        else:
            self._network_error(error)

    # -- reading -----------------------------------------------------------------------------

    def pending_ops(self) -> list[Op]:
        return list(self._pending)

    def failed_ops(self) -> list[tuple[Op, str]]:
        return list(self._failed.values())

    def has_pending(self, object_id: str) -> bool:
        return any(object_id in op.ids() for op in self._pending)

    async def settled(self, within_s: float | None = None) -> bool:
        """Wait until no write is pending (tests and ``trello-tui sync``)."""
        deadline = None if within_s is None else time.monotonic() + within_s
        while self._pending or self._respacing:
            if self.store_fault is not None:
                return False
            if deadline is not None and time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.02)
        await self._flush()
        return True

    # -- writing (submit, submit_group and undo: history.py) ----------------------------------

    async def retry(self, op_id: str) -> None:
        """Send a failed write again (re-applied on top of the current state)."""
        found = self._failed.pop(op_id, None)
        if found is None or self.state is None:
            return
        op = found[0]
        self._settling.add(op_id)
        try:
            await self.outbox.run(self.outbox.sync.retry, op_id)
        finally:
            self._settling.discard(op_id)
        self._emit(op.apply(self.state))
        self._pending.append(op)
        self._wake.set()

    async def discard(self, op_id: str) -> None:
        """Forget a failed write."""
        if self._failed.pop(op_id, None) is not None:
            self._settling.add(op_id)
            try:
                await self.outbox.run(self.outbox.sync.discard, op_id)
            finally:
                self._settling.discard(op_id)
                self._done(op_id)
            self._emit_status()

    # -- the sender --------------------------------------------------------------------------

    async def _send_loop(self) -> None:
        # Nothing is sent that could not be marked sent first: a fault stops the sender,
        # and the writes wait on disk (a write Trello answered keeps its row 'sent', so the
        # next run reconciles it rather than sending it twice).
        try:
            await self._sending()
        except StoreFault as fault:
            self.store_fault = fault
            self._emit(Notice(self.board_id, "error", f"{fault}; writes are not sent until then"))
            self._emit_status()

    async def _sending(self) -> None:
        delay = self.retry_delay_s
        while True:
            ready = self._pending and self.state is not None and not self._forced_offline
            if not ready:
                self._wake.clear()
                await self._wake.wait()
                continue
            if not await self._take_sender_role():
                # Another trello-tui process is sending this outbox (it sends these writes
                # too, shared.py); ask again soon: if it exits or dies, this one goes on.
                self._emit_status()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(TAKEOVER_S):
                        await self._wake.wait()
                self._wake.clear()
                continue
            if not self._pending:
                continue  # withdrawn by an undo while the lock was asked for
            op = self._pending[0]
            await self._durable[op.op_id]
            if op.op_id in self._paced:
                await self._pace(op)
            if not self._pending or self._pending[0] is not op:
                continue  # withdrawn by an undo meanwhile
            if await self._send(op):
                delay = self.retry_delay_s
                continue
            # Transient failure: wait (or until the network is seen back), then retry.
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            delay = min(self.max_retry_delay_s, delay * 2)

    async def _pace(self, op: Op) -> None:
        """Hold a write of a bulk action until the limiter's even pace has room for it.

        A bulk action's writes are spread over the rate window (about 10 a second under
        Trello's 100 per 10 s) instead of filling it in one burst and then waiting for it to
        pass: polling and other reads keep getting slots meanwhile, and the status shows a
        steady count of pending writes rather than a long "rate-limited" wait. Unsent, the
        write can still be withdrawn by an undo.
        """
        self._paced.discard(op.op_id)  # paced once; a retry goes out as soon as it may
        limiter = self.queue.limiter
        path = op.call().path
        while (wait := limiter.delay(path, paced=True)) > 0:
            await limiter.wait(wait)

    async def _send(self, op: Op) -> bool:
        """Send one write; True when it is settled (confirmed or failed for good)."""
        if not await self._numbered(op):
            return False
        if not self._pending or self._pending[0] is not op:
            return True  # withdrawn by an undo during the load: nothing to send
        self._replanned(op)
        call = op.call()
        sent_pos = getattr(op, "pos", None)  # (a re-base while in flight may re-plan op.pos)
        self._in_flight = op
        self._emit_status()
        # An earlier attempt may have been applied (its answer was lost, or we were quit
        # meanwhile): remembered past the discard below, so "already done" confirms it.
        unknown = op.op_id in self._unknown
        try:
            if unknown and call.create is not None:
                found = await self._reconcile(op, call)
                if found is not None:
                    # (as below: it may have re-spaced the list; a card still at the number
                    # sent says it did not: off the whole numbers, a re-spacing moves it)
                    placed = isinstance(found, Card) and isinstance(getattr(op, "pos", None), float)
                    placed = placed and getattr(op, "pos", None) != found.pos
                    if placed:
                        self._unsure.add(found.id_list)
                        self._renumbered[found.id_list] += 1
                    await self._confirmed(op, found)
                    if placed:
                        await self._respaced(op, found)
                    return True
            self._unknown.discard(op.op_id)
            # Trello's clock offset is noted too: a reconcile after a restart compares the
            # created object's id time with our send time on Trello's clock.
            offset = self.queue.client.server_offset
            context = {"server_offset": offset}
            if not await self.outbox.run(self.outbox.sync.claim, op.op_id, context):
                # Not ours to send: confirmed, refused or dropped by another process (that
                # sent before this one took the role over). What the file says is adopted.
                self._in_flight = None
                await self._reread()
                return op not in self._pending
            self._sent_at[op.op_id] = time.time() + offset
            if log.isEnabledFor(logging.DEBUG):
                what = self._placing(op) or f" {getattr(op, 'card_id', '')} {op.to_json()}"
                log.debug("send %s%s", op.kind, what[:300])
            ticker = asyncio.get_running_loop().create_task(self._tick_status())
            delivery = Delivery()
            try:
                result = await self.queue.submit(
                    call, priority=Priority.INTERACTIVE, tag=self.board_id, delivery=delivery
                )
            finally:
                ticker.cancel()
        except TrelloError as error:
            if error.permanent:
                if unknown and already_done(call, error):
                    await self._confirmed(op, None)
                else:
                    await self._refused(op, error)
                return True
            if isinstance(error, Unavailable) and error.maybe_applied:
                self._unknown.add(op.op_id)  # its row stays 'sent': reconcile before resending
            else:
                await self.outbox.run(self.outbox.sync.mark_pending, op.op_id, str(error))
            self._network_error(error)
            return False
        finally:
            self._in_flight = None
        shown = self.state.cards.get(result.id) if self.state and isinstance(result, Card) else None
        if isinstance(result, Card) and log.isEnabledFor(logging.DEBUG):
            log.debug(
                "answer %s %s in %s at %g (sent %s, shown %s)%s",
                op.kind,
                result.id,
                result.id_list,
                result.pos,
                sent_pos,
                shown.pos if shown else None,
                " maybe repeated" if unknown or delivery.maybe_repeated else "",
            )
        placed = isinstance(result, Card) and isinstance(sent_pos, float)
        if placed:
            self._renumbered[result.id_list] += 1  # (Trello may have re-spaced the list)
        # A create is never applied twice (its lost attempt is looked for first, by the queue
        # or by ``_reconcile``): the card answered is the one landing, and at the number sent
        # it made no re-spacing. Loading the board for each such create made a ``sync`` of
        # writes that waited out 429s load a 5,000-card board 36 times.
        again = (unknown or delivery.maybe_repeated) and not isinstance(op, CreateCard)
        if placed and (result.pos != sent_pos or again):
            # Re-spaced: Trello moved the card off the pos we sent. Or maybe: an earlier
            # attempt may have landed and made Trello re-space the list, its answer lost; this
            # one then landed at our pos in the new numbering, without a sign of it.
            self._unsure.add(result.id_list)
            await self._confirmed(op, result)  # (shown by its number in the old numbering)
            await self._respaced(op, result)
        elif (
            isinstance(result, Card)
            and not placed
            and shown is not None
            and result.id_list == shown.id_list
            and result.pos != shown.pos
            and not any(result.id in other.ids() for other in self._pending if other is not op)
        ):
            # A write that does not place the card says it sits elsewhere in its list than
            # shown: Trello re-spaced the list (or someone moved it) since we last heard.
            # Learn the whole list's positions before the next move is placed by them.
            self._unsure.add(result.id_list)
            await self._confirmed(op, result)
            await self._relearn()
        else:
            await self._confirmed(op, result)
        return True

    async def _tick_status(self) -> None:
        """While a write waits (a rate-limit pause, a slow answer), keep the status current."""
        while True:
            await asyncio.sleep(0.25)
            self._emit_status()

    async def _reconcile(self, op: Op, call: Any) -> Any | None:
        """After an unknown outcome: the object the create made, parsed, or None."""
        probe = call.create
        candidates = await self.queue.submit(
            probe.lookup, priority=Priority.INTERACTIVE, tag=self.board_id
        )
        reconciler = Reconciler()
        for object_id in self._claims:
            reconciler.claim(object_id)
        sent = self._sent_at.get(op.op_id, 0.0)  # on Trello's clock
        found = reconciler.find(call, candidates, sent - CLOCK_SLACK_S)
        if found is None:
            log.info("reconcile %s: not applied, sending again", op.kind)
            return None
        log.info("reconcile %s: already applied as %s", op.kind, found.get("id"))
        return call.parse(found)

    async def _confirmed(
        self, op: Op, result: Any, *, elsewhere: bool = False, real: str | None = None
    ) -> None:
        """Trello did it: record that on disk first, then adopt its answer in one step.

        Every state change happens after the last ``await``, so a write submitted or a
        remote change merged meanwhile always sees a consistent board. ``elsewhere``: another
        process sent it and recorded it (its row is gone; ``real`` is a create's real id),
        and its answer reached the cache from there.
        """
        temp = op.created_temp_id()
        real = real or (op.created_id(result) if temp else None)
        mapping = {temp: real} if temp and real else {}
        rewritten = []
        index = self._pending.index(op)
        for other in [*self._pending[index + 1 :], *(f for f, _ in self._failed.values())]:
            if not mapping:
                break  # nothing to rewrite (and a bulk action has many later writes)
            copy = op_from_json(other.to_json())
            if copy.rewrite(mapping):
                rewritten.append((other.op_id, copy.to_json()))
        swap = (temp, real) if temp and real else None
        if not elsewhere:
            self._settling.add(op.op_id)
            try:
                await self.outbox.run(
                    self.outbox.sync.confirm, op.op_id, swap=swap, rewritten=rewritten
                )
            finally:
                self._settling.discard(op.op_id)
        # -- no await below: the board changes in one step --
        assert self.state is not None
        index = self._pending.index(op)
        later = self._pending[index + 1 :]
        ids = op.ids()
        # Re-based: the later writes to the objects Trello answered for. A list a move names
        # is not one of them; re-applying every later write to that list (a bulk move's whole
        # group) would change nothing but would repaint all of their cards at each answer.
        touching = self._touching(ids - self.state.lists.keys(), later)
        self._unapply(touching)
        change = op.confirm(self.state, self._held(result, temp))
        if real:
            self._claims.add(real)
            ids = ids | {real}
        self._answered.update(ids)
        for other in [*later, *(f for f, _ in self._failed.values()), *self.undo_ops()]:
            other.rewrite(mapping)
        del self._pending[index]
        self._unknown.discard(op.op_id)
        self._done(op.op_id)
        if not elsewhere:
            self._remember_server_state(ids)
        change = change.merge(self._reapply(touching))
        self._synced()
        self._emit(change)
        if mapping:
            self._replaced.update(mapping)
            if self.editing in mapping:
                self.editing = mapping[self.editing]
            self._emit(IdsReplaced(self.board_id, mapping))
        if temp:
            self._undefer(real)

    def _undefer(self, made: str | None) -> None:
        """A create was answered (``made``: its card) or refused: the cards a poll brought
        while it was on its way that are not its card are someone else's, fetched now (their
        actions are merged already)."""
        if self._deferred:
            self._stale |= self._deferred - {made}
            self._deferred.clear()
            if self._stale:
                self._schedule_catch_up()

    async def _refused(self, op: Op, error: TrelloError, *, stored: bool = True) -> None:
        """Trello refused for good: roll back now (in one step), then record it on disk
        (``stored=False``: the process that sent it recorded it already)."""
        assert self.state is not None
        reason = error.message or error.user_message
        text = f"Couldn't {op.describe(self.state)}: {reason}"
        index = self._pending.index(op)
        later = self._pending[index + 1 :]
        victims = [op]
        temp = op.created_temp_id()
        if temp:  # writes to an object that will never exist fail with it
            victims += [other for other in later if temp in other.ids()]
        ids: set[str] = set().union(*(v.ids() for v in victims))
        survivors = [other for other in later if other not in victims]
        touching = self._touching(ids, survivors)
        self._unapply(touching)
        change = BoardChange(self.board_id)
        for victim in reversed(victims):
            change = change.merge(victim.rollback(self.state))
        failed: list[tuple[str, str]] = []
        for victim in victims:
            self._pending.remove(victim)
            self._unknown.discard(victim.op_id)
            message = reason if victim is op else f"{reason} (after '{op.describe(self.state)}')"
            self._failed[victim.op_id] = (victim, message)
            failed.append((victim.op_id, message))
        change = change.merge(self._reapply(touching))
        self._emit(change)
        card_id = op.card_id_of(self.state)
        if temp:
            self._undefer(None)
        self._emit(Notice(self.board_id, "error", text, op_id=op.op_id, card_id=card_id))
        for op_id, message in failed if stored else ():
            self._settling.add(op_id)
            try:
                await self.outbox.run(self.outbox.sync.fail, op_id, message)
            finally:
                self._settling.discard(op_id)

    # -- cache -------------------------------------------------------------------------------

    def _remember_server_state(self, ids: set[str]) -> None:
        """Queue the server's version of these objects for the cache."""
        state = self.state
        assert state is not None
        for object_id in ids:
            if object_id.startswith("tmp-"):
                continue
            if object_id not in state.cards and object_id not in state.checklists:
                # Deleted (a checklist, a card) or moved to another board: harmless for
                # ids of other kinds (the cache deletes only this board's rows).
                self._dirty.deleted_checklists.add(object_id)
                self._dirty.deleted_cards.add(object_id)
            if object_id in state.cards:
                self._dirty.cards[object_id] = state.cards[object_id]
            checklist = state.checklists.get(object_id)
            if checklist is not None and not checklist.id.startswith("tmp-"):
                self._dirty.checklists[object_id] = checklist
            for checklist in state.checklists_of(object_id):
                if not checklist.id.startswith("tmp-"):
                    self._dirty.checklists[checklist.id] = checklist
        self._schedule_flush()

    def _schedule_flush(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush())

    async def _flush(self) -> None:
        while not self._dirty.empty:
            write, self._dirty = self._dirty, CacheWrite(self.board_id)
            await self._save_unsure()  # (first: the write may advance the newest action)
            await self.cache.apply(write)
