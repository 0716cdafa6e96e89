"""TrelloApp: themes, keymap, the board screen and the pickers, wired to the sync engine.

The app is given everything it talks to (a board source, the engine, a clock), so tests,
screenshots and the demo build it the same way with different parts. It never awaits the
network in a handler: loads run in workers and land as messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from textual.app import App

from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello.models import Action
from trello_tui.ui.commands import unknown_ids
from trello_tui.ui.moves import MovePlan
from trello_tui.ui.screens.board import BoardScreen

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TrelloApp(App[None]):
    """The terminal Trello client."""

    CSS_PATH = "app.tcss"
    TITLE = "trello-tui"

    def __init__(
        self,
        state: BoardState | None = None,
        *,
        clock: Clock = utc_now,
        keymap: Mapping[str, str] | None = None,
        me: str | None = None,
    ) -> None:
        super().__init__()
        self.state = state
        self.clock = clock
        self.me = me
        self.user_keymap = dict(keymap or {})

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
            bad = unknown_ids(self.user_keymap)
            if bad:
                self.notify(
                    f"[keymap] names unknown bindings: {', '.join(bad)}", severity="warning"
                )
        if self.state is not None:
            self.push_screen(BoardScreen(self.state))

    # -- engine facade (the screens call these; the engine does the work) -----------------

    def pending_cards(self) -> frozenset[str]:
        return frozenset()

    def submit_move(self, plan: MovePlan) -> None:
        self.notify("read-only: no sync engine attached", severity="warning")

    def undo(self) -> None:
        self.notify("nothing to undo")

    def toggle_label_color(self, card_id: str, color: str) -> None:
        self.notify("read-only: no sync engine attached", severity="warning")

    def archive(self, card_id: str) -> None:
        self.notify("read-only: no sync engine attached", severity="warning")

    def toggle_me(self, card_id: str) -> None:
        self.notify("read-only: no sync engine attached", severity="warning")

    async def load_comments(self, card_id: str) -> list[Action]:
        return []

    def toggle_check_item(self, card_id: str, checklist_id: str, item_id: str) -> None:
        self.notify("read-only: no sync engine attached", severity="warning")

    def edit_description(self, card_id: str) -> None:
        self.notify("read-only: no sync engine attached", severity="warning")

    def refresh_board(self) -> None:
        pass

    def show_board_picker(self) -> None:
        pass

    async def board_changed(self, change: BoardChange) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                await screen.apply_change(change)
