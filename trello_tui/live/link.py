"""Live updates for an app that shows one board at a time (the UI's ``Backend`` holds one).

The app makes a new engine and poller whenever the user opens a board; ``LiveLink.show``
points the deliveries at that engine, drives that poller, and makes sure the board has a
webhook. The first ``show`` starts the receiver and the tunnel in the background, so opening
a board never waits for a tunnel. ``mode`` is what the status line shows.
"""

from __future__ import annotations

import asyncio
import contextlib

from trello_tui.live.updates import (
    LiveSettings,
    LiveStatus,
    LiveUpdates,
    PollControl,
    StatusListener,
    merge_into,
)
from trello_tui.sync.engine import SyncEngine
from trello_tui.trello.client import TrelloClient

NO_SECRET = (
    "live updates need the app secret to check Trello's signatures:"
    " set TRELLO_API_SECRET or run `trello-tui auth`"
)


class LiveLink:
    """One LiveUpdates for the app's lifetime, following the board on screen."""

    def __init__(self, secret: str | None, settings: LiveSettings) -> None:
        self._secret = secret
        self.settings = settings
        self.live: LiveUpdates | None = None
        self._engine: SyncEngine | None = None
        self._starting: asyncio.Task[LiveStatus] | None = None
        self._listeners: list[StatusListener] = []

    def __repr__(self) -> str:
        return f"LiveLink(mode={self.mode!r})"

    def listen(self, listener: StatusListener) -> None:
        """Hear every change of mode or reason (the UI notifies the user on a fallback)."""
        self._listeners.append(listener)
        if self.live is not None:
            self.live.listen(listener)

    def show(self, client: TrelloClient, engine: SyncEngine, poller: PollControl) -> None:
        """The app opened ``engine``'s board and made ``poller`` for it."""
        self._engine = engine
        if not self._secret:
            return  # nothing can be verified without it: stay polling, and say why (status)
        if self.live is None:
            self.live = LiveUpdates(
                client, self._secret, self.settings, merge_into(self._engine_for), poller
            )
            for listener in self._listeners:
                self.live.listen(listener)
            self.live.watch(engine.board_id)
            self._starting = asyncio.get_running_loop().create_task(self.live.start())
            return
        self.live.attach(poller)
        self.live.focus(engine.board_id)

    def _engine_for(self, board_id: str) -> SyncEngine | None:
        engine = self._engine
        return engine if engine is not None and engine.board_id == board_id else None

    @property
    def status(self) -> LiveStatus:
        if not self._secret:
            return LiveStatus("polling", NO_SECRET)
        return self.live.status if self.live is not None else LiveStatus("polling", "not started")

    @property
    def mode(self) -> str:
        return self.status.mode

    async def aclose(self) -> None:
        if self._starting is not None and not self._starting.done():
            self._starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._starting
        if self.live is not None:
            await self.live.stop()
