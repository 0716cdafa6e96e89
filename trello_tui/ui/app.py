"""TrelloApp: themes, keymap, the board screen and the pickers, wired to the sync engine.

The app is given everything it talks to (a Backend over cache, client and engine; a clock),
so tests, screenshots, the benchmark and the demo build it the same way with different
parts. It never awaits the network in a handler: loads run in workers, writes are operations
the engine applies at once, and changes come back as BoardChange events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, InvalidThemeError

from trello_tui.sync import ops
from trello_tui.sync.ops import Op
from trello_tui.sync.state import BoardChange, BoardState
from trello_tui.trello.models import Action, Label
from trello_tui.ui import heap
from trello_tui.ui.backend import Backend
from trello_tui.ui.commands import unknown_ids
from trello_tui.ui.first_load import FIRST_LOAD_S, ID_OR_LINK, SLOW_S, FirstLoad, unreached
from trello_tui.ui.moves import MovePlan
from trello_tui.ui.notifications import AppEvents
from trello_tui.ui.screens.board import BoardScreen
from trello_tui.ui.screens.opening import OpeningScreen
from trello_tui.ui.widgets.palette import color_family
from trello_tui.ui.widgets.status import status_level

if TYPE_CHECKING:
    from trello_tui.config.settings import Trigger

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TrelloApp(App[None]):
    """The terminal Trello client."""

    CSS_PATH = "app.tcss"
    TITLE = "trello-tui"

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        state: BoardState | None = None,
        board_key: str | None = None,
        clock: Clock = utc_now,
        keymap: Mapping[str, str] | None = None,
        me: str | None = None,
        theme: str | None = None,
        compact: bool = False,
        on_painted: Callable[[], None] | None = None,
        on_board_opened: Callable[[str], None] | None = None,
        on_theme_chosen: Callable[[str], None] | None = None,
        triggers: Sequence[Trigger] = (),
        first_load_s: float = FIRST_LOAD_S,
        slow_s: float = SLOW_S,
    ) -> None:
        super().__init__()
        self.backend = backend or Backend(None, None, me=me, poll=False)
        self.state = state
        self.board_key = board_key
        self.clock = clock
        self._me = me
        self.user_keymap = dict(keymap or {})
        self.start_theme = theme
        self.compact = compact
        self.on_painted = on_painted
        self.on_board_opened = on_board_opened
        self.on_theme_chosen = on_theme_chosen
        #: a card to focus once its board is shown (search results on another board)
        self.focus_after_open: str | None = None
        #: a board to show once the prompt open over the current one is closed
        self._board_waiting: BoardState | None = None
        #: notifications of what others do, and the user's [[triggers]]
        self.events = AppEvents(self, triggers, lambda: self.me, lambda: self.clock().timestamp())
        #: the deadline for Trello's first answer when a board is opened, and "slow"/"offline"
        self.first_load = FirstLoad(self, first_load_s, slow_s)

    @property
    def me(self) -> str | None:
        """The signed-in user's username (from the engine's first load when not given)."""
        return self._me or self.backend.me

    def on_mount(self) -> None:
        if self.start_theme:
            try:
                self.theme = self.start_theme
            except InvalidThemeError:
                self.notify(f"Unknown theme {self.start_theme!r}", severity="warning", markup=False)
        self.theme_changed_signal.subscribe(self, self._theme_chosen)
        self.set_class(self.compact, "-compact")
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
            bad = unknown_ids(self.user_keymap)
            if bad:
                self.notify(
                    f"[keymap] names unknown bindings: {', '.join(bad)}",
                    severity="warning",
                    markup=False,
                )
        if self.state is not None:
            self.show_board(self.state)
        elif self.board_key is not None:
            self.open_board(self.board_key)
        else:
            self.show_board_picker()
        self.set_interval(1.0, self.refresh_status)
        self.set_interval(0.25, self.first_load.watch)  # "slow" is said at its deadline
        self.set_interval(60.0, lambda: self.events.check_due(self.backend.engine))

    def _theme_chosen(self, theme: Any) -> None:
        if self.on_theme_chosen is not None:
            self.on_theme_chosen(getattr(theme, "name", str(theme)))

    def export_screenshot(self, *, title: str | None = None, simplify: bool = True) -> str:
        """An SVG of the screen, always with equal-style segments merged: how Textual splits
        segments depends on which regions were repainted last, and screenshots (and the
        snapshot tests) must depend only on what is shown."""
        return super().export_screenshot(title=title, simplify=True)

    async def on_unmount(self) -> None:
        heap.let_go_all()
        await self.events.aclose()
        await self.backend.aclose()

    # -- boards -----------------------------------------------------------------------------

    def _board_screen(self) -> BoardScreen | None:
        """The board on screen, under any prompt or card detail open over it."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, BoardScreen):
                return screen
        return None

    def show_board(self, state: BoardState) -> None:
        focused = None
        board = self._board_screen()
        if board is not None and board.state is state:
            # Already shown (the engine's first change and its opening both show it).
            self.state = state
            return
        opening = (s for s in self.screen_stack if isinstance(s, OpeningScreen))
        base = board if board is not None else next(opening, None)
        if base is not None and base is not self.screen:
            # A prompt or the card detail is open over the board (or the opening screen):
            # what the user types must stay there (pushed over it, the new board took the keys
            # as shortcuts). The new board replaces the old one once they are back on it
            # (``board_resumed``).
            self._board_waiting = state
            return
        if isinstance(self.screen, BoardScreen):
            # A screen shown a moment ago (the cached board, then the engine's) may not be
            # mounted yet: keep the card it was asked to focus, not its empty cursor.
            current = self.screen
            mounted = current.is_mounted and current.view.is_mounted
            focused = current.view.focused_card_id if mounted else current.initial_focus
        self.state = state
        if self.focus_after_open is not None and self.focus_after_open in state.cards:
            focused = self.focus_after_open
            # Kept until the engine's board replaces the cached one: the cached screen may
            # not have focused the card yet when it is replaced.
            engine = self.backend.engine
            if engine is None or engine.state is state:
                self.focus_after_open = None
        screen = BoardScreen(state, focus=focused)
        if isinstance(self.screen, BoardScreen | OpeningScreen):  # (the board replaces it)
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if self.on_painted is not None:
            callback = self.on_painted
            self.on_painted = None
            screen.call_after_refresh(callback)

    def board_resumed(self) -> None:
        """The board screen is on top again: show the board that arrived meanwhile."""
        waiting, self._board_waiting = self._board_waiting, None
        if waiting is not None:
            self.show_board(waiting)

    @work(exclusive=True, group="open-board", exit_on_error=False)
    async def open_board(self, key: str) -> None:
        self.first_load.failure = None
        if self.backend.online:
            self.first_load.begin()  # told if Trello has not answered by its deadline
        try:
            found = await self.backend.resolve(key)
        except Exception as exc:  # nothing cached, and Trello can't say which board it is
            self.first_load.not_opened(key, exc)
            return
        if found is None and not ID_OR_LINK.fullmatch(key):
            self.first_load.no_such_board(key)  # a name none of the user's boards has
            return
        board_id = found or key
        state = await self.backend.cached_board(board_id)
        if state is not None:
            self.show_board(state)  # paint from the cache before any request
        elif self._board_screen() is None:
            self.first_load.opening(key)  # nothing to paint yet: said so, never a blank screen
        if not self.backend.online:
            if state is None:
                self.notify("This board is not in the cache (offline)", severity="error")
                self.first_load.not_opened(key, None)
            return
        try:
            engine = await self.backend.open_engine(board_id, self._engine_event)
        except Exception as exc:  # no network, bad credentials: keep the cached board
            from trello_tui.trello.errors import AuthError

            self.first_load.stop()  # an answer (or a failure) said in its own words
            if isinstance(exc, AuthError):  # say what to do, not a bare 401
                self.notify(
                    exc.user_message, title="Trello refused", severity="error", markup=False
                )
            else:
                self.notify(f"{unreached(exc)}.", severity="warning", markup=False)
            if state is None:
                self.first_load.not_opened(key, exc)
            return
        self.refresh_status()  # (the opening screen says how far it got)
        if engine.state is not None:
            self.show_board(engine.state)
        if self.on_board_opened is not None:
            self.on_board_opened(board_id)
        if self.backend.refused:  # e.g. a revoked or expired token: say what to do
            self.notify(
                self.backend.refused, title="Trello refused", severity="error", markup=False
            )
        if self.backend.read_only:
            self.notify(self.backend.read_only, title="Read-only", severity="warning", markup=False)

    def go_to_card(self, board_id: str, card_id: str) -> None:
        """Focus a card, opening its board first when it is another one."""
        if self.state is not None and self.state.id == board_id:
            if isinstance(self.screen, BoardScreen):
                self.screen.view.focus_card(card_id)
            return
        self.focus_after_open = card_id
        self.open_board(board_id)

    def show_board_picker(self) -> None:
        from trello_tui.ui.screens.boards import BoardPicker

        def chosen(board_id: str | None) -> None:
            if board_id is not None:
                self.open_board(board_id)

        self.push_screen(BoardPicker(self.backend, self.state.id if self.state else None), chosen)

    def show_across(self, kind: str) -> None:
        """The agenda (``agenda``) or my cards (``mine``) over the board; enter opens a card."""
        from trello_tui.ui.screens.across import CardsAcross

        if isinstance(self.screen, CardsAcross):
            return
        if any(w.group == "open-board" and not w.is_finished for w in self.workers):
            # The opened board would be pushed over it: wait for the board first.
            self.notify("Opening the board… try again in a moment")
            return
        if kind == "agenda":
            from trello_tui.ui.screens.agenda import AgendaScreen

            screen: CardsAcross = AgendaScreen()
        else:
            from trello_tui.ui.screens.mine import MyCardsScreen

            screen = MyCardsScreen()

        def chosen(found: tuple[str, str] | None) -> None:
            if found is not None:
                # After the board under it has resumed (and taken its focus back).
                self.call_after_refresh(self.go_to_card, *found)

        self.push_screen(screen, chosen)

    def engine_listener(self, event: object) -> None:
        """What hears every engine of the app (side engines of the agenda included)."""
        self._engine_event(event)

    def refresh_board(self) -> None:
        """``r``: reload from Trello, or open the board again if that failed (offline)."""
        engine = self.backend.engine
        if engine is not None:
            self.run_worker(engine.refresh(), group="refresh", exit_on_error=False)
        elif self.backend.online and (self.state is not None or self.board_key):
            self.open_board(self.state.id if self.state is not None else str(self.board_key))

    # -- changes ----------------------------------------------------------------------------

    def _engine_event(self, event: object) -> None:
        """The engine's subscriber: it calls from a task on our loop; handle after it returns."""
        self.call_later(self._handle_event, event)

    async def _handle_event(self, event: object) -> None:
        from trello_tui.sync.events import Notice, RemoteActions, Status

        engine = self.backend.engine
        if isinstance(event, BoardChange):
            if engine is not None and engine.state is not None and engine.state is not self.state:
                self.show_board(engine.state)
            else:
                await self.board_changed(event)
        elif isinstance(event, Notice):
            severity = {"info": "information", "conflict": "warning"}.get(event.level, event.level)
            self.notify(event.text, severity=severity, timeout=8, markup=False)  # type: ignore[arg-type]
        elif isinstance(event, Status):
            self.refresh_status()
        elif isinstance(event, RemoteActions) and engine and engine.board_id == event.board_id:
            self.events.remote(engine, event)  # notifications and triggers

    async def board_changed(self, change: BoardChange) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen):
                await screen.apply_change(change)
            else:
                # Other screens (card detail) repaint themselves; no import here keeps the
                # board's first paint free of their dependencies (Markdown).
                apply = getattr(screen, "apply_change", None)
                if callable(apply):
                    apply(change)

    def sync_text(self) -> tuple[str, str]:
        """(status text, level) from the engine's status; "offline (cached)" without one;
        "Trello is slow (N s)" while it keeps a request unanswered; what ``r`` does offline."""
        late = self.first_load.status_text()
        if late is not None:
            return late, "warning"
        engine = self.backend.engine
        slow = self.first_load.slow_for()
        if engine is None:
            if self.state is None:
                return "", "warning"
            if slow is not None:
                return f"Trello is slow ({int(slow)} s) · showing the cache", "warning"
            retry = " · r retries now" if self.first_load.unreachable() else ""
            return f"offline (cached){retry}", "warning"
        status = engine.status
        if status.state != "offline" and self.first_load.unreachable():
            status = dataclasses.replace(status, state="offline")  # (the client knew first)
        text = status.text(self.clock().timestamp(), slow_s=slow)
        if status.state == "offline" and not status.forced_offline:
            text = f"{text} · r retries now"
        if self.backend.live is not None:
            text = f"{text} · {self.backend.live.mode}"  # live (webhooks) or polling
        level = status_level(status.state, status.failed)
        return text, ("warning" if slow is not None and level == "ok" else level)

    def refresh_status(self) -> None:
        text, level = self.sync_text()
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen) and screen.is_mounted:
                screen.status.sync_text = text
                screen.status.sync_level = level
        self.first_load.tell_opening()

    def pending_cards(self) -> frozenset[str]:
        engine = self.backend.engine
        if engine is None or engine.state is not self.state:
            return frozenset()
        return frozenset(i for op in engine.pending_ops() for i in op.ids())

    # -- writes: every edit is an operation for the engine ---------------------------------

    def submit(self, op: Op) -> None:
        if self.backend.read_only:  # refused here: no request is sent for it
            self.notify(self.backend.read_only, title="Read-only", severity="warning", markup=False)
            return
        engine = self.backend.engine
        if engine is None or engine.state is None or engine.state is not self.state:
            self.notify("Read-only until Trello answers (showing the cache)", severity="warning")
            return
        engine.submit(op)

    def submit_group(self, group: Sequence[Op]) -> bool:
        """Many writes as one undo step (a bulk action); False when refused or empty."""
        if not group:
            self.notify("Nothing to change: the marked cards already are that way")
            return False
        if self.backend.read_only:
            self.notify(self.backend.read_only, title="Read-only", severity="warning", markup=False)
            return False
        engine = self.backend.engine
        if engine is None or engine.state is None or engine.state is not self.state:
            self.notify("Read-only until Trello answers (showing the cache)", severity="warning")
            return False
        engine.submit_group(group)
        return True

    def submit_move(self, plan: MovePlan) -> None:
        """The move, after the neighbours it re-spaces: one undo step puts them all back."""
        if self.state is None:
            return
        state = self.state
        moves = [
            ops.MoveCard(state.id, card_id=card_id, list_id=state.cards[card_id].id_list, pos=pos)
            for card_id, pos in plan.respace
        ]
        moves.append(
            ops.MoveCard(state.id, card_id=plan.card_id, list_id=plan.list_id, pos=plan.pos)
        )
        if len(moves) == 1:
            self.submit(moves[0])
        else:
            self.submit_group(moves)

    def undo(self) -> None:
        engine = self.backend.engine
        if engine is None or not engine.undo():
            self.notify("Nothing to undo")

    def toggle_label_color(self, card_id: str, color: str) -> None:
        label = self.label_for_color(color)
        if self.state is None or label is None:
            return
        card = self.state.cards[card_id]
        kind = ops.RemoveLabel if label.id in card.id_labels else ops.AddLabel
        self.submit(kind(self.state.id, card_id=card_id, target=label.id))

    def label_for_color(self, color: str) -> Label | None:
        """The board's label of that colour family (the first by name), or None (said so)."""
        if self.state is None:
            return None
        label = next(
            (
                lb
                for lb in sorted(self.state.labels.values(), key=lambda x: (x.name, x.id))
                if color_family(lb.color) == color
            ),
            None,
        )
        if label is None:
            self.notify(f"This board has no {color} label", markup=False)
        return label

    def toggle_me(self, card_id: str) -> None:
        if self.state is None or self.me is None:
            return
        member = self.state.member_by_username(self.me)
        if member is None:
            self.notify("You are not a member of this board")
            return
        card = self.state.cards[card_id]
        kind = ops.RemoveMember if member.id in card.id_members else ops.AddMember
        self.submit(kind(self.state.id, card_id=card_id, target=member.id))

    def archive(self, card_id: str) -> None:
        if self.state is not None:
            name = self.state.cards[card_id].name
            self.submit(ops.ArchiveCard(self.state.id, card_id=card_id))
            self.notify(f"Archived '{name}' — z to undo", markup=False)

    def toggle_check_item(self, card_id: str, checklist_id: str, item_id: str) -> None:
        from trello_tui.sync import ops_items

        if self.state is None:
            return
        checklist = self.state.checklists.get(checklist_id)
        item = (
            next((i for i in checklist.check_items if i.id == item_id), None) if checklist else None
        )
        if item is None:
            return
        self.submit(
            ops_items.ToggleCheckItem(
                self.state.id,
                card_id=card_id,
                checklist_id=checklist_id,
                item_id=item_id,
                complete=not item.complete,
            )
        )

    def edit_description(self, card_id: str) -> None:
        from trello_tui.ui.editor import edit_text

        if self.state is None:
            return
        card = self.state.cards[card_id]
        with self.suspend():
            text = edit_text(card.desc)
        if text is not None and text != card.desc:
            self.submit(ops.SetDescription(self.state.id, card_id=card_id, desc=text))

    async def load_comments(self, card_id: str) -> list[Action]:
        try:
            return await self.backend.comments(card_id)
        except Exception as exc:  # comments are a nicety: say why they are missing
            self.notify(f"Couldn't load comments: {exc}", severity="warning", markup=False)
            return []
