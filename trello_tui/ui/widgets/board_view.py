"""BoardView: the board's lists as columns side by side, scrolling sideways when they overflow.

Only lists are widgets (a header and a CardColumn each); cards are painted by the columns.
The view keeps the focus model (which column, which row) and repaints what a BoardChange
names: a list's column reloads its order, a card's face is re-laid out, a structural change
rebuilds the columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import HorizontalScroll, Vertical
from textual.content import Content
from textual.dom import NoScreen
from textual.widgets import Static

from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.ui.safe import styled
from trello_tui.ui.widgets.card_face import FaceContext
from trello_tui.ui.widgets.column import CardColumn, CardFilter


class ListHeader(Static):
    """A list's name and its card count (``shown/total`` while filtered)."""

    def __init__(self, text: Content, *, classes: str | None = None) -> None:
        super().__init__(text, classes=classes)
        #: the text shown (so an unchanged count costs no update)
        self.shown = text.plain


class ListBox(Vertical):
    """One list: header above its virtualised column."""


class Columns(HorizontalScroll, can_focus=False, inherit_bindings=False):
    """The sideways-scrolling strip of lists (focus lives in the columns; the screen's
    arrow keys move focus, so this container binds none of its own)."""

    BINDINGS: ClassVar[list[BindingType]] = []


class BoardView(Vertical):
    """Every open list of a board, with one focused card."""

    def __init__(
        self,
        state: BoardState,
        context: Callable[[], FaceContext],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.state = state
        self.context = context
        self.card_filter: CardFilter | None = None

    def compose(self) -> ComposeResult:
        with Columns(id="columns"):
            for trello_list in self.state.open_lists():
                with ListBox(classes="list"):
                    yield ListHeader(self._header_text(trello_list.id), classes="list-header")
                    yield CardColumn(
                        self.state,
                        trello_list.id,
                        self.context,
                        card_filter=self.card_filter,
                        id=f"col-{trello_list.id}",
                    )

    # -- lookup -----------------------------------------------------------------------------

    @property
    def columns(self) -> list[CardColumn]:
        return list(self.query(CardColumn))

    def column_for(self, list_id: str) -> CardColumn | None:
        return next((c for c in self.columns if c.list_id == list_id), None)

    @property
    def current(self) -> CardColumn | None:
        try:
            focused = self.screen.focused
        except NoScreen:  # taken down while a change was on its way: nothing is focused
            return None
        if isinstance(focused, CardColumn) and focused in self.columns:
            return focused
        return self._last_focused if self._last_focused in self.columns else None

    _last_focused: CardColumn | None = None
    #: the card ``focus_card`` was last asked for (a card opened from search or the agenda)
    _asked: str | None = None

    @property
    def focused_card_id(self) -> str | None:
        column = self.current
        return column.cursor_id if column else None

    def on_descendant_focus(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, CardColumn):
            self._last_focused = focused
            for column in self.columns:
                column.set_active(column is focused)
            box = focused.parent if isinstance(focused.parent, ListBox) else focused
            self.query_one(Columns).scroll_to_widget(box, animate=False)

    def _header_text(self, list_id: str) -> Content:
        """The list's name as it is, then its count, dim."""
        name = self.state.lists[list_id].name if list_id in self.state.lists else "?"
        total = len(self.state.card_ids_in(list_id))
        column = self.column_for(list_id) if self.is_mounted else None
        if self.card_filter is not None and column is not None:
            return styled(name, "  ", (f"{len(column.ids)}/{total}", "dim"))
        return styled(name, "  ", (f"{total}", "dim"))

    def _same_lists(self) -> bool:
        shown = [column.list_id for column in self.columns]
        return bool(shown) and shown == [x.id for x in self.state.open_lists()]

    def refresh_headers(self) -> None:
        for column in self.columns:
            header = column.parent.query_one(ListHeader) if column.parent else None
            text = self._header_text(column.list_id)
            # An update re-lays out the whole screen: skip the headers whose count is unchanged.
            if header is not None and header.shown != text.plain:
                header.shown = text.plain
                header.update(text)

    # -- focus ------------------------------------------------------------------------------

    def focus_card(self, card_id: str) -> bool:
        self._asked = card_id
        card = self.state.cards.get(card_id)
        column = self.column_for(card.id_list) if card else None
        if column is None or not column.select(card_id):
            return False
        column.focus()
        return True

    def _refocus(self, card_id: str | None) -> None:
        if card_id is None or not self.focus_card(card_id):
            self.focus_column(0, 0)

    def focus_column(self, index: int, row: int | None = None) -> None:
        columns = self.columns
        if not columns:
            return
        index = max(0, min(index, len(columns) - 1))
        target = columns[index]
        if row is not None:
            target.move_cursor(row)
        target.focus()

    def step_column(self, delta: int) -> None:
        columns = self.columns
        current = self.current
        if current is None:
            self.focus_column(0)
            return
        self.focus_column(columns.index(current) + delta, current.cursor)

    # -- changes ----------------------------------------------------------------------------

    def set_filter(self, card_filter: CardFilter | None) -> None:
        self.card_filter = card_filter
        for column in self.columns:
            column.card_filter = card_filter
            column.reload()
        self.refresh_headers()

    async def apply_change(self, change: BoardChange) -> None:
        """Repaint what ``change`` names, and nothing else."""
        if change.structure and self._same_lists():
            # A full reload with the same lists (a refresh): re-read every column in place.
            # Rebuilding the widgets stalls the loop (and the footer's keys are rebuilt too).
            focused = self.focused_card_id or self._asked
            for each in self.columns:
                each.reload()
                each.invalidate_all()
            self.refresh_headers()
            if focused is not None and focused != self.focused_card_id:
                self.call_after_refresh(self._refocus, focused)  # as after a rebuild
            return
        if change.structure:
            # Before the screen's first focus has landed, keep the card it was asked to show.
            focused = self.focused_card_id or self._asked
            await self.recompose()
            self.call_after_refresh(self._refocus, focused)
            return
        columns = {column.list_id: column for column in self.columns}
        for list_id in change.lists:
            column = columns.get(list_id)
            if column is not None:
                column.reload()
        if change.cards:
            for column in columns.values():
                column.invalidate(change.cards)
        if change.lists:
            self.refresh_headers()
