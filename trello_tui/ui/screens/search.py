"""SearchScreen (``/``): find cards on this board at once, then across boards via Trello.

Typing shows matches from the open board (the cache's copy in memory) immediately; enter
also asks Trello's ``/1/search`` in a worker and appends cards from other boards. Picking a
result closes the screen with ``(board id, card id)``; the app opens that board if needed
and focuses the card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from trello_tui.sync.state import BoardState
from trello_tui.trello.models import Card
from trello_tui.ui.safe import styled
from trello_tui.ui.screens.modal import Modal

if TYPE_CHECKING:
    from trello_tui.ui.backend import Backend

Result = tuple[str, str]
LIMIT = 50


def local_matches(state: BoardState, text: str, limit: int = LIMIT) -> list[Card]:
    """Open cards of the board whose name or description holds every word."""
    words = text.lower().split()
    if not words:
        return []
    found: list[Card] = []
    for trello_list in state.open_lists():
        for card_id in state.card_ids_in(trello_list.id):
            card = state.cards[card_id]
            haystack = f"{card.name}\n{card.desc}".lower()
            if all(word in haystack for word in words):
                found.append(card)
                if len(found) >= limit:
                    return found
    return found


def _shown(card: Card, where: str) -> Content:
    """A result: the card's name, then (dim) its list or board; both as they are."""
    return styled(card.name, "  ", (where, "dim"))


class SearchScreen(Modal[Result | None]):
    """Search cards: this board first, then every board (enter)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel", id="search.cancel"),
        Binding("down", "cursor(1)", show=False, id="search.down"),
        Binding("up", "cursor(-1)", show=False, id="search.up"),
    ]

    def __init__(self, state: BoardState, backend: Backend) -> None:
        super().__init__()
        self.state = state
        self.backend = backend
        self.remote: list[tuple[Card, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Static("Search cards  (enter: every board, via Trello)", classes="picker-title")
            yield Input(placeholder="words", id="search-input")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = not self.app.is_headless

    def _show(self, text: str) -> None:
        options: list[Option] = []
        lists = self.state.lists
        seen: set[str] = set()
        for card in local_matches(self.state, text):
            where = lists[card.id_list].name if card.id_list in lists else ""
            options.append(Option(_shown(card, where), id=f"{card.id_board}:{card.id}"))
            seen.add(card.id)
        for card, board_name in self.remote:
            if card.id not in seen:
                options.append(Option(_shown(card, board_name), id=f"{card.id_board}:{card.id}"))
        results = self.query_one(OptionList)
        results.clear_options()
        results.add_options(options)
        results.highlighted = 0 if options else None

    @on(Input.Changed)
    def changed(self, event: Input.Changed) -> None:
        self.remote = []
        self._show(event.value)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        results = self.query_one(OptionList)
        if self.remote or not self.backend.online:
            if results.highlighted is not None:
                self._pick(results.get_option_at_index(results.highlighted).id)
            return
        self.search_trello(event.value)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def search_trello(self, text: str) -> None:
        if not text.strip():
            return
        try:
            found = await self.backend.search(text)
        except Exception as exc:  # offline: the board's own matches are still shown
            self.notify(f"Couldn't search Trello: {exc}", severity="warning", markup=False)
            return
        self.remote = found
        self._show(text)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option.id)

    def _pick(self, option_id: str | None) -> None:
        if option_id is not None:
            board_id, _, card_id = option_id.partition(":")
            self.dismiss((board_id, card_id))

    def action_cursor(self, delta: int) -> None:
        results = self.query_one(OptionList)
        if delta > 0:
            results.action_cursor_down()
        else:
            results.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
