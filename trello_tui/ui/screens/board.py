"""BoardScreen: the board as columns of cards, driven by Trello's keys.

Every binding comes from ui.commands. Keys become operations handed to the session (the sync
engine behind it applies them at once and sends them in the background); the screen only
repaints what the resulting BoardChange names. Nothing here awaits the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Footer

from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.ui import heap, warm
from trello_tui.ui.commands import BoardCommands, bindings
from trello_tui.ui.filters import CardQuery, compile_query
from trello_tui.ui.moves import plan_move, real_index
from trello_tui.ui.screens.board_bulk import BulkActions
from trello_tui.ui.widgets.board_view import BoardView
from trello_tui.ui.widgets.card_face import FaceContext
from trello_tui.ui.widgets.column import CardColumn
from trello_tui.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from trello_tui.ui.app import TrelloApp


class BoardScreen(BulkActions, Screen[None]):
    """One board."""

    BINDINGS: ClassVar[list[BindingType]] = list(bindings())
    COMMANDS = Screen.COMMANDS | {BoardCommands}
    #: on_mount focuses the card asked for; Textual's auto focus (the first column) raced it
    AUTO_FOCUS = ""

    def __init__(self, state: BoardState, focus: str | None = None) -> None:
        super().__init__()
        self.state = state
        self.initial_focus = focus
        self._view = BoardView(state, self.face_context, id="board")
        self._status = StatusLine(id="status")
        self.query_: CardQuery = CardQuery()
        self.card_marks: set[str] = set()  # bulk actions (board_bulk.py); columns paint them

    @property
    def tapp(self) -> TrelloApp:
        from trello_tui.ui.app import TrelloApp

        assert isinstance(self.app, TrelloApp)
        return self.app

    #: unmounted: a late ``hold_heap`` must not freeze the heap for a screen that is gone
    _left = False

    def on_screen_resume(self) -> None:
        self.tapp.board_resumed()

    def compose(self) -> ComposeResult:
        yield self._view
        yield self._status
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.state.board.name
        if self.initial_focus is None or not self.view.focus_card(self.initial_focus):
            self.view.focus_column(0, 0)
        self.status.board_name = self.state.board.name
        self.status.sync_text, self.status.sync_level = self.tapp.sync_text()
        # Once painted, the board is long-lived: out of the full collections' walk (heap.py).
        self.call_after_refresh(self.hold_heap)

    def hold_heap(self) -> None:
        if not self._left:  # gone before its first paint (a quick switch): nothing to hold
            heap.hold(self)
            warm.warm_up()  # what the keys open, imported off the loop (warm.py)

    def on_unmount(self) -> None:
        self._left = True
        heap.let_go(self)

    def face_context(self) -> FaceContext:
        return FaceContext(
            labels=self.state.labels,
            members=self.state.members,
            checklists=self.state.checklists,
            now=self.tapp.clock(),
            pending=self.tapp.pending_cards(),
        )

    @property
    def view(self) -> BoardView:
        return self._view

    @property
    def status(self) -> StatusLine:
        # Built with the screen, so it can be read (and set) before the screen is composed.
        return self._status

    async def apply_change(self, change: BoardChange) -> None:
        # A change can arrive while the screen is being taken down (a switch, a quit).
        if change.board_id == self.state.id and self.is_mounted and self.view.is_attached:
            await self.view.apply_change(change)
            self.prune_marks()

    # -- focus ------------------------------------------------------------------------------

    def action_focus_left(self) -> None:
        self.view.step_column(-1)

    def action_focus_right(self) -> None:
        self.view.step_column(1)

    def _step_row(self, delta: int) -> None:
        column = self.view.current
        if column is not None:
            column.move_cursor(column.cursor + delta)

    def action_focus_up(self) -> None:
        self._step_row(-1)

    def action_focus_down(self) -> None:
        self._step_row(1)

    def action_focus_top(self) -> None:
        if (column := self.view.current) is not None:
            column.move_cursor(0)

    def action_focus_bottom(self) -> None:
        if (column := self.view.current) is not None:
            column.move_cursor(len(column.ids) - 1)

    def action_focus_page(self, direction: int) -> None:
        column = self.view.current
        if column is None or not column.ids:
            return
        top, _ = column.card_region(column.cursor)
        target = top + direction * max(1, column.scrollable_content_region.height - 2)
        column.move_cursor(column.index_at(max(0, target)))

    # -- moves ------------------------------------------------------------------------------

    def _move_to(self, card_id: str, list_id: str, row: int) -> None:
        """Move to visible ``row`` of ``list_id``'s column (clamped), through the session."""
        column = self.view.column_for(list_id)
        visible = column.ids if column is not None else self.state.card_ids_in(list_id)
        index = real_index(self.state, card_id, list_id, visible, row)
        plan = plan_move(self.state, card_id, list_id, index)
        if plan is not None:
            self.tapp.submit_move(plan)
        self.call_after_refresh(self.view.focus_card, card_id)

    def action_move_list(self, delta: int) -> None:
        if self.bulk_move_list(delta):
            return
        column = self.view.current
        card_id = column.cursor_id if column else None
        if column is None or card_id is None:
            return
        columns = self.view.columns
        target = columns.index(column) + delta
        if 0 <= target < len(columns):
            self._move_to(card_id, columns[target].list_id, column.cursor)

    def action_move_within(self, delta: int) -> None:
        column = self.view.current
        if column is None or column.cursor_id is None:
            return
        row = column.cursor + delta
        if 0 <= row < len(column.ids):
            self._move_to(column.cursor_id, column.list_id, row)

    def action_move_end(self, where: str) -> None:
        column = self.view.current
        if column is None or column.cursor_id is None:
            return
        self._move_to(column.cursor_id, column.list_id, 0 if where == "top" else len(column.ids))

    def action_move_to(self) -> None:
        if self.bulk_move_to():
            return
        card_id = self.view.focused_card_id
        if card_id is None:
            return
        from trello_tui.ui.screens.pickers import MoveTargetPicker, split_target

        picker = MoveTargetPicker(self.state, self.state.cards[card_id].id_list, self.tapp.backend)

        def chosen(value: str | None) -> None:
            if value is None:
                return
            board_id, list_id = split_target(value)
            if board_id is None or board_id == self.state.id:
                self._move_to(card_id, list_id, 0)
            else:
                self._move_to_board(card_id, board_id, list_id, picker.board_names[board_id])

        self.app.push_screen(picker, chosen)

    def _move_to_board(self, card_id: str, board_id: str, list_id: str, board_name: str) -> None:
        """One write: the card leaves this board at once, at the bottom of the target list."""
        from trello_tui.sync.ops import MoveCardToBoard

        name = self.state.cards[card_id].name
        column = self.view.current
        row = column.cursor if column is not None else 0
        op = MoveCardToBoard(
            self.state.id,
            card_id=card_id,
            to_board_id=board_id,
            list_id=list_id,
            pos="bottom",
            to_board_name=board_name,
        )
        self.tapp.submit(op)
        if card_id not in self.state.cards:  # not refused locally (read-only, cache only)
            self.notify(f"Moved '{name}' to '{board_name}' — z to undo", markup=False)
        if column is not None:  # focus stays on the row the card left
            self.call_after_refresh(column.move_cursor, row)

    @on(CardColumn.CardDropped)
    def dropped(self, event: CardColumn.CardDropped) -> None:
        self._move_to(event.card_id, event.target.list_id, event.index)

    def action_undo(self) -> None:
        self.tapp.undo()

    # -- cards ------------------------------------------------------------------------------

    @on(CardColumn.CardClicked)
    def clicked(self, event: CardColumn.CardClicked) -> None:
        if event.chain >= 2:
            self.open_card(event.card_id)

    def action_open_card(self) -> None:
        if (card_id := self.view.focused_card_id) is not None:
            self.open_card(card_id)

    def action_new_card(self) -> None:
        from trello_tui.ui.screens.capture import open_composer

        open_composer(self)

    def open_card(self, card_id: str) -> None:
        from trello_tui.ui.screens.card import CardScreen

        self.app.push_screen(CardScreen(self.state, card_id))

    def action_toggle_label_color(self, color: str) -> None:
        if self.bulk_label_color(color):
            return
        if (card_id := self.view.focused_card_id) is not None:
            self.tapp.toggle_label_color(card_id, color)

    def action_archive(self) -> None:
        if self.bulk_archive():
            return
        if (card_id := self.view.focused_card_id) is not None:
            self.tapp.archive(card_id)

    def action_assign_me(self) -> None:
        if self.bulk_assign_me():
            return
        if (card_id := self.view.focused_card_id) is not None:
            self.tapp.toggle_me(card_id)

    def action_copy_url(self) -> None:
        card_id = self.view.focused_card_id
        if card_id is not None:
            card = self.state.cards[card_id]
            self.app.copy_to_clipboard(card.url or card.short_url)
            self.notify("Card URL copied")

    def action_open_browser(self) -> None:
        card_id = self.view.focused_card_id
        if card_id is not None:
            card = self.state.cards[card_id]
            self.app.open_url(card.url or card.short_url)

    # -- finding ----------------------------------------------------------------------------

    def set_query(self, query: CardQuery) -> None:
        self.query_ = query
        predicate = compile_query(query, self.state, self.tapp.me, self.tapp.clock())
        focused = self.view.focused_card_id
        self.view.set_filter(predicate)
        self.status.filter_text = query.describe()
        if focused is not None and not self.view.focus_card(focused):
            self.view.focus_column(0, 0)

    def action_filter(self) -> None:
        from trello_tui.ui.screens.pickers import FilterPrompt

        def chosen(query: CardQuery | None) -> None:
            if query is not None:
                self.set_query(query)

        self.app.push_screen(FilterPrompt(self.query_.describe()), chosen)

    def action_search(self) -> None:
        from trello_tui.ui.screens.search import SearchScreen

        def chosen(found: tuple[str, str] | None) -> None:
            if found is not None:
                self.tapp.go_to_card(*found)

        self.app.push_screen(SearchScreen(self.state, self.tapp.backend), chosen)

    def action_filter_mine(self) -> None:
        self.set_query(self.query_.with_mine(not self.query_.mine))

    def action_clear_filters(self) -> None:
        self.set_query(CardQuery())

    def action_jump_to_card(self) -> None:
        from textual.command import CommandPalette

        from trello_tui.ui.safe import literal_commands

        cards = [
            (card.name, lambda cid=card.id: self.view.focus_card(cid))
            for card in (
                self.state.cards[c]
                for lst in self.state.open_lists()
                for c in self.state.card_ids_in(lst.id)
            )
        ]
        # Not App.search_commands: it reads every name as markup.
        palette = CommandPalette([literal_commands(cards)], placeholder="Jump to card…")
        self.app.push_screen(palette)

    def action_boards(self) -> None:
        self.tapp.show_board_picker()

    def action_agenda(self) -> None:
        self.tapp.show_across("agenda")

    def action_my_cards(self) -> None:
        self.tapp.show_across("mine")

    def action_refresh_board(self) -> None:
        self.tapp.refresh_board()

    def action_help(self) -> None:
        from trello_tui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_toggle_compact(self) -> None:
        self.app.toggle_class("-compact")
        for column in self.view.columns:
            column.invalidate_all()
