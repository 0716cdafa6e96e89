"""The machinery of ``trello-tui watch``: board events and triggers, headless.

Polls the user's boards (every open board, or the ``--board`` ones: id, short link or name)
on one timer through the same machinery as the app — a ``SyncEngine`` per board, one
``Poller`` that batches the boards' action requests into ``/1/batch``, the request queue that
keeps within Trello's rate limits — and prints one line per event (``--json``: one JSON
object) on stdout as it happens: cards created, moved, assigned, archived, commented on,
mentions of the user and cards coming due. Every event runs the matching ``[[triggers]]`` of
config.toml (see :mod:`trello_tui.automation.triggers`); their outcomes go to stderr.

A board already in the offline cache is polled from where the cache left off, so changes
made while nothing was watching are caught up (triggers run for those up to 24 hours old,
each at most once: the app and a watcher never both run one). Ctrl-C or SIGTERM stops it
cleanly: runs in progress get a moment to finish, the cache is written, the exit code is 0.
Exit codes: 1 when no board could be watched (Trello refused, or did not answer within
``[sync] answer_within_s`` while the watch started), 2 without credentials. Every line goes
through :func:`trello_tui.cli_io.clean` (``--json``: :func:`~trello_tui.cli_io.json_text`).

Never imports Textual: it runs under systemd, cron or tmux.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import shutil
import sys
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any, TextIO, TypeVar

from trello_tui.automation.notify import DUE_SOON, CardEvent, Me, Notifier
from trello_tui.automation.triggers import SeenStore, TriggerResult, TriggerRunner
from trello_tui.cli_io import clean, json_text
from trello_tui.cli_waits import DEFAULT_S, advice, no_answer
from trello_tui.config.settings import Trigger
from trello_tui.live.poller import Poller
from trello_tui.store.cache import AsyncCache, Cache
from trello_tui.store.outbox import AsyncOutbox, Outbox
from trello_tui.sync.engine import SyncEngine
from trello_tui.trello.client import TrelloClient
from trello_tui.trello.errors import TrelloError
from trello_tui.trello.models import Board
from trello_tui.trello.queue import RequestQueue

#: how long a stop waits for trigger commands still running
STOP_GRACE_S = 5.0
T = TypeVar("T")


def event_line(event: CardEvent, as_json: bool) -> str:
    """The line printed for one event."""
    if as_json:
        return json_text(event.as_json())
    stamp = event.date.astimezone().strftime("%Y-%m-%d %H:%M:%S") if event.date else "-"
    return f"{stamp}  {event.summary()}"


def pick_boards(mine: Sequence[Board], keys: Sequence[str]) -> tuple[list[Board], list[str]]:
    """The boards to watch (all open ones without keys) and the keys that matched none."""
    if not keys:
        return [b for b in mine if not b.closed], []
    chosen: list[Board] = []
    missing: list[str] = []
    for key in keys:
        wanted = key.strip().casefold()
        board = next(
            (b for b in mine if wanted in (b.id.casefold(), b.short_link.casefold())), None
        ) or next((b for b in mine if b.name.casefold() == wanted), None)
        if board is None:
            missing.append(key)
        elif board not in chosen:
            chosen.append(board)
    return chosen, missing


class Watch:
    """The running watcher: engines, a poller, the notifier and the trigger runner."""

    def __init__(
        self,
        client: TrelloClient,
        triggers: Sequence[Trigger],
        *,
        out: TextIO,
        err: TextIO,
        interval_s: float,
        full_every_s: float,
        cache: Cache | None = None,
        outbox: Outbox | None = None,
        seen: SeenStore | None = None,
        as_json: bool = False,
        due_within: timedelta = DUE_SOON,
    ) -> None:
        self.client = client
        self.out = clean(out)
        self.err = clean(err)
        self.as_json = as_json
        self.interval_s = interval_s
        self.queue = RequestQueue(client)
        self.cache = AsyncCache(cache if cache is not None else Cache(report=self.note))
        self.outbox = AsyncOutbox(outbox if outbox is not None else Outbox(report=self.note))
        self.engines: list[SyncEngine] = []
        self.poller = Poller(
            self.queue,
            active_s=interval_s,
            idle_s=interval_s,
            max_s=max(120.0, interval_s),
            idle_after_s=math.inf,  # a watcher stays at its interval; failures back off
            full_every_s=full_every_s,
        )
        self.runner = TriggerRunner(
            triggers, self.reported, seen=seen or SeenStore(report=self.note)
        )
        self.notifier = Notifier(Me(), self.events, due_within=due_within)
        self.printed = 0

    def note(self, message: str) -> None:
        self.err.write(message + "\n")
        self.err.flush()

    def reported(self, result: TriggerResult) -> None:
        self.note(result.text)

    def events(self, events: list[CardEvent]) -> None:
        for event in events:
            self.out.write(event_line(event, self.as_json) + "\n")
            self.printed += 1
        self.out.flush()
        self.runner.submit(events)

    async def start(self, boards: Sequence[Board]) -> None:
        member = await self.client.me()
        me = Me(member.id, member.username)
        self.notifier.me = me
        self.runner.me = me
        for board in boards:
            engine = SyncEngine(self.queue, self.cache, self.outbox, board.id)
            self.notifier.attach(engine)
            # From the cache when it has the board: the first poll then brings what changed
            # since; otherwise the poller loads it first.
            await engine.start(refresh=False)
            self.engines.append(engine)
            self.poller.add(engine)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll and check due dates until ``stop`` is set."""
        self.poller.poll_now()  # the first poll at once, not after one interval
        polling = asyncio.get_running_loop().create_task(self.poller.run())
        try:
            while not stop.is_set():
                for engine in self.engines:
                    self.notifier.check_due(engine.state)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(60.0, self.interval_s)):
                        await stop.wait()
        finally:
            polling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await polling

    async def aclose(self) -> None:
        await self.runner.drain(STOP_GRACE_S)
        await self.runner.aclose()
        for engine in self.engines:
            await engine.close()
        await self.queue.aclose()
        await self.cache.close()
        await self.outbox.close()


async def _unless_stopped(work: Coroutine[Any, Any, T], stop: asyncio.Event) -> T | None:
    """``work``'s result, or None (``work`` cancelled) when ``stop`` is set first."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    if task.done():
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return None


async def run(
    client: TrelloClient,
    keys: Sequence[str],
    triggers: Sequence[Trigger],
    stop: asyncio.Event,
    *,
    interval_s: float = 10.0,
    full_every_s: float = 900.0,
    out: TextIO | None = None,
    err: TextIO | None = None,
    cache: Cache | None = None,
    outbox: Outbox | None = None,
    seen: SeenStore | None = None,
    as_json: bool = False,
    due_within: timedelta = DUE_SOON,
    answer_within_s: float = DEFAULT_S,
) -> int:
    """The command's work until ``stop`` is set; returns the exit code."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    watch = Watch(
        client,
        triggers,
        out=out,
        err=err,
        interval_s=interval_s,
        full_every_s=full_every_s,
        cache=cache,
        outbox=outbox,
        seen=seen,
        as_json=as_json,
        due_within=due_within,
    )

    async def begin() -> list[Board]:
        async with asyncio.timeout(answer_within_s):  # httpx's timeouts are per read
            boards, missing = pick_boards(await client.my_boards(), keys)
            for key in missing:
                watch.note(f"No board named {key!r}.")
            if boards:
                await watch.start(boards)
            return boards

    try:
        try:
            # Trello may be slow or down: a stop must not wait for the start-up.
            boards = await _unless_stopped(begin(), stop)
        except TimeoutError:
            watch.note(f"Could not start watching: {no_answer(answer_within_s)}")
            return 1
        except TrelloError as error:
            watch.note(f"Could not start watching: {advice(error)}")
            return 1
        if boards is None:
            return 0
        if not boards:
            watch.note("Nothing to watch.")
            return 1
        names = ", ".join(b.name for b in boards)
        count = f"{len(triggers)} trigger{'s' if len(triggers) != 1 else ''}"
        watch.note(f"watching {names} every {interval_s:g} s; {count}; Ctrl-C stops")
        for trigger in triggers:
            if shutil.which(trigger.run[0]) is None:  # said now, not only when it fires
                where = f"config.toml line {trigger.line}" if trigger.line else "a trigger"
                watch.note(f"{where}: {trigger.run[0]!r} is not an executable program (PATH)")
        await watch.run(stop)
        return 0
    finally:
        await watch.aclose()
