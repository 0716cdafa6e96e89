"""BoardPicker (``b``): boards grouped by workspace, starred then recent first, type to filter.

The listing comes from the backend in a worker (cache first, then Trello), so the picker
opens at once and fills in; it is a Picker, so typing narrows it and enter opens a board.

The cached boards are listed at once, before Trello is asked. When Trello can't be reached
the picker says so in a line under its title ("Can't reach Trello (connection refused)"),
with what the user can do (ctrl+r asks again: ``r`` is a letter of the filter here; the
cached boards stay listed; ``trello-tui doctor``); when Trello is slow it says "Trello is
slow (N s)" while it waits. The line is plain text: a server's message is shown as it is.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import ClassVar

from textual import work
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from trello_tui.trello.models import Board, Organization
from trello_tui.ui.backend import Backend, BoardList
from trello_tui.ui.first_load import SLOW_S, unreached
from trello_tui.ui.safe import plain
from trello_tui.ui.screens.pickers import Entry, Picker

#: what the user can do in the picker when Trello can't be reached
RETRY = "ctrl+r asks again · `trello-tui doctor` checks the network, the proxy and the credentials"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _recency(board: Board) -> datetime:
    return board.date_last_view or board.date_last_activity or _EPOCH


def board_entries(listing: BoardList, current: str | None = None) -> list[Entry]:
    """Starred boards first (their own group), then each workspace's boards, recent first."""
    open_boards = [b for b in listing.boards if not b.closed]
    entries: list[Entry] = []

    def add_group(title: str, boards: list[Board]) -> None:
        if not boards:
            return
        entries.append(Entry(title, None))
        for board in sorted(boards, key=_recency, reverse=True):
            mark = "★ " if board.starred else "  "
            here = "  (open)" if board.id == current else ""
            org = listing.organizations.get(board.id_organization or "")
            search = f"{board.name} {org.display_name if org else ''}"
            entries.append(Entry(f"{mark}{board.name}{here}", board.id, search))

    add_group("Starred", [b for b in open_boards if b.starred])
    groups: dict[str, list[Board]] = {}
    for board in open_boards:
        if not board.starred:
            groups.setdefault(board.id_organization or "", []).append(board)

    def org_name(org_id: str) -> str:
        org: Organization | None = listing.organizations.get(org_id)
        return org.display_name if org else "Personal boards"

    for org_id in sorted(groups, key=lambda o: (o == "", org_name(o).lower())):
        add_group(org_name(org_id), groups[org_id])
    return entries


class BoardPicker(Picker):
    """Switch board."""

    DEFAULT_CSS = """
    BoardPicker #boards-note { color: $warning; padding: 0 0 1 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "retry", "ask Trello again", id="boards.retry"),
    ]

    def __init__(self, backend: Backend, current: str | None = None) -> None:
        super().__init__("Boards", [Entry("loading…", None)], "type a board or workspace name")
        self.backend = backend
        self.current = current
        #: what the picker says about Trello ("" when nothing is wrong)
        self.note = ""
        self._cached = 0

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def action_retry(self) -> None:
        self.say("Asking Trello again…")
        self.load()

    def say(self, note: str) -> None:
        """Tell ``note`` (plain text) under the title; "" takes the line away."""
        if note == self.note:
            return
        self.note = note
        shown = self.query("#boards-note")
        if shown:
            widget = shown.first(Static)
            widget.update(plain(note))
            widget.display = bool(note)
        elif note:
            box = self.query_one(".picker", Vertical)
            box.mount(Static(plain(note), id="boards-note"), after=".picker-title")

    def _show(self, listing: BoardList) -> None:
        self.entries = board_entries(listing, self.current)
        self._fill(self.query_one("#picker-input", Input).value)

    @work(exclusive=True, group="boards", exit_on_error=False)
    async def load(self) -> None:
        await self._show_cached()
        asking = asyncio.ensure_future(self.backend.boards())
        slow_s = getattr(getattr(self.app, "first_load", None), "slow_s", SLOW_S)
        try:
            while not asking.done():
                await asyncio.wait({asking}, timeout=self._next_look(slow_s))
                self._tell_slow(slow_s)
            listing = asking.result()
        except Exception as exc:  # offline with nothing cached
            self.notify(f"Couldn't list boards: {exc}", severity="error", markup=False)
            have = "Showing the cached boards." if self._cached else "No boards are cached yet."
            self.say(f"{unreached(exc)}. {have} {RETRY}")
            return
        finally:
            asking.cancel()
        # Offline or silent with boards cached, the backend answers with the cached listing.
        client = self.backend.client
        if client is not None and client.unreached is not None:
            self.say(f"{unreached(client.unreached)}. Showing the cached boards. {RETRY}")
        elif client is not None and client.unanswered_s() >= slow_s:
            self.say(f"Trello did not answer: showing the cached boards. {RETRY}")
        else:
            self.say("")
        self._show(listing)

    async def _show_cached(self) -> None:
        """The cached listing at once (Trello's replaces it when it answers)."""
        cache = self.backend.cache
        if cache is None:
            return
        try:
            boards = await asyncio.to_thread(cache.my_boards)
            orgs = {o.id: o for o in await asyncio.to_thread(cache.organizations)}
        except Exception:  # an unreadable cache: Trello's listing still comes
            return
        self._cached = sum(1 for b in boards if not b.closed)
        if boards:
            self._show(BoardList(boards, orgs))

    def _waited(self) -> float:
        client = self.backend.client
        return client.unanswered_s() if client is not None else 0.0

    def _next_look(self, slow_s: float) -> float:
        """A quarter second, or less to look right at the slow deadline."""
        left = slow_s - self._waited()
        return left + 0.005 if 0.0 < left < 0.25 else 0.25

    def _tell_slow(self, slow_s: float) -> None:
        waited = self._waited()
        if waited >= slow_s:
            have = "showing the cached boards" if self._cached else "no boards are cached yet"
            self.say(f"Trello is slow ({int(waited)} s): {have}; still waiting. {RETRY}")
