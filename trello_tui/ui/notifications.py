"""The app's notifications and triggers: what teammates do, as toasts and commands.

The engine of the open board hands on every action it merges (``RemoteActions``: polled or
delivered by a webhook). They become events (:mod:`trello_tui.automation.notify`); those that
concern the user — a card assigned to them, a comment mentioning them, one of their cards
coming due, a card moved by someone else on the board they are looking at — raise a
notification, and every event runs the matching ``[[triggers]]`` in the background
(:mod:`trello_tui.automation.triggers`; a failing trigger raises an error notification).
Nothing here awaits: runs are tasks, the once-only claim is on a thread.

The trigger runner is built on the first event that has a trigger to run, so a session
without triggers never loads it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from trello_tui.automation.notify import CardEvent, Me, Notifier, local_time

if TYPE_CHECKING:
    from textual.app import App

    from trello_tui.automation.triggers import TriggerResult, TriggerRunner
    from trello_tui.config.settings import Trigger
    from trello_tui.sync.events import RemoteActions

log = logging.getLogger(__name__)

#: more notifications than this in one batch are shown as one
MAX_TOASTS = 3
TITLES = {
    "card_assigned": "Assigned to you",
    "mentioned": "You were mentioned",
    "card_due_soon": "Due soon",
    "card_moved": "Card moved",
}


def message(event: CardEvent) -> str:
    """The notification's text for one event (shown with ``markup=False``: names are
    anyone's text)."""
    who = event.actor.shown if event.actor else "Someone"
    card = f"'{event.card_name}'"
    if event.kind == "card_assigned":
        return f"{who} added you to {card} ({event.board_name} › {event.list_name})"
    if event.kind == "mentioned":
        return f"{who} on {card}: {event.text}"
    if event.kind == "card_due_soon":
        return f"{card} is due {local_time(event.due)} ({event.board_name})"
    if event.kind == "card_moved":
        return f"{who} moved {card} to {event.list_name}"
    return event.summary()


class AppEvents:
    """Notifications and triggers for a running app."""

    def __init__(
        self,
        app: App[Any],
        triggers: Sequence[Trigger] = (),
        me: Callable[[], str | None] = lambda: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.triggers = tuple(triggers)
        self.me = me
        self.notifier = Notifier(Me(), self.events, clock=clock)
        self.runner: TriggerRunner | None = None

    def _sync_me(self, engine: Any) -> None:
        username = self.me()
        if username and self.notifier.me.username != username:
            self.notifier.me = Me(None, username)
        self.notifier.me = self.notifier.me.resolve(getattr(engine, "state", None))

    def remote(self, engine: Any, event: RemoteActions) -> None:
        """Actions the engine merged (call on the app's loop)."""
        self._sync_me(engine)
        self.notifier.engine_event(engine, event)

    def check_due(self, engine: Any) -> None:
        """Cards coming due on the open board (a timer calls it every minute, not at once:
        a board opens without a burst of toasts)."""
        if engine is None or engine.state is None:
            return
        self._sync_me(engine)
        self.notifier.check_due(engine.state)

    def events(self, events: list[CardEvent]) -> None:
        mine = [e for e in events if e.concerns_me and e.kind in TITLES]
        if len(mine) > MAX_TOASTS:
            names = ", ".join(f"'{e.card_name}'" for e in mine[:MAX_TOASTS])
            more = f"{names} and {len(mine) - MAX_TOASTS} more"
            self.app.notify(more, title="Board updates", markup=False)
        else:
            for event in mine:
                self.app.notify(message(event), title=TITLES[event.kind], timeout=8, markup=False)
        if self.triggers:
            self._runner().submit(events)

    def _runner(self) -> TriggerRunner:
        if self.runner is None:
            from trello_tui.automation.triggers import TriggerRunner

            self.runner = TriggerRunner(self.triggers, self.reported, me=self.notifier.me)
        self.runner.me = self.notifier.me
        return self.runner

    def reported(self, result: TriggerResult) -> None:
        log.info("%s", result.text)
        if not result.ok:
            self.app.notify(
                result.text, title="Trigger failed", severity="error", timeout=10, markup=False
            )

    async def aclose(self) -> None:
        if self.runner is not None:
            await self.runner.aclose()
