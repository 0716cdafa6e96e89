"""Small modal pickers: type-to-filter lists (lists, labels, members) and the filter prompt.

``MoveTargetPicker`` (the ``M`` key) offers this board's lists first, then every other open
board's lists under its name; a pick on another board comes back as ``"<board id>/<list id>"``.

``Picker`` is one reusable modal: an Input above an OptionList; typing narrows the options
(every word must appear), enter picks the highlighted one, escape cancels. Headings
(disabled options) group entries and stay visible while any of their entries match.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Board, TrelloList
from trello_tui.ui.filters import CardQuery, parse_query
from trello_tui.ui.safe import plain
from trello_tui.ui.screens.modal import Modal

if TYPE_CHECKING:
    from trello_tui.ui.backend import Backend


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """A pickable row (``value`` None makes it a heading); ``text`` is shown as it is."""

    text: str
    value: str | None
    search: str = ""


class Picker(Modal[str | None]):
    """Choose one entry by typing and enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="picker.cancel"),
        Binding("down", "cursor(1)", show=False, id="picker.down"),
        Binding("up", "cursor(-1)", show=False, id="picker.up"),
    ]

    def __init__(
        self, title: str, entries: list[Entry], placeholder: str = "type to filter"
    ) -> None:
        super().__init__()
        self.heading = title
        self.entries = entries
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static(plain(self.heading), classes="picker-title")
            yield Input(placeholder=self.placeholder, id="picker-input")
            yield OptionList(id="picker-options")

    def on_mount(self) -> None:
        # A blinking cursor makes headless renders (screenshots, snapshots) depend on timing.
        self.query_one(Input).cursor_blink = not self.app.is_headless
        self._fill("")

    def _fill(self, text: str) -> None:
        words = text.lower().split()
        options: list[Option] = []
        heading: Entry | None = None
        for entry in self.entries:
            if entry.value is None:
                heading = entry
                continue
            haystack = (entry.search or entry.text).lower()
            if all(word in haystack for word in words):
                if heading is not None:
                    options.append(Option(plain(heading.text, "bold"), disabled=True))
                    heading = None
                options.append(Option(plain(entry.text), id=entry.value))
        option_list = self.query_one(OptionList)
        # A refill (more entries arrived) keeps the highlighted entry where it still shows.
        was = option_list.highlighted
        keep = option_list.get_option_at_index(was).id if was is not None else None
        option_list.clear_options()
        option_list.add_options(options)
        first = next((i for i, o in enumerate(options) if not o.disabled), None)
        again = next((i for i, o in enumerate(options) if keep and o.id == keep), None)
        option_list.highlighted = again if again is not None else first

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def submitted(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self.dismiss(option_list.get_option_at_index(option_list.highlighted).id)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cursor(self, delta: int) -> None:
        option_list = self.query_one(OptionList)
        if delta > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


class ListPicker(Picker):
    """Pick a list of the board (the card's own list is marked)."""

    def __init__(self, state: BoardState, current_list: str) -> None:
        super().__init__("Move to list", board_entries(state, current_list))


def board_entries(state: BoardState, current_list: str) -> list[Entry]:
    """This board's open lists, the card's own marked."""
    return [
        Entry(f"{lst.name}{'  (current)' if lst.id == current_list else ''}", lst.id, lst.name)
        for lst in state.open_lists()
    ]


#: separates the board id from the list id in a move target on another board
TARGET_SEP = "/"


def split_target(value: str) -> tuple[str | None, str]:
    """``(board id or None for this board, list id)`` from a MoveTargetPicker result."""
    board_id, sep, list_id = value.partition(TARGET_SEP)
    return (board_id, list_id) if sep else (None, value)


class MoveTargetPicker(Picker):
    """Pick a list of this board, or of another board (grouped under board headings).

    This board's lists are there at once; the other boards' lists arrive from a worker (the
    cache for boards loaded before, Trello for the others), so opening it never waits.
    """

    def __init__(self, state: BoardState, current_list: str, backend: Backend) -> None:
        own = [Entry(state.board.name or "This board", None), *board_entries(state, current_list)]
        super().__init__("Move to list — other boards loading…", own)
        self.board_state = state
        self.backend = backend
        self._own = own
        #: board id -> name, for every other board offered
        self.board_names: dict[str, str] = {}
        #: every other board has answered (or failed)
        self.loaded = False

    def on_mount(self) -> None:
        super().on_mount()
        self.run_worker(self._load_other_boards(), group="move-targets", exit_on_error=False)

    async def _load_other_boards(self) -> None:
        title = "Move to list"
        try:
            listing = await self.backend.boards()
        except Exception:  # offline without a cached listing: this board's lists only
            listing = None
            title = "Move to list (other boards unavailable offline)"
        others = sorted(
            (
                b
                for b in (listing.boards if listing else [])
                if not b.closed and b.id != self.board_state.id
            ),
            key=lambda b: (b.name.lower(), b.id),
        )
        found: dict[str, list[TrelloList]] = {}
        gate = asyncio.Semaphore(4)  # a few boards at a time: Trello's rate limit is shared

        async def load(board: Board) -> None:
            async with gate:
                try:
                    lists = await self.backend.board_lists(board.id)
                except Exception:  # one unreadable board must not hide the others
                    return
            if lists:
                found[board.id] = lists
                self._show(others, found, title + " — other boards loading…")

        await asyncio.gather(*(load(board) for board in others))
        self._show(others, found, title)
        self.loaded = True

    def _show(self, boards: list[Board], found: dict[str, list[TrelloList]], title: str) -> None:
        """This board's lists, then every other board loaded so far, in a stable order."""
        entries = list(self._own)
        for board in boards:
            lists = found.get(board.id)
            if not lists:
                continue
            self.board_names[board.id] = board.name
            entries.append(Entry(board.name, None))
            entries.extend(
                Entry(lst.name, f"{board.id}{TARGET_SEP}{lst.id}", f"{board.name} {lst.name}")
                for lst in lists
            )
        self.entries = entries
        self.heading = title
        if self.is_mounted:
            self.query_one(".picker-title", Static).update(plain(title))
            self._fill(self.query_one(Input).value)


class FilterPrompt(Modal[CardQuery | None]):
    """One line: words, #label, @member, due:overdue|soon|week|none|complete."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="filter.cancel"),
    ]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static("Filter cards", classes="picker-title")
            yield Input(
                self.current,
                placeholder="words #label @member due:overdue|soon|week|none|complete",
                id="filter-input",
            )

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = not self.app.is_headless

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(parse_query(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(Modal[str | None]):
    """One line of text (a title, a due date, a checklist name); enter accepts."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.heading = title
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static(plain(self.heading), classes="picker-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = not self.app.is_headless

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
