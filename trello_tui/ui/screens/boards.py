"""BoardPicker (``b``): boards grouped by workspace, starred then recent first, type to filter.

The listing comes from the backend in a worker (cache first, then Trello), so the picker
opens at once and fills in; it is a Picker, so typing narrows it and enter opens a board.
"""

from __future__ import annotations

from datetime import UTC, datetime

from textual import work
from textual.widgets import Input

from trello_tui.trello.models import Board, Organization
from trello_tui.ui.backend import Backend, BoardList
from trello_tui.ui.screens.pickers import Entry, Picker

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

    def __init__(self, backend: Backend, current: str | None = None) -> None:
        super().__init__("Boards", [Entry("loading…", None)], "type a board or workspace name")
        self.backend = backend
        self.current = current

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    @work(exclusive=True, group="boards", exit_on_error=False)
    async def load(self) -> None:
        try:
            listing = await self.backend.boards()
        except Exception as exc:  # offline with nothing cached
            self.notify(f"Couldn't list boards: {exc}", severity="error", markup=False)
            return
        self.entries = board_entries(listing, self.current)
        self._fill(self.query_one("#picker-input", Input).value)
