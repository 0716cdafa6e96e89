"""The first load's deadline: if Trello has not answered within it, the user is told so.

Opening a board paints the cache at once and then waits for Trello (resolving the board's
name, the engine's first load, the access check). A Trello that accepts the connection and
never answers, or drips a byte now and then (httpx's timeout restarts on each byte), would
leave the user looking at an old board with nothing said. ``FirstLoad`` starts a timer when
a board is opened; when it fires and nothing has come back from Trello since (the engine's
``last_sync`` is older than the opening), a warning says "Trello did not answer in N s",
and the status line says it too until Trello answers. Nothing is cancelled: the cache stays
on screen, the load carries on in the background, and the board becomes live the moment an
answer arrives. An answer that is an error (a refused token, a connection refused) is
reported where it happens, and stops the timer (``stop``).

One place for "Trello is slow or away" on first load, so finer messages (offline at once for
a refused connection, "slow" after a shorter wait) can be added here.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.timer import Timer

    from trello_tui.ui.app import TrelloApp

#: seconds the first load may wait for Trello before the user is told
FIRST_LOAD_S = 10.0


class FirstLoad:
    """Watches one board opening at a time against its deadline."""

    def __init__(self, app: TrelloApp, deadline_s: float = FIRST_LOAD_S) -> None:
        self.app = app
        self.deadline_s = deadline_s
        self._since: float | None = None
        self._timer: Timer | None = None
        #: what the status line says while Trello has not answered after the deadline
        self.late: str | None = None

    def begin(self) -> None:
        """A board is being opened from Trello: the deadline starts now."""
        self.stop()
        self._since = time.time()
        self._timer = self.app.set_timer(self.deadline_s, self._expired, name="first-load")

    def stop(self) -> None:
        """Trello answered (the answer, good or bad, is reported elsewhere)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._since = None
        self.late = None

    def answered(self) -> bool:
        """True once anything came back from Trello since the board was opened."""
        if self._since is None:
            return True
        engine = self.app.backend.engine
        last = engine.status.last_sync if engine is not None else None
        return last is not None and last >= self._since

    def status_text(self) -> str | None:
        """The status line's text while the deadline has passed unanswered, else None."""
        if self.late is not None and self.answered():
            self.stop()
        return self.late

    def _expired(self) -> None:
        self._timer = None
        if self.answered():
            self.stop()
            return
        said = f"Trello did not answer in {self.deadline_s:g} s"
        if self.app.state is not None:
            self.late = f"{said} · showing the cache"
            detail = "Showing the cached board; it updates when Trello answers."
        else:
            self.late = said
            detail = "Nothing is cached for this board yet; it opens when Trello answers."
        self.app.notify(f"{said}. {detail}", severity="warning", timeout=10, markup=False)
        self.app.refresh_status()
