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

One place for "Trello is slow or away", at any time, not only on first load:

* a refused connection or a name that does not resolve is "offline" at once (the client
  raises ``Unreachable``, the queue does not retry it, the engine's status says "offline");
  ``unreached`` words such a failure for the user ("Can't reach Trello (connection refused)");
* a Trello that accepted the connection and says nothing is "Trello is slow (N s)" once it
  has been silent ``slow_s`` seconds (``slow_for``: the client counts them), long before
  httpx's own timeout (20 s) gives up;
* ``WHAT_TO_DO`` says what the user can do about either.

The status line (``TrelloApp.sync_text``), the opening screen of a board with nothing cached
(screens/opening.py) and the board picker all say it from here.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.timer import Timer

    from trello_tui.ui.app import TrelloApp
    from trello_tui.ui.screens.opening import OpeningScreen

#: seconds the first load may wait for Trello before the user is told
FIRST_LOAD_S = 10.0
#: a board id (24 hex digits) or short link (8 letters and digits): asked of Trello as it is
ID_OR_LINK = re.compile(r"[0-9a-fA-F]{24}|[0-9A-Za-z]{8}")
#: seconds of silence from Trello (a request waiting for its answer) before "slow" is said
SLOW_S = 5.0
#: what the opening screen says while Trello is asked for a board with nothing cached
ASKING = "Asking Trello for this board; nothing of it is cached yet."
#: what the user can do when Trello can't be reached or is slow
WHAT_TO_DO = (
    "r retries · b lists the cached boards · `trello-tui doctor` checks the network, "
    "the proxy and the credentials"
)


def _why(detail: str) -> str:
    """What the system said about a connection, in a few plain words."""
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", detail.strip()).rstrip(".")
    lowered = text.lower()
    if any(
        sign in lowered
        for sign in ("name or service", "nodename", "name resolution", "getaddrinfo", "no address")
    ):
        return "its name does not resolve: no network, or no DNS"
    if "all connection attempts failed" in lowered:
        return "no connection could be made"
    if "timed out" in lowered or "timeout" in lowered:
        return "connecting timed out"
    return lowered or "no connection could be made"


def unreached(error: BaseException) -> str:
    """A failure to ask Trello, in the user's words (plain text, one line)."""
    from trello_tui.trello.errors import AuthError, TrelloError, Unavailable, Unreachable

    if isinstance(error, Unreachable):
        return f"Can't reach Trello ({_why(error.detail)})"
    if isinstance(error, AuthError):
        return error.user_message
    if isinstance(error, Unavailable):
        return f"Trello is unavailable ({error.message or 'no answer'})"
    if isinstance(error, TrelloError):
        return f"Trello refused: {error.message or type(error).__name__}"
    return f"Couldn't reach Trello: {error}"


class FirstLoad:
    """Watches one board opening at a time against its deadline."""

    def __init__(
        self, app: TrelloApp, deadline_s: float = FIRST_LOAD_S, slow_s: float = SLOW_S
    ) -> None:
        self.app = app
        self.deadline_s = deadline_s
        self.slow_s = slow_s
        self._since: float | None = None
        self._timer: Timer | None = None
        #: what the status line says while Trello has not answered after the deadline
        self.late: str | None = None
        #: why the board being opened could not be (title, detail) until it is tried again
        self.failure: tuple[str, str] | None = None
        self._reach = (False, False)
        self._soon: Timer | None = None

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
        """True once anything came back from Trello since the board was opened, or the
        engine found it can't be reached (said as "offline", not as a silence)."""
        if self._since is None:
            return True
        if self.unreachable():
            return True
        engine = self.app.backend.engine
        last = engine.status.last_sync if engine is not None else None
        return last is not None and last >= self._since

    def unreachable(self) -> bool:
        """Trello can't be reached: the engine found it, or the client's latest request did
        (a moment sooner: the access check goes out while the engine reads the cache)."""
        engine = self.app.backend.engine
        if engine is not None and engine.offline and not engine.forced_offline:
            return True
        client = self.app.backend.client
        return client is not None and client.unreached is not None

    def slow_for(self) -> float | None:
        """Seconds Trello has kept a request unanswered, once that is ``slow_s`` or more."""
        client = self.app.backend.client
        waited = client.unanswered_s() if client is not None else 0.0
        return waited if waited >= self.slow_s else None

    def watch(self) -> None:
        """(Every quarter second.) The status is said again as soon as Trello turns slow or
        unreachable, or comes back, not at the next once-a-second refresh; a request on its
        way to the slow deadline gets a look at that very moment."""
        client = self.app.backend.client
        waited = client.unanswered_s() if client is not None else 0.0
        if 0.0 < self.slow_s - waited < 0.25 and self._soon is None:
            self._soon = self.app.set_timer(self.slow_s - waited + 0.005, self._look)
        reach = (waited >= self.slow_s, self.unreachable())
        if reach != self._reach:
            self._reach = reach
            self.app.refresh_status()

    def _look(self) -> None:
        self._soon = None
        self.watch()

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

    # -- the opening screen: a board with nothing cached -------------------------------------

    def opening(self, key: str) -> OpeningScreen:
        """The opening screen for ``key`` (shown now if it is not already)."""
        from trello_tui.ui.screens.opening import OpeningScreen

        for screen in self.app.screen_stack:
            if isinstance(screen, OpeningScreen):
                screen.key = key
                return screen
        screen = OpeningScreen(key)
        self.app.push_screen(screen)
        return screen

    def not_opened(self, key: str, error: BaseException | None) -> None:
        """``key`` could not be opened (``error``; None: offline by choice, not cached).

        Over a board already shown, that board stays and a notification says why; with
        nothing shown, the opening screen says it, with what the user can do."""
        self.stop()
        if error is None:
            title = f"Offline: {key} is not in the cache"
            detail = "Started with --offline, so Trello is not asked. Start without it to load it."
        else:
            title = unreached(error)
            detail = (
                f"Nothing of {key} is cached yet, so there is nothing to show until Trello answers."
            )
        if self.app._board_screen() is not None:
            self.app.notify(
                f"{title}: couldn't open {key}", severity="warning", timeout=8, markup=False
            )
            return
        self.failure = (title, detail)
        self.opening(key)
        self.tell_opening()

    def no_such_board(self, key: str) -> None:
        """None of the user's boards has ``key`` as its name, short link or id: said at once
        (the board stays if one is shown), not after the first load's deadline."""
        self.stop()
        title = f"No board named {key!r}"
        detail = (
            "None of your boards has that name, short link or id (a part of a name matches "
            "too, in any case). b lists your boards; r asks Trello again."
        )
        if self.app._board_screen() is not None:
            self.app.notify(f"{title}. {detail}", severity="warning", timeout=8, markup=False)
            return
        self.failure = (title, detail)
        self.opening(key)
        self.tell_opening()

    def tell_opening(self) -> None:
        """The opening screen (if one is up) says where the opening is."""
        from trello_tui.ui.screens.opening import OpeningScreen

        screen = next((s for s in self.app.screen_stack if isinstance(s, OpeningScreen)), None)
        if screen is not None:
            screen.tell(*self._opening_texts(screen.key))

    def _opening_texts(self, key: str) -> tuple[str, str, bool]:
        if self.failure is not None:
            return (*self.failure, True)
        nothing = f"Nothing of {key} is cached yet, so it shows once Trello answers."
        if self.unreachable():
            client = self.app.backend.client
            error = client.unreached if client is not None else None
            title = unreached(error) if error is not None else "Can't reach Trello (offline)"
            return title, f"{nothing} Retrying meanwhile.", True
        slow = self.slow_for()
        if slow is not None:
            return f"Trello is slow ({int(slow)} s)", f"No answer yet. {nothing}", True
        if self.late is not None:
            return self.late, nothing, True
        return f"Opening {key}…", ASKING, False
