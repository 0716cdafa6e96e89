"""RequestQueue: every request the app sends, in priority order, within Trello's budget.

Interface (what the sync engine uses)::

    queue = RequestQueue(client)                    # one per TrelloClient; starts lazily
    card = await queue.submit(writes.move_card(card_id, pos, id_list),
                              priority=Priority.INTERACTIVE, tag=board_id)
    board = await queue.submit(calls.load_board(board_id), priority=Priority.SYNC, tag=board_id)
    await queue.submit(lambda: writes.move_card(...), priority=...)   # built at send time
    queue.cancel(board_id)          # the user left the board: drop its sync/background work
    await queue.aclose()

``submit(request, *, priority=SYNC, idempotent=None, tag=None)`` takes an ``ApiCall`` (see
calls.py and writes.py) or a zero-argument factory returning one (called once, when the
request is first sent, so e.g. a ``pos`` can be computed from the freshest state). It returns
the parsed answer or raises a ``TrelloError``; nothing else escapes. ``idempotent`` overrides
the call's own flag.

What it does:

* **Priorities.** ``INTERACTIVE`` (the user's key presses) > ``CAPTURE`` (quick capture) >
  ``SYNC`` (refreshes of the open board) > ``BACKGROUND`` (prefetch, other boards). FIFO within a
  priority. The dispatcher asks the ``RateLimiter`` when the next slot opens and, at that
  moment, sends the most urgent request waiting, so a key press never queues behind prefetch.
  ``SYNC``/``BACKGROUND`` work leaves 3 %/6 % of each window free for the user and is paced
  (jobs.py ``RESERVE``/``PACED``, limiter.py) so it cannot fill a window in one burst.
* **Coalescing.** An identical GET already waiting or in flight is shared, not sent again.
* **Batching.** When several batchable GETs are waiting, up to 10 go out as one ``/1/batch``
  (one request of budget; the limiter switches to one per URL if Trello's headers say so).
* **Retries.** On 429, 5xx, network errors and unreadable answers, an idempotent request is
  retried with exponential backoff and full jitter (a 429 also pauses the whole queue through
  the limiter, so retries cannot grow a burst of 429s).
* **Unreachable is said at once.** When no connection can be made at all (refused, no DNS,
  no route: ``Unreachable``) the request fails at once instead of being retried: nothing was
  sent, so nothing is lost, and the caller hears it now — the engine shows "offline" within a
  second (not "syncing…" through minutes of backoff) and retries on its own schedule (its
  writes with their own backoff, reads at the next poll or on ``r``). A request an earlier
  attempt of which may have landed fails with ``maybe_applied`` set, so a create is still
  reconciled before it is sent again.
* **Creates are never duplicated.** A create (POST) whose outcome is unknown — the connection
  broke after the request left, a read timed out, a 5xx — is *reconciled* before it is sent
  again: the queue runs the call's ``CreateProbe`` lookup (the target list's cards, the card's
  checklists …) and looks for an object that matches what we sent (same name/text) and that
  was created at or after the moment we first sent it (Trello ids encode their creation
  second; we allow for clock skew learnt from the ``Date`` header) and that we have not
  already claimed for another create. If one is found it is adopted as the answer; if not,
  the create is sent again. Every id a create returns is claimed, so two creates of the same
  name in a row stay two cards. A create without a probe whose outcome is unknown fails with
  ``Unavailable`` instead of risking a duplicate. Remaining risk, documented: a request still
  being processed by Trello after our lookup ran (a read timeout rather than a dropped
  connection); the first lookup waits at least ``reconcile_delay_s`` (1 s) to make that
  unlikely.
* **Cancellation.** ``cancel(tag)`` rejects the tag's ``SYNC``/``BACKGROUND`` reads (stopping
  those in flight) and its writes not yet sent, with ``RequestCancelled``. A write already
  sent is never cancelled (its outcome would become unknown); ``INTERACTIVE``/``CAPTURE``
  work is kept unless named in ``priorities``.
* **Giving up.** After ``max_attempts`` sends (lookups counted apart) the last error is raised;
  for a create that may have been applied it is ``Unavailable(maybe_applied=True)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

from trello_tui.trello.calls import ApiCall
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import (
    RateLimited,
    RequestCancelled,
    TrelloError,
    Unavailable,
    Unreachable,
)
from trello_tui.trello.jobs import (
    BATCH_MAX,
    CANCELLABLE,
    PACED,
    RESERVE,
    Delivery,
    Job,
    Priority,
    QueueStats,
    Waiter,
)
from trello_tui.trello.limiter import MEMBER, route_windows
from trello_tui.trello.reconcile import CLOCK_SLACK_S, Reconciler, already_done

T = TypeVar("T")
log = logging.getLogger("trello_tui.trello.queue")
Request = ApiCall[T] | Callable[[], ApiCall[T]]


class RequestQueue:
    """Priorities, coalescing, batching and safe retries in front of a ``TrelloClient``."""

    def __init__(
        self,
        client: TrelloClient,
        *,
        max_in_flight: int = 8,
        max_attempts: int = 10,
        backoff_base_s: float = 0.25,
        backoff_cap_s: float = 20.0,
        reconcile_delay_s: float = 1.0,
        batching: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.limiter = client.limiter
        self.max_in_flight = max_in_flight
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.reconcile_delay_s = reconcile_delay_s
        self.batching = batching
        self.stats = QueueStats()
        self._rng = rng or random.Random()
        self._seq = itertools.count()
        self._heap: list[tuple[int, int, int, Job]] = []
        self._entries = itertools.count()
        self._by_key: dict[tuple[Any, ...], Job] = {}
        self._in_flight = 0
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._sleepers: dict[asyncio.Task[None], Job] = {}
        self._reconciler = Reconciler()
        self._flying: set[Job] = set()
        self._closed = False

    # -- public interface --------------------------------------------------------------------

    async def submit(
        self,
        request: Request[T],
        *,
        priority: Priority = Priority.SYNC,
        idempotent: bool | None = None,
        tag: str | None = None,
        delivery: Delivery | None = None,
    ) -> T:
        """Queue a request and wait for its parsed answer (or a ``TrelloError``); ``delivery``
        receives how it went (an attempt that may have been applied, sent again)."""
        if self._closed:
            raise RequestCancelled("the queue is closed")
        self._ensure_started()
        loop = asyncio.get_running_loop()
        waiter = Waiter(loop.create_future(), tag, Priority(priority), time.monotonic(), delivery)
        self.stats.submitted += 1
        call = request if isinstance(request, ApiCall) else None
        factory = None if call is not None else cast(Callable[[], ApiCall[Any]], request)
        shared = self._coalesce(call, waiter) if call is not None else None
        if shared is None:
            job = Job(next(self._seq), waiter.priority, call, factory, idempotent, [waiter])
            if call is not None and call.method == "GET":
                self._by_key[call.key] = job
            self._push(job)
        try:
            return cast(T, await waiter.future)
        except asyncio.CancelledError:
            # The caller gave up: drop its interest, and the request if nobody else waits.
            self._drop_waiter(waiter)
            raise

    def cancel(self, tag: str, priorities: Iterable[Priority] = CANCELLABLE) -> int:
        """Reject the tag's reads, and its writes not yet sent, of these priorities.

        A write that has been sent is never cancelled: its outcome would become unknown.
        """
        wanted = set(priorities)
        count = 0
        for job in self._all_jobs():
            if not self._is_read(job) and job.attempts > 0:
                continue
            for waiter in list(job.waiters):
                if waiter.tag == tag and waiter.priority in wanted and not waiter.future.done():
                    waiter.future.set_exception(RequestCancelled("cancelled: left the board"))
                    job.waiters.remove(waiter)
                    count += 1
            if not job.waiters:
                self._kill(job)
        self.stats.cancelled += count
        return count

    async def aclose(self, grace_s: float = 2.0) -> None:
        """Stop the dispatcher and reject everything still waiting.

        Requests already on the wire get ``grace_s`` seconds to finish (so a write's outcome
        is known when possible), then are cancelled.
        """
        self._closed = True
        for job in self._all_jobs():
            if job.in_flight:
                continue
            for waiter in job.waiters:
                if not waiter.future.done():
                    waiter.future.set_exception(RequestCancelled("the queue is closed"))
            self._kill(job)
        running = {job.task for job in self._flying if job.task is not None}
        if running:
            await asyncio.wait(running, timeout=grace_s)
        self._wake.set()  # the dispatcher sees _closed and returns
        tasks = [t for t in (self._dispatcher, *list(self._sleepers), *running) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def pending(self) -> int:
        return len(self._live_entries())

    # -- bookkeeping -------------------------------------------------------------------------

    def _ensure_started(self) -> None:
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch())

    def _push(self, job: Job) -> None:
        job.entry = next(self._entries)
        heapq.heappush(self._heap, (int(job.priority), job.seq, job.entry, job))
        self._wake.set()

    @staticmethod
    def _valid(entry: tuple[int, int, int, Job]) -> bool:
        job = entry[3]
        return not job.dead and not job.in_flight and entry[2] == job.entry

    def _live_entries(self) -> list[tuple[int, int, int, Job]]:
        return sorted(e for e in self._heap if self._valid(e))

    def _coalesce(self, call: ApiCall[Any], waiter: Waiter) -> Job | None:
        if call.method != "GET":
            return None
        job = self._by_key.get(call.key)
        if job is None or job.dead:
            return None
        job.waiters.append(waiter)
        self.stats.coalesced += 1
        if waiter.priority < job.priority and not job.in_flight:
            # A more urgent caller wants it: move it up (the old heap entry is skipped).
            job.priority = waiter.priority
            self._push(job)
        return job

    def _all_jobs(self) -> list[Job]:
        jobs = {id(entry[3]): entry[3] for entry in self._heap}
        for job in (*self._by_key.values(), *self._sleepers.values()):
            jobs.setdefault(id(job), job)
        jobs.update({id(job): job for job in self._flying})
        return [job for job in jobs.values() if not job.dead]

    def _kill(self, job: Job) -> None:
        job.dead = True
        if job.call is not None and self._by_key.get(job.call.key) is job:
            del self._by_key[job.call.key]
        if job.task is not None and job.in_flight and not job.batched and self._is_read(job):
            job.task.cancel()

    def _drop_waiter(self, waiter: Waiter) -> None:
        for job in self._all_jobs():
            if waiter in job.waiters:
                job.waiters.remove(waiter)
                if not job.waiters:
                    self._kill(job)

    @staticmethod
    def _is_read(job: Job) -> bool:
        return job.call is not None and job.call.method == "GET" and not job.reconcile

    def _select(self) -> tuple[Job, ApiCall[Any], float] | None:
        """The most urgent sendable job and how long until it may go.

        Only the ``/1/members`` window is specific to some routes; a job blocked by it alone
        lets less urgent jobs pass. Every other wait applies to all jobs alike.
        """
        self._heap = [e for e in self._heap if self._valid(e)]
        heapq.heapify(self._heap)
        first: tuple[Job, ApiCall[Any], float] | None = None
        for entry in sorted(self._heap):
            job = entry[3]
            call = self._current_call(job)
            if call is None:
                continue
            delay = self.limiter.delay(
                call.path, reserve=RESERVE[job.priority], paced=job.priority in PACED
            )
            if first is None:
                first = (job, call, delay)
            if delay <= 0:
                return job, call, 0.0
            if MEMBER not in route_windows(call.path) or self.limiter.delay("/batch") > 0:
                break
        return first

    async def _nap(self, seconds: float | None) -> None:
        """Sleep until woken (a submission, a finished request) or ``seconds`` pass.

        ``asyncio.wait`` rather than ``wait_for``: on Python 3.11 ``wait_for`` can swallow a
        cancellation that arrives as the event fires, which would leave ``aclose`` waiting.
        """
        self._wake.clear()
        waiter = asyncio.get_running_loop().create_task(self._wake.wait())
        try:
            await asyncio.wait({waiter}, timeout=seconds)
        finally:
            waiter.cancel()

    async def _dispatch(self) -> None:
        while not self._closed:
            picked = self._select() if self._in_flight < self.max_in_flight else None
            if picked is None:
                await self._nap(None)
                continue
            job, call, delay = picked
            if delay > 0:
                # Wake on the slot opening or on a new (maybe more urgent) submission.
                await self._nap(delay)
                continue
            group = self._batch_with(job, call)
            if len(group) > 1:
                self.limiter.record("/batch", urls=len(group))
            else:
                self.limiter.record(call.path)
            for member in group:
                self._mark_sent(member)
                member.batched = len(group) > 1
            runner = self._run_batch(group) if len(group) > 1 else self._run(job, call)
            task = asyncio.get_running_loop().create_task(runner)
            for member in group:
                member.task = task
            task.add_done_callback(self._on_done)

    def _on_done(self, _task: asyncio.Task[None]) -> None:
        self._wake.set()

    def _current_call(self, job: Job) -> ApiCall[Any] | None:
        """The job's call (built now if it came as a factory), or its reconcile lookup."""
        if job.call is None and job.factory is not None:
            try:
                job.call = job.factory()
            except Exception as exc:  # a faulty factory must fail its caller, not the queue
                self._fail(job, TrelloError(f"could not build the request: {type(exc).__name__}"))
                return None
        assert job.call is not None
        if job.reconcile and job.call.create is not None:
            return job.call.create.lookup
        return job.call

    def _batch_with(self, job: Job, call: ApiCall[Any]) -> list[Job]:
        if not self.batching or not self._batchable(job, call):
            return [job]
        group = [job]
        # The most urgent other batchable GETs, in priority order.
        for entry in sorted(self._heap):
            other = entry[3]
            if len(group) >= BATCH_MAX:
                break
            if other is job or not self._valid(entry) or other.call is None:
                continue
            if self._batchable(other, other.call):
                group.append(other)
        return group

    @staticmethod
    def _batchable(job: Job, call: ApiCall[Any]) -> bool:
        return (
            not job.reconcile
            and call.batchable
            and call is job.call
            and MEMBER not in route_windows(call.path)
        )

    def _mark_sent(self, job: Job) -> None:
        job.in_flight = True
        self._flying.add(job)
        if job.reconcile:
            job.lookups += 1
        else:
            job.attempts += 1
        self._in_flight += 1
        self.stats.sent += 1
        now = time.monotonic()
        if job.first_sent is None:
            job.first_sent = now
            job.first_sent_wall = self.client.server_time()
            for waiter in job.waiters:
                self.stats.note(self.stats.waits, waiter.priority, now - waiter.submitted)

    def _finish_flight(self, job: Job) -> None:
        job.in_flight = False
        self._flying.discard(job)
        self._in_flight -= 1

    async def _run(self, job: Job, call: ApiCall[Any]) -> None:
        try:
            result = await self.client.send(call, acquire=False)
        except TrelloError as error:
            self._finish_flight(job)
            self._failed(job, error)
            return
        except asyncio.CancelledError:
            self._finish_flight(job)
            return
        self._finish_flight(job)
        if job.reconcile:
            self._reconciled(job, result)
        else:
            self._reconciler.claim_result(job.call, result)
            self._resolve(job, result)

    async def _run_batch(self, group: list[Job]) -> None:
        self.stats.batches += 1
        self.stats.batched_calls += len(group)
        calls = [job.call for job in group if job.call is not None]
        try:
            results = await self.client.batch(calls, acquire=False)
        except TrelloError as error:
            for job in group:
                self._finish_flight(job)
                self._failed(job, error)
            return
        except asyncio.CancelledError:
            for job in group:
                self._finish_flight(job)
            return
        for job, result in zip(group, results, strict=True):
            self._finish_flight(job)
            if isinstance(result, TrelloError):
                self._failed(job, result)
            else:
                self._resolve(job, result)

    # -- outcomes ------------------------------------------------------------------------------

    def _resolve(self, job: Job, result: Any) -> None:
        self._retire(job)
        now = time.monotonic()
        for waiter in job.waiters:
            if not waiter.future.done():
                waiter.future.set_result(result)
                self.stats.note(self.stats.latencies, waiter.priority, now - waiter.submitted)

    def _fail(self, job: Job, error: TrelloError) -> None:
        self._retire(job)
        self.stats.failed += 1
        for waiter in job.waiters:
            if not waiter.future.done():
                waiter.future.set_exception(error)

    def _retire(self, job: Job) -> None:
        job.dead = True
        if job.call is not None and self._by_key.get(job.call.key) is job:
            del self._by_key[job.call.key]

    def _idempotent(self, job: Job) -> bool:
        if job.idempotent is not None:
            return job.idempotent
        return job.call.idempotent if job.call is not None else False

    def _final_error(self, job: Job, error: TrelloError) -> TrelloError:
        """The error to give up with: a create that may exist says so, under its own path."""
        call = job.call
        if call is None or self._idempotent(job) or not job.maybe_applied:
            return error
        return Unavailable(
            "gave up; the object may or may not have been created: refresh to see",
            maybe_applied=True,
            method=call.method,
            path=call.path,
        )

    @staticmethod
    def _unreached(job: Job, error: Unreachable) -> Unreachable:
        """Trello can't be reached: said now. An earlier attempt (or the create this lookup
        is for) may have landed: the caller must know, to reconcile before sending again."""
        if not job.maybe_applied or error.maybe_applied:
            return error
        call = job.call
        return Unreachable(
            "Trello can't be reached; an earlier attempt may have been applied: refresh to see",
            maybe_applied=True,
            detail=error.detail,
            method=call.method if call else error.method,
            path=call.path if call else error.path,
        )

    def _failed(self, job: Job, error: TrelloError) -> None:
        if job.dead:
            return
        if isinstance(error, RateLimited):
            self.stats.rate_limited += 1
        if error.permanent:
            if job.maybe_applied and job.call is not None and already_done(job.call, error):
                self._resolve(job, None)
            else:
                self._fail(job, error)
            return
        if isinstance(error, Unreachable):
            self._fail(job, self._unreached(job, error))
            return
        if max(job.attempts, job.lookups) >= self.max_attempts:
            self._fail(job, self._final_error(job, error))
            return
        maybe = not isinstance(error, RateLimited) and (
            not isinstance(error, Unavailable) or error.maybe_applied
        )
        job.maybe_applied = job.maybe_applied or maybe
        if maybe:
            for waiter in job.waiters:
                if waiter.delivery is not None:
                    waiter.delivery.maybe_repeated = True
        if not self._idempotent(job) and maybe and not job.reconcile:
            if job.call is None or job.call.create is None:
                self._fail(
                    job,
                    Unavailable(
                        "the outcome of this change is unknown; refresh before trying again",
                        method=job.call.method if job.call else "",
                        path=job.call.path if job.call else "",
                    ),
                )
                return
            job.reconcile = True
            self.stats.retries += 1
            # Give a request that may still be running on Trello's side time to finish, so
            # the lookup sees its object (see "Remaining risk" above).
            self._retry_later(job, max(self.reconcile_delay_s, self._backoff(job, error)))
            return
        self.stats.retries += 1
        self._retry_later(job, self._backoff(job, error))

    def _backoff(self, job: Job, error: TrelloError) -> float:
        if isinstance(error, RateLimited):
            # The limiter pauses the whole queue; requeue at once so order is kept.
            return 0.0
        ceiling = min(
            self.backoff_cap_s, self.backoff_base_s * 2 ** (job.attempts + job.lookups - 1)
        )
        return self._rng.uniform(0, ceiling)

    def _retry_later(self, job: Job, delay: float) -> None:
        if delay <= 0:
            self._push(job)
            return

        async def sleeper() -> None:
            await asyncio.sleep(delay)
            if not job.dead:
                self._push(job)

        task = asyncio.get_running_loop().create_task(sleeper())
        self._sleepers[task] = job
        task.add_done_callback(lambda done: self._sleepers.pop(done, None))

    # -- create reconciliation -------------------------------------------------------------------

    def _reconciled(self, job: Job, candidates: Any) -> None:
        """The lookup came back: adopt our object if it is there, else send the create again."""
        assert job.call is not None and job.call.create is not None
        self.stats.reconcile_lookups += 1
        found = self._reconciler.find(
            job.call, candidates, (job.first_sent_wall or 0.0) - CLOCK_SLACK_S
        )
        job.reconcile = False
        if found is not None:
            self.stats.reconciled += 1
            self._reconciler.claim(str(found.get("id")))
            log.info("create %s was applied before the failure; adopting it", job.call.path)
            try:
                result = job.call.parse(found)
            except (TypeError, ValueError, KeyError, AttributeError):
                result = found
            self._resolve(job, result)
            return
        log.info("create %s was not applied; sending it again", job.call.path)
        self._push(job)


__all__ = ["Priority", "QueueStats", "RequestQueue"]
