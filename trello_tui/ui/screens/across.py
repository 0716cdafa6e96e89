"""CardsAcross: the base of the screens that show cards from every cached board.

The agenda and "my cards" read the SQLite cache first (on a thread, through the Backend), so
they paint at once and work offline; a worker then reloads each cached board from Trello in
the background and repaints. A board with a running engine (the open board, or one a write
from here started) is shown from the engine's live state, pending writes included.

Writes take the board's own path: the Backend hands out the engine of the card's board
(``engine_for``: the open one, or a side engine on the same queue, cache and outbox), and the
operation is submitted there — applied at once, stored in the outbox, sent, confirmed or
rolled back. Changes come back as ``BoardChange`` events through the app to ``apply_change``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from trello_tui.capture import dates
from trello_tui.sync import ops
from trello_tui.sync.ops import Op
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello.models import Board, Card
from trello_tui.ui.commands import BY_ID, bindings
from trello_tui.ui.moves import plan_move
from trello_tui.ui.widgets.card_face import FaceContext
from trello_tui.ui.widgets.card_rows import CardRows, Row

if TYPE_CHECKING:
    from trello_tui.sync.engine import SyncEngine
    from trello_tui.ui.app import TrelloApp

#: The board's keys that mean the same here (same ids, so a ``[keymap]`` entry moves both).
CARD_KEYS = (
    "focus.up",
    "focus.down",
    "focus.top",
    "focus.bottom",
    "focus.page-up",
    "focus.page-down",
    "card.open",
    "card.due",
    "card.complete",
    "card.move-left",
    "card.move-right",
    "card.assign-me",
    "card.title",
    "card.archive",
    "undo",
    "refresh",
    "help",
    "screen.back",
)

Build = Callable[[BoardState, Card], list[Op]]
#: the cached boards are reloaded when the screen opens if they were not in the last minute
REFRESH_AFTER_S = 60.0


def due_ops(text: str, now: datetime, board_id: str, card_id: str) -> list[Op] | str:
    """The board's due prompt, read the same way: a date, ``done`` or ``none``; or an error."""
    word = text.strip().lower()
    if word in ("", "none", "clear"):
        return [ops.SetDue(board_id, card_id=card_id, due=None)]
    if word in ("done", "complete"):
        return [ops.SetDue(board_id, card_id=card_id, due_complete=True)]
    parsed = dates.parse_date(text, now)
    if isinstance(parsed, dates.DateError):
        return str(parsed)
    return [ops.SetDue(board_id, card_id=card_id, due=parsed)]


def move_ops(state: BoardState, card: Card, delta: int) -> list[Op]:
    """Move to the adjacent open list, keeping the card's row as the board's ``<``/``>`` do."""
    lists = [lst.id for lst in state.open_lists()]
    if card.id_list not in lists:
        return []
    target = lists.index(card.id_list) + delta
    if not 0 <= target < len(lists):
        return []
    plan = plan_move(state, card.id, lists[target], state.index_of(card.id) or 0)
    if plan is None:
        return []
    moves: list[Op] = [
        ops.MoveCard(state.id, card_id=cid, list_id=card.id_list, pos=pos)
        for cid, pos in plan.respace
    ]
    moves.append(ops.MoveCard(state.id, card_id=card.id, list_id=plan.list_id, pos=plan.pos))
    return moves


class CardsAcross(Screen[tuple[str, str] | None]):
    """Cards from every cached board in one list; dismissed with (board id, card id) to open."""

    BINDINGS: ClassVar[list[BindingType]] = list(
        bindings(BY_ID[command_id] for command_id in CARD_KEYS)
    )
    #: the screen's title, and what the list says when it is empty
    heading = ""
    empty = "Nothing here."
    show_where = True

    def __init__(self) -> None:
        super().__init__()
        self.sources: dict[str, BoardState] = {}
        self.rows_view = CardRows(show_where=self.show_where, empty=self.empty, id="rows")
        self.info = Static("", id="across-info")
        self.refreshing = ""
        self._last_engine: SyncEngine | None = None

    @property
    def tapp(self) -> TrelloApp:
        from trello_tui.ui.app import TrelloApp

        assert isinstance(self.app, TrelloApp)
        return self.app

    def compose(self) -> ComposeResult:
        yield self.info
        yield self.rows_view
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.heading
        # Opening the screen again soon after does not reload every board again (``r`` does).
        last = self.tapp.backend.boards_refreshed_at
        self.load(refresh=last is None or time.monotonic() - last > REFRESH_AFTER_S)

    # -- what a subclass decides ------------------------------------------------------------

    async def fetch(self) -> list[Board]:
        raise NotImplementedError

    def keep(self, state: BoardState, card: Card) -> bool:
        raise NotImplementedError

    def build_rows(self, rows: list[Row]) -> list[Row]:
        """Headings and order for the card rows (one per kept card)."""
        raise NotImplementedError

    def repaint(self) -> None:
        """Rebuild the rows from the sources (subclasses also repaint their other views)."""
        self.rows_view.set_rows(self.build_rows(self.card_rows()))
        self.show_info()

    # -- data -------------------------------------------------------------------------------

    def context(self, state: BoardState) -> FaceContext:
        pending: frozenset[str] = frozenset()
        engine = self.tapp.backend.live_engine(state.id)
        if engine is not None:
            pending = frozenset(i for op in engine.pending_ops() for i in op.ids())
        return FaceContext(state.labels, state.members, {}, self.tapp.clock(), pending)

    def card_rows(self) -> list[Row]:
        rows: list[Row] = []
        for state in self.sources.values():
            ctx = self.context(state)
            for card in state.cards.values():
                if card.closed or not self.keep(state, card):
                    continue
                trello_list = state.lists.get(card.id_list)
                if trello_list is None or trello_list.closed:
                    continue
                where = f"{state.board.name} › {trello_list.name}"
                rows.append(Row(card.name, card, state.id, where, ctx))
        return rows

    def adopt(self, boards: Iterable[Board]) -> None:
        """Cached boards, replaced by the live state of those that have an engine."""
        sources: dict[str, BoardState] = {}
        for board in boards:
            sources[board.id] = BoardState(board)
        for engine in self.tapp.backend.engines():
            if engine.state is not None:
                sources[engine.board_id] = engine.state
        self.sources = dict(sorted(sources.items(), key=lambda kv: kv[1].board.name.lower()))

    def show_info(self) -> None:
        count = sum(1 for row in self.rows_view.rows if row.card is not None)
        extra = f"  ·  {self.refreshing}" if self.refreshing else ""
        # Spaces end a piece rather than start one (SVG renderers drop leading spaces).
        self.info.update(Text.assemble((f"{self.heading}  ", "bold"), f"{count} cards{extra}"))

    @work(exclusive=True, group="across-load", exit_on_error=False)
    async def load(self, refresh: bool = False) -> None:
        self.adopt(await self.fetch())
        self.repaint()
        if refresh and self.tapp.backend.online:
            await self.refresh_boards()

    async def refresh_boards(self) -> None:
        """Reload every cached board from Trello (the open one is live already), then repaint."""
        backend = self.tapp.backend
        board_ids = [
            b for b in await backend.loaded_boards() if b != getattr(backend.engine, "board_id", "")
        ]
        failed = 0
        for done, board_id in enumerate(board_ids, 1):
            self.refreshing = f"refreshing {done}/{len(board_ids)} boards…"
            self.show_info()
            try:
                await backend.refresh_board(board_id)
            except Exception:  # offline or gone: the cached copy stays on screen
                failed += 1
        self.refreshing = f"{failed} boards not refreshed (offline?)" if failed else ""
        backend.boards_refreshed_at = time.monotonic()
        self.adopt(await self.fetch())
        self.repaint()

    def apply_change(self, change: BoardChange) -> None:
        """An engine changed a board: show that board from its live state."""
        engine = self.tapp.backend.live_engine(change.board_id)
        if engine is None or engine.state is None or not self.is_mounted:
            return
        self.sources[change.board_id] = engine.state
        self.repaint()

    # -- writes -----------------------------------------------------------------------------

    def write(self, build: Build) -> None:
        row = self.rows_view.current
        if row is not None and row.card is not None:
            self._write(row.board_id, row.card.id, build)

    def _write(self, board_id: str, card_id: str, build: Build) -> None:
        # The app's worker, not the screen's: leaving the screen at once must not drop it.
        self.app.run_worker(
            self._write_now(board_id, card_id, build), group="across-write", exit_on_error=False
        )

    async def _write_now(self, board_id: str, card_id: str, build: Build) -> None:
        backend = self.tapp.backend
        if backend.read_only:
            self.app.notify(backend.read_only, title="Read-only", severity="warning", markup=False)
            return
        if not backend.online:
            self.app.notify("Read-only: offline (showing the cache)", severity="warning")
            return
        try:
            engine = await backend.engine_for(board_id, self.tapp.engine_listener)
        except Exception as exc:  # no network, bad credentials: nothing was changed
            self.app.notify(f"Couldn't reach Trello: {exc}", severity="warning", markup=False)
            return
        state = engine.state
        card = state.cards.get(card_id) if state is not None else None
        if state is None or card is None:
            self.app.notify("That card is gone from its board", severity="warning")
            return
        for op in build(state, card):
            engine.submit(op)
        self._last_engine = engine

    # -- keys -------------------------------------------------------------------------------

    def action_focus_up(self) -> None:
        self.rows_view.step(-1)

    def action_focus_down(self) -> None:
        self.rows_view.step(1)

    def action_focus_top(self) -> None:
        cards = self.rows_view.card_rows
        if cards:
            self.rows_view.move_cursor(cards[0])

    def action_focus_bottom(self) -> None:
        cards = self.rows_view.card_rows
        if cards:
            self.rows_view.move_cursor(cards[-1])

    def action_focus_page(self, direction: int) -> None:
        self.rows_view.page(direction)

    def action_open_card(self) -> None:
        row = self.rows_view.current
        if row is not None and row.card is not None:
            self.dismiss((row.board_id, row.card.id))

    @on(CardRows.Chosen)
    def chosen(self, event: CardRows.Chosen) -> None:
        if event.row.card is not None:
            self.dismiss((event.row.board_id, event.row.card.id))

    def action_back(self) -> None:
        self.dismiss(None)

    def action_toggle_complete(self) -> None:
        def build(state: BoardState, card: Card) -> list[Op]:
            if card.due is None:
                return []
            return [ops.SetDue(state.id, card_id=card.id, due_complete=not card.due_complete)]

        self.write(build)

    def action_due(self) -> None:
        from trello_tui.ui.screens.pickers import TextPrompt

        row = self.rows_view.current
        if row is None or row.card is None:
            return
        now = self.tapp.clock()
        board_id, card_id = row.board_id, row.card.id

        def done(text: str | None) -> None:
            if text is None:
                return
            found = due_ops(text, now, board_id, card_id)
            if isinstance(found, str):
                self.notify(found, severity="error", markup=False)
                return
            self._write(board_id, card_id, lambda state, card: found)

        self.app.push_screen(
            TextPrompt("Due date", placeholder="fri 5pm · tomorrow · 2026-12-01 · done · none"),
            done,
        )

    def action_move_list(self, delta: int) -> None:
        self.write(lambda state, card: move_ops(state, card, delta))

    def action_assign_me(self) -> None:
        me = self.tapp.me

        def build(state: BoardState, card: Card) -> list[Op]:
            member = state.member_by_username(me) if me else None
            if member is None:
                self.notify("You are not a member of that board")
                return []
            kind = ops.RemoveMember if member.id in card.id_members else ops.AddMember
            return [kind(state.id, card_id=card.id, target=member.id)]

        self.write(build)

    def action_title(self) -> None:
        from trello_tui.ui.screens.pickers import TextPrompt

        row = self.rows_view.current
        if row is None or row.card is None:
            return
        board_id, card_id = row.board_id, row.card.id

        def rename(name: str) -> Build:
            def build(state: BoardState, card: Card) -> list[Op]:
                if name == card.name:
                    return []
                return [ops.RenameCard(state.id, card_id=card.id, name=name)]

            return build

        def done(name: str | None) -> None:
            if name and name.strip():
                self._write(board_id, card_id, rename(name.strip()))

        self.app.push_screen(TextPrompt("Card title", row.card.name), done)

    def action_archive(self) -> None:
        row = self.rows_view.current
        if row is not None and row.card is not None:
            self.write(lambda state, card: [ops.ArchiveCard(state.id, card_id=card.id)])
            self.notify(f"Archived '{row.card.name}' — z to undo", markup=False)

    def action_help(self) -> None:
        from trello_tui.ui.screens.help import HelpScreen

        keys = {binding.id for binding in self.BINDINGS if isinstance(binding, Binding)}
        commands = [command for command in BY_ID.values() if command.id in keys]
        self.app.push_screen(HelpScreen(self.tapp.user_keymap, commands))

    def action_undo(self) -> None:
        engine = self._last_engine or self.tapp.backend.engine
        if engine is None or not engine.undo():
            self.notify("Nothing to undo")

    def action_refresh_board(self) -> None:
        self.load(refresh=True)
