"""Incremental polling: each open board's new actions, one request per board per interval.

Every tick asks Trello for the actions since the last one we saw
(``GET /1/boards/{id}/actions?since=<id>&limit=1000``), for every open board at once: the
requests are submitted together, so the request queue sends one ``/1/batch`` for up to ten
boards (one board goes alone). When nothing changed that is the whole cost. New actions go
to the board's engine, which fetches the objects they touched and merges them (see
engine.py for the conflict rules). Only board routes are polled, never ``/1/members/*``,
whose budget is 100 requests per 15 minutes.

The interval adapts:

* ``active_s`` (default 5 s) while the user works (``touch()``) or changes keep arriving;
* then it grows towards ``idle_s`` (default 30 s) after ``idle_after_s`` without activity,
  and ``max_s`` (default 120 s) after ten times that;
* it is multiplied by 3 while less than a quarter of the token's rate budget is left, and
  doubles (up to ``max_s``) after each failed poll, so an outage does not hammer Trello.

Every ``full_every_s`` (default 10 min) after its last full load (any: a re-spacing's, the
user's refresh, or the one the cache was filled by) a board gets a full load instead, which
catches what actions do not show, such as the server re-spacing ``pos`` values.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable

from trello_tui.sync.engine import SyncEngine
from trello_tui.sync.state import BoardChange
from trello_tui.trello.errors import TrelloError
from trello_tui.trello.limiter import TOKEN
from trello_tui.trello.models import Action
from trello_tui.trello.queue import RequestQueue

log = logging.getLogger(__name__)


class Poller:
    """Polls the open boards' engines on one adaptive timer."""

    def __init__(
        self,
        queue: RequestQueue,
        engines: Iterable[SyncEngine] = (),
        *,
        active_s: float = 5.0,
        idle_s: float = 30.0,
        max_s: float = 120.0,
        idle_after_s: float = 120.0,
        full_every_s: float = 600.0,
        probe_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queue = queue
        self.engines: dict[str, SyncEngine] = {}
        self._unsubscribe: dict[str, Callable[[], None]] = {}
        self.active_s = active_s
        self.idle_s = idle_s
        self.max_s = max_s
        self.idle_after_s = idle_after_s
        self.full_every_s = full_every_s
        #: "live" while webhooks deliver the changes (set by LiveUpdates): then polling is only
        #: a probe every ``probe_s``, to notice deliveries that stopped arriving
        self.mode = "polling"
        self.probe_s = probe_s
        #: called with (board id, actions) for each poll that found actions (the live probe)
        self.observers: list[Callable[[str, list[Action]], None]] = []
        self._clock = clock
        self._last_activity = clock()
        self._last_full: dict[str, float] = {}
        self._loads_seen: dict[str, int] = {}
        self._failures = 0
        self._wake = asyncio.Event()
        self.polls = 0
        for engine in engines:
            self.add(engine)

    # -- boards and activity -------------------------------------------------------------------

    def add(self, engine: SyncEngine) -> None:
        self.remove(engine.board_id)
        self.engines[engine.board_id] = engine
        self._last_full.setdefault(engine.board_id, self._clock())
        # Any change to the board (the user's writes, merged remote changes) means activity.
        self._unsubscribe[engine.board_id] = engine.subscribe(self._on_event)
        self.touch()

    def remove(self, board_id: str) -> None:
        self.engines.pop(board_id, None)
        self._last_full.pop(board_id, None)
        self._loads_seen.pop(board_id, None)
        unsubscribe = self._unsubscribe.pop(board_id, None)
        if unsubscribe is not None:
            unsubscribe()

    def _on_event(self, event: object) -> None:
        if isinstance(event, BoardChange):
            self.touch()

    def touch(self) -> None:
        """The user did something: poll quickly for a while."""
        self._last_activity = self._clock()

    def poll_now(self) -> None:
        """Skip the rest of the current wait (the user pressed refresh)."""
        self._wake.set()

    def set_mode(self, mode: str) -> None:
        """``"live"`` (webhooks deliver; probe only) or ``"polling"``; polls once right away."""
        self.mode = mode
        self._wake.set()

    # -- the interval ----------------------------------------------------------------------------

    def interval(self) -> float:
        if self.mode == "live":
            return self.probe_s
        idle = self._clock() - self._last_activity
        if idle < self.idle_after_s:
            base = self.active_s
        elif idle < 10 * self.idle_after_s:
            # Grow linearly from active to idle over the next idle_after_s seconds.
            share = min(1.0, (idle - self.idle_after_s) / self.idle_after_s)
            base = self.active_s + share * (self.idle_s - self.active_s)
        else:
            base = self.max_s
        if self._budget_low():
            base *= 3
        if self._failures:
            base *= 2 ** min(self._failures, 6)
        return min(base, self.max_s)

    def _budget_low(self) -> bool:
        limiter = self.queue.limiter
        window = limiter.windows[TOKEN]
        used = window.used(limiter.now(), limiter.pad_s)
        return used > 0.75 * window.capacity

    # -- polling ---------------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll forever (cancel the task to stop)."""
        while True:
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancel that lands
            # together with a wake-up, and the poller would never stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval()):
                    await self._wake.wait()
            # Cleared after the wait, so a wake-up during a poll is not lost.
            self._wake.clear()
            await self.poll_once()

    async def poll_once(self) -> int:
        """One tick for every open board; returns how many new actions were merged."""
        now = self._clock()
        live = [e for e in self.engines.values() if not e.forced_offline]
        if not live:
            return 0
        self.polls += 1
        for engine in live:
            self._note_loads(engine, now)
        full = [
            e
            for e in live
            if e.last_action_id is None
            or now - self._last_full.setdefault(e.board_id, now) >= self.full_every_s
        ]
        incremental = [e for e in live if e not in full]
        results = await asyncio.gather(
            *(self._full(e) for e in full),
            *(self._actions(e) for e in incremental),
            return_exceptions=True,
        )
        merged = 0
        failed = False
        for engine, result in zip([*full, *incremental], results, strict=True):
            if isinstance(result, TrelloError):
                engine.note_poll(result)
                failed = True
            elif isinstance(result, BaseException):
                log.error("poll of %s failed", engine.board_id, exc_info=result)
                failed = True
            else:
                merged += int(result)
        self._failures = self._failures + 1 if failed else 0
        if merged:
            self.touch()  # changes arrive in bursts: keep watching closely
        return merged

    def _note_loads(self, engine: SyncEngine, now: float) -> None:
        """Any full load counts (a re-spacing's, the user's `r`); a board started from its
        cache by actions was last loaded when the cache was."""
        seen = self._loads_seen.get(engine.board_id)
        if seen is None and not engine.full_loads and engine.loaded_at and not engine.loading:
            age = max(0.0, time.time() - engine.loaded_at)
            self._last_full[engine.board_id] = now - min(age, self.full_every_s)
        elif seen is not None and seen != engine.full_loads:
            self._last_full[engine.board_id] = now
        self._loads_seen[engine.board_id] = engine.full_loads

    async def _full(self, engine: SyncEngine) -> int:
        self._last_full[engine.board_id] = self._clock()
        ok = await engine.refresh()
        self._loads_seen[engine.board_id] = engine.full_loads
        if not ok:
            raise TrelloError("full load failed")
        return 0

    async def _actions(self, engine: SyncEngine) -> int:
        # (the engine's own poll: a warm start asks the same, loading.py)
        return await engine.poll_actions(self.observers)
